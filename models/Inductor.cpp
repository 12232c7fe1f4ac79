#include "models/Inductor.hpp"

#include <fmt/format.h>

#include <cmath>

#include "models/CardValue.hpp"
#include "models/ParamReader.hpp"
#include "models/Registry.hpp"
#include "models/Stamping.hpp"

namespace ionspice::models {

void Inductor::declare(Declarer& d) {
    p_ = d.terminal(0);
    n_ = d.terminal(1);
    br_ = d.add_branch();
}

void Inductor::pattern(PatternBuilder& p) {
    p_br_ = p.entry(p_, br_);
    n_br_ = p.entry(n_, br_);
    br_p_ = p.entry(br_, p_);
    br_n_ = p.entry(br_, n_);
    br_br_ = p.entry(br_, br_);
}

// The branch current i leaves p and enters n. Branch row: (vp − vn) + d/dt(−L·i) = 0, that is
// vp − vn = L·di/dt.
void Inductor::load(LoadContext& ctx, const Stamp& s) {
    const double i = ctx.x[br_];
    s.F(p_, i);
    s.F(n_, -i);
    s.F(br_, value_at(ctx.x, p_) - value_at(ctx.x, n_));
    s.Q(br_, -l_ * i);
    s.G(p_br_, 1);
    s.G(n_br_, -1);
    s.G(br_p_, 1);
    s.G(br_n_, -1);
    s.C(br_br_, -l_);
}

namespace {

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams*) {
    const std::string what = fmt::format("inductor {}", card.name);
    ParamReader params(card.params, DeviceError::Where::Instance, what);
    const double l = main_value(card, params, {"l", "inductance"}, what, "inductance");
    const double m = params.positive("m", 1);
    const std::optional<double> ic = params.find("ic");
    const double tc1 = params.get("tc1", 0);                                     // 1/K
    const double tc2 = params.get("tc2", 0);                                     // 1/K²
    const double temp = params.get("temp", card.temp + params.get("dtemp", 0));  // °C
    params.reject_unknown();
    // L(T) = L·(1 + tc1·ΔT + tc2·ΔT²), ΔT = T − Tnom; m inductors in parallel.
    const double dt = temp - card.tnom;
    const double l_t = l * (1 + tc1 * dt + tc2 * dt * dt) / m;
    if (!std::isfinite(l_t))
        throw value_error(card, {"l", "inductance"}, fmt::format("{}: inductance is not finite", what));
    return std::make_unique<Inductor>(card.name, l_t, ic);
}

const Registrar registrar{Registration{
    .letter = 'l',
    .types = {},
    .levels = {},
    .description = "inductor",
    .prepare = {},
    .create = create,
}};

}  // namespace
}  // namespace ionspice::models
