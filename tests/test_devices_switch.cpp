// S and W switches and K couplings against closed-form answers, and their bad input.

#include <cmath>
#include <complex>
#include <numbers>

#include <doctest/doctest.h>

#include "tests/SimHelpers.hpp"

using doctest::Approx;
using ionspice::test::netlist_error;
using ionspice::test::simulate_text;
using ionspice::test::value;
using Complex = std::complex<double>;

TEST_CASE("K: a loaded transformer's AC response is the two coupled branch equations") {
    // vp = jωL1·i1 + jωM·i2, vs = jωM·i1 + jωL2·i2, vs = −R2·i2, 1 = R1·i1 + vp.
    const double r1 = 10, l1 = 10e-3, l2 = 40e-3, r2 = 1e3, f = 1e3;
    for (double k : {0.95, -0.5}) {
        auto r = simulate_text(
            "xfmr\nV1 in 0 ac 1\nR1 in p 10\nL1 p 0 10m\nL2 s 0 40m\nK1 L1 L2 " + std::to_string(k) +
            "\nR2 s 0 1k\n.ac lin 1 1k 1k\n.end\n");
        const double w = 2 * std::numbers::pi * f, m = k * std::sqrt(l1 * l2);
        const Complex j(0, 1);
        // vs·(1 + jωL2/R2) = jωM·i1, vp = jωL1·i1 − jωM·vs/R2.
        const Complex a = j * w * m / (1.0 + j * w * l2 / r2);  // vs per unit i1
        const Complex vp_per_i1 = j * w * l1 - j * w * m * a / r2;
        const Complex i1 = 1.0 / (r1 + vp_per_i1);
        const auto& p = r.plots.at(0);
        const int vs = p.find("v(s)");
        REQUIRE(vs >= 0);
        const Complex got = p.complex_at(0, static_cast<std::size_t>(vs));
        INFO("k = " << k);
        CHECK(std::abs(got - a * i1) <= 1e-9 * std::abs(a * i1));
    }
}

TEST_CASE("K: bad couplings are located errors") {
    const std::string base = "k\nV1 a 0 1\nR1 a b 1\nL1 b 0 1m\nL2 c 0 1m\nR2 c 0 1\n";
    auto e = netlist_error(base + "K1 L1 L2 1.5\n.op\n.end\n");
    CHECK(e.find("test.cir:7:10: error: coupling k1: coupling factor 1.5 is outside [-1, 1]") == 0);
    e = netlist_error(base + "K1 L1 R2 0.5\n.op\n.end\n");
    CHECK(e.find("test.cir:7:7: error: coupling k1: 'r2' is not an inductor") == 0);
    e = netlist_error(base + "K1 L1 L1 0.5\n.op\n.end\n");
    CHECK(e.find("couples 'l1' with itself") != std::string::npos);
    e = netlist_error(base + "K1 L1 L2\n.op\n.end\n");
    CHECK(e.find("needs two inductors and a coupling factor") != std::string::npos);
}

namespace {

// A 1 V source through the switch into a 1 kΩ load: v(out) = 1k/(1k + R_switch).
std::string switch_deck(const std::string& control, const std::string& flag, const std::string& analysis) {
    return "s\nV1 in 0 1\nS1 in out c 0 swm " + flag + "\nRl out 0 1k\nVc c 0 " + control +
           "\n.model swm sw (vt=2 vh=0.5 ron=10 roff=1meg)\n" + analysis + "\n.end\n";
}

}  // namespace

TEST_CASE("S: on above vt+vh, off below vt-vh, the on/off flag inside the band") {
    const double on = 1e3 / (1e3 + 10), off = 1e3 / (1e3 + 1e6);
    CHECK(value(simulate_text(switch_deck("3", "", ".op")), "v(out)") == Approx(on).epsilon(1e-9));
    CHECK(value(simulate_text(switch_deck("1", "on", ".op")), "v(out)") == Approx(off).epsilon(1e-9));
    CHECK(value(simulate_text(switch_deck("2", "", ".op")), "v(out)") == Approx(off).epsilon(1e-9));
    CHECK(value(simulate_text(switch_deck("2", "on", ".op")), "v(out)") == Approx(on).epsilon(1e-9));
}

