// Resistor: R p n [value] [model] [r=] [m=] [scale=] [l=] [w=] [tc1=|tc=] [tc2=] [tce=] [temp=]
// [dtemp=] [ac=] [noisy=], and its .model (type r or res) as ngspice's.

#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "models/CardValue.hpp"
#include "models/Device.hpp"
#include "models/ParamReader.hpp"
#include "models/PassiveTemperature.hpp"
#include "models/Physics.hpp"
#include "models/Registry.hpp"
#include "models/Stamping.hpp"

namespace ionspice::models {
namespace {

class Resistor final : public Device {
public:
    struct Flicker {
        double kf = 0, af = 1, ef = 1;  ///< ngspice's m·KF·(|I|/m)^AF / (area·f^EF)
        double m = 1, area = 1;
    };
    Resistor(std::string name, double conductance, std::optional<double> ac_conductance, double kelvin, bool noisy,
             Flicker flicker)
        : Device(std::move(name)), g_(conductance), kelvin_(kelvin), noisy_(noisy) {
        if (ac_conductance || flicker.kf != 0) rare_ = std::make_unique<const Rare>(Rare{ac_conductance, flicker});
    }

    void declare(Declarer& d) override {
        p_ = d.terminal(0);
        n_ = d.terminal(1);
    }
    void pattern(PatternBuilder& p) override { slots_.request(p, p_, n_); }

    // i = G·(vp − vn), leaving p and entering n.
    void load(LoadContext& ctx, const Stamp& s) override {
        const double i = g_ * (value_at(ctx.x, p_) - value_at(ctx.x, n_));
        s.F(p_, i);
        s.F(n_, -i);
        slots_.stamp_g(s, g_);
    }
    bool is_linear() const override { return true; }
    // ac=: the conductance .ac and .pz see (the noise generator keeps the DC one, as ngspice's).
    void load_small_signal(const Stamp& s) const override {
        if (rare_ && rare_->g_ac) slots_.stamp_g(s, *rare_->g_ac - g_);
    }

    // Thermal noise 4kT·|G| at the resistor's own temperature: what ngspice's resnoise.c gives
    // unless temp= is written on the instance (ngspice-39 then takes the circuit temperature,
    // later versions a mix of temp and tnom). The "1overf" generator is ngspice's flicker term
    // m·KF·(|I|/m)^AF/(area·f^EF) of a resistor .model's kf/af/ef (zero without one), I the
    // operating-point current. |G|, because a negative resistance written on a card is no
    // source of negative power density.
    void noise(const double* x, std::vector<NoiseSource>& out) const override {
        if (!noisy_) return;
        out.push_back({.name = "thermal", .plus = p_, .minus = n_,
                       .white = 4 * physics::kBoltzmann * kelvin_ * std::fabs(g_)});
        NoiseSource f{.name = "1overf", .plus = p_, .minus = n_};
        if (rare_ && rare_->flicker.kf != 0) {
            const Flicker& fl = rare_->flicker;
            const double i = g_ * (value_at(x, p_) - value_at(x, n_));
            f.flicker = fl.m * fl.kf * std::pow(std::fabs(i / fl.m), fl.af) / fl.area;
            f.exponent = fl.ef;
        }
        out.push_back(f);
    }

    // ngspice's @r[i] (and i(r1)): the current from p to n; @r[p]: the power it dissipates.
    std::optional<double> quantity(std::string_view name, const double* x, const double* /*xdot*/) const override {
        const double v = value_at(x, p_) - value_at(x, n_);
        if (name == "i") return g_ * v;
        if (name == "p") return g_ * v * v;
        return std::nullopt;
    }

