// Mistakes the solver layer finds in a netlist: each is a located error with the line and a
// caret, never a crash. (Syntax errors are covered by the parser tests.) The arguments of the
// analysis cards the elaborator checks for the solver are tested at the parser level, without
// simulating: the solver relies on them and only asserts.

#include <string>

#include <doctest/doctest.h>

#include "parser/SourceLoc.hpp"
#include "tests/SimHelpers.hpp"
#include "tests/test_parser_helpers.hpp"


namespace {

std::string diagnostic(const std::string& text) { return ionspice::test::netlist_error(text); }

void check_at(const std::string& msg, const std::string& where, const std::string& words) {
    INFO(msg);
    CHECK(msg.find("test.cir:" + where + ": error:") == 0);
    CHECK(msg.find(words) != std::string::npos);
    CHECK(msg.find('^') != std::string::npos);
}

}  // namespace

TEST_CASE("diagnostics: unknown model name points at the model name on the card") {
    check_at(diagnostic("t\nV1 a 0 1\nD1 a 0 nosuch\n.op\n.end\n"), "3:8", "unknown model 'nosuch'");
}

TEST_CASE("diagnostics: a model of the wrong type for the element") {
    check_at(diagnostic("t\nV1 a 0 1\nM1 a a 0 0 dm\n.model dm d\n.op\n.end\n"), "3:12", "type 'd'");
}

TEST_CASE("diagnostics: a MOSFET level that does not exist lists the levels there are") {
    check_at(diagnostic("t\nV1 a 0 1\nM1 a a 0 0 nm\n.model nm nmos (level=7)\n.op\n.end\n"), "4:23",
             "no nmos level 7");
}

TEST_CASE("diagnostics: unknown model parameter is located at the parameter") {
    check_at(diagnostic("t\nV1 a 0 1\nD1 a 0 dm\n.model dm d (is=1e-14 bogus=3)\n.op\n.end\n"), "4:29",
             "unknown parameter 'bogus'");
}

TEST_CASE("diagnostics: unknown instance parameter is located at the parameter") {
    check_at(diagnostic("t\nV1 a 0 1\nM1 a a 0 0 nm W=1u Q=2\n.model nm nmos\n.op\n.end\n"), "3:22",
             "unknown parameter 'q'");
}

TEST_CASE("diagnostics: a zero resistance is located at its value") {
    check_at(diagnostic("t\nV1 a 0 1\nR1 a 0 0\n.op\n.end\n"), "3:8", "must not be zero");
}

TEST_CASE("diagnostics: an unknown option in the netlist is a located warning, and the run goes on") {
    // As ngspice ("unknown option - ignored"): decks carry other simulators' options.
    auto r = ionspice::test::simulate_text("t\n.options reltol=1e-4 frobnicate=2\nV1 a 0 1\nR1 a 0 1\n.op\n.end\n");
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("test.cir:2:22: warning: unknown option 'frobnicate' is ignored") == 0);
    CHECK(r.plots.size() == 1);
}

TEST_CASE("diagnostics: a bad option value") {
    check_at(diagnostic("t\n.options reltol=-1\nV1 a 0 1\nR1 a 0 1\n.op\n.end\n"), "2:10", "must be positive");
    check_at(diagnostic("t\n.options method=rk4\nV1 a 0 1\nR1 a 0 1\n.op\n.end\n"), "2:10",
             "unknown integration method");
}

TEST_CASE("diagnostics: a controlled source naming a missing controlling source") {
    check_at(diagnostic("t\nV1 a 0 1\nR1 a 0 1\nF1 0 a vnone 2\n.op\n.end\n"), "4:8", "'vnone'");
}

TEST_CASE("diagnostics: .print of a node that does not exist") {
    check_at(diagnostic("t\nV1 a 0 1\nR1 a 0 1\n.op\n.print op v(b)\n.end\n"), "5:11", "no node named 'b'");
}

