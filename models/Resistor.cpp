// Resistor: R p n value [r=] [m=] [tc1=] [tc2=] [temp=] [dtemp=]

#include <fmt/format.h>

#include "models/CardValue.hpp"
#include "models/Device.hpp"
#include "models/ParamReader.hpp"
#include "models/Registry.hpp"
#include "models/Stamping.hpp"

namespace ionspice::models {
namespace {

class Resistor final : public Device {
public:
    Resistor(std::string name, double conductance) : Device(std::move(name)), g_(conductance) {}

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

    double conductance() const { return g_; }

private:
    double g_;  ///< S
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
    // `ac` is the resistance an AC analysis uses instead; `noisy` switches its noise off.
    params.ignore({"ac", "noisy"});
    params.reject_unknown();
    if (r == 0) throw value_error(card, {"r", "resistance"}, fmt::format("{}: resistance must not be zero", what));
    // R(T) = R·(1 + tc1·ΔT + tc2·ΔT²), ΔT = T − Tnom; m resistors in parallel.
    const double dt = temp - card.tnom;
    const double r_t = r * (1 + tc1 * dt + tc2 * dt * dt);
    if (r_t == 0 || !std::isfinite(r_t))
        throw value_error(card, {"r", "resistance"},
                          fmt::format("{}: resistance is {:g} at {:g} °C after temperature scaling", what, r_t, temp));
    return std::make_unique<Resistor>(card.name, m / r_t);
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
