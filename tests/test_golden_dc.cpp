// ionspice against ngspice on the same netlists (see tests/golden/README.md).

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "tests/GoldenPlots.hpp"

using namespace ionspice;

namespace {

void compare_with_ngspice(const std::string& name) {
    test::for_each_golden_plot(name, [&](const solver::Plot& a, const solver::Plot& b) {
        for (std::size_t v = 0; v < b.variables.size(); ++v) {
            const std::string& vec = b.variables[v].name;
            INFO(name << ": " << vec);
            int ia = a.find(vec);
            REQUIRE(ia >= 0);
            double scale = 0;
            for (std::size_t k = 0; k < b.points(); ++k) scale = std::max(scale, std::fabs(b.at(k, v)));
            double worst = 0;
            std::size_t worst_at = 0;
            for (std::size_t k = 0; k < b.points(); ++k) {
                double d = std::fabs(a.at(k, static_cast<std::size_t>(ia)) - b.at(k, v));
                if (d > worst) worst = d, worst_at = k;
            }
            INFO("worst at point " << worst_at << ": ours " << a.at(worst_at, static_cast<std::size_t>(ia))
                                   << ", ngspice " << b.at(worst_at, v));
            // 1 fA / 1 fV absolute floor: vectors that are zero in exact arithmetic hold rounding noise.
            CHECK(worst <= 1e-6 * scale + 1e-15);
        }
    });
}

}  // namespace

TEST_CASE("golden: diode sweep equals ngspice") { compare_with_ngspice("diode_sweep"); }
TEST_CASE("golden: level-1 MOSFET nested sweep equals ngspice") { compare_with_ngspice("mos1_nested"); }
TEST_CASE("golden: nested subcircuits with parameters equal ngspice") { compare_with_ngspice("subckt_params"); }
TEST_CASE("golden: resistive crossbar with wire resistance equals ngspice") { compare_with_ngspice("crossbar8"); }
TEST_CASE("golden: Gummel-Poon differential pair with a pnp mirror (areas, substrate nodes) equals ngspice") {
    compare_with_ngspice("bjt_diffpair");
}
TEST_CASE("golden: Shichman-Hodges JFET amplifier (B, LAMBDA, RD/RS, p-channel, area) equals ngspice") {
    compare_with_ngspice("jfet_amp");
}
TEST_CASE("golden: the JFET amplifier at 80 C (TCV, BEX, XTI, EG, tnom) equals ngspice") {
    compare_with_ngspice("jfet_amp_temp");
}
TEST_CASE("golden: the same pair at 75 C (IS, BF, BR, leakage and tnom scaling) equals ngspice") {
    compare_with_ngspice("bjt_diffpair_temp");
}
TEST_CASE("golden: E/G value=, vol=, cur=, table and E/G/F/H poly equal ngspice's B-source/XSPICE forms") {
    compare_with_ngspice("controlled_nonlinear");
}
TEST_CASE("golden: resistor models, tc1/tc2/tce, temper and an .if-selected instance over .dc temp equal ngspice") {
    compare_with_ngspice("temper_models");
}
