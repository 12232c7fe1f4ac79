// ECRAM (electrochemical RAM): N<name> g d s model [g0=] [x0=]
// .model NAME ecram (gmin gmax mapping=lin|log vp tp vd td nsteps vs vtp vtd dv gp gd qb kch ggate
//                    cgate dtod ctoc kf af frelax trelax rnw rnf rnalpha rnt)
//
// Three terminals, gate G, drain D, source S, and one state unknown s ∈ [0, 1], the normalised
// channel conductance, written to output as x(<device>); g(<device>) is the channel conductance.
//
// Channel (linear I–V, as measured in the seeds):  I_DS = G(s)·V_DS with
//     G(s) = gmin + (gmax − gmin)·s   (mapping=lin)      G(s) = gmin·(gmax/gmin)^s   (mapping=log)
// Gate stack: a leakage I_G = ggate·V_gc from the gate into the channel, returning through D and S
// in the proportions kch and 1 − kch (the point of the channel V_gc is measured from, so the
// element stays passive), and a capacitance cgate between gate and channel, half to D, half to S.
// Gate–channel voltage: V_gc = V_G − [kch·V_D + (1 − kch)·V_S].
// State: ṡ = ρ_dev·ρ_pulse·[R_p(V_gc)·F_p(s) − R_d(V_gc)·F_d(s)] (models/SoftBoundDrift.hpp), as
// q = s, f = −ṡ in transient; in DC (.op, .dc) the state is held: f = s − s0.
// Relaxation (frelax > 0): a fraction frelax of every update is volatile and decays with the
// time constant trelax, as WOx ECRAM's conductance partly relaxes after each pulse. A second
// state sv, written as x(<device>#volatile), carries it; the channel and the drift see the sum:
//     G = G(s + sv),   ṡ = (1 − frelax)·ρ·R(V_gc, s + sv),   ṡv = frelax·ρ·R(V_gc, s + sv) − sv/trelax,
// so between pulses sv(t) = sv(t0)·e^(−(t − t0)/trelax) and the conductance settles at G(s).
// In DC sv is held at 0 (the device at rest). frelax = 0 (default) adds no state: the model is
// exactly the one-state model.
// Noise: the channel as a resistor, between D and S, at the operating point's state,
//     thermal: 4kT·G(s),   1overf: KF·|I_DS|^AF/f   (kf = 0 by default: no flicker noise),
// with T the circuit temperature; and read noise (rnw, rnf, rnalpha, rnt: models/ReadNoise.hpp)
// on the channel current, I_DS = G(s)·V_DS·(1 + n(t)) in .tran. The state equation sees no
// noise (a read does not program), and g(<device>), i(<device>) are the noiseless G(s) and
// G(s)·V_DS. The gate leakage is noiseless (1 pS by default, and its generator would return
// through D and S in fixed proportions, which no single pair describes).
// Defaults are the WOx/LiPON set of the MTT paper (docs/models.md): +10 V / 2 ms potentiation,
// −7 V / 2 ms depression, 180 steps, window 0.079–50 µS.

#include <fmt/format.h>

#include <algorithm>
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

struct EcramModel;
double state_at(const EcramModel& m, double g);

struct EcramModel final : ModelParams, MemoryModel {
    double gmin = 0.079e-6;  ///< S, conductance at s = 0
    double gmax = 50e-6;     ///< S, conductance at s = 1
    bool log_mapping = false;
    double log_ratio = 0;  ///< ln(gmax/gmin)
    double kch = 0.5;      ///< where along the channel V_gc is measured (0: source, 1: drain)
    double ggate = 1e-12;  ///< S, gate leakage conductance
    double cgate = 0;      ///< F, gate–channel capacitance
    double dtod = 0;       ///< relative σ of the rate, drawn once per device
    double ctoc = 0;       ///< relative σ of the rate, drawn per programming pulse
    double kf = 0;         ///< flicker noise coefficient
    double af = 2;         ///< flicker noise current exponent
    double frelax = 0;     ///< volatile fraction of each update (0: no relaxation state)
    double trelax = 1e-3;  ///< s, decay time of the volatile part
    ReadNoiseParams read_noise;
    SoftBoundDrift drift;
    std::string name;

