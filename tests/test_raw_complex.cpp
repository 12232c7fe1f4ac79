// The complex (AC) data path of the output layer in ngspice's layouts: raw files written and read
// back (binary bit for bit, ASCII to 1e-15), ngspice 39's own files read (batch mode and the
// `write` command, tests/golden/complex_*), our files loaded by ngspice, CSV columns, derived
// columns and tables (.print ac), the plot and fit commands on AC plots, and garbled files.

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "solver/OutputWriters.hpp"
#include "solver/RawReader.hpp"
#include "tests/CommandRun.hpp"

namespace fs = std::filesystem;
using namespace ionspice;
using solver::Plot;

namespace {

const fs::path& dir() {
    static fs::path d = test::scratch_dir("raw_complex");
    return d;
}

fs::path golden(const std::string& name) { return fs::path(IONSPICE_SOURCE_DIR) / "tests" / "golden" / name; }

/// |a − b| ≤ rel·|b|: relative, without doctest::Approx's absolute floor of `epsilon`.
bool close(double a, double b, double rel) { return std::fabs(a - b) <= rel * std::fabs(b); }

constexpr double kR = 1e3;
constexpr double kC = 159.15494309189535e-9;  // RC = 1/(2π·1 kHz), as in tests/golden/complex_rc_ac.cir

/// The RC low-pass's transfer function 1/(1 + jωRC).
std::complex<double> lowpass(double f) { return 1.0 / std::complex<double>(1.0, 2 * std::numbers::pi * f * kR * kC); }

/// An AC plot as the .ac analysis makes it: frequency (imaginary part 0), v(in) = 1, v(out) of
/// the low-pass, i(v1) = −(v(in) − v(out))/R (ngspice's sign). `log`: 10 points a decade from
/// 1 Hz; otherwise a lin sweep.
Plot rc_plot(std::size_t points, bool log = true) {
    Plot p;
    p.title = "rc low-pass";
    p.name = "AC Analysis";
    p.analysis = "ac";
    p.date = "Thu Dec  3 10:13:44  2026";
    p.kind = Plot::Kind::Complex;
    p.variables = {{"frequency", "frequency"}, {"v(in)", "voltage"}, {"v(out)", "voltage"}, {"i(v1)", "current"}};
    for (std::size_t k = 0; k < points; ++k) {
        const double f = log ? std::pow(10.0, static_cast<double>(k) / 10.0) : 1.0 + 250.0 * static_cast<double>(k);
        const auto h = lowpass(f);
        for (auto x : {std::complex<double>(f, 0.0), std::complex<double>(1.0, 0.0), h, -(1.0 - h) / kR}) {
            p.values.push_back(x.real());
            p.values.push_back(x.imag());
        }
    }
    return p;
}

Plot op_plot() {
    Plot p;
    p.title = "rc low-pass";
    p.name = "Operating Point";
    p.analysis = "op";
    p.scalar = true;
    p.date = "Thu Dec  3 10:13:44  2026";
    p.variables = {{"v(in)", "voltage"}, {"v(out)", "voltage"}, {"i(v1)", "current"}};
    p.values = {1.25, -3.5e-7, -0.0};
    return p;
}

fs::path write_file(const std::string& name, const std::string& bytes) {
    fs::path p = dir() / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
}

fs::path write_raw_file(const std::string& name, const std::vector<Plot>& plots, bool ascii) {
    std::ostringstream out;
    solver::write_raw(out, plots, ascii);
    return write_file(name, out.str());
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

void check_header(const Plot& got, const Plot& want) {
    CHECK(got.title == want.title);
    CHECK(got.name == want.name);
    CHECK(got.date == want.date);
    CHECK(got.kind == want.kind);
    CHECK(got.analysis == want.analysis);
    REQUIRE(got.variables.size() == want.variables.size());
    for (std::size_t v = 0; v < want.variables.size(); ++v) {
        CHECK(got.variables[v].name == want.variables[v].name);
        CHECK(got.variables[v].type == want.variables[v].type);
    }
}

/// v(out) of an RC low-pass plot against 1/(1 + jωRC), and the other vectors of the deck.
void check_lowpass(const Plot& p, std::size_t points) {
    REQUIRE(p.is_complex());
    CHECK(p.analysis == "ac");
    REQUIRE(p.points() == points);
    const int out = p.find("v(out)"), in = p.find("v(in)");  // v(in) when the file has it
    REQUIRE(out > 0);
    double worst = 0;
    for (std::size_t k = 0; k < p.points(); ++k) {
        const double f = p.at(k, 0);
        const auto want = lowpass(f);
        worst = std::max(worst, std::abs(p.complex_at(k, static_cast<std::size_t>(out)) - want) / std::abs(want));
        if (in > 0) CHECK(p.complex_at(k, static_cast<std::size_t>(in)) == std::complex<double>(1.0, 0.0));
    }
    CHECK(worst <= 1e-6);
    // A decade sweep from 1 Hz to 1 MHz, 10 points a decade (of 61), 2 (of 13).
    const double per_decade = static_cast<double>(points - 1) / 6.0;
    for (std::size_t k = 0; k < p.points(); ++k)
        CHECK(close(p.at(k, 0), std::pow(10.0, static_cast<double>(k) / per_decade), 1e-12));
}

bool ngspice_installed() { return std::system("command -v ngspice >/dev/null 2>&1") == 0; }

/// Runs `ngspice -b` on a deck of nothing but a .control block; its stdout and stderr.
std::string run_ngspice(const std::string& name, const std::string& control) {
    fs::path deck = write_file(name + ".cir", "* " + name + "\n.control\n" + control + "quit 0\n.endc\n.end\n");
    fs::path log = dir() / (name + ".log");
    std::string cmd = "cd " + dir().string() + " && ngspice -b " + deck.string() + " >" + log.string() + " 2>&1";
    int rc = std::system(cmd.c_str());
    std::string text = test::slurp(log);
    INFO(text);
    CHECK(rc == 0);
    return text;
}

/// The rows ngspice's print writes for two vectors: "index<TAB>a<TAB>b".
std::vector<std::array<double, 2>> printed_rows(const std::string& text) {
    std::vector<std::array<double, 2>> rows;
    static const std::regex row(R"(^(\d+)\t(\S+)\t(\S+)\s*$)");
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::smatch m;
        if (!std::regex_match(line, m, row)) continue;
        if (std::stoul(m[1]) != rows.size()) break;  // a second print starts again at 0
        rows.push_back({std::stod(m[2]), std::stod(m[3])});
    }
    return rows;
}

std::string error_of(const fs::path& file) {
    try {
        solver::read_raw(file.string());
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("raw complex: a complex plot round-trips through the binary raw file bit for bit") {
    Plot ac = rc_plot(61);
    // Values that text would not keep: a negative zero, a subnormal, the largest double.
    ac.values[3] = -0.0;
    ac.values[5] = 4.9406564584124654e-324;
    ac.values[7] = 1.7976931348623157e308;
    const Plot op = op_plot();
    fs::path file = write_raw_file("roundtrip.bin.raw", {ac, op, ac}, false);
    const std::string text = test::slurp(file);
    CHECK(text.find("Plotname: AC Analysis\nFlags: complex\nNo. Variables: 4\nNo. Points: 61      \n") !=
          std::string::npos);
    CHECK(text.find("Variables:\n\t0\tfrequency\tfrequency\tgrid=3\n\t1\tv(in)\tvoltage\n") != std::string::npos);
    CHECK(text.find("Flags: real\n") != std::string::npos);
    // Each complex value takes 16 bytes, (re, im): 61 points × 4 vectors, then the next plot.
    const std::size_t data = text.find("Binary:\n") + 8;
    CHECK(text.compare(data + 61 * 4 * 16, 21, "Title: rc low-pass\nDa") == 0);
    double second = 0;
    std::memcpy(&second, text.data() + data + 5 * 8, 8);  // point 0's v(out), imaginary part
    CHECK(second == ac.values[5]);

    auto plots = solver::read_raw(file.string());
    REQUIRE(plots.size() == 3);
    check_header(plots[0], ac);
    check_header(plots[1], op);
    check_header(plots[2], ac);
    CHECK(same_bits(plots[0].values, ac.values));
    CHECK(same_bits(plots[1].values, op.values));
    CHECK(same_bits(plots[2].values, ac.values));
    CHECK(plots[1].kind == Plot::Kind::Real);
}

TEST_CASE("raw complex: ASCII raw files hold complex values as re,im and read back to 1e-15") {
    const Plot ac = rc_plot(61);
    fs::path file = write_raw_file("roundtrip.asc.raw", {op_plot(), ac}, true);
    const std::string text = test::slurp(file);
    // ngspice's batch layout: the point's number and two tabs, then one value a line.
    CHECK(text.find("Values:\n0\t\t1.000000000000000e+00,0.000000000000000e+00\n"
                    "\t1.000000000000000e+00,0.000000000000000e+00\n"
                    "\t9.999990000010001e-01,-9.999990000010002e-04\n") != std::string::npos);
    CHECK(text.find("\t0\tfrequency\tfrequency\tgrid=3\n") != std::string::npos);

    auto plots = solver::read_raw(file.string());
    REQUIRE(plots.size() == 2);
    check_header(plots[0], op_plot());
    check_header(plots[1], ac);
    REQUIRE(plots[1].values.size() == ac.values.size());
    double worst = 0;
    for (std::size_t k = 0; k < ac.values.size(); ++k)
        if (ac.values[k] != 0) worst = std::max(worst, std::fabs(plots[1].values[k] / ac.values[k] - 1));
        else CHECK(plots[1].values[k] == 0);
    CHECK(worst <= 1e-15);
    CHECK(plots[0].values == op_plot().values);
}

TEST_CASE("raw complex: grid=3 marks log-spaced frequencies only, as ngspice marks dec and oct sweeps") {
    auto header = [](const Plot& p) {
        std::ostringstream out;
        solver::write_raw(out, {p}, true);
        return out.str();
    };
    CHECK(header(rc_plot(13)).find("\t0\tfrequency\tfrequency\tgrid=3\n") != std::string::npos);
    // ngspice writes nothing after a lin sweep's scale (checked with ngspice 39's `.ac lin`).
    CHECK(header(rc_plot(13, false)).find("\t0\tfrequency\tfrequency\n") != std::string::npos);
    CHECK(header(rc_plot(13, false)).find("grid") == std::string::npos);
    CHECK(header(rc_plot(2)).find("grid") == std::string::npos);  // two points: either; ngspice's default
    Plot oct = rc_plot(0);
    for (double f : {1.0, 2.0, 4.0, 8.0})
        for (double x : {f, 0.0, 1.0, 0.0, 0.5, -0.5, 0.0, 0.0}) oct.values.push_back(x);
    CHECK(header(oct).find("grid=3") != std::string::npos);
    // ngspice marks a .noise dec sweep's frequency too, in a real plot; a time scale never.
    Plot noise;
    noise.name = "Noise Spectral Density Curves";
    noise.variables = {{"frequency", "frequency"}, {"onoise_spectrum", "notype"}};
    noise.values = {1, 4e-9, 10, 4e-9, 100, 3e-9};
    CHECK(header(noise).find("\t0\tfrequency\tfrequency\tgrid=3\n") != std::string::npos);
    noise.variables[0] = {"time", "time"};
    CHECK(header(noise).find("grid") == std::string::npos);
}

TEST_CASE("raw complex: ngspice 39's AC raw files (batch mode, ASCII and binary) hold the RC low-pass") {
    for (const char* name : {"complex_rc_ac.ngspice.raw", "complex_rc_ac.ngspice.bin.raw"}) {
        INFO(std::string(name));
        auto plots = solver::read_raw(golden(name).string());
        REQUIRE(plots.size() == 1);
        const Plot& p = plots[0];
        CHECK(p.name == "AC Analysis");
        CHECK(p.title == "rc low-pass, corner at 1 khz, swept 1 hz to 1 mhz in decades");
        REQUIRE(p.variables.size() == 4);
        CHECK(p.variables[0].name == "frequency");
        CHECK(p.variables[0].type == "frequency");
        CHECK(p.variables[3].name == "i(v1)");
        check_lowpass(p, 61);
        // ngspice's source current: −(1 − H)/R.
        for (std::size_t k = 0; k < p.points(); ++k) {
            const auto want = -(1.0 - lowpass(p.at(k, 0))) / kR;
            CHECK(std::abs(p.complex_at(k, 3) - want) <= 1e-6 * std::abs(want));
        }
    }
    // Both files hold the same numbers: the ASCII one to its 16 digits.
    auto a = solver::read_raw(golden("complex_rc_ac.ngspice.raw").string())[0];
    auto b = solver::read_raw(golden("complex_rc_ac.ngspice.bin.raw").string())[0];
    REQUIRE(a.values.size() == b.values.size());
    for (std::size_t k = 0; k < a.values.size(); k += 2)  // real parts (ngspice leaves the scale's imaginary unset)
        CHECK(close(a.values[k], b.values[k], 1e-15));
}

TEST_CASE("raw complex: ngspice's write command's files: padded and unpadded, dims=, two plots of both kinds") {
    for (const char* name : {"complex_write.ngspice.raw", "complex_write.ngspice.bin.raw"}) {
        INFO(std::string(name));
        auto plots = solver::read_raw(golden(name).string());
        REQUIRE(plots.size() == 2);
        const Plot& ac = plots[0];
        check_lowpass(ac, 13);
        REQUIRE(ac.variables.size() == 4);
        CHECK(ac.variables[2].name == "gain");
        CHECK(ac.variables[2].type == "decibel");
        CHECK(ac.variables[3].name == "short");
        // let gain = db(v(out)): real, so its imaginary parts are 0.
        for (std::size_t k = 0; k < ac.points(); ++k) {
            CHECK(close(ac.complex_at(k, 2).real(), 20 * std::log10(std::abs(ac.complex_at(k, 1))), 1e-9));
            CHECK(ac.complex_at(k, 2).imag() == 0);
            // let short = vector(3): 0, 1, 2 and zeros after (padded in ASCII, left out in binary).
            CHECK(ac.complex_at(k, 3) == std::complex<double>(k < 3 ? static_cast<double>(k) : 0.0, 0.0));
        }
        const Plot& op = plots[1];
        CHECK(op.name == "Operating Point");
        CHECK(op.analysis == "op");
        CHECK(op.kind == Plot::Kind::Real);
        CHECK(op.points() == 1);
        CHECK(op.find("i(v1)") == 2);
    }
    // The unpadded binary file holds 3 values of "short", not 13: were they read as padded, the
    // data would run out (or the .op plot's header be read as numbers).
    const std::string bin = test::slurp(golden("complex_write.ngspice.bin.raw"));
    CHECK(bin.find("Flags: complex unpadded\n") != std::string::npos);
}

TEST_CASE("raw complex: extra header lines, variable attributes and flags of other writers are read") {
    // ngspice's reader takes the first variable on the Variables: line, Command:/Option:/
    // Dimensions: lines, min= max= color= plot= attributes and a leading point number with a blank.
    const std::string text =
        "Title: hand made\nDate: today\nPlotname: Transfer Function\nFlags: real padded\nNo. Variables: 2\n"
        "No. Points: 2\nDimensions: 2\nCommand: version 39\nOption: temp = 27\nSomething: else\n"
        "Variables: 0\tsweep\tnotype min=0 max=1 color=red\n\t1\tv(out)\tvoltage plot=1 grid=2\n"
        "Values:\n 0\t0.5\n\t+1.5e+00\n\n 1\t-2\n\t3\n\n"
        "Plotname: Noise Spectral Density Curves\nFlags: complex padded\nNo. Variables: 2\nNo. Points: 1\n"
        "Variables:\n\t0\tfrequency\tfrequency\n\t1\t2\tvoltage\nValues:\n0\t1e3,0\n\t-1.5e-3 , 2.5e-3\n";
    auto plots = solver::read_raw(write_file("extra.raw", text).string());
    REQUIRE(plots.size() == 2);
    CHECK(plots[0].analysis == "tf");
    CHECK(plots[0].kind == Plot::Kind::Real);
    CHECK(plots[0].values == std::vector<double>{0.5, 1.5, -2, 3});
    CHECK(plots[0].variables[0].name == "sweep");
    CHECK(plots[1].title == "hand made");  // ngspice keeps a title for the plots after it
    CHECK(plots[1].analysis == "noise");
    CHECK(plots[1].is_complex());
    CHECK(plots[1].variables[1].name == "v(2)");  // a node number, named as ngspice names it
    CHECK(plots[1].complex_at(0, 1) == std::complex<double>(-1.5e-3, 2.5e-3));

    CHECK(solver::analysis_of_plotname("Operating Point") == "op");
    CHECK(solver::analysis_of_plotname("DC transfer characteristic") == "dc");
    CHECK(solver::analysis_of_plotname("Transient Analysis") == "tran");
    CHECK(solver::analysis_of_plotname("AC Analysis") == "ac");
    CHECK(solver::analysis_of_plotname("Integrated Noise") == "noise");
    CHECK(solver::analysis_of_plotname("Pole-Zero Analysis") == "pz");
    CHECK(solver::analysis_of_plotname("Distortion - 2nd harmonic").empty());
}

TEST_CASE("raw complex: truncated and garbled files are errors naming the file, never crashes") {
    std::ostringstream out;
    solver::write_raw(out, {rc_plot(4), op_plot()}, false);
    const std::string good = out.str();
    const std::size_t boundary = good.find("Title:", 1);
    REQUIRE(boundary != std::string::npos);
    // Every cut of a binary file: at the plot boundary a valid (shorter) file, anything else an
    // error that names the file.
    std::size_t errors = 0, unnamed = 0;
    std::string what;
    for (std::size_t n = 1; n < good.size(); ++n) {
        fs::path cut = write_file("cut.raw", good.substr(0, n));
        try {
            auto plots = solver::read_raw(cut.string());
            INFO("cut at " << n);
            CHECK(n == boundary);
            CHECK(plots.size() == 1);
        } catch (const std::runtime_error& e) {
            ++errors;
            if (std::string(e.what()).find(cut.string()) == std::string::npos) ++unnamed, what = e.what();
        }
    }
    CHECK(errors == good.size() - 2);
    INFO(what);
    CHECK(unnamed == 0);

    std::ostringstream asc;
    solver::write_raw(asc, {rc_plot(3)}, true);
    const std::string a = asc.str();
    auto garbled = [&](const std::string& from, const std::string& to) {
        std::string s = a;
        const auto at = s.find(from);
        REQUIRE(at != std::string::npos);
        s.replace(at, from.size(), to);
        return error_of(write_file("garbled.raw", s));
    };
    const std::string path = (dir() / "garbled.raw").string();
    for (const auto& change : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"-9.999990000010002e-04", "-9.99999000001x002e-04", "bad value '-9.99999000001x002e-04'"},
             {",-9.999990000010002e-04", "", "a complex value 're,im' wanted"},
             {"\n1\t\t", "\n7\t\t", "'7' where the point's number belongs"},
             {"No. Points: 3", "No. Points: 4", "the values end early"},
             {"No. Points: 3", "No. Points: 99999999999999", "truncated"},
             {"No. Points: 3", "No. Points: three", "bad 'No. Points:' line"},
             {"No. Variables: 4", "No. Variables: 5", "5 variables announced, 4 listed"},
             {"No. Variables: 4", "No. Variables: 0", "no variables"},
             {"\t1\tv(in)\tvoltage", "\t1\tv(in)", "bad variable line"},
             {"Values:", "Velues:", "unexpected line '0"},
             {"Values:\n", "", "unexpected line '0"},
             {"Flags: complex\n", "Flags: complex\nthis is no header line\n", "unexpected line"},
         }) {
        // References, not bindings: doctest's INFO is a lambda, and clang 14 cannot capture those.
        const std::string& from = std::get<0>(change);
        const std::string& to = std::get<1>(change);
        const std::string& says = std::get<2>(change);
        const std::string e = garbled(from, to);
        INFO(from << " -> " << to << ": " << e);
        CHECK(e.find(path) != std::string::npos);
        CHECK(e.find(says) != std::string::npos);
    }
    const std::string missing = error_of(dir() / "no-such.raw");
    CHECK(missing.find("cannot open raw file") != std::string::npos);
}

TEST_CASE("raw complex: a complex raw file of ours loads in ngspice 39 with the same numbers") {
    if (!ngspice_installed()) {
        MESSAGE("ngspice is not on PATH: loading our raw files in ngspice not checked (apt-get install ngspice)");
        return;
    }
    const Plot ac = rc_plot(61);
    for (bool ascii : {false, true}) {
        const std::string kind = ascii ? "asc" : "bin";
        INFO(kind);
        fs::path raw = write_raw_file("ours." + kind + ".raw", {ac}, ascii);
        const std::string text = run_ngspice("load_" + kind, "load " + raw.string() +
                                                                 "\ndisplay\nprint mag(v(out)) ph(v(out))\n"
                                                                 "set filetype=ascii\nwrite back_" + kind + ".raw\n");
        INFO(text);
        // ngspice saw a complex AC plot on a log grid.
        CHECK(text.find("frequency           : frequency, complex, 61 long, grid = xlog") != std::string::npos);
        CHECK(text.find("v(out)              : voltage, complex, 61 long") != std::string::npos);
        // What it prints (7 and 6 significant digits) is the low-pass's magnitude and phase.
        auto rows = printed_rows(text);
        REQUIRE(rows.size() == 61);
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const auto h = lowpass(ac.at(k, 0));
            CHECK(close(rows[k][0], std::abs(h), 1e-6));
            CHECK(close(rows[k][1], std::arg(h), 1e-5));
        }
        // And what it writes back holds every value of ours to its 16 digits.
        auto back = solver::read_raw((dir() / ("back_" + kind + ".raw")).string());
        REQUIRE(back.size() == 1);
        REQUIRE(back[0].is_complex());
        REQUIRE(back[0].points() == 61);
        for (const auto& var : ac.variables) {
            const int v = back[0].find(var.name);
            REQUIRE(v >= 0);
            for (std::size_t k = 0; k < 61; ++k) {
                const auto want = ac.complex_at(k, static_cast<std::size_t>(ac.find(var.name)));
                CHECK(std::abs(back[0].complex_at(k, static_cast<std::size_t>(v)) - want) <= 1e-15 * std::abs(want));
            }
        }
    }
}

