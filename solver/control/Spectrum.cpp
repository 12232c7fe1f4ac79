#include "solver/control/Spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <unsupported/Eigen/FFT>

namespace ionspice::solver::control {

std::vector<double> interpolate_linear(const std::vector<double>& x, const std::vector<double>& y,
                                       const std::vector<double>& at) {
    std::vector<double> out(at.size());
    std::size_t k = 0;
    for (std::size_t i = 0; i < at.size(); ++i) {
        const double t = at[i];
        if (t <= x.front()) {
            out[i] = y.front();
            continue;
        }
        if (t >= x.back()) {
            out[i] = y.back();
            continue;
        }
        // `at` increases, so the interval only moves forward (a step back restarts the search).
        if (k + 1 >= x.size() || x[k] > t) k = 0;
        while (x[k + 1] < t) ++k;
        const double w = (t - x[k]) / (x[k + 1] - x[k]);
        out[i] = y[k] + w * (y[k + 1] - y[k]);
    }
    return out;
}

double fft_span(const std::vector<double>& time) {
    const std::size_t n = time.size();
    return time[n - 1] - time[0] + time[n - 1] - time[n - 2];
}

std::optional<std::vector<double>> spectral_window(const std::string& kind, const std::vector<double>& time, double span,
                                                   int order) {
    // As ngspice's fft_windows: each window has an average of about one, and is zero for
    // samples more than `span` before the last.
    const double maxt = time.back();
    const double pi = std::numbers::pi;
    auto each = [&](auto&& w) {
        std::vector<double> out(time.size());
        for (std::size_t i = 0; i < time.size(); ++i) out[i] = maxt - time[i] > span ? 0.0 : w(time[i]);
        return out;
    };
    auto cosines = [&](std::initializer_list<double> a) {
        // 1 − a1·cos(2πu) + a2·cos(4πu) − …, u = (t − maxt)/span
        return each([&, a](double t) {
            double w = 1, sign = -1;
            int k = 1;
            for (double c : a) w += sign * c * std::cos(2 * pi * k++ * (t - maxt) / span), sign = -sign;
            return w;
        });
    };
    if (kind == "none") return std::vector<double>(time.size(), 1.0);
    if (kind == "rectangular") return each([](double) { return 1.0; });
    if (kind == "triangle" || kind == "bartlet" || kind == "bartlett")
        return each([&](double t) {
            const double d = maxt - t;
            return d < span / 2 ? 4.0 * d / span : 4.0 - 4.0 * d / span;
        });
    if (kind == "hann" || kind == "hanning" || kind == "cosine") return cosines({1.0});
    if (kind == "hamming") return cosines({0.46 / 0.54});
    if (kind == "blackman") return cosines({0.50 / 0.42, 0.08 / 0.42});
    if (kind == "blackmanharris") return cosines({0.48829 / 0.35875, 0.14128 / 0.35875, 0.01168 / 0.35875});
    if (kind == "flattop") return cosines({1.93, 1.29, 0.388, 0.032});
    if (kind == "gaussian") {
        const double sigma = 1.0 / order, scale = 0.83 / sigma;
        return each([&](double t) { return scale * std::exp(-0.5 * std::pow((t - maxt / 2) / (sigma * maxt / 2), 2)); });
    }
    return std::nullopt;
}

Spectrum fft(const std::vector<double>& time, const std::vector<std::vector<double>>& signals,
             const std::vector<double>& window) {
    Spectrum s;
    const std::size_t length = time.size();
    s.span = fft_span(time);
    std::size_t n = 1;
    while (n < length) n <<= 1;
    s.padded = n;
    const std::size_t points = n / 2 + 1;
    const double scale = static_cast<double>(n) / 2;
    s.frequency.resize(points);
    for (std::size_t i = 0; i < points; ++i)
        s.frequency[i] = static_cast<double>(i) / s.span * static_cast<double>(length) / static_cast<double>(n);
    Eigen::FFT<double> engine;
    std::vector<double> in(n);
    std::vector<std::complex<double>> out;
    for (const auto& signal : signals) {
        std::fill(in.begin(), in.end(), 0.0);
        for (std::size_t j = 0; j < length; ++j) in[j] = signal[j] * window[j];
        engine.fwd(out, in);
        std::vector<std::complex<double>> a(points);
        a[0] = {out[0].real() / scale / 2, 0.0};
        for (std::size_t j = 1; j + 1 < points; ++j) a[j] = out[j] / scale;
        a[points - 1] = {out[points - 1].real() / scale / 2, 0.0};
        s.amplitudes.push_back(std::move(a));
    }
    return s;
}

}  // namespace ionspice::solver::control