    std::pair<double, double> conductance_window() const override { return {gmin, gmax}; }
    InitialState initial_state(double g) const override {
        state_in_window(state_at(*this, g), g, "ECRAM model " + name, conductance_window());
        return {"g0", std::clamp(g, gmin, gmax)};
    }
    // V_gc as the cell sees it: +vp to potentiate, −vd to depress.
    ProgrammingPulse potentiation() const override { return {drift.vp(), drift.tp()}; }
    ProgrammingPulse depression() const override { return {-drift.vd(), drift.td()}; }
    double channel_fraction() const override { return kch; }
};

/// G(s) and dG/ds for either mapping.
smooth::ValueSlope conductance(const EcramModel& m, double s) {
    if (!m.log_mapping) return {m.gmin + (m.gmax - m.gmin) * s, m.gmax - m.gmin};
    // G = gmin·e^(s·ln(gmax/gmin))
    const smooth::ValueSlope e = smooth::exp_lin(s * m.log_ratio);
    return {m.gmin * e.v, m.gmin * e.d * m.log_ratio};
}

/// The inverse of G(s): the state at conductance g (S), unchecked.
double state_at(const EcramModel& m, double g) {
    return m.log_mapping ? std::log(g / m.gmin) / m.log_ratio : (g - m.gmin) / (m.gmax - m.gmin);
}

class Ecram final : public Device {
public:
    Ecram(std::string name, const EcramModel& m, double s0, double kelvin, std::uint64_t seed,
          std::uint64_t device_seed)
        : Device(name), m_(m), s0_(s0), kelvin_(kelvin),
          read_noise_(m.read_noise, seed, this->name(), fmt::format("ECRAM {}", this->name())),
          variability_(seed, device_seed, name, m.dtod, m.ctoc, m.drift.vtp(), m.drift.vtd()) {}

    void declare(Declarer& d) override {
        nodes_[kG] = d.terminal(0);
        nodes_[kD] = d.terminal(1);
        nodes_[kS] = d.terminal(2);
        nodes_[kX] = d.add_state();
        if (m_.frelax > 0) nodes_[kV] = d.add_state("volatile");
        variability_slots_ = d.add_history(Variability::kSlots);
    }

    void pattern(PatternBuilder& p) override {
        for (std::size_t r = 0; r < kRows; ++r)
            for (std::size_t c = 0; c < kRows; ++c)
                // The gate row never depends on the states (a grounded kV gives no entries).
                slot_[r][c] = (r == kG && c >= kX) ? kNoSlot : p.entry(nodes_[r], nodes_[c]);
    }

    void load(LoadContext& ctx, const Stamp& st) override {
        const double* x = ctx.x;
        const double vg = value_at(x, nodes_[kG]);
        const double vd = value_at(x, nodes_[kD]);
        const double vs = value_at(x, nodes_[kS]);
        // The channel sees the sum of the kept and the volatile state (sv = 0 without relaxation).
        const double sk = value_at(x, nodes_[kX]), sv = value_at(x, nodes_[kV]);
        const double s = sk + sv;
        // ∂V_gc/∂(V_G, V_D, V_S)
        const std::array<double, 3> w = {1, -m_.kch, -(1 - m_.kch)};
        const double vgc = vg - m_.kch * vd - (1 - m_.kch) * vs;
        const double vds = vd - vs;

        smooth::ValueSlope g = conductance(m_, s);
        // Read noise multiplies the channel's conductance (and so its current) at this time.
        const double k = read_noise_.factor(ctx);
        g.v *= k;
        g.d *= k;
        const double ids = g.v * vds;
        st.F(nodes_[kD], ids);
        st.F(nodes_[kS], -ids);
        G(st, kD, kD, g.v);
        G(st, kD, kS, -g.v);
        G(st, kD, kX, g.d * vds);
        G(st, kD, kV, g.d * vds);
        G(st, kS, kD, -g.v);
        G(st, kS, kS, g.v);
        G(st, kS, kX, -g.d * vds);
        G(st, kS, kV, -g.d * vds);

        const double ig = m_.ggate * vgc;
        for (std::size_t r = 0; r < 3; ++r) {
            st.F(nodes_[r], w[r] * ig);
            for (std::size_t c = 0; c < 3; ++c) G(st, r, c, m_.ggate * w[r] * w[c]);
        }

        if (m_.cgate > 0) {
            // Two capacitors of cgate/2: gate–drain and gate–source.
            const double ch = 0.5 * m_.cgate;
            const double qgd = ch * (vg - vd);
            const double qgs = ch * (vg - vs);
            st.Q(nodes_[kG], qgd + qgs);
            st.Q(nodes_[kD], -qgd);
            st.Q(nodes_[kS], -qgs);
            C(st, kG, kG, 2 * ch);
            C(st, kG, kD, -ch);
            C(st, kG, kS, -ch);
            C(st, kD, kG, -ch);
            C(st, kD, kD, ch);
            C(st, kS, kG, -ch);
            C(st, kS, kS, ch);
        }

        // The states: q = s (and sv) always, so a transient starts from the held DC values.
        st.Q(nodes_[kX], sk);
        C(st, kX, kX, 1);
        st.Q(nodes_[kV], sv);
        C(st, kV, kV, 1);
        if (ctx.dc) {
            st.F(nodes_[kX], sk - s0_);
            G(st, kX, kX, 1);
            st.F(nodes_[kV], sv);
            G(st, kV, kV, 1);
            return;
        }
        const double rho = variability_.factor(ctx.accepted + variability_slots_);
        const DriftRate r = m_.drift.rate(vgc, s);
        // Each update split: 1 − frelax to the kept state, frelax to the volatile one.
        for (const auto& [row, share] : {std::pair{kX, 1 - m_.frelax}, std::pair{kV, m_.frelax}}) {
            if (nodes_[row] == kGround) continue;
            st.F(nodes_[row], -share * rho * r.rate);
            for (std::size_t c = 0; c < 3; ++c) G(st, row, c, -share * rho * r.d_v * w[c]);
            G(st, row, kX, -share * rho * r.d_s);
            G(st, row, kV, -share * rho * r.d_s);
        }
        if (nodes_[kV] != kGround) {
            st.F(nodes_[kV], sv / m_.trelax);
            G(st, kV, kV, 1 / m_.trelax);
        }
    }

