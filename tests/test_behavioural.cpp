// Behavioural sources (B p n I=expr | V=expr): closed forms for each kind of input (node
// voltages, branch currents, time), parameters and .func expanded at elaboration (also inside
// subcircuits), the functions and their derivatives (Newton converges on nonlinear ones), and
// located errors. ngspice's own behavioural netlists are compared in tests/test_golden_tran.cpp.

#include <cmath>
#include <numbers>
#include <string>

#include <doctest/doctest.h>

#include "parser/SourceLoc.hpp"
#include "tests/SimHelpers.hpp"

using ionspice::test::simulate_text;
using ionspice::test::value;
using ionspice::test::netlist_error;

TEST_CASE("B: current and voltage sources from node voltages and branch currents (ngspice's signs)") {
    const auto r = simulate_text(R"(b sources
V1 in 0 1.5
B1 a 0 I=v(in)/1k
Ra a 0 1k
B2 b 0 V=2*v(in)+v(a,0)
Rb b 0 1k
Vs c 0 0.5
Rc c d 1k
Vm d 0 0
B3 e 0 V=1k*i(vm)
Re e 0 1
.op
.end
)");
    // I = v(in)/1k flows from a through B1 to ground: a sits at −1.5 V across 1 kΩ.
    CHECK(value(r, "v(a)") == doctest::Approx(-1.5).epsilon(1e-12));
    CHECK(value(r, "v(b)") == doctest::Approx(2 * 1.5 - 1.5).epsilon(1e-12));
    // A V= source's branch current, as a voltage source's: into p, through it, out of n.
    CHECK(value(r, "i(b2)") == doctest::Approx(-1.5e-3).epsilon(1e-12));
    CHECK(value(r, "v(e)") == doctest::Approx(0.5).epsilon(1e-12));
}

TEST_CASE("B: time, parameters and .func, also inside a subcircuit with its own parameters") {
    const auto r = simulate_text(R"(b time and functions
.param f0=1k
.func sq(x) {x*x}
.subckt amp in out gain=2
.func twice(x) {gain*x}
B1 out 0 V={twice(v(in)) + sq(1)}
.ends
B0 s 0 V={sin(2*pi*f0*time)}
Rs s 0 1
X1 s o amp gain=3
Ro o 0 1
.tran 10u 1m
.end
)");
    const auto& p = r.plots.at(0);
    const int t = p.find("time"), s = p.find("v(s)"), o = p.find("v(o)");
    REQUIRE(t >= 0);
    REQUIRE(s >= 0);
    REQUIRE(o >= 0);
    double worst = 0;
    for (std::size_t k = 0; k < p.points(); ++k) {
        const double tt = p.at(k, static_cast<std::size_t>(t));
        const double vs = std::sin(2 * std::numbers::pi * 1e3 * tt);
        worst = std::max(worst, std::abs(p.at(k, static_cast<std::size_t>(s)) - vs));
        worst = std::max(worst, std::abs(p.at(k, static_cast<std::size_t>(o)) - (3 * vs + 1)));
    }
    CHECK(worst < 1e-12);
}

TEST_CASE("B: a nonlinear current converges to the same point as the built-in diode") {
    // The diode equation written out: the same operating point as D with the same IS and N.
    const auto r = simulate_text(R"(b diode
.options temp=27
V1 in 0 5
R1 in a 1k
B1 a 0 I={1e-14*(exp(v(a)/(1.380649e-23*300.15/1.602176634e-19))-1)}
R2 in b 1k
D1 b 0 dmod
.model dmod d (is=1e-14 n=1)
.op
.end
)");
    CHECK(value(r, "v(a)") == doctest::Approx(value(r, "v(b)")).epsilon(1e-6));
    CHECK(value(r, "v(a)") > 0.6);
}

