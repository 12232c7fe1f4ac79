// .noise against ngspice on the same netlist (tests/golden/noise_*.cir, see
// tests/golden/README.md): every vector of both plots (the spectral densities with their per-device
// summaries, and the integrated totals) within 1e-4 of the vector's largest value. A generator
// ngspice lists but we do not (a resistance the model does not have) must be zero in ngspice's too.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "tests/GoldenPlots.hpp"

using namespace ionspice;

namespace {

void compare_noise_with_ngspice(const std::string& name) {
    test::for_each_golden_plot(name, [&](const solver::Plot& a, const solver::Plot& b) {
        for (std::size_t v = 0; v < b.variables.size(); ++v) {
            std::string vec = b.variables[v].name;
            // ngspice's raw file wraps the totals' names in v(…); it prints them without.
            if (a.find(vec) < 0 && vec.rfind("v(", 0) == 0) vec = vec.substr(2, vec.size() - 3);
            INFO(name << ": " << vec);
            double scale = 0;
            for (std::size_t k = 0; k < b.points(); ++k) scale = std::max(scale, std::fabs(b.at(k, v)));
            const int ia = a.find(vec);
            if (ia < 0) {
                CHECK(scale == 0);
                continue;
            }
            double worst = 0;
            for (std::size_t k = 0; k < b.points(); ++k)
                worst = std::max(worst, std::fabs(a.at(k, static_cast<std::size_t>(ia)) - b.at(k, v)));
            CHECK(worst <= 1e-4 * scale + 1e-30);
        }
    });
}

}  // namespace

TEST_CASE("golden .noise: a resistor-loaded level-1 stage equals ngspice") { compare_noise_with_ngspice("noise_cs_stage"); }
