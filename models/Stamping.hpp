#pragma once
// Small helpers the device families share for reading x and stamping two-terminal branches.

#include "models/Device.hpp"

namespace ionspice::models {

/// x[i], or 0 V for ground.
inline double value_at(const double* x, Index i) { return i >= 0 ? x[i] : 0.0; }

/// The four matrix entries of an element between nodes a and b (a conductance, a capacitance, or
/// both): +y on the diagonal, −y off it.
struct PairSlots {
    Slot aa = kNoSlot, ab = kNoSlot, ba = kNoSlot, bb = kNoSlot;

    void request(PatternBuilder& p, Index a, Index b) {
        aa = p.entry(a, a);
        ab = p.entry(a, b);
        ba = p.entry(b, a);
        bb = p.entry(b, b);
    }
    void stamp_g(const Stamp& s, double g) const {
        s.G(aa, g);
        s.G(ab, -g);
        s.G(ba, -g);
        s.G(bb, g);
    }
    void stamp_c(const Stamp& s, double c) const {
        s.C(aa, c);
        s.C(ab, -c);
        s.C(ba, -c);
        s.C(bb, c);
    }
};

}  // namespace ionspice::models