    double conductance() const { return g_; }

private:
    double g_;       ///< S
    /// What few resistors have, boxed: an array's million resistors have neither.
    struct Rare {
        std::optional<double> g_ac;  ///< S, from ac=: the small-signal analyses' instead of g_
        Flicker flicker;
    };
    double kelvin_;  ///< K, the resistor's temperature
    bool noisy_;     ///< noisy=0: a noiseless resistor, as in ngspice
    std::unique_ptr<const Rare> rare_;  ///< null: no ac= and no flicker noise
    Index p_ = kGround, n_ = kGround;
    PairSlots slots_;
};

/// `.model name r (...)`: ngspice's resistor model (res.c), defaults as ressetup.c.
struct ResistorModel final : ModelParams {
    std::optional<double> rsh, r;      ///< Ω/square; the model's default resistance
    double narrow = 0, shorten = 0;    ///< m, taken from each side of w and l
    std::optional<double> tce;         ///< %/K, exponential coefficient: 1.01^(tce·ΔT)
    double defw = 10e-6, defl = 10e-6; ///< m
    double kf = 0, af = 1, ef = 1, lf = 1, wf = 1;
    PassiveTempModel temp;
};

std::shared_ptr<const ModelParams> prepare(const ModelCard& card) {
    ParamReader p(card, fmt::format("resistor model {}", card.name));
    auto m = std::make_shared<ResistorModel>();
    auto either = [&](const char* a, const char* b) {
        auto v = p.find(a);
        return v ? v : p.find(b);
    };
    m->rsh = p.find("rsh");
    m->r = either("r", "res");
    m->narrow = either("narrow", "dw").value_or(0);
    m->shorten = either("short", "dlr").value_or(0);
    m->temp.tc1 = either("tc1", "tc1r").value_or(0);
    m->temp.tc2 = either("tc2", "tc2r").value_or(0);
    m->tce = p.find("tce");
    m->defw = either("defw", "w").value_or(10e-6);
    m->defl = p.get("l", 10e-6);
    m->kf = p.get("kf", 0);
    m->af = p.get("af", 1);
    m->ef = p.get("ef", 1);
    m->lf = p.get("lf", 1);
    m->wf = p.get("wf", 1);
    m->temp.tnom = p.find("tnom");
    // bv_max is a limit ngspice only reports against (a check, not a model term).
    p.unused({"bv_max"}, "safe-operating-area limits are not checked");
    p.reject_unknown();
    return m;
}

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams* mp) {
    const auto* model = static_cast<const ResistorModel*>(mp);
    const Subject what{"resistor", card.name};
    ParamReader params(card, what);
    // The resistance: written on the card; else from a model, rsh·(l − 2·short)/(w − 2·narrow)
    // when that is positive, else the model's r.
    std::optional<double> r;
    const auto w_given = params.find("w"), l_given = params.find("l");
    if (!model || !card.values.empty() || card.params.count("r") || card.params.count("resistance")) {
        r = main_value(card, params, {"r", "resistance"}, what, "resistance");
    } else {
        const double w = w_given.value_or(model->defw), l = l_given.value_or(model->defl);
        if (model->rsh && l * w * *model->rsh > 0)
            r = *model->rsh * (l - 2 * model->shorten) / (w - 2 * model->narrow);
        else if (model->r)
            r = *model->r;
        else
            throw DeviceError(DeviceError::Where::Value, "",
                              fmt::format("{}: resistance missing (write a value, or give model {} rsh= with l= "
                                          "and w=, or r=)",
                                          what, card.model->name));
    }
    const double m = params.positive("m", 1);
    const double scale = params.positive("scale", 1);
    const PassiveTemperature t = passive_temperature(params, card, model ? model->temp : PassiveTempModel{}, "tc");
    const std::optional<double> tce = params.find("tce");
    // `ac` is the resistance an AC analysis uses instead; noisy=0 switches its noise off.
    const std::optional<double> r_ac = params.find("ac");
    params.unused({"bv_max"}, "safe-operating-area limits are not checked");
    const bool noisy = params.get("noisy", params.get("noise", 1)) != 0;
    params.reject_unknown();
    if (*r == 0) throw value_error(card, {"r", "resistance"}, fmt::format("{}: resistance must not be zero", what));
    // R(T) = R·factor·scale, factor 1.01^(tce·ΔT) when a tce is written (instance or model),
    // else 1 + tc1·ΔT + tc2·ΔT²; m resistors in parallel.
    const std::optional<double> any_tce = tce ? tce : model ? model->tce : std::nullopt;
    const double factor = any_tce ? std::pow(1.01, *any_tce * t.dt) : t.factor;
    const double r_t = *r * factor * scale;
    if (r_t == 0 || !std::isfinite(r_t))
        throw value_error(card, {"r", "resistance"},
                          fmt::format("{}: resistance is {:g} at {:g} °C after temperature scaling", what, r_t, t.temp));
    Resistor::Flicker fl;
    if (model) {
        fl.kf = model->kf, fl.af = model->af, fl.ef = model->ef, fl.m = m;
        // ngspice's noise area: only when w or l is written on the instance.
        if (w_given || l_given)
            fl.area = std::pow(l_given.value_or(model->defl) - 2 * model->shorten, model->lf) *
                      std::pow(w_given.value_or(model->defw) - 2 * model->narrow, model->wf);
    }
    // The AC resistance scales with temperature, scale and m as the resistance does (ngspice).
    std::optional<double> g_ac;
    if (r_ac) {
        if (*r_ac == 0) throw value_error(card, {"ac"}, fmt::format("{}: ac resistance must not be zero", what));
        g_ac = m / (*r_ac * factor * scale);
    }
    return std::make_unique<Resistor>(card.name, m / r_t, g_ac, t.temp + physics::kCelsiusToKelvin, noisy, fl);
}

const Registrar registrar{Registration{
    .letter = 'r',
    .types = {},
    .levels = {},
    .description = "resistor",
    .prepare = {},
    .create = create,
}};

const Registrar with_model{Registration{
    .letter = 'r',
    .types = {"r", "res"},
    .levels = {},
    .description = "resistor with a model",
    .prepare = prepare,
    .create = create,
}};

}  // namespace
}  // namespace ionspice::models