TEST_CASE("raw complex: CSV files hold a complex plot's scale as one column, each vector as re() and im()") {
    const Plot ac = rc_plot(5);
    std::ostringstream out;
    solver::write_csv(out, ac);
    std::istringstream in(out.str());
    std::string header, line;
    std::getline(in, header);
    CHECK(header == "frequency,re(v(in)),im(v(in)),re(v(out)),im(v(out)),re(i(v1)),im(i(v1))");
    std::size_t row = 0;
    while (std::getline(in, line)) {
        std::vector<double> cells;
        std::istringstream ls(line);
        std::string cell;
        while (std::getline(ls, cell, ',')) cells.push_back(std::stod(cell));
        REQUIRE(cells.size() == 7);
        CHECK(cells[0] == ac.at(row, 0));  // full precision: shortest round-trip formatting
        for (std::size_t v = 1; v < 4; ++v) {
            CHECK(cells[2 * v - 1] == ac.complex_at(row, v).real());
            CHECK(cells[2 * v] == ac.complex_at(row, v).imag());
        }
        ++row;
    }
    CHECK(row == 5);

    // Stepped: the step's columns first, then the same columns, one header.
    Plot a = rc_plot(2), b = rc_plot(2);
    a.step = {{"r", 1000}};
    b.step = {{"r", 2000}};
    std::ostringstream stepped;
    solver::write_csv(stepped, std::vector<const Plot*>{&a, &b});
    const std::string s = stepped.str();
    CHECK(s.starts_with("r,frequency,re(v(in)),im(v(in)),re(v(out)),im(v(out)),re(i(v1)),im(i(v1))\n1000,1,1,0,"));
    CHECK(s.find("\n2000,1.2589254117941673,1,0,") != std::string::npos);
    CHECK(std::count(s.begin(), s.end(), '\n') == 5);
    // A real and a complex plot make no one table.
    Plot real = op_plot();
    real.variables = a.variables;
    real.values.assign(4, 1.0);
    real.step = a.step;
    std::ostringstream mixed;
    CHECK_THROWS_AS(solver::write_csv(mixed, std::vector<const Plot*>{&a, &real}), std::runtime_error);
}