TEST_CASE("B: functions, conditions and ngspice's u() and uramp()") {
    const auto r = simulate_text(R"(b functions
V1 x 0 -0.5
B1 a 0 V={u(v(x)) + 2*u(-v(x)) + uramp(v(x)) + 10*uramp(-v(x))}
B2 b 0 V={v(x) < 0 ? abs(v(x)) : 7}
B3 c 0 V={max(v(x), -2) + min(v(x), 3) + limit(v(x), -0.1, 0.1) + pwr(v(x), 2) + v(x)**2}
B4 d 0 V={sqrt(v(x)) + ln(v(x) - 1) + log10(100) + if(v(x), 1, 2) + atan2(1, 1)}
.op
.end
)");
    const double x = -0.5;
    CHECK(value(r, "v(a)") == doctest::Approx(2 + 10 * 0.5).epsilon(1e-12));
    CHECK(value(r, "v(b)") == doctest::Approx(0.5).epsilon(1e-12));
    // pwr keeps the sign, ** takes |x| (ngspice's B-source conventions).
    CHECK(value(r, "v(c)") == doctest::Approx(x + x - 0.1 - 0.25 + 0.25).epsilon(1e-12));
    CHECK(value(r, "v(d)") ==
          doctest::Approx(std::sqrt(0.5) + std::log(1.5) + 2 + 1 + std::numbers::pi / 4).epsilon(1e-12));
}

TEST_CASE("B: Newton uses the expression's derivatives (a cubic resistor)") {
    // I = v³ into 1 Ω from 2 V: v + v³ = 2 has the root v = 1.
    const auto r = simulate_text(R"(b cubic
V1 in 0 2
R1 in a 1
B1 a 0 I={v(a)**3}
.op
.end
)");
    CHECK(value(r, "v(a)") == doctest::Approx(1.0).epsilon(1e-9));
}

TEST_CASE("B: mistakes are located errors") {
    CHECK(netlist_error("t\nV1 a 0 1\nB1 b 0 V={foo(v(a))}\nR1 b 0 1\n.op\n.end\n").find("undefined function 'foo'") !=
          std::string::npos);
    CHECK(netlist_error("t\nV1 a 0 1\nB1 b 0 V={v(a, 0, 1)}\nR1 b 0 1\n.op\n.end\n").find("v() takes one node or two") !=
          std::string::npos);
    CHECK(netlist_error("t\nV1 a 0 1\nB1 b 0 V={i(2)}\nR1 b 0 1\n.op\n.end\n").find("i() takes the name") !=
          std::string::npos);
    CHECK(netlist_error("t\nV1 a 0 1\nB1 b 0 V={k*v(a)}\nR1 b 0 1\n.op\n.end\n").find("test.cir:3:") != std::string::npos);
    CHECK(netlist_error("t\nV1 a 0 1\nB1 b 0 V={i(vnone)}\nR1 b 0 1\n.op\n.end\n").find("vnone") != std::string::npos);
}

TEST_CASE("B source: powers of negative numbers as ngspice's (signed integer powers, 0 otherwise)") {
    // v(n) = -2: x^3 keeps its sign (a cubic conductance, a Van der Pol oscillator's), a
    // non-integer power of a negative number is 0, pow(0, -1) is 0, pwr is sign(x)|x|^y.
    const auto r = simulate_text(R"(powers
vn n 0 -2
vz z 0 0
b1 a 0 v={v(n)^3}
b2 b 0 v={v(n)**2}
b3 c 0 v={(4*v(n))^(1/3)}
b4 d 0 v={pow(v(n), 3.0000000000000004)}
b5 e 0 v={pow(v(z), -1)}
b6 f 0 v={pwr(4*v(n), 1/3)}
b7 g 0 v={pwr(v(n), 2)}
.op
.end
)");
    CHECK(value(r, "v(a)") == -8.0);
    CHECK(value(r, "v(b)") == 4.0);
    CHECK(value(r, "v(c)") == 0.0);
    CHECK(value(r, "v(d)") == doctest::Approx(-8.0).epsilon(1e-15));
    CHECK(value(r, "v(e)") == 0.0);
    CHECK(value(r, "v(f)") == doctest::Approx(-2.0).epsilon(1e-15));
    CHECK(value(r, "v(g)") == -4.0);
}

TEST_CASE("B source: the slope of a signed cubic is 3x^2 at negative x (Newton converges in a few steps)") {
    // i = 1e-3*v^3 into a node fed by 1 mA through 1 kOhm from -5 V: the solution is where
    // (-5 - v)/1k = 1e-3*v^3, v ~ -1.516; a wrong sign of the slope would not converge.
    const auto r = simulate_text("cubic\nv1 a 0 -5\nr1 a b 1k\nb1 b 0 i={1e-3*v(b)^3}\n.op\n.end\n");
    const double v = value(r, "v(b)");
    CHECK((-5 - v) / 1e3 == doctest::Approx(1e-3 * v * v * v).epsilon(1e-9));
    CHECK(v < -1.5);
}

