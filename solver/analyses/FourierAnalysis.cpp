// `.four freq v1 v2 …`: the harmonics of vectors of the transient, as ngspice computes them:
// the last period of the fundamental (tstop − 1/f to tstop) is sampled on a uniform grid of 200
// points by linear interpolation between the accepted time points, and the Fourier
// coefficients of harmonics 0–9 are summed over that grid; THD is the root sum of squares of
// harmonics 2–9 relative to the fundamental. Printed as ngspice prints them.

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "solver/Probes.hpp"
#include "solver/SimulationError.hpp"
#include "solver/analyses/Analysis.hpp"

namespace ionspice::solver {
namespace {

constexpr int kHarmonics = 10;   ///< ngspice's nfreqs
constexpr int kGridSize = 200;   ///< ngspice's fourgridsize

/// ngspice's number format: 6 significant digits, 5 for negative numbers.
std::string number(double v) { return v < 0 ? fmt::format("{:.5g}", v) : fmt::format("{:.6g}", v); }

class FourierAnalysis final : public Analysis {
public:
    bool after_others() const override { return true; }

    void run(AnalysisContext& ctx, const parser::Analysis& a) const override {
        const Plot* tran = ctx.last_plot("tran");
        if (!tran) throw parser::NetlistError(a.loc, "'.four' needs a '.tran' analysis to take its harmonics from");
        const std::size_t n = tran->points();
        const double t_end = tran->at(n - 1, 0), t_begin = tran->at(0, 0);
        const double period = 1 / a.fundamental;
        if (t_end - t_begin < period)
            throw parser::NetlistError(a.loc, fmt::format("'.four {:g}': one period ({:g} s) is longer than the "
                                                          "transient ({:g} s)",
                                                          a.fundamental, period, t_end - t_begin));
        std::string text;
        for (std::size_t k = 0; k < a.vectors.size(); ++k) {
            const Probe probe = resolve_probe(ctx.circuit(), a.vectors[k], a.vector_locs[k]);
            const int var = tran->find(probe.var.name);
            if (var < 0) throw SimulationError(fmt::format("'.four': {} is not in the transient", probe.var.name));
            text += harmonics(*tran, var, a.fundamental, t_end - period, t_end);
        }
        const std::size_t plot = static_cast<std::size_t>(tran - ctx.result.plots.data());
        ctx.result.reports.push_back({plot, std::move(text)});
    }

private:
    static std::string harmonics(const Plot& p, int var, double f0, double t0, double t1) {
        // The grid: kGridSize points from t0, the last one a grid step before t1.
        const std::size_t n = p.points();
        const double dt = (t1 - t0) / kGridSize;
        std::vector<double> sin_sum(kHarmonics, 0.0), cos_sum(kHarmonics, 0.0);
        std::size_t seg = 0;
        for (int i = 0; i < kGridSize; ++i) {
            const double t = t0 + i * dt;
            while (seg + 2 < n && p.at(seg + 1, 0) < t) ++seg;
            const double ta = p.at(seg, 0), tb = p.at(seg + 1, 0);
            const double ya = p.at(seg, var), yb = p.at(seg + 1, var);
            const double y = tb > ta ? ya + (yb - ya) * (t - ta) / (tb - ta) : ya;
            for (int h = 0; h < kHarmonics; ++h) {
                const double arg = h * 2.0 * std::numbers::pi * i / kGridSize;
                sin_sum[h] += y * std::sin(arg);
                cos_sum[h] += y * std::cos(arg);
            }
        }
        // c_h = (2/N)·Σ y·cos, s_h = (2/N)·Σ y·sin; magnitude hypot(s, c), phase atan2(c, s) in
        // degrees (a sine has phase 0); harmonic 0 is the mean.
        std::vector<double> freq(kHarmonics, 0.0), mag(kHarmonics, 0.0), phase(kHarmonics, 0.0);
        std::vector<double> nmag(kHarmonics, 0.0), nphase(kHarmonics, 0.0);
        mag[0] = cos_sum[0] / kGridSize;
        double thd = 0;
        for (int h = 1; h < kHarmonics; ++h) {
            const double s = sin_sum[h] * 2.0 / kGridSize, c = cos_sum[h] * 2.0 / kGridSize;
            freq[h] = h * f0;
            mag[h] = std::hypot(s, c);
            phase[h] = std::atan2(c, s) * 180.0 / std::numbers::pi;
        }
        for (int h = 1; h < kHarmonics; ++h) {
            nmag[h] = mag[h] / mag[1];
            nphase[h] = phase[h] - phase[1];
            if (h > 1) thd += nmag[h] * nmag[h];
        }
        thd = 100 * std::sqrt(thd);

        constexpr int w = 11;
        std::string out = fmt::format("Fourier analysis for {}:\n", p.variables[var].name);
        out += fmt::format("  No. Harmonics: {}, THD: {} %, Gridsize: {}, Interpolation Degree: 1, No. Periods: 1\n\n",
                           kHarmonics, fmt::format("{:g}", thd), kGridSize);
        out += fmt::format("Harmonic {:<{}} {:<{}} {:<{}} {:<{}} {:<{}}\n", "Frequency", w, "Magnitude", w, "Phase", w,
                           "Norm. Mag", w, "Norm. Phase", w);
        out += fmt::format("-------- {:<{}} {:<{}} {:<{}} {:<{}} {:<{}}\n", "---------", w, "---------", w, "-----", w,
                           "---------", w, "-----------", w);
        for (int h = 0; h < kHarmonics; ++h)
            out += fmt::format(" {:<4}    {:<{}} {:<{}} {:<{}} {:<{}} {:<{}}\n", h, number(freq[h]), w, number(mag[h]), w,
                               number(phase[h]), w, number(nmag[h]), w, number(nphase[h]), w);
        out += "\n";
        return out;
    }
};

const AnalysisRegistrar registrar{"four", std::make_unique<FourierAnalysis>()};

}  // namespace
}  // namespace ionspice::solver