TEST_CASE("raw complex: derived columns are ngspice's magnitude, phase (radians), dB, real and imaginary parts") {
    const Plot ac = rc_plot(61);
    const auto m = solver::derived_column(ac, 2, "m");
    const auto p = solver::derived_column(ac, 2, "p");
    const auto db = solver::derived_column(ac, 2, "db");
    const auto r = solver::derived_column(ac, 2, "r");
    const auto i = solver::derived_column(ac, 2, "i");
    REQUIRE(m.size() == 61);
    for (std::size_t k = 0; k < 61; ++k) {
        const double re = ac.values[(k * 4 + 2) * 2], im = ac.values[(k * 4 + 2) * 2 + 1];
        CHECK(close(m[k], std::hypot(re, im), 1e-15));
        CHECK(close(m[k], std::abs(ac.complex_at(k, 2)), 1e-15));
        CHECK(close(p[k], std::atan2(im, re), 1e-15));
        CHECK(close(p[k], std::arg(ac.complex_at(k, 2)), 1e-15));
        CHECK(std::fabs(db[k] - 10 * std::log10(re * re + im * im)) <= 1e-12);  // dB: absolute
        CHECK(r[k] == re);
        CHECK(i[k] == im);
    }
    // At the corner (1 kHz, point 30): |H| = 1/√2, −3.01 dB, −π/4 — ngspice prints vp in radians.
    CHECK(close(m[30], std::sqrt(0.5), 1e-12));
    CHECK(close(db[30], -3.0102999566398, 1e-12));
    CHECK(close(p[30], -std::numbers::pi / 4, 1e-12));
    // Of a real plot: |x| and the sign as a phase of 0 or π.
    const auto rm = solver::derived_column(op_plot(), 1, solver::VectorFn::Mag);
    const auto rp = solver::derived_column(op_plot(), 1, solver::VectorFn::Phase);
    CHECK(rm == std::vector<double>{3.5e-7});
    CHECK(close(rp[0], std::numbers::pi, 1e-15));
    CHECK(solver::parse_vector_fn("DB") == solver::VectorFn::Db);
    CHECK(solver::parse_vector_fn("mag") == solver::VectorFn::Mag);
    CHECK(!solver::parse_vector_fn("x"));
    CHECK_THROWS_AS(solver::derived_column(ac, 2, "q"), std::invalid_argument);
    CHECK_THROWS_AS(solver::derived_column(ac, 4, "m"), std::invalid_argument);
    CHECK(solver::derived_name("v(out)", "db") == "vdb(out)");
    CHECK(solver::derived_name("i(v1)", "p") == "ip(v1)");
    CHECK(solver::derived_name("x(n1)", "m") == "mag(x(n1))");
}

