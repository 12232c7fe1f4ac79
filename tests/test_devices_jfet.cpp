// The JFET against the Shichman-Hodges equations written out, and its bad input.

#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "tests/SimHelpers.hpp"

using doctest::Approx;
using ionspice::test::netlist_error;
using ionspice::test::simulate_text;
using ionspice::test::value;

namespace {

std::string biased(const std::string& type, double vg, double vd, const std::string& params) {
    return "j\nVg g 0 " + std::to_string(vg) + "\nVd d 0 " + std::to_string(vd) + "\nJ1 d g 0 jj\n.model jj " + type +
           " (" + params + ")\n.op\n.end\n";
}

// The drain current without the gate junctions: what flows into the drain minus the
// gate–drain junction's share (is·(e^(vgd/vt) − 1) + gmin·vgd, tiny here).
double drain(const ionspice::solver::SimulationResult& r) { return -value(r, "i(vd)"); }

}  // namespace

TEST_CASE("J: saturation is BETA·(vgs − VTO)²·(1 + LAMBDA·vds), linear BETA·vds·(2·vgst − vds)·(1 + LAMBDA·vds)") {
    const double beta = 1e-3, vto = -2, lambda = 0.05, is = 1e-14, gmin = 1e-12;
    auto sat = simulate_text(biased("njf", -1, 5, "vto=-2 beta=1m lambda=0.05 is=1e-14"));
    const double vgd_sat = -1 - 5;
    const double igd_sat = -is * 1 + gmin * vgd_sat;  // deep reverse: −IS·(1 + tiny) + gmin·v
    CHECK(drain(sat) == Approx(beta * (-1 - vto) * (-1 - vto) * (1 + lambda * 5) - igd_sat).epsilon(1e-7));
    auto lin = simulate_text(biased("njf", -0.5, 0.5, "vto=-2 beta=1m lambda=0.05 is=1e-14"));
    const double vgst = -0.5 - vto, vds = 0.5;
    CHECK(drain(lin) == Approx(beta * vds * (2 * vgst - vds) * (1 + lambda * vds)).epsilon(1e-6));
    auto off = simulate_text(biased("njf", -3, 5, "vto=-2 beta=1m is=1e-14"));
    CHECK(std::fabs(drain(off)) < 1e-11);
}

TEST_CASE("J: B < 1 adds the doping tail: saturation BETA·vgst²·(B + (1 − B)·vgst/(PB − VTO))") {
    auto r = simulate_text(biased("njf", -1, 6, "vto=-2 beta=1m b=0.6 pb=1 is=1e-14"));
    const double vgst = 1, bfac = (1 - 0.6) / (1 - (-2));
    CHECK(drain(r) == Approx(1e-3 * vgst * vgst * (0.6 + bfac * vgst)).epsilon(1e-6));
}

TEST_CASE("J: a p-channel JFET is the n-channel one with every voltage and current reversed") {
    auto n = simulate_text(biased("njf", -0.7, 3, "vto=-2 beta=1m lambda=0.02 rd=10 rs=5 is=1e-14"));
    auto p = simulate_text(biased("pjf", 0.7, -3, "vto=-2 beta=1m lambda=0.02 rd=10 rs=5 is=1e-14"));
    CHECK(value(p, "i(vd)") == Approx(-value(n, "i(vd)")).epsilon(1e-9));
    CHECK(value(p, "i(vg)") == Approx(-value(n, "i(vg)")).epsilon(1e-6));
}

TEST_CASE("J: bad JFETs are located errors naming what is wrong") {
    CHECK(netlist_error(biased("njf", 0, 1, "level=2")).find("no njf level 2") != std::string::npos);
    CHECK(netlist_error(biased("njf", 0, 1, "beta=0")).find("beta") != std::string::npos);
    CHECK(netlist_error(biased("njf", 0, 1, "vtotc=1m")).find("'vtotc'") != std::string::npos);
    auto e = netlist_error("j\nVg g 0 1\nJ1 g 0 jj\n.model jj njf\n.op\n.end\n");
    CHECK(e.find("jfet j1 needs 3 nodes and a model") != std::string::npos);
    e = netlist_error("j\nVg g 0 1\nJ1 g g 0 jj 0\n.model jj njf\n.op\n.end\n");
    CHECK(e.find("test.cir:3:13: error: jfet j1: area must be positive") == 0);
}
