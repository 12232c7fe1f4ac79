#include "models/TransientNoise.hpp"

#include <algorithm>
#include <cmath>
#include <complex>

#include <fmt/format.h>
#include <unsupported/Eigen/FFT>

#include "common/Random.hpp"
#include "models/Waveform.hpp"

namespace ionspice::models {

namespace {

/// The streams of one source: its white samples, the white noise the 1/f filter shapes, the
/// telegraph's dwell times, TRRANDOM's draws.
enum Stream : std::uint64_t { kWhite = 1, kFlicker = 2, kTelegraph = 3, kRandom = 4 };

std::uint64_t stream(std::uint64_t key, Stream s) { return splitmix64(key ^ splitmix64(s)); }

double uniform01(std::uint64_t key, std::uint64_t index) { return 0.5 * (symmetric_uniform(key, index) + 1); }

/// −mean·ln(u), u in (0, 1].
double exponential(std::uint64_t key, std::uint64_t index, double mean) {
    return -mean * std::log(1 - uniform01(key, index));
}

/// Poisson with mean `lambda`: Knuth's product of uniforms up to 30 (at most about 60 of them),
/// the nearest integer of the normal approximation above.
double poisson(std::uint64_t key, std::uint64_t index, double lambda) {
    if (lambda <= 0) return 0;
    if (lambda > 30) return std::max(0.0, std::round(lambda + std::sqrt(lambda) * standard_normal(key, index)));
    const double limit = std::exp(-lambda);
    double p = 1;
    int k = 0;
    for (std::uint64_t j = 0;; ++j) {
        p *= uniform01(splitmix64(key ^ splitmix64(index)), j);
        if (p <= limit) return k;
        ++k;
    }
}

/// The most samples a run may need (512 MB of them).
constexpr double kMaxSamples = 64.0 * 1024 * 1024;

}  // namespace

TransientNoise::TransientNoise(const Waveform& w, std::uint64_t key, const Subject& what)
    : kind_(w.kind), key_(key) {
    auto fail = [&](const std::string& message) {
        throw DeviceError(DeviceError::Where::Instance, kind_ == Waveform::Kind::Trnoise ? "trnoise" : "trrandom",
                          fmt::format("{}: {}", what, message));
    };
    for (double a : w.args)
        if (!std::isfinite(a)) fail("an argument is not a finite number");
    if (kind_ == Waveform::Kind::Trnoise) {
        if (w.args.size() < 2 || w.args.size() > 7)
            fail(fmt::format("trnoise(...) takes 2 to 7 arguments (na nt nalpha namp rtsam rtscapt rtsemt), got {}",
                             w.args.size()));
        na_ = w.args[0];
        nt_ = w.args[1];
        nalpha_ = arg_or(w, 2, 0);
        namp_ = arg_or(w, 3, 0);
        rtsam_ = arg_or(w, 4, 0);
        rtscapt_ = arg_or(w, 5, 0);
        rtsemt_ = arg_or(w, 6, 0);
        if (nt_ < 0) fail("trnoise's nt must not be negative");
        if (nalpha_ < 0 || nalpha_ > 2) fail(fmt::format("trnoise's nalpha must be in [0, 2], got {:g}", nalpha_));
        if (rtsam_ > 0 && (rtscapt_ <= 0 || rtsemt_ <= 0))
            fail("trnoise's random telegraph noise needs positive rtscapt and rtsemt");
    } else {
        if (w.args.size() < 2 || w.args.size() > 5)
            fail(fmt::format("trrandom(...) takes 2 to 5 arguments (type ts td param1 param2), got {}", w.args.size()));
        type_ = static_cast<int>(w.args[0]);
        if (w.args[0] != type_ || type_ < 1 || type_ > 4)
            fail(fmt::format("trrandom's type must be 1 (uniform), 2 (normal), 3 (exponential) or 4 (Poisson), got {:g}",
                             w.args[0]));
        ts_ = w.args[1];
        td_ = arg_or(w, 2, 0);
        param1_ = arg_or(w, 3, 1);
        param2_ = arg_or(w, 4, 0);
        if (!(ts_ > 0)) fail("trrandom's ts must be positive");
        if (td_ < 0) fail("trrandom's td must not be negative");
    }
}

void TransientNoise::prepare(double tstop) {
    if (kind_ != Waveform::Kind::Trnoise) return;
    flicker_.clear();
    switches_.clear();
    if (nt_ > 0 && nalpha_ > 0 && namp_ > 0) {
        // Kasdin's 1/f^alpha sequence, as ngspice's f_alpha: white noise of deviation namp
        // filtered by h, over the run and 10 samples more.
        const double count = std::floor(tstop / nt_) + 10;
        if (count > kMaxSamples)
            throw DeviceError(DeviceError::Where::Instance, "trnoise",
                              fmt::format("trnoise's 1/f noise would need {:.3g} samples (tstop/nt), more than {:.3g}",
                                          count, kMaxSamples));
        const auto n = static_cast<std::size_t>(count);
        std::size_t m = 1;
        while (m < 2 * n) m <<= 1;  // linear, not circular, convolution
        std::vector<double> h(m, 0.0), x(m, 0.0);
        const std::uint64_t white = stream(key_, kFlicker);
        h[0] = 1;
        x[0] = namp_ * standard_normal(white, 0);
        for (std::size_t k = 1; k < n; ++k) {
            h[k] = h[k - 1] * (nalpha_ / 2 + static_cast<double>(k) - 1) / static_cast<double>(k);
            x[k] = namp_ * standard_normal(white, k);
        }
        Eigen::FFT<double> fft;
        std::vector<std::complex<double>> hf, xf;
        fft.fwd(hf, h);
        fft.fwd(xf, x);
        for (std::size_t k = 0; k < hf.size(); ++k) xf[k] *= hf[k];
        std::vector<double> y;
        fft.inv(y, xf);
        flicker_.assign(y.begin(), y.begin() + static_cast<std::ptrdiff_t>(n));
    }
    if (rtsam_ > 0) {
        // Capture after an exponential wait of mean rtscapt, emission an exponential dwell of
        // mean rtsemt later, and so on to the end of the run.
        const std::uint64_t dwell = stream(key_, kTelegraph);
        double t = 0;
        for (std::uint64_t k = 0; t <= tstop; ++k) {
            t += exponential(dwell, k, k % 2 == 0 ? rtscapt_ : rtsemt_);
            switches_.push_back(t);
            if (switches_.size() > kMaxSamples)
                throw DeviceError(DeviceError::Where::Instance, "rtscapt",
                                  "trnoise's telegraph switches more than 6.7e7 times in the run");
        }
    }
}

double TransientNoise::sample(std::size_t k) const {
    if (k == 0) return 0;  // the first sample is 0, as ngspice's
    double v = na_ != 0 ? na_ * standard_normal(stream(key_, kWhite), k) : 0;
    if (!flicker_.empty()) v += flicker_[std::min(k, flicker_.size() - 1)] - flicker_[0];
    return v;
}

double TransientNoise::trnoise(double t) const {
    double v = 0;
    if (nt_ > 0 && t > 0) {
        const double u = t / nt_;
        const auto k = static_cast<std::size_t>(std::floor(u));
        const double a = sample(k), b = sample(k + 1);
        v = a + (b - a) * (u - static_cast<double>(k));
    }
    if (rtsam_ > 0 && !switches_.empty()) {
        // Captured between an even-indexed switch and the next one.
        const auto passed = static_cast<std::size_t>(std::upper_bound(switches_.begin(), switches_.end(), t) - switches_.begin());
        if (passed % 2 == 1) v += rtsam_;
    }
    return v;
}

double TransientNoise::trrandom(double t) const {
    if (t < td_) return param2_;
    const auto k = static_cast<std::uint64_t>(std::floor((t - td_) / ts_));
    const std::uint64_t draws = stream(key_, kRandom);
    switch (type_) {
        case 1: return param1_ * symmetric_uniform(draws, k) + param2_;
        case 2: return param1_ * standard_normal(draws, k) + param2_;
        case 3: return exponential(draws, k, param1_) + param2_;
        default: return poisson(draws, k, param1_) + param2_;
    }
}

double TransientNoise::value(double t) const {
    return kind_ == Waveform::Kind::Trnoise ? trnoise(t) : trrandom(t);
}

void TransientNoise::breakpoints(double t0, double t1, std::vector<double>& out) const {
    auto grid = [&](double origin, double step) {
        if (!(step > 0)) return;
        for (double k = std::max(0.0, std::floor((t0 - origin) / step)); origin + k * step <= t1; k += 1)
            if (origin + k * step > t0) out.push_back(origin + k * step);
    };
    if (kind_ == Waveform::Kind::Trnoise) {
        grid(0, nt_);
        for (double s : switches_)
            if (s > t0 && s <= t1) out.push_back(s);
    } else {
        grid(td_, ts_);
    }
}

}  // namespace ionspice::models
