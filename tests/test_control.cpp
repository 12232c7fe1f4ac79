// The control language (.control … .endc): loops, alter, vectors, print, wrdata and write, each
// against an answer that could fail — analytic values, ngspice-39's own output (tests/golden), or
// the located message a mistake must give.

#include <algorithm>
#include <cmath>
#include <complex>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "parser/Netlist.hpp"
#include "solver/RawReader.hpp"
#include "solver/Simulator.hpp"
#include "solver/control/Spectrum.hpp"
#include "tests/CommandRun.hpp"
#include "tests/SimHelpers.hpp"

using namespace ionspice;
using test::netlist_error;
using test::value;

namespace {

struct Run {
    solver::SimulationResult result;
    std::string out;
};

/// Runs the deck with the script's output captured.
Run run(const std::string& text) {
    std::ostringstream out;
    solver::SimulateSettings s;
    s.out = &out;
    Run r;
    r.result = solver::simulate(parser::parse_deck(text, "test.cir"), s);
    r.out = out.str();
    return r;
}

const std::string kDivider = "divider\nV1 1 0 1\nR1 1 2 1k\nR2 2 0 1k\n";

std::string golden(const std::string& file) {
    return std::string(IONSPICE_SOURCE_DIR) + "/tests/golden/" + file;
}

/// The dates of print's table headers replaced, as make_golden.sh stores ngspice's output.
std::string without_dates(const std::string& text) {
    static const std::regex date("  [A-Z][a-z][a-z] [A-Z][a-z][a-z] .*20[0-9][0-9]$");
    std::istringstream in(text);
    std::string line, out;
    while (std::getline(in, line)) out += std::regex_replace(line, date, "  DATE") + "\n";
    return out;
}

}  // namespace

TEST_CASE("control: foreach over alter runs an analysis per value, each a plot of its own") {
    const auto r = run(kDivider + ".control\nforeach rv 1k 3k 9k\n  alter r2 = $rv\n  op\n  print v(2)\nend\n.endc\n.end\n");
    REQUIRE(r.result.plots.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        const double r2 = 1e3 * std::pow(3.0, static_cast<double>(k));
        CHECK(value(r.result, "v(2)", 0, k) == doctest::Approx(r2 / (1e3 + r2)).epsilon(1e-12));
    }
    CHECK(r.out == "v(2) = 5.000000e-01\nv(2) = 7.500000e-01\nv(2) = 9.000000e-01\n");
    // Every plot was printed by the script: the command line prints none again.
    CHECK(r.result.printed == 3);
}

TEST_CASE("control: alter forms (value, parameter, @name[param]), altermod and reset") {
    const auto r = run(kDivider + ".control\nalter r2 3k\nop\nalter @r2[r] = 1k\nop\nalter v1 dc = 2\nop\n"
                                  "reset\nop\n.endc\n.end\n");
    REQUIRE(r.result.plots.size() == 4);
    CHECK(value(r.result, "v(2)", 0, 0) == doctest::Approx(0.75));
    CHECK(value(r.result, "v(2)", 0, 1) == doctest::Approx(0.5));
    CHECK(value(r.result, "v(2)", 0, 2) == doctest::Approx(1.0));
    CHECK(value(r.result, "v(2)", 0, 3) == doctest::Approx(0.5));  // reset: the netlist as written

    // altermod: a diode's saturation current ten times larger lowers its forward voltage by n·Vt·ln 10.
    const auto d = run("d\nI1 0 a 1m\nD1 a 0 dm\n.model dm d is=1e-14\n.control\nop\naltermod dm is=1e-13\nop\n.endc\n.end\n");
    REQUIRE(d.result.plots.size() == 2);
    const double vt = 1.380649e-23 * 300.15 / 1.602176634e-19;
    CHECK(value(d.result, "v(a)", 0, 0) - value(d.result, "v(a)", 0, 1) == doctest::Approx(vt * std::log(10.0)).epsilon(1e-3));
}

