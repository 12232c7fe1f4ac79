// `.step`: step points and their order, values reaching the circuit, every analysis per step,
// parallel runs identical to sequential ones, CSV and raw output, located errors.

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <fmt/format.h>

#include "tests/CommandRun.hpp"
#include <unistd.h>

#include "parser/Netlist.hpp"
#include "solver/OutputWriters.hpp"
#include "solver/RawReader.hpp"
#include "solver/SimulationError.hpp"
#include "solver/Simulator.hpp"
#include "test_parser_helpers.hpp"
#include "tests/SimHelpers.hpp"

namespace fs = std::filesystem;
using namespace ionspice;

namespace {

solver::SimulationResult run_text(const std::string& text, int threads = 0) {
    solver::SimulateSettings s;
    s.threads = threads;
    return solver::simulate(parser::parse_deck(text, "step.cir"), s);
}

double at(const solver::Plot& p, const std::string& name, std::size_t point = 0) {
    int v = p.find(name);
    INFO("vector " << name << " in " << p.title);
    REQUIRE(v >= 0);
    REQUIRE(point < p.points());
    return p.at(point, static_cast<std::size_t>(v));
}

/// The values of one stepped variable over the plots, in plot order.
std::vector<double> step_values(const solver::SimulationResult& r, std::size_t var = 0) {
    std::vector<double> out;
    for (const auto& p : r.plots) {
        REQUIRE(var < p.step.size());
        out.push_back(p.step[var].second);
    }
    return out;
}

void check_values(const std::vector<double>& got, const std::vector<double>& want) {
    REQUIRE(got.size() == want.size());
    for (std::size_t k = 0; k < got.size(); ++k) CHECK(got[k] == doctest::Approx(want[k]).epsilon(1e-12));
}

// --- the command line, as tests/test_cli.cpp runs it ---------------------------------------

using Run = ionspice::test::CommandRun;
using ionspice::test::slurp;

const ionspice::test::Sandbox sandbox("step");
fs::path scratch() { return sandbox.dir(); }
fs::path write(const std::string& name, const std::string& text) { return sandbox.write(name, text); }
Run run(const std::string& args) { return sandbox.run(args); }

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

const char* kDivider = "divider\n.param rx=1k\nV1 in 0 4\nR1 in out 1k\nR2 out 0 {rx}\n.op\n";

}  // namespace

TEST_CASE("step: list, linear, decade and octave steps give the points asked for, in order") {
    auto values = [](const std::string& step) { return step_values(run_text(std::string(kDivider) + step + "\n")); };
    check_values(values(".step param rx list 1k 2k 5k"), {1e3, 2e3, 5e3});
    check_values(values(".step param rx 1k 3k 0.5k"), {1e3, 1.5e3, 2e3, 2.5e3, 3e3});
    check_values(values(".step param rx 3k 1k -1k"), {3e3, 2e3, 1e3});
    check_values(values(".step dec param rx 1k 100k 2"), {1e3, 1e3 * std::sqrt(10.0), 1e4, 1e4 * std::sqrt(10.0), 1e5});
    check_values(values(".step oct param rx 1k 8k 1"), {1e3, 2e3, 4e3, 8e3});
    // LTspice writes the parameter without `param`.
    check_values(values(".step rx list 100 200"), {100, 200});
    check_values(values(".step lin param rx 1k 2k 1k"), {1e3, 2e3});
}

TEST_CASE("step: without .step the result has no steps and plain titles") {
    auto r = run_text(kDivider);
    CHECK(r.steps == 0);
    REQUIRE(r.plots.size() == 1);
    CHECK(r.plots[0].title == "divider");
    CHECK(r.plots[0].step.empty());
}

TEST_CASE("step: several .step lines nest, the first written varying fastest") {
    auto r = run_text(std::string(kDivider) + ".param k=1\n.step param rx list 1k 2k 3k\n.step param k list 10 20\n");
    CHECK(r.steps == 6);
    REQUIRE(r.plots.size() == 6);
    check_values(step_values(r, 0), {1e3, 2e3, 3e3, 1e3, 2e3, 3e3});
    check_values(step_values(r, 1), {10, 10, 10, 20, 20, 20});
    for (const auto& p : r.plots) {
        REQUIRE(p.step.size() == 2);
        CHECK(p.step[0].first == "rx");
        CHECK(p.step[1].first == "k");
    }
    CHECK(r.plots[4].title == "divider (step: rx=2000 k=20)");
}

