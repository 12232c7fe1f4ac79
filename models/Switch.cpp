// Switches, as ngspice's sw and csw:
//   S p n cp cn model [on|off]   .model name sw  (vt= vh= ron= roff=)   control: v(cp) − v(cn)
//   W p n vctl model [on|off]    .model name csw (it= ih= ron= roff=)   control: i(vctl)
// and PSpice's smooth switches, which vendors' models use, as ngspice's PSpice compatibility runs
// them (an XSPICE aswitch with log=true):
//   S p n cp cn model            .model name vswitch (von= voff= ron= roff=)
//   W p n vctl model             .model name iswitch (ion= ioff= ron= roff=)
// A conductance between p and n that is 1/ron when the control is above vt + vh and 1/roff when
// it is below vt − vh; inside that band it keeps the state it had: in DC the state of the last
// Newton iterate (from the on/off flag at the first one), in a transient the state of the last
// accepted point, so that a time point's state follows from its control and its past alone.
// The conductance is piecewise constant (no derivative with respect to the control): a change of
// state asks Newton for another iteration, and in a transient the control approaches a
// threshold in shrinking steps (max_step, as ngspice's SWtrunc).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "models/Device.hpp"
#include "models/ParamReader.hpp"
#include "models/Physics.hpp"
#include "models/Registry.hpp"
#include "models/Stamping.hpp"

namespace ionspice::models {
namespace {

struct SwitchModel final : ModelParams {
    bool current = false;     ///< csw: controlled by a branch current
    double threshold = 0;     ///< vt (V) or it (A)
    double hysteresis = 0;    ///< vh (V) or ih (A), ≥ 0
    double g_on = 1;          ///< S
    std::optional<double> g_off;  ///< S; unset: the circuit's gmin, as ngspice
    /// How near a threshold a control may come before one transient step crosses it: 0.1 % of
    /// |threshold| + hysteresis, at least 1 mV or 1 µA. ngspice takes 0.05 V for sw (and its
    /// csw limit never acts), which leaves a switching instant up to a whole step late.
    double margin = 1e-3;
};

/// A switch's terminals: p and n, and the controlling nodes cp and cn unless a branch current
/// controls it (W).
void declare_terminals(Declarer& d, bool current, Index& p, Index& n, Index& cp, Index& cn) {
    p = d.terminal(0);
    n = d.terminal(1);
    if (!current) {
        cp = d.terminal(2);
        cn = d.terminal(3);
    }
}

// History: 0 before the first evaluation, then 1 (off) or 2 (on).
constexpr double kOff = 1, kOn = 2;

class Switch final : public Device {
public:
    Switch(std::string name, const SwitchModel& m, std::string control, bool initially_on, double g_off, double kelvin)
        : Device(std::move(name)), m_(m), control_(std::move(control)), initial_(initially_on ? kOn : kOff),
          g_off_(g_off), kelvin_(kelvin) {}

    void declare(Declarer& d) override {
        declare_terminals(d, m_.current, p_, n_, cp_, cn_);
        hist_ = d.add_history(1);
    }
    void pattern(PatternBuilder& p) override {
        slots_.request(p, p_, n_);
        if (m_.current) ctl_ = p.branch_of(control_);
    }

    void load(LoadContext& ctx, const Stamp& s) override {
        double& state = ctx.history[hist_];
        double held = ctx.dc ? state : ctx.accepted[hist_];
        if (held == 0) held = initial_;
        // A cold start's first iteration takes the on/off flag whatever the control (x is no
        // solution yet), as ngspice's MODEINITJCT does.
        const double next = ctx.dc && ctx.init_junctions ? initial_ : decide(control(ctx.x), held);
        if (state != 0 && next != state) ++ctx.noncon;
        state = next;
        const double g = next == kOn ? m_.g_on : g_off_;
        const double i = g * (value_at(ctx.x, p_) - value_at(ctx.x, n_));
        s.F(p_, i);
        s.F(n_, -i);
        slots_.stamp_g(s, g);
    }

    // ngspice's rule: while off and rising towards vt + vh (on and falling towards vt − vh),
    // the next step may cover at most 3/4 of the remaining distance plus the margin, at the
    // control's last rate of change; the steps shrink geometrically until the control is
    // within the margin, and the crossing step is then short.
    double max_step(const double* x, const double* x_previous, const double* accepted, double last_step) const override {
        const double c = control(x), change = c - control(x_previous);
        const bool on = accepted[hist_] == kOn;
        const double ref = on ? m_.threshold - m_.hysteresis : m_.threshold + m_.hysteresis;
        double allowed = 0;
        if (!on && c <= ref && change > 0) allowed = (ref - c) * 0.75 + m_.margin;
        else if (on && c >= ref && change < 0) allowed = (ref - c) * 0.75 - m_.margin;
        else return Device::max_step(x, x_previous, accepted, last_step);
        return allowed / change * last_step;
    }

