#pragma once
// Newton-step limiting of junction and FET voltages, as SPICE does it (ngspice devsup.c), shared
// by the diode and the MOSFETs. Each function takes the voltage Newton proposes (`vnew`) and the
// one the device was last evaluated at (`vold`) and returns the voltage to evaluate at instead.
// Limiting keeps exponentials from overflowing and keeps Newton from jumping across a region
// boundary it cannot come back from; it never changes the solution, only the path to it.

#include <algorithm>
#include <cmath>

namespace ionspice::models {

struct Limited {
    double v;      ///< V, the voltage to evaluate at
    bool limited;  ///< true when v differs from what Newton proposed
};

/// pn junction: above vcrit, a step larger than 2·vt follows the logarithm of the current instead
/// of the voltage (so the current changes by a bounded factor per iteration); large reverse steps
/// are capped at 2·vold − 1 (or −vold − 1 coming from forward bias).
inline Limited pnjlim(double vnew, double vold, double vt, double vcrit) {
    if (vnew > vcrit && std::fabs(vnew - vold) > vt + vt) {
        if (vold > 0) {
            double arg = (vnew - vold) / vt;
            // vnew = vold ± vt·(2 + ln|arg ∓ 2|): the log of the excess step
            if (arg > 0)
                vnew = vold + vt * (2 + std::log(arg - 2));
            else
                vnew = vold - vt * (2 + std::log(2 - arg));
        } else {
            // coming from reverse bias: vt·ln(vnew/vt)
            vnew = vt * std::log(vnew / vt);
        }
        return {vnew, true};
    }
    if (vnew < 0) {
        double floor = vold > 0 ? -vold - 1 : 2 * vold - 1;
        if (vnew < floor) return {floor, true};
    }
    return {vnew, false};
}

/// FET gate voltage (vgs, or vgd in reverse mode) relative to the threshold `vto`: keeps a step from
/// crossing the threshold too far in one go, since the square law has no curvature to pull it back.
inline Limited fetlim(double vnew, double vold, double vto) {
    const double proposed = vnew;
    const double vtsthi = std::fabs(2 * (vold - vto)) + 2;
    const double vtstlo = std::fabs(vold - vto) + 1;
    const double vtox = vto + 3.5;
    const double delv = vnew - vold;
    if (vold >= vto) {
        if (vold >= vtox) {
            if (delv <= 0) {
                // going off: at most vtstlo per step while strongly on, never below vto + 2
                if (vnew >= vtox) {
                    if (-delv > vtstlo) vnew = vold - vtstlo;
                } else {
                    vnew = std::max(vnew, vto + 2);
                }
            } else if (delv >= vtsthi) {
                // staying on
                vnew = vold + vtsthi;
            }
        } else {
            // middle region: stay within [vto − 0.5, vto + 4]
            vnew = delv <= 0 ? std::max(vnew, vto - 0.5) : std::min(vnew, vto + 4);
        }
    } else {
        // off
        if (delv <= 0) {
            if (-delv > vtsthi) vnew = vold - vtsthi;
        } else {
            const double vtemp = vto + 0.5;
            if (vnew <= vtemp) {
                if (delv > vtstlo) vnew = vold + vtstlo;
            } else {
                vnew = vtemp;
            }
        }
    }
    return {vnew, vnew != proposed};
}

/// FET drain–source voltage (normalised so that vold ≥ 0): grows at most to 3·vold + 2 (or 4 from
/// below 3.5 V) per step, and falls no further than 2 V (−0.5 V from below 3.5 V).
inline Limited limvds(double vnew, double vold) {
    const double proposed = vnew;
    if (vold >= 3.5) {
        if (vnew > vold)
            vnew = std::min(vnew, 3 * vold + 2);
        else if (vnew < 3.5)
            vnew = std::max(vnew, 2.0);
    } else {
        vnew = vnew > vold ? std::min(vnew, 4.0) : std::max(vnew, -0.5);
    }
    return {vnew, vnew != proposed};
}

}  // namespace ionspice::models
