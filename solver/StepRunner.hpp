#pragma once
// `.step`: every combination of the stepped values (the first line fastest), each point's
// analyses run on a pool of threads, each point elaborated and bound on its own. Results are
// gathered in step order, so they never depend on the number of threads.

#include <string>
#include <vector>

#include "parser/Netlist.hpp"
#include "solver/Simulator.hpp"

namespace ionspice::solver {

/// Runs every analysis once per step point of `steps`. A failing step is rethrown with the
/// step named (the first failing one in step order).
SimulationResult run_steps(const parser::Deck& deck, const std::vector<parser::SweepSpec>& steps,
                           const SimulateSettings& settings, const std::string& date);

}  // namespace ionspice::solver