TEST_CASE("control: while, dowhile, repeat, if/else, break and continue compute as written") {
    const auto r = run(kDivider + R"(.control
let k = 0
let s = 0
while k < 10
  let k = k + 1
  if k eq 4
    continue
  else
    let s = s + k
  end
  if k >= 7
    break
  end
end
print k s
let n = 0
dowhile n < 0
  let n = n + 1
end
repeat 3
  let n = n + 10
end
print n
.endc
.end
)");
    // s = 1 + 2 + 3 + 5 + 6 + 7; the do-while body runs once although its condition is false.
    CHECK(r.out == "k = 7.000000e+00\ns = 2.400000e+01\nn = 3.100000e+01\n");
    CHECK(r.result.plots.empty());
}

TEST_CASE("control: vectors — vector(), arithmetic, indexing, reductions, db/mag/ph, $& and plot names") {
    const auto r = run(kDivider + R"(.control
dc v1 0 2 0.5
let a = vector(4) + 1
print a[2] length(a) mean(a) vecmax(a) vecmin(a) stddev(a)
let g = db(v(2)) - db(v(1))
print g[4] mag(-3) abs(-3)
op
echo $&dc1.v(2)
print dc1.v(2)[1] v(2)
.endc
.end
)");
    CHECK(r.out == "a[2] = 3.000000e+00\nlength(a) = 4.000000e+00\nmean(a) = 2.500000e+00\nvecmax(a) = 4.000000e+00\n"
                   "vecmin(a) = 1.000000e+00\nstddev(a) = 1.290994e+00\ng[4] = -6.02060e+00\nmag(-3) = 3.000000e+00\n"
                   "abs(-3) = 3.000000e+00\n0 0.25 0.5 0.75 1\ndc1.v(2)[1] = 2.500000e-01\nv(2) = 5.000000e-01\n");
}

TEST_CASE("control: print of a vector is ngspice's table") {
    const auto r = run(kDivider + ".control\ndc v1 0 1 0.5\nprint v(2)\n.endc\n.end\n");
    const std::string dashes(80, '-');
    CHECK(without_dates(r.out) == std::string(37, ' ') + "divider\n" + std::string(37, ' ') +
                                      "DC transfer characteristic  DATE\n" + dashes + "\nIndex   v-sweep         v(2)            \n" +
                                      dashes + "\n0\t0.000000e+00\t0.000000e+00\t\n1\t5.000000e-01\t2.500000e-01\t\n"
                                      "2\t1.000000e+00\t5.000000e-01\t\n");
}

TEST_CASE("control: golden — foreach/alter/dc/wrdata, altermod and loops as ngspice-39 writes and prints them") {
    test::Sandbox box("control_golden");
    std::filesystem::copy_file(golden("control_sweep.cir"), box.dir() / "control_sweep.cir");
    const auto r = box.run("control_sweep.cir", "cd '" + box.dir().string() + "' &&");
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(without_dates(r.out) == test::slurp(golden("control_sweep.ngspice.out")));
    CHECK(test::slurp(box.dir() / "control_sweep.ngspice.txt") == test::slurp(golden("control_sweep.ngspice.txt")));
}

TEST_CASE("control: write makes the raw files ngspice's write makes (golden complex_write)") {
    test::Sandbox box("control_write");
    std::filesystem::copy_file(golden("complex_write.cir"), box.dir() / "complex_write.cir");
    const auto r = box.run("complex_write.cir", "cd '" + box.dir().string() + "' &&");
    INFO(r.err);
    REQUIRE(r.status == 0);
    for (const char* file : {"complex_write.ngspice.raw", "complex_write.ngspice.bin.raw"}) {
        INFO(file);
        const auto ours = solver::read_raw((box.dir() / file).string());
        const auto theirs = solver::read_raw(golden(file));
        REQUIRE(ours.size() == theirs.size());
        for (std::size_t p = 0; p < ours.size(); ++p) {
            REQUIRE(ours[p].variables.size() == theirs[p].variables.size());
            REQUIRE(ours[p].points() == theirs[p].points());
            CHECK(ours[p].is_complex() == theirs[p].is_complex());
            for (std::size_t v = 0; v < theirs[p].variables.size(); ++v) {
                CHECK(ours[p].variables[v].name == theirs[p].variables[v].name);
                CHECK(ours[p].variables[v].type == theirs[p].variables[v].type);
                for (std::size_t k = 0; k < theirs[p].points(); ++k) {
                    const auto a = ours[p].complex_at(k, v), b = theirs[p].complex_at(k, v);
                    CHECK(std::abs(a - b) <= 1e-9 * std::abs(b) + 1e-15);
                }
            }
        }
    }
}

