// `.step mc N`: runs drawing their own seeds; seeds as expressions of .params; a .step run that
// goes on past a failing point; the .meas table and its statistics; results as bytes and back
// (what MPI ranks send); a step point's results independent of the points run before it.

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "common/Random.hpp"
#include "parser/Netlist.hpp"
#include "solver/OutputWriters.hpp"
#include "solver/ResultArchive.hpp"
#include "solver/Simulator.hpp"
#include "solver/StepSummary.hpp"
#include "test_parser_helpers.hpp"

using namespace ionspice;

namespace {

solver::SimulationResult run_text(const std::string& text, int threads = 1, bool keep_going = false) {
    solver::SimulateSettings s;
    s.threads = threads;
    s.keep_going = keep_going;
    return solver::simulate(parser::parse_deck(text, "mc.cir"), s);
}

/// A divider whose upper resistor is drawn by agauss: v(out) = 1k / (1k + r).
const char* kDrawn =
    "drawn divider\n.param r=agauss(1k, 100, 1)\nV1 in 0 1\nR1 in out {r}\nR2 out 0 1k\n.dc V1 1 1 1\n"
    ".meas dc vout find v(out) at=1\n";

std::vector<double> measured(const solver::SimulationResult& r) {
    std::vector<double> v;
    for (const auto& m : r.measures) v.push_back(m.value.value_or(NAN));
    return v;
}

double param(const parser::Netlist& n, const std::string& name) {
    for (const auto& p : n.params)
        if (p.name == name) return p.value;
    FAIL("no parameter " << name);
    return 0;
}

double last_option(const parser::Netlist& n, const std::string& name) {
    double v = NAN;
    for (const auto& o : n.options)
        if (o.name == name && o.value) v = *o.value;
    return v;
}

}  // namespace

TEST_CASE("monte carlo: .step mc N runs N points named mc=1…N, each drawing its own values") {
    const auto r = run_text(std::string(kDrawn) + ".step mc 6\n");
    REQUIRE(r.steps == 6);
    CHECK(r.monte_carlo_runs == 6);
    for (std::size_t k = 0; k < 6; ++k) {
        REQUIRE(r.plots[k].step.size() == 1);
        CHECK(r.plots[k].step[0].first == "mc");
        CHECK(r.plots[k].step[0].second == static_cast<double>(k + 1));
    }
    const auto v = measured(r);
    REQUIRE(v.size() == 6);
    auto sorted = v;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());  // all different
    for (double x : v) CHECK(std::fabs(x - 0.5) < 0.25);                    // 1k ± a few σ of 100
    // The same run draws the same values, whatever the threads; another seed draws others.
    CHECK(measured(run_text(std::string(kDrawn) + ".step mc 6\n", 4)) == v);
    const auto other = measured(run_text(std::string(kDrawn) + ".step mc 6 seed=2\n"));
    CHECK(other != v);
    CHECK(measured(run_text(std::string(kDrawn) + ".options seed=2\n.step mc 6\n")) == other);
}

TEST_CASE("monte carlo: a run's seeds come from the base seed and the run number, for the devices too") {
    const auto deck = parser::parse_deck(std::string(kDrawn) + ".options seed=5 devseed=9\n.step mc 3\n", "mc.cir");
    const auto run2 = parser::elaborate(deck, {{parser::kMonteCarloOverride, 2.0}});
    CHECK(last_option(run2, "seed") == static_cast<double>(monte_carlo_seed(5, 2)));
    CHECK(last_option(run2, "devseed") == static_cast<double>(monte_carlo_seed(9, 2)));
    // The run number is no parameter of the circuit.
    for (const auto& p : run2.params) CHECK(p.name != parser::kMonteCarloOverride);
    // Without a devseed, both device seeds are the run's seed.
    const auto plain = parser::elaborate(parser::parse_deck(std::string(kDrawn) + ".step mc 3\n", "mc.cir"),
                                         {{parser::kMonteCarloOverride, 3.0}});
    CHECK(last_option(plain, "devseed") == last_option(plain, "seed"));
    CHECK(last_option(plain, "seed") == static_cast<double>(monte_carlo_seed(0, 3)));
}

TEST_CASE("monte carlo: .options seed may be an expression of a stepped parameter (chips × cycles)") {
    const std::string deck = std::string(kDrawn) + ".param chip=1\n.options seed={chip}\n.step param chip list 1 2 1\n";
    const auto v = measured(run_text(deck));
    REQUIRE(v.size() == 3);
    CHECK(v[0] == v[2]);
    CHECK(v[0] != v[1]);
    // The seed's value reaches the random functions: chip=2 draws what seed=2 draws.
    CHECK(measured(run_text(std::string(kDrawn) + ".options seed=2\n.op\n")).at(0) == v[1]);
    const auto n = parser::elaborate(parser::parse_deck(deck, "mc.cir"), {{"chip", 2.0}});
    CHECK(param(n, "r") != param(parser::elaborate(parser::parse_deck(deck, "mc.cir"), {{"chip", 1.0}}), "r"));
}

