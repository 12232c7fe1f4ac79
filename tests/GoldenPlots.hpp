#pragma once
// What every golden comparison with ngspice starts from (tests/golden/README.md): our plots of
// tests/golden/<name>.cir beside ngspice's from <name>.ngspice.raw, checked to be the same plots
// with the same number of points, then handed over pair by pair.

#include <filesystem>
#include <functional>
#include <string>

#include <doctest/doctest.h>

#include "solver/RawReader.hpp"
#include "solver/Simulator.hpp"

namespace ionspice::test {

inline void for_each_golden_plot(const std::string& name,
                                 const std::function<void(const solver::Plot& ours, const solver::Plot& ngspice)>& check) {
    const std::filesystem::path dir = std::filesystem::path(IONSPICE_SOURCE_DIR) / "tests" / "golden";
    const auto ours = solver::simulate(parser::read_deck((dir / (name + ".cir")).string())).plots;
    const auto ref = solver::read_raw((dir / (name + ".ngspice.raw")).string());
    REQUIRE(ours.size() == ref.size());
    for (std::size_t p = 0; p < ref.size(); ++p) {
        INFO(name << ": plot " << p << " (" << ref[p].name << ")");
        CHECK(ours[p].name == ref[p].name);
        REQUIRE(ours[p].points() == ref[p].points());
        check(ours[p], ref[p]);
    }
}

}  // namespace ionspice::test