TEST_CASE("control: the netlist's own analyses run after the script, unless it quits") {
    const auto r = run(kDivider + ".op\n.control\necho first\nalter r2 3k\n.endc\n.end\n");
    REQUIRE(r.result.plots.size() == 1);  // the .op, with the script's alter in force
    CHECK(r.result.printed == 0);
    CHECK(value(r.result, "v(2)") == doctest::Approx(0.75));
    CHECK(r.out == "first\n");
    const auto q = run(kDivider + ".op\n.control\nop\nquit\n.endc\n.end\n");
    CHECK(q.result.plots.size() == 1);
    CHECK(q.result.printed == 1);
    // run: the netlist's analyses from within the script.
    const auto k = run(kDivider + ".op\n.dc v1 0 1 1\n.control\nrun\nprint v(2)\nquit\n.endc\n.end\n");
    REQUIRE(k.result.plots.size() == 2);
    CHECK(k.result.plots[1].analysis == "dc");
}

TEST_CASE("control: -r writes every plot the script made") {
    test::Sandbox box("control_raw");
    box.write("loop.cir", kDivider + ".control\nforeach rv 1k 2k\nalter r2 $rv\nop\nend\ndc v1 0 1 0.5\n.endc\n.end\n");
    const auto r = box.run("-q -r '" + (box.dir() / "out.raw").string() + "' '" + (box.dir() / "loop.cir").string() + "'");
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto plots = solver::read_raw((box.dir() / "out.raw").string());
    REQUIRE(plots.size() == 3);
    CHECK(plots[0].at(0, static_cast<std::size_t>(plots[0].find("v(2)"))) == doctest::Approx(0.5));
    CHECK(plots[1].at(0, static_cast<std::size_t>(plots[1].find("v(2)"))) == doctest::Approx(2.0 / 3.0));
    CHECK(plots[2].points() == 3);
}

TEST_CASE("control: what is accepted and not run is a located warning; a mistake is a located error") {
    const auto w = run(kDivider + ".control\nop\nplot v(2)\nhardcopy a.ps v(2)\nprint v(nothere)\nprint v(2)\n.endc\n.end\n");
    REQUIRE(w.result.warnings.size() == 3);
    CHECK(w.result.warnings[0].find("test.cir:7:1: warning: 'plot' is not run here") != std::string::npos);
    CHECK(w.result.warnings[1].find("test.cir:8:1: warning: 'hardcopy'") != std::string::npos);
    // A vector not there: reported, and the script goes on as in ngspice.
    CHECK(w.result.warnings[2].find("test.cir:9:1: warning: no vector 'v(nothere)'") != std::string::npos);
    CHECK(w.out == "v(2) = 5.000000e-01\n");

    CHECK(netlist_error(kDivider + ".control\nop\npirnt v(2)\n.endc\n.end\n").find("test.cir:7:1: error: unknown control command 'pirnt'") !=
          std::string::npos);
    CHECK(netlist_error(kDivider + ".control\nalter r9 1k\n.endc\n.end\n").find("test.cir:6:1: error: alter: no element named 'r9'") !=
          std::string::npos);
    CHECK(netlist_error(kDivider + ".control\naltermod nomodel is=1\n.endc\n.end\n").find("no model (or element with a model) named 'nomodel'") !=
          std::string::npos);
    CHECK(netlist_error(kDivider + ".control\nforeach x 1 2\nop\n.endc\n.end\n").find("test.cir:6:1: error: block without 'end'") !=
          std::string::npos);
    CHECK(netlist_error(kDivider + ".control\nend\n.endc\n.end\n").find("'end' without a block") != std::string::npos);
    CHECK(netlist_error(kDivider + ".control\necho $nothing\n.endc\n.end\n").find("no variable 'nothing'") != std::string::npos);
    CHECK(netlist_error(kDivider + ".control\n  tran 1u\n.endc\n.end\n").find("test.cir:6:") != std::string::npos);
    CHECK(netlist_error(kDivider + ".control\ngoto top\n.endc\n.end\n").find("'goto' is not supported") != std::string::npos);
}

