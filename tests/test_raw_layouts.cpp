// The raw reader on the layouts of other SPICE programs: LTspice's (UTF-16 and UTF-8 headers,
// floats beside doubles, fastaccess, stepped runs, ASCII) and Xyce's (`-r` binary and `-a` ASCII,
// .step plots, SPICE3 names), from the hand-made samples in tests/data/raw/ (make_samples.py
// there says where each layout comes from and writes the values checked here). Binary values
// are checked exactly (a float as the float it was), ASCII ones to the digits printed. Cuts and
// corruptions of every sample are errors naming the file, or fewer plots, never crashes.

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <doctest/doctest.h>

#include "solver/RawReader.hpp"
#include "tests/CommandRun.hpp"
#include "tools/Table.hpp"

namespace fs = std::filesystem;
using namespace ionspice;
using namespace std::string_literals;
using solver::Plot;

namespace {

fs::path sample(const std::string& name) { return fs::path(IONSPICE_SOURCE_DIR) / "tests" / "data" / "raw" / name; }

std::vector<Plot> read(const std::string& name) { return solver::read_raw(sample(name).string()); }

const fs::path& dir() {
    static fs::path d = test::scratch_dir("raw_layouts");
    return d;
}

fs::path write_file(const std::string& name, const std::string& bytes) {
    fs::path p = dir() / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
}

/// A value that LTspice stored as a float: what the file holds.
double fl(double x) { return static_cast<double>(static_cast<float>(x)); }

std::vector<std::string> names(const Plot& p) {
    std::vector<std::string> n;
    for (const auto& v : p.variables) n.push_back(v.name);
    return n;
}

std::vector<std::string> types(const Plot& p) {
    std::vector<std::string> t;
    for (const auto& v : p.variables) t.push_back(v.type);
    return t;
}

/// Variable `var` of the plot over its points (real parts in a complex plot).
std::vector<double> column(const Plot& p, std::size_t var) {
    std::vector<double> c;
    for (std::size_t k = 0; k < p.points(); ++k) c.push_back(p.at(k, var));
    return c;
}

std::vector<std::complex<double>> complex_column(const Plot& p, std::size_t var) {
    std::vector<std::complex<double>> c;
    for (std::size_t k = 0; k < p.points(); ++k) c.push_back(p.complex_at(k, var));
    return c;
}

using Strings = std::vector<std::string>;
using Values = std::vector<double>;
using Complexes = std::vector<std::complex<double>>;

const char* const kSamples[] = {
    "ltspice_tran.raw",       "ltspice_tran_double.raw", "ltspice_op_ac.raw",    "ltspice_fastaccess.raw",
    "ltspice_stepped.raw",    "ltspice_stepped_op.raw",  "ltspice_stepped_ac.raw", "ltspice_ascii.raw",
    "ltspice_ascii_ac.raw",   "xyce_step_tran.raw",      "xyce_step_tran_ascii.raw", "xyce_ac.raw",
    "xyce_ac_ascii.raw",      "xyce_nul.raw",
};

}  // namespace

TEST_CASE("raw layouts: LTspice's binary transient, UTF-16 header: time a double, the rest floats") {
    const auto plots = read("ltspice_tran.raw");
    REQUIRE(plots.size() == 1);
    const Plot& p = plots[0];
    CHECK(p.title == "* C:\\users\\ion\\Documents\\LTspice\\rc.asc");
    CHECK(p.date == "Mon Jan  6 12:00:00 2025");
    CHECK(p.name == "Transient Analysis");
    CHECK(p.analysis == "tran");
    CHECK_FALSE(p.scalar);
    CHECK(p.kind == Plot::Kind::Real);
    // Lower-case names, as ngspice's; LTspice's device_current is a current.
    CHECK(names(p) == Strings{"time", "v(in)", "v(out)", "i(r1)"});
    CHECK(types(p) == Strings{"time", "voltage", "voltage", "current"});
    REQUIRE(p.points() == 4);
    CHECK(column(p, 0) == Values{0.0, 1e-6, 2e-6, 3e-6});  // point 2's time was stored as −2e-6
    CHECK(column(p, 1) == Values{1.0, 1.0, 1.0, 1.0});
    CHECK(column(p, 2) == Values{0.0, 0.5, 0.75, 0.875});
    CHECK(column(p, 3) == Values{fl(1e-3), fl(5e-4), fl(2.5e-4), fl(1.25e-4)});
    CHECK(column(p, 3)[0] != 1e-3);  // the float, not the double it rounds
}

