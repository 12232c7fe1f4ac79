#pragma once
// ngspice's random sources for the transient: TRNOISE(na nt [nalpha [namp [rtsam [rtscapt
// [rtsemt]]]]]) and TRRANDOM(type ts [td [param1 [param2]]]), as ngspice 47 defines them, with
// every random number a pure function of (.options seed, the source's name, an index)
// (common/Random.hpp): the same seed gives the same waveform whatever the thread count or the
// order the sources are evaluated in.
//
// TRNOISE: samples v_k at t = k·nt, v_0 = 0, v_k = na·g_k + (f_k − f_0) with g_k standard normal
// and f a 1/f^nalpha sequence of amplitude namp (Kasdin's filter of white noise: h_0 = 1,
// h_k = h_{k−1}·(nalpha/2 + k − 1)/k, applied by FFT over the whole run), linear between
// samples; plus random telegraph noise: rtsam while captured, the captured and emitted times
// drawn from exponential distributions of means rtscapt and rtsemt. TRRANDOM: param2 before
// td, then from td on a new draw every ts, held: type 1 uniform in [param2 − param1, param2 +
// param1), 2 normal (standard deviation param1, mean param2), 3 exponential (mean param1, plus
// param2), 4 Poisson (mean param1, plus param2). A written DC value is added to either.

#include <cstdint>
#include <vector>

#include "models/Device.hpp"
#include "models/Subject.hpp"

namespace ionspice::models {

class TransientNoise {
public:
    /// `key`: the source's stream (variability_key(seed, name)). Checks the arguments
    /// (DeviceError naming `what`).
    TransientNoise(const Waveform& w, std::uint64_t key, const Subject& what);

    /// Draws what a run to `tstop` needs (the 1/f sequence and the telegraph's switching
    /// times); the waveform is then defined on [0, tstop]. Throws DeviceError when the samples
    /// would not fit in memory.
    void prepare(double tstop);

    double value(double t) const;
    /// Sample times and switching times in (t0, t1].
    void breakpoints(double t0, double t1, std::vector<double>& out) const;

private:
    double trnoise(double t) const;
    double trrandom(double t) const;
    /// Sample k of TRNOISE (white plus 1/f), k ≥ 0.
    double sample(std::size_t k) const;

    Waveform::Kind kind_;
    std::uint64_t key_;
    // TRNOISE
    double na_ = 0, nt_ = 0, nalpha_ = 0, namp_ = 0, rtsam_ = 0, rtscapt_ = 0, rtsemt_ = 0;
    std::vector<double> flicker_;   ///< the 1/f sequence over the run
    std::vector<double> switches_;  ///< telegraph: capture, emission, capture, … times
    // TRRANDOM
    int type_ = 1;
    double ts_ = 0, td_ = 0, param1_ = 1, param2_ = 0;
};

}  // namespace ionspice::models
