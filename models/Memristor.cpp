// Memristors: N<name> p n model [x0=]
// .model NAME memristor (level=vteam|bulk|rram ...)
//
// Two terminals p, n (V = V_p − V_n, current from p to n) and one state unknown s, written to
// output as x(<device>); g(<device>) is the conductance I/V at small V. As for every memory state,
// q = s and f = −ṡ in transient, f = s − s0 in DC (the state is held at x0).
//
// `level` is a word; a number is accepted too: 1 = vteam, 2 = bulk, 3 = rram. Default: bulk.
//
// Noise, every level: the device as a resistor at the operating point (V, s), between p and n,
//     thermal: 4kT·∂I/∂V,   1overf: KF·|I|^AF/f   (model parameters kf = 0, af = 2: no flicker
// noise unless kf is given), T the circuit temperature. ∂I/∂V is the small-signal conductance,
// G(s)·cosh(V/vnl) for bulk and rram, rather than the chord I/V: the noise of a nonlinear
// resistor biased at V is that of the resistor its small-signal model is. Read noise (rnw, rnf,
// rnalpha, rnt: models/ReadNoise.hpp) on the current, I·(1 + n(t)) in .tran; the state equation
// does not see it, and i(<device>) is the noiseless current.
//
// level=vteam — voltage-threshold drift (Kvatinsky's VTEAM), with Kvatinsky's sign conventions
// so that published parameter sets carry over: s is his normalised w, s = 0 is ON (ron) and
// s = 1 is OFF (roff); k_off > 0 drives s up above v_off > 0, k_on < 0 drives it down below
// v_on < 0. The thresholds are smooth (softplus of width dv) and so are the windows:
//     ṡ = k_off·p_off(V)^alpha_off·(1 − s^qb) + k_on·p_on(V)^alpha_on·(1 − (1 − s)^qb)
//     p_off = dv·softplus((V − v_off)/dv)/v_off   (→ V/v_off − 1 above v_off, → 0 below)
//     p_on  = dv·softplus((v_on − V)/dv)/(−v_on)  (→ V/v_on − 1 below v_on)
//     R(s) = ron + (roff − ron)·s  (mapping=lin)    R(s) = ron·(roff/ron)^s  (mapping=exp)
//     I = V/R(s)
// The windows are zero at the bound they move towards and change sign past it (qb even), so the
// state is pulled back rather than clamped, and never sticks at a bound the way Joglekar's does.
// Defaults are demonstration values (a 1 kΩ–10 kΩ device switching in about a millisecond at
// 1 V), not a fitted device.
//
// level=bulk — soft-bound drift for filament-free switching: the ECRAM state equation
// (models/SoftBoundDrift.hpp) driven by V, with
//     G(s) = 1/roff + (1/ron − 1/roff)·s,   I = G(s)·vnl·sinh(V/vnl)
// Preset: the four-terminal TiO2−x device of the feedforward-pulse seed, HRS 880 Ω, LRS 740 Ω.
// Calibration: nsteps = 512 pulses of 0.8 s (the paper's write width) at vp = vd = 2 V cross the
// window, i.e. 140 Ω/512 ≈ 0.27 Ω per pulse at mid-window, inside the paper's 0.1–0.3 Ω band.
// The paper gives no single write voltage (it picks one per level from 0.3–7 V); 2 V is assumed,
// so that a ±6 V pulse (the paper's initialisation) is e^8 ≈ 3000 times stronger and switches fully.
//
// level=rram — filamentary TaOx-like device of the RRAM-MTT unit: the same equation with a
// steeper voltage dependence (vs = 0.1 V), higher thresholds relative to vp, strongly nonlinear
// updates (gp = gd = 0.5) and 16 steps across a 4 kΩ–300 kΩ window (on/off = 75, as in the paper).
// vnl = 0.3 V makes the read nonlinear: at 0.8 V the current is 2.7 times the ohmic one, the HRS
// bending the paper reports. The pulse (1.5 V, 1 µs) is assumed; the paper gives none.

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <optional>