TEST_CASE("raw layouts: LTspice's 'double' flag, with a byte-order mark: every value a double") {
    const auto plots = read("ltspice_tran_double.raw");
    REQUIRE(plots.size() == 1);
    const Plot& p = plots[0];
    CHECK(p.title == "* C:\\users\\ion\\Documents\\LTspice\\rc.asc");
    CHECK(names(p) == Strings{"time", "v(in)", "v(out)", "i(r1)"});
    CHECK(column(p, 0) == Values{0.0, 1e-6, 2e-6, 3e-6});
    CHECK(column(p, 2) == Values{0.0, 0.5, 0.75, 0.875});
    CHECK(column(p, 3) == Values{(1 - 0.0) / 1000, (1 - 0.5) / 1000, (1 - 0.75) / 1000, (1 - 0.875) / 1000});
}

TEST_CASE("raw layouts: two LTspice files concatenated, an .op (first vector a double) and a complex .ac") {
    const auto plots = read("ltspice_op_ac.raw");
    REQUIRE(plots.size() == 2);
    const Plot& op = plots[0];
    CHECK(op.name == "Operating Point");
    CHECK(op.analysis == "op");
    CHECK(op.scalar);
    CHECK(op.kind == Plot::Kind::Real);
    CHECK(names(op) == Strings{"v(in)", "v(out)", "i(r1)"});
    CHECK(op.values == Values{1.0, 0.25, fl(7.5e-4)});
    const Plot& ac = plots[1];
    CHECK(ac.name == "AC Analysis");
    CHECK(ac.analysis == "ac");
    CHECK(ac.is_complex());
    CHECK(names(ac) == Strings{"frequency", "v(in)", "v(out)"});
    CHECK(complex_column(ac, 0) == Complexes{1.0, 10.0, 100.0});
    CHECK(complex_column(ac, 1) == Complexes{1.0, 1.0, 1.0});
    CHECK(complex_column(ac, 2) == Complexes{{0.5, -0.5}, {0.25, -0.125}, {0.0625, -0.03125}});
}

TEST_CASE("raw layouts: LTspice's fastaccess (each variable's points together), UTF-8 header, real and complex") {
    const auto plots = read("ltspice_fastaccess.raw");
    REQUIRE(plots.size() == 2);
    const Plot& tran = plots[0];
    CHECK(tran.analysis == "tran");
    CHECK(names(tran) == Strings{"time", "v(out)", "ix(u1:out)"});
    CHECK(types(tran) == Strings{"time", "voltage", "current"});
    CHECK(column(tran, 0) == Values{0.0, 1e-3, 2e-3});
    CHECK(column(tran, 1) == Values{0.0, 0.5, 0.75});
    CHECK(column(tran, 2) == Values{fl(1e-3), fl(5e-4), fl(2.5e-4)});
    const Plot& ac = plots[1];
    CHECK(ac.is_complex());
    CHECK(complex_column(ac, 0) == Complexes{10.0, 100.0});
    CHECK(complex_column(ac, 1) == Complexes{{0.75, -0.25}, {0.125, -0.375}});
}

