#pragma once
// The normalised state every memory device keeps (an ECRAM's or a memristor's s): the one rule
// on its range, for the instance's x0 and for a state set between runs alike.

#include <string>

#include <fmt/format.h>

#include "models/Device.hpp"

namespace ionspice::models {

/// Throws DeviceError on `param` (an instance parameter) unless 0 ≤ s ≤ 1.
inline double checked_state(double s, const std::string& param, const std::string& what) {
    if (!(s >= 0 && s <= 1))
        throw DeviceError(DeviceError::Where::Instance, param,
                          fmt::format("{}: parameter '{}' must be within [0, 1], got {:g}", what, param, s));
    return s;
}

}  // namespace ionspice::models