#include "models/CardValue.hpp"
#include "models/Device.hpp"
#include "models/MemoryState.hpp"
#include "models/ParamReader.hpp"
#include "models/Physics.hpp"
#include "models/ReadNoise.hpp"
#include "models/Registry.hpp"
#include "models/Smooth.hpp"
#include "models/SoftBoundDrift.hpp"
#include "models/Stamping.hpp"
#include "models/Variability.hpp"
#include "models/WordReader.hpp"

namespace ionspice::models {
namespace {

enum class Level { Vteam, Bulk, Rram };

struct VteamParams {
    double k_off = 2e2;    ///< 1/s, rate scale above v_off (positive)
    double k_on = -2e2;    ///< 1/s, rate scale below v_on (negative)
    double v_off = 0.3;    ///< V, positive threshold
    double v_on = -0.3;    ///< V, negative threshold
    double alpha_off = 3;  ///< exponent above v_off
    double alpha_on = 3;   ///< exponent below v_on
    double dv = 0.01;      ///< V, threshold smoothing width
    int qb = 8;            ///< window exponent (even)
    bool exp_mapping = false;
    double log_ratio = 0;  ///< ln(roff/ron)
};

struct MemristorModel;
double state_at(const MemristorModel& m, double g);

struct MemristorModel final : ModelParams, MemoryModel {
    Level level = Level::Bulk;
    double ron = 740;   ///< Ω, fully ON resistance
    double roff = 880;  ///< Ω, fully OFF resistance
    double vnl = 1;     ///< V, read nonlinearity voltage (bulk, rram)
    double dtod = 0;    ///< relative σ of the rate, drawn once per device
    double ctoc = 0;    ///< relative σ of the rate, drawn per programming pulse
    double kf = 0;      ///< flicker noise coefficient
    double af = 2;      ///< flicker noise current exponent
    ReadNoiseParams read_noise;
    VteamParams vteam;
    SoftBoundDrift drift;
    std::string name;