TEST_CASE("B: ngspice's u2() clips a ramp to [0, 1]; arctan is atan; V/I take ac= and dc= keyed") {
    const auto r = simulate_text("u2\nB1 a 0 v=u2(-0.25)\nB2 b 0 v=u2(0.25)\nB3 c 0 v=u2(3)\nB4 d 0 v=arctan(0.3)\n"
                                 "V5 e 0 dc=2 ac=1\nR5 e 0 1\n.op\n");
    CHECK(value(r, "v(a)") == 0);
    CHECK(value(r, "v(b)") == doctest::Approx(0.25));
    CHECK(value(r, "v(c)") == 1);
    CHECK(value(r, "v(d)") == doctest::Approx(std::atan(0.3)));
    CHECK(value(r, "v(e)") == doctest::Approx(2));
    CHECK(netlist_error("t\nV1 a 0 ac=\nR1 a 0 1\n.op\n").find("missing value after 'ac='") != std::string::npos);
}

TEST_CASE("B: pwl() interpolates and extends along the end segments; table points must be ordered") {
    const auto r = simulate_text("pwl\nB1 a 0 v=pwl(0.5, 0, 0, 1, 2, 3, 2)\nB2 b 0 v=pwl(4, 0, 0, 1, 2, 3, 3)\n"
                                 "B3 c 0 v=pwl(-1, 3, 3, 1, 2, 0, 0)\n.op\n");
    CHECK(value(r, "v(a)") == doctest::Approx(1));
    CHECK(value(r, "v(b)") == doctest::Approx(3.5));  // past the last point: slope 0.5 of the end segment
    CHECK(value(r, "v(c)") == doctest::Approx(-2));   // decreasing x, before the first segment's slope 2
    CHECK(netlist_error("t\nV1 a 0 1\nE1 b 0 table {v(a)} = (0, 0) (2, 1) (1, 3)\n.op\n").find(
              "test.cir:3:1: error: table needs its x values strictly increasing") != std::string::npos);
    CHECK(netlist_error("t\nV1 a 0 1\nG1 b 0 poly(2) a 0 1\nR1 b 0 1\n.op\n").find("poly(2) needs 4 control nodes") !=
          std::string::npos);
    CHECK(netlist_error("t\nB1 b 0 v=pwl(1, 0, 0, 1, 2, 3)\nR1 b 0 1\n.op\n").find("pwl() needs (x, y) pairs") !=
          std::string::npos);
}

TEST_CASE("B: ngspice's u(0) = 1/2, eq0 … le0, sqr; random functions drawn once per elaboration, by seed") {
    const auto r = simulate_text("f\nB1 a 0 v=u(0)\nB2 b 0 v=eq0(0)+2*ne0(1)+4*gt0(-1)+8*lt0(-1)+16*ge0(0)+32*le0(1)\n"
                                 "B3 c 0 v=sqr(-3)\n.op\n");
    CHECK(value(r, "v(a)") == 0.5);
    CHECK(value(r, "v(b)") == 1 + 2 + 8 + 16);
    CHECK(value(r, "v(c)") == 9);
    auto draws = [](const std::string& seed) {
        const auto s = simulate_text("mc\n" + seed +
                                     ".param p1=agauss(1, 0.1, 1) p2=gauss(2, 0.05, 3) p3=unif(1, 0.2) p4=aunif(0, 1)"
                                     " p5=limit(1, 0.5)\nV1 a 0 {p1}\nV2 b 0 {p2}\nV3 c 0 {p3}\nV4 d 0 {p4}\nV5 e 0 {p5}\n"
                                     "B6 f 0 v=agauss(5, 1, 1)\n.op\n");
        std::vector<double> out;
        for (const char* n : {"v(a)", "v(b)", "v(c)", "v(d)", "v(e)", "v(f)"}) out.push_back(value(s, n));
        return out;
    };
    const auto a = draws(""), b = draws(""), c = draws(".options seed=7\n");
    CHECK(a == b);  // reproducible
    CHECK(a != c);  // and the seed changes them
    for (const auto& d : {a, c}) {
        CHECK(d[2] >= 0.8);
        CHECK(d[2] <= 1.2);
        CHECK(d[3] >= -1);
        CHECK(d[3] <= 1);
        CHECK((d[4] == 0.5 || d[4] == 1.5));
        CHECK(d[0] != 1);
    }
}

