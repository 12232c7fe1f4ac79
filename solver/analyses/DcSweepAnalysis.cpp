// `.dc`: operating points over one or more swept sources or .params. The first variable written
// is the inner one and the plot's scale (ngspice's v(v-sweep), i(i-sweep) or the parameter's
// name); each outer variable is a vector of its own. Every point starts from the previous
// solution; a swept .param (or the temperature, `temp`) re-elaborates the netlist at each of its
// values.

#include <algorithm>

#include <fmt/format.h>

#include "solver/OperatingPoint.hpp"
#include "solver/Probes.hpp"
#include "solver/SweepPoints.hpp"
#include "solver/analyses/Analysis.hpp"

namespace ionspice::solver {
namespace {

using parser::NetlistError;

/// A swept variable resolved: a source of the circuit, or a .param.
struct Sweep {
    const parser::SweepSpec* spec;
    std::vector<double> values;
    bool is_param = false;  ///< re-elaborated at each value: a .param or the temperature
    bool is_voltage = true;
    std::string key;        ///< the elaborate() override a re-elaborated sweep sets
};

models::IndependentSource* source(const BoundNetlist& b, const std::string& name) {
    return dynamic_cast<models::IndependentSource*>(b.circuit->find_device(name));
}

std::vector<Sweep> resolve_sweeps(const AnalysisContext& ctx, const parser::Analysis& a) {
    std::vector<Sweep> sweeps;
    for (const auto& s : a.sweeps) {
        Sweep sw{&s, sweep_values(s)};
        auto* dev = source(ctx.base, s.name);
        const bool is_global_param = std::any_of(ctx.base.netlist.params.begin(), ctx.base.netlist.params.end(),
                                                 [&](const parser::Param& p) { return p.name == s.name; });
        if (s.param_keyword || (!dev && is_global_param)) {
            if (!is_global_param)
                throw NetlistError(s.loc, fmt::format("'.dc param {}': no .param named '{}'", s.name, s.name));
            sw.is_param = true;
            sw.key = s.name;
        } else if (!dev && s.name == "temp") {
            // ngspice's temperature sweep: every device (and `temper`) sees each value.
            sw.is_param = true;
            sw.key = parser::kTemperatureOverride;
        } else if (dev) {
            sw.is_voltage = dev->is_voltage();
        } else {
            throw NetlistError(s.loc, fmt::format("'.dc' cannot sweep '{}': it is neither an independent source nor a "
                                                  ".param",
                                                  s.name));
        }
        sweeps.push_back(std::move(sw));
    }
    return sweeps;
}

class DcSweepAnalysis final : public Analysis {
public:
    bool large_signal() const override { return true; }
    bool reads_deck() const override { return true; }  // a .param or temperature sweep re-binds
    void run(AnalysisContext& ctx, const parser::Analysis& a) const override {
        auto t0 = std::chrono::steady_clock::now();
        const std::vector<Sweep> sweeps = resolve_sweeps(ctx, a);
        auto kind_of = [](const Sweep& s) { return s.is_param ? "notype" : s.is_voltage ? "voltage" : "current"; };

        Plot plot = ctx.new_plot("DC transfer characteristic", "dc");
        const Sweep& inner = sweeps.front();
        if (inner.is_param)
            plot.variables.push_back({inner.key == parser::kTemperatureOverride ? "temp-sweep" : inner.spec->name,
                                      "notype"});
        else
            plot.variables.push_back(inner.is_voltage ? Variable{"v(v-sweep)", "voltage"}
                                                      : Variable{"i(i-sweep)", "current"});
        for (std::size_t k = 1; k < sweeps.size(); ++k) plot.variables.push_back({sweeps[k].spec->name, kind_of(sweeps[k])});

        const bool any_param = std::any_of(sweeps.begin(), sweeps.end(), [](const Sweep& s) { return s.is_param; });
        std::unique_ptr<BoundNetlist> swept;  // the circuit with swept .param values, when any
        std::map<std::string, double> current_overrides;
        BoundNetlist* bound = &ctx.base;

        // Swept sources get their values back after the sweep: later analyses see the card's.
        std::vector<std::pair<std::string, double>> restore;
        for (const auto& s : sweeps)
            if (!s.is_param) restore.emplace_back(s.spec->name, source(ctx.base, s.spec->name)->dc_value());

        std::vector<Probe> probes = output_probes(*bound->circuit, bound->netlist, ProbeSet::LargeSignal, "", bound->options.save_currents);
        add_variables(plot, probes);

        std::vector<std::size_t> idx(sweeps.size(), 0);
        std::vector<double> x(bound->circuit->size(), 0.0);
        bool have_solution = false;
        long total_iterations = 0, points = 0;
        while (true) {
            if (any_param) {
                std::map<std::string, double> ov = ctx.step.params;
                for (std::size_t k = 0; k < sweeps.size(); ++k)
                    if (sweeps[k].is_param) ov[sweeps[k].key] = sweeps[k].values[idx[k]];
                if (ov != current_overrides || !swept) {
                    swept = std::make_unique<BoundNetlist>(ctx.deck, ov, ctx.step.sources);
                    current_overrides = ov;
                    bound = swept.get();
                    if (bound->circuit->size() != static_cast<int>(x.size())) {
                        x.assign(bound->circuit->size(), 0.0);
                        have_solution = false;
                    }
                    probes = output_probes(*bound->circuit, bound->netlist, ProbeSet::LargeSignal, "", bound->options.save_currents);
                }
            }
            std::vector<double> head;
            std::string where;
            for (std::size_t k = 0; k < sweeps.size(); ++k) {
                const double v = sweeps[k].values[idx[k]];
                head.push_back(v);
                where += fmt::format("{}{} = {:g}", k ? ", " : "", sweeps[k].spec->name, v);
                if (!sweeps[k].is_param) source(*bound, sweeps[k].spec->name)->set_dc_value(v);
            }
            const Circuit& c = *bound->circuit;
            OpSettings os;
            os.cold_start = !have_solution;
            os.max_iterations = bound->options.itl1;
            os.continuation_iterations = have_solution ? bound->options.itl2 : 0;
            if (!have_solution) os.nodesets = nodeset_ties(c, bound->netlist);
            os.where = "the DC point " + where;
            total_iterations += solve_operating_point(c, bound->options, ctx.newton, x, os).iterations;
            have_solution = true;
            append_point(plot, head, probes, x);
            ++points;

            std::size_t k = 0;
            while (k < sweeps.size() && ++idx[k] == sweeps[k].values.size()) idx[k++] = 0;
            if (k == sweeps.size()) break;
        }
        for (const auto& [name, v] : restore) source(ctx.base, name)->set_dc_value(v);

        ctx.add_plot(std::move(plot), true);
        ctx.log(fmt::format(".dc: {} points, {} Newton iterations", points, total_iterations));
        if (ctx.settings.stats) ctx.log_solver_stats(seconds_since(t0));
    }
};

const AnalysisRegistrar registrar{"dc", std::make_unique<DcSweepAnalysis>()};

}  // namespace
}  // namespace ionspice::solver