    std::pair<double, double> conductance_window() const override { return {1 / roff, 1 / ron}; }
    InitialState initial_state(double g) const override {
        return {"x0", state_in_window(state_at(*this, g), g, "memristor model " + name, conductance_window())};
    }
    // bulk, rram: the calibration pulses. vteam has no calibration pulse: twice the threshold for
    // 1 ms, which switches the default device; with Kvatinsky's signs G rises below v_on < 0.
    ProgrammingPulse potentiation() const override {
        return level == Level::Vteam ? ProgrammingPulse{2 * vteam.v_on, 1e-3} : ProgrammingPulse{drift.vp(), drift.tp()};
    }
    ProgrammingPulse depression() const override {
        return level == Level::Vteam ? ProgrammingPulse{2 * vteam.v_off, 1e-3} : ProgrammingPulse{-drift.vd(), drift.td()};
    }
};

/// Current I(V, s) from p to n and its partials.
struct Current {
    double i;    ///< A
    double d_v;  ///< S
    double d_s;  ///< A
};

/// Small-signal conductance at V → 0 and its derivative in s.
smooth::ValueSlope conductance(const MemristorModel& m, double s) {
    if (m.level != Level::Vteam) {
        // G(s) = 1/roff + (1/ron − 1/roff)·s
        const double span = 1 / m.ron - 1 / m.roff;
        return {1 / m.roff + span * s, span};
    }
    double r, dr;
    if (m.vteam.exp_mapping) {
        // R = ron·e^(s·ln(roff/ron))
        const smooth::ValueSlope e = smooth::exp_lin(s * m.vteam.log_ratio);
        r = m.ron * e.v;
        dr = m.ron * e.d * m.vteam.log_ratio;
    } else {
        r = m.ron + (m.roff - m.ron) * s;
        dr = m.roff - m.ron;
    }
    return {1 / r, -dr / (r * r)};
}

/// The inverse of conductance(): the state at small-signal conductance g (S), unchecked.
double state_at(const MemristorModel& m, double g) {
    if (m.level != Level::Vteam) return (g - 1 / m.roff) / (1 / m.ron - 1 / m.roff);
    if (m.vteam.exp_mapping) return std::log(1 / (g * m.ron)) / m.vteam.log_ratio;
    return (1 / g - m.ron) / (m.roff - m.ron);
}

Current current(const MemristorModel& m, double v, double s) {
    const smooth::ValueSlope g = conductance(m, s);
    if (m.level == Level::Vteam) return {g.v * v, g.v, g.d * v};
    // I = G·vnl·sinh(V/vnl), with both exponentials guarded.
    const double u = v / m.vnl;
    const smooth::ValueSlope ep = smooth::exp_lin(u);
    const smooth::ValueSlope em = smooth::exp_lin(-u);
    const double sinh_u = 0.5 * (ep.v - em.v);
    const double cosh_u = 0.5 * (ep.d + em.d);
    return {g.v * m.vnl * sinh_u, g.v * cosh_u, g.d * m.vnl * sinh_u};
}

/// VTEAM's p^alpha for one threshold, as e^(alpha·ln p) so nothing overflows, with its derivative
/// in V. z is the softplus argument, `sign` = ∂z/∂V·dv (+1 above v_off, −1 below v_on).
smooth::ValueSlope vteam_drive(double z, double v0, double dv, double alpha, double sign) {
    const double p = dv * smooth::softplus(z).v / std::fabs(v0);
    const smooth::ValueSlope e = smooth::exp_lin(alpha * std::log(p));
    // d(p^α)/dV = α·p^α·(σ(z)/softplus(z))·∂z/∂V
    return {e.v, sign * e.d * alpha * smooth::softplus_log_slope(z) / dv};
}

DriftRate vteam_rate(const VteamParams& k, double v, double s) {
    const smooth::ValueSlope off = vteam_drive((v - k.v_off) / k.dv, k.v_off, k.dv, k.alpha_off, 1);
    const smooth::ValueSlope on = vteam_drive((k.v_on - v) / k.dv, k.v_on, k.dv, k.alpha_on, -1);
    // Windows: 1 − s^qb towards OFF, 1 − (1 − s)^qb towards ON.
    const double sq1 = std::pow(s, k.qb - 1), uq1 = std::pow(1 - s, k.qb - 1);
    const double f_off = 1 - sq1 * s, df_off = -k.qb * sq1;
    const double f_on = 1 - uq1 * (1 - s), df_on = k.qb * uq1;
    return {k.k_off * off.v * f_off + k.k_on * on.v * f_on, k.k_off * off.d * f_off + k.k_on * on.d * f_on,
            k.k_off * off.v * df_off + k.k_on * on.v * df_on};
}

class Memristor final : public Device {
public:
    Memristor(std::string name, const MemristorModel& m, double s0, double kelvin, std::uint64_t seed,
              std::uint64_t device_seed)
        : Device(name), m_(m), s0_(s0), kelvin_(kelvin),
          read_noise_(m.read_noise, seed, this->name(), fmt::format("memristor {}", this->name())),
          variability_(seed, device_seed, name, m.dtod, m.ctoc, threshold_up(m), threshold_down(m)) {}

    void declare(Declarer& d) override {
        nodes_[kP] = d.terminal(0);
        nodes_[kN] = d.terminal(1);
        nodes_[kX] = d.add_state();
        variability_slots_ = d.add_history(Variability::kSlots);
    }

    void pattern(PatternBuilder& p) override {
        for (std::size_t r = 0; r < 3; ++r)
            for (std::size_t c = 0; c < 3; ++c) slot_[r][c] = p.entry(nodes_[r], nodes_[c]);
    }

    void load(LoadContext& ctx, const Stamp& st) override {
        const double v = value_at(ctx.x, nodes_[kP]) - value_at(ctx.x, nodes_[kN]);
        const double s = value_at(ctx.x, nodes_[kX]);
        Current c = current(m_, v, s);
        // Read noise multiplies the current at this time (1 in DC, or when off).
        const double k = read_noise_.factor(ctx);
        c.i *= k;
        c.d_v *= k;
        c.d_s *= k;
        st.F(nodes_[kP], c.i);
        st.F(nodes_[kN], -c.i);
        G(st, kP, kP, c.d_v);
        G(st, kP, kN, -c.d_v);
        G(st, kP, kX, c.d_s);
        G(st, kN, kP, -c.d_v);
        G(st, kN, kN, c.d_v);
        G(st, kN, kX, -c.d_s);

        st.Q(nodes_[kX], s);
        st.C(slot_[kX][kX], 1);
        if (ctx.dc) {
            st.F(nodes_[kX], s - s0_);
            G(st, kX, kX, 1);
            return;
        }
        const double rho = variability_.factor(ctx.accepted + variability_slots_);
        const DriftRate r = m_.level == Level::Vteam ? vteam_rate(m_.vteam, v, s) : m_.drift.rate(v, s);
        st.F(nodes_[kX], -rho * r.rate);
        G(st, kX, kP, -rho * r.d_v);
        G(st, kX, kN, rho * r.d_v);
        G(st, kX, kX, -rho * r.d_s);
    }