    void set_transient_defaults(double tstep, double tstop) override { read_noise_.prepare(tstep, tstop); }
    void breakpoints(double t0, double t1, std::vector<double>& out) const override {
        read_noise_.breakpoints(t0, t1, out);
    }

    /// uic: the transient starts from the held state.
    void initial_conditions(double* x) const override { x[nodes_[kX]] = s0_; }

    std::optional<double> held_state() const override { return s0_; }
    void set_held_state(double s) override { s0_ = checked_state(s, "x0", fmt::format("ECRAM {}", name())); }

    void accept(const double* x, double /*time*/, double* history) override {
        variability_.accept(value_at(x, nodes_[kG]) - m_.kch * value_at(x, nodes_[kD]) -
                                (1 - m_.kch) * value_at(x, nodes_[kS]),
                            history + variability_slots_);
    }

    std::vector<std::string> output_quantities() const override { return {"g"}; }
    void outputs(const double* x, double* out) const override { out[0] = conductance(m_, state(x)).v; }
    /// i(n1), @n1[i]: the channel current from D to S (the read current); @n1[ig]: the gate
    /// leakage into the channel.
    std::optional<double> quantity(std::string_view name, const double* x, const double* /*xdot*/) const override {
        const double vd = value_at(x, nodes_[kD]), vs = value_at(x, nodes_[kS]);
        if (name == "i") return conductance(m_, state(x)).v * (vd - vs);
        if (name == "ig") return m_.ggate * (value_at(x, nodes_[kG]) - m_.kch * vd - (1 - m_.kch) * vs);
        return std::nullopt;
    }

    void noise(const double* x, std::vector<NoiseSource>& out) const override {
        const double g = conductance(m_, state(x)).v;
        out.push_back({.name = "thermal", .plus = nodes_[kD], .minus = nodes_[kS],
                       .white = 4 * physics::kBoltzmann * kelvin_ * g});
        const double ids = g * (value_at(x, nodes_[kD]) - value_at(x, nodes_[kS]));
        if (m_.kf != 0)
            out.push_back({.name = "1overf", .plus = nodes_[kD], .minus = nodes_[kS],
                           .flicker = m_.kf * std::pow(std::fabs(ids), m_.af)});
        read_noise_.sources(ids, nodes_[kD], nodes_[kS], out);
    }

private:
    enum Row : std::size_t { kG = 0, kD = 1, kS = 2, kX = 3, kV = 4, kRows = 5 };
    /// The state the channel sees: kept plus volatile.
    double state(const double* x) const { return value_at(x, nodes_[kX]) + value_at(x, nodes_[kV]); }
    void G(const Stamp& st, std::size_t r, std::size_t c, double v) const { st.G(slot_[r][c], v); }
    void C(const Stamp& st, std::size_t r, std::size_t c, double v) const { st.C(slot_[r][c], v); }