TEST_CASE("control: a loop that never ends, and blocks nested past the limit, are errors, not hangs or crashes") {
    CHECK(netlist_error(kDivider + ".control\nwhile 1\nend\n.endc\n.end\n").find("test.cir:6:1: error: the loop ran 1000000 times") !=
          std::string::npos);
    std::string deep = kDivider + ".control\n";
    for (int k = 0; k < 100000; ++k) deep += "if 1\n";
    deep += ".endc\n.end\n";
    CHECK(netlist_error(deep).find("blocks nested deeper than 200") != std::string::npos);
    std::string expr = kDivider + ".control\nlet x = " + std::string(50000, '(') + "1" + std::string(50000, ')') + "\nprint x\n.endc\n.end\n";
    const auto r = run(expr);  // a let that cannot be evaluated is reported and skipped
    REQUIRE_FALSE(r.result.warnings.empty());
    CHECK(r.result.warnings[0].find("deeper than") != std::string::npos);
}

TEST_CASE("control: quit N is the exit status; define expands functions; braces expand words") {
    CHECK(run(kDivider + ".control\nop\nquit 3\n.endc\n.end\n").result.exit_status == 3);
    CHECK(run(kDivider + ".control\nop\nquit\n.endc\n.end\n").result.exit_status == 0);
    const auto d = run(kDivider +
                       ".control\ndefine half(x) x/2\nlet y = half(8) + 1\necho $&y\n"
                       "undefine half\nset n = 2\necho a{1,2}b v{$n}\n.endc\n.end\n");
    CHECK(d.out == "5\na1b a2b v2\n");
}

TEST_CASE("control: @name[param] reads models, elements and device quantities; compose; quoted names") {
    const auto r = run("params\n.model dm d is={1e-14*(1 + temper)}\nV1 1 0 1\nR1 1 2 1k\nR2 2 0 1k\nD1 2 0 dm\n"
                       ".control\nlet k = 2\nop\nlet is = @dm[is]\nlet rv = @r1[r]\nlet ir = @r2[i]\n"
                       "echo $&is $&rv\nlet ok = abs(ir - v(2)/1k) < 1e-15\necho $&ok $&k\n"
                       "compose c1 values 1 2 3\ncompose c2 start=1 stop=2 step=0.5\ncompose c3 dec=1 start=1 stop=100\n"
                       "let n = length(c1) + length(c2) + length(c3)\necho $&n\nprint c2[2] c3[2]\n"
                       ".endc\n.end\n");
    // 1e-14·(1 + 27), the resistance as written; `k` (made before the run) is still seen.
    CHECK(r.out.find("2.8E-13 1000\n1 2\n9\n") == 0);
    CHECK(r.out.find("c2[2] = 2.000000e+00") != std::string::npos);
    CHECK(r.out.find("c3[2] = 1.000000e+02") != std::string::npos);
    const auto q = run(kDivider + ".control\ndc v1 0 1 0.5\nlet s = \"v-sweep\"\nprint s[2]\n.endc\n.end\n");
    CHECK(q.out.find("s[2] = 1.000000e+00") != std::string::npos);
    // Mistakes in vector commands are reported and skipped, as in ngspice.
    const auto w = run(kDivider + ".control\nop\nlet a = @r9[r]\nlet b = @r1[nosuch]\ncompose c start=1\n.endc\n.end\n");
    REQUIRE(w.result.warnings.size() == 3);
    CHECK(w.result.warnings[0].find("test.cir:7:1: warning: no element or model named 'r9'") != std::string::npos);
    CHECK(w.result.warnings[1].find("'r1' has no parameter 'nosuch'") != std::string::npos);
    CHECK(w.result.warnings[2].find("give one of lin, log, dec and oct") != std::string::npos);
}

