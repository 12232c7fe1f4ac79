// `ionspice fit` end to end: raw and CSV inputs, normalisation options, steps, JSON, errors.

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "solver/OutputWriters.hpp"
#include "solver/Plot.hpp"
#include "tests/CommandRun.hpp"

namespace fs = std::filesystem;
using namespace ionspice;

namespace {

const fs::path& dir() {
    static fs::path d = test::scratch_dir("fit_cli");
    return d;
}

test::CommandRun fit(const std::string& args) { return test::run_ionspice(dir(), "fit " + args); }

constexpr double kGmin = 2e-6, kGmax = 42e-6;  // S
constexpr double kItsMax = -2e-5;              // A, ngspice's sign: current into the drain source

double a_p(double vr) { return 2 + vr; }
double b_p(double vr) { return vr; }
double a_n(double vr) { return 1.5 + vr; }
double b_n(double vr) { return 0.8 * vr; }

/// A stepped DC sweep of the conductance `ge` for both halves (`half` = ±1) of a unit whose
/// transfer parameters depend on the stepped `vr`; i(vd) = I_ts,max·W_b.
std::vector<solver::Plot> stepped_plots() {
    std::vector<solver::Plot> plots;
    for (double vr : {1.0, 1.3, 1.6}) {
        solver::Plot p;
        p.step = {{"vr", vr}};
        p.title = solver::stepped_title("synthetic unit", p.step);
        p.name = "DC transfer characteristic";
        p.variables = {{"ge", "notype"}, {"half", "notype"}, {"wh", "notype"}, {"wb", "notype"}, {"i(vd)", "current"}};
        for (double half : {1.0, -1.0})
            for (int k = 0; k <= 20; ++k) {
                double g = kGmin + (kGmax - kGmin) * k / 20;
                double wh = half * (g - kGmin) / (kGmax - kGmin);
                double wb = wh >= 0 ? a_p(vr) * wh / (1 + b_p(vr) * wh) : a_n(vr) * wh / (1 - b_n(vr) * wh);
                p.values.insert(p.values.end(), {g, half, wh, wb, kItsMax * wb});
            }
        plots.push_back(std::move(p));
    }
    return plots;
}

struct Files {
    fs::path raw, csv;
};

const Files& files() {
    static Files f = [] {
        auto plots = stepped_plots();
        Files out{dir() / "unit.raw", dir() / "unit.csv"};
        std::ofstream raw(out.raw, std::ios::binary);
        solver::write_raw(raw, plots, false);
        std::ofstream csv(out.csv);
        std::vector<const solver::Plot*> all;
        for (const auto& p : plots) all.push_back(&p);
        solver::write_csv(csv, all);
        return out;
    }();
    return f;
}

/// The numbers of `key` in JSON text, in order ("A_p": 3.0 → 3.0).
std::vector<double> json_values(const std::string& json, const std::string& key) {
    std::vector<double> v;
    std::regex re("\"" + key + "\": ([-+0-9.eE]+)");
    for (auto it = std::sregex_iterator(json.begin(), json.end(), re); it != std::sregex_iterator(); ++it)
        v.push_back(std::strtod((*it)[1].str().c_str(), nullptr));
    return v;
}

/// The JSON of a fit of the three steps gives each step's a_p, b_p, a_n, b_n to 1e-6.
void check_recovers_parameters(const std::string& json) {
    auto ap = json_values(json, "A_p"), bp = json_values(json, "B_p");
    auto an = json_values(json, "A_n"), bn = json_values(json, "B_n"), vr = json_values(json, "vr");
    REQUIRE(vr.size() == 3);
    REQUIRE(ap.size() == 3);
    REQUIRE(bn.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        CHECK(ap[k] == doctest::Approx(a_p(vr[k])).epsilon(1e-6));
        CHECK(bp[k] == doctest::Approx(b_p(vr[k])).epsilon(1e-6));
        CHECK(an[k] == doctest::Approx(a_n(vr[k])).epsilon(1e-6));
        CHECK(bn[k] == doctest::Approx(b_n(vr[k])).epsilon(1e-6));
    }
}

}  // namespace

TEST_CASE("fit cli: a stepped raw file gives one line per step with its value and the parameters") {
    auto r = fit(files().raw.string() + " --wh wh --wb wb");
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("vr=1 A_p=3±") == 0);
    CHECK(r.out.find("\nvr=1.3 A_p=3.3±") != std::string::npos);
    CHECK(r.out.find("\nvr=1.6 A_p=3.6±") != std::string::npos);
    CHECK(r.out.find("B_n=1.28±") != std::string::npos);
    CHECK(r.out.find("R2=1\n") != std::string::npos);
}

