#include "models/Capacitor.hpp"

#include <fmt/format.h>

#include <cmath>

#include "models/CardValue.hpp"
#include "models/ParamReader.hpp"
#include "models/PassiveTemperature.hpp"
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

std::optional<double> Capacitor::quantity(std::string_view name, const double* /*x*/, const double* xdot) const {
    if (name != "i") return std::nullopt;
    return xdot ? c_ * (value_at(xdot, p_) - value_at(xdot, n_)) : 0.0;
}

namespace {

/// `.model name c (...)`: ngspice's capacitor model (cap.c), defaults as capsetup.c.
struct CapacitorModel final : ModelParams {
    std::optional<double> cap;        ///< F, the model's default capacitance
    double cj = 0, cjsw = 0;          ///< F/m², F/m
    double defw = 10e-6;              ///< m (ngspice reads defl but never uses it: l is 0 unless written)
    double narrow = 0, shorten = 0;   ///< m
    PassiveTempModel temp;
};

std::shared_ptr<const ModelParams> prepare(const ModelCard& card) {
    ParamReader p(card, fmt::format("capacitor model {}", card.name));
    auto m = std::make_shared<CapacitorModel>();
    auto either = [&](const char* a, const char* b) {
        auto v = p.find(a);
        return v ? v : p.find(b);
    };
    m->cap = p.find("cap");
    const auto cj = either("cj", "cox");
    m->cjsw = either("cjsw", "capsw").value_or(0);
    m->defw = either("defw", "w").value_or(10e-6);
    either("defl", "l");
    const auto del = p.find("del");
    m->narrow = p.find("narrow").value_or(del ? 2 * *del : 0);
    m->shorten = p.find("short").value_or(del ? 2 * *del : 0);
    m->temp.tc1 = p.get("tc1", 0);
    m->temp.tc2 = p.get("tc2", 0);
    m->temp.tnom = p.find("tnom");
    // Without cj: from the insulator, ε0·di/thick (SiO2's permittivity when di is not written).
    const auto di = p.find("di"), thick = p.find("thick");
    constexpr double eps0 = 8.854214871e-12, eps_sio2 = 3.4531479969e-11;  // F/m, ngspice's constants
    m->cj = cj ? *cj : (thick && *thick > 0) ? (di ? *di * eps0 : eps_sio2) / *thick : 0.0;
    p.unused({"bv_max"}, "safe-operating-area limits are not checked");
    p.reject_unknown();
    return m;
}

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams* mp) {
    const auto* model = static_cast<const CapacitorModel*>(mp);
    const Subject what{"capacitor", card.name};
    ParamReader params(card, what);
    double c = 0;
    const auto w = params.find("w"), l = params.find("l");
    if (!model || !card.values.empty() || card.params.count("c") || card.params.count("capacitance") ||
        card.params.count("cap")) {
        c = main_value(card, params, {"c", "capacitance", "cap"}, what, "capacitance");
    } else if (model->cap) {
        c = *model->cap;
    } else {
        // ngspice's captemp.c: cj·(w − narrow)·(l − short) + 2·cjsw·((l − short) + (w − narrow)).
        const double we = w.value_or(model->defw) - model->narrow, le = l.value_or(0) - model->shorten;
        c = model->cj * we * le + 2 * model->cjsw * (le + we);
    }
    const double m = params.positive("m", 1);
    const double scale = params.positive("scale", 1);
    const std::optional<double> ic = params.find("ic");
    const PassiveTemperature t = passive_temperature(params, card, model ? model->temp : PassiveTempModel{});
    params.unused({"bv_max"}, "safe-operating-area limits are not checked");
    params.reject_unknown();
    // C(T) = C·factor·scale; m capacitors in parallel.
    const double c_t = m * c * t.factor * scale;
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

const Registrar with_model{Registration{
    .letter = 'c',
    .types = {"c"},
    .levels = {},
    .description = "capacitor with a model",
    .prepare = prepare,
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