TEST_CASE("control: a mistake in the netlist is located in the netlist, not at the command that ran it") {
    const std::string e = netlist_error("t\nV1 1 0 'foo(1)'\nR1 1 0 1\n.control\nop\n.endc\n.end\n");
    CHECK(e.find("test.cir:2:9: error: undefined function 'foo'") != std::string::npos);
}

TEST_CASE("control: print and echo redirect to a file with > and >>; v1#branch is i(v1)") {
    const test::Sandbox box("control_redirect");
    const std::string file = (box.dir() / "out.txt").string();
    const auto r = run(kDivider + ".control\nop\nlet i = -v1#branch\nprint i > " + file + "\necho more >> " + file +
                       "\necho shown\n.endc\n.end\n");
    CHECK(r.out == "shown\n");
    CHECK(test::slurp(file) == "i = 5.000000e-04\nmore\n");
}

TEST_CASE("control: review fixes — break outside a loop, foreach of an empty list, quoted braces, sqrt(-4), comments") {
    CHECK(netlist_error(kDivider + ".control\nbreak\n.endc\n.end\n").find("test.cir:6:1: error: 'break' outside a loop") !=
          std::string::npos);
    CHECK(netlist_error(kDivider + ".control\nif 1\ncontinue\nend\n.endc\n.end\n").find("'continue' outside a loop") !=
          std::string::npos);
    const auto r = run(kDivider +
                       ".control\nset e = \"\"\nforeach x $e\necho never\nend\necho \"q\" n{1,2}\n"
                       "let s = sqrt(-4)\nprint s\nrepeat 2.7\necho r\nend\n"
                       "let a = 1 +\n+ 2 ; a comment\necho $&a $ another\nunlet v-sweep\nquit noask\n.endc\n.end\n");
    // A complex scalar prints as "re,im" (ngspice 39 and 47 alike; a table cell has a tab).
    CHECK(r.out == "q n1 n2\ns = 0.000000e+00,2.000000e+00\nr\nr\n3\n");
    // A condition that cannot be evaluated is false, with a warning.
    const auto c = run(kDivider + ".control\nif nosuch > 1\necho yes\nelse\necho no\nend\n.endc\n.end\n");
    CHECK(c.out == "no\n");
    REQUIRE(c.result.warnings.size() == 1);
    CHECK(c.result.warnings[0].find("the condition is taken as false") != std::string::npos);
    CHECK(netlist_error(kDivider + ".control\ndc v1 0 1 0.5\nunlet v(v-sweep)\n.endc\n.end\n").find("is the scale of plot dc1") != std::string::npos);
}

TEST_CASE("control: v(x) of a vector that is not a node is that vector, as ngspice reads it") {
    const auto r = run(kDivider + ".control\nop\nlet foo = 2--3\necho \"foo = $&v(foo)\"\nlet d = v(2) - v(foo)\n"
                                  "echo \"d = $&d\"\n.endc\n.end\n");
    CHECK(r.out.find("foo = 5") != std::string::npos);
    CHECK(r.out.find("d = -4.5") != std::string::npos);
}

TEST_CASE("control: let updates a vector where it lives, so a counter made before run keeps counting after it") {
    // ngspice's examples/various/param_sweep.cir: the loop ran forever when let wrote the new
    // value into each new plot and read the old one from the constants plot.
    const auto r = run(kDivider + ".dc V1 0 1 0.5\n.control\nlet k = 1\nwhile k le 3\n  alter r1 = k*1k\n  run\n"
                                  "  let k = k + 1\nend\necho \"k = $&k\"\n.endc\n.end\n");
    CHECK(r.out.find("k = 4") != std::string::npos);
    // Three runs of the script and then the netlist's own .dc.
    CHECK(r.result.plots.size() == 4);
}