TEST_CASE("fit cli: raw and CSV files give the same fits") {
    const std::string cols = " --ge ge --sign-col half --its 'i(vd)' --itsmax " + std::to_string(kItsMax) + " --json";
    auto raw = fit(files().raw.string() + cols);
    auto csv = fit(files().csv.string() + cols + " --group vr");
    INFO(raw.err << csv.err);
    REQUIRE(raw.status == 0);
    REQUIRE(csv.status == 0);
    // One CSV table holds all steps, without plot names; everything else matches to the last digit.
    std::regex name("\"plot\": \"[^\"]*\", \"plot_index\": [0-9]+, ");
    CHECK(std::regex_replace(raw.out, name, "") == std::regex_replace(csv.out, name, ""));
    auto text_raw = fit(files().raw.string() + " --wh wh --wb wb");
    auto text_csv = fit(files().csv.string() + " --wh wh --wb wb --group vr");
    CHECK(text_raw.out == text_csv.out);
}

TEST_CASE("fit cli: --ge/--its normalisation recovers each step's parameters to 1e-6 (JSON)") {
    auto r = fit(files().csv.string() + " --ge ge --sign-col half --its 'i(vd)' --itsmax " + std::to_string(kItsMax) +
                 " --group vr --json");
    INFO(r.err);
    REQUIRE(r.status == 0);
    check_recovers_parameters(r.out);
    CHECK(json_values(r.out, "A_p_err").size() == 3);
    CHECK(json_values(r.out, "R2").size() == 3);
}

TEST_CASE("fit cli: one sign of data fits one pair, and --sign - flips W_h") {
    auto pos = fit(files().raw.string() + " --ge ge --wb wb --analysis dc");
    // Without --sign-col every W_h is positive: both halves land on one branch and disagree.
    REQUIRE(pos.status == 0);
    CHECK(pos.out.find("A_n") == std::string::npos);
    auto neg = fit(files().raw.string() + " --ge ge --sign - --wb wb");
    REQUIRE(neg.status == 0);
    CHECK(neg.out.find("A_p") == std::string::npos);
    CHECK(neg.out.find("A_n=") != std::string::npos);
}

TEST_CASE("fit cli: an unknown column is an error listing the available ones") {
    auto r = fit(files().raw.string() + " --wh 'v(nowhere)' --wb wb");
    CHECK(r.status == 1);
    CHECK(r.err.find("ionspice fit: error: unknown column 'v(nowhere)'") != std::string::npos);
    CHECK(r.err.find("ge, half, wh, wb, i(vd)") != std::string::npos);
}

TEST_CASE("fit cli: too few points for a form is an error naming the side") {
    fs::path f = dir() / "few.csv";
    std::ofstream(f) << "wh,wb\n-1,-0.7\n-0.5,-0.4\n0,0\n0.5,0.3\n";
    auto r = fit(f.string() + " --wh wh --wb wb");
    CHECK(r.status == 1);
    CHECK(r.err.find("ionspice fit: error: too few points with W_h > 0: 1 (the rational form needs at least 2)") !=
          std::string::npos);
    auto t = fit(f.string() + " --wh wh --wb wb --form ternary");
    CHECK(t.status == 1);
    CHECK(t.err.find("the ternary form needs at least 3") != std::string::npos);
}

TEST_CASE("fit cli: a missing file, non-finite data and contradictory options are clear errors") {
    auto missing = fit((dir() / "nothing.raw").string() + " --wh wh --wb wb");
    CHECK(missing.status == 1);
    CHECK(missing.err.find("ionspice fit: error: cannot open") != std::string::npos);

    fs::path f = dir() / "nan.csv";
    std::ofstream(f) << "wh,wb\n0.5,0.3\n1,nan\n0.7,0.4\n";
    auto nan = fit(f.string() + " --wh wh --wb wb");
    CHECK(nan.status == 1);
    CHECK(nan.err.find("non-finite value (nan) in column 'wb' at point 1") != std::string::npos);

    auto both = fit(files().csv.string() + " --wh wh --ge ge --wb wb");
    CHECK(both.status == 2);
    CHECK(both.err.find("exactly one of --wh COL or --ge COL") != std::string::npos);
    auto no_max = fit(files().csv.string() + " --wh wh --its 'i(vd)'");
    CHECK(no_max.status == 2);
    CHECK(no_max.err.find("--itsmax") != std::string::npos);
}