TEST_CASE("step: stepped values reach every expression that uses them") {
    // R2 = {rx} directly, R3 = {2*rx} through another .param: v(out) = 4·(rx ∥ 2rx)/(1k + rx ∥ 2rx).
    auto r = run_text("divider\n.param rx=1k r3={2*rx}\nV1 in 0 4\nR1 in out 1k\nR2 out 0 {rx}\nR3 out 0 {r3}\n"
                      ".op\n.step param rx list 500 1k 3k\n");
    REQUIRE(r.plots.size() == 3);
    for (const auto& p : r.plots) {
        const double rx = p.step.at(0).second;
        const double rp = rx * 2 * rx / (3 * rx);
        CHECK(at(p, "v(out)") == doctest::Approx(4 * rp / (1e3 + rp)).epsilon(1e-9));
    }
}

TEST_CASE("step: an expression defined only at the stepped values is not evaluated at the .param's own") {
    auto r = run_text("inv\n.param gx=0\nV1 in 0 4\nR1 in out 1k\nR2 out 0 {1/gx}\n.op\n.step param gx list 1m 0.5m\n");
    REQUIRE(r.plots.size() == 2);
    CHECK(at(r.plots[0], "v(out)") == doctest::Approx(2));
    CHECK(at(r.plots[1], "v(out)") == doctest::Approx(4.0 * 2 / 3));
}

TEST_CASE("step: .step temp sets the circuit temperature for the devices and for temper") {
    // R1 = 1k·(1 + 0.01·(T − 27)); R2 = {1k*(1 + 0.02*(temper - 27))} through `temper`.
    auto r = run_text("temps\nV1 in 0 2\nR1 in out 1k tc1=0.01\nR2 out 0 {1k*(1 + 0.02*(temper - 27))}\n.op\n"
                      ".step temp list -13 27 77\n");
    REQUIRE(r.plots.size() == 3);
    check_values(step_values(r), {-13, 27, 77});
    for (const auto& p : r.plots) {
        const double t = p.step.at(0).second;
        const double r1 = 1e3 * (1 + 0.01 * (t - 27)), r2 = 1e3 * (1 + 0.02 * (t - 27));
        CHECK(p.step[0].first == "temp");
        CHECK(at(p, "v(out)") == doctest::Approx(2 * r2 / (r1 + r2)).epsilon(1e-12));
    }
}

TEST_CASE("step: an independent source can be stepped, and its value holds in .dc param sweeps") {
    auto r = run_text("src\n.param rx=1k\nV1 in 0 1\nR1 in out 1k\nR2 out 0 {rx}\n.op\n.dc param rx list 1k 3k\n"
                      ".step V1 list 2 6\n");
    CHECK(r.steps == 2);
    REQUIRE(r.plots.size() == 4);
    for (std::size_t s = 0; s < 2; ++s) {
        const double v = s == 0 ? 2 : 6;
        const auto& op = r.plots[2 * s];
        const auto& dc = r.plots[2 * s + 1];
        CHECK(op.step.at(0).first == "v1");
        CHECK(op.step.at(0).second == v);
        CHECK(at(op, "v(out)") == doctest::Approx(v / 2));
        // The sweep rebuilds the circuit for each rx: the stepped source value must survive that.
        CHECK(at(dc, "v(out)", 0) == doctest::Approx(v / 2));
        CHECK(at(dc, "v(out)", 1) == doctest::Approx(v * 3 / 4));
    }
}

TEST_CASE("step: a .dc param sweep keeps the step's other parameter values") {
    auto r = run_text("two\n.param ra=1k rb=1k\nV1 in 0 2\nR1 in out {ra}\nR2 out 0 {rb}\n.dc param rb list 1k 3k\n"
                      ".step param ra list 1k 3k\n");
    REQUIRE(r.plots.size() == 2);
    // ra = 3k, rb = 1k: 2·1/(3+1).
    CHECK(at(r.plots[1], "v(out)", 0) == doctest::Approx(0.5));
    CHECK(at(r.plots[1], "v(out)", 1) == doctest::Approx(1.0));
}

