#include "models/ParamReader.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ionspice::models {

std::optional<double> ParamReader::find(std::string_view name) {
    // Most cards have no name=value parameters at all (a crossbar's resistors): then there is
    // nothing to look up and nothing reject_unknown could report, so record nothing.
    if (params_.empty()) return std::nullopt;
    auto it = params_.find(std::string(name));
    if (it == params_.end()) return std::nullopt;
    mark(it->first);
    return it->second;
}

void ParamReader::mark(const std::string& key) {
    if (std::find(known_.begin(), known_.end(), &key) == known_.end()) known_.push_back(&key);
}

void ParamReader::ignore(std::initializer_list<const char*> names) {
    if (params_.empty()) return;
    for (const char* n : names)
        if (auto it = params_.find(n); it != params_.end()) mark(it->first);
}

void ParamReader::unused(std::initializer_list<const char*> names, std::string_view why) {
    if (params_.empty()) return;
    for (const char* n : names) {
        auto it = params_.find(n);
        if (it == params_.end()) continue;
        mark(it->first);
        note(n, why);
    }
}

void ParamReader::note(std::string_view name, std::string_view why) {
    if (notes_ && params_.count(std::string(name)))
        notes_->push_back({std::string(name), fmt::format("{}: parameter '{}' has no effect: {}", what_, name, why)});
}

double ParamReader::positive(std::string_view name, double fallback) {
    double v = get(name, fallback);
    if (!(v > 0)) fail(std::string(name), fmt::format("must be positive, got {:g}", v));
    return v;
}

double ParamReader::non_negative(std::string_view name, double fallback) {
    double v = get(name, fallback);
    if (!(v >= 0)) fail(std::string(name), fmt::format("must not be negative, got {:g}", v));
    return v;
}

void ParamReader::fail(const std::string& name, const std::string& message) const {
    throw DeviceError(where_, name, fmt::format("{}: parameter '{}' {}", what_, name, message));
}

void ParamReader::reject_unknown() const {
    for (const auto& [name, value] : params_)
        if (std::find(known_.begin(), known_.end(), &name) == known_.end())
            throw DeviceError(where_, name, fmt::format("{}: unknown parameter '{}'", what_, name), true);
}

}  // namespace ionspice::models
