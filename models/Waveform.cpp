#include "models/Waveform.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ionspice::models {

double arg_or(const Waveform& w, std::size_t k, double fallback) { return k < w.args.size() ? w.args[k] : fallback; }

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

const char* kind_name(Waveform::Kind k) {
    switch (k) {
        case Waveform::Kind::Pulse:
            return "pulse";
        case Waveform::Kind::Pwl:
            return "pwl";
        case Waveform::Kind::Sin:
            return "sin";
        case Waveform::Kind::Exp:
            return "exp";
        case Waveform::Kind::Sffm:
            return "sffm";
        case Waveform::Kind::Am:
            return "am";
        case Waveform::Kind::Trnoise:
            return "trnoise";
        case Waveform::Kind::Trrandom:
            return "trrandom";
        case Waveform::Kind::None:
            break;
    }
    return "dc";
}

/// A phase argument k, written in degrees (0 when left out), in radians.
double phase_arg(const Waveform& w, std::size_t k) { return arg_or(w, k, 0.0) * std::numbers::pi / 180.0; }

/// Argument k, or `fallback` when it is left out or zero (ngspice treats both alike).
double nonzero_arg_or(const Waveform& w, std::size_t k, double fallback) {
    return k < w.args.size() && w.args[k] != 0 ? w.args[k] : fallback;
}

struct Pulse {
    double v1, v2;          ///< V or A
    double td, tr, tf, pw;  ///< s
    double per;             ///< s
    double np;              ///< number of pulses; 0: unlimited
};

Pulse pulse_of(const Waveform& w, const TransientDefaults& d) {
    return {w.args[0],
            w.args[1],
            arg_or(w, 2, 0.0),
            nonzero_arg_or(w, 3, d.tstep),
            nonzero_arg_or(w, 4, d.tstep),
            nonzero_arg_or(w, 5, d.tstop),
            nonzero_arg_or(w, 6, d.tstop),
            arg_or(w, 7, 0.0)};
}

/// Index into args of the PWL point the r= repetition restarts from; -1 without repetition
/// (none given, or r < 0: ngspice's "r=-1" switches repetition off).
int pwl_repeat_index(const Waveform& w) {
    if (!w.repeat || *w.repeat < -0.5) return -1;
    for (std::size_t i = 0; i + 1 < w.args.size(); i += 2) {
        const double t = w.args[i];
        if (std::fabs(t - *w.repeat) <= 1e-12 * std::max(std::fabs(t), 1e-12)) return static_cast<int>(i);
    }
    return -1;
}

double pulse_value(const Waveform& w, double t, const TransientDefaults& d) {
    const Pulse p = pulse_of(w, d);
    double time = t - p.td;
    // With NP pulses the source rests at v1 after NP periods.
    const double tmax = p.np > 0 ? p.np * p.per : kInf;
    if (time > tmax) return p.v1;
    if (time > p.per) time -= p.per * std::floor(time / p.per);
    if (time <= 0 || time >= p.tr + p.pw + p.tf) return p.v1;
    if (time >= p.tr && time <= p.tr + p.pw) return p.v2;
    if (time < p.tr) return p.v1 + (p.v2 - p.v1) * time / p.tr;
    return p.v2 + (p.v1 - p.v2) * (time - (p.tr + p.pw)) / p.tf;
}

double sin_value(const Waveform& w, double t, const TransientDefaults& d) {
    const double vo = w.args[0];
    const double va = w.args[1];
    const double freq = nonzero_arg_or(w, 2, 1 / d.tstop);  // Hz
    const double td = arg_or(w, 3, 0.0);
    const double theta = arg_or(w, 4, 0.0);  // 1/s
    const double phase = phase_arg(w, 5);
    // v = vo + va·sin(2π·f·(t − td) + φ)·e^(−θ·(t − td)) after the delay, vo + va·sin(φ) before.
    const double time = t - td;
    if (time <= 0) return vo + va * std::sin(phase);
    return vo + va * std::sin(freq * time * 2.0 * std::numbers::pi + phase) * std::exp(-time * theta);
}