TEST_CASE("control: a source's waveform is a vector (@v1[pulse]) and alter sets it whole, as ngspice's") {
    const auto r = run("w\nv1 1 0 dc 0.25 pulse(-1 2 3m 4u 5u 6m 7m)\nr1 1 0 1k\n.control\nop\nlet a = @v1[pulse]\n"
                       "echo \"a = $&a\"\nalter @v1[pulse] = [ 2 5 11n 12n 13n 54n 105n ]\nlet b = @v1[pulse]\n"
                       "echo \"b3 = $&b[2]\"\ntran 1n 40n\nlet m = vecmax(v(1))\necho \"max = $&m\"\n.endc\n.end\n");
    CHECK(r.out.find("a = -1 2 0.003 4E-06 5E-06 0.006 0.007") != std::string::npos);
    CHECK(r.out.find("b3 = 1.1E-08") != std::string::npos);
    CHECK(r.out.find("max = 5") != std::string::npos);  // the new pulse ran
    CHECK(netlist_error("w\nv1 1 0 1\nr1 1 0 1k\n.control\nalter @v1[pulse] = [ 1 2\n.endc\n.end\n")
              .find("'[' without ']'") != std::string::npos);
}

TEST_CASE("control: stop when time = t, alter, resume: one transient, on the altered circuit from where it stopped") {
    // An RC charged towards 5 V through 1k·(1 + 64·0.03125) = 3k (tau 3 ms), stopped at 1 ms;
    // then the source is −5 V and the resistor 100·(1 + 64·0.0625) = 500 Ω (tau 0.5 ms). The
    // capacitor's voltage is continuous at the stop; each segment is an exponential.
    const std::string deck = "rc\nv1 1 0 dc 5\nr1 1 2 1k tc1=0.03125\nc2 2 0 1u\n.temp 91\n.control\n"
                             "stop when time = 1ms\ntran 0.2u 2ms uic\nalter v1=-5\nalter r1=100\n"
                             "alter @r1[tc1] = 0.0625\nresume\n.endc\n.end\n";
    const auto r = run(deck);
    REQUIRE(r.result.plots.size() == 1);  // the resumed points join the stopped run's plot
    const auto& p = r.result.plots[0];
    const int t = p.find("time"), v = p.find("v(2)");
    REQUIRE(t >= 0);
    REQUIRE(v >= 0);
    const double tau1 = 1e-6 * 1e3 * (1 + 64 * 0.03125), tau2 = 1e-6 * 100 * (1 + 64 * 0.0625);
    const double vstop = 5 * (1 - std::exp(-1e-3 / tau1));
    double worst = 0, last = -1;
    bool at_stop = false;
    for (std::size_t k = 0; k < p.points(); ++k) {
        const double time = p.at(k, static_cast<std::size_t>(t));
        CHECK(time > last);  // one increasing time axis
        last = time;
        at_stop = at_stop || std::fabs(time - 1e-3) < 1e-12;
        const double gold = time <= 1e-3 ? 5 * (1 - std::exp(-time / tau1))
                                         : vstop + (-5 - vstop) * (1 - std::exp(-(time - 1e-3) / tau2));
        worst = std::max(worst, std::fabs(p.at(k, static_cast<std::size_t>(v)) - gold));
    }
    CHECK(at_stop);                           // the stop is an accepted point
    CHECK(last == doctest::Approx(2e-3));     // and the run went on to its end
    CHECK(worst < 2e-6);                      // ngspice's own regression bound (it reaches 2.9e-8)

    // The netlist's .meas are the whole run's: measured again once it has resumed.
    const auto m = run("rc\nv1 1 0 dc 5\nr1 1 2 1k\nc2 2 0 1u\n.meas tran vmin min v(2)\n.meas tran vlast find v(2) "
                       "at=2m\n.control\nstop when time = 1ms\ntran 0.2u 2ms uic\nalter v1=-5\nresume\n.endc\n.end\n");
    REQUIRE(m.result.measures.size() == 2);
    const double v1ms = 5 * (1 - std::exp(-1.0)), vend = v1ms + (-5 - v1ms) * (1 - std::exp(-1.0));
    CHECK(m.result.measures[0].name == "vmin");
    CHECK(m.result.measures[0].value.value_or(0) == doctest::Approx(vend).epsilon(1e-4));
    CHECK(m.result.measures[1].value.value_or(0) == doctest::Approx(vend).epsilon(1e-4));
    // At the stop, 2 ms was past the plot's end (a failure printed then); the final ones follow.
    CHECK(m.out.find("vlast                : failed") != std::string::npos);
    CHECK(m.out.rfind("vlast                = ") > m.out.find("vlast                : failed"));

    CHECK(netlist_error(kDivider + ".control\nresume\n.endc\n.end\n").find("test.cir:6:1: error: 'resume': no transient "
                                                                          "was stopped") != std::string::npos);
    const auto w = run(kDivider + ".control\nstop after 10\nop\n.endc\n.end\n");
    REQUIRE(w.result.warnings.size() == 1);
    CHECK(w.result.warnings[0].find("test.cir:6:1: warning: only 'stop when time = t' is run here") != std::string::npos);
}

