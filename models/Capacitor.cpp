#include "models/Capacitor.hpp"

#include <fmt/format.h>

#include <cmath>

#include "models/CardValue.hpp"
#include "models/ParamReader.hpp"
#include "models/Registry.hpp"

namespace ionspice::models {

void Capacitor::declare(Declarer& d) {
    p_ = d.terminal(0);
    n_ = d.terminal(1);
}

void Capacitor::pattern(PatternBuilder& p) { slots_.request(p, p_, n_); }

// q = C·(vp − vn) on the p row, −q on the n row; no current in f.
void Capacitor::load(LoadContext& ctx, const Stamp& s) {
    const double q = c_ * (value_at(ctx.x, p_) - value_at(ctx.x, n_));
    s.Q(p_, q);
    s.Q(n_, -q);
    slots_.stamp_c(s, c_);
}

namespace {

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams*) {
    const std::string what = fmt::format("capacitor {}", card.name);
    ParamReader params(card.params, DeviceError::Where::Instance, what);
    const double c = main_value(card, params, {"c", "capacitance"}, what, "capacitance");
    const double m = params.positive("m", 1);
    const std::optional<double> ic = params.find("ic");
    const double tc1 = params.get("tc1", 0);                                     // 1/K
    const double tc2 = params.get("tc2", 0);                                     // 1/K²
    const double temp = params.get("temp", card.temp + params.get("dtemp", 0));  // °C
    params.reject_unknown();
    // C(T) = C·(1 + tc1·ΔT + tc2·ΔT²), ΔT = T − Tnom; m capacitors in parallel.
    const double dt = temp - card.tnom;
    const double c_t = m * c * (1 + tc1 * dt + tc2 * dt * dt);
    if (!std::isfinite(c_t))
        throw value_error(card, {"c", "capacitance"}, fmt::format("{}: capacitance is not finite", what));
    return std::make_unique<Capacitor>(card.name, c_t, ic);
}

const Registrar registrar{Registration{
    .letter = 'c',
    .types = {},
    .levels = {},
    .description = "capacitor",
    .prepare = {},
    .create = create,
}};

}  // namespace
// With uic the solver does not compute an operating point, so the ic voltage can only be
// imposed where it fixes a node: one side grounded, or the other side already set.
void Capacitor::initial_conditions(double* x) const {
    if (!ic_) return;
    if (n_ < 0 && p_ >= 0) x[p_] = *ic_;
    else if (p_ < 0 && n_ >= 0) x[n_] = -*ic_;
    else if (p_ >= 0 && n_ >= 0) x[p_] = x[n_] + *ic_;
}

}  // namespace ionspice::models