TEST_CASE("raw layouts: LTspice's stepped plots become one plot per .step run") {
    SUBCASE("a transient: a run starts again at time 0") {
        const auto plots = read("ltspice_stepped.raw");
        REQUIRE(plots.size() == 2);
        for (const Plot& p : plots) {
            CHECK(p.name == "Transient Analysis");
            CHECK(p.analysis == "tran");
            CHECK(names(p) == Strings{"time", "v(out)"});
            CHECK(p.step.empty());  // the stepped values are in LTspice's .log, not in the raw file
        }
        CHECK(column(plots[0], 0) == Values{0.0, 1e-3, 2e-3});
        CHECK(column(plots[0], 1) == Values{0.0, 0.5, 0.75});
        CHECK(column(plots[1], 0) == Values{0.0, 5e-4, 1e-3, 2e-3});  // 1e-3 stored as −1e-3
        CHECK(column(plots[1], 1) == Values{0.0, 0.25, 0.5, 0.625});
    }
    SUBCASE("an .op: one point per run") {
        const auto plots = read("ltspice_stepped_op.raw");
        REQUIRE(plots.size() == 3);
        CHECK(plots[0].values == Values{0.5, fl(-5e-4)});
        CHECK(plots[1].values == Values{0.25, fl(-7.5e-4)});
        CHECK(plots[2].values == Values{0.125, fl(-8.75e-4)});
        for (const Plot& p : plots) CHECK((p.scalar && p.analysis == "op" && p.points() == 1));
    }
    SUBCASE("an .ac: a run starts again at the first frequency") {
        const auto plots = read("ltspice_stepped_ac.raw");
        REQUIRE(plots.size() == 2);
        CHECK(complex_column(plots[0], 0) == Complexes{10.0, 100.0});
        CHECK(complex_column(plots[0], 1) == Complexes{{0.5, -0.25}, {0.125, -0.0625}});
        CHECK(complex_column(plots[1], 0) == Complexes{10.0, 100.0});
        CHECK(complex_column(plots[1], 1) == Complexes{{0.75, -0.125}, {0.25, -0.5}});
    }
}

TEST_CASE("raw layouts: LTspice's ASCII files, in UTF-16 and in UTF-8 with a byte-order mark") {
    // Two UTF-16 files concatenated: the values are read in place, up to the next header.
    const auto tran = read("ltspice_ascii.raw");
    REQUIRE(tran.size() == 2);
    CHECK(tran[0].analysis == "tran");
    CHECK(names(tran[0]) == Strings{"time", "v(out)", "i(r1)"});
    // As printed: "3.333333e-001" and the like, C's three exponent digits.
    CHECK(column(tran[0], 0) == Values{0.0, 1e-3, 2e-3});
    CHECK(column(tran[0], 1) == Values{0.0, 0.5, 3.333333e-1});
    CHECK(column(tran[0], 2) == Values{1e-3, 5e-4, 2.5e-4});
    CHECK(tran[1].title == "* C:\\users\\j\xC3\xBCrgen\\Documents\\LTspice\\rc.asc");  // UTF-16 to UTF-8
    CHECK(tran[1].analysis == "op");
    CHECK(tran[1].values == Values{1.0, 6.666667e-1});

    const auto ac = read("ltspice_ascii_ac.raw");
    REQUIRE(ac.size() == 1);
    CHECK(ac[0].title == "* C:\\users\\ion\\Documents\\LTspice\\rc.asc");  // no byte-order mark in it
    CHECK(ac[0].is_complex());
    CHECK(complex_column(ac[0], 0) == Complexes{10.0, 100.0});
    CHECK(complex_column(ac[0], 1) == Complexes{{0.5, -0.25}, {1.000000000000000e-1, -3.000000000000000e-1}});
}

TEST_CASE("raw layouts: Xyce's .step plots, binary and ASCII: one title, the steps in the plot names, SPICE3 names") {
    for (const char* name : {"xyce_step_tran.raw", "xyce_step_tran_ascii.raw"}) {
        INFO(std::string(name));
        const auto plots = read(name);
        REQUIRE(plots.size() == 2);
        for (std::size_t s = 0; s < 2; ++s) {
            const Plot& p = plots[s];
            // Title and Date are written once; the second plot keeps them, as ngspice does.
            CHECK(p.title == "xyce rc, stepped");
            CHECK(p.date == "Mon Jan 06 12:00:00 2025");
            CHECK(p.analysis == "tran");
            CHECK_FALSE(p.scalar);
            CHECK(p.kind == Plot::Kind::Real);
            CHECK(names(p) == Strings{"time", "v(1)", "v(out)", "v(x1:mid)", "i(v1)"});
            CHECK(types(p) == Strings{"time", "voltage", "voltage", "voltage", "current"});
            REQUIRE(p.step.size() == 1);
            CHECK(p.step[0].first == "r1");
            CHECK(p.step[0].second == (s == 0 ? 1000.0 : 2000.0));
            CHECK(column(p, 0) == Values{0.0, 1e-3, 2e-3});
            CHECK(column(p, 1) == Values{1.0, 1.0, 1.0});
        }
        CHECK(plots[0].name == "Step Analysis: Step 1 of 2 params:  name = R1 value = 1000  Transient Analysis");
        // The values as written: 8 decimals in the ASCII file, all of them here.
        CHECK(column(plots[0], 2) == Values{0.0, 0.5, 0.75});
        CHECK(column(plots[0], 3) == Values{0.0, 0.25, 0.375});
        CHECK(column(plots[0], 4) == Values{-1e-3, -5e-4, -2.5e-4});
        CHECK(column(plots[1], 2) == Values{0.0, 0.25, 0.4375});
        CHECK(column(plots[1], 4) == Values{-5e-4, -3.75e-4, -2.8125e-4});
    }
}