double exp_value(const Waveform& w, double t, const TransientDefaults& d) {
    const double v1 = w.args[0];
    const double v2 = w.args[1];
    const double td1 = nonzero_arg_or(w, 2, d.tstep);
    const double tau1 = nonzero_arg_or(w, 3, d.tstep);
    const double td2 = nonzero_arg_or(w, 4, td1 + d.tstep);
    const double tau2 = nonzero_arg_or(w, 5, d.tstep);
    // v = v1 + (v2 − v1)·(1 − e^(−(t−td1)/τ1)) after td1,
    //     plus (v1 − v2)·(1 − e^(−(t−td2)/τ2)) after td2.
    if (t <= td1) return v1;
    const double rise = v1 + (v2 - v1) * (1 - std::exp(-(t - td1) / tau1));
    if (t <= td2) return rise;
    return rise + (v1 - v2) * (1 - std::exp(-(t - td2) / tau2));
}

/// ngspice 47's SFFM(vo va fc mdi fm td phasem phasec): v = vo + va·sin(2π·fc·τ + φc + mdi·sin(2π·fm·τ
/// + φm)) with τ = t − td, 0 before td; fc defaults to 5/tstop, mdi to 90, fm (also when 0) to
/// 500/tstop, and mdi is kept within [0, fc/fm], as ngspice limits it.
double sffm_value(const Waveform& w, double t, const TransientDefaults& d) {
    const double tau = t - arg_or(w, 5, 0.0);
    if (tau <= 0) return 0;
    const double vo = w.args[0], va = w.args[1];
    const double fc = arg_or(w, 2, 5 / d.tstop);
    const double fm = nonzero_arg_or(w, 4, 500 / d.tstop);
    const double mdi = fm > 0 ? std::clamp(arg_or(w, 3, 90.0), 0.0, fc / fm) : 0.0;
    const double phasem = phase_arg(w, 6), phasec = phase_arg(w, 7);
    return vo + va * std::sin(2 * std::numbers::pi * fc * tau + phasec + mdi * std::sin(2 * std::numbers::pi * fm * tau + phasem));
}

/// ngspice 47's AM(vo vmo vma fm fc td phasem phasec): v = vo + (vmo + vma·sin(2π·fm·τ + φm))·
/// sin(2π·fc·τ + φc) with τ = t − td, 0 before td; vma defaults to 1, fm to 5/tstop, fc to
/// 500/tstop. (ngspice-39's AM(va vo mf fc td) had other arguments.)
double am_value(const Waveform& w, double t, const TransientDefaults& d) {
    const double tau = t - arg_or(w, 5, 0.0);
    if (tau <= 0) return 0;
    const double vo = w.args[0], vmo = w.args[1], vma = arg_or(w, 2, 1.0);
    const double fm = arg_or(w, 3, 5 / d.tstop), fc = arg_or(w, 4, 500 / d.tstop);
    const double phasem = phase_arg(w, 6), phasec = phase_arg(w, 7);
    return vo + (vmo + vma * std::sin(2 * std::numbers::pi * fm * tau + phasem)) *
                    std::sin(2 * std::numbers::pi * fc * tau + phasec);
}

double pwl_value(const Waveform& w, double t) {
    const auto& a = w.args;
    const std::size_t n = a.size();
    double time = t - w.delay.value_or(0.0);
    if (time < a[0]) return a[1];
    const double end_time = a[n - 2];
    if (time > end_time) {
        const int rb = pwl_repeat_index(w);
        if (rb < 0) return a[n - 1];
        // Repeat the part from point rb to the end: fold time back into [a[rb], end_time].
        const double period = end_time - a[rb];
        time -= a[rb];
        time -= period * std::floor(time / period);
        time += a[rb];
    }
    for (std::size_t i = 2; i < n; i += 2) {
        if (a[i] >= time) {
            const double span = a[i] - a[i - 2];
            // A vertical step (two points at the same time) takes the value after the step.
            if (span <= 0) return a[i + 1];
            return a[i - 1] + (time - a[i - 2]) / span * (a[i + 1] - a[i - 1]);
        }
    }
    return a[n - 1];
}

