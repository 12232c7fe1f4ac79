// Operating points and DC sweeps against closed-form answers.

#include <cmath>

#include <doctest/doctest.h>

#include "solver/SimulationError.hpp"
#include "tests/SimHelpers.hpp"

using doctest::Approx;
using ionspice::test::simulate_text;
using ionspice::test::value;

TEST_CASE("divider: output is half the source, source current is negative (ngspice sign)") {
    auto r = simulate_text("divider\nV1 in 0 5\nR1 in out 1k\nR2 out 0 1k\n.op\n.end\n");
    CHECK(value(r, "v(out)") == Approx(2.5).epsilon(1e-12));
    CHECK(value(r, "v(in)") == Approx(5.0).epsilon(1e-12));
    CHECK(value(r, "i(v1)") == Approx(-2.5e-3).epsilon(1e-12));
    CHECK(r.plots[0].name == "Operating Point");
}

TEST_CASE("bridge: unbalanced Wheatstone bridge matches nodal analysis") {
    // Left arm 1k/2k, right arm 3k/1k, 10 V: v(a) = 10*2/3, v(b) = 10*1/4.
    auto r = simulate_text(
        "bridge\nV1 top 0 10\nR1 top a 1k\nR2 a 0 2k\nR3 top b 3k\nR4 b 0 1k\nR5 a b 1meg\n.op\n.end\n");
    // With the 1 MΩ bridge resistor the answer solves a 2x2 system.
    double g1 = 1e-3, g2 = 0.5e-3, g3 = 1.0 / 3e3, g4 = 1e-3, g5 = 1e-6;
    double a11 = g1 + g2 + g5, a12 = -g5, a22 = g3 + g4 + g5, b1 = 10 * g1, b2 = 10 * g3;
    double det = a11 * a22 - a12 * a12;
    double va = (b1 * a22 - a12 * b2) / det, vb = (a11 * b2 - a12 * b1) / det;
    CHECK(value(r, "v(a)") == Approx(va).epsilon(1e-10));
    CHECK(value(r, "v(b)") == Approx(vb).epsilon(1e-10));
}

TEST_CASE("superposition: two sources add") {
    const char* both = "sup\nV1 a 0 3\nI1 0 m 2m\nR1 a m 1k\nR2 m 0 2k\n.op\n.end\n";
    const char* only_v = "sup\nV1 a 0 3\nI1 0 m 0\nR1 a m 1k\nR2 m 0 2k\n.op\n.end\n";
    const char* only_i = "sup\nV1 a 0 0\nI1 0 m 2m\nR1 a m 1k\nR2 m 0 2k\n.op\n.end\n";
    double vb = value(simulate_text(both), "v(m)");
    double vv = value(simulate_text(only_v), "v(m)");
    double vi = value(simulate_text(only_i), "v(m)");
    CHECK(vv == Approx(2.0).epsilon(1e-12));       // 3 V * 2k/3k
    CHECK(vi == Approx(2e-3 * 2e3 / 3).epsilon(1e-12));  // 2 mA into 1k || 2k
    CHECK(vb == Approx(vv + vi).epsilon(1e-12));
}

TEST_CASE("controlled sources: E, G, F and H have their gains") {
    auto r = simulate_text(
        "ctl\nV1 in 0 0.5\nR0 in 0 1k\n"
        "E1 e 0 in 0 4\nRe e 0 1k\n"
        "G1 0 g in 0 2m\nRg g 0 1k\n"
        "Vs in s 0\nRs s 0 1k\n"
        "F1 0 f Vs 3\nRf f 0 1k\n"
        "H1 h 0 Vs 500\nRh h 0 1k\n.op\n.end\n");
    double is = 0.5 / 1e3;  // through Vs into Rs
    CHECK(value(r, "v(e)") == Approx(2.0).epsilon(1e-12));
    CHECK(value(r, "v(g)") == Approx(2e-3 * 0.5 * 1e3).epsilon(1e-12));
    CHECK(value(r, "i(vs)") == Approx(is).epsilon(1e-12));
    CHECK(value(r, "v(f)") == Approx(3 * is * 1e3).epsilon(1e-12));
    CHECK(value(r, "v(h)") == Approx(500 * is).epsilon(1e-12));
}