TEST_CASE("step: .op, .dc and .tran all run for every step, in the order written, with standard plot names") {
    // RC under a step of height {amp}: v(out) settles to amp·rx/(1k+rx).
    auto r = run_text("rc unit\n.param rx=1k amp=1\nV1 in 0 PULSE(0 {amp} 0 1n 1n 1 2)\nR1 in out 1k\n"
                      "R2 out 0 {rx}\nC1 out 0 1n\n.op\n.dc V1 0 1 0.5\n.tran 1u 20u\n"
                      ".step param amp list 1 2\n.step param rx list 1k 3k\n");
    CHECK(r.steps == 4);
    REQUIRE(r.plots.size() == 12);
    const char* names[] = {"Operating Point", "DC transfer characteristic", "Transient Analysis"};
    for (std::size_t s = 0; s < 4; ++s) {
        const double amp = s % 2 == 0 ? 1 : 2, rx = s < 2 ? 1e3 : 3e3;
        for (std::size_t a = 0; a < 3; ++a) {
            const auto& p = r.plots[3 * s + a];
            CHECK(p.name == names[a]);
            CHECK(p.title == fmt::format("rc unit (step: amp={} rx={})", amp, rx));
        }
        const auto& tran = r.plots[3 * s + 2];
        CHECK(at(tran, "v(out)", tran.points() - 1) == doctest::Approx(amp * rx / (1e3 + rx)).epsilon(1e-4));
        CHECK(at(r.plots[3 * s + 1], "v(out)", 2) == doctest::Approx(rx / (1e3 + rx)));
    }
}

TEST_CASE("step: results on four threads are identical to one thread, in order and value") {
    const std::string deck = "rectifier\n.param rl=1k amp=2\nV1 in 0 SIN(0 {amp} 1k)\nD1 in out dmod\n"
                             "R1 out 0 {rl}\nC1 out 0 1u\n.model dmod d is=1e-14 n=1.5 cjo=2p\n"
                             ".op\n.dc V1 -1 1 0.1\n.tran 10u 2m\n"
                             ".step param rl list 500 1k 2k 4k\n.step param amp list 1 2 3\n";
    auto one = run_text(deck, 1);
    auto four = run_text(deck, 4);
    REQUIRE(one.steps == 12);
    REQUIRE(one.plots.size() == 36);
    REQUIRE(four.plots.size() == one.plots.size());
    for (std::size_t k = 0; k < one.plots.size(); ++k) {
        const auto &a = one.plots[k], &b = four.plots[k];
        INFO("plot " << k);
        CHECK(a.name == b.name);
        CHECK(a.title == b.title);
        CHECK(a.step == b.step);
        REQUIRE(a.variables.size() == b.variables.size());
        for (std::size_t v = 0; v < a.variables.size(); ++v) CHECK(a.variables[v].name == b.variables[v].name);
        REQUIRE(a.values.size() == b.values.size());
        CHECK(std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)) == 0);
    }
    // The raw files match byte for byte once both carry the same date (the runs start at
    // different times; within a run every plot has the run's date).
    auto raw = [](solver::SimulationResult& r) {
        for (auto& p : r.plots) p.date = "Mon Nov 23 15:30:41  2026";
        std::ostringstream out;
        solver::write_raw(out, r.plots, false);
        return out.str();
    };
    CHECK(raw(one) == raw(four));
}

TEST_CASE("step: a failing step aborts the run, naming the first failing step whatever the threads") {
    const std::string deck = std::string(kDivider) + ".param k=1\n.step param rx list 1k 0\n.step param k list 1 2\n";
    for (int threads : {1, 4}) {
        CAPTURE(threads);
        try {
            run_text(deck, threads);
            FAIL("no error");
        } catch (const parser::NetlistError& e) {
            CHECK(e.message().find("resistance must not be zero") != std::string::npos);
            CHECK(e.message().find("(at .step rx=0 k=1)") != std::string::npos);
            CHECK(e.loc().line == 5);
        }
    }
    try {
        run_text("loop\n.param k=1\nV1 a 0 1\nV2 a 0 {k}\nR1 a 0 1k\n.op\n.step param k list 1 2\n", 2);
        FAIL("no error");
    } catch (const solver::SimulationError& e) {
        CHECK(std::string(e.what()).rfind("at .step k=1: ", 0) == 0);
    }
}

TEST_CASE("step: step values round-trip through the raw title") {
    std::vector<std::pair<std::string, double>> step = {{"vref_g", 0.6}, {"vread_h", 1.4}, {"g", 4e-5}};
    const std::string title = solver::stepped_title("mtt unit", step);
    CHECK(title == "mtt unit (step: vref_g=0.6 vread_h=1.4 g=4e-05)");
    CHECK(solver::step_from_title(title) == step);
    CHECK(solver::step_from_title("mtt unit").empty());
    CHECK(solver::step_from_title("a (remark)").empty());
    CHECK(solver::stepped_title("mtt unit", {}) == "mtt unit");
}

TEST_CASE("step: a .print table is headed by its step's values") {
    auto r = run_text(std::string(kDivider) + ".dc V1 0 1 1\n.print dc v(out)\n.step param rx list 1k 3k\n");
    REQUIRE(r.prints.size() == 2);
    CHECK(r.prints[0].plot == 1);
    CHECK(r.prints[1].plot == 3);
    std::ostringstream out;
    solver::print_table(out, r.plots[r.prints[1].plot], r.prints[1].columns);
    CHECK(out.str().rfind("step: rx=3000\nindex", 0) == 0);
}