    /// uic: the transient starts from the held state.
    void initial_conditions(double* x) const override { x[nodes_[kX]] = s0_; }
    void set_transient_defaults(double tstep, double tstop) override { read_noise_.prepare(tstep, tstop); }
    void breakpoints(double t0, double t1, std::vector<double>& out) const override {
        read_noise_.breakpoints(t0, t1, out);
    }

    std::optional<double> held_state() const override { return s0_; }
    void set_held_state(double s) override { s0_ = checked_state(s, "x0", fmt::format("memristor {}", name())); }

    void accept(const double* x, double /*time*/, double* history) override {
        variability_.accept(value_at(x, nodes_[kP]) - value_at(x, nodes_[kN]), history + variability_slots_);
    }

    std::vector<std::string> output_quantities() const override { return {"g"}; }
    void outputs(const double* x, double* out) const override { out[0] = conductance(m_, value_at(x, nodes_[kX])).v; }
    /// i(n1), @n1[i]: the current from p through the device to n.
    std::optional<double> quantity(std::string_view name, const double* x, const double* /*xdot*/) const override {
        if (name != "i") return std::nullopt;
        return current(m_, value_at(x, nodes_[kP]) - value_at(x, nodes_[kN]), value_at(x, nodes_[kX])).i;
    }

    void noise(const double* x, std::vector<NoiseSource>& out) const override {
        const Current c = current(m_, value_at(x, nodes_[kP]) - value_at(x, nodes_[kN]), value_at(x, nodes_[kX]));
        out.push_back({.name = "thermal", .plus = nodes_[kP], .minus = nodes_[kN],
                       .white = 4 * physics::kBoltzmann * kelvin_ * c.d_v});
        if (m_.kf != 0)
            out.push_back({.name = "1overf", .plus = nodes_[kP], .minus = nodes_[kN],
                           .flicker = m_.kf * std::pow(std::fabs(c.i), m_.af)});
        read_noise_.sources(c.i, nodes_[kP], nodes_[kN], out);
    }

private:
    enum Row : std::size_t { kP = 0, kN = 1, kX = 2 };
    void G(const Stamp& st, std::size_t r, std::size_t c, double v) const { st.G(slot_[r][c], v); }

    static double threshold_up(const MemristorModel& m) {
        return m.level == Level::Vteam ? m.vteam.v_off : m.drift.vtp();
    }
    static double threshold_down(const MemristorModel& m) {
        return m.level == Level::Vteam ? -m.vteam.v_on : m.drift.vtd();
    }

