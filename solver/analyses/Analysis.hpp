#pragma once
// The analysis layer: one file per analysis under solver/analyses/, each behind this interface
// and registered by its card's name ("op", "dc", "tran", "ac", "noise", "tf", "four"), the way
// devices register by their letter, so that a new analysis touches no other file.
//
// An analysis runs on one step point (AnalysisContext: the bound circuit, the Newton solver
// whose factorisation the analyses of the point share, the result being built) and reads top
// to bottom as: set up, loop, write its plot through the context.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "parser/Netlist.hpp"
#include "solver/BoundNetlist.hpp"
#include "solver/Newton.hpp"
#include "solver/OperatingPoint.hpp"
#include "solver/Plot.hpp"
#include "solver/Probes.hpp"
#include "solver/Simulator.hpp"

namespace ionspice::solver {

struct TranPause;

/// What an analysis of one step point works with.
class AnalysisContext {
public:
    /// `shared`: a Newton that outlives the point (a .step thread's, kept from point to point),
    /// so that points of one topology share its symbolic analysis and ordering; null: its own.
    AnalysisContext(const parser::Deck& deck, const SimulateSettings& settings, const StepPoint& step,
                    const std::string& date, BoundNetlist& base, SimulationResult& result, Newton* shared = nullptr)
        : deck(deck), settings(settings), step(step), date(date), base(base), newton(shared ? *shared : own_newton_),
          result(result), counts_at_start_(newton.linear().counts()) {
        newton.linear().set_threads(settings.threads);
    }

    const parser::Deck& deck;
    const SimulateSettings& settings;
    const StepPoint& step;
    const std::string& date;  ///< of every plot of the run, so that results do not depend on timing
    BoundNetlist& base;       ///< the netlist at this step point and its circuit

private:
    Newton own_newton_;

public:
    Newton& newton;           ///< shared by the point's analyses: one pattern, one ordering
    SimulationResult& result;

    const Circuit& circuit() const { return *base.circuit; }
    const SimOptions& options() const { return base.options; }

    /// The DC operating point as `.op` solves it (.nodeset honoured); throws its failure,
    /// saying which analysis needed it.
    std::vector<double> operating_point(const std::string& analysis, OpReport* report = nullptr);

    /// An empty plot of this step point: title (with the step), name, date, kind.
    Plot new_plot(const std::string& name, const std::string& analysis, Plot::Kind kind = Plot::Kind::Real) const;
    /// Adds a finished plot to the result, with the `.print` tables and `.meas` results of its
    /// analysis; `has_scale`: variable 0 is a scale that tables print first.
    void add_plot(Plot plot, bool has_scale);
    /// A line for the run's log (stderr).
    void log(std::string line) { result.log.push_back(std::move(line)); }
    /// With --stats, how the linear solver was used.
    void log_solver_stats(double seconds);
    /// The plot of the last earlier analysis of this step named `analysis`; null when none.
    const Plot* last_plot(const std::string& analysis) const;

    /// Set by a caller that keeps the circuit between runs (Session): every operating point
    /// starts from `last_solution` when it fits, as a .dc point from the one before, and the
    /// operating point and the transient leave their final solution there.
    bool warm_start = false;
    std::vector<double> last_solution;

    /// Set by a Session for ngspice's `stop when time = t` and `resume`: a transient stops at
    /// `stop_at` (> 0) and leaves its state in `pause`, and a transient run while `pause` holds
    /// one goes on from it; `paused_card` is the card of the transient that stopped.
    double stop_at = 0;
    TranPause* pause = nullptr;
    std::optional<parser::Analysis> paused_card;

    /// output_probes(circuit(), base.netlist): the large-signal plots' vectors, built once per
    /// context (a kept circuit runs again and again). Whoever rebinds `base` calls
    /// forget_probes(), since the probes point into the circuit's devices.
    const std::vector<Probe>& probes();
    void forget_probes() { probes_.reset(); }

private:
    std::optional<std::vector<Probe>> probes_;
    std::size_t first_plot_ = result.plots.size();  ///< this point's plots start here
    LinearSolver::Counts counts_at_start_;          ///< what a shared solver had done before this point
};

class Analysis {
public:
    virtual ~Analysis() = default;
    virtual void run(AnalysisContext& ctx, const parser::Analysis& card) const = 0;
    /// Runs after every other analysis of its step point, whatever the order of the cards
    /// (.four reads the transient's result, as in ngspice).
    virtual bool after_others() const { return false; }
    /// Its plot holds the circuit's unknowns at every point (.op, .dc, .tran), so each holds
    /// what any large-signal analysis' .print and .meas name; a small-signal analysis' plot
    /// (.ac, .noise, .tf, .pz) holds its own vectors.
    virtual bool large_signal() const { return false; }
    /// Elaborates the deck again while it runs (.dc over a .param or the temperature), so the
    /// deck must outlive the run's one elaboration (SimulateSettings::deck_done).
    virtual bool reads_deck() const { return false; }
};

/// The analysis registered for a card; null when none.
const Analysis* find_analysis(std::string_view card);

/// Whether the analysis of `card` is a large-signal one (Analysis::large_signal); false for a
/// card no analysis has.
bool large_signal_analysis(std::string_view card);

/// Put one `const AnalysisRegistrar registrar{"card", std::make_unique<MyAnalysis>()};` in
/// each analysis' file.
struct AnalysisRegistrar {
    AnalysisRegistrar(std::string card, std::unique_ptr<Analysis> analysis);
};

/// Runs `cards` on the context's point in the order written, the after_others ones last.
void run_cards(AnalysisContext& ctx, const std::vector<parser::Analysis>& cards);

/// Runs every analysis of the point's netlist in the order written (the after_others ones
/// last) and returns what they produced.
SimulationResult run_analyses(const parser::Deck& deck, const SimulateSettings& settings, const StepPoint& step,
                              const std::string& date, BoundNetlist& base, Newton* shared = nullptr);

}  // namespace ionspice::solver
