// Independent sources:
//   V p n [dc] [ac] [pulse(...) | pwl(...) | sin(...) | exp(...) | sffm(...) | am(...) |
//                    trnoise(...) | trrandom(...)]
//   I p n [dc] [ac] [waveform] [m=]
// ngspice's sign conventions: a voltage source's branch current i flows from p through the
// source to n; a current source's value flows from p through the source to n.

#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <numbers>

#include "models/Device.hpp"
#include "models/ParamReader.hpp"
#include "models/Registry.hpp"
#include "models/Stamping.hpp"
#include "models/TransientNoise.hpp"
#include "models/Variability.hpp"
#include "models/Waveform.hpp"

namespace ionspice::models {
namespace {

/// What V and I share: the value at a load context.
class SourceBase : public IndependentSource {
public:
    SourceBase(std::string name, SourceValue value, double multiplier, std::uint64_t seed)
        : IndependentSource(std::move(name)), src_(std::move(value)), m_(multiplier) {
        if (src_.wave.kind == Waveform::Kind::Trnoise || src_.wave.kind == Waveform::Kind::Trrandom)
            noise_ = std::make_unique<TransientNoise>(src_.wave, variability_key(seed, this->name()),
                                                      fmt::format("source {}", this->name()));
    }

    /// Without a DC value, the DC analyses use the waveform at t = 0, as ngspice's sources do
    /// (SIN's phase, PWL's first value, a PULSE's v1); TRNOISE and TRRANDOM add to the DC value.
    double dc_value() const override {
        if (src_.has_dc || src_.wave.kind == Waveform::Kind::None || noise_) return src_.dc;
        return waveform_value(src_.wave, 0.0, defaults_);
    }
    void set_dc_value(double v) override {
        src_.dc = v;
        src_.has_dc = true;
    }
    void set_transient_defaults(double tstep, double tstop) override {
        defaults_ = {tstep, tstop};
        if (noise_) noise_->prepare(tstop);
    }
    bool is_linear() const override { return true; }
    bool has_source() const override { return true; }
    void breakpoints(double t0, double t1, std::vector<double>& out) const override {
        if (noise_)
            noise_->breakpoints(t0, t1, out);
        else
            waveform_breakpoints(src_.wave, t0, t1, defaults_, out);
    }
    std::complex<double> ac_phasor() const override {
        return std::polar(src_.ac_mag * m_, src_.ac_phase * std::numbers::pi / 180.0);
    }
    bool has_ac() const override { return src_.has_ac; }

protected:
    /// The DC value in DC analyses (and in transient when there is no waveform), else the
    /// waveform at ctx.time (at a transient's start too); scaled by source stepping and the
    /// multiplier.
    double value(const LoadContext& ctx) const {
        const bool wave = (!ctx.dc || ctx.transient_start) && src_.wave.kind != Waveform::Kind::None;
        const double v = !wave   ? dc_value()
                         : noise_ ? noise_->value(ctx.time) + src_.dc
                                  : waveform_value(src_.wave, ctx.time, defaults_);
        return v * ctx.source_scale * m_;
    }

private:
    SourceValue src_;
    std::unique_ptr<TransientNoise> noise_;  ///< TRNOISE/TRRANDOM: their draws
    double m_;  ///< multiplier (m= of a current source)
    TransientDefaults defaults_;
};

class VoltageSource final : public SourceBase {
public:
    using SourceBase::SourceBase;