namespace {
/// Largest |a − b| over the points of plot 0.
double worst_difference(const ionspice::solver::SimulationResult& r, const std::string& a, const std::string& b) {
    const auto& p = r.plots.at(0);
    const int ia = p.find(a), ib = p.find(b);
    REQUIRE(ia >= 0);
    REQUIRE(ib >= 0);
    double worst = 0;
    for (std::size_t k = 0; k < p.points(); ++k)
        worst = std::max(worst, std::abs(p.at(k, static_cast<std::size_t>(ia)) - p.at(k, static_cast<std::size_t>(ib))));
    return worst;
}
}  // namespace

TEST_CASE("B: ddt() goes through the DAE: its current is a capacitor's, step for step") {
    // The same sine drives a 1 µF capacitor (current read in vm) and B1 = 1µ·ddt(v(in)) into
    // 1 Ω: the integrator differentiates both charges alike, so the two agree to Newton's
    // tolerance at every accepted point (and ddt is 0 at the operating point).
    const auto r = simulate_text(R"(ddt
V1 in 0 SIN(0.2 1 1k)
C1 in m 1u
Vm m 0 0
B1 a 0 I={1u*ddt(v(in))}
Ra a 0 1
.tran 5u 2m
.end
)");
    CHECK(value(r, "v(a)", 0) == 0);
    // v(a) = −I(B1) (the current leaves a through B1); i(vm) is the capacitor's current.
    const auto& p = r.plots.at(0);
    const int ia = p.find("v(a)"), im = p.find("i(vm)");
    REQUIRE(ia >= 0);
    REQUIRE(im >= 0);
    double worst = 0, peak = 0;
    for (std::size_t k = 1; k < p.points(); ++k) {
        const double ic = p.at(k, static_cast<std::size_t>(im));
        worst = std::max(worst, std::abs(p.at(k, static_cast<std::size_t>(ia)) + ic));
        peak = std::max(peak, std::abs(ic));
    }
    CHECK(peak == doctest::Approx(2 * std::numbers::pi * 1e3 * 1e-6).epsilon(2e-3));
    CHECK(worst < 1e-6 * peak);
}

TEST_CASE("B: sdt() integrates from 0 at the operating point (a ramp exactly, a sine within tolerance)") {
    const auto r = simulate_text(R"(sdt
V1 in 0 SIN(0 1 1k)
B1 a 0 V={sdt(2)}
B2 b 0 V={sdt(v(in))}
.tran 5u 1m
.end
)");
    const auto& p = r.plots.at(0);
    const int t = p.find("time"), a = p.find("v(a)"), b = p.find("v(b)");
    REQUIRE(t >= 0);
    REQUIRE(a >= 0);
    REQUIRE(b >= 0);
    const double w = 2 * std::numbers::pi * 1e3;
    double ramp = 0, sine = 0;
    for (std::size_t k = 0; k < p.points(); ++k) {
        const double tt = p.at(k, static_cast<std::size_t>(t));
        ramp = std::max(ramp, std::abs(p.at(k, static_cast<std::size_t>(a)) - 2 * tt));
        sine = std::max(sine, std::abs(p.at(k, static_cast<std::size_t>(b)) - (1 - std::cos(w * tt)) / w));
    }
    CHECK(ramp < 1e-12);
    CHECK(sine < 1e-3 * (2 / w));
    CHECK(netlist_error("t\nV1 a 0 1\nB1 b 0 V={ddt(v(a), 1)}\n.tran 1u 1m\n").find("ddt() takes one argument, 2 given") !=
          std::string::npos);
}

