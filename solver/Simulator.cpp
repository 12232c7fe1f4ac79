#include "solver/Simulator.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "solver/BoundNetlist.hpp"
#include "solver/OutputWriters.hpp"
#include "solver/StepRunner.hpp"
#include "solver/analyses/Analysis.hpp"
#include "solver/control/ControlScript.hpp"

namespace ionspice::solver {

SimulationResult simulate(const parser::Deck& deck, const SimulateSettings& settings) {
    const std::string date = raw_date();
    auto warn_no_analysis = [&] {
        if (settings.log)
            fmt::print(*settings.log, "ionspice: warning: the netlist has no analysis (.op, .dc, .tran, .ac, .noise, .tf, .pz)\n");
    };
    // The step points come from the top-level .params alone: the deck is not elaborated with its
    // own values first, which a large deck would pay for and which need not even be valid (an
    // expression that is only defined at the stepped values).
    auto warn = [&](const SimulationResult& r) {
        if (settings.log)
            for (const auto& w : r.warnings) fmt::print(*settings.log, "{}\n", w);
    };
    if (auto steps = parser::read_steps(deck); !steps.empty()) {
        SimulationResult r = run_steps(deck, steps, settings, date);
        if (const auto script = parser::control_script(deck); !script.empty())
            r.warnings.insert(r.warnings.begin(),
                              parser::format_diagnostic(script.front().loc,
                                                        ".control is not run in a .step deck (the steps are ionspice's, "
                                                        "the script ngspice's): only the netlist's analyses ran",
                                                        "warning"));
        if (!r.holds_results) return r;  // the first process warns
        warn(r);
        if (r.plots.empty() && r.steps) warn_no_analysis();  // every analysis makes a plot per step
        return r;
    }
    if (settings.ranks && settings.ranks->size() > 1) {
        // Nothing to share: the first process runs it alone.
        if (settings.ranks->rank() != 0) {
            SimulationResult r;
            r.holds_results = false;
            return r;
        }
        if (settings.log)
            fmt::print(*settings.log, "ionspice: warning: the netlist has no .step: rank 0 runs it alone, {} other "
                                      "rank{} have nothing to do\n",
                       settings.ranks->size() - 1, settings.ranks->size() == 2 ? "" : "s");
    }
    if (!parser::control_script(deck).empty()) {
        SimulationResult r = run_control(deck, settings);
        warn(r);
        return r;
    }
    auto t0 = std::chrono::steady_clock::now();
    parser::Netlist netlist = parser::elaborate(deck);
    const double elaborate_seconds = seconds_since(t0);
    if (settings.deck_done && std::none_of(netlist.analyses.begin(), netlist.analyses.end(), [](const auto& a) {
            const Analysis* an = find_analysis(a.card);
            return an != nullptr && an->reads_deck();
        }))
        settings.deck_done();
    if (netlist.analyses.empty()) warn_no_analysis();
    // Without .step this one elaboration serves the whole run.
    const StepPoint none;
    BoundNetlist base(std::move(netlist), SourceValues{}, elaborate_seconds);
    SimulationResult r = run_analyses(deck, settings, none, date, base);
    warn(r);
    if (settings.keep_at_exit) {
        // A static pointer keeps it reachable: leak checkers (ASan) stay quiet.
        [[maybe_unused]] static BoundNetlist* kept = nullptr;
        kept = new BoundNetlist(std::move(base));
    }
    return r;
}

}  // namespace ionspice::solver
