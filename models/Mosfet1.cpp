// MOSFET level 1 (Shichman–Hodges): M d g s b model [w=] [l=] [m=] [ad=] [as=] [pd=] [ps=]
//                                    [nrd=] [nrs=] [temp=] [dtemp=] [icvds= icvgs= icvbs=] [off]
// .model NAME nmos|pmos (level=1 VTO KP GAMMA PHI LAMBDA RD RS CBD CBS IS PB CGSO CGDO CGBO RSH
//                        CJ MJ CJSW MJSW JS TOX LD U0 FC NSUB TPG NSS TNOM KF AF NLEV GDSNOI)
//
// DC is ngspice-39's MOS1 (mos1load.c/mos1temp.c): the same drain current in cutoff, linear and
// saturation with drain–source swap for vds < 0, body effect, channel-length modulation, the
// bulk–drain and bulk–source junction diodes with gmin in parallel, the same parameter
// derivation from TOX/U0/NSUB and the same temperature scaling; and the same Newton limiting
// (fetlim on vgs or vgd, limvds on vds, pnjlim on the bulk junctions).
//
// Charges: the bulk junction depletion charges, and the gate charges of Meyer's capacitances
// (when TOX is given) plus the fixed overlaps CGSO·W, CGDO·W, CGBO·Leff. Meyer's capacitances
// are not the derivatives of any charge, so SPICE integrates them along the solution: from the
// last accepted point 1, q = q₁ + (C(v)/2 + C(v₁)/2 + C_overlap)·(v − v₁), with q = C·v at the
// start of a transient (mos1load.c). Point 1 is taken at each accepted point (accept()) and kept
// in the device's history, so q stays a function of the present unknowns within a step, as the
// DAE interface asks.
//
// Internally everything is computed for an n-channel device: voltages and currents of a p-channel
// device are multiplied by type = −1 on the way in and out.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include "models/CardValue.hpp"
#include "models/Device.hpp"
#include "models/Junction.hpp"
#include "models/Limiting.hpp"
#include "models/ParamReader.hpp"
#include "models/Physics.hpp"
#include "models/Registry.hpp"
#include "models/Stamping.hpp"

