#include "models/Inductor.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "models/CardValue.hpp"
#include "models/ParamReader.hpp"
#include "models/PassiveTemperature.hpp"
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

/// `.model name l (...)`: ngspice's inductor model (ind.c), defaults as indsetup.c.
struct InductorModel final : ModelParams {
    double ind = 0;       ///< H, the model's default inductance
    double spec_ind = 0;  ///< H per turn², from the coil's geometry
    PassiveTempModel temp;
};

/// Nagaoka's coefficient by Lundin's handbook formula (as ngspice's indsetup.c): the field
/// correction of a solenoid of length l and cross-section csect.
double lundin(double l, double csect) {
    if (csect < 1e-12 || l < 1e-6) return 1;  // too small a coil to correct
    const double x = std::sqrt(csect / std::numbers::pi) * 2 / l, xx = x * x, x4 = xx * xx;
    if (x < 1) return (1 + 0.383901 * xx + 0.017108 * x4) / (1 + 0.258952 * xx) - 4 * x / (3 * std::numbers::pi);
    const double num = (std::log(4 * x) - 0.5) * (1 + 0.383901 / xx + 0.017108 / x4);
    const double kk = 0.093842 / xx + 0.002029 / x4 - 0.000801 / (xx * x4);
    return 2 * (num / (1 + 0.258952 / xx) + kk) / (std::numbers::pi * x);
}

std::shared_ptr<const ModelParams> prepare(const ModelCard& card) {
    ParamReader p(card, fmt::format("inductor model {}", card.name));
    auto m = std::make_shared<InductorModel>();
    const auto dia = p.find("dia"), length = p.find("length"), csect_given = p.find("csect");
    const double csect = dia ? std::numbers::pi * *dia * *dia / 4 : csect_given.value_or(0);
    const double mu = p.get("mu", 1);
    constexpr double mu0 = 1.25663706143592e-6;  // H/m, ngspice's CONSTmuZero
    if (length && *length > 0) m->spec_ind = mu * mu0 * csect / *length;
    if (length && (dia || csect_given)) m->spec_ind *= lundin(*length, csect);
    const double nt = p.get("nt", 0);
    m->ind = p.find("ind").value_or(nt * nt * m->spec_ind);
    m->temp.tc1 = p.get("tc1", 0);
    m->temp.tc2 = p.get("tc2", 0);
    m->temp.tnom = p.find("tnom");
    p.reject_unknown();
    return m;
}

std::unique_ptr<Device> create(const InstanceCard& card, const ModelParams* mp) {
    const auto* model = static_cast<const InductorModel*>(mp);
    const Subject what{"inductor", card.name};
    ParamReader params(card, what);
    double l = 0;
    const auto nt = params.find("nt");
    if (!model || !card.values.empty() || card.params.count("l") || card.params.count("inductance"))
        l = main_value(card, params, {"l", "inductance"}, what, "inductance");
    else
        l = nt ? model->spec_ind * *nt * *nt : model->ind;
    const double m = params.positive("m", 1);
    const double scale = params.positive("scale", 1);
    const std::optional<double> ic = params.find("ic");
    const PassiveTemperature t = passive_temperature(params, card, model ? model->temp : PassiveTempModel{});
    params.reject_unknown();
    // L(T) = L·factor·scale; m inductors in parallel.
    const double l_t = l * t.factor * scale / m;
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

const Registrar with_model{Registration{
    .letter = 'l',
    .types = {"l"},
    .levels = {},
    .description = "inductor with a model",
    .prepare = prepare,
    .create = create,
}};

}  // namespace
}  // namespace ionspice::models