TEST_CASE("control: ngspice's parameter loop — .csparam, alterparam and reset, setplot new, let v[k], destroy") {
    // ngspice's examples/loops pattern: the results gathered in a plot of the script's own, each
    // operating point read as op1 and destroyed, so that the next is op1 again. v(2) of the
    // divider is R2/(R1 + R2) with R2 = {pr2}.
    const auto r = run(R"(loop
.param pr2 = 1k
V1 1 0 1
R1 1 2 1k
R2 2 0 {pr2}
.csparam start = {pr2}
.csparam step = 500
.control
set curplot = new
set curplottitle = "gathered"
set out = $curplot
echo $out $curplottitle
let vals = vector(3)
let k = 0
let r = start
while k < 3
  alterparam pr2 = $&r
  reset
  op
  setplot $out
  let vals[k] = op1.v(2)
  destroy op1
  let r = r + step
  let k = k + 1
end
print vals
.endc
.end
)");
    CHECK(r.out.find("unknown1 gathered\n") == 0);
    for (int k = 0; k < 3; ++k) {
        const double r2 = 1e3 + 500.0 * k;
        CHECK(r.out.find(fmt::format("{}\t{:e}", k, r2 / (1e3 + r2))) != std::string::npos);
    }
    // Destroyed plots leave the script, not the run's results.
    CHECK(r.result.plots.size() == 3);
    CHECK(netlist_error(kDivider + ".control\nalterparam nothere = 1\n.endc\n.end\n")
              .find("test.cir:6:1: error: alterparam: no .param named 'nothere'") != std::string::npos);
    // An index past the end: reported, and the script goes on (as ngspice's other vector mistakes).
    const auto past = run(kDivider + ".control\nlet v = vector(2)\nlet v[2] = 1\n.endc\n.end\n");
    REQUIRE(past.result.warnings.size() == 1);
    CHECK(past.result.warnings[0].find("test.cir:7:1: warning: index 2 is outside vector 'v' of length 2") == 0);
    // altermod names a model, or an element whose model it is.
    const auto m = run("m\nV1 1 0 1\nR1 1 2 1k\nR2 2 0 rmod\n.model rmod r (r=1k)\n.control\naltermod R2 r = 3k\nop\n.endc\n.end\n");
    CHECK(value(m.result, "v(2)") == doctest::Approx(0.75));
}