TEST_CASE("diagnostics: .dc of something that is neither a source nor a parameter") {
    check_at(diagnostic("t\nV1 a 0 1\nR1 a 0 1\n.dc vx 0 1 0.1\n.end\n"), "4:5", "cannot sweep 'vx'");
}

TEST_CASE("diagnostics: an element defined twice") {
    check_at(diagnostic("t\nV1 a 0 1\nR1 a 0 1\nR1 a 0 2\n.op\n.end\n"), "4:1", "defined twice");
}

TEST_CASE("diagnostics: a transient with a non-positive stop time") {
    check_at(diagnostic("t\nV1 a 0 1\nR1 a 0 1\n.tran 1u 0\n.end\n"), "4:10", "stop time");
}

TEST_CASE("diagnostics: .ac without its sweep kind or arguments") {
    ptest::check_error("t\n.ac\n", 2, 1, "'.ac' needs dec, oct or lin, the number of points, fstart and fstop");
    ptest::check_error("t\n.ac 10 1 1k\n", 2, 5, "'.ac' needs dec, oct or lin before the number of points, got '10'");
    ptest::check_error("t\n.ac dec 10 1\n", 2, 5, "'.ac dec' needs the number of points, fstart and fstop");
    ptest::check_error("t\n.ac dec 10 1 1k 5\n", 2, 17, "unexpected '5': '.ac' takes dec|oct|lin N fstart fstop");
    ptest::check_error("t\n.ac dec 10 1 1k {2}\n", 2, 17, "unexpected '{2}'");
}

TEST_CASE("diagnostics: .ac points must be a positive integer") {
    ptest::check_error("t\n.ac dec 0 1 1k\n", 2, 9, "'.ac dec' number of points must be a positive integer, got 0");
    ptest::check_error("t\n.ac lin 2.5 1 1k\n", 2, 9, "'.ac lin' number of points must be a positive integer, got 2.5");
    ptest::check_error("t\n.param n=-1\n.ac oct {n} 1 1k\n", 3, 10, "must be a positive integer, got -1");
    ptest::check_error("t\n.ac lin 100000001 1 2\n", 2, 9, "'.ac lin' sweep has too many points (more than 10^8)");
    ptest::check_error("t\n.ac dec 1e8 1 1k\n", 2, 9, "'.ac dec' sweep has too many points");
    CHECK(ptest::flat("t\n.ac lin 100000000 1 2\n").analyses.at(0).frequencies->points == 100000000);
}

TEST_CASE("diagnostics: .ac frequencies out of range") {
    ptest::check_error("t\n.ac dec 10 0 1k\n", 2, 12, "'.ac dec' start frequency must be positive");
    ptest::check_error("t\n.ac oct 10 -1 1k\n", 2, 12, "'.ac oct' start frequency must be positive");
    ptest::check_error("t\n.ac dec 10 1 0\n", 2, 14, "'.ac dec' stop frequency must be positive");
    ptest::check_error("t\n.ac lin 10 -1 1k\n", 2, 12, "'.ac lin' start frequency must not be negative");
    ptest::check_error("t\n.ac lin 10 1k 1\n", 2, 15, "'.ac lin' stop frequency 1 is below the start frequency 1000");
    ptest::check_error("t\n.ac dec 10 1k 1\n", 2, 15, "stop frequency 1 is below");
    ptest::check_error("t\n.param f=0\n.ac dec 10 {f} 1k\n", 3, 13, "start frequency must be positive");
    CHECK(ptest::flat("t\n.ac lin 1 0 0\n").analyses.at(0).frequencies->fstop == 0);
}

