// `.tf outvar insrc`: the DC small-signal transfer function from an independent source to an
// output voltage v(a[,b]) or current i(vx), with the input resistance seen by the source and the
// output resistance at the output, as ngspice's three vectors. Two solves with the operating
// point's Jacobian G: one for a unit change of the input, one for a unit current drawn from the
// output (or a unit voltage in series with the output's source).

#include <cmath>

#include <fmt/format.h>

#include "solver/Probes.hpp"
#include "solver/SmallSignal.hpp"
#include "solver/analyses/Analysis.hpp"

namespace ionspice::solver {
namespace {

class TransferFunctionAnalysis final : public Analysis {
public:
    void run(AnalysisContext& ctx, const parser::Analysis& a) const override {
        const Circuit& c = ctx.circuit();
        const models::IndependentSource& in = independent_source(c, a.input, a.input_loc, ".tf");
        const Probe out = resolve_probe(c, a.output, a.output_loc);
        if (out.device || out.var.type == "notype")
            throw parser::NetlistError(a.output_loc, "'.tf' needs an output voltage v(a), v(a,b) or a current i(vx)");
        const bool out_is_current = out.var.type == "current";

        const std::vector<double> op = ctx.operating_point("tf");
        const SmallSignal ss(c, ctx.options(), op, SmallSignal::At::Dc);
        auto& linear = ctx.newton.linear();
        ss.factor(linear, 0.0, "the .tf operating point");

        // A unit input: 1 V, or 1 A from the source's + node through it to its − node.
        std::vector<std::complex<double>> x(c.size());
        in.stamp_excitation(1.0, x.data());
        SmallSignal::solve(linear, x);
        const double transfer = out.value(x).real();
        double input_impedance;
        const int in_branch = c.branch_index(in.name());
        if (in.is_voltage()) {
            // The source's branch current is positive into its + terminal: the circuit draws −i.
            const double i = x[in_branch].real();
            input_impedance = std::fabs(i) < 1e-20 ? 1e20 : -1 / i;
        } else {
            input_impedance = -probe_of_source(c, in).value(x).real();
        }

        double output_impedance;
        const std::string out_source = out_is_current ? a.output.substr(2, a.output.size() - 3) : "";
        if (out_is_current && out_source == in.name()) {
            output_impedance = input_impedance;
        } else {
            std::fill(x.begin(), x.end(), 0.0);
            if (out_is_current) {
                x[out.plus] -= 1.0;  // a unit voltage in series with the output's branch
            } else {
                // 1 A drawn out of the output's + node and returned into its − node.
                if (out.plus >= 0) x[out.plus] += 1.0;
                if (out.minus >= 0) x[out.minus] -= 1.0;
            }
            SmallSignal::solve(linear, x);
            output_impedance = out_is_current ? 1 / std::max(1e-20, x[out.plus].real()) : -out.value(x).real();
        }

        Plot plot = ctx.new_plot("Transfer Function", "tf");
        plot.scalar = true;
        plot.variables = {{"transfer_function", "notype"},
                          {in.name() + "#input_impedance", "impedance"},
                          {out_is_current ? out_source + "#output_impedance" : "output_impedance_at_" + a.output,
                           "impedance"}};
        plot.values = {transfer, input_impedance, output_impedance};
        ctx.add_plot(std::move(plot), false);
        ctx.log(fmt::format(".tf: {} to {}", a.input, a.output));
    }

private:
    /// v(+) − v(−) of a current source's terminals.
    static Probe probe_of_source(const Circuit& c, const models::IndependentSource& s) {
        const auto& e = c.element_of(&s);
        return Probe{{}, c.node_index(e.nodes[0]), c.node_index(e.nodes[1])};
    }
};

const AnalysisRegistrar registrar{"tf", std::make_unique<TransferFunctionAnalysis>()};

}  // namespace
}  // namespace ionspice::solver
