// Smooth all-region MOSFET: M d g s b model [w=] [l=] [m=] [temp=] [dtemp=] [off]
// .model NAME nmos|pmos (level=44 VTO KP N LAMBDA CGSO CGDO KF AF)
//
// Level 44 is the number ngspice gives its EKV model, and this is an EKV-style model, but it is
// NOT ngspice's EKV 2.6: it has only the parameters above. Anything else (GAMMA, PHI, UCRIT, …)
// is rejected, so an ngspice EKV deck fails loudly instead of running with parameters silently
// dropped.
//
// With voltages relative to the bulk, for an n-channel device:
//     V_P = (V_G − VTO)/N,  F(v) = softplus(v/2)²,  i_f = F((V_P − V_S)/U_T),  i_r = F((V_P − V_D)/U_T)
//     I_D = I_spec·(i_f − i_r)·(1 + LAMBDA·|V_DS|),  I_spec = 2·N·KP·(W/L)·m·U_T²,  U_T = kT/q
// F → e^v far below threshold (so I ≈ I_spec·e^((V_P−V_S)/U_T)·(1 − e^(−V_DS/U_T)), a slope of
// N·U_T·ln10 per decade) and → v²/4 far above (so at small V_DS, I ≈ KP(W/L)(V_GS − VTO − N·V_DS/2)V_DS
// with the source at the bulk). i_f − i_r changes sign with V_DS and |V_DS| does not, so swapping
// drain and source negates the current. |V_DS| is smoothed as √(V_DS² + ε²) − ε so that the
// Jacobian stays continuous through V_DS = 0. No other temperature dependence than U_T.
// Charges: fixed overlap capacitances CGSO·W·m and CGDO·W·m only.
// Noise (no ngspice counterpart), between drain and source: channel thermal noise
// 4kT·(2/3)·|g_m|, g_m = ∂I_D/∂V_G, the long-channel strong-inversion value SPICE's MOSFETs use
// (in weak inversion and saturation the shot noise 2q·I_D is 4kT·(N/2)·g_m, 3N/4 times this),
// and flicker noise m·KF·(|I_D|/m)^AF/f, i.e. KF·|I_D|^AF/f for each of the m devices.
//
// A p-channel device is the n-channel one with every voltage and current negated (type = −1).
// Newton limiting as SPICE does for MOSFETs (fetlim on V_GS or V_GD, limvds on V_DS); GMIN across
// drain–source.

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "models/CardValue.hpp"
#include "models/Device.hpp"
#include "models/Limiting.hpp"
#include "models/ParamReader.hpp"
#include "models/Physics.hpp"
#include "models/Registry.hpp"
#include "models/Smooth.hpp"
#include "models/Stamping.hpp"

