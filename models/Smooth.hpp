#pragma once
// Smooth, overflow-free building blocks shared by the compact models of emerging memories and the
// smooth MOSFET: every function returns its value and derivative together, so a model's Jacobian
// is assembled from exact pieces and never from finite differences.

#include <cmath>

namespace ionspice::models::smooth {

/// Largest exponent evaluated exactly; beyond it exponentials continue along their tangent, so
/// that no Newton iterate (however wild) overflows and the derivative stays continuous and
/// positive.
inline constexpr double kMaxExpArg = 80.0;

struct ValueSlope {
    double v;  ///< value
    double d;  ///< derivative with respect to the argument
};

/// e^z for z ≤ kMaxExpArg, continued linearly above: e^zm·(1 + z − zm).
inline ValueSlope exp_lin(double z) {
    if (z <= kMaxExpArg) {
        const double e = std::exp(z);
        return {e, e};
    }
    const double e = std::exp(kMaxExpArg);
    return {e * (1 + z - kMaxExpArg), e};
}

/// σ(z) = 1/(1 + e^−z), evaluated on the side where the exponential cannot overflow.
inline double sigmoid(double z) {
    if (z >= 0) return 1 / (1 + std::exp(-z));
    const double e = std::exp(z);
    return e / (1 + e);
}

/// softplus(z) = ln(1 + e^z) = max(z, 0) + ln(1 + e^−|z|); its derivative is σ(z).
inline ValueSlope softplus(double z) {
    const double v = (z > 0 ? z : 0.0) + std::log1p(std::exp(-std::fabs(z)));
    return {v, sigmoid(z)};
}

/// σ(z)/softplus(z), the logarithmic derivative of softplus, which stays finite (→ 1) where both
/// underflow far below zero.
inline double softplus_log_slope(double z) {
    if (z < -30) return 1 - 0.5 * std::exp(z);
    return sigmoid(z) / softplus(z).v;
}

}  // namespace ionspice::models::smooth