TEST_CASE("R/C/L with a value of the circuit are behavioural (ngspice's rewriting, tc and m as ngspice)") {
    // R = 1k·(1 + v(c)) with v(c) = 1: 2 kΩ under 4 V; r= and the bare {…} form alike.
    const auto dc = simulate_text(R"(behavioural r
V1 in 0 4
Vc c 0 1
R1 in a r={1k*(1+v(c))}
R2 a 0 2k
R3 in b {1k*(1+v(c))} m=2
R4 b 0 1k
.op
.end
)");
    CHECK(value(dc, "v(a)") == doctest::Approx(2.0).epsilon(1e-12));
    CHECK(value(dc, "v(b)") == doctest::Approx(2.0).epsilon(1e-12));  // m=2: two 2 kΩ in parallel

    // tc1 divides R's current as ngspice's reciproctc=1 (the resistance grows with temperature).
    const auto tc = simulate_text("tc\n.options temp=37\nV1 in 0 1\nVc c 0 0\nR1 in a r={1k+v(c)} tc1=0.01\nR2 a 0 1k\n.op\n");
    CHECK(value(tc, "v(a)") == doctest::Approx(1e3 / (1e3 + 1.1e3)).epsilon(1e-12));

    // An RC and an RL step response with constant expressions (time makes them behavioural):
    // the same curves as plain C and L.
    const auto rc = simulate_text(R"(behavioural c and l
V1 in 0 PULSE(0 1 0 1n 1n 1 2)
R1 in a 1k
C1 a 0 C={1u + 0*time}
R2 in b 1k
C2 b 0 1u
R3 in c 1k
C3 c 0 q={1u*v(c)}
R4 in d 1k
L1 d 0 L={1m*(1 + 0*time)}
R5 in e 1k
L2 e 0 1m
.tran 2n 5m
.end
)");
    CHECK(worst_difference(rc, "v(a)", "v(b)") < 2e-4);
    CHECK(worst_difference(rc, "v(c)", "v(b)") < 2e-4);
    CHECK(worst_difference(rc, "i(l1)", "i(l2)") < 2e-7);
    // m inductors in parallel: the voltage is divided by m (ngspice's reciprocm=1 for L).
    const auto lm = simulate_text("l m\nI1 0 a SIN(0 1m 1k)\nL1 a 0 L={1m + 0*time} m=2\nL2 b 0 0.5m\nI2 0 b SIN(0 1m 1k)\n"
                                  ".tran 5u 2m\n.end\n");
    CHECK(worst_difference(lm, "v(a)", "v(b)") < 1e-9);
}

TEST_CASE("B: tc1, tc2 and m scale the value as ngspice's asrc (from 27 °C, reciproctc, reciprocm)") {
    const auto r = simulate_text(R"(asrc factors
.options temp=37
B1 a 0 I=1m tc1=0.01 tc2=0.001 m=2
Ra a 0 1
B2 b 0 I=1m tc1=0.01 reciproctc=1 m=4 reciprocm=1
Rb b 0 1
B3 c 0 V=1 temp=127 tc1=0.01
Rc c 0 1
.op
.end
)");
    CHECK(value(r, "v(a)") == doctest::Approx(-1e-3 * (1 + 0.1 + 0.1) * 2).epsilon(1e-12));
    CHECK(value(r, "v(b)") == doctest::Approx(-1e-3 / 1.1 / 4).epsilon(1e-12));
    CHECK(value(r, "v(c)") == doctest::Approx(2.0).epsilon(1e-12));
    CHECK(netlist_error("t\nB1 a 0 I=1m tc1=\nR1 a 0 1\n.op\n").find("test.cir:2:") != std::string::npos);
}

TEST_CASE("B: x/0 is large and finite, as ngspice's PTdivide (a divisor that starts at 0 V converges)") {
    // ngspice's examples/various/tmp-noise.cir: R20 = 1k·v(200) is 0 Ω on the first iteration
    // from zero; v/0 must not poison Newton with inf or NaN.
    const auto r = simulate_text("div\nV1 1 0 2\nV2 200 0 1\nR10 1 20 1k\nR20 20 0 '1k*v(200)'\nB1 a 0 V={1/v(200)}\n"
                                 "Ra a 0 1\n.op\n.end\n");
    CHECK(value(r, "v(20)") == doctest::Approx(1.0).epsilon(1e-9));
    CHECK(value(r, "v(a)") == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(value(simulate_text("z\nVz z 0 0\nB1 a 0 V={v(z)/v(z)}\nRa a 0 1\n.op\n.end\n"), "v(a)") == 0);
}

TEST_CASE("B: PSpice's stp(x) is u(x), unless the deck defines a .func stp of its own") {
    const auto r = ionspice::test::simulate_text(
        "stp\nV1 a 0 1\nV2 b 0 -1\nB1 x 0 V={stp(v(a)) + 2*stp(v(b)) + 4*stp(0)}\nR1 x 0 1\n.op\n.end\n");
    CHECK(ionspice::test::value(r, "v(x)") == doctest::Approx(1 + 0 + 2));
    const auto own = ionspice::test::simulate_text(
        "stp\n.func stp(x) {3}\nV1 a 0 1\nB1 x 0 V={stp(v(a))}\nR1 x 0 1\n.op\n.end\n");
    CHECK(ionspice::test::value(own, "v(x)") == doctest::Approx(3));
}
