#include "models/ParamReader.hpp"

#include <fmt/format.h>

namespace ionspice::models {

std::optional<double> ParamReader::find(const std::string& name) {
    // Most cards have no name=value parameters at all (a crossbar's resistors): then there is
    // nothing to look up and nothing reject_unknown could report, so record nothing.
    if (params_.empty()) return std::nullopt;
    known_.insert(name);
    auto it = params_.find(name);
    if (it == params_.end()) return std::nullopt;
    return it->second;
}

void ParamReader::ignore(std::initializer_list<const char*> names) {
    if (params_.empty()) return;
    for (const char* n : names) known_.insert(n);
}

void ParamReader::unused(std::initializer_list<const char*> names, std::string_view why) {
    if (params_.empty()) return;
    for (const char* n : names) {
        known_.insert(n);
        note(n, why);
    }
}

void ParamReader::note(const std::string& name, std::string_view why) {
    if (notes_ && params_.count(name))
        notes_->push_back({name, fmt::format("{}: parameter '{}' has no effect: {}", what_, name, why)});
}

double ParamReader::positive(const std::string& name, double fallback) {
    double v = get(name, fallback);
    if (!(v > 0)) fail(name, fmt::format("must be positive, got {:g}", v));
    return v;
}

double ParamReader::non_negative(const std::string& name, double fallback) {
    double v = get(name, fallback);
    if (!(v >= 0)) fail(name, fmt::format("must not be negative, got {:g}", v));
    return v;
}

void ParamReader::fail(const std::string& name, const std::string& message) const {
    throw DeviceError(where_, name, fmt::format("{}: parameter '{}' {}", what_, name, message));
}

void ParamReader::reject_unknown() const {
    for (const auto& [name, value] : params_)
        if (!known_.count(name))
            throw DeviceError(where_, name, fmt::format("{}: unknown parameter '{}'", what_, name), true);
}

}  // namespace ionspice::models