TEST_CASE("S: a DC sweep keeps the state inside the band (hysteresis), in either direction") {
    const double on = 1e3 / (1e3 + 10);
    auto up = simulate_text(switch_deck("0", "", ".dc vc 0 4 0.1"));
    auto down = simulate_text(switch_deck("0", "", ".dc vc 4 0 -0.1"));
    const auto& pu = up.plots.at(0);
    const auto& pd = down.plots.at(0);
    const int ou = pu.find("v(out)"), od = pd.find("v(out)");
    REQUIRE(ou >= 0);
    REQUIRE(od >= 0);
    for (std::size_t k = 0; k < pu.points(); ++k) {
        const double vc = pu.at(k, 0);
        INFO("up, vc = " << vc);
        CHECK((pu.at(k, static_cast<std::size_t>(ou)) > 0.5) == (vc > 2.5 + 1e-9));
    }
    for (std::size_t k = 0; k < pd.points(); ++k) {
        const double vc = pd.at(k, 0);
        INFO("down, vc = " << vc);
        CHECK((pd.at(k, static_cast<std::size_t>(od)) > 0.5) == (vc >= 1.5 - 1e-9));
    }
    CHECK(pd.at(0, static_cast<std::size_t>(od)) == Approx(on).epsilon(1e-9));
}

TEST_CASE("S: in a transient the switching instant is met, not stepped over") {
    // The control ramps 0 → 5 V in 5 µs and crosses vt + vh = 2.5 V at 2.5 µs; the print step
    // of 0.1 µs would put the first "on" point up to 0.1 µs late without the step limit.
    auto r = simulate_text(switch_deck("pwl(0 0 5u 5)", "", ".tran 0.1u 5u"));
    const auto& p = r.plots.at(0);
    const int out = p.find("v(out)");
    REQUIRE(out >= 0);
    double t_on = -1;
    for (std::size_t k = 0; k < p.points(); ++k)
        if (p.at(k, static_cast<std::size_t>(out)) > 0.5) {
            t_on = p.at(k, 0);
            break;
        }
    CHECK(t_on >= 2.5e-6);
    CHECK(t_on <= 2.5e-6 + 5e-9);
}

TEST_CASE("W: a current-controlled switch follows the current through its controlling source") {
    const char* deck =
        "w\nI1 0 x {ictl}\nVsense x 0 0\nV1 in 0 1\nW1 in out vsense cswm\nRl out 0 1k\n"
        ".model cswm csw (it=1m ih=0.2m ron=1 roff=1meg)\n.param ictl=2m\n.op\n.end\n";
    CHECK(value(simulate_text(deck), "v(out)") == Approx(1e3 / 1001).epsilon(1e-9));
    std::string off(deck);
    off.replace(off.find("ictl=2m"), 7, "ictl=0.5m");
    CHECK(value(simulate_text(off), "v(out)") == Approx(1e3 / (1e3 + 1e6)).epsilon(1e-9));
}

TEST_CASE("S/W: bad switches are located errors") {
    auto e = netlist_error(switch_deck("1", "maybe", ".op"));
    CHECK(e.find("unexpected 'maybe' (a switch takes 'on' or 'off')") != std::string::npos);
    e = netlist_error("s\nV1 a 0 1\nS1 a 0 a 0 m1\n.model m1 sw (vh=-1)\n.op\n.end\n");
    CHECK(e.find("test.cir:4:18: error:") == 0);
    CHECK(e.find("a negative hysteresis (-1) is not supported") != std::string::npos);
    e = netlist_error("s\nV1 a 0 1\nS1 a 0 a 0 m1\n.model m1 csw\n.op\n.end\n");
    CHECK(e.find("model 'm1' is a csw model; S takes sw") != std::string::npos);
    e = netlist_error("s\nV1 a 0 1\nR1 a 0 1\nW1 a 0 r1 m1\n.model m1 csw\n.op\n.end\n");
    CHECK(e.find("test.cir:4:8: error: 'r1' is not a voltage source") == 0);
    e = netlist_error("s\nV1 a 0 1\nW1 a 0 v1\n.op\n.end\n");
    CHECK(e.find("current-controlled switch w1 needs 2 nodes, a controlling source and a model") != std::string::npos);
    e = netlist_error("s\nV1 a 0 1\nS1 a 0 a m1\n.model m1 sw\n.op\n.end\n");
    CHECK(e.find("needs 4 nodes") != std::string::npos);
}
