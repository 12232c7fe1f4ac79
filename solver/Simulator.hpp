#pragma once
// Runs every analysis of a netlist in order and collects the plots: the entry point the
// command line (and the tests) use.

#include <iosfwd>
#include <string>
#include <vector>

#include "parser/Netlist.hpp"
#include "solver/Plot.hpp"

namespace ionspice::solver {

/// A `.print` request resolved against the plot it prints from.
struct PrintTable {
    std::size_t plot = 0;        ///< index into SimulationResult::plots
    std::vector<int> columns;    ///< variables to print (scale first for sweeps)
};

struct SimulationResult {
    std::vector<Plot> plots;
    std::vector<PrintTable> prints;
    /// One line per analysis for the log: how it went (points, iterations, method).
    std::vector<std::string> log;
};

struct SimulateSettings {
    /// Progress and warnings (nullptr: none).
    std::ostream* log = nullptr;
    /// Add timing and factorisation counts to SimulationResult::log.
    bool stats = false;
};

/// Elaborates the deck, builds the circuit and runs .op/.dc (and later .tran) in the order
/// written. Throws parser::NetlistError for mistakes in the netlist and SimulationError when
/// the circuit cannot be solved.
SimulationResult simulate(const parser::Deck& deck, const SimulateSettings& settings = {});

}  // namespace ionspice::solver
