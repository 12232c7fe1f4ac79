// `.noise v(out[,ref]) src dec|oct|lin N f1 f2 [pts_per_summary]`: the noise at an output from
// every device's noise generators, and the same referred to the input source, as ngspice
// computes it. At each frequency, with J = G + jωC at the operating point:
//   - the gain H from the input source (a unit small-signal value of it) to the output;
//   - the adjoint solve Jᵀ·y = e_out, so that a unit current injected from node p into n
//     reaches the output as y_p − y_n (one solve for every generator at once);
//   - onoise² = Σ |y_p − y_n|²·S(f) over the generators, inoise² = onoise² / |H|².
// The totals integrate each generator's density over frequency separately, taking it as a
// power law between two frequencies (ngspice's rule, exact for thermal and 1/f noise), and are
// written as the square roots (V or A).

#include <cmath>

#include <fmt/format.h>

#include "solver/Probes.hpp"
#include "solver/SmallSignal.hpp"
#include "solver/SweepPoints.hpp"
#include "solver/analyses/Analysis.hpp"

namespace ionspice::solver {
namespace {

constexpr double kMinLog = 1e-38;   ///< the smallest density whose logarithm is taken
constexpr double kMinGain = 1e-20;  ///< the smallest |H|² an input-referred density divides by
constexpr double kFlatSlope = 1e-10;  ///< below it a log-log slope counts as zero

/// What the integration of one density between the previous and the present frequency needs.
struct Interval {
    double f = 0, f_last = 0;
    double ln_f = 0, ln_f_last = 0;
};

/// ∫ S df from f_last to f for S a power law through (f_last, S_last) and (f, S), given as ln S.
double integrate(double density, double ln_density, double ln_last, const Interval& iv) {
    const double exponent = (ln_density - ln_last) / (iv.ln_f - iv.ln_f_last);
    if (std::fabs(exponent) < kFlatSlope) return density * (iv.f - iv.f_last);
    auto limexp = [](double v) { return v > 700 ? std::exp(700.0) * (1.0 + v - 700.0) : std::exp(v); };
    const double a = limexp(ln_density - exponent * iv.ln_f);
    const double e1 = exponent + 1.0;
    if (std::fabs(e1) < kFlatSlope) return a * (iv.ln_f - iv.ln_f_last);
    return a * (limexp(e1 * iv.ln_f) - limexp(e1 * iv.ln_f_last)) / e1;
}

/// One device's generators, and what it has integrated.
struct DeviceNoise {
    std::string device;
    std::vector<models::NoiseSource> sources;
    std::vector<double> density;          ///< at the present frequency, per source
    std::vector<double> ln_last;          ///< ln of the density at the previous frequency
    std::vector<double> out_total, in_total;  ///< integrated so far, per source
};

class NoiseAnalysis final : public Analysis {
public:
    void run(AnalysisContext& ctx, const parser::Analysis& a) const override {
        auto t0 = std::chrono::steady_clock::now();
        const Circuit& c = ctx.circuit();
        const Probe out = resolve_probe(c, a.output, a.output_loc);
        if (out.var.type != "voltage")
            throw parser::NetlistError(a.output_loc, "'.noise' needs an output voltage, v(out) or v(out,ref)");
        const models::IndependentSource& in = independent_source(c, a.input, a.input_loc, ".noise");
        if (in.ac_phasor() == 0.0)
            throw parser::NetlistError(a.input_loc, fmt::format("'.noise': the input source '{}' has no AC value "
                                                                "(write 'AC 1' on it)",
                                                                a.input));

        const std::vector<double> op = ctx.operating_point("noise");
        const SmallSignal ss(c, ctx.options(), op);
        std::vector<DeviceNoise> devices;
        for (const auto& d : c.devices()) {
            DeviceNoise dn{d->name()};
            d->noise(op.data(), dn.sources);
            if (dn.sources.empty()) continue;
            const std::size_t k = dn.sources.size();
            dn.density.assign(k, 0.0);
            dn.ln_last.assign(k, 0.0);
            dn.out_total.assign(k, 0.0);
            dn.in_total.assign(k, 0.0);
            devices.push_back(std::move(dn));
        }

        // Vectors: each device's generators and their sum when summaries are asked for, then
        // the two spectra, as ngspice orders them.
        const bool summary = a.points_per_summary > 0;
        Plot density = ctx.new_plot("Noise Spectral Density Curves", "noise");
        density.variables.push_back({"frequency", "frequency"});
        const char* kind = in.is_voltage() ? "voltage-density" : "current-density";
        if (summary)
            for (const auto& d : devices) {
                for (const auto& s : d.sources) density.variables.push_back({generator_name("onoise_", d, s), "voltage-density"});
                density.variables.push_back({"onoise_" + d.device, "voltage-density"});
            }
        density.variables.push_back({"onoise_spectrum", "voltage-density"});
        density.variables.push_back({"inoise_spectrum", kind});

        const std::vector<double> frequencies = frequency_points(*a.frequencies, FrequencyGrid::PerDecade);
        auto& linear = ctx.newton.linear();
        std::vector<std::complex<double>> x(c.size()), y(c.size());
        double out_total = 0, in_total = 0;
        Interval iv;
        for (std::size_t step = 0; step < frequencies.size(); ++step) {
            const double f = frequencies[step];
            ss.factor(linear, f, fmt::format("the .noise point {:g} Hz", f));
            std::fill(x.begin(), x.end(), 0.0);
            in.stamp_excitation(1.0, x.data());
            SmallSignal::solve(linear, x);
            const double gain_sq_inv = 1.0 / std::max(std::norm(out.value(x)), kMinGain);
            const double ln_gain_inv = std::log(gain_sq_inv);

            std::fill(y.begin(), y.end(), 0.0);
            if (out.plus >= 0) y[out.plus] = 1.0;
            if (out.minus >= 0) y[out.minus] = -1.0;
            linear.solve_transposed(y);

            iv.f_last = step ? iv.f : f;
            iv.f = f;
            iv.ln_f_last = std::log(std::max(iv.f_last, kMinLog));
            iv.ln_f = std::log(std::max(f, kMinLog));
            double onoise = 0;
            for (auto& d : devices)
                for (std::size_t k = 0; k < d.sources.size(); ++k) {
                    const auto& s = d.sources[k];
                    const std::complex<double> yp = s.plus >= 0 ? y[s.plus] : 0.0;
                    const std::complex<double> yn = s.minus >= 0 ? y[s.minus] : 0.0;
                    const double dens = std::norm(yp - yn) * s.density(f);
                    const double ln_dens = std::log(std::max(dens, kMinLog));
                    d.density[k] = dens;
                    onoise += dens;
                    if (step > 0 && iv.f != iv.f_last) {
                        const double o = integrate(dens, ln_dens, d.ln_last[k], iv);
                        const double i = integrate(dens * gain_sq_inv, ln_dens + ln_gain_inv, d.ln_last[k] + ln_gain_inv, iv);
                        d.out_total[k] += o;
                        d.in_total[k] += i;
                        out_total += o;
                        in_total += i;
                    }
                    d.ln_last[k] = ln_dens;
                }
            if (summary && step % static_cast<std::size_t>(a.points_per_summary) != 0) continue;
            density.values.push_back(f);
            if (summary)
                for (const auto& d : devices) {
                    double sum = 0;
                    for (double v : d.density) density.values.push_back(std::sqrt(v)), sum += v;
                    density.values.push_back(std::sqrt(sum));
                }
            density.values.push_back(std::sqrt(onoise));
            density.values.push_back(std::sqrt(onoise * gain_sq_inv));
        }
        ctx.add_plot(std::move(density), true);

        // The totals: only over a range of frequencies, as ngspice.
        if (frequencies.size() > 1) {
            Plot totals = ctx.new_plot("Integrated Noise", "noise");
            totals.scalar = true;
            const char* in_kind = in.is_voltage() ? "voltage" : "current";
            if (summary)
                for (const auto& d : devices) {
                    double o = 0, i = 0;
                    for (std::size_t k = 0; k < d.sources.size(); ++k) {
                        totals.variables.push_back({generator_name("onoise_total_", d, d.sources[k]), "voltage"});
                        totals.variables.push_back({generator_name("inoise_total_", d, d.sources[k]), in_kind});
                        totals.values.push_back(std::sqrt(d.out_total[k]));
                        totals.values.push_back(std::sqrt(d.in_total[k]));
                        o += d.out_total[k];
                        i += d.in_total[k];
                    }
                    totals.variables.push_back({"onoise_total_" + d.device, "voltage"});
                    totals.variables.push_back({"inoise_total_" + d.device, in_kind});
                    totals.values.push_back(std::sqrt(o));
                    totals.values.push_back(std::sqrt(i));
                }
            totals.variables.push_back({"onoise_total", "voltage"});
            totals.variables.push_back({"inoise_total", in_kind});
            totals.values.push_back(std::sqrt(out_total));
            totals.values.push_back(std::sqrt(in_total));
            ctx.add_plot(std::move(totals), false);
        }
        ctx.log(fmt::format(".noise: {} frequencies, {} noise generators in {} devices", frequencies.size(),
                            count_sources(devices), devices.size()));
        if (ctx.settings.stats) ctx.log_solver_stats(seconds_since(t0));
    }

private:
    /// ngspice's summary names: onoise_r1_thermal, onoise_d1_id, …
    static std::string generator_name(const char* prefix, const DeviceNoise& d, const models::NoiseSource& s) {
        return s.name.empty() ? prefix + d.device : fmt::format("{}{}_{}", prefix, d.device, s.name);
    }
    static std::size_t count_sources(const std::vector<DeviceNoise>& devices) {
        std::size_t n = 0;
        for (const auto& d : devices) n += d.sources.size();
        return n;
    }
};

const AnalysisRegistrar registrar{"noise", std::make_unique<NoiseAnalysis>()};

}  // namespace
}  // namespace ionspice::solver