    EcramModel m_;
    double s0_;      ///< state held in DC
    double kelvin_;  ///< K, temperature of the thermal noise
    ReadNoise read_noise_;
    Variability variability_;
    std::size_t variability_slots_ = 0;  ///< history: the variability's pulse state
    std::array<Index, kRows> nodes_{kGround, kGround, kGround, kGround, kGround};
    std::array<std::array<Slot, kRows>, kRows> slot_{};
};

std::shared_ptr<const ModelParams> prepare(const ModelCard& card) {
    auto mp = std::make_shared<EcramModel>();
    mp->name = card.name;
    const std::string what = fmt::format("ECRAM model {}", card.name);
    ParamReader r(card, what);
    mp->gmin = r.positive("gmin", 0.079e-6);
    mp->gmax = r.positive("gmax", 50e-6);
    if (!(mp->gmax > mp->gmin))
        r.fail("gmax", fmt::format("must exceed gmin = {:g} S, got {:g} S", mp->gmin, mp->gmax));
    mp->kch = r.get("kch", 0.5);
    if (!(mp->kch >= 0 && mp->kch <= 1)) r.fail("kch", fmt::format("must be in [0, 1], got {:g}", mp->kch));
    mp->ggate = r.non_negative("ggate", 1e-12);
    mp->cgate = r.non_negative("cgate", 0);
    mp->dtod = r.non_negative("dtod", 0);
    mp->ctoc = r.non_negative("ctoc", 0);
    mp->kf = r.non_negative("kf", 0);
    mp->af = r.non_negative("af", 2);
    mp->frelax = r.get("frelax", 0);
    if (!(mp->frelax >= 0 && mp->frelax < 1))
        r.fail("frelax", fmt::format("must be in [0, 1), got {:g}", mp->frelax));
    mp->trelax = r.positive("trelax", 1e-3);
    if (mp->frelax == 0) r.note("trelax", "there is no relaxation while frelax is 0");
    mp->read_noise = ReadNoiseParams::read(r);
    mp->log_ratio = std::log(mp->gmax / mp->gmin);
    mp->drift = SoftBoundDrift::read(r, DriftDefaults{});
    r.reject_unknown();
    WordReader words(card.words, DeviceError::Where::Model, what);
    mp->log_mapping = words.find("mapping", {"lin", "log"}).value_or("lin") == "log";
    words.reject_unknown();
    return mp;
}

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams* model) {
    const auto& mp = static_cast<const EcramModel&>(*model);
    const Subject what{"ECRAM", card.name};
    require_terminals(card, 3, "gate drain source", what);
    reject_flags(card, what);
    ParamReader r(card, what);
    const std::optional<double> g0 = r.find("g0");
    const std::optional<double> x0 = r.find("x0");
    r.reject_unknown();
    // The initial state from the conductance g0 (S), through the inverse of the mapping, or the
    // normalised state x0 directly; g0 = gmin (s0 = 0) when neither is given.
    double s0 = 0;
    if (g0 && x0) r.fail("x0", "and g0 both give the initial state; write one");
    if (g0) {
        if (!(*g0 >= mp.gmin && *g0 <= mp.gmax))
            r.fail("g0",
                   fmt::format("must be within [gmin, gmax] = [{:g}, {:g}] S, got {:g} S", mp.gmin, mp.gmax, *g0));
        s0 = std::clamp(state_at(mp, *g0), 0.0, 1.0);
    } else if (x0) {
        s0 = checked_state(*x0, "x0", what);
    }
    return std::make_unique<Ecram>(card.name, mp, s0, card.temp + physics::kCelsiusToKelvin, card.seed,
                                   card.device_seed);
}

const Registrar registrar{Registration{
    .letter = 'n',
    .types = {"ecram"},
    .levels = {},
    .description = "ECRAM (three-terminal electrochemical memory)",
    .prepare = prepare,
    .create = create,
}};

}  // namespace
}  // namespace ionspice::models
