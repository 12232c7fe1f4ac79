#pragma once
// The soft-bound, exponential-in-voltage state equation shared by the ECRAM (driven by the gate–
// channel voltage) and the bulk and filamentary memristors (driven by the terminal voltage):
//
//     ṡ = ρ·[ R_p(V)·F_p(s) − R_d(V)·F_d(s) ]
//     R_p(V) = r_p·e^((V − vp)/vs)·σ((V − vtp)/dv)      R_d(V) = r_d·e^((−V − vd)/vs)·σ((−V − vtd)/dv)
//     F_p(s) = (1 − gp·s)·(1 − s^qb)                      F_d(s) = (1 − gd·(1 − s))·(1 − (1 − s)^qb)
//
// The exponential makes the step per pulse grow by e for every vs volts of amplitude; the sigmoid
// switches programming off below the thresholds (non-volatility at read voltages); the even power
// qb makes the bounds soft: past s = 1 potentiation reverses sign, past s = 0 depression does, so
// the state is pulled back instead of clamped and its Jacobian stays continuous.
//
// Calibration in the user's terms: one pulse of amplitude vp and width tp moves s by 1/nsteps at
// s = 0.5, i.e. R_p(vp)·F_p(0.5)·tp = 1/nsteps, hence
//     r_p = 1/(nsteps·tp·F_p(0.5)·σ((vp − vtp)/dv))
// (the sigmoid is ≈ 1 with the default thresholds; keeping it makes the calibration exact for any
// vtp). The same holds for depression with vd, td, F_d. The equation is autonomous, so a single
// pulse k·tp long moves s exactly as k pulses of tp do.

#include <fmt/format.h>

#include <cmath>

#include "models/ParamReader.hpp"
#include "models/Smooth.hpp"

namespace ionspice::models {

/// A family's defaults for the drift parameters (the ECRAM set, or a memristor preset).
struct DriftDefaults {
    double vp = 10;               ///< V, potentiation amplitude of the calibration pulse
    double tp = 2e-3;             ///< s, its width
    double vd = 7;                ///< V, depression amplitude (magnitude)
    double td = 2e-3;             ///< s
    double nsteps = 180;          ///< calibration pulses across the window
    double vs = 0.5;              ///< V, voltage sensitivity
    double vtp_fraction = 0.35;   ///< default vtp = fraction·vp
    double vtd_fraction = 0.35;   ///< default vtd = fraction·vd
    double dv = 0.1;              ///< V, threshold softness
    double gp = 0.02, gd = 0.02;  ///< update nonlinearity
    double qb = 8;                ///< soft-bound exponent (even)
};

/// The rate ṡ/ρ and its partial derivatives.
struct DriftRate {
    double rate;  ///< 1/s
    double d_v;   ///< 1/(s·V), ∂rate/∂V
    double d_s;   ///< 1/s, ∂rate/∂s
};

class SoftBoundDrift {
public:
    /// Reads vp tp vd td nsteps vs vtp vtd dv gp gd qb and calibrates r_p, r_d.
    static SoftBoundDrift read(ParamReader& r, const DriftDefaults& d) {
        SoftBoundDrift k;
        k.vp_ = r.positive("vp", d.vp);
        k.tp_ = r.positive("tp", d.tp);
        k.vd_ = r.positive("vd", d.vd);
        k.td_ = r.positive("td", d.td);
        k.nsteps_ = r.positive("nsteps", d.nsteps);
        k.vs_ = r.positive("vs", d.vs);
        k.vtp_ = r.non_negative("vtp", d.vtp_fraction * k.vp_);
        k.vtd_ = r.non_negative("vtd", d.vtd_fraction * k.vd_);
        k.dv_ = r.positive("dv", d.dv);
        auto nonlinearity = [&](const char* name, double fallback) {
            const double v = r.get(name, fallback);
            if (!(v >= 0 && v < 1)) r.fail(name, fmt::format("must be in [0, 1), got {:g}", v));
            return v;
        };
        k.gp_ = nonlinearity("gp", d.gp);
        k.gd_ = nonlinearity("gd", d.gd);
        const double qb = r.get("qb", d.qb);
        if (!(qb >= 2) || qb != std::floor(qb) || std::fmod(qb, 2.0) != 0)
            r.fail("qb", fmt::format("must be an even integer of at least 2 (odd powers do not pull the state "
                                     "back from both sides), got {:g}",
                                     qb));
        k.qb_ = static_cast<int>(qb);
        const double sig_p = smooth::sigmoid((k.vp_ - k.vtp_) / k.dv_);
        const double sig_d = smooth::sigmoid((k.vd_ - k.vtd_) / k.dv_);
        k.r_p_ = 1 / (k.nsteps_ * k.tp_ * k.window_p(0.5).v * sig_p);
        k.r_d_ = 1 / (k.nsteps_ * k.td_ * k.window_d(0.5).v * sig_d);
        if (!std::isfinite(k.r_p_) || !std::isfinite(k.r_d_))
            r.fail("vtp", "leaves no programming at the calibration pulse (vtp or vtd far above vp or vd)");
        return k;
    }

