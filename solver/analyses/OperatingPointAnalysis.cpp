// `.op`: the DC operating point, one point of every output vector.

#include <fmt/format.h>

#include "solver/Probes.hpp"
#include "solver/analyses/Analysis.hpp"

namespace ionspice::solver {
namespace {

class OperatingPointAnalysis final : public Analysis {
public:
    bool large_signal() const override { return true; }
    void run(AnalysisContext& ctx, const parser::Analysis&) const override {
        const Circuit& c = ctx.circuit();
        auto t0 = std::chrono::steady_clock::now();
        OpReport rep;
        const std::vector<double> x = ctx.operating_point("op", &rep);
        const double solve_seconds = seconds_since(t0);

        const auto& probes = ctx.probes();
        Plot plot = ctx.new_plot("Operating Point", "op");
        plot.scalar = true;
        add_variables(plot, probes);
        append_point(plot, {}, probes, x);
        ctx.add_plot(std::move(plot), false);
        ctx.log(fmt::format(".op: {} unknowns, {} Newton iterations ({})", c.size(), rep.iterations, rep.method));
        if (ctx.settings.stats) ctx.log_solver_stats(solve_seconds);
    }
};

const AnalysisRegistrar registrar{"op", std::make_unique<OperatingPointAnalysis>()};

}  // namespace
}  // namespace ionspice::solver
