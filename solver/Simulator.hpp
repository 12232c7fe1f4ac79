#pragma once
// Runs every analysis of a netlist in order and collects the plots: the entry point the
// command line (and the tests) use. With `.step` lines, the whole set of analyses runs once per
// step point, the points spread over threads.

#include <iosfwd>
#include <string>
#include <vector>

#include "parser/Netlist.hpp"
#include "solver/Measure.hpp"
#include "solver/OutputWriters.hpp"
#include "solver/Plot.hpp"

namespace ionspice::solver {

/// A `.print` request resolved against the plot it prints from.
struct PrintTable {
    std::size_t plot = 0;              ///< index into SimulationResult::plots
    std::vector<PrintColumn> columns;  ///< what to print (the scale first for sweeps)
};

struct SimulationResult {
    /// Without .step: one plot per analysis, in the order written. With .step: the same for
    /// each step point in turn (step 0 first), so plots[s * analyses + a] is analysis a of step s.
    std::vector<Plot> plots;
    /// Number of .step points; 0 when the netlist has no .step.
    std::size_t steps = 0;
    /// Located warnings about what the netlist asks for and ionspice accepts without acting on
    /// (once per run, not per step); simulate() also prints them to SimulateSettings::log.
    std::vector<std::string> warnings;
    std::vector<PrintTable> prints;  ///< in plot order
    /// One line per analysis for the log: how it went (points, iterations, method).
    std::vector<std::string> log;
    /// `.meas` results, in plot order.
    std::vector<MeasureResult> measures;
    /// Text an analysis prints for a plot (`.four`'s harmonics), in plot order.
    struct Report {
        std::size_t plot = 0;  ///< index into plots
        std::string text;
    };
    std::vector<Report> reports;
    /// Plots [0, printed) came from a .control script, whose print/meas output already went to
    /// SimulateSettings::out as the script ran: the caller prints only the plots after them.
    std::size_t printed = 0;
    /// The status a .control script's `quit N` asks the command line to exit with.
    int exit_status = 0;
};

struct SimulateSettings {
    /// Progress and warnings (nullptr: none).
    std::ostream* log = nullptr;
    /// What a .control script's echo, print and meas write (nullptr: nothing); the command line
    /// sets it to standard output.
    std::ostream* out = nullptr;
    /// Add timing and factorisation counts to SimulationResult::log.
    bool stats = false;
    /// Threads that run .step points in parallel, or that a run without parallel steps lets
    /// the BLAS use in a large Cholesky factorisation; 0: one per hardware thread (or
    /// OPENBLAS_NUM_THREADS). The results do not depend on it.
    int threads = 0;
    /// The command line's: the bound netlist of a run without .step is left for the process's
    /// end to reclaim. Freeing a large array's circuit one allocation at a time costs a
    /// noticeable part of its run, just before the process exits anyway.
    bool keep_at_exit = false;
};

/// Elaborates the deck, builds the circuit and runs its analyses in the order written, once per
/// .step point when there are any. Throws parser::NetlistError for mistakes in the netlist and
/// SimulationError when the circuit cannot be solved; in a .step run the message names the step.
SimulationResult simulate(const parser::Deck& deck, const SimulateSettings& settings = {});

}  // namespace ionspice::solver
