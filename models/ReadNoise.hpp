#pragma once
// Read noise of a memory device's read current (an ECRAM's channel, a memristor's current): the
// measured scatter of a read about its mean, relative to the mean, one-sided density
//     S_I(f) = I²·(rnw² + rnf²/f^rnalpha)        (rnw in 1/√Hz, rnf in Hz^((rnalpha − 1)/2))
// In .noise: the generators "read" (I²·rnw²) and "read1overf" (I²·rnf²/f^rnalpha). In .tran: the
// read current times 1 + n(t), n(t) the TRNOISE process of the sources (models/TransientNoise.hpp)
// sampled every rnt (default: the run's tstep) and scaled to the same density: white deviation
// rnw/√(2·rnt) per sample, Kasdin's 1/f^rnalpha amplitude rnf·√((2π·rnt)^rnalpha/(2·rnt)). The
// draws depend only on .options seed and the instance name. Off (rnw = rnf = 0, the default):
// no generators, a factor of exactly 1.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/Device.hpp"
#include "models/ParamReader.hpp"

namespace ionspice::models {

class TransientNoise;

struct ReadNoiseParams {
    double rnw = 0;      ///< 1/√Hz, white part relative to the current
    double rnf = 0;      ///< 1/f part relative to the current (S = rnf²/f^rnalpha)
    double rnalpha = 1;  ///< exponent of the 1/f part, in (0, 2]
    double rnt = 0;      ///< s, the transient process's sample interval (0: the run's tstep)

    bool on() const { return rnw > 0 || rnf > 0; }
    /// rnw, rnf, rnalpha, rnt from a model card, checked.
    static ReadNoiseParams read(ParamReader& r);
};

class ReadNoise {
public:
    /// `what` names the device in errors ("ECRAM n1").
    ReadNoise(const ReadNoiseParams& p, std::uint64_t seed, const std::string& instance, std::string what);
    ~ReadNoise();
    ReadNoise(ReadNoise&&) noexcept;

    /// Draws the transient process for a run to tstop (Device::set_transient_defaults).
    void prepare(double tstep, double tstop);
    /// The current's factor at this load: 1 + n(t) in a transient, 1 in DC or when off.
    double factor(const LoadContext& ctx) const;
    /// The process's sample times in (t0, t1].
    void breakpoints(double t0, double t1, std::vector<double>& out) const;
    /// The .noise generators for a read current `i` from `plus` to `minus`.
    void sources(double i, Index plus, Index minus, std::vector<NoiseSource>& out) const;

private:
    ReadNoiseParams p_;
    std::uint64_t key_;
    std::string what_;
    std::unique_ptr<TransientNoise> process_;  ///< for the current transient run
};

}  // namespace ionspice::models
