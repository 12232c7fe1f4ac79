#pragma once
// Runs every analysis of a netlist in order and collects the plots: the entry point the
// command line (and the tests) use. With `.step` lines, the whole set of analyses runs once per
// step point, the points spread over threads.

#include <functional>
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

/// One `.step` point of a run: its values, and whether it ran.
struct StepOutcome {
    std::vector<std::pair<std::string, double>> values;  ///< every stepped variable, in .step order
    /// Empty when the point ran; else its error as it is printed: a located diagnostic
    /// (`file:line:col: error: …`, with the line and a caret) when `located`, a message otherwise.
    std::string failure;
    bool located = false;
};

struct SimulationResult {
    /// Without .step: one plot per analysis, in the order written. With .step: the same for
    /// each step point that ran, in step order, so plots[s * analyses + a] is analysis a of the
    /// s-th point that ran.
    std::vector<Plot> plots;
    /// Number of .step points whose plots are in `plots`; 0 when the netlist has no .step.
    std::size_t steps = 0;
    /// With .step, every point in step order, the failed ones too (SimulateSettings::keep_going).
    std::vector<StepOutcome> step_points;
    /// `.step mc N`: N (the stepped variable `mc` is the run number); 0 without.
    std::size_t monte_carlo_runs = 0;
    /// In a run shared by several processes (SimulateSettings::ranks), false on all but the
    /// first, which holds everyone's results: the others write and print nothing.
    bool holds_results = true;
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

/// Processes sharing one `.step` run (MPI ranks, started by the command line): each runs the
/// points k with k % size() == rank() and the first gathers everyone's results, so the results
/// are the same bytes whatever the number of processes.
class StepRanks {
public:
    virtual ~StepRanks() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    /// The first process's `text`, on every process.
    virtual std::string broadcast(const std::string& text) = 0;
    /// On the first process, every process's `bytes` in rank order; on the others, nothing.
    virtual std::vector<std::string> gather(const std::string& bytes) = 0;
    /// Ends every process at once (an error inside a collective step would leave the others
    /// waiting): never returns.
    [[noreturn]] virtual void abort(const std::string& message) = 0;
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
    /// Called once in a run that will not read the deck again (no .step, no .control, no
    /// analysis that elaborates it anew: Analysis::reads_deck, .dc's), right after its one elaboration and before the circuit is
    /// bound: a caller that holds a large deck for this run alone can free it there, and the
    /// run's peak memory is the netlist's and the circuit's without it (a 1024² crossbar's
    /// cards are 0.9 GB). The Deck object itself must stay, even emptied.
    std::function<void()> deck_done;
    /// A `.step` point that fails does not stop the others: its error goes to
    /// SimulationResult::step_points and the run goes on (the command line's way). Otherwise the
    /// first failing point in step order is thrown, as a sequential run would stop at it.
    bool keep_going = false;
    /// Processes to share the `.step` points with (nullptr: this one alone). Implies keep_going.
    StepRanks* ranks = nullptr;
};

/// Elaborates the deck, builds the circuit and runs its analyses in the order written, once per
/// .step point when there are any. Throws parser::NetlistError for mistakes in the netlist and
/// SimulationError when the circuit cannot be solved; in a .step run the message names the step.
SimulationResult simulate(const parser::Deck& deck, const SimulateSettings& settings = {});

}  // namespace ionspice::solver
