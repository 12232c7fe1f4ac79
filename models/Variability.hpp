#pragma once
// Device-to-device and cycle-to-cycle variability of memory devices, reproducible by construction:
// every random number is a pure function of (.options seed, the instance's full name, draw index).
// Nothing depends on evaluation order, thread count, or how many trial points Newton and the step
// control throw away, and std::hash (whose values differ between standard libraries) is not used.
//
// Draw 0 is the device-to-device factor; draw k ≥ 1 is the cycle-to-cycle factor of the k-th
// programming pulse, taken when the control voltage first rises past its threshold and held for
// the rest of that pulse (see `Variability::accept`).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <string_view>

#include "common/Random.hpp"

namespace ionspice::models {

/// The key of one instance's random stream.
inline std::uint64_t variability_key(std::uint64_t seed, std::string_view name) {
    return splitmix64(seed ^ splitmix64(fnv1a64(name)));
}

/// Rate factor 1 + σ·z, kept positive: a draw more than ~99 σ-units below the mean would reverse
/// the direction of programming, which no real device does.
inline double variability_factor(double sigma, double z) {
    constexpr double kFloor = 0.01;
    return std::max(1 + sigma * z, kFloor);
}

/// One instance's variability: ρ_dev drawn once, ρ_pulse redrawn per pulse. What changes from
/// pulse to pulse lives in the device's history values (`kSlots` of them, given to every call as
/// `h`, zero at the start), so that it is saved and restored with the rest of the solver's state.
class Variability {
public:
    /// History values: whether the control voltage was past a threshold at the last accepted
    /// point, the number of pulses so far, and ρ_pulse − 1 (zero: no pulse drawn yet).
    enum Slot : std::size_t { kAbove = 0, kPulses = 1, kPulseFactor = 2, kSlots = 3 };

    Variability() = default;
    /// `dtod`, `ctoc`: relative standard deviations; `threshold_up` > 0 and `threshold_down` > 0
    /// (V): the control voltage starts a pulse when it rises above threshold_up or falls below
    /// −threshold_down. Draw 0 comes from `device_seed`'s stream, the pulses' from `seed`'s: equal
    /// seeds give one stream.
    Variability(std::uint64_t seed, std::uint64_t device_seed, std::string_view name, double dtod, double ctoc,
                double threshold_up, double threshold_down)
        : key_(variability_key(seed, name)), ctoc_(ctoc), up_(threshold_up), down_(threshold_down) {
        if (dtod > 0) rho_dev_ = variability_factor(dtod, standard_normal(variability_key(device_seed, name), 0));
    }

    /// ρ_dev·ρ_pulse, the factor on the programming rate.
    double factor(const double* h) const { return rho_dev_ * pulse_factor(h); }
    double device_factor() const { return rho_dev_; }
    double pulse_factor(const double* h) const { return 1 + h[kPulseFactor]; }
    std::uint64_t pulses(const double* h) const { return static_cast<std::uint64_t>(h[kPulses]); }

    /// At an accepted point with control voltage `v`: a pulse starts when |v| passes its threshold
    /// after being below it; that pulse's factor is drawn then and kept until the next one.
    void accept(double v, double* h) const {
        const bool above = v > up_ || v < -down_;
        if (above && h[kAbove] == 0) {
            // Pulse counts stay exact in a double far beyond any run (2^53 pulses).
            const double pulse = h[kPulses] + 1;
            h[kPulses] = pulse;
            if (ctoc_ > 0)
                h[kPulseFactor] =
                    variability_factor(ctoc_, standard_normal(key_, static_cast<std::uint64_t>(pulse))) - 1;
        }
        h[kAbove] = above ? 1 : 0;
    }

private:
    std::uint64_t key_ = 0;
    double ctoc_ = 0;
    double up_ = 0, down_ = 0;  ///< V
    double rho_dev_ = 1;
};

}  // namespace ionspice::models