TEST_CASE("raw complex: .print ac tables: the scale real, a complex vector as re, im, derived columns by name") {
    const Plot ac = rc_plot(31);
    std::ostringstream out;
    const std::vector<solver::PrintColumn> columns{{0, "", ""}, {2, "", ""}, {2, "db", ""}, {2, "p", "ph"}};
    solver::print_table(out, ac, columns);
    std::istringstream in(out.str());
    std::string header;
    std::getline(in, header);
    CHECK(header == fmt::format("{:>5} {:>15} {:>32} {:>15} {:>15}", "index", "frequency", "v(out)", "vdb(out)", "ph"));
    std::string line;
    std::size_t rows = 0;
    while (std::getline(in, line)) {
        double f = 0, re = 0, im = 0, db = 0, ph = 0;
        std::size_t index = 0;
        char comma = 0;
        std::istringstream ls(line);
        REQUIRE((ls >> index >> f >> re >> comma >> im >> db >> ph));
        CHECK(comma == ',');
        CHECK(index == rows);
        const auto h = lowpass(ac.at(rows, 0));
        CHECK(close(f, ac.at(rows, 0), 1e-8));
        CHECK(close(re, h.real(), 1e-8));
        CHECK(close(im, h.imag(), 1e-8));
        CHECK(close(db, 20 * std::log10(std::abs(h)), 1e-8));
        CHECK(close(ph, std::arg(h), 1e-8));
        ++rows;
    }
    CHECK(rows == 31);
    // The real signature prints a complex plot's vectors as they are, too.
    std::ostringstream plain;
    solver::print_table(plain, ac, std::vector<int>{0, 3});
    CHECK(plain.str().find("    0  1.00000000e+00 -9.99999000e-10, -9.99999000e-07\n") != std::string::npos);
    std::ostringstream bad;
    const std::vector<solver::PrintColumn> unknown{{2, "q", ""}};
    CHECK_THROWS_AS(solver::print_table(bad, ac, unknown), std::invalid_argument);
    CHECK(bad.str().empty());
}

