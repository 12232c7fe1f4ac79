// `.tran tstep tstop [tstart [tmax]] [uic]`: the DAE integrated from the operating point (or
// from the initial conditions with uic), every accepted point from tstart on written.

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "solver/Probes.hpp"
#include "solver/Transient.hpp"
#include "solver/analyses/Analysis.hpp"

namespace ionspice::solver {
namespace {

class TransientAnalysis final : public Analysis {
public:
    bool large_signal() const override { return true; }
    void run(AnalysisContext& ctx, const parser::Analysis& a) const override {
        auto t0 = std::chrono::steady_clock::now();
        const Circuit& c = ctx.circuit();
        const parser::Netlist& n = ctx.base.netlist;
        for (const auto& d : c.devices()) {
            try {
                d->set_transient_defaults(a.tstep, a.tstop);
            } catch (const models::DeviceError& e) {
                // What a run of this length asks of a device (TRNOISE's samples, read noise's).
                throw parser::NetlistError(c.element_of(d.get()).loc, e.what());
            }
        }

        TranSettings ts;
        ts.tstep = a.tstep;
        ts.tstop = a.tstop;
        ts.tstart = a.tstart;
        ts.tmax = a.tmax.value_or(0);
        ts.uic = a.uic;
        ts.nodesets = nodeset_ties(c, n);
        for (const auto& ic : n.ics) {
            int i = node_or_throw(c, ic.node, ic.loc);
            if (i >= 0) ts.ics.emplace_back(i, ic.value);
        }
        if (ctx.settings.log && ::isatty(2)) ts.progress = ctx.settings.log;

        const auto& probes = ctx.probes();
        Plot plot = ctx.new_plot("Transient Analysis", "tran");
        plot.variables.push_back({"time", "time"});
        add_variables(plot, probes);
        std::vector<double> head(1);
        ts.want_rates = std::any_of(probes.begin(), probes.end(), [](const Probe& p) { return p.uses_rates(); });
        ts.stop_at = ctx.stop_at;
        TranStats st = run_transient(
            c, ctx.options(), ctx.newton, ts,
            [&](double t, const std::vector<double>& x, const std::vector<double>* xdot) {
                head[0] = t;
                append_point(plot, head, probes, x, xdot);
                if (ctx.warm_start) ctx.last_solution = x;
            },
            ctx.pause);
        if (ctx.pause && ctx.pause->paused) ctx.paused_card = a;
        const std::size_t points = plot.points();
        ctx.add_plot(std::move(plot), true);
        ctx.log(fmt::format(".tran: {} points, {} steps rejected (error), {} cut (Newton), {} Newton iterations{}",
                            points, st.rejected_error, st.rejected_newton, st.iterations,
                            ctx.pause && ctx.pause->paused
                                ? fmt::format(", stopped at t = {:g} s (resume goes on)", ctx.pause->t)
                                : ""));
        if (ctx.settings.stats) ctx.log_solver_stats(seconds_since(t0));
    }
};

const AnalysisRegistrar registrar{"tran", std::make_unique<TransientAnalysis>()};

}  // namespace
}  // namespace ionspice::solver