TEST_CASE("raw layouts: Xyce's .ac files: a real 'DC operating point' plot, then the complex .ac") {
    for (const char* name : {"xyce_ac.raw", "xyce_ac_ascii.raw"}) {
        INFO(std::string(name));
        const auto plots = read(name);
        REQUIRE(plots.size() == 2);
        const Plot& op = plots[0];
        CHECK(op.name == "DC operating point");
        CHECK(op.analysis == "op");
        CHECK(op.scalar);
        CHECK(op.kind == Plot::Kind::Real);
        CHECK(names(op) == Strings{"frequency", "v(in)", "v(out)", "i(v1)"});
        CHECK(op.values == Values{0.0, 1.0, 1.0, 0.0});
        const Plot& ac = plots[1];
        CHECK(ac.title == "xyce rc, stepped");
        CHECK(ac.analysis == "ac");
        CHECK(ac.is_complex());
        CHECK(names(ac) == Strings{"frequency", "v(in)", "v(out)", "i(v1)"});
        CHECK(complex_column(ac, 0) == Complexes{100.0, 1000.0, 10000.0});
        CHECK(complex_column(ac, 1) == Complexes{1.0, 1.0, 1.0});
        CHECK(complex_column(ac, 2) == Complexes{{0.5, -0.5}, {0.25, -0.125}, {0.0625, -0.03125}});
        CHECK(complex_column(ac, 3) == Complexes{{-5e-4, -5e-4}, {-7.5e-4, -1.25e-4}, {-9.375e-4, -3.125e-5}});
    }
}

TEST_CASE("raw layouts: Xyce's binary header as its guide describes it: NUL-ended lines, 'Flags:real', no Date") {
    const auto plots = read("xyce_nul.raw");
    REQUIRE(plots.size() == 1);
    const Plot& p = plots[0];
    CHECK(p.title == "xyce rc");
    CHECK(p.date.empty());
    CHECK(p.analysis == "tran");
    CHECK(p.step.empty());
    CHECK(names(p) == Strings{"time", "v(1)", "v(out)", "v(x1:mid)", "i(v1)"});
    CHECK(column(p, 2) == Values{0.0, 0.5, 0.75});
    CHECK(column(p, 4) == Values{-1e-3, -5e-4, -2.5e-4});
}

TEST_CASE("raw layouts: plot names of Xyce and LTspice give their analyses") {
    CHECK(solver::analysis_of_plotname("DC operating point") == "op");
    CHECK(solver::analysis_of_plotname("Noise Analysis") == "noise");
    CHECK(solver::analysis_of_plotname("Noise Spectral Density - (V/Hz\xC2\xBD or A/Hz\xC2\xBD)") == "noise");
    CHECK(solver::analysis_of_plotname("Step Analysis: Step 2 of 3 params:  name = V_BASE:DCV0 value = 0.7  "
                                       "DC operating point") == "op");
    CHECK(solver::analysis_of_plotname("Step Analysis: Step 1 of 4 params:  name = R1 value = 1e+06  "
                                       "name = C1 value = 1e-09  DC Sweep: Step 1 of 2 params:  name = V1 value = 1  "
                                       "AC Analysis") == "ac");
    CHECK(solver::analysis_of_plotname("Step Analysis: garbled").empty());
}

