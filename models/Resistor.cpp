// Resistor: R p n value [r=] [m=] [tc1=] [tc2=] [temp=] [dtemp=]

#include <fmt/format.h>

#include <cmath>

#include "models/CardValue.hpp"
#include "models/Device.hpp"
#include "models/ParamReader.hpp"
#include "models/Physics.hpp"
#include "models/Registry.hpp"
#include "models/Stamping.hpp"

namespace ionspice::models {
namespace {

class Resistor final : public Device {
public:
    Resistor(std::string name, double conductance, double kelvin, bool noisy)
        : Device(std::move(name)), g_(conductance), kelvin_(kelvin), noisy_(noisy) {}

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

    // Thermal noise 4kT·|G| at the resistor's own temperature: what ngspice's resnoise.c gives
    // unless temp= is written on the instance (ngspice-39 then takes the circuit temperature,
    // later versions a mix of temp and tnom). ngspice's flicker term m·KF·(|I|/m)^AF/(area·f^EF)
    // needs a resistor .model card, which this resistor does not take: its "1overf" generator is
    // always zero, kept so that the summary vectors are the ones ngspice writes. |G|, because a
    // negative resistance written on a card is no source of negative power density.
    void noise(const double* /*x*/, std::vector<NoiseSource>& out) const override {
        if (!noisy_) return;
        out.push_back({.name = "thermal", .plus = p_, .minus = n_,
                       .white = 4 * physics::kBoltzmann * kelvin_ * std::fabs(g_)});
        out.push_back({.name = "1overf", .plus = p_, .minus = n_});
    }

    double conductance() const { return g_; }

private:
    double g_;       ///< S
    double kelvin_;  ///< K, the resistor's temperature
    bool noisy_;     ///< noisy=0: a noiseless resistor, as in ngspice
    Index p_ = kGround, n_ = kGround;
    PairSlots slots_;
};

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams*) {
    const std::string what = fmt::format("resistor {}", card.name);
    ParamReader params(card.params, DeviceError::Where::Instance, what);
    const double r = main_value(card, params, {"r", "resistance"}, what, "resistance");
    const double m = params.positive("m", 1);
    const double tc1 = params.get("tc1", 0);                                     // 1/K
    const double tc2 = params.get("tc2", 0);                                     // 1/K²
    const double temp = params.get("temp", card.temp + params.get("dtemp", 0));  // °C
    // `ac` is the resistance an AC analysis uses instead; noisy=0 switches its noise off.
    params.ignore({"ac"});
    const bool noisy = params.get("noisy", 1) != 0;
    params.reject_unknown();
    if (r == 0) throw value_error(card, {"r", "resistance"}, fmt::format("{}: resistance must not be zero", what));
    // R(T) = R·(1 + tc1·ΔT + tc2·ΔT²), ΔT = T − Tnom; m resistors in parallel.
    const double dt = temp - card.tnom;
    const double r_t = r * (1 + tc1 * dt + tc2 * dt * dt);
    if (r_t == 0 || !std::isfinite(r_t))
        throw value_error(card, {"r", "resistance"},
                          fmt::format("{}: resistance is {:g} at {:g} °C after temperature scaling", what, r_t, temp));
    return std::make_unique<Resistor>(card.name, m / r_t, temp + physics::kCelsiusToKelvin, noisy);
}

const Registrar registrar{Registration{
    .letter = 'r',
    .types = {},
    .levels = {},
    .description = "resistor",
    .prepare = {},
    .create = create,
}};

}  // namespace
}  // namespace ionspice::models
