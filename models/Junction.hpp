#pragma once
// Depletion charge of a pn junction (diode, MOSFET bulk junctions), as SPICE models it.

#include <cmath>

namespace ionspice::models {

struct JunctionCharge {
    double q;  ///< C
    double c;  ///< F, dq/dv
};

/// Depletion charge at junction voltage v of a junction with zero-bias capacitance cj0 (F),
/// built-in potential pb (V) and grading coefficient m (< 1). Below fc·pb
///     C(v) = cj0·(1 − v/pb)^−m,   q(v) = pb·cj0·(1 − (1 − v/pb)^(1−m))/(1 − m);
/// above it the capacitance is continued linearly, so that forward bias never reaches the pole
/// at v = pb:
///     C(v) = cj0/F2·(F3 + m·v/pb),  q(v) = cj0·F1 + cj0/F2·(F3·(v − fc·pb) + m/(2·pb)·(v² − (fc·pb)²))
/// with F1 = pb·(1 − (1 − fc)^(1−m))/(1 − m), F2 = (1 − fc)^(1+m), F3 = 1 − fc·(1 + m).
inline JunctionCharge depletion_charge(double v, double cj0, double pb, double m, double fc) {
    if (cj0 == 0) return {0, 0};
    const double vdep = fc * pb;
    if (v < vdep) {
        const double arg = 1 - v / pb;
        const double sarg = std::exp(-m * std::log(arg));
        return {pb * cj0 * (1 - arg * sarg) / (1 - m), cj0 * sarg};
    }
    const double xfc = std::log(1 - fc);
    const double f1 = pb * (1 - std::exp((1 - m) * xfc)) / (1 - m);
    const double f2 = std::exp((1 + m) * xfc);
    const double f3 = 1 - fc * (1 + m);
    const double czof2 = cj0 / f2;
    return {cj0 * f1 + czof2 * (f3 * (v - vdep) + m / (2 * pb) * (v * v - vdep * vdep)), czof2 * (f3 + m * v / pb)};
}

}  // namespace ionspice::models