namespace ionspice::models {
namespace {

/// ngspice's default W, L (.options defw, defl), as for level 1.
constexpr double kDefaultWidth = 100e-6;   ///< m
constexpr double kDefaultLength = 100e-6;  ///< m
/// Smoothing of |V_DS|: its largest effect on the current is LAMBDA·ε relative.
constexpr double kVdsSmoothing = 1e-4;  ///< V

struct EkvModel final : ModelParams {
    int type = 1;          ///< +1 nmos, −1 pmos
    double vto = 0.45;     ///< V, threshold voltage (type-signed for pmos, as in SPICE)
    double kp = 200e-6;    ///< A/V², transconductance parameter
    double n = 1.3;        ///< slope factor
    double lambda = 0.05;  ///< 1/V, channel-length modulation
    double cgso = 0;       ///< F/m, gate–source overlap capacitance per width
    double cgdo = 0;       ///< F/m, gate–drain overlap capacitance per width
    double kf = 0;         ///< flicker noise coefficient
    double af = 1;         ///< flicker noise current exponent
};

struct EkvInstance {
    int type;    ///< +1 nmos, −1 pmos
    double vto;  ///< V, n-channel sense
    double n;
    double lambda;    ///< 1/V
    double ut;        ///< V, kT/q
    double ispec;     ///< A, 2·N·KP·(W/L)·m·U_T²
    double cgs, cgd;  ///< F
    double kelvin;    ///< K, device temperature
    double m;         ///< instance multiplier
    double kf, af;    ///< flicker noise coefficient and exponent
};

/// Drain current (n-channel sense, into the drain) and its partials with respect to the
/// source-referenced voltages.
struct EkvCurrent {
    double id;     ///< A
    double d_vgs;  ///< S
    double d_vds;  ///< S
    double d_vbs;  ///< S
};

/// F(a) = softplus(a/2)² and F'(a) = softplus(a/2)·σ(a/2).
smooth::ValueSlope interpolation(double a) {
    const smooth::ValueSlope sp = smooth::softplus(0.5 * a);
    return {sp.v * sp.v, sp.v * sp.d};
}

EkvCurrent channel(const EkvInstance& k, double vgs, double vds, double vbs) {
    // Bulk-referenced voltages.
    const double vgb = vgs - vbs, vsb = -vbs, vdb = vds - vbs;
    const double vp = (vgb - k.vto) / k.n;
    const smooth::ValueSlope f = interpolation((vp - vsb) / k.ut);
    const smooth::ValueSlope r = interpolation((vp - vdb) / k.ut);
    // |V_DS| ≈ √(V_DS² + ε²) − ε
    const double root = std::sqrt(vds * vds + kVdsSmoothing * kVdsSmoothing);
    const double mag = root - kVdsSmoothing;
    const double dmag = vds / root;
    const double clm = 1 + k.lambda * mag;
    const double diff = f.v - r.v;
    const double id = k.ispec * diff * clm;
    const double d_vgb = k.ispec * clm * (f.d - r.d) / (k.n * k.ut);
    const double d_vsb = k.ispec * (-f.d / k.ut * clm - diff * k.lambda * dmag);
    const double d_vdb = k.ispec * (r.d / k.ut * clm + diff * k.lambda * dmag);
    return {id, d_vgb, d_vdb, -(d_vgb + d_vsb + d_vdb)};
}

class MosfetEkv final : public Device {
public:
    MosfetEkv(std::string name, const EkvInstance& k, bool off) : Device(std::move(name)), k_(k), off_(off) {}

    void declare(Declarer& d) override {
        nodes_[kD] = d.terminal(0);
        nodes_[kG] = d.terminal(1);
        nodes_[kS] = d.terminal(2);
        nodes_[kB] = d.terminal(3);
        old_ = d.add_history(kOldCount);
    }

    void pattern(PatternBuilder& p) override {
        for (std::size_t r = 0; r < 4; ++r)
            for (std::size_t c = 0; c < 4; ++c) slot_[r][c] = p.entry(nodes_[r], nodes_[c]);
    }

    void load(LoadContext& ctx, const Stamp& st) override;

    /// @m1[id], i(m1): the channel current into the drain, type-signed as ngspice's MOSFETs'
    /// (negative for a conducting p-channel device).
    std::optional<double> quantity(std::string_view name, const double* x, const double* /*xdot*/) const override {
        if (name != "id" && name != "i") return std::nullopt;
        return k_.type * channel_at(x).id;
    }

    // The noise of the header comment; GMIN across drain–source is noiseless, as in SPICE.
    void noise(const double* x, std::vector<NoiseSource>& out) const override {
        const EkvCurrent c = channel_at(x);
        out.push_back({.name = "id", .plus = nodes_[kD], .minus = nodes_[kS],
                       .white = 4 * physics::kBoltzmann * k_.kelvin * 2.0 / 3.0 * std::fabs(c.d_vgs)});
        if (k_.kf != 0)
            out.push_back({.name = "1overf", .plus = nodes_[kD], .minus = nodes_[kS],
                           .flicker = k_.m * k_.kf * std::pow(std::fabs(c.id) / k_.m, k_.af)});
    }

private:
    enum Terminal : std::size_t { kG = 0, kD = 1, kS = 2, kB = 3 };

