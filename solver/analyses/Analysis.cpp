#include "solver/analyses/Analysis.hpp"

#include <map>

#include <fmt/format.h>

#include "solver/OutputWriters.hpp"
#include "solver/Probes.hpp"
#include "solver/SimulationError.hpp"

namespace ionspice::solver {

namespace {

std::map<std::string, std::unique_ptr<Analysis>, std::less<>>& registry() {
    static std::map<std::string, std::unique_ptr<Analysis>, std::less<>> analyses;
    return analyses;
}

}  // namespace

AnalysisRegistrar::AnalysisRegistrar(std::string card, std::unique_ptr<Analysis> analysis) {
    registry()[std::move(card)] = std::move(analysis);
}

const Analysis* find_analysis(std::string_view card) {
    auto it = registry().find(card);
    return it == registry().end() ? nullptr : it->second.get();
}

std::vector<double> AnalysisContext::operating_point(const std::string& analysis, OpReport* report) {
    std::vector<double> x(circuit().size(), 0.0);
    OpSettings os;
    os.max_iterations = options().itl1;
    os.nodesets = nodeset_ties(circuit(), base.netlist);
    if (analysis != "op") os.where = "the operating point of the ." + analysis;
    if (warm_start && last_solution.size() == x.size()) {
        x = last_solution;
        os.cold_start = false;
        os.continuation_iterations = options().itl2;
        // Between a kept circuit's runs typically one device changed: its matrix barely moved.
        os.reuse_factorization = true;
    }
    OpReport r = solve_operating_point(circuit(), options(), newton, x, os);
    if (report) *report = r;
    if (warm_start) last_solution = x;
    return x;
}

const std::vector<Probe>& AnalysisContext::probes() {
    if (!probes_) probes_ = output_probes(circuit(), base.netlist, ProbeSet::LargeSignal, "", options().save_currents);
    return *probes_;
}

Plot AnalysisContext::new_plot(const std::string& name, const std::string& analysis, Plot::Kind kind) const {
    Plot p;
    p.title = stepped_title(base.netlist.title, step.values);
    p.name = name;
    p.date = date;
    p.analysis = analysis;
    p.kind = kind;
    p.step = step.values;
    return p;
}

bool large_signal_analysis(std::string_view card) {
    const Analysis* a = find_analysis(card);
    return a != nullptr && a->large_signal();
}

void AnalysisContext::add_plot(Plot plot, bool has_scale) {
    const std::string kind = plot.analysis;
    result.plots.push_back(std::move(plot));
    const Plot& p = result.plots.back();
    const std::size_t index = result.plots.size() - 1;
    const parser::Netlist& n = base.netlist;
    for (auto& r : measure_plot(p, index, n.measures)) result.measures.push_back(std::move(r));
    const bool large_signal = large_signal_analysis(kind);
    for (const auto& pr : n.prints) {
        // A .print without an analysis is for the large-signal plots, as before .ac existed.
        if (pr.analysis.empty() ? !large_signal : pr.analysis != kind) continue;
        PrintTable t;
        t.plot = index;
        if (has_scale) t.columns.push_back({0, "", p.variables[0].name});
        for (std::size_t k = 0; k < pr.items.size(); ++k) {
            const std::string& item = pr.items[k];
            if (item == "all") {
                for (std::size_t v = has_scale ? 1 : 0; v < p.variables.size(); ++v)
                    t.columns.push_back({static_cast<int>(v), "", p.variables[v].name});
                continue;
            }
            // A vector of the plot by name (transfer_function, onoise_spectrum), else a probe of
            // the circuit, through a vector function on a complex plot (vdb(out)).
            int column = p.find(item);
            std::string fn;
            if (column < 0 && p.is_complex())
                for (const auto& r : vector_fn_readings(item))
                    if (column < 0 && (column = p.find(r.vector)) >= 0) fn = r.fn;
            if (column < 0 && !large_signal && !p.is_complex()) continue;  // a vector of another noise plot
            if (column < 0) column = p.find(resolve_probe(circuit(), item, pr.item_locs[k]).var.name);
            if (column < 0) continue;  // not a vector of this kind of plot (.print without an analysis)
            t.columns.push_back({column, fn, item});
        }
        if (t.columns.size() > (has_scale ? 1u : 0u)) result.prints.push_back(std::move(t));
    }
}

void AnalysisContext::log_solver_stats(double seconds) {
    auto& k = newton.linear();
    const LinearSolver::Counts c = k.counts();
    log(fmt::format("  solve {:.3f} s: {} factorisations, {} refactorisations, {} solves, {} symbolic analyses ({})",
                    seconds, c.factors - counts_at_start_.factors, c.refactors - counts_at_start_.refactors,
                    c.solves - counts_at_start_.solves, c.analyses - counts_at_start_.analyses, k.path()));
}

const Plot* AnalysisContext::last_plot(const std::string& analysis) const {
    for (std::size_t k = result.plots.size(); k-- > first_plot_;)
        if (result.plots[k].analysis == analysis) return &result.plots[k];
    return nullptr;
}

SimulationResult run_analyses(const parser::Deck& deck, const SimulateSettings& settings, const StepPoint& step,
                              const std::string& date, BoundNetlist& base, Newton* shared) {
    SimulationResult result;
    result.warnings = base.warnings();
    AnalysisContext ctx(deck, settings, step, date, base, result, shared);
    if (settings.stats)
        ctx.log(fmt::format("elaborate {:.3f} s, bind {:.3f} s ({} devices, {} unknowns, {} matrix entries)",
                            base.elaborate_seconds, base.bind_seconds, base.circuit->devices().size(),
                            base.circuit->size(), base.circuit->nnz()));
    run_cards(ctx, base.netlist.analyses);
    return result;
}

void run_cards(AnalysisContext& ctx, const std::vector<parser::Analysis>& cards) {
    for (const bool later : {false, true})
        for (const auto& card : cards) {
            const Analysis* a = find_analysis(card.card);
            if (!a) throw parser::NetlistError(card.loc, fmt::format("analysis '.{}' is not supported", card.card));
            if (a->after_others() == later) a->run(ctx, card);
        }
}

}  // namespace ionspice::solver
