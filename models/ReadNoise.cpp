#include "models/ReadNoise.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "models/TransientNoise.hpp"
#include "models/Variability.hpp"
#include "models/Waveform.hpp"

namespace ionspice::models {

ReadNoiseParams ReadNoiseParams::read(ParamReader& r) {
    ReadNoiseParams p;
    p.rnw = r.non_negative("rnw", 0);
    p.rnf = r.non_negative("rnf", 0);
    p.rnalpha = r.positive("rnalpha", 1);
    if (p.rnalpha > 2) r.fail("rnalpha", fmt::format("must be in (0, 2], got {:g}", p.rnalpha));
    p.rnt = r.non_negative("rnt", 0);
    if (!p.on())
        for (const char* name : {"rnalpha", "rnt"}) r.note(name, "there is no read noise without rnw or rnf");
    else if (p.rnf == 0)
        r.note("rnalpha", "it is the exponent of the 1/f read noise, and rnf is 0");
    return p;
}

// A stream of its own, apart from the variability's draws for the same instance.
ReadNoise::ReadNoise(const ReadNoiseParams& p, std::uint64_t seed, const std::string& instance, std::string what)
    : p_(p), key_(variability_key(seed, instance + "#read")), what_(std::move(what)) {}
ReadNoise::~ReadNoise() = default;
ReadNoise::ReadNoise(ReadNoise&&) noexcept = default;

void ReadNoise::prepare(double tstep, double tstop) {
    if (!p_.on()) return;
    const double nt = p_.rnt > 0 ? p_.rnt : tstep;
    Waveform w;
    w.kind = Waveform::Kind::Trnoise;
    w.args = {p_.rnw / std::sqrt(2 * nt), nt, p_.rnf > 0 ? p_.rnalpha : 0.0,
              p_.rnf * std::sqrt(std::pow(2 * std::numbers::pi * nt, p_.rnalpha) / (2 * nt))};
    process_ = std::make_unique<TransientNoise>(w, key_, what_);
    process_->prepare(tstop);
}

double ReadNoise::factor(const LoadContext& ctx) const {
    return process_ && !ctx.dc ? 1 + process_->value(ctx.time) : 1.0;
}

void ReadNoise::breakpoints(double t0, double t1, std::vector<double>& out) const {
    if (process_) process_->breakpoints(t0, t1, out);
}

void ReadNoise::sources(double i, Index plus, Index minus, std::vector<NoiseSource>& out) const {
    if (p_.rnw > 0) out.push_back({.name = "read", .plus = plus, .minus = minus, .white = i * i * p_.rnw * p_.rnw});
    if (p_.rnf > 0)
        out.push_back({.name = "read1overf", .plus = plus, .minus = minus, .flicker = i * i * p_.rnf * p_.rnf,
                       .exponent = p_.rnalpha});
}

}  // namespace ionspice::models
