// The bipolar transistor against the Gummel-Poon equations written out, and its bad input.

#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "models/Physics.hpp"
#include "tests/SimHelpers.hpp"

using doctest::Approx;
using ionspice::test::netlist_error;
using ionspice::test::simulate_text;
using ionspice::test::value;

namespace {

const double kVt = ionspice::models::physics::thermal_voltage(300.15);  // 27 °C

std::string biased(const std::string& type, double vb, double vc, const std::string& params) {
    return "q\nVb b 0 " + std::to_string(vb) + "\nVc c 0 " + std::to_string(vc) + "\nQ1 c b 0 qq\n.model qq " +
           type + " (" + params + ")\n.op\n.end\n";
}

}  // namespace

TEST_CASE("Q: forward-active npn currents are the transport and base equations, gmin included") {
    const double is = 1e-15, bf = 120, br = 2, vbe = 0.65, vce = 3, gmin = 1e-12;
    auto r = simulate_text(biased("npn", vbe, vce, "is=1e-15 bf=120 br=2"));
    const double vbc = vbe - vce;
    const double ibe = is * (std::exp(vbe / kVt) - 1), ibc = is * (std::exp(vbc / kVt) - 1);
    const double ic = ibe - ibc - ibc / br - gmin * vbc;
    const double ib = ibe / bf + gmin * vbe + ibc / br + gmin * vbc;
    CHECK(-value(r, "i(vc)") == Approx(ic).epsilon(1e-9));
    CHECK(-value(r, "i(vb)") == Approx(ib).epsilon(1e-9));
}

TEST_CASE("Q: the Early voltages and the knee currents divide the transport current by qb") {
    const double is = 1e-15, vaf = 40, var = 10, ikf = 1e-3, vbe = 0.7, vce = 2;
    auto r = simulate_text(biased("npn", vbe, vce, "is=1e-15 vaf=40 var=10 ikf=1m"));
    const double vbc = vbe - vce;
    const double ibe = is * (std::exp(vbe / kVt) - 1), ibc = is * (std::exp(vbc / kVt) - 1);
    const double q1 = 1 / (1 - vbc / vaf - vbe / var);
    const double qb = q1 * (1 + std::sqrt(1 + 4 * ibe / ikf)) / 2;
    const double ic = (ibe - ibc) / qb - ibc / 1 - 1e-12 * vbc;
    CHECK(-value(r, "i(vc)") == Approx(ic).epsilon(1e-9));
}

TEST_CASE("Q: a pnp is the npn with every voltage and current reversed") {
    auto n = simulate_text(biased("npn", 0.68, 2, "is=3e-16 bf=90 vaf=30 ikf=2m rb=50 re=1 rc=4"));
    auto p = simulate_text(biased("pnp", -0.68, -2, "is=3e-16 bf=90 vaf=30 ikf=2m rb=50 re=1 rc=4 subs=1"));
    CHECK(value(p, "i(vc)") == Approx(-value(n, "i(vc)")).epsilon(1e-9));
    CHECK(value(p, "i(vb)") == Approx(-value(n, "i(vb)")).epsilon(1e-9));
}

TEST_CASE("Q: the substrate node is optional, by name or by number, and m= multiplies") {
    const std::string m = ".model qq npn (is=1e-15 iss=1e-16)\n.op\n.end\n";
    auto three = simulate_text("q\nVb b 0 0.7\nVc c 0 2\nQ1 c b 0 qq\n" + m);
    auto named = simulate_text("q\nVb b 0 0.7\nVc c 0 2\nVs s 0 0\nQ1 c b 0 s qq\n" + m);
    auto number = simulate_text("q\nVb b 0 0.7\nVc c 0 2\nQ1 c b 0 0 qq\n" + m);
    auto twice = simulate_text("q\nVb b 0 0.7\nVc c 0 2\nQ1 c b 0 qq m=2\n" + m);
    CHECK(value(named, "i(vc)") == Approx(value(three, "i(vc)")).epsilon(1e-12));
    CHECK(value(number, "i(vc)") == Approx(value(three, "i(vc)")).epsilon(1e-12));
    // The reverse-biased substrate junction (v(s) − v(c) = −2 V) carries −ISS through Vs.
    CHECK(value(named, "i(vs)") == Approx(1e-16 + 2e-12).epsilon(1e-6));
    CHECK(value(twice, "i(vc)") == Approx(2 * value(three, "i(vc)")).epsilon(1e-9));
}

TEST_CASE("Q: excess phase delays the transport current and changes no DC value") {
    auto plain = simulate_text(biased("npn", 0.7, 2, "is=1e-15 tf=1n vaf=50"));
    auto delayed = simulate_text(biased("npn", 0.7, 2, "is=1e-15 tf=1n vaf=50 ptf=40"));
    CHECK(value(delayed, "i(vc)") == Approx(value(plain, "i(vc)")).epsilon(1e-9));
    CHECK(value(delayed, "i(vb)") == Approx(value(plain, "i(vb)")).epsilon(1e-9));
}

TEST_CASE("Q: bad transistors are located errors naming what is wrong") {
    CHECK(netlist_error(biased("npn", 0.7, 2, "level=4")).find("no npn level 4") != std::string::npos);
    CHECK(netlist_error(biased("npn", 0.7, 2, "tbf1=1e-3")).find("temperature coefficients are not supported") !=
          std::string::npos);
    CHECK(netlist_error(biased("npn", 0.7, 2, "rco=10")).find("'rco'") != std::string::npos);
    CHECK(netlist_error(biased("npn", 0.7, 2, "bf=-1")).find("must be positive") != std::string::npos);
    CHECK(netlist_error(biased("npn", 0.7, 2, "bogus=1")).find("bogus") != std::string::npos);
    auto e = netlist_error("q\nVb b 0 1\nQ1 b 0 qq\n.model qq npn\n.op\n.end\n");
    CHECK(e.find("bipolar transistor q1 needs 3 nodes and a model") != std::string::npos);
    e = netlist_error("q\nVb b 0 1\nQ1 b b 0 qq -2\n.model qq npn\n.op\n.end\n");
    CHECK(e.find("test.cir:3:13: error: bipolar transistor q1: area must be positive") == 0);
}