TEST_CASE("raw layouts: what a reader of raw and CSV files decides by") {
    CHECK(solver::looks_like_raw("Title: x\nDate: y\n"));
    CHECK(solver::looks_like_raw("\n  title: x"));
    CHECK(solver::looks_like_raw("\xEF\xBB\xBFTitle: x"));
    CHECK(solver::looks_like_raw("T\0i\0t\0l\0e\0:\0 \0x\0"s));
    CHECK(solver::looks_like_raw("\xFF\xFET\0i\0t\0l\0e\0:\0"s));
    CHECK_FALSE(solver::looks_like_raw("time,v(out)\n0,1\n"));
    CHECK_FALSE(solver::looks_like_raw(""));
    CHECK_FALSE(solver::looks_like_raw("T"));
    std::string head = test::slurp(sample("ltspice_tran.raw")).substr(0, 64);
    CHECK(solver::looks_like_raw(head));
}

TEST_CASE("raw layouts: LTspice's binary plots are told from ngspice's by Command:, flags and lines") {
    // The same header in ngspice's words reads doubles; LTspice's Command: line makes the
    // variables after the first floats; another program's Command: overrides LTspice's flags.
    auto file = [](const std::string& extra, const std::string& flags, const std::string& data) {
        return "Title: t\nPlotname: Transient Analysis\nFlags: " + flags + "\nNo. Variables: 2\nNo. Points: 1\n" +
               extra + "Variables:\n\t0\ttime\ttime\n\t1\tV(a)\tvoltage\nBinary:\n" + data;
    };
    std::string doubles(16, '\0'), mixed(12, '\0');
    const double t = 1e-3, v = 0.5;
    const float vf = 0.5f;
    std::memcpy(doubles.data(), &t, 8);
    std::memcpy(doubles.data() + 8, &v, 8);
    std::memcpy(mixed.data(), &t, 8);
    std::memcpy(mixed.data() + 8, &vf, 4);
    for (const auto& layout : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"", "real", doubles},
             {"Command: version 39\n", "real forward", doubles},
             {"Command: LTspice 24.0.12 for Windows\n", "real", mixed},
             {"Offset: 0\n", "real", mixed},
             {"", "real forward", mixed},
             {"Command: Linear Technology Corporation LTspice XVII\n", "real forward double", doubles},
         }) {
        // References, not bindings: doctest's INFO is a lambda, and clang 14 cannot capture those.
        const std::string& extra = std::get<0>(layout);
        const std::string& flags = std::get<1>(layout);
        INFO(extra << flags);
        const auto plots = solver::read_raw(write_file("told.raw", file(extra, flags, std::get<2>(layout))).string());
        REQUIRE(plots.size() == 1);
        CHECK(plots[0].values == Values{1e-3, 0.5});
    }
}