namespace ionspice::models {
namespace {

/// ngspice's cap on junction exponents (MAX_EXP_ARG).
constexpr double kMaxExpArg = 709.0;
/// ngspice's default W, L (.options defw, defl).
constexpr double kDefaultWidth = 100e-6;   ///< m
constexpr double kDefaultLength = 100e-6;  ///< m
/// Relative permittivities ngspice uses for the oxide and silicon.
constexpr double kEpsRelOxide = 3.9;

/// Cox = εox/tox, F/m².
double oxide_cap_per_area(double tox) { return kEpsRelOxide * physics::kEpsZeroMos / tox; }
constexpr double kEpsRelSilicon = 11.70;
/// Intrinsic carrier density of silicon in ngspice's Nsub formulas.
constexpr double kNiSilicon = 1.45e16;  ///< 1/m³
/// The oxide thickness ngspice's MOS1 flicker noise assumes when TOX is not given.
constexpr double kNoiseDefaultTox = 1e-7;  ///< m

/// The .model card as written (what is derived from TOX/NSUB depends on tnom, known per instance).
struct Mos1Model final : ModelParams {
    int type = 1;                    ///< +1 nmos, −1 pmos
    std::optional<double> vto;       ///< V, zero-bias threshold voltage
    std::optional<double> kp;        ///< A/V², transconductance parameter
    std::optional<double> gamma;     ///< √V, body-effect parameter
    std::optional<double> phi;       ///< V, surface potential
    double lambda = 0;               ///< 1/V, channel-length modulation
    std::optional<double> rd, rs;    ///< Ω, drain and source ohmic resistances
    std::optional<double> cbd, cbs;  ///< F, zero-bias bulk junction capacitances
    double is = 1e-14;               ///< A, bulk junction saturation current
    double pb = 0.8;                 ///< V, bulk junction potential
    double cgso = 0, cgdo = 0;       ///< F/m, gate–source and gate–drain overlap capacitance per width
    double cgbo = 0;                 ///< F/m, gate–bulk overlap capacitance per length
    std::optional<double> rsh;       ///< Ω/□, drain and source diffusion sheet resistance
    std::optional<double> cj;        ///< F/m², bulk junction bottom capacitance per area
    double mj = 0.5;                 ///< bottom grading coefficient
    std::optional<double> cjsw;      ///< F/m, bulk junction sidewall capacitance per perimeter
    double mjsw = 0.5;               ///< sidewall grading coefficient
    double js = 0;                   ///< A/m², bulk junction saturation current density
    std::optional<double> tox;       ///< m, oxide thickness
    double ld = 0;                   ///< m, lateral diffusion
    std::optional<double> u0;        ///< cm²/(V·s), surface mobility
    double fc = 0.5;                 ///< forward-bias depletion capacitance coefficient
    std::optional<double> nsub;      ///< 1/cm³, substrate doping
    std::optional<double> tpg;       ///< gate type: +1 opposite to substrate, −1 same, 0 aluminium
    std::optional<double> nss;       ///< 1/cm², surface state density
    std::optional<double> tnom;      ///< °C, parameter measurement temperature
    double kf = 0;                   ///< flicker noise coefficient
    double af = 1;                   ///< flicker noise exponent
    int nlev = -1;                   ///< noise model of ngspice-43 and later (0–3); −1: not given
    double gdsnoi = 1;               ///< channel thermal noise coefficient (nlev 3)
};

/// What the model card means at a nominal temperature (ngspice's model part of MOS1temp).
struct Mos1Derived {
    double vto;    ///< V
    double kp;     ///< A/V²
    double gamma;  ///< √V
    double phi;    ///< V
};

/// VTO, KP, GAMMA and PHI from TOX, U0, NSUB, TPG and NSS where they are not given (mos1temp.c).
Mos1Derived derive(const Mos1Model& mp, double tnom_k) {
    using namespace physics;
    Mos1Derived d{mp.vto.value_or(0.0), mp.kp.value_or(2e-5), mp.gamma.value_or(0.0), mp.phi.value_or(0.6)};
    if (!mp.tox || *mp.tox == 0) return d;
    const double vtnom = thermal_voltage(tnom_k);
    const double egfet1 = silicon_band_gap(tnom_k);
    // Cox = εox/tox; KP = U0·Cox (U0 in cm²/(V·s)).
    const double cox = oxide_cap_per_area(*mp.tox);
    if (!mp.kp) d.kp = mp.u0.value_or(600.0) * cox * 1e-4;
    if (!mp.nsub) return d;
    const double nsub = *mp.nsub * 1e6;  // 1/m³
    // PHI = 2·vt·ln(NSUB/ni), at least 0.1 V.
    if (!mp.phi) d.phi = std::max(0.1, 2 * vtnom * std::log(nsub / kNiSilicon));
    const double fermis = mp.type * 0.5 * d.phi;
    double wkfng = 3.2;
    const double tpg = mp.tpg.value_or(1.0);
    if (tpg != 0) {
        const double fermig = mp.type * tpg * 0.5 * egfet1;
        wkfng = 3.25 + 0.5 * egfet1 - fermig;
    }
    const double wkfngs = wkfng - (3.25 + 0.5 * egfet1 + fermis);
    // GAMMA = √(2·εSi·q·NSUB)/Cox.
    if (!mp.gamma) d.gamma = std::sqrt(2 * kEpsRelSilicon * kEpsZeroMos * kCharge * nsub) / cox;
    // VTO = VFB + type·(GAMMA·√PHI + PHI), VFB = φms − q·NSS/Cox.
    if (!mp.vto) {
        const double vfb = wkfngs - mp.nss.value_or(0.0) * 1e4 * kCharge / cox;
        d.vto = vfb + mp.type * (d.gamma * std::sqrt(d.phi) + d.phi);
    }
    return d;
}

/// One instance's constants after geometry, multiplier and temperature (ngspice's MOS1temp and
/// the start of MOS1load).
struct Mos1Instance {
    int type;                          ///< +1 nmos, −1 pmos
    double vt;                         ///< V, kT/q at the device temperature
    double beta;                       ///< A/V², KP(T)·m·W/Leff
    double lambda;                     ///< 1/V
    double gamma;                      ///< √V
    double phi;                        ///< V, PHI(T)
    double vbi;                        ///< V, VTO(T) − type·GAMMA·√PHI(T), real frame
    double vto;                        ///< V, VTO(T), real frame
    double drain_sat, source_sat;      ///< A, junction saturation currents
    double drain_vcrit, source_vcrit;  ///< V
    double gd, gs;                     ///< S, drain and source ohmic conductances (0: none)
    double cgs, cgd, cgb;              ///< F, overlap capacitances
    double oxide_cap;                  ///< F, Cox·W·Leff·m (0 without TOX: no Meyer capacitances)
    double cbd, cbdsw, cbs, cbssw;     ///< F, zero-bias junction capacitances (bottom, sidewall)
    double bulk_pot;                   ///< V, PB(T)
    double mj, mjsw, fc;
    // Noise.
    double kelvin;     ///< K, device temperature
    double m;          ///< instance multiplier
    double w, leff;    ///< m, channel width and effective length
    double noise_cox;  ///< F/m², εox/TOX, or with TOX = 1e-7 m when TOX is not given
    double kf, af;
    int nlev;  ///< as Mos1Model::nlev
    double gdsnoi;
};

/// Channel current of an n-channel device in normal mode: the drain current and its partial
/// derivatives with respect to the gate, drain and bulk voltages measured from the source.
struct ChannelCurrent {
    double id;    ///< A
    double gm;    ///< S, ∂id/∂vgs
    double gds;   ///< S, ∂id/∂vds
    double gmbs;  ///< S, ∂id/∂vbs
    double von;   ///< V, threshold at this vbs
};

ChannelCurrent channel(const Mos1Instance& k, double vgs, double vds, double vbs) {
    ChannelCurrent c{};
    // Body effect: von = VBI + GAMMA·√(PHI − vbs); for vbs > 0 the root is continued by its
    // tangent at vbs = 0 (and not below zero), as in SPICE.
    double sarg;
    double dsarg;  // ∂sarg/∂vbs
    if (vbs <= 0) {
        sarg = std::sqrt(k.phi - vbs);
        dsarg = -0.5 / sarg;
    } else {
        const double sphi = std::sqrt(k.phi);
        sarg = sphi - vbs / (sphi + sphi);
        dsarg = -0.5 / sphi;
        if (sarg < 0) {
            sarg = 0;
            dsarg = 0;
        }
    }
    c.von = k.vbi * k.type + k.gamma * sarg;
    const double vgst = vgs - c.von;
    if (vgst <= 0) return c;  // cutoff: no current, no subthreshold conduction
    const double betap = k.beta * (1 + k.lambda * vds);
    if (vgst <= vds) {
        // saturation: id = β/2·(1 + λ·vds)·vgst²
        c.id = betap * vgst * vgst * 0.5;
        c.gm = betap * vgst;
        c.gds = k.lambda * k.beta * vgst * vgst * 0.5;
    } else {
        // linear: id = β·(1 + λ·vds)·vds·(vgst − vds/2)
        c.id = betap * vds * (vgst - 0.5 * vds);
        c.gm = betap * vds;
        c.gds = betap * (vgst - vds) + k.lambda * k.beta * vds * (vgst - 0.5 * vds);
    }
    // ∂id/∂vbs = −gm·∂von/∂vbs (SPICE uses GAMMA/(2·sarg) for this also where vbs > 0, which is
    // not the derivative there; the current itself is the same).
    c.gmbs = -c.gm * k.gamma * dsarg;
    return c;
}

/// Bulk junction diode at v (bulk to source or drain, n-channel sense), with gmin in parallel:
/// I = Is·(e^(v/vt) − 1) + gmin·v, and −Is + gmin·v below −3·vt (ngspice's MOS1 form).
struct JunctionCurrent {
    double i;  ///< A
    double g;  ///< S
};

/// Meyer's gate capacitances, each halved as SPICE stores them (the load adds two of them), for
/// an n-channel device in normal mode at vgs, vds, threshold von and saturation voltage vdsat:
/// accumulation puts Cox on the bulk, depletion shares it out, inversion gives 2/3·Cox to the
/// source in saturation and splits it between source and drain towards vds = 0.
struct MeyerCaps {
    double gs = 0, gd = 0, gb = 0;  ///< F
};

MeyerCaps meyer_half_caps(double vgs, double vds, double von, double vdsat, double phi, double cox) {
    constexpr double kMinVdsat = 0.025;  // V, keeps the split finite at vdsat → 0 (as SPICE)
    MeyerCaps c;
    const double vgst = vgs - von;
    vdsat = std::max(vdsat, kMinVdsat);
    // Towards vds = 0 the channel charge moves from the source to the drain side.
    auto split = [&](double total) {
        if (vds >= vdsat) return MeyerCaps{total, 0, 0};
        const double vddif = 2 * vdsat - vds, vddif1 = vdsat - vds, vddif2 = vddif * vddif;
        return MeyerCaps{total * (1 - vddif1 * vddif1 / vddif2), total * (1 - vdsat * vdsat / vddif2), 0};
    };
    if (vgst <= -phi) {
        c.gb = cox / 2;
    } else if (vgst <= -phi / 2) {
        c.gb = -vgst * cox / (2 * phi);
    } else if (vgst <= 0) {
        c = split(vgst * cox / (1.5 * phi) + cox / 3);
        c.gb = -vgst * cox / (2 * phi);
    } else {
        c = split(cox / 3);
    }
    return c;
}

JunctionCurrent bulk_junction(double v, double isat, double vt, double gmin) {
    if (v <= -3 * vt) return {gmin * v - isat, gmin};
    const double ev = std::exp(std::min(kMaxExpArg, v / vt));
    return {isat * (ev - 1) + gmin * v, isat * ev / vt + gmin};
}

class Mosfet1 final : public Device {
public:
    /// Initial-condition voltages (normalised n-channel sense) for the first iteration.
    struct InitialVoltages {
        double vds = 0, vgs = 0, vbs = 0;  ///< V
    };