TEST_CASE("monte carlo: mistakes are located errors") {
    ptest::check_error(std::string(kDrawn) + ".step mc 0\n", 8, 10, "whole number of runs, at least 1");
    ptest::check_error(std::string(kDrawn) + ".step mc 2.5\n", 8, 10, "whole number of runs");
    ptest::check_error(std::string(kDrawn) + ".step mc 3 sed=1\n", 8, 12, "takes only 'seed=S'");
    ptest::check_error(std::string(kDrawn) + ".step mc 3\n.step mc 4\n", 9, 7, "one Monte Carlo series");
    ptest::check_error(std::string(kDrawn) + ".options seed={r}\n.op\n", 8, 16, "cannot depend on a random function");
}

TEST_CASE("monte carlo: a .param named mc is still stepped as a parameter") {
    const auto r = run_text("p\n.param mc=1\nV1 a 0 {mc}\nR1 a 0 1k\n.op\n.step mc 1 3 1\n");
    CHECK(r.steps == 3);
    CHECK(r.monte_carlo_runs == 0);
}

TEST_CASE("step: with keep_going a failing point is recorded and the others run") {
    const std::string deck =
        "divider\n.param rx=1k\nV1 in 0 1\nR1 in out {rx}\nR2 out 0 1k\n.dc V1 1 1 1\n"
        ".meas dc vout find v(out) at=1\n.step param rx list 1k 0 3k\n";
    for (int threads : {1, 3}) {
        CAPTURE(threads);
        const auto r = run_text(deck, threads, true);
        REQUIRE(r.step_points.size() == 3);
        CHECK(r.steps == 2);
        CHECK(r.plots.size() == 2);
        CHECK(r.step_points[0].failure.empty());
        CHECK(r.step_points[1].located);
        CHECK(r.step_points[1].failure.find("mc.cir:4:12: error: resistor r1: resistance must not be zero (at .step "
                                            "rx=0)") == 0);
        CHECK(r.step_points[2].failure.empty());
        std::ostringstream table;
        solver::write_measure_table(table, r);
        CHECK(table.str() ==
              "rx,vout,status\n1000,0.5,ok\n0,,\"failed: mc.cir:4:12: error: resistor r1: resistance must not be "
              "zero (at .step rx=0)\"\n3000,0.25,ok\n");
    }
}

TEST_CASE("monte carlo: statistics over the runs, grouped by the other stepped variables") {
    // Hand-made runs: the measurement is known, so are its statistics.
    solver::SimulationResult r;
    r.monte_carlo_runs = 5;
    const std::vector<double> a = {3, 1, 4, 1, 5}, b = {2, 7, 1, 8, 2};
    for (double vdd : {1.0, 2.0})
        for (int run = 1; run <= 5; ++run) {
            const auto& src = vdd == 1 ? a : b;
            r.step_points.push_back({{{"mc", run}, {"vdd", vdd}}, "", false});
            solver::Plot p;
            p.analysis = "dc";
            r.plots.push_back(p);
            if (vdd == 2 && run == 3) {
                r.measures.push_back({r.plots.size() - 1, "x", std::nullopt, "out of range"});
            } else {
                r.measures.push_back({r.plots.size() - 1, "x", src[static_cast<std::size_t>(run - 1)], ""});
            }
        }
    r.steps = 10;
    const auto s = solver::monte_carlo_statistics(r);
    REQUIRE(s.size() == 2);
    CHECK(s[0].group == std::vector<std::pair<std::string, double>>{{"vdd", 1.0}});
    CHECK(s[0].values == 5);
    CHECK(s[0].missing == 0);
    CHECK(s[0].mean == doctest::Approx(2.8));
    CHECK(s[0].sigma == doctest::Approx(std::sqrt(3.2)));  // Σ(x − 2.8)² = 12.8, over n − 1 = 4
    CHECK(s[0].min == 1);
    CHECK(s[0].max == 5);
    // Sorted 1 1 3 4 5: the 25 % point is at (n − 1)·0.25 = 1 (→ 1), the 5 % one at 0.2 (→ 1),
    // the 95 % one at 3.8 (→ 4.8), the median 3.
    CHECK(s[0].quantiles[0] == doctest::Approx(1.0));
    CHECK(s[0].quantiles[1] == doctest::Approx(1.0));
    CHECK(s[0].quantiles[2] == doctest::Approx(3.0));
    CHECK(s[0].quantiles[3] == doctest::Approx(4.0));
    CHECK(s[0].quantiles[4] == doctest::Approx(4.8));
    CHECK(s[1].values == 4);  // one measurement failed
    CHECK(s[1].missing == 1);
    CHECK(s[1].mean == doctest::Approx(19.0 / 4));
    std::ostringstream csv;
    solver::write_statistics_csv(csv, s);
    CHECK(csv.str().rfind("vdd,measure,values,missing,mean,sigma,min,p5,p25,median,p75,p95,max\n1,x,5,0,2.8,", 0) == 0);
    // Without .step mc there are none.
    r.monte_carlo_runs = 0;
    CHECK(solver::monte_carlo_statistics(r).empty());
}