TEST_CASE("control: fft is ngspice's (Hann window, zero-padded to 2^k, DC and Nyquist halved, over N/2)") {
    // Against the definition: a sampled sequence, its window and a plain DFT of the padded samples.
    std::vector<double> t, y;
    for (int k = 0; k < 301; ++k) {
        t.push_back(1e-5 * k);
        y.push_back(0.25 + std::sin(2 * M_PI * 1e3 * t.back() + 0.3) + 0.1 * std::cos(2 * M_PI * 5e3 * t.back()));
    }
    const double span = t.back() - t.front() + t.back() - t[t.size() - 2];
    const auto w = solver::control::spectral_window("hanning", t, span, 2);
    REQUIRE(w);
    const auto sp = solver::control::fft(t, {y}, *w);
    REQUIRE(sp.padded == 512);
    REQUIRE(sp.frequency.size() == 257);
    CHECK(sp.frequency[3] == doctest::Approx(3.0 / span * 301 / 512));
    for (std::size_t j : {0, 1, 5, 40, 256}) {
        std::complex<double> sum = 0;
        for (std::size_t i = 0; i < t.size(); ++i)
            sum += y[i] * (1 - std::cos(2 * M_PI * (t[i] - t.back()) / span)) *
                   std::polar(1.0, -2 * M_PI * static_cast<double>(i * j) / 512);
        sum /= 256.0;
        if (j == 0 || j == 256) sum = {sum.real() / 2, 0};
        CHECK(std::abs(sp.amplitudes[0][j] - sum) < 1e-12);
    }
    CHECK_FALSE(solver::control::spectral_window("kaiser", t, span, 2));

    // A deck's linearize and fft beside ngspice 47's printed values (ngspice-47 -b on this deck,
    // 2026-12-07): the transients' time points differ, so the spectra agree to about 1e-4.
    const auto r = run(R"(fft
V1 a 0 SIN(0.5 1 1k 0 0 30)
R1 a b 1k
C1 b 0 100n
.control
tran 10u 5m
linearize v(a) v(b)
fft v(a) v(b)
print length(frequency) mag(v(a))[0] mag(v(a))[5] ph(v(b))[5] mag(v(a))[10]
echo $curplot
.endc
.end
)");
    CHECK(r.out.find("FFT: Time span: 0.00501 s, input length: 501, zero padding: 11\n") != std::string::npos);
    CHECK(r.out.find("spect1\n") != std::string::npos);
    const std::vector<std::pair<std::string, double>> ngspice = {
        {"length(frequency) = ", 257}, {"mag(v(a))[0] = ", 4.892195e-01}, {"mag(v(a))[5] = ", 9.698401e-01},
        {"ph(v(b))[5] = ", -1.23989}, {"mag(v(a))[10] = ", 2.021759e-03}};
    for (const auto& [label, expected] : ngspice) {
        const auto at = r.out.find(label);
        REQUIRE(at != std::string::npos);
        CHECK(std::stod(r.out.substr(at + label.size())) == doctest::Approx(expected).epsilon(2e-4));
    }
}

TEST_CASE("control: a meas on a linearized transient belongs to the run it was made from") {
    const auto r = run("t\nV1 a 0 SIN(0 1 100k)\nR1 a 0 1\n.control\nop\ntran 1u 10u\nlinearize\n"
                       "meas tran vmax MAX v(a)\n.endc\n.end\n");
    REQUIRE(r.result.plots.size() == 2);  // op1, tran1 (the linearized plot is the script's)
    REQUIRE_FALSE(r.result.measures.empty());
    CHECK(r.result.measures.back().name == "vmax");
    CHECK(r.result.measures.back().plot == 1);
}

TEST_CASE("control: pz runs as the .pz card; its vectors pole(1)… are read by name, printed as ngspice prints them") {
    const auto r = run("rc\nv1 1 0 0 ac 1.0\nr1 1 2 1k\nc1 2 0 10p\n.control\npz 1 0 2 0 vol pz\necho $curplot\n"
                       "print pole(1)\nlet p = real(pole(1)) * 2\nprint p\n.endc\n.end\n");
    REQUIRE(r.result.plots.size() == 1);
    CHECK(r.result.plots[0].name == "Pole-Zero Analysis");
    // ngspice 47: "pole(1) = -1.00000e+08,0.000000e+00" (a complex scalar: no tab after the comma).
    CHECK(r.out == "pz1\npole(1) = -1.00000e+08,0.000000e+00\np = -2.00000e+08\n");
}