    Mosfet1(std::string name, const Mos1Instance& k, InitialVoltages ic, bool off)
        : Device(std::move(name)), k_(k), ic_(ic), off_(off) {}

    void declare(Declarer& d) override {
        d_ = d.terminal(0);
        g_ = d.terminal(1);
        s_ = d.terminal(2);
        b_ = d.terminal(3);
        dp_ = k_.gd > 0 ? d.add_node("drain") : d_;
        sp_ = k_.gs > 0 ? d.add_node("source") : s_;
        history_ = d.add_history(kHistoryCount);
    }

    void pattern(PatternBuilder& p) override {
        const std::array<Index, 4> nodes = {g_, dp_, sp_, b_};
        for (std::size_t r = 0; r < 4; ++r)
            for (std::size_t c = 0; c < 4; ++c) block_[r][c] = p.entry(nodes[r], nodes[c]);
        if (dp_ != d_) drain_.request(p, d_, dp_);
        if (sp_ != s_) source_.request(p, s_, sp_);
    }

    void load(LoadContext& ctx, const Stamp& st) override;
    void accept(const double* x, double time, double* history) override;
    bool charge_along_path() const override { return k_.oxide_cap > 0; }
    void noise(const double* x, std::vector<NoiseSource>& out) const override;
    std::optional<double> quantity(std::string_view name, const double* x, const double* /*xdot*/) const override;

private:
    enum Terminal { kG = 0, kD = 1, kS = 2, kB = 3 };  ///< rows/columns of block_: g, d', s', b

    struct Voltages {
        double vgs, vds, vbs;  ///< V, normalised n-channel sense
    };
    /// The static operating point at x (no limiting): voltages, mode, channel and drain current.
    struct Operating {
        Voltages v{};
        bool normal = true;
        ChannelCurrent c{};
        double cd = 0;  ///< A, normalised sense
    };
    Operating operating(const double* x) const;
    Voltages limit(LoadContext& ctx, const Voltages& v);

    Mos1Instance k_;
    InitialVoltages ic_;
    bool off_;
    // History: the previous evaluation's limited voltages and threshold (normalised; zero at
    // the start, as ngspice's), then the accepted point 1 (kHave = 1 once there is one).
    enum History : std::size_t {
        kVgsOld, kVdsOld, kVbsOld, kVbdOld, kVonOld,
        kHave, kVgs1, kVds1, kVbs1, kHalfGs1, kHalfGd1, kHalfGb1, kQgs1, kQgd1, kQgb1,
        kHistoryCount
    };
    std::size_t history_ = 0;
    double gmin_ = 1e-12;  ///< S, the gmin of the last load: part of the drain current flicker noise follows
    Index d_ = kGround, g_ = kGround, s_ = kGround, b_ = kGround, dp_ = kGround, sp_ = kGround;
    std::array<std::array<Slot, 4>, 4> block_{};
    PairSlots drain_, source_;