TEST_CASE("step: the raw file holds one plot per step and analysis, with the step in the title") {
    fs::path n = write("raw.cir", std::string(kDivider) + ".dc V1 0 2 1\n.step param rx list 1k 3k\n");
    fs::path raw = scratch() / "step.raw";
    Run r = run("-j 2 -r " + raw.string() + " " + n.string());
    REQUIRE_MESSAGE(r.status == 0, r.err);
    auto plots = solver::read_raw(raw.string());
    REQUIRE(plots.size() == 4);
    CHECK(plots[0].name == "Operating Point");
    CHECK(plots[1].name == "DC transfer characteristic");
    CHECK(plots[3].title == "divider (step: rx=3000)");
    REQUIRE(plots[3].step.size() == 1);
    CHECK(plots[3].step[0] == std::pair<std::string, double>{"rx", 3000});
    CHECK(at(plots[2], "v(out)") == doctest::Approx(3.0));
    CHECK(r.err.find(".step: 2 points") != std::string::npos);
}

TEST_CASE("step: CSV holds one file per analysis with a leading column per stepped parameter") {
    fs::path n = write("csv.cir", std::string(kDivider) + ".param k=1\n.dc V1 0 2 1\n"
                                                          ".step param rx list 1k 3k\n.step param k list 1 2 3\n");
    fs::path csv = scratch() / "step.csv";
    Run r = run("-j 3 --csv " + csv.string() + " " + n.string());
    REQUIRE_MESSAGE(r.status == 0, r.err);
    auto op = lines(slurp(scratch() / "step.op.csv"));
    auto dc = lines(slurp(scratch() / "step.dc.csv"));
    REQUIRE(op.size() == 1 + 6);
    CHECK(op[0] == "rx,k,v(in),v(out),i(v1)");
    CHECK(op[1] == "1000,1,4,2,-0.002");
    CHECK(op[2].rfind("3000,1,4,3,", 0) == 0);
    CHECK(op[6].rfind("3000,3,4,3,", 0) == 0);
    REQUIRE(dc.size() == 1 + 6 * 3);
    CHECK(dc[0] == "rx,k,v(v-sweep),v(in),v(out),i(v1)");
    CHECK(dc[4] == "3000,1,0,0,0,0");
    CHECK(dc[18].rfind("3000,3,2,2,1.5,", 0) == 0);

    // The same files from one thread.
    fs::path seq = scratch() / "seq.csv";
    REQUIRE(run("-j 1 --csv " + seq.string() + " " + n.string()).status == 0);
    CHECK(slurp(scratch() / "seq.op.csv") == slurp(scratch() / "step.op.csv"));
    CHECK(slurp(scratch() / "seq.dc.csv") == slurp(scratch() / "step.dc.csv"));

    // One analysis: the file named, still with the step's column.
    fs::path one = write("one.cir", std::string(kDivider) + ".step param rx list 1k 3k\n");
    fs::path one_csv = scratch() / "one.csv";
    REQUIRE(run("--csv " + one_csv.string() + " " + one.string()).status == 0);
    CHECK(lines(slurp(one_csv)) == std::vector<std::string>{"rx,v(in),v(out),i(v1)", "1000,4,2,-0.002",
                                                            "3000,4,3,-0.001"});
}

TEST_CASE("step: -j must be a positive number") {
    fs::path n = write("j.cir", std::string(kDivider) + ".step param rx list 1k 3k\n");
    CHECK(run("-j 0 " + n.string()).status != 0);
    Run r = run("-j 1 " + n.string());
    CHECK(r.status == 0);
    CHECK(r.out.find("step: rx=3000\n") != std::string::npos);
    CHECK(r.err.find("1 thread,") != std::string::npos);
}

TEST_CASE("step: the elaborated netlist lists the steps, sources and parameters told apart") {
    auto n = ptest::flat("t\n.param a=1\nV1 x 0 1\nR1 x 0 {a}\n.step param a list 1 2\n.step V1 0 1 0.5\n");
    REQUIRE(n.steps.size() == 2);
    CHECK(n.steps[0].name == "a");
    CHECK(n.steps[0].kind == parser::SweepSpec::Kind::List);
    CHECK_FALSE(n.steps[0].is_source);
    CHECK(n.steps[1].name == "v1");
    CHECK(n.steps[1].is_source);
    CHECK(n.steps[1].step == 0.5);
    CHECK(n.steps[1].loc.line == 6);
    CHECK(n.steps[1].loc.col == 7);
    // As for .dc: a source and a .param of the same name mean the source unless `param` is written.
    const std::string both = "t\n.param v1=0\nV1 x 0 1\nR1 x 0 1k\n";
    CHECK(ptest::flat(both + ".step v1 list 3\n").steps.at(0).is_source);
    CHECK_FALSE(ptest::flat(both + ".step param v1 list 3\n").steps.at(0).is_source);
}

