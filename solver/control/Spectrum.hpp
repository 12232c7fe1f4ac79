#pragma once
// The numbers behind the control language's `linearize` and `fft`, as ngspice computes them:
// linear interpolation onto an even time grid, the spectral windows of `specwindow`, and the
// one-sided spectrum of ngspice's own FFT (Green's, the one ngspice uses when it is built
// without FFTW, as Debian's is): the samples zero-padded to a power of two.

#include <complex>
#include <optional>
#include <string>
#include <vector>

namespace ionspice::solver::control {

/// y(at) by linear interpolation of the points (x, y), x increasing; held at the end values
/// outside [x.front(), x.back()].
std::vector<double> interpolate_linear(const std::vector<double>& x, const std::vector<double>& y,
                                       const std::vector<double>& at);

/// The time an fft's samples stand for: the last sample − the first + the last step (ngspice's
/// span, which the windows and the frequency scale share). `time` has two samples or more.
double fft_span(const std::vector<double>& time);

/// ngspice's window `kind` (none, rectangular, triangle/bartlet/bartlett, hann/hanning/cosine,
/// hamming, blackman, blackmanharris, flattop, gaussian of `order`) at the samples `time`, over
/// the `span` that ends at the last sample; nullopt for a kind ngspice does not have.
std::optional<std::vector<double>> spectral_window(const std::string& kind, const std::vector<double>& time, double span,
                                                   int order);

/// One fft: the frequencies and, per signal, its complex amplitudes (ngspice's scaling: the
/// DC and Nyquist terms halved, every term over N/2).
struct Spectrum {
    double span = 0;             ///< s: fft_span of the samples
    std::size_t padded = 0;      ///< N, the power of two the samples are padded to
    std::vector<double> frequency;
    std::vector<std::vector<std::complex<double>>> amplitudes;
};

/// The spectra of `signals` (each as long as `time`) weighted by `window`.
Spectrum fft(const std::vector<double>& time, const std::vector<std::vector<double>>& signals,
             const std::vector<double>& window);

}  // namespace ionspice::solver::control
