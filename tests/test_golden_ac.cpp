// .ac against ngspice on the same netlists (tests/golden/ac_*.cir, see tests/golden/README.md):
// every complex vector ngspice wrote, by name, at every frequency: magnitude within 1e-6
// relative (of the vector's largest magnitude, for points near a zero), phase within 1e-6 rad
// where the magnitude is not negligible.

#include <algorithm>
#include <cmath>
#include <complex>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "tests/GoldenPlots.hpp"

using namespace ionspice;

namespace {

void compare_ac_with_ngspice(const std::string& name) {
    test::for_each_golden_plot(name, [&](const solver::Plot& a, const solver::Plot& b) {
        REQUIRE(b.is_complex());
        REQUIRE(a.is_complex());
        for (std::size_t k = 0; k < b.points(); ++k) CHECK(a.at(k, 0) == doctest::Approx(b.at(k, 0)).epsilon(1e-12));
        for (std::size_t v = 1; v < b.variables.size(); ++v) {
            const std::string& vec = b.variables[v].name;
            INFO(name << ": " << vec);
            const int ia = a.find(vec);
            REQUIRE(ia >= 0);
            double scale = 0;
            for (std::size_t k = 0; k < b.points(); ++k) scale = std::max(scale, std::abs(b.complex_at(k, v)));
            double worst_mag = 0, worst_phase = 0;
            for (std::size_t k = 0; k < b.points(); ++k) {
                const std::complex<double> x = a.complex_at(k, static_cast<std::size_t>(ia)), y = b.complex_at(k, v);
                worst_mag = std::max(worst_mag, std::fabs(std::abs(x) - std::abs(y)) / std::max(std::abs(y), 1e-3 * scale));
                if (std::abs(y) > 1e-6 * scale) worst_phase = std::max(worst_phase, std::fabs(std::arg(x / y)));
            }
            CHECK(worst_mag <= 1e-6);
            CHECK(worst_phase <= 1e-6);
        }
    });
}

}  // namespace

TEST_CASE("golden .ac: a level-1 CMOS amplifier equals ngspice") { compare_ac_with_ngspice("ac_cmos_amp"); }
TEST_CASE("golden .ac: a diode-biased RC ladder equals ngspice") { compare_ac_with_ngspice("ac_diode_ladder"); }
TEST_CASE("golden .ac: a bipolar amplifier with every Gummel-Poon charge equals ngspice") {
    compare_ac_with_ngspice("ac_bjt_amp");
}

namespace {

/// ngspice's pole-zero plot beside ours: the same poles and zeros in the same order (ngspice
/// writes them as v(pole(1))…, voltage vectors, as our raw files do too), each within 1e-6 of
/// its magnitude.
void compare_pz_with_ngspice(const std::string& name) {
    test::for_each_golden_plot(name, [&](const solver::Plot& a, const solver::Plot& b) {
        REQUIRE(a.is_complex());
        REQUIRE(a.scalar);
        REQUIRE(a.variables.size() == b.variables.size());
        for (std::size_t v = 0; v < b.variables.size(); ++v) {
            INFO(name << ": " << b.variables[v].name);
            CHECK("v(" + a.variables[v].name + ")" == b.variables[v].name);
            const std::complex<double> x = a.complex_at(0, v), y = b.complex_at(0, v);
            CHECK(std::abs(x - y) <= 1e-6 * std::abs(y));
        }
    });
}

}  // namespace

TEST_CASE("golden .pz: a level-1 common-source stage's poles and zero equal ngspice's") {
    compare_pz_with_ngspice("pz_mos_cs");
}
TEST_CASE("golden .pz: a Gummel-Poon common-emitter stage's poles and zeros equal ngspice's") {
    // Measured: the zeros within 2e-14 of ngspice 47's, the poles within 1.2e-9 (its operating
    // point's last digits).
    compare_pz_with_ngspice("pz_bjt_ce");
}