TEST_CASE("fit cli: --plot draws data, fits and parameters against the step to a PNG") {
    if (!test::gnuplot_installed()) {
        MESSAGE("gnuplot is not installed: --plot not checked (apt-get install gnuplot-nox)");
        return;
    }
    fs::path png = dir() / "fit.png";
    auto r = fit(files().raw.string() + " --wh wh --wb wb --plot " + png.string());
    INFO(r.err);
    REQUIRE(r.status == 0);
    std::string bytes = test::slurp(png);
    REQUIRE(bytes.size() > 1000);
    CHECK(bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
}

namespace {

/// A nested bias sweep as a unit gives it: at each outer bias `vr` the unit's own G_e,min and
/// I_ts,max (columns `gemin`, `itsmax`, as the netlist computes them beside the sweep) differ, and
/// the G_e sweep starts below G_e,min, where the unit has not tipped yet.
fs::path bias_sweep_csv() {
    fs::path f = dir() / "bias_sweep.csv";
    std::ofstream out(f);
    out << "vr,ge,half,gemin,itsmax,i(vd)\n";
    for (double vr : {1.0, 1.3, 1.6}) {
        const double gemin = 1e-6 * vr * vr, itsmax = -1e-5 * (1 + vr);
        for (double half : {1.0, -1.0})
            for (int k = 0; k <= 24; ++k) {
                double g = 0.5e-6 + (kGmax - 0.5e-6) * k / 24;
                double wh = half * (g - gemin) / (kGmax - gemin);
                double wb = wh >= 0 ? a_p(vr) * wh / (1 + b_p(vr) * wh) : a_n(vr) * wh / (1 - b_n(vr) * wh);
                if (g < gemin) wb = 0.01 * half;  // off the transfer curve: must be left out
                out << fmt::format("{},{},{},{},{},{}\n", vr, g, half, gemin, itsmax, itsmax * wb);
            }
    }
    return f;
}

}  // namespace

TEST_CASE("fit cli: per-point --gmin and --itsmax columns normalise each group of a nested sweep with its own") {
    const fs::path f = bias_sweep_csv();
    auto r = fit(f.string() + " --ge ge --sign-col half --gmin gemin --gmax 42u --its 'i(vd)' --itsmax itsmax"
                              " --group vr --json");
    INFO(r.err);
    REQUIRE(r.status == 0);
    check_recovers_parameters(r.out);
    // The points below each group's G_e,min are reported as left out, and no default was used.
    CHECK(r.err.find("8 points with 'ge' below G_min, outside the unit's range, left out (vr=1: 2 of 50, and in 2 more "
                     "fits)") != std::string::npos);
    CHECK(r.err.find("range in each fit") == std::string::npos);
    CHECK(r.err.find("is poor") == std::string::npos);

    // A per-half I_ts,max: the − half's limit given as its own column is used below W_h = 0 only.
    auto halves = fit(f.string() + " --ge ge --sign-col half --gmin gemin --gmax 42u --its 'i(vd)' --itsmax itsmax"
                                   " --itsmax-n 2e-5 --group vr --json");
    REQUIRE(halves.status == 0);
    auto an2 = json_values(halves.out, "A_n"), ap2 = json_values(halves.out, "A_p");
    REQUIRE(an2.size() == 3);
    CHECK(ap2[0] == doctest::Approx(a_p(1.0)).epsilon(1e-6));
    CHECK(an2[0] == doctest::Approx(a_n(1.0) * 2e-5 / 2e-5).epsilon(1e-6));  // vr = 1: |itsmax| = 2e-5 already
    CHECK(an2[2] == doctest::Approx(a_n(1.6) * 2.6e-5 / 2e-5).epsilon(1e-6));
}

TEST_CASE("fit cli: a default normalisation across groups and a poor fit are warned about") {
    const fs::path f = bias_sweep_csv();
    auto r = fit(f.string() + " --ge ge --sign-col half --its 'i(vd)' --itsmax -20u --group vr");
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.err.find("ionspice fit: warning: 3 fits normalised with G_min the 'ge' column's range in each fit") !=
          std::string::npos);
    // Every fit still looks good (R² > 0.998) with parameters up to 20 % off: only the warning tells.
    CHECK(r.err.find("is poor") == std::string::npos);
    // Points the form cannot describe: a poor R² is a warning, the fit is still printed.
    fs::path scatter = dir() / "scatter.csv";
    {
        std::ofstream out(scatter);
        out << "wh,wb\n";
        for (int k = 0; k <= 20; ++k) out << fmt::format("{},{}\n", -1 + 0.1 * k, 0.1 * (-1 + 0.1 * k) + 0.3 * (k % 2));
    }
    auto poor = fit(scatter.string() + " --wh wh --wb wb");
    CHECK(poor.status == 0);
    CHECK(poor.err.find("ionspice fit: warning: R2 = ") != std::string::npos);
    CHECK(poor.err.find("is poor: check G_min and I_ts,max for these points") != std::string::npos);
    auto bad = fit(f.string() + " --ge ge --sign-col half --gmin nowhere --its 'i(vd)' --itsmax -20u --group vr");
    CHECK(bad.status == 1);
    CHECK(bad.err.find("unknown column 'nowhere'") != std::string::npos);
    auto zero = fit(f.string() + " --ge ge --its 'i(vd)' --itsmax 0");
    CHECK(zero.status == 2);
    CHECK(zero.err.find("I_ts,max must be a non-zero number or a column") != std::string::npos);
}