TEST_CASE("results survive being packed into bytes and read back, field by field") {
    auto r = run_text("rc\nV1 in 0 pulse(0 1 0 1u 1u 5u 20u)\nR1 in out 1k\nC1 out 0 1n\n.ac dec 2 1k 1meg\n"
                      ".tran 0.5u 5u\n.print tran v(out)\n.meas tran vmax max v(out)\n"
                      ".meas tran never when v(out)=7\n.four 500k v(out)\n.op\n",
                      1);
    r.warnings = {"a warning"};
    r.step_points.push_back({{{"k", 2.5}}, "it failed\nline\n ^", true});
    r.monte_carlo_runs = 4;
    r.printed = 1;
    r.exit_status = 3;
    std::string bytes;
    solver::pack(bytes, r);
    std::string_view in = bytes;
    const auto back = solver::unpack(in);
    CHECK(in.empty());
    std::ostringstream a, b;
    solver::write_raw(a, r.plots, false);
    solver::write_raw(b, back.plots, false);
    CHECK(a.str() == b.str());
    REQUIRE(back.plots.size() == r.plots.size());
    for (std::size_t k = 0; k < r.plots.size(); ++k) {
        CHECK(back.plots[k].analysis == r.plots[k].analysis);
        CHECK(back.plots[k].scalar == r.plots[k].scalar);
        CHECK(back.plots[k].kind == r.plots[k].kind);
    }
    CHECK(back.warnings == r.warnings);
    CHECK(back.log == r.log);
    REQUIRE(back.prints.size() == 1);
    CHECK(back.prints[0].plot == r.prints[0].plot);
    CHECK(back.prints[0].columns.size() == r.prints[0].columns.size());
    REQUIRE(back.measures.size() == 2);
    CHECK(back.measures[0].value == r.measures[0].value);
    CHECK_FALSE(back.measures[1].value);
    CHECK(back.measures[1].failure == r.measures[1].failure);
    REQUIRE(back.reports.size() == 1);
    CHECK(back.reports[0].text == r.reports[0].text);
    REQUIRE(back.step_points.size() == 1);
    CHECK(back.step_points[0].values == r.step_points[0].values);
    CHECK(back.step_points[0].failure == r.step_points[0].failure);
    CHECK(back.step_points[0].located);
    CHECK(back.monte_carlo_runs == 4);
    CHECK(back.printed == 1);
    CHECK(back.exit_status == 3);
    // Cut short, the bytes are an error, not a crash.
    for (std::size_t cut : {std::size_t{0}, std::size_t{7}, bytes.size() / 2, bytes.size() - 1}) {
        std::string_view part(bytes.data(), cut);
        CHECK_THROWS_AS(solver::unpack(part), std::runtime_error);
    }
}

TEST_CASE("step: a point's results are the same bits whichever points its thread ran before") {
    // A nonlinear transient (KLU refactorisations with earlier pivots) after an .op (another
    // usage of the same pattern): run alone, point 3 must equal point 3 run after 1 and 2.
    const std::string deck =
        "rc\n.param k=1 c0=1n\nV1 in 0 pulse(0 {k} 0 1u 1u 5u 20u)\nR1 in out 1k\nC1 out 0 {c0}\nR2 out 0 10k\n"
        ".dc V1 0 {k} {k/4}\n.tran 0.1u 10u\n";
    const auto all = run_text(deck + ".step param k list 0.7 1.3 2\n", 1);
    const auto alone = run_text(deck + ".step param k list 2\n", 1);
    REQUIRE(all.plots.size() == 6);
    REQUIRE(alone.plots.size() == 2);
    for (std::size_t a = 0; a < 2; ++a) {
        CHECK(all.plots[4 + a].values == alone.plots[a].values);
    }
}
