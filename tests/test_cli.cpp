// The command line end to end: exit status, diagnostics, raw/CSV files, atomic writes.

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include "tests/CommandRun.hpp"

namespace fs = std::filesystem;

namespace {

using Run = ionspice::test::CommandRun;
using ionspice::test::slurp;

const ionspice::test::Sandbox sandbox("cli");
fs::path scratch() { return sandbox.dir(); }
fs::path write(const std::string& name, const std::string& text) { return sandbox.write(name, text); }
Run run(const std::string& args) { return sandbox.run(args); }

const char* kDivider = "divider\nV1 in 0 5\nR1 in out 1k\nR2 out 0 1k\n.op\n.dc V1 0 4 1\n.end\n";

}  // namespace

TEST_CASE("cli: --version and --help succeed") {
    CHECK(run("--version").status == 0);
    Run h = run("--help");
    CHECK(h.status == 0);
    CHECK(h.out.find("--raw") != std::string::npos);
}

TEST_CASE("cli: an operating point is printed when no file is asked for") {
    fs::path n = write("op.cir", "divider\nV1 in 0 5\nR1 in out 1k\nR2 out 0 1k\n.op\n.end\n");
    Run r = run(n.string());
    CHECK(r.status == 0);
    CHECK(r.out.find("v(out)") != std::string::npos);
    CHECK(r.out.find("2.5") != std::string::npos);
}

TEST_CASE("cli: a netlist error gives file:line:col, the line and a caret, and exit status 1") {
    fs::path n = write("bad.cir", "bad\nV1 in 0 5\nR1 in out 1k\nZ1 out 0 1k\n.op\n.end\n");
    Run r = run(n.string());
    CHECK(r.status == 1);
    CHECK(r.err.find("bad.cir:4:1: error:") != std::string::npos);
    CHECK(r.err.find("Z1 out 0 1k") != std::string::npos);
    CHECK(r.err.find("\n^") != std::string::npos);
}

TEST_CASE("cli: a missing netlist file is an error, not a crash") {
    Run r = run((scratch() / "does_not_exist.cir").string());
    CHECK(r.status == 1);
    CHECK(r.err.find("error") != std::string::npos);
}

TEST_CASE("cli: binary raw file has ngspice's header and native doubles") {
    fs::path n = write("raw.cir", kDivider);
    fs::path raw = scratch() / "out.raw";
    Run r = run("-r " + raw.string() + " " + n.string());
    REQUIRE(r.status == 0);
    std::string s = slurp(raw);
    CHECK(s.rfind("Title: divider\n", 0) == 0);
    CHECK(s.find("Plotname: Operating Point\n") != std::string::npos);
    CHECK(s.find("Plotname: DC transfer characteristic\n") != std::string::npos);
    CHECK(s.find("\t0\tv(v-sweep)\tvoltage\n") != std::string::npos);
    // The second plot: 5 points of (v-sweep, v(in), v(out), i(v1)).
    auto second = s.find("Plotname: DC transfer characteristic");
    auto bin = s.find("Binary:\n", second);
    REQUIRE(bin != std::string::npos);
    CHECK(s.find("No. Variables: 4\n", second) != std::string::npos);
    CHECK(s.find("No. Points: 5", second) != std::string::npos);
    const char* data = s.data() + bin + std::strlen("Binary:\n");
    REQUIRE(s.size() - (bin + 8) == 5 * 4 * sizeof(double));
    double last[4];
    std::memcpy(last, data + 4 * 4 * sizeof(double), sizeof last);
    CHECK(last[0] == doctest::Approx(4.0));
    CHECK(last[2] == doctest::Approx(2.0));
    CHECK(last[3] == doctest::Approx(-2e-3));
}

TEST_CASE("cli: ASCII raw file and CSV carry the same numbers") {
    fs::path n = write("ascii.cir", "divider\nV1 in 0 5\nR1 in out 1k\nR2 out 0 1k\n.dc V1 0 2 1\n.end\n");
    fs::path raw = scratch() / "ascii.raw", csv = scratch() / "out.csv";
    Run r = run("--ascii -r " + raw.string() + " --csv " + csv.string() + " " + n.string());
    REQUIRE(r.status == 0);
    std::string a = slurp(raw);
    CHECK(a.find("Values:\n0\t\t0.000000000000000e+00\n") != std::string::npos);
    CHECK(a.find("2\t\t2.000000000000000e+00\n\t2.000000000000000e+00\n\t1.000000000000000e+00\n") !=
          std::string::npos);
    std::string c = slurp(csv);
    CHECK(c.rfind("v(v-sweep),v(in),v(out),i(v1)\n", 0) == 0);
    CHECK(c.find("\n2,2,1,-0.001\n") != std::string::npos);
}

TEST_CASE("cli: a failed run leaves an earlier result file untouched and no temporary behind") {
    fs::path raw = scratch() / "keep.raw";
    std::ofstream(raw) << "earlier result";
    fs::path n = write("fail.cir", "fail\nV1 a 0 1\nV2 a 0 2\n.op\n.end\n");
    Run r = run("-r " + raw.string() + " " + n.string());
    CHECK(r.status == 1);
    CHECK(r.err.find("singular") != std::string::npos);
    CHECK(slurp(raw) == "earlier result");
    for (const auto& e : fs::directory_iterator(scratch()))
        CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE("cli: .print dc writes a table to stdout") {
    fs::path n = write("print.cir", "p\nV1 in 0 1\nR1 in out 1k\nR2 out 0 3k\n.dc V1 0 4 2\n.print dc v(out)\n.end\n");
    Run r = run(n.string());
    REQUIRE(r.status == 0);
    CHECK(r.out.find("v(out)") != std::string::npos);
    CHECK(r.out.find("3.00000000e+00") != std::string::npos);
}

TEST_CASE("cli: .meas results go to stdout as ngspice prints them, a failed one with its reason") {
    fs::path n = write("meas.cir", "m\nV1 in 0 1\nR1 in out 1k\nR2 out 0 3k\n.dc V1 0 4 2\n"
                                   ".meas dc vo FIND v(out) AT=2\n.meas dc w WHEN v(out)=9\n.end\n");
    Run r = run(n.string() + " --csv " + (scratch() / "meas.csv").string());
    REQUIRE(r.status == 0);
    CHECK(r.out.find("vo                   = 1.500000e+00") != std::string::npos);
    CHECK(r.out.find("w                    : failed (v(out) has 0 crossings through 9, not 1)") != std::string::npos);
}