    MemristorModel m_;
    double s0_;
    double kelvin_;  ///< K, temperature of the thermal noise
    ReadNoise read_noise_;
    Variability variability_;
    std::size_t variability_slots_ = 0;  ///< history: the variability's pulse state
    std::array<Index, 3> nodes_{kGround, kGround, kGround};
    std::array<std::array<Slot, 3>, 3> slot_{};
};

/// The level from the word (preferred) or the number.
Level read_level(ParamReader& r, WordReader& w) {
    const std::optional<std::string> word = w.find("level", {"vteam", "bulk", "rram"});
    const std::optional<double> number = r.find("level");
    if (word && number) r.fail("level", "is given twice");
    if (word) return *word == "vteam" ? Level::Vteam : *word == "rram" ? Level::Rram : Level::Bulk;
    if (!number) return Level::Bulk;
    if (*number == 1) return Level::Vteam;
    if (*number == 2) return Level::Bulk;
    if (*number == 3) return Level::Rram;
    r.fail("level", fmt::format("must be vteam (1), bulk (2) or rram (3), got {:g}", *number));
}

void read_vteam(ParamReader& r, WordReader& w, MemristorModel& m) {
    VteamParams& k = m.vteam;
    m.ron = r.positive("ron", 1e3);
    m.roff = r.positive("roff", 10e3);
    k.k_off = r.positive("k_off", k.k_off);
    k.k_on = r.get("k_on", k.k_on);
    if (!(k.k_on < 0))
        r.fail("k_on", fmt::format("must be negative (it drives the state towards ON), got {:g}", k.k_on));
    k.v_off = r.positive("v_off", k.v_off);
    k.v_on = r.get("v_on", k.v_on);
    if (!(k.v_on < 0)) r.fail("v_on", fmt::format("must be negative, got {:g}", k.v_on));
    k.alpha_off = r.positive("alpha_off", k.alpha_off);
    k.alpha_on = r.positive("alpha_on", k.alpha_on);
    k.dv = r.positive("dv", k.dv);
    const double qb = r.get("qb", k.qb);
    if (!(qb >= 2) || qb != std::floor(qb) || std::fmod(qb, 2.0) != 0)
        r.fail("qb", fmt::format("must be an even integer of at least 2, got {:g}", qb));
    k.qb = static_cast<int>(qb);
    k.exp_mapping = w.find("mapping", {"lin", "exp"}).value_or("lin") == "exp";
}

std::shared_ptr<const ModelParams> prepare(const ModelCard& card) {
    auto mp = std::make_shared<MemristorModel>();
    mp->name = card.name;
    const std::string what = fmt::format("memristor model {}", card.name);
    ParamReader r(card, what);
    WordReader w(card.words, DeviceError::Where::Model, what);
    mp->level = read_level(r, w);
    mp->dtod = r.non_negative("dtod", 0);
    mp->ctoc = r.non_negative("ctoc", 0);
    mp->kf = r.non_negative("kf", 0);
    mp->af = r.non_negative("af", 2);
    mp->read_noise = ReadNoiseParams::read(r);
    switch (mp->level) {
        case Level::Vteam:
            read_vteam(r, w, *mp);
            break;
        case Level::Bulk:
            mp->ron = r.positive("ron", 740);
            mp->roff = r.positive("roff", 880);
            mp->vnl = r.positive("vnl", 1);
            mp->drift = SoftBoundDrift::read(
                r, DriftDefaults{.vp = 2, .tp = 0.8, .vd = 2, .td = 0.8, .nsteps = 512, .vs = 0.5, .dv = 0.1});
            break;
        case Level::Rram:
            mp->ron = r.positive("ron", 4e3);
            mp->roff = r.positive("roff", 300e3);
            mp->vnl = r.positive("vnl", 0.3);
            mp->drift = SoftBoundDrift::read(r, DriftDefaults{.vp = 1.5,
                                                              .tp = 1e-6,
                                                              .vd = 1.5,
                                                              .td = 1e-6,
                                                              .nsteps = 16,
                                                              .vs = 0.1,
                                                              .vtp_fraction = 2.0 / 3.0,
                                                              .vtd_fraction = 2.0 / 3.0,
                                                              .dv = 0.05,
                                                              .gp = 0.5,
                                                              .gd = 0.5});
            break;
    }
    if (!(mp->roff > mp->ron)) r.fail("roff", fmt::format("must exceed ron = {:g} Ω, got {:g} Ω", mp->ron, mp->roff));
    mp->vteam.log_ratio = std::log(mp->roff / mp->ron);
    r.reject_unknown();
    w.reject_unknown();
    return mp;
}

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams* model) {
    const auto& mp = static_cast<const MemristorModel&>(*model);
    const Subject what{"memristor", card.name};
    require_terminals(card, 2, "p n", what);
    reject_flags(card, what);
    ParamReader r(card, what);
    const double x0 = r.get("x0", 0);
    r.reject_unknown();
    return std::make_unique<Memristor>(card.name, mp, checked_state(x0, "x0", what), card.temp + physics::kCelsiusToKelvin, card.seed,
                                       card.device_seed);
}

const Registrar registrar{Registration{
    .letter = 'n',
    .types = {"memristor"},
    .levels = {},
    .description = "memristor (vteam, bulk or rram)",
    .prepare = prepare,
    .create = create,
}};

}  // namespace
}  // namespace ionspice::models