TEST_CASE("diode: series resistor and diode satisfy the Shockley equation") {
    auto r = simulate_text("d\nV1 a 0 2\nR1 a k 1k\nD1 k 0 dm\n.model dm d (is=1e-14 n=1.5)\n.op\n.end\n");
    double vd = value(r, "v(k)");
    double i = (2 - vd) / 1e3;
    const double vt = 1.380649e-23 * 300.15 / 1.602176634e-19;
    double shockley = 1e-14 * (std::exp(vd / (1.5 * vt)) - 1) + 1e-12 * vd;
    CHECK(i == Approx(shockley).epsilon(2e-3));
    CHECK(vd > 0.6);
    CHECK(vd < 1.2);
}

TEST_CASE("level-1 MOSFET: saturation and linear currents follow Shichman-Hodges") {
    // NMOS, VTO 0.5, KP 100u, W/L 10, LAMBDA 0: sat Id = KP/2*W/L*(Vgs-Vt)^2; lin Id = KP*W/L*(Vov - Vds/2)*Vds.
    auto sat = simulate_text(
        "m\nVg g 0 1.5\nVd d 0 3\nM1 d g 0 0 nm W=10u L=1u\n.model nm nmos (level=1 vto=0.5 kp=100u)\n.op\n.end\n");
    CHECK(-value(sat, "i(vd)") == Approx(0.5 * 100e-6 * 10 * 1.0).epsilon(1e-6));
    auto lin = simulate_text(
        "m\nVg g 0 1.5\nVd d 0 0.2\nM1 d g 0 0 nm W=10u L=1u\n.model nm nmos (level=1 vto=0.5 kp=100u)\n.op\n.end\n");
    CHECK(-value(lin, "i(vd)") == Approx(100e-6 * 10 * (1.0 - 0.1) * 0.2).epsilon(1e-6));
    auto off = simulate_text(
        "m\nVg g 0 0.3\nVd d 0 1\nM1 d g 0 0 nm W=10u L=1u\n.model nm nmos (level=1 vto=0.5 kp=100u)\n.op\n.end\n");
    CHECK(std::fabs(value(off, "i(vd)")) < 1e-9);
    auto pmos = simulate_text(
        "m\nVs s 0 3\nVg g 0 1.5\nM1 0 g s s pm W=10u L=1u\n.model pm pmos (level=1 vto=-0.5 kp=100u)\n.op\n.end\n");
    // |Vgs| = 1.5, |Vov| = 1, Vsd = 3: saturation, current flows out of the supply.
    CHECK(value(pmos, "i(vs)") == Approx(-0.5 * 100e-6 * 10 * 1.0).epsilon(1e-6));
}

TEST_CASE("dc sweep: inner variable runs fastest and every point is solved") {
    auto r = simulate_text(
        "sw\nV1 a 0 0\nV2 b 0 0\nR1 a m 1k\nR2 b m 1k\nR3 m 0 1k\n.dc V1 0 1 0.5 V2 0 2 1\n.end\n");
    REQUIRE(r.plots.size() == 1);
    const auto& p = r.plots[0];
    CHECK(p.name == "DC transfer characteristic");
    CHECK(p.variables[0].name == "v(v-sweep)");
    REQUIRE(p.points() == 9);
    for (std::size_t k = 0; k < 9; ++k) {
        double v1 = 0.5 * static_cast<double>(k % 3), v2 = static_cast<double>(k / 3);
        CHECK(p.at(k, 0) == Approx(v1));
        CHECK(value(r, "v2", k) == Approx(v2));
        CHECK(value(r, "v(m)", k) == Approx((v1 + v2) / 3).epsilon(1e-12));
    }
}