    /// The channel at a solution, unlimited (noise, the drain current as an output).
    EkvCurrent channel_at(const double* x) const {
        const double type = k_.type, vs = value_at(x, nodes_[kS]);
        return channel(k_, type * (value_at(x, nodes_[kG]) - vs), type * (value_at(x, nodes_[kD]) - vs),
                       type * (value_at(x, nodes_[kB]) - vs));
    }

    struct Voltages {
        double vgs, vds, vbs;  ///< V, n-channel sense
    };
    Voltages limit(LoadContext& ctx, const Voltages& v);

    EkvInstance k_;
    bool off_;
    // History: the previous evaluation's limited voltages and threshold, n-channel sense.
    enum Old : std::size_t { kVgs = 0, kVds = 1, kVon = 2, kOldCount = 3 };
    std::size_t old_ = 0;
    std::array<Index, 4> nodes_{kGround, kGround, kGround, kGround};
    std::array<std::array<Slot, 4>, 4> slot_{};
};

MosfetEkv::Voltages MosfetEkv::limit(LoadContext& ctx, const Voltages& v) {
    Voltages out = v;
    bool limited = false;
    if (ctx.init_junctions) {
        // As SPICE starts a MOSFET: at the threshold with no drain bias, or off.
        out = off_ ? Voltages{0, 0, v.vbs} : Voltages{k_.vto, 0, v.vbs};
        limited = true;
    } else {
        const double* old = ctx.history + old_;
        const double vgs_old = old[kVgs], vds_old = old[kVds], von_old = old[kVon];
        double vgs = v.vgs, vds = v.vds;
        double vgd = vgs - vds;
        if (vds_old >= 0) {
            const Limited lg = fetlim(vgs, vgs_old, von_old);
            vgs = lg.v;
            vds = vgs - vgd;
            const Limited ld = limvds(vds, vds_old);
            vds = ld.v;
            limited = lg.limited || ld.limited;
        } else {
            const Limited lg = fetlim(vgd, vgs_old - vds_old, von_old);
            vgd = lg.v;
            vds = vgs - vgd;
            const Limited ld = limvds(-vds, -vds_old);
            vds = -ld.v;
            vgs = vgd + vds;
            limited = lg.limited || ld.limited;
        }
        out = {vgs, vds, v.vbs};
    }
    if (limited) ++ctx.noncon;
    return out;
}

void MosfetEkv::load(LoadContext& ctx, const Stamp& st) {
    const double* x = ctx.x;
    const double type = k_.type;
    const double vg = value_at(x, nodes_[kG]), vd = value_at(x, nodes_[kD]);
    const double vs = value_at(x, nodes_[kS]), vb = value_at(x, nodes_[kB]);
    const Voltages actual{type * (vg - vs), type * (vd - vs), type * (vb - vs)};
    const Voltages v = limit(ctx, actual);
    const EkvCurrent c = channel(k_, v.vgs, v.vds, v.vbs);

    // The threshold fetlim steers around, in V_GS (forward) or V_GD (reverse) terms:
    // V_P reaches the source (drain) potential at V_G = VTO + N·V_SB, i.e. V_GS = VTO + (N − 1)·V_SB.
    const double source_side = v.vds >= 0 ? -v.vbs : v.vds - v.vbs;
    double* old = ctx.history + old_;
    old[kVgs] = v.vgs;
    old[kVds] = v.vds;
    old[kVon] = k_.vto + (k_.n - 1) * source_side;

    // Linearise about the limited voltages, evaluate at the actual ones (vbs is never limited).
    const double i_ch = c.id + c.d_vgs * (actual.vgs - v.vgs) + c.d_vds * (actual.vds - v.vds);
    const double vds_real = vd - vs;
    st.F(nodes_[kD], type * i_ch + ctx.gmin * vds_real);
    st.F(nodes_[kS], -type * i_ch - ctx.gmin * vds_real);
    // Partials in (vgs, vds, vbs) become columns g, d, b and their negated sum for s; the type
    // factors of rows and columns cancel.
    const std::array<double, 4> cols = {c.d_vgs, c.d_vds + ctx.gmin, -(c.d_vgs + c.d_vds + c.d_vbs) - ctx.gmin,
                                        c.d_vbs};
    for (std::size_t col = 0; col < 4; ++col) {
        st.G(slot_[kD][col], cols[col]);
        st.G(slot_[kS][col], -cols[col]);
    }

    // Overlap capacitances: q_g = CGS·(vg − vs) + CGD·(vg − vd).
    if (k_.cgs > 0 || k_.cgd > 0) {
        const double qgs = k_.cgs * (vg - vs), qgd = k_.cgd * (vg - vd);
        st.Q(nodes_[kG], qgs + qgd);
        st.Q(nodes_[kS], -qgs);
        st.Q(nodes_[kD], -qgd);
        st.C(slot_[kG][kG], k_.cgs + k_.cgd);
        st.C(slot_[kG][kS], -k_.cgs);
        st.C(slot_[kG][kD], -k_.cgd);
        st.C(slot_[kS][kG], -k_.cgs);
        st.C(slot_[kS][kS], k_.cgs);
        st.C(slot_[kD][kG], -k_.cgd);
        st.C(slot_[kD][kD], k_.cgd);
    }
}

std::shared_ptr<const ModelParams> prepare(const ModelCard& card) {
    auto mp = std::make_shared<EkvModel>();
    mp->type = card.type == "pmos" ? -1 : 1;
    ParamReader r(card, fmt::format("MOSFET model {} (level 44, ionspice's smooth all-region model)", card.name));
    r.ignore({"level"});
    mp->vto = r.get("vto", mp->type * 0.45);
    if (auto v = r.find("vt0")) mp->vto = *v;
    mp->kp = r.positive("kp", 200e-6);
    mp->n = r.positive("n", 1.3);
    mp->lambda = r.non_negative("lambda", 0.05);
    mp->cgso = r.non_negative("cgso", 0);
    mp->cgdo = r.non_negative("cgdo", 0);
    mp->kf = r.non_negative("kf", 0);
    mp->af = r.non_negative("af", 1);
    r.reject_unknown();
    return mp;
}

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams* model) {
    using namespace physics;
    const auto& mp = static_cast<const EkvModel&>(*model);
    const Subject what{"MOSFET", card.name};
    require_terminals(card, 4, "drain gate source bulk", what);
    ParamReader r(card, what);
    const double w = r.positive("w", kDefaultWidth);
    const double l = r.positive("l", kDefaultLength);
    const double m = r.positive("m", 1);
    const double temp_c = r.get("temp", card.temp + r.get("dtemp", 0));
    r.reject_unknown();
    const bool off = read_off_flag(card, what);
    const double temp = temp_c + kCelsiusToKelvin;
    if (!(temp > 0))
        throw DeviceError(DeviceError::Where::Instance, "temp",
                          fmt::format("{}: temperature below absolute zero", what));

    EkvInstance k{};
    k.type = mp.type;
    k.vto = mp.type * mp.vto;
    k.n = mp.n;
    k.lambda = mp.lambda;
    k.ut = thermal_voltage(temp);
    k.ispec = 2 * mp.n * mp.kp * (w / l) * m * k.ut * k.ut;
    k.cgs = mp.cgso * w * m;
    k.cgd = mp.cgdo * w * m;
    k.kelvin = temp;
    k.m = m;
    k.kf = mp.kf;
    k.af = mp.af;
    return std::make_unique<MosfetEkv>(card.name, k, off);
}

const Registrar registrar{Registration{
    .letter = 'm',
    .types = {"nmos", "pmos"},
    .levels = {44},
    .description = "MOSFET level 44 (ionspice's smooth all-region EKV-style model)",
    .prepare = prepare,
    .create = create,
}};

}  // namespace
}  // namespace ionspice::models