TEST_CASE("diagnostics: .noise output, source and sweep") {
    ptest::check_error("t\n.noise\n", 2, 1, "'.noise' needs an output v(out) or v(out,ref), an input source");
    ptest::check_error("t\n.noise i(v1) v1 dec 10 1 1k\n", 2, 8,
                       "'.noise' output must be a voltage, v(out) or v(out,ref), got 'i(v1)'");
    ptest::check_error("t\n.noise out v1 dec 10 1 1k\n", 2, 8, "got 'out'");
    ptest::check_error("t\n.noise v(a,b,c) v1 dec 10 1 1k\n", 2, 8, "got 'v(a,b,c)'");
    ptest::check_error("t\n.noise v() v1 dec 10 1 1k\n", 2, 8, "got 'v()'");
    ptest::check_error("t\n.noise v(out v1 dec 10 1 1k\n", 2, 8, "unbalanced parentheses");
    ptest::check_error("t\n.noise v(out)\n", 2, 8, "'.noise' needs an input source after v(out)");
    ptest::check_error("t\n.noise v(out) dec 10 1 1k\n", 2, 15, "needs an input source after v(out)");
    ptest::check_error("t\n.noise v(out) r1 dec 10 1 1k\n", 2, 15,
                       "'.noise' input 'r1' is not an independent source (V or I)");
    ptest::check_error("t\n.noise v(out) v1\n", 2, 1, "'.noise' needs dec, oct or lin");
    ptest::check_error("t\n.noise v(out) v1 10 1 1k\n", 2, 18, "needs dec, oct or lin before the number of points");
    ptest::check_error("t\n.noise v(out) v1 dec 10 1\n", 2, 18, "'.noise dec' needs the number of points");
    ptest::check_error("t\n.noise v(out) v1 dec 0 1 1k\n", 2, 22, "'.noise dec' number of points must be a positive");
    ptest::check_error("t\n.noise v(out) v1 dec 10 0 1k\n", 2, 25, "'.noise dec' start frequency must be positive");
    ptest::check_error("t\n.noise v(out) v1 oct 10 1 -1\n", 2, 27, "'.noise oct' stop frequency must be positive");
    ptest::check_error("t\n.noise v(out) v1 lin 10 -1 1k\n", 2, 25, "start frequency must not be negative");
    ptest::check_error("t\n.noise v(out) v1 lin 10 2k 1k\n", 2, 28, "stop frequency 1000 is below the start");
}

TEST_CASE("diagnostics: .noise points per summary") {
    ptest::check_error("t\n.noise v(out) v1 dec 10 1 1k -1\n", 2, 30,
                       "'.noise' points per summary must be an integer of 0 or more, got -1");
    ptest::check_error("t\n.noise v(out) v1 dec 10 1 1k 1.5\n", 2, 30, "got 1.5");
    ptest::check_error("t\n.noise v(out) v1 dec 10 1 1k 1 2\n", 2, 32, "unexpected '2'");
}

TEST_CASE("diagnostics: .tf output and source") {
    ptest::check_error("t\n.tf\n", 2, 1, "'.tf' needs an output, v(a), v(a,b) or i(vx), and an input source");
    ptest::check_error("t\n.tf out v1\n", 2, 5, "'.tf' output must be v(a), v(a,b) or i(vx), got 'out'");
    ptest::check_error("t\n.tf i(a,b) v1\n", 2, 5, "got 'i(a,b)'");
    ptest::check_error("t\n.tf vm(out) v1\n", 2, 5, "got 'vm(out)'");
    ptest::check_error("t\n.tf v(out)\n", 2, 5, "'.tf' needs an input source after v(out)");
    ptest::check_error("t\n.tf v(out) e1\n", 2, 12, "'.tf' input 'e1' is not an independent source (V or I)");
    ptest::check_error("t\n.tf v(out) v1 v2\n", 2, 15, "unexpected 'v2': '.tf' takes an output and an input source");
}