TEST_CASE("dc sweep: a .param sweep re-evaluates expressions that use it") {
    auto r = simulate_text(
        "ps\n.param rl=1k\nV1 a 0 1\nR1 a m 1k\nR2 m 0 {rl}\n.dc param rl list 1k 3k\n.end\n");
    REQUIRE(r.plots[0].points() == 2);
    CHECK(value(r, "v(m)", 0) == Approx(0.5));
    CHECK(value(r, "v(m)", 1) == Approx(0.75));
    CHECK(r.plots[0].variables[0].name == "rl");
}

TEST_CASE("dc sweep: decade sweep has the points per decade asked for") {
    auto r = simulate_text("dec\nI1 0 a 1\nR1 a 0 1\n.dc dec I1 1m 1 2\n.end\n");
    const auto& p = r.plots[0];
    REQUIRE(p.points() == 7);
    CHECK(p.variables[0].name == "i(i-sweep)");
    CHECK(p.at(0, 0) == Approx(1e-3));
    CHECK(p.at(1, 0) == Approx(1e-3 * std::sqrt(10.0)));
    CHECK(p.at(6, 0) == Approx(1.0));
    CHECK(value(r, "v(a)", 6) == Approx(1.0));
}

TEST_CASE("dc sweep: the swept source gets its value back for later analyses") {
    auto r = simulate_text("rs\nV1 a 0 2\nR1 a 0 1k\n.dc V1 0 1 1\n.op\n.end\n");
    REQUIRE(r.plots.size() == 2);
    CHECK(value(r, "v(a)", 0, 1) == Approx(2.0));
}

TEST_CASE("subcircuit: internal nodes are named like ngspice's and parameters apply") {
    auto r = simulate_text(
        "sub\n.subckt half a b params: r=1k\nR1 a mid {r}\nR2 mid b {r}\n.ends\n"
        "V1 in 0 4\nX1 in 0 half r=2k\n.op\n.end\n");
    CHECK(value(r, "v(x1.mid)") == Approx(2.0));
    CHECK(value(r, "i(v1)") == Approx(-1e-3));
}

TEST_CASE("singular matrix: a floating node is named") {
    try {
        simulate_text("fl\nV1 a 0 1\nR1 a 0 1k\nC1 a float 1p\nR2 float other 1k\n.op\n.end\n");
        FAIL("expected an error");
    } catch (const ionspice::solver::SimulationError& e) {
        std::string msg = e.what();
        CHECK(msg.find("singular") != std::string::npos);
        bool names_node = msg.find("'float'") != std::string::npos || msg.find("'other'") != std::string::npos;
        CHECK(names_node);
    }
}

TEST_CASE("singular matrix: a loop of voltage sources names a source") {
    try {
        simulate_text("loop\nV1 a 0 1\nV2 a 0 2\nR1 a 0 1k\n.op\n.end\n");
        FAIL("expected an error");
    } catch (const ionspice::solver::SimulationError& e) {
        std::string msg = e.what();
        CHECK(msg.find("singular") != std::string::npos);
        bool names_source = msg.find("'v1'") != std::string::npos || msg.find("'v2'") != std::string::npos;
        CHECK(names_source);
    }
}

TEST_CASE("convergence: a circuit that cannot converge names its unknowns") {
    // One Newton iteration allowed and no room for continuation.
    try {
        simulate_text(
            "nc\n.options itl1=1 gminsteps=1 srcsteps=1\nV1 a 0 5\nR1 a k 10\nD1 k 0 dm\nD2 k 0 dm\n"
            ".model dm d (is=1e-16)\n.op\n.end\n");
        FAIL("expected an error");
    } catch (const ionspice::solver::SimulationError& e) {
        std::string msg = e.what();
        CHECK(msg.find("no convergence") != std::string::npos);
        CHECK(msg.find("v(") != std::string::npos);
    }
}