TEST_CASE("raw layouts: garbled LTspice and Xyce headers are errors naming the file") {
    auto error_of = [](const std::string& bytes) {
        const fs::path f = write_file("garbled.raw", bytes);
        try {
            solver::read_raw(f.string());
        } catch (const std::runtime_error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    const std::string path = (dir() / "garbled.raw").string();
    auto utf16 = [](const std::string& s) {
        std::string out;
        for (char c : s) out += std::string{c, '\0'};
        return out;
    };
    const std::string head = "Title: t\nPlotname: Transient Analysis\nFlags: real forward\nNo. Variables: 2\n";
    const std::string vars = "Variables:\n\t0\ttime\ttime\n\t1\tV(a)\tvoltage\n";
    for (const auto& [bytes, says] : std::vector<std::pair<std::string, std::string>>{
             // Counts the data cannot hold: no allocation follows them.
             {utf16(head + "No. Points: 99999999999999\n" + vars + "Binary:\n") + std::string(24, 'x'), "truncated"},
             {utf16(head + "No. Points: 2\n" + vars + "Binary:\n") + std::string(23, 'x'), "truncated"},
             {utf16(head + "No. Points: 18446744073709551615\n" + vars + "Values:\n0 1 2\n"), "truncated"},
             {utf16(head + "No. Points: 1\n" + vars + "Values:\n0\t1\n\tx\n"), "bad value 'x'"},
             {utf16(head + "No. Points: 1\nVariables:\n\t0\ttime\n"), "bad variable line"},
             {utf16(head + "No. Points: 1\n" + vars), "the header ends without Binary: or Values:"},
             {utf16("Title: t\n") + "\xD8", "the header ends"},
             {"Title: t\0Plotname: x\0Flags:real\0No. Variables: 1\0No. Points: 9\0"
              "Variables:\0\t0\ttime\ttime\0Binary:\0"s +
                  std::string(8, '\0'),
              "truncated"},
             {"Plotname: Step Analysis: Step 1 of 2 params:  name = R1 value = 1000  Transient Analysis\nFlags: real\n"
              "No. Variables: 1\nNo. Points: x                 \n",
              "bad 'No. Points:' line"},
         }) {
        const std::string e = error_of(bytes);
        INFO(e);
        CHECK(e.find(path) != std::string::npos);
        CHECK(e.find(says) != std::string::npos);
    }
}

TEST_CASE("raw layouts: cuts and corruptions of every sample are errors or fewer plots, never crashes") {
    std::size_t unnamed = 0, other = 0, runs = 0;
    std::string what;
    for (const char* name : kSamples) {
        INFO(std::string(name));
        const std::string good = test::slurp(sample(name));
        const std::size_t whole = solver::read_raw(sample(name).string()).size();
        const bool ascii = std::string(name).find("ascii") != std::string::npos;
        auto attempt = [&](const std::string& bytes, bool cut) {
            const fs::path f = write_file("mutated.raw", bytes);
            ++runs;
            try {
                const auto plots = solver::read_raw(f.string());
                // A binary file cut anywhere but at a plot's end has lost values; ASCII text may
                // lose the end of a number ("1.00000000e-0") and still read.
                if (cut && !ascii) CHECK(plots.size() < whole);
            } catch (const std::runtime_error& e) {
                if (std::string(e.what()).find(f.string()) == std::string::npos) ++unnamed, what = e.what();
            } catch (...) {
                ++other;
            }
        };
        // A hundred cuts spread over the file (every cut of every sample would take seconds of
        // file writes; tests/fuzz's fuzz_readers starts from these samples).
        for (std::size_t k = 0; k < 100; ++k) attempt(good.substr(0, 1 + k * (good.size() - 1) / 100), true);
        // Bytes set to values that make headers and data say other things: digits, NUL, minus,
        // newline, 0xFF (a NaN's or a byte-order mark's byte).
        std::uint32_t state = 12345;
        for (int k = 0; k < 150; ++k) {
            state = state * 1664525u + 1013904223u;
            std::string bad = good;
            const std::size_t at = (state >> 8) % bad.size();
            bad[at] = "9\0-\n\xFF:0"[(state >> 4) % 7];
            attempt(bad, false);
        }
    }
    INFO(what);
    CHECK(runs == 14 * 250);
    CHECK(unnamed == 0);
    CHECK(other == 0);
}

TEST_CASE("raw layouts: fit and plot read LTspice's UTF-16 files and Xyce's steps as raw files") {
    const fs::path dir = fs::path(IONSPICE_SOURCE_DIR) / "tests" / "data" / "raw";
    // read_table decides raw or CSV from the first bytes: a UTF-16 "Title:" is a raw file.
    auto lt = tools::read_table((dir / "ltspice_tran.raw").string());
    REQUIRE(lt.size() == 1);
    CHECK(lt[0].find("v(out)") >= 0);
    auto xyce = tools::read_table((dir / "xyce_step_tran.raw").string());
    CHECK(xyce.size() == 2);
    const fs::path scratch = test::scratch_dir("raw_layouts_cli");
    auto r = test::run_ionspice(scratch, "fit " + (dir / "ltspice_tran.raw").string() + " --wh 'v(in)' --wb 'v(out)'");
    CHECK(r.err.find("is not a number") == std::string::npos);
    CHECK(r.err.find("line") == std::string::npos);  // not read as CSV
}