TEST_CASE("raw complex: ionspice plot draws an AC plot's magnitude, dB and phase against frequency") {
    if (!test::gnuplot_installed()) {
        MESSAGE("gnuplot is not installed: figures not checked (apt-get install gnuplot-nox)");
        return;
    }
    fs::path raw = write_raw_file("plot.raw", {op_plot(), rc_plot(61)}, false);
    auto svg_of = [&](const std::string& args) {
        fs::path svg = dir() / "ac.svg";
        fs::remove(svg);
        auto r = test::run_ionspice(dir(), "plot " + raw.string() + " " + args + " -o " + svg.string());
        INFO(args << ": " << r.err);
        CHECK(r.status == 0);
        return test::slurp(svg);
    };
    // gnuplot's autoscaled y ticks show what was drawn: |H| from 0 to 1, dB to −60, phase to −π/2.
    const std::string mag = svg_of("'v(out)' --logx");
    CHECK(mag.find("|v(out)| (V)") != std::string::npos);
    CHECK(mag.find("frequency (Hz)") != std::string::npos);
    CHECK(mag.find(">-60<") == std::string::npos);
    const std::string db = svg_of("'vdb(out)' --logx");
    CHECK(db.find("vdb(out) (dB)") != std::string::npos);
    CHECK(db.find(">-60<") != std::string::npos);
    CHECK(svg_of("'db(v(out))' --logx").find(">-60<") != std::string::npos);
    const std::string ph = svg_of("'vp(out)' 'ph(v(in))' --logx");
    CHECK(ph.find("phase (rad)") != std::string::npos);
    CHECK(ph.find(">-1.6<") != std::string::npos);
    CHECK(ph.find(">-60<") == std::string::npos);
    const std::string parts = svg_of("'vr(out)' 'imag(v(out))' 'im(v1)' --analysis ac");
    CHECK(parts.find("vr(out)") != std::string::npos);
    CHECK(parts.find("imag(v(out))") != std::string::npos);

    auto r = test::run_ionspice(dir(), "plot " + raw.string() + " 'vdb(nowhere)' -o " + (dir() / "x.svg").string());
    CHECK(r.status == 1);
    CHECK(r.err.find("unknown column 'vdb(nowhere)'") != std::string::npos);
}

TEST_CASE("raw complex: ionspice fit leaves AC plots out and says so when nothing else holds the columns") {
    fs::path raw = write_raw_file("fit.raw", {rc_plot(61)}, false);
    auto r = test::run_ionspice(dir(), "fit " + raw.string() + " --wh 'v(out)' --wb 'v(in)'");
    CHECK(r.status == 1);
    CHECK(r.err.find("only complex (AC) plots hold these columns") != std::string::npos);
}