void add_if_inside(double t, double t0, double t1, std::vector<double>& out) {
    if (t > t0 && t <= t1) out.push_back(t);
}

void pulse_breakpoints(const Waveform& w, double t0, double t1, const TransientDefaults& d, std::vector<double>& out) {
    const Pulse p = pulse_of(w, d);
    const double corners[] = {0.0, p.tr, p.tr + p.pw, p.tr + p.pw + p.tf};
    const bool periodic = std::isfinite(p.per) && p.per > 0;
    double k_first = 0, k_last = 0;
    if (periodic) {
        k_first = std::max(0.0, std::floor((t0 - p.td) / p.per) - 1);
        k_last = std::ceil((t1 - p.td) / p.per);
        if (p.np > 0) k_last = std::min(k_last, std::ceil(p.np) - 1);
    }
    for (double k = k_first; k <= k_last; k += 1) {
        const double start = p.td + k * (periodic ? p.per : 0.0);
        for (double c : corners)
            if (std::isfinite(c)) add_if_inside(start + c, t0, t1, out);
    }
}

void pwl_breakpoints(const Waveform& w, double t0, double t1, std::vector<double>& out) {
    const auto& a = w.args;
    const std::size_t n = a.size();
    const double delay = w.delay.value_or(0.0);
    for (std::size_t i = 0; i < n; i += 2) add_if_inside(a[i] + delay, t0, t1, out);
    const int rb = pwl_repeat_index(w);
    if (rb < 0) return;
    const double period = a[n - 2] - a[rb];
    const double k_first = std::max(1.0, std::floor((t0 - delay - a[n - 2]) / period));
    const double k_last = std::ceil((t1 - delay - a[rb]) / period);
    for (double k = k_first; k <= k_last; k += 1)
        for (std::size_t i = static_cast<std::size_t>(rb) + 2; i < n; i += 2)
            add_if_inside(a[i] + k * period + delay, t0, t1, out);
}

[[noreturn]] void fail(const Waveform& w, const Subject& what, const std::string& message) {
    const char* kind = kind_name(w.kind);
    throw DeviceError(DeviceError::Where::Instance, kind, fmt::format("{}: {}(...) {}", what, kind, message));
}

void check_count(const Waveform& w, const Subject& what, std::size_t lo, std::size_t hi, const char* names) {
    if (w.args.size() < lo || w.args.size() > hi)
        fail(w, what, fmt::format("takes {} to {} arguments ({}), got {}", lo, hi, names, w.args.size()));
}

void check_non_negative(const Waveform& w, const Subject& what, std::size_t k, const char* name) {
    if (k < w.args.size() && !(w.args[k] >= 0))
        fail(w, what, fmt::format("argument {} ({}) must not be negative, got {:g}", k + 1, name, w.args[k]));
}

}  // namespace

