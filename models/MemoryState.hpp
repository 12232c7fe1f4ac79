#pragma once
// The normalised state every memory device keeps (an ECRAM's or a memristor's s): the one rule
// on its range, for the instance's x0 and for a state set between runs alike; and what tools ask
// of a prepared memory model (MemoryModel), so that array generators never repeat its defaults.

#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "models/Device.hpp"
#include "models/Subject.hpp"

namespace ionspice::models {

/// Throws DeviceError on `param` (an instance parameter) unless 0 ≤ s ≤ 1.
inline double checked_state(double s, const std::string& param, const Subject& what) {
    if (!(s >= 0 && s <= 1))
        throw DeviceError(DeviceError::Where::Instance, param,
                          fmt::format("{}: parameter '{}' must be within [0, 1], got {:g}", what, param, s));
    return s;
}

/// A pulse as the cell sees it: the voltage across it (an ECRAM's gate–channel voltage, a
/// memristor's p–n voltage), signed, and its width.
struct ProgrammingPulse {
    double amplitude;  ///< V
    double width;      ///< s
};

/// The instance parameter that starts a device at a given conductance, and its value.
struct InitialState {
    std::string param;  ///< "g0" or "x0"
    double value;
};

/// Implemented by the prepared model (ModelParams) of every memory family; tools reach it with
/// dynamic_cast from what Registration::prepare returned.
class MemoryModel {
public:
    virtual ~MemoryModel() = default;
    /// S, the small-signal conductance the state spans, lowest first.
    virtual std::pair<double, double> conductance_window() const = 0;
    /// How to write an instance that starts at conductance g (S), within conductance_window()
    /// (ends rounded a hair outside are taken as the ends). Throws std::invalid_argument outside.
    virtual InitialState initial_state(double g) const = 0;
    /// The model's nominal pulses: the ones it is calibrated with, or for models calibrated
    /// otherwise a pulse that clearly programs. Potentiation raises G, depression lowers it.
    virtual ProgrammingPulse potentiation() const = 0;
    virtual ProgrammingPulse depression() const = 0;
    /// Where along the channel a three-terminal cell measures its control voltage from the
    /// source (ECRAM kch: V_gc = V_G − [k·V_D + (1 − k)·V_S]); two-terminal cells: 1.
    virtual double channel_fraction() const { return 1; }
};

/// s from s_raw computed by inverting G(s): ends within 1e-12 snap to 0 and 1, anything further
/// outside is an error naming the window (the one rule for every MemoryModel::initial_state).
inline double state_in_window(double s_raw, double g, const Subject& what, std::pair<double, double> window) {
    if (s_raw < 0 && s_raw > -1e-12) s_raw = 0;
    if (s_raw > 1 && s_raw < 1 + 1e-12) s_raw = 1;
    if (!(s_raw >= 0 && s_raw <= 1))
        throw std::invalid_argument(
            fmt::format("{:g} S is outside {}'s window [{:g}, {:g}] S", g, what, window.first, window.second));
    return s_raw;
}

}  // namespace ionspice::models
