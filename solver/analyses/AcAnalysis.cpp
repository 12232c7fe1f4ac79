// `.ac dec|oct|lin N fstart fstop`: the circuit linearised at its operating point and driven by
// the sources' `AC mag [phase]` values, solved at each frequency. The pattern and its ordering
// are those of the operating point; each frequency only refactors J = G + jωC.

#include <fmt/format.h>

#include "solver/Probes.hpp"
#include "solver/SmallSignal.hpp"
#include "solver/SweepPoints.hpp"
#include "solver/analyses/Analysis.hpp"

namespace ionspice::solver {
namespace {

class AcAnalysis final : public Analysis {
public:
    void run(AnalysisContext& ctx, const parser::Analysis& a) const override {
        auto t0 = std::chrono::steady_clock::now();
        const Circuit& c = ctx.circuit();
        const std::vector<double> op = ctx.operating_point("ac");
        const SmallSignal ss(c, ctx.options(), op);

        std::vector<std::complex<double>> excitation(c.size());
        for (const auto& d : c.devices())
            if (const auto* src = dynamic_cast<const models::IndependentSource*>(d.get()))
                if (src->ac_phasor() != 0.0) src->stamp_excitation(src->ac_phasor(), excitation.data());

        const auto probes = output_probes(c, ctx.base.netlist, ProbeSet::SmallSignal, "ac");
        Plot plot = ctx.new_plot("AC Analysis", "ac", Plot::Kind::Complex);
        plot.variables.push_back({"frequency", "frequency"});
        add_variables(plot, probes);

        const std::vector<double> frequencies = frequency_points(*a.frequencies, FrequencyGrid::EndsAtStop);
        std::vector<std::complex<double>> x;
        auto& linear = ctx.newton.linear();
        for (const double f : frequencies) {
            ss.factor(linear, f, fmt::format("the .ac point {:g} Hz", f));
            x = excitation;
            SmallSignal::solve(linear, x);
            append_point(plot, f, probes, x);
        }
        ctx.add_plot(std::move(plot), true);
        ctx.log(fmt::format(".ac: {} frequencies", frequencies.size()));
        if (ctx.settings.stats) ctx.log_solver_stats(seconds_since(t0));
    }
};

const AnalysisRegistrar registrar{"ac", std::make_unique<AcAnalysis>()};

}  // namespace
}  // namespace ionspice::solver
