#pragma once
// Small helpers for tests that run netlist text through the whole simulator.

#include <string>

#include <doctest/doctest.h>

#include "parser/Netlist.hpp"
#include "parser/SourceLoc.hpp"
#include "solver/SimulationError.hpp"
#include "solver/Simulator.hpp"

namespace ionspice::test {

inline solver::SimulationResult simulate_text(const std::string& text) {
    return solver::simulate(parser::parse_deck(text, "test.cir"));
}

/// Runs the netlist and returns its diagnostic; fails the test when there is none.
inline std::string netlist_error(const std::string& text) {
    try {
        simulate_text(text);
    } catch (const parser::NetlistError& e) {
        return e.what();
    }
    FAIL("expected a netlist error");
    return {};
}

/// Runs the netlist and returns its SimulationError's message (convergence, singular matrix);
/// fails the test when the run succeeds.
inline std::string simulation_error(const std::string& text) {
    try {
        simulate_text(text);
    } catch (const solver::SimulationError& e) {
        return e.what();
    }
    FAIL("expected a simulation error");
    return {};
}

/// Value of `name` at `point` of plot `plot`; fails the test when the vector is missing.
inline double value(const solver::SimulationResult& r, const std::string& name, std::size_t point = 0,
                    std::size_t plot = 0) {
    REQUIRE(plot < r.plots.size());
    int v = r.plots[plot].find(name);
    INFO("vector " << name);
    REQUIRE(v >= 0);
    REQUIRE(point < r.plots[plot].points());
    return r.plots[plot].at(point, static_cast<std::size_t>(v));
}

}  // namespace ionspice::test