    // Thermal noise of the present resistance (ngspice's swnoise), the state read from the
    // control; inside the hysteresis band, the on/off flag's.
    void noise(const double* x, std::vector<NoiseSource>& out) const override {
        const double g = decide(control(x), initial_) == kOn ? m_.g_on : g_off_;
        out.push_back({.name = "", .plus = p_, .minus = n_, .white = 4 * physics::kBoltzmann * kelvin_ * g});
    }

private:
    double control(const double* x) const {
        return m_.current ? x[ctl_] : value_at(x, cp_) - value_at(x, cn_);
    }
    double decide(double c, double held) const {
        if (c > m_.threshold + m_.hysteresis) return kOn;
        if (c < m_.threshold - m_.hysteresis) return kOff;
        return held;
    }

    const SwitchModel& m_;
    std::string control_;
    double initial_;
    double g_off_;   ///< S
    double kelvin_;  ///< K, for noise
    Index p_ = kGround, n_ = kGround, cp_ = kGround, cn_ = kGround, ctl_ = kGround;
    std::size_t hist_ = 0;
    PairSlots slots_;
};

std::shared_ptr<const ModelParams> prepare(const ModelCard& card) {
    auto mp = std::make_shared<SwitchModel>();
    mp->current = card.type == "csw";
    ParamReader r(card, fmt::format("{} switch model {}", mp->current ? "current" : "voltage", card.name));
    const char* t = mp->current ? "it" : "vt";
    const char* h = mp->current ? "ih" : "vh";
    mp->threshold = r.get(t, 0);
    mp->hysteresis = r.get(h, 0);
    // ngspice gives a negative hysteresis a state machine of its own (the band entered from
    // above turns the switch off); that is not what a hysteresis means, and not built here.
    if (mp->hysteresis < 0)
        r.fail(h, fmt::format("a negative hysteresis ({:g}) is not supported; give its magnitude", mp->hysteresis));
    const double ron = r.positive("ron", 1);
    mp->g_on = 1 / ron;
    if (auto roff = r.find("roff")) {
        if (!(*roff > 0)) r.fail("roff", fmt::format("roff must be positive, got {:g}", *roff));
        mp->g_off = 1 / *roff;
    }
    mp->margin = 1e-3 * std::max(std::fabs(mp->threshold) + mp->hysteresis, mp->current ? 1e-3 : 1.0);
    r.reject_unknown();
    return mp;
}

/// What every switch card must be: S with a voltage-controlled model and 4 nodes, W with a
/// current-controlled one and 2. Returns the switch's description for messages.
Subject check_switch_card(const InstanceCard& card, bool current, const char* s_type, const char* w_type) {
    const Subject what{current ? "current-controlled switch" : "voltage-controlled switch", card.name};
    if (current != (card.letter == 'w'))
        throw DeviceError(DeviceError::Where::Instance, "",
                          fmt::format("{}: model '{}' is a {} model; {} takes {}", what, card.model->name,
                                      card.model->type, card.letter == 'w' ? "W" : "S",
                                      card.letter == 'w' ? w_type : s_type));
    const std::size_t nodes = current ? 2 : 4;
    if (card.nodes.size() != nodes)
        throw DeviceError(DeviceError::Where::Instance, "",
                          fmt::format("{}: needs {} nodes, got {}", what, nodes, card.nodes.size()));
    return what;
}

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams* model) {
    const auto& m = static_cast<const SwitchModel&>(*model);
    const Subject what = check_switch_card(card, m.current, "sw", "csw");
    bool on = false;
    for (const auto& f : card.flags) {
        if (f == "on") on = true;
        else if (f == "off") on = false;
        else
            throw DeviceError(DeviceError::Where::Instance, "",
                              fmt::format("{}: unexpected '{}' (a switch takes 'on' or 'off')", what, f));
    }
    ParamReader params(card, what);
    params.reject_unknown();
    const std::string control = m.current && !card.refs.empty() ? card.refs[0] : std::string();
    return std::make_unique<Switch>(card.name, m, control, on, m.g_off.value_or(card.gmin),
                                    card.temp + physics::kCelsiusToKelvin);
}

// PSpice's VSWITCH/ISWITCH: ln R linear in the control c between c_off (R = roff) and c_on
// (R = ron), held at the end values beyond them, i = (v(p) − v(n))/R(c). Differentiated in the
// control too, so Newton sees the switch turning.
struct SmoothSwitchModel final : ModelParams {
    bool current = false;
    double on = 1, off = 0;  ///< von/voff (V) or ion/ioff (A)
    double ln_ron = 0, ln_roff = std::log(1e6);
};

class SmoothSwitch final : public Device {
public:
    SmoothSwitch(std::string name, const SmoothSwitchModel& m, std::string control, double kelvin)
        : Device(std::move(name)), m_(m), control_(std::move(control)), kelvin_(kelvin) {}