void check_waveform(const Waveform& w, const Subject& what) {
    for (double a : w.args)
        if (!std::isfinite(a)) fail(w, what, "has an argument that is not a finite number");
    switch (w.kind) {
        case Waveform::Kind::None:
            return;
        case Waveform::Kind::Pulse:
            check_count(w, what, 2, 8, "v1 v2 td tr tf pw per np");
            check_non_negative(w, what, 3, "tr");
            check_non_negative(w, what, 4, "tf");
            check_non_negative(w, what, 5, "pw");
            check_non_negative(w, what, 6, "per");
            check_non_negative(w, what, 7, "np");
            return;
        case Waveform::Kind::Sin:
            check_count(w, what, 2, 6, "vo va freq td theta phase");
            check_non_negative(w, what, 2, "freq");
            return;
        case Waveform::Kind::Exp:
            check_count(w, what, 2, 6, "v1 v2 td1 tau1 td2 tau2");
            check_non_negative(w, what, 3, "tau1");
            check_non_negative(w, what, 5, "tau2");
            return;
        case Waveform::Kind::Sffm:
            check_count(w, what, 2, 8, "vo va fc mdi fm td phasem phasec");
            check_non_negative(w, what, 2, "fc");
            check_non_negative(w, what, 4, "fm");
            return;
        case Waveform::Kind::Am:
            check_count(w, what, 2, 8, "vo vmo vma fm fc td phasem phasec");
            check_non_negative(w, what, 3, "fm");
            check_non_negative(w, what, 4, "fc");
            return;
        case Waveform::Kind::Trnoise:
        case Waveform::Kind::Trrandom:
            return;  // models/TransientNoise.cpp checks its arguments
        case Waveform::Kind::Pwl: {
            const auto& a = w.args;
            if (a.size() < 2 || a.size() % 2 != 0)
                fail(w, what, fmt::format("takes pairs of time and value, got {} numbers", a.size()));
            for (std::size_t i = 2; i < a.size(); i += 2)
                if (a[i] < a[i - 2])
                    fail(w, what, fmt::format("time points must not decrease: {:g} after {:g}", a[i], a[i - 2]));
            if (w.delay && !std::isfinite(*w.delay)) fail(w, what, "td= is not a finite number");
            if (w.repeat && *w.repeat >= -0.5) {
                if (!(*w.repeat < a[a.size() - 2]))
                    fail(w, what,
                         fmt::format("r={:g} must be before the last time point {:g}", *w.repeat, a[a.size() - 2]));
                if (pwl_repeat_index(w) < 0)
                    fail(w, what, fmt::format("r={:g} is not one of the time points", *w.repeat));
            }
            return;
        }
    }
}

double waveform_value(const Waveform& w, double t, const TransientDefaults& d) {
    switch (w.kind) {
        case Waveform::Kind::Pulse:
            return pulse_value(w, t, d);
        case Waveform::Kind::Pwl:
            return pwl_value(w, t);
        case Waveform::Kind::Sin:
            return sin_value(w, t, d);
        case Waveform::Kind::Exp:
            return exp_value(w, t, d);
        case Waveform::Kind::Sffm:
            return sffm_value(w, t, d);
        case Waveform::Kind::Am:
            return am_value(w, t, d);
        case Waveform::Kind::Trnoise:
        case Waveform::Kind::Trrandom:  // drawn by models/TransientNoise
        case Waveform::Kind::None:
            break;
    }
    return 0;
}

void waveform_breakpoints(const Waveform& w, double t0, double t1, const TransientDefaults& d,
                          std::vector<double>& out) {
    const std::size_t first = out.size();
    switch (w.kind) {
        case Waveform::Kind::Pulse:
            pulse_breakpoints(w, t0, t1, d, out);
            break;
        case Waveform::Kind::Pwl:
            pwl_breakpoints(w, t0, t1, out);
            break;
        case Waveform::Kind::Sin:
            add_if_inside(arg_or(w, 3, 0.0), t0, t1, out);
            break;
        case Waveform::Kind::Exp: {
            const double td1 = nonzero_arg_or(w, 2, d.tstep);
            add_if_inside(td1, t0, t1, out);
            add_if_inside(nonzero_arg_or(w, 4, td1 + d.tstep), t0, t1, out);
            break;
        }
        case Waveform::Kind::Sffm:
        case Waveform::Kind::Am:
            add_if_inside(arg_or(w, 5, 0.0), t0, t1, out);
            break;
        case Waveform::Kind::Trnoise:
        case Waveform::Kind::Trrandom:
        case Waveform::Kind::None:
            break;
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
    out.erase(std::unique(out.begin() + static_cast<std::ptrdiff_t>(first), out.end()), out.end());
}

}  // namespace ionspice::models