TEST_CASE("diagnostics: .four fundamental and vectors") {
    ptest::check_error("t\n.four\n", 2, 1, "'.four' needs the fundamental frequency and the vectors");
    ptest::check_error("t\n.four 1k\n", 2, 7, "'.four' needs at least one vector after the fundamental frequency");
    ptest::check_error("t\n.four v(out)\n", 2, 7, "'.four' needs the fundamental frequency before the vectors");
    ptest::check_error("t\n.four 0 v(out)\n", 2, 7, "'.four' fundamental frequency must be positive, got 0");
    ptest::check_error("t\n.param f0=-50\n.four {f0} v(out)\n", 3, 8, "must be positive, got -50");
    ptest::check_error("t\n.four 1k v(out\n", 2, 10, "unbalanced parentheses in 'v(out'");
}

TEST_CASE("diagnostics: device parameters accepted without effect are located warnings, once") {
    // An instance parameter on three resistors: one warning, at the first, with the count.
    auto r = ionspice::test::simulate_text(
        "t\nV1 a 0 1\nR1 a 0 1k bv_max=2\nR2 a 0 1k bv_max=3\nR3 a 0 1k bv_max=4\n.op\n.end\n");
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("test.cir:3:18: warning: resistor r1: parameter 'bv_max' has no effect: "
                             "safe-operating-area limits are not checked (and 2 more elements like it)\n") == 0);
    CHECK(r.warnings[0].find('^') != std::string::npos);
    // On a model line: at the parameter. A setting another one switches off says which.
    auto m = ionspice::test::simulate_text(
        "t\nV1 g 0 0\nN1 d 0 g ec\nV2 d 0 0.1\n.model ec ecram (trelax=2m rnt=1u)\n.model dm d (php=0.9)\n"
        "D1 d 0 dm\n.op\n.end\n");
    REQUIRE(m.warnings.size() == 3);
    CHECK(m.warnings[0].find("test.cir:5:25: warning: ECRAM model ec: parameter 'trelax' has no effect: there is no "
                             "relaxation while frelax is 0") == 0);
    CHECK(m.warnings[1].find("test.cir:5:32: warning: ECRAM model ec: parameter 'rnt' has no effect: there is no "
                             "read noise without rnw or rnf") == 0);
    CHECK(m.warnings[2].find("test.cir:6:18: warning: diode model dm: parameter 'php' has no effect") == 0);
    // Acting on it, or not writing it, says nothing.
    CHECK(ionspice::test::simulate_text("t\nV1 g 0 0\nN1 d 0 g ec\nV2 d 0 0.1\n"
                                        ".model ec ecram (frelax=0.1 trelax=2m rnw=1e-4 rnt=1u)\n.op\n.end\n")
              .warnings.empty());
}

TEST_CASE("diagnostics: ngspice options that change nothing here are accepted with a located warning") {
    auto r = ionspice::test::simulate_text("t\n.options klu reltol=1e-4 post=1\nV1 a 0 1\nR1 a 0 1\n.op\n.end\n");
    REQUIRE(r.warnings.size() == 2);
    CHECK(r.warnings[0].find("test.cir:2:10: warning: option 'klu'") == 0);
    CHECK(r.warnings[0].find("no effect") != std::string::npos);
    CHECK(r.warnings[0].find('^') != std::string::npos);
    CHECK(r.warnings[1].find("test.cir:2:26: warning: option 'post'") == 0);
    // Once per run, not once per step.
    auto s = ionspice::test::simulate_text("t\n.param r=1\n.options klu\nV1 a 0 1\nR1 a 0 {r}\n.step param r list 1 2 3\n.op\n.end\n");
    CHECK(s.warnings.size() == 1);
    // None without them.
    CHECK(ionspice::test::simulate_text("t\nV1 a 0 1\nR1 a 0 1\n.op\n.end\n").warnings.empty());
}

TEST_CASE("diagnostics: equations that become infinite name the device and the unknown") {
    // exp(v(a))^5 with v(a) held at 1000 V: exp stops at 1e99, its fifth power overflows in
    // b1's equations at every attempt. (1/v(a) at 0 V no longer does: a divisor is moved 1e-32
    // away from 0, as ngspice's.)
    const std::string m =
        ionspice::test::simulation_error("t\nv1 a 0 1000\nb1 b 0 v={exp(v(a))^5}\nr1 b 0 1k\n.op\n.end\n");
    INFO(m);
    CHECK(m.find("no convergence at the operating point") != std::string::npos);
    CHECK(m.find("infinite or NaN in device 'b1'") != std::string::npos);
}

