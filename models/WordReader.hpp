#pragma once
// Reads a .model card's word-valued parameters (level=bulk, mapping=log) the way ParamReader reads
// numbers: each one must be asked for, and its value must be one the model knows, so a typo in
// either the name or the word is an error that names the parameter.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "models/Device.hpp"

namespace ionspice::models {

class WordReader {
public:
    WordReader(const std::map<std::string, std::string>& words, DeviceError::Where where, std::string what)
        : words_(words), where_(where), what_(std::move(what)) {}

    /// The word if written, checked against `choices` (lower case).
    std::optional<std::string> find(const std::string& name, const std::vector<std::string>& choices) {
        known_.insert(name);
        auto it = words_.find(name);
        if (it == words_.end()) return std::nullopt;
        for (const auto& c : choices)
            if (c == it->second) return it->second;
        throw DeviceError(where_, name,
                          fmt::format("{}: parameter '{}' must be one of {}, got '{}'", what_, name,
                                      fmt::join(choices, ", "), it->second));
    }

    /// Throws DeviceError for the first word nobody asked for.
    void reject_unknown() const {
        for (const auto& [name, value] : words_)
            if (!known_.count(name))
                throw DeviceError(where_, name, fmt::format("{}: unknown parameter '{}' (= '{}')", what_, name, value));
    }

private:
    const std::map<std::string, std::string>& words_;
    DeviceError::Where where_;
    std::string what_;
    std::set<std::string> known_;
};

}  // namespace ionspice::models