    bool is_voltage() const override { return true; }
    void declare(Declarer& d) override {
        p_ = d.terminal(0);
        n_ = d.terminal(1);
        br_ = d.add_branch();
    }
    void pattern(PatternBuilder& p) override {
        p_br_ = p.entry(p_, br_);
        n_br_ = p.entry(n_, br_);
        br_p_ = p.entry(br_, p_);
        br_n_ = p.entry(br_, n_);
    }
    // KCL: +i at p, −i at n. Branch row: vp − vn − value = 0.
    void load(LoadContext& ctx, const Stamp& s) override {
        const double i = ctx.x[br_];
        s.F(p_, i);
        s.F(n_, -i);
        s.F(br_, value_at(ctx.x, p_) - value_at(ctx.x, n_) - value(ctx));
        s.G(p_br_, 1);
        s.G(n_br_, -1);
        s.G(br_p_, 1);
        s.G(br_n_, -1);
    }
    void load_source(const LoadContext& ctx, double* f) const override { f[br_] -= value(ctx); }
    void stamp_excitation(std::complex<double> v, std::complex<double>* f) const override { f[br_] -= v; }
    // ngspice's @v1[i]: the branch current, i(v1).
    std::optional<double> quantity(std::string_view name, const double* x, const double* /*xdot*/) const override {
        if (name == "i") return x[br_];
        return std::nullopt;
    }

private:
    Index p_ = kGround, n_ = kGround, br_ = kGround;
    Slot p_br_ = kNoSlot, n_br_ = kNoSlot, br_p_ = kNoSlot, br_n_ = kNoSlot;
};

class CurrentSource final : public SourceBase {
public:
    using SourceBase::SourceBase;

    bool is_voltage() const override { return false; }
    void declare(Declarer& d) override {
        p_ = d.terminal(0);
        n_ = d.terminal(1);
    }
    void pattern(PatternBuilder&) override {}
    // The value leaves p into the source and enters n.
    void load(LoadContext& ctx, const Stamp& s) override {
        const double i = value(ctx);
        s.F(p_, i);
        s.F(n_, -i);
    }
    void load_source(const LoadContext& ctx, double* f) const override {
        const double i = value(ctx);
        if (p_ >= 0) f[p_] += i;
        if (n_ >= 0) f[n_] -= i;
    }
    void stamp_excitation(std::complex<double> i, std::complex<double>* f) const override {
        if (p_ >= 0) f[p_] += i;
        if (n_ >= 0) f[n_] -= i;
    }

private:
    Index p_ = kGround, n_ = kGround;
};

/// The card's source value; a bare positional number is taken as the DC value.
SourceValue source_value(const InstanceCard& card, const Subject& what) {
    SourceValue s;
    if (card.source) {
        s = *card.source;
        if (!card.values.empty())
            throw DeviceError(DeviceError::Where::Value, "0",
                              fmt::format("{}: unexpected value {:g}", what, card.values[0]));
    } else if (!card.values.empty()) {
        if (card.values.size() > 1)
            throw DeviceError(DeviceError::Where::Value, "1",
                              fmt::format("{}: unexpected value {:g}", what, card.values[1]));
        s.dc = card.values[0];
        s.has_dc = true;
    }
    if (!std::isfinite(s.dc))
        throw DeviceError(DeviceError::Where::Value, "", fmt::format("{}: DC value is not finite", what));
    check_waveform(s.wave, what);
    return s;
}

std::unique_ptr<Device> create_v(const InstanceCard& card, const ModelParams*) {
    const Subject what{"voltage source", card.name};
    ParamReader params(card, what);
    params.reject_unknown();
    return std::make_unique<VoltageSource>(card.name, source_value(card, what), 1.0, card.seed);
}

std::unique_ptr<Device> create_i(const InstanceCard& card, const ModelParams*) {
    const Subject what{"current source", card.name};
    ParamReader params(card, what);
    const double m = params.positive("m", 1);
    params.reject_unknown();
    return std::make_unique<CurrentSource>(card.name, source_value(card, what), m, card.seed);
}

const Registrar voltage_registrar{Registration{
    .letter = 'v',
    .types = {},
    .levels = {},
    .description = "independent voltage source",
    .prepare = {},
    .create = create_v,
}};

const Registrar current_registrar{Registration{
    .letter = 'i',
    .types = {},
    .levels = {},
    .description = "independent current source",
    .prepare = {},
    .create = create_i,
}};

}  // namespace
}  // namespace ionspice::models