TEST_CASE("step: a bad .step is an error at the offending word") {
    const std::string head = "t\n.param rx=1\nR1 a 0 {rx}\n";  // the .step is on line 4
    ptest::check_error(head + ".step param ry list 1 2\n", 4, 13, "no top-level .param named 'ry'");
    ptest::check_error(head + ".step ry 1 2 1\n", 4, 7, "neither a top-level .param nor an independent source");
    ptest::check_error(head + ".step param rx 1 2 0\n", 4, 20, "increment is zero");
    ptest::check_error(head + ".step param rx 1 2 -1\n", 4, 20, "increment -1 cannot go from 1 to 2");
    ptest::check_error(head + ".step dec param rx 0 10 5\n", 4, 20, "needs a positive start");
    ptest::check_error(head + ".step oct param rx 1 -8 2\n", 4, 22, "needs a positive stop");
    ptest::check_error(head + ".step dec param rx 1 10 0\n", 4, 25, "positive number of points per decade");
    ptest::check_error(head + ".step param rx 1 2\n", 4, 13, "'.step rx' needs start, stop and increment");
    ptest::check_error(head + ".step param rx list\n", 4, 13, "'.step rx list' needs values");
    ptest::check_error(head + ".step param rx 1 2 1 ry 1 2 1\n", 4, 22, "one '.step' line per variable");
    ptest::check_error(head + ".step\n", 4, 1, "'.step' needs a parameter to step");
    ptest::check_error(head + ".step param rx 1 2 1\n.step rx list 3\n", 5, 7, "already stepped");
    // A subcircuit's parameter is not a top-level .param.
    ptest::check_error("t\n.subckt s a\n.param q=1\nR1 a 0 {q}\n.ends\nX1 n s\n.step param q list 1 2\n", 7, 13,
                       "not subcircuit parameters");
    ptest::check_error("t\n.subckt s a\n.step param q list 1 2\n.ends\n", 3, 1, "not allowed inside a subcircuit");
}

TEST_CASE(".temp with several temperatures runs every analysis at each, as .step temp list") {
    const auto r = ionspice::test::simulate_text("t\n.temp 27 50 100\nR1 a 0 1k tc1=0.01\nI1 0 a 1m\n.op\n.end\n");
    REQUIRE(r.steps == 3);
    REQUIRE(r.plots.size() == 3);
    const double want[] = {1.0, 1.23, 1.73};
    for (std::size_t k = 0; k < 3; ++k)
        CHECK(ionspice::test::value(r, "v(a)", 0, k) == doctest::Approx(want[k]).epsilon(1e-12));
}

TEST_CASE("deck_done: a run that reads its deck once lets the caller free it; .dc and .step keep it") {
    // The command line frees the cards there (a 1024² crossbar's are 0.9 GB of its peak).
    auto run_with = [](const std::string& text, bool& called) {
        parser::Deck deck = parser::parse_deck(text, "done.cir");
        solver::SimulateSettings s;
        called = false;
        s.deck_done = [&] {
            deck = parser::Deck(nullptr);  // what the command line does: the cards are gone
            called = true;
        };
        return solver::simulate(deck, s);
    };
    bool called = false;
    const std::string divider = "div\nV1 a 0 2\nR1 a b 1k\nR2 b 0 1k\n";
    auto r = run_with(divider + ".op\n.tran 1u 10u\n.print tran v(b)\n.end\n", called);
    CHECK(called);
    REQUIRE(r.plots.size() == 2);
    CHECK(at(r.plots[0], "v(b)") == doctest::Approx(1.0));
    CHECK(r.prints.size() == 1);
    // A .dc may sweep a .param, which elaborates the deck again at every value.
    r = run_with(divider + ".param rr=1k\nR3 b 0 {rr}\n.dc param rr 1k 2k 1k\n.end\n", called);
    CHECK_FALSE(called);
    CHECK(r.plots.at(0).points() == 2);
    r = run_with(divider + ".step param rr list 1k 2k\n.param rr=1k\nR3 b 0 {rr}\n.op\n.end\n", called);
    CHECK_FALSE(called);
    CHECK(r.plots.size() == 2);
}