    /// ṡ/ρ at control voltage v (V) and state s.
    DriftRate rate(double v, double s) const {
        const Drive p = drive(v - vp_, v - vtp_);
        const Drive d = drive(-v - vd_, -v - vtd_);
        const smooth::ValueSlope fp = window_p(s);
        const smooth::ValueSlope fd = window_d(s);
        // ∂R_d/∂V carries the sign of its argument −V.
        return {r_p_ * p.v * fp.v - r_d_ * d.v * fd.v, r_p_ * p.d * fp.v + r_d_ * d.d * fd.v,
                r_p_ * p.v * fp.d - r_d_ * d.v * fd.d};
    }

    double vp() const { return vp_; }    ///< V, the calibration pulses
    double tp() const { return tp_; }    ///< s
    double vd() const { return vd_; }    ///< V (magnitude)
    double td() const { return td_; }    ///< s
    double vtp() const { return vtp_; }  ///< V
    double vtd() const { return vtd_; }  ///< V
    double r_p() const { return r_p_; }  ///< 1/s
    double r_d() const { return r_d_; }  ///< 1/s

    /// F_p(s) = (1 − gp·s)·(1 − s^qb) and its derivative.
    smooth::ValueSlope window_p(double s) const {
        const double a = 1 - gp_ * s;
        const double sq1 = std::pow(s, qb_ - 1);
        const double b = 1 - sq1 * s;
        return {a * b, -gp_ * b - a * qb_ * sq1};
    }
    /// F_d(s) = (1 − gd·(1 − s))·(1 − (1 − s)^qb) and its derivative.
    smooth::ValueSlope window_d(double s) const {
        const double u = 1 - s;
        const double a = 1 - gd_ * u;
        const double uq1 = std::pow(u, qb_ - 1);
        const double b = 1 - uq1 * u;
        return {a * b, gd_ * b + a * qb_ * uq1};
    }

private:
    /// e^(x/vs)·σ(y/dv) and its derivative with respect to V where ∂x/∂V = ∂y/∂V = 1.
    struct Drive {
        double v, d;
    };
    Drive drive(double x, double y) const {
        const smooth::ValueSlope e = smooth::exp_lin(x / vs_);
        const double sg = smooth::sigmoid(y / dv_);
        return {e.v * sg, e.d / vs_ * sg + e.v * sg * (1 - sg) / dv_};
    }

    double vp_ = 0, tp_ = 0, vd_ = 0, td_ = 0;  ///< V, s, V, s
    double nsteps_ = 0;
    double vs_ = 0, vtp_ = 0, vtd_ = 0, dv_ = 0;  ///< V
    double gp_ = 0, gd_ = 0;
    int qb_ = 8;
    double r_p_ = 0, r_d_ = 0;  ///< 1/s
};

}  // namespace ionspice::models