TEST_CASE("diagnostics: found by fuzzing: a source shorted to ground alone is a singular matrix, not a KLU failure") {
    // Its branch current is the only unknown and no equation mentions it: an empty column,
    // which KLU's analysis refused ("out of memory?").
    const std::string m = ionspice::test::simulation_error("t\nv1 0 0 1\n.op\n.end\n");
    INFO(m);
    CHECK(m.find("singular matrix at the operating point: the current through 'v1' is undetermined") != std::string::npos);
}

TEST_CASE("diagnostics: found by fuzzing: gmin stepping that alternates without end is bounded") {
    // A 1e-12 ohm resistor across a source: gmin stepping backed off and stepped on forever
    // (its factor settled at 4). Now the continuations have a budget; source stepping fails
    // too, and pseudo-transient continuation, the last resort, solves it: 1.8 V across 1 pΩ.
    const std::string deck = R"(mos
.model nm nmos (level=1 vto=0.5 kp=200u)
.model ne nmos (level=44 vto=0.45 kp=200u n=1.3)
.model dd d (is=1e-14 rs=10 cjo=1p)
vdd d 1 1.8
vg g 0 1
m1 d g 0 0 nm W=10u L=1.
m2 d g 0 0 ne W=1u L=1u
d1 d x dd
r1 x 0 1k
b1 y 0 v={exp(1000*v(g))}
r2 y 0 1
e1 z 0 d 0 2
rvdd d 1 1.p
.op
.end
)";
    auto r = ionspice::test::simulate_text(deck);
    bool pseudo = false;
    for (const auto& line : r.log) pseudo = pseudo || line.find("(pseudo-transient)") != std::string::npos;
    CHECK(pseudo);
    CHECK(ionspice::test::value(r, "v(1)") == doctest::Approx(-1.8).epsilon(1e-9));
    CHECK(ionspice::test::value(r, "i(vdd)") == doctest::Approx(-1.8e12).epsilon(1e-6));
}

TEST_CASE("diagnostics: .width, .plot, .probe (and .csparam without .control) are accepted with one located warning per kind") {
    auto r = ionspice::test::simulate_text(
        "t\nV1 a 0 1\nR1 a 0 1\n.width out=80\n.plot dc v(a)\n.plot tran v(a)\n.probe v(a)\n.csparam k=2\n.op\n.end\n");
    REQUIRE(r.warnings.size() == 4);
    CHECK(r.warnings[3].find("test.cir:8:10: warning: '.csparam' gives values to a .control script, and this "
                             "netlist has none") == 0);
    CHECK(r.warnings[0].find("test.cir:4:1: warning: '.width'") == 0);
    CHECK(r.warnings[1].find("test.cir:5:1: warning: '.plot'") == 0);  // the second .plot says nothing
    CHECK(r.warnings[2].find("test.cir:7:1: warning: '.probe'") == 0);
    CHECK(r.warnings[1].find("no effect") != std::string::npos);
    CHECK(ionspice::test::value(r, "v(a)") == 1.0);
}

TEST_CASE("diagnostics: a matrix that turns singular on the way, in every method, names the unknown") {
    // The B source conducts (1 S) only below 0 V; 1 mA pushes a above 0 V on the first Newton
    // step, where nothing holds it: every continuation ends on a singular matrix in v(a).
    const std::string e = ionspice::test::simulation_error("sing\nI1 0 a 1m\nB1 a 0 I={v(a)*u(-v(a))}\n.op\n.end\n");
    CHECK(e.find("no convergence at the operating point") != std::string::npos);
    CHECK(e.find("the matrix turned singular at v(a)") != std::string::npos);
}