    void declare(Declarer& d) override { declare_terminals(d, m_.current, p_, n_, cp_, cn_); }
    void pattern(PatternBuilder& p) override {
        slots_.request(p, p_, n_);
        if (m_.current) cp_ = p.branch_of(control_);  // the control is that branch's current
        pc_ = p.entry(p_, cp_), nc_ = p.entry(n_, cp_);
        if (!m_.current) pn_ = p.entry(p_, cn_), nn_ = p.entry(n_, cn_);
    }

    void load(LoadContext& ctx, const Stamp& s) override {
        const double c = control(ctx.x);
        const auto [g, dg] = conductance(c);
        const double v = value_at(ctx.x, p_) - value_at(ctx.x, n_);
        s.F(p_, g * v);
        s.F(n_, -g * v);
        slots_.stamp_g(s, g);
        s.G(pc_, dg * v);
        s.G(nc_, -dg * v);
        s.G(pn_, -dg * v);
        s.G(nn_, dg * v);
    }

    void noise(const double* x, std::vector<NoiseSource>& out) const override {
        out.push_back({.name = "", .plus = p_, .minus = n_,
                       .white = 4 * physics::kBoltzmann * kelvin_ * conductance(control(x)).first});
    }

private:
    double control(const double* x) const { return value_at(x, cp_) - (m_.current ? 0.0 : value_at(x, cn_)); }
    /// G and dG/dc at control c.
    std::pair<double, double> conductance(double c) const {
        const double f = (c - m_.off) / (m_.on - m_.off);  // 0 at c_off, 1 at c_on
        const double clamped = std::clamp(f, 0.0, 1.0);
        const double g = std::exp(-(m_.ln_roff + clamped * (m_.ln_ron - m_.ln_roff)));
        const double dg = f == clamped ? -g * (m_.ln_ron - m_.ln_roff) / (m_.on - m_.off) : 0.0;
        return {g, dg};
    }

    const SmoothSwitchModel& m_;
    std::string control_;
    double kelvin_;
    Index p_ = kGround, n_ = kGround, cp_ = kGround, cn_ = kGround;
    PairSlots slots_;
    Slot pc_ = kNoSlot, nc_ = kNoSlot, pn_ = kNoSlot, nn_ = kNoSlot;
};

std::shared_ptr<const ModelParams> prepare_smooth(const ModelCard& card) {
    auto mp = std::make_shared<SmoothSwitchModel>();
    mp->current = card.type == "iswitch";
    ParamReader r(card, fmt::format("{} model {}", card.type, card.name));
    // PSpice's defaults.
    mp->on = r.get(mp->current ? "ion" : "von", mp->current ? 1e-3 : 1.0);
    mp->off = r.get(mp->current ? "ioff" : "voff", 0.0);
    if (!(std::fabs(mp->on - mp->off) >= 1e-12))
        r.fail(mp->current ? "ion" : "von", fmt::format("the on and off controls must differ (both {:g})", mp->on));
    mp->ln_ron = std::log(r.positive("ron", 1));
    mp->ln_roff = std::log(r.positive("roff", 1e6));
    r.reject_unknown();
    return mp;
}

std::unique_ptr<Device> create_smooth(const InstanceCard& card, const ModelParams* model) {
    const auto& m = static_cast<const SmoothSwitchModel&>(*model);
    const Subject what = check_switch_card(card, m.current, "vswitch", "iswitch");
    if (!card.flags.empty())
        throw DeviceError(DeviceError::Where::Instance, "",
                          fmt::format("{}: unexpected '{}' (a {} has no on/off state)", what, card.flags[0], card.model->type));
    ParamReader params(card, what);
    params.reject_unknown();
    const std::string control = m.current && !card.refs.empty() ? card.refs[0] : std::string();
    return std::make_unique<SmoothSwitch>(card.name, m, control, card.temp + physics::kCelsiusToKelvin);
}

/// PSpice's types (vswitch, iswitch) or ngspice's (sw, csw): the model card says which switch.
bool smooth_type(const std::string& type) { return type == "vswitch" || type == "iswitch"; }

std::shared_ptr<const ModelParams> prepare_switch(const ModelCard& card) {
    return smooth_type(card.type) ? prepare_smooth(card) : prepare(card);
}

std::unique_ptr<Device> create_switch(const InstanceCard& card, const ModelParams* model) {
    return smooth_type(card.model->type) ? create_smooth(card, model) : create(card, model);
}

const Registrar s_registrar{Registration{
    .letter = 's',
    .types = {"sw", "csw", "vswitch", "iswitch"},
    .levels = {},
    .description = "voltage-controlled switch",
    .prepare = prepare_switch,
    .create = create_switch,
}};
const Registrar w_registrar{Registration{
    .letter = 'w',
    .types = {"sw", "csw", "vswitch", "iswitch"},
    .levels = {},
    .description = "current-controlled switch",
    .prepare = prepare_switch,
    .create = create_switch,
}};

}  // namespace
}  // namespace ionspice::models