    /// Meyer's gate charges at the present voltages, from the accepted point 1 (normalised
    /// n-channel sense): the charges gs, gd, gb and the capacitances that multiply the changes.
    struct GateCharge {
        double qgs, qgd, qgb;  ///< C
        double cgs, cgd, cgb;  ///< F, including the overlaps
    };
    /// The accepted point 1: its voltages, half capacitances and charges.
    struct Point1 {
        Voltages v{};
        MeyerCaps half{};
        double qgs = 0, qgd = 0, qgb = 0;
    };
    /// Point 1 in the history values `h` (none before the transient's start).
    std::optional<Point1> point1(const double* h) const;
    GateCharge gate_charge(const Voltages& limited, const Voltages& actual, double von,
                           const std::optional<Point1>& p1) const;
    MeyerCaps half_caps(const Voltages& v, double von) const;
};

std::optional<Mosfet1::Point1> Mosfet1::point1(const double* h) const {
    h += history_;
    if (h[kHave] == 0) return std::nullopt;
    return Point1{{h[kVgs1], h[kVds1], h[kVbs1]}, {h[kHalfGs1], h[kHalfGd1], h[kHalfGb1]}, h[kQgs1], h[kQgd1], h[kQgb1]};
}

MeyerCaps Mosfet1::half_caps(const Voltages& v, double von) const {
    if (k_.oxide_cap == 0) return {};
    // In reverse mode (vds < 0) drain and source exchange their roles.
    const double vgd = v.vgs - v.vds;
    if (v.vds >= 0) return meyer_half_caps(v.vgs, v.vds, von, std::max(v.vgs - von, 0.0), k_.phi, k_.oxide_cap);
    MeyerCaps c = meyer_half_caps(vgd, -v.vds, von, std::max(vgd - von, 0.0), k_.phi, k_.oxide_cap);
    std::swap(c.gs, c.gd);
    return c;
}

Mosfet1::GateCharge Mosfet1::gate_charge(const Voltages& limited, const Voltages& actual, double von,
                                          const std::optional<Point1>& p1) const {
    const MeyerCaps now = half_caps(limited, von);
    // Before the first accepted point (operating point, start of a transient): q = C·v with
    // both halves from the present voltages.
    const MeyerCaps& then = p1 ? p1->half : now;
    GateCharge g{};
    g.cgs = now.gs + then.gs + k_.cgs;
    g.cgd = now.gd + then.gd + k_.cgd;
    g.cgb = now.gb + then.gb + k_.cgb;
    const double vgs = actual.vgs, vgd = actual.vgs - actual.vds, vgb = actual.vgs - actual.vbs;
    if (!p1) {
        g.qgs = g.cgs * vgs, g.qgd = g.cgd * vgd, g.qgb = g.cgb * vgb;
    } else {
        const Voltages& v1 = p1->v;
        g.qgs = p1->qgs + g.cgs * (vgs - v1.vgs);
        g.qgd = p1->qgd + g.cgd * (vgd - (v1.vgs - v1.vds));
        g.qgb = p1->qgb + g.cgb * (vgb - (v1.vgs - v1.vbs));
    }
    return g;
}

void Mosfet1::accept(const double* x, double time, double* history) {
    const double type = k_.type, vs = value_at(x, sp_);
    const Voltages v{type * (value_at(x, g_) - vs), type * (value_at(x, dp_) - vs), type * (value_at(x, b_) - vs)};
    // The threshold at the accepted voltages, in the mode the device is in there.
    const double von = v.vds >= 0 ? channel(k_, v.vgs, v.vds, v.vbs).von
                                  : channel(k_, v.vgs - v.vds, -v.vds, v.vbs - v.vds).von;
    // A transient starts (time 0): q = C·v again.
    const GateCharge g = gate_charge(v, v, von, time == 0 ? std::nullopt : point1(history));
    const MeyerCaps half = half_caps(v, von);
    double* h = history + history_;
    h[kHave] = 1;
    h[kVgs1] = v.vgs, h[kVds1] = v.vds, h[kVbs1] = v.vbs;
    h[kHalfGs1] = half.gs, h[kHalfGd1] = half.gd, h[kHalfGb1] = half.gb;
    h[kQgs1] = g.qgs, h[kQgd1] = g.qgd, h[kQgb1] = g.qgb;
}

// ngspice's mos1noi.c, at the device temperature T (ngspice-39 takes the circuit temperature),
// with gm the transconductance of the mode the device is in, Id = mode·I_channel − I_bd the drain
// current of ngspice's load (its bulk–drain junction included), Cox = εox/TOX (TOX = 1e-7 m when
// not given), Leff = L − 2·LD and m the instance multiplier:
//     rd: 4kT·G_RD between d and d',  rs: 4kT·G_RS between s and s'
//     id: 4kT·(2/3)·gm between d' and s'  (nlev 3: 4kT·(2/3)·β·vgst·(1 + α + α²)/(1 + α)·GDSNOI,
//         α = 1 − |vds|/vgst in the linear region, 0 in saturation, no noise below threshold)
//     1overf, between d' and s', by NLEV:
//         not given:  m·KF·(|Id|/m)^AF / (f·W·Leff·Cox²)    (SPICE3's form)
//         0:          m·KF·(|Id|/m)^AF / (f·Leff²·Cox)
//         1:          m·KF·(|Id|/m)^AF / (f·W·Leff·Cox)
//         2, 3:       KF·gm² / (m·f^AF·W·Leff·Cox)
// Without NLEV this is what ngspice-39, the reference here, computes, except that it writes
// KF·|Id|^AF/m for m·KF·(|Id|/m)^AF (the same for m = 1 or AF = 1; ngspice-45 fixed the m
// scaling); ngspice-43 and later default to NLEV = 2. Every generator is listed, zero or not, so
// that the summaries match ngspice's.
Mosfet1::Operating Mosfet1::operating(const double* x) const {
    const double type = k_.type, vs = value_at(x, sp_);
    Operating o;
    o.v = {type * (value_at(x, g_) - vs), type * (value_at(x, dp_) - vs), type * (value_at(x, b_) - vs)};
    o.normal = o.v.vds >= 0;
    o.c = o.normal ? channel(k_, o.v.vgs, o.v.vds, o.v.vbs)
                   : channel(k_, o.v.vgs - o.v.vds, -o.v.vds, o.v.vbs - o.v.vds);
    // ngspice's cd: the channel current in its direction, less the bulk–drain junction's.
    o.cd = (o.normal ? o.c.id : -o.c.id) - bulk_junction(o.v.vbs - o.v.vds, k_.drain_sat, k_.vt, gmin_).i;
    return o;
}

std::optional<double> Mosfet1::quantity(std::string_view name, const double* x, const double* /*xdot*/) const {
    // @m1[id] (and i(m1)): the current into the drain, as ngspice's (type-signed: negative for
    // a conducting p-channel device).
    if (name == "id" || name == "i") return k_.type * operating(x).cd;
    return std::nullopt;
}

void Mosfet1::noise(const double* x, std::vector<NoiseSource>& out) const {
    const Operating o = operating(x);
    const Voltages& v = o.v;
    const bool normal = o.normal;
    const ChannelCurrent& c = o.c;
    const double id = std::fabs(o.cd);
    const double four_kt = 4 * physics::kBoltzmann * k_.kelvin;

    double channel_g = 2.0 / 3.0 * c.gm;
    if (k_.nlev == 3) {
        const double vgst = (normal ? v.vgs : v.vgs - v.vds) - c.von;
        const double vds = std::fabs(v.vds);
        const double alpha = vgst <= vds ? 0.0 : 1 - vds / vgst;
        channel_g = vgst > 0 ? 2.0 / 3.0 * k_.beta * vgst * (1 + alpha + alpha * alpha) / (1 + alpha) * k_.gdsnoi : 0.0;
    }

    const double per_device = k_.m * k_.kf * std::pow(id / k_.m, k_.af);
    double flicker = 0, exponent = 1;
    switch (k_.nlev) {
        case -1:
            flicker = per_device / (k_.w * k_.leff * k_.noise_cox * k_.noise_cox);
            break;
        case 0:
            flicker = per_device / (k_.leff * k_.leff * k_.noise_cox);
            break;
        case 1:
            flicker = per_device / (k_.w * k_.leff * k_.noise_cox);
            break;
        default:
            flicker = k_.kf * c.gm * c.gm / (k_.m * k_.w * k_.leff * k_.noise_cox);
            exponent = k_.af;
            break;
    }

    out.push_back({.name = "rd", .plus = dp_, .minus = d_, .white = four_kt * k_.gd});
    out.push_back({.name = "rs", .plus = sp_, .minus = s_, .white = four_kt * k_.gs});
    out.push_back({.name = "id", .plus = dp_, .minus = sp_, .white = four_kt * channel_g});
    out.push_back({.name = "1overf", .plus = dp_, .minus = sp_, .flicker = flicker, .exponent = exponent});
}

Mosfet1::Voltages Mosfet1::limit(LoadContext& ctx, const Voltages& v) {
    Voltages out = v;
    bool limited = false;
    if (ctx.init_junctions) {
        // ngspice's MODEINITJCT: the ic= voltages, or vbs = −1, vgs = VTO, vds = 0 when all are
        // zero; an `off` device starts with everything at zero.
        if (off_) {
            out = {0, 0, 0};
        } else if (ic_.vds == 0 && ic_.vgs == 0 && ic_.vbs == 0) {
            out = {k_.type * k_.vto, 0, -1};
        } else {
            out = {ic_.vgs, ic_.vds, ic_.vbs};
        }
        limited = true;
    } else {
        const double* old = ctx.history + history_;
        const double vgs_old = old[kVgsOld], vds_old = old[kVdsOld], vbs_old = old[kVbsOld];
        const double vbd_old = old[kVbdOld], von_old = old[kVonOld];
        double vgs = v.vgs, vds = v.vds, vbs = v.vbs;
        double vgd = vgs - vds;
        const double vgdo = vgs_old - vds_old;
        if (vds_old >= 0) {
            const Limited lg = fetlim(vgs, vgs_old, von_old);
            vgs = lg.v;
            vds = vgs - vgd;
            const Limited ld = limvds(vds, vds_old);
            vds = ld.v;
            limited = lg.limited || ld.limited;
        } else {
            const Limited lg = fetlim(vgd, vgdo, von_old);
            vgd = lg.v;
            vds = vgs - vgd;
            const Limited ld = limvds(-vds, -vds_old);
            vds = -ld.v;
            vgs = vgd + vds;
            limited = lg.limited || ld.limited;
        }
        if (vds >= 0) {
            const Limited lj = pnjlim(vbs, vbs_old, k_.vt, k_.source_vcrit);
            vbs = lj.v;
            limited = limited || lj.limited;
        } else {
            // As in ngspice, the drain junction is limited from vbd before vds was limited.
            const Limited lj = pnjlim(v.vbs - v.vds, vbd_old, k_.vt, k_.drain_vcrit);
            vbs = lj.v + vds;
            limited = limited || lj.limited;
        }
        out = {vgs, vds, vbs};
    }
    if (limited) ++ctx.noncon;
    return out;
}

void Mosfet1::load(LoadContext& ctx, const Stamp& st) {
    gmin_ = ctx.gmin;
    const double* x = ctx.x;
    const double type = k_.type;
    const double vs_real = value_at(x, sp_);
    const Voltages actual{type * (value_at(x, g_) - vs_real), type * (value_at(x, dp_) - vs_real),
                          type * (value_at(x, b_) - vs_real)};
    const Voltages v = limit(ctx, actual);
    const double vbd = v.vbs - v.vds;

    const JunctionCurrent bs = bulk_junction(v.vbs, k_.source_sat, k_.vt, ctx.gmin);
    const JunctionCurrent bd = bulk_junction(vbd, k_.drain_sat, k_.vt, ctx.gmin);

    // Drain current into d' and its partials with respect to (vgs, vds, vbs). For vds < 0 the
    // device runs with drain and source exchanged: id = −channel(vgd, −vds, vbd).
    double id, did_vgs, did_vds, did_vbs, von;
    if (v.vds >= 0) {
        const ChannelCurrent c = channel(k_, v.vgs, v.vds, v.vbs);
        id = c.id;
        did_vgs = c.gm;
        did_vds = c.gds;
        did_vbs = c.gmbs;
        von = c.von;
    } else {
        const ChannelCurrent c = channel(k_, v.vgs - v.vds, -v.vds, vbd);
        id = -c.id;
        did_vgs = -c.gm;
        did_vds = c.gm + c.gds + c.gmbs;
        did_vbs = -c.gmbs;
        von = c.von;
    }

    double* old = ctx.history + history_;
    old[kVgsOld] = v.vgs;
    old[kVdsOld] = v.vds;
    old[kVbsOld] = v.vbs;
    old[kVbdOld] = vbd;
    old[kVonOld] = von;

    // Bulk junction charges (bottom and sidewall), bulk to source and bulk to drain.
    const JunctionCharge qbs_bot = depletion_charge(v.vbs, k_.cbs, k_.bulk_pot, k_.mj, k_.fc);
    const JunctionCharge qbs_sw = depletion_charge(v.vbs, k_.cbssw, k_.bulk_pot, k_.mjsw, k_.fc);
    const JunctionCharge qbd_bot = depletion_charge(vbd, k_.cbd, k_.bulk_pot, k_.mj, k_.fc);
    const JunctionCharge qbd_sw = depletion_charge(vbd, k_.cbdsw, k_.bulk_pot, k_.mjsw, k_.fc);
    const double capbs = qbs_bot.c + qbs_sw.c;
    const double capbd = qbd_bot.c + qbd_sw.c;

    // Linearise about the limited voltages, evaluate at the actual ones.
    const double dvgs = actual.vgs - v.vgs;
    const double dvds = actual.vds - v.vds;
    const double dvbs = actual.vbs - v.vbs;
    const double dvbd = dvbs - dvds;
    const double i_ch = id + did_vgs * dvgs + did_vds * dvds + did_vbs * dvbs;
    const double i_bs = bs.i + bs.g * dvbs;
    const double i_bd = bd.i + bd.g * dvbd;
    const double q_bs = qbs_bot.q + qbs_sw.q + capbs * dvbs;
    const double q_bd = qbd_bot.q + qbd_sw.q + capbd * dvbd;

    // Currents leaving each node (n-channel sense, times type): the channel current enters d'
    // and leaves s'; the junction currents flow from b into s' and d'.
    st.F(dp_, type * (i_ch - i_bd));
    st.F(sp_, type * (-i_ch - i_bs));
    st.F(b_, type * (i_bs + i_bd));
    st.Q(b_, type * (q_bs + q_bd));
    st.Q(sp_, -type * q_bs);
    st.Q(dp_, -type * q_bd);

    // Each row's partials with respect to (vgs, vds, vbs) become node columns g, d', b, and the
    // negated sum for s'. The type factors of rows and columns cancel.
    auto stamp_row = [&](int row, double a_gs, double a_ds, double a_bs, bool charge) {
        const std::array<Slot, 4>& r = block_[static_cast<std::size_t>(row)];
        const double vals[4] = {a_gs, a_ds, -(a_gs + a_ds + a_bs), a_bs};
        for (std::size_t c = 0; c < 4; ++c) {
            if (vals[c] == 0) continue;
            if (charge)
                st.C(r[c], vals[c]);
            else
                st.G(r[c], vals[c]);
        }
    };
    stamp_row(kD, did_vgs, did_vds + bd.g, did_vbs - bd.g, false);
    stamp_row(kS, -did_vgs, -did_vds, -did_vbs - bs.g, false);
    stamp_row(kB, 0, -bd.g, bs.g + bd.g, false);
    stamp_row(kB, 0, -capbd, capbs + capbd, true);
    stamp_row(kS, 0, 0, -capbs, true);
    stamp_row(kD, 0, capbd, -capbd, true);

    // Gate charges: Meyer's and the overlaps (normalised sense, times type on the nodes). As in
    // SPICE the Jacobian holds the capacitances, not the derivatives of the charges.
    const GateCharge gc = gate_charge(v, actual, von, point1(ctx.accepted));
    st.Q(g_, type * (gc.qgs + gc.qgd + gc.qgb));
    st.Q(sp_, -type * gc.qgs);
    st.Q(dp_, -type * gc.qgd);
    st.Q(b_, -type * gc.qgb);
    const auto& rg = block_[kG];
    st.C(rg[kG], gc.cgs + gc.cgd + gc.cgb);
    st.C(rg[kS], -gc.cgs);
    st.C(rg[kD], -gc.cgd);
    st.C(rg[kB], -gc.cgb);
    st.C(block_[kS][kG], -gc.cgs);
    st.C(block_[kS][kS], gc.cgs);
    st.C(block_[kD][kG], -gc.cgd);
    st.C(block_[kD][kD], gc.cgd);
    st.C(block_[kB][kG], -gc.cgb);
    st.C(block_[kB][kB], gc.cgb);

    // Drain and source ohmic resistances.
    if (dp_ != d_) {
        const double i = k_.gd * (value_at(x, d_) - value_at(x, dp_));
        st.F(d_, i);
        st.F(dp_, -i);
        drain_.stamp_g(st, k_.gd);
    }
    if (sp_ != s_) {
        const double i = k_.gs * (value_at(x, s_) - vs_real);
        st.F(s_, i);
        st.F(sp_, -i);
        source_.stamp_g(st, k_.gs);
    }
}

std::shared_ptr<const ModelParams> prepare(const ModelCard& card) {
    auto mp = std::make_shared<Mos1Model>();
    mp->type = card.type == "pmos" ? -1 : 1;
    ParamReader r(card, fmt::format("MOSFET model {}", card.name));
    r.ignore({"level", "nmos", "pmos"});
    auto non_negative = [&](const char* name) -> std::optional<double> {
        auto v = r.find(name);
        if (v && !(*v >= 0)) r.fail(name, fmt::format("must not be negative, got {:g}", *v));
        return v;
    };
    auto positive = [&](const char* name) -> std::optional<double> {
        auto v = r.find(name);
        if (v && !(*v > 0)) r.fail(name, fmt::format("must be positive, got {:g}", *v));
        return v;
    };
    auto grading = [&](const char* name, double fallback) {
        const double v = r.get(name, fallback);
        if (!(v >= 0 && v < 1)) r.fail(name, fmt::format("must be in [0, 1), got {:g}", v));
        return v;
    };
    mp->vto = r.find("vto");
    if (auto v = r.find("vt0")) mp->vto = v;
    mp->kp = non_negative("kp");
    mp->gamma = non_negative("gamma");
    mp->phi = positive("phi");
    mp->lambda = r.get("lambda", 0);
    mp->rd = non_negative("rd");
    mp->rs = non_negative("rs");
    mp->cbd = non_negative("cbd");
    mp->cbs = non_negative("cbs");
    mp->is = non_negative("is").value_or(1e-14);
    mp->pb = positive("pb").value_or(0.8);
    mp->cgso = non_negative("cgso").value_or(0);
    mp->cgdo = non_negative("cgdo").value_or(0);
    mp->cgbo = non_negative("cgbo").value_or(0);
    mp->rsh = non_negative("rsh");
    mp->cj = non_negative("cj");
    mp->mj = grading("mj", 0.5);
    mp->cjsw = non_negative("cjsw");
    mp->mjsw = grading("mjsw", 0.5);
    mp->js = non_negative("js").value_or(0);
    mp->tox = non_negative("tox");
    mp->ld = r.get("ld", 0);
    mp->u0 = positive("u0");
    if (auto v = positive("uo")) mp->u0 = v;
    mp->fc = grading("fc", 0.5);
    mp->nsub = positive("nsub");
    mp->tpg = r.find("tpg");
    if (mp->tpg && *mp->tpg != 0 && *mp->tpg != 1 && *mp->tpg != -1)
        r.fail("tpg", fmt::format("must be 1, -1 or 0, got {:g}", *mp->tpg));
    mp->nss = r.find("nss");
    mp->tnom = r.find("tnom");
    mp->kf = non_negative("kf").value_or(0);
    mp->af = non_negative("af").value_or(1);
    if (auto nlev = r.find("nlev")) {
        if (*nlev != 0 && *nlev != 1 && *nlev != 2 && *nlev != 3)
            r.fail("nlev", fmt::format("must be 0, 1, 2 or 3, got {:g}", *nlev));
        mp->nlev = static_cast<int>(*nlev);
    }
    mp->gdsnoi = non_negative("gdsnoi").value_or(1);
    r.reject_unknown();
    if (mp->tox && *mp->tox != 0 && mp->nsub && *mp->nsub * 1e6 <= kNiSilicon)
        r.fail("nsub", fmt::format("must exceed the intrinsic density 1.45e10 1/cm³, got {:g}", *mp->nsub));
    return mp;
}

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams* model) {
    using namespace physics;
    const auto& mp = static_cast<const Mos1Model&>(*model);
    const Subject what{"MOSFET", card.name};
    require_terminals(card, 4, "drain gate source bulk", what);
    ParamReader r(card, what);
    const double w = r.positive("w", kDefaultWidth);
    const double l = r.positive("l", kDefaultLength);
    const double m = r.positive("m", 1);
    const double ad = r.non_negative("ad", 0);
    const double as = r.non_negative("as", 0);
    const double pd = r.non_negative("pd", 0);
    const double ps = r.non_negative("ps", 0);
    const double nrd = r.non_negative("nrd", 1);
    const double nrs = r.non_negative("nrs", 1);
    const double temp_c = r.get("temp", card.temp + r.get("dtemp", 0));
    Mosfet1::InitialVoltages ic;
    ic.vds = mp.type * r.get("icvds", 0);
    ic.vgs = mp.type * r.get("icvgs", 0);
    ic.vbs = mp.type * r.get("icvbs", 0);
    r.reject_unknown();
    const bool off = read_off_flag(card, what);
    const double leff = l - 2 * mp.ld;
    if (!(leff > 0))
        throw DeviceError(DeviceError::Where::Instance, "l",
                          fmt::format("{}: effective channel length L − 2·LD = {:g} m is not positive", what, leff));

    const double tnom = mp.tnom.value_or(card.tnom) + kCelsiusToKelvin;
    const double temp = temp_c + kCelsiusToKelvin;
    if (!(temp > 0) || !(tnom > 0))
        throw DeviceError(DeviceError::Where::Instance, "temp",
                          fmt::format("{}: temperature below absolute zero", what));
    const Mos1Derived dm = derive(mp, tnom);

    Mos1Instance k{};
    k.type = mp.type;
    k.vt = thermal_voltage(temp);
    k.lambda = mp.lambda;
    k.gamma = dm.gamma;
    k.mj = mp.mj;
    k.mjsw = mp.mjsw;
    k.fc = mp.fc;

    // Temperature scaling (mos1temp.c): KP ∝ (T/Tnom)^−1.5; PHI, PB follow the band gap.
    const double vtnom = thermal_voltage(tnom);
    const double fact1 = tnom / kRefTemp;
    const double fact2 = temp / kRefTemp;
    const double egfet1 = silicon_band_gap(tnom);
    const double egfet = silicon_band_gap(temp);
    const double pbfact1 = potential_temperature_term(tnom);
    const double pbfact = potential_temperature_term(temp);
    const double ratio = temp / tnom;
    const double ratio4 = ratio * std::sqrt(ratio);
    const double kp_t = dm.kp / ratio4;
    const double phio = (dm.phi - pbfact1) / fact1;
    k.phi = fact2 * phio + pbfact;
    k.vbi =
        dm.vto - mp.type * (dm.gamma * std::sqrt(dm.phi)) + 0.5 * (egfet1 - egfet) + mp.type * 0.5 * (k.phi - dm.phi);
    k.vto = k.vbi + mp.type * dm.gamma * std::sqrt(k.phi);
    // Is(T) = Is·exp(−Eg(T)/vt + Eg(Tnom)/vtnom), the same for Js.
    const double is_factor = std::exp(-egfet / k.vt + egfet1 / vtnom);
    const double sat_cur = mp.is * is_factor;
    const double sat_cur_dens = mp.js * is_factor;

    const double pbo = (mp.pb - pbfact1) / fact1;
    const double gmaold = (mp.pb - pbo) / pbo;
    k.bulk_pot = fact2 * pbo + pbfact;
    const double gmanew = (k.bulk_pot - pbo) / pbo;
    auto cap_factor = [&](double grading) {
        return (1 + grading * (4e-4 * (temp - kRefTemp) - gmanew)) /
               (1 + grading * (4e-4 * (tnom - kRefTemp) - gmaold));
    };
    const double bot = cap_factor(mp.mj);
    const double side = cap_factor(mp.mjsw);

    k.beta = kp_t * m * w / leff;
    // Junction saturation currents: JS·area when JS and both areas are given, else IS.
    const bool use_density = sat_cur_dens != 0 && ad != 0 && as != 0;
    k.drain_sat = use_density ? sat_cur_dens * m * ad : m * sat_cur;
    k.source_sat = use_density ? sat_cur_dens * m * as : m * sat_cur;
    // vcrit = vt·ln(vt/(√2·Is)).
    k.drain_vcrit = k.vt * std::log(k.vt / (kSqrt2 * k.drain_sat));
    k.source_vcrit = k.vt * std::log(k.vt / (kSqrt2 * k.source_sat));

    k.cbd = mp.cbd ? *mp.cbd * bot * m : (mp.cj ? *mp.cj * bot * m * ad : 0.0);
    k.cbs = mp.cbs ? *mp.cbs * bot * m : (mp.cj ? *mp.cj * bot * m * as : 0.0);
    k.cbdsw = mp.cjsw ? *mp.cjsw * side * pd * m : 0.0;
    k.cbssw = mp.cjsw ? *mp.cjsw * side * ps * m : 0.0;

    // RD, RS if given, else RSH times the number of squares; zero means no resistor.
    auto conductance = [&](const std::optional<double>& r_given, double squares) {
        if (r_given) return *r_given != 0 ? m / *r_given : 0.0;
        if (mp.rsh && *mp.rsh != 0 && squares != 0) return m / (*mp.rsh * squares);
        return 0.0;
    };
    k.gd = conductance(mp.rd, nrd);
    k.gs = conductance(mp.rs, nrs);

    k.cgs = mp.cgso * m * w;
    k.cgd = mp.cgdo * m * w;
    k.cgb = mp.cgbo * m * leff;
    k.oxide_cap = mp.tox && *mp.tox != 0 ? oxide_cap_per_area(*mp.tox) * w * leff * m : 0.0;

    k.kelvin = temp;
    k.m = m;
    k.w = w;
    k.leff = leff;
    k.noise_cox = oxide_cap_per_area(mp.tox && *mp.tox != 0 ? *mp.tox : kNoiseDefaultTox);
    k.kf = mp.kf;
    k.af = mp.af;
    k.nlev = mp.nlev;
    k.gdsnoi = mp.gdsnoi;
    return std::make_unique<Mosfet1>(card.name, k, ic, off);
}

const Registrar registrar{Registration{
    .letter = 'm',
    .types = {"nmos", "pmos"},
    .levels = {1},
    .description = "MOSFET level 1 (Shichman-Hodges)",
    .prepare = prepare,
    .create = create,
}};

}  // namespace
}  // namespace ionspice::models