TEST_CASE("gmin stepping: a hard diode chain still reaches its operating point") {
    auto r = simulate_text(
        "chain\nV1 a 0 50\nR1 a b 1\nD1 b c dm\nD2 c d dm\nD3 d e dm\nD4 e 0 dm\n"
        ".model dm d (is=1e-18 n=1)\n.op\n.end\n");
    double vb = value(r, "v(b)");
    CHECK(vb > 3.0);
    CHECK(vb < 50.0);
}

namespace {

bool log_mentions(const ionspice::solver::SimulationResult& r, const std::string& text) {
    for (const auto& line : r.log)
        if (line.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("pseudo-transient continuation alone reaches the operating point Newton finds") {
    // With Newton, gmin and source stepping switched off (ngspice's noopiter, gminsteps=0,
    // srcsteps=0) only the last resort runs; it must land on the same solution.
    const std::string circuits[] = {
        "V1 a 0 50\nR1 a b 1\nD1 b c dm\nD2 c d dm\nD3 d e dm\nD4 e 0 dm\n.model dm d (is=1e-18 n=1)\n",
        "Vdd vdd 0 3\nVin in 0 1.2\nR1 vdd q 10k\nM1 q in 0 0 nm W=10u L=1u\nR2 vdd out 20k\n"
        "M2 out q 0 0 nm W=5u L=1u\n.model nm nmos (level=1 vto=0.7 kp=100u lambda=0.02)\n",
    };
    const char* probes[] = {"v(b)", "v(out)"};
    for (int k = 0; k < 2; ++k) {
        auto plain = simulate_text("pt\n" + circuits[k] + ".op\n.end\n");
        auto pseudo = simulate_text("pt\n.options noopiter gminsteps=0 srcsteps=0\n" + circuits[k] + ".op\n.end\n");
        CHECK(log_mentions(plain, "(newton)"));
        CHECK(log_mentions(pseudo, "(pseudo-transient)"));
        CHECK(value(pseudo, probes[k]) == Approx(value(plain, probes[k])).epsilon(1e-6));
    }
}

TEST_CASE("operating point: a failure lists the methods the options left") {
    auto msg = ionspice::test::simulation_error(
        "nc\n.options itl1=1 gminsteps=0 srcsteps=0\nV1 a 0 5\nR1 a k 10\nD1 k 0 dm\n"
        ".model dm d (is=1e-16)\n.op\n.end\n");
    CHECK(msg.find("tried Newton, pseudo-transient continuation)") != std::string::npos);
    auto bad = ionspice::test::netlist_error("x\n.options gminsteps=101\nR1 a 0 1\n.op\n.end\n");
    CHECK(bad.find("option 'gminsteps' must be a whole number from 0 to 100") != std::string::npos);
}

TEST_CASE("nodeset: a bistable latch settles in the state the nodeset selects") {
    // Two cross-coupled NMOS inverters with resistor loads.
    const char* base =
        "latch\nVdd vdd 0 3\nR1 vdd q 10k\nR2 vdd qb 10k\nM1 q qb 0 0 nm W=10u L=1u\nM2 qb q 0 0 nm W=10u L=1u\n"
        ".model nm nmos (level=1 vto=0.7 kp=100u)\n.op\n";
    auto hi = simulate_text(std::string(base) + ".nodeset v(q)=3 v(qb)=0\n.end\n");
    auto lo = simulate_text(std::string(base) + ".nodeset v(q)=0 v(qb)=3\n.end\n");
    CHECK(value(hi, "v(q)") > 2.0);
    CHECK(value(hi, "v(qb)") < 0.5);
    CHECK(value(lo, "v(q)") < 0.5);
    CHECK(value(lo, "v(qb)") > 2.0);
}

// --- R, C and L model cards (ngspice's res.c, cap.c, ind.c) and the circuit temperature ---

TEST_CASE("resistor model: rsh·(l − 2·short)/(w − 2·narrow), the model's r, tc1 and tnom, instance tc1 wins") {
    // R1 = 100·(20u − 2·1u)/(2u − 2·0.5u) = 1800 Ω; R2 takes the model's r = 1k.
    const auto r = simulate_text("rmod\nV1 a 0 1\nR1 a 0 rm l=20u w=2u\nR2 a 0 rr\n"
                                 ".model rm r rsh=100 short=1u narrow=0.5u\n.model rr r r=1k\n.op\n");
    CHECK(value(r, "i(v1)") == Approx(-(1 / 1800.0 + 1 / 1000.0)).epsilon(1e-12));
    // At 77 °C with the model's tnom = 27 and tc1 = 0.01: R = 1k·1.5; the instance's tc1 = 0.02
    // overrides it: 1k·2; tce = 0.5 %/K: 1k·1.01^(0.5·50).
    const auto t = simulate_text(".temp test\n.temp 77\nV1 a 0 1\nR1 a 0 rt\nR2 b 0 rt tc1=0.02\nV2 b 0 1\n"
                                 "R3 c 0 rt tce=0.5\nV3 c 0 1\n.model rt r r=1k tc1=0.01 tnom=27\n.op\n");
    CHECK(value(t, "i(v1)") == Approx(-1 / 1500.0).epsilon(1e-12));
    CHECK(value(t, "i(v2)") == Approx(-1 / 2000.0).epsilon(1e-12));
    CHECK(value(t, "i(v3)") == Approx(-1 / (1e3 * std::pow(1.01, 25))).epsilon(1e-12));
}

TEST_CASE("resistor model: an unknown model parameter and a missing resistance are located errors") {
    CHECK(ionspice::test::netlist_error("t\nV1 a 0 1\nR1 a 0 rm\n.model rm r rsh=1 bogus=2\n.op\n")
              .find("unknown parameter 'bogus'") != std::string::npos);
    CHECK(ionspice::test::netlist_error("t\nV1 a 0 1\nR1 a 0 rm\n.model rm r tc1=0.01\n.op\n")
              .find("resistance missing") != std::string::npos);
}

TEST_CASE("capacitor and inductor models: cj·area + cjsw·perimeter, the model's cap and ind, coil geometry") {
    // C = 1m·(10u·20u) + 2·1n·(10u + 20u) = 2e-13 + 6e-14 F, seen through i = C·dv/dt of a ramp.
    const auto r = simulate_text("cmod\nV1 a 0 pwl(0 0 1 1)\nC1 a 0 cm w=10u l=20u\nC2 b 0 ck\nV2 b 0 pwl(0 0 1 1)\n"
                                 ".model cm c cj=1m cjsw=1n\n.model ck c cap=2p\n.tran 0.1 1\n");
    const auto& p = r.plots.back();
    CHECK(value(r, "i(v1)", p.points() - 1, r.plots.size() - 1) == Approx(-(2e-13 + 6e-14)).epsilon(1e-6));
    CHECK(value(r, "i(v2)", p.points() - 1, r.plots.size() - 1) == Approx(-2e-12).epsilon(1e-6));
}

TEST_CASE("temperature: temper in expressions, .dc temp sweeps devices and temper, @model[param] in scripts") {
    // R2 = 1k·(1 + 0.01·(temper − 27)) against a fixed 1k: v(out) = 2·R2/(1k + R2).
    const auto r = simulate_text("temper\nV1 in 0 2\nR1 in out 1k\nR2 out 0 {1k*(1 + 0.01*(temper - 27))}\n"
                                 ".dc temp 27 127 50\n");
    for (std::size_t k = 0; k < 3; ++k) {
        const double t = 27 + 50.0 * static_cast<double>(k);
        const double r2 = 1e3 * (1 + 0.01 * (t - 27));
        CHECK(value(r, "temp-sweep", k) == Approx(t));
        CHECK(value(r, "v(out)", k) == Approx(2 * r2 / (1e3 + r2)).epsilon(1e-12));
    }
    // `.temp` reaches temper too.
    const auto h = simulate_text("t\n.temp 50\nV1 a 0 {temper}\nR1 a 0 1\n.op\n");
    CHECK(value(h, "v(a)") == Approx(50));
}
