#pragma once
// Reading the one main value of an element card (R, C, L, controlled-source gain), which may be
// written positionally (`R1 a b 1k`) or by name (`R1 a b r=1k`).

#include <fmt/format.h>

#include <cmath>
#include <initializer_list>
#include <optional>
#include <string>

#include "models/Device.hpp"
#include "models/ParamReader.hpp"
#include "models/Subject.hpp"

namespace ionspice::models {

/// The first positional value, or the first of `names` that is written. `what` names the element
/// in messages ("resistor r1"), `quantity` the value ("resistance"). Throws DeviceError when the
/// value is missing, written twice, not finite, or followed by extra positional values.
inline double main_value(const InstanceCard& card, ParamReader& params, std::initializer_list<const char*> names,
                         const Subject& what, const std::string& quantity) {
    if (card.values.size() > 1)
        throw DeviceError(DeviceError::Where::Value, "1",
                          fmt::format("{}: unexpected value {:g} after the {}", what, card.values[1], quantity));
    std::optional<double> value;
    std::string source;
    if (!card.values.empty()) {
        value = card.values[0];
        source = "0";
    }
    for (const char* n : names) {
        if (card.defaulted.count(n)) continue;
        auto v = params.find(n);
        if (!v) continue;
        if (value)
            throw DeviceError(DeviceError::Where::Instance, n,
                              fmt::format("{}: {} given twice (parameter '{}')", what, quantity, n));
        value = v;
        source = n;
    }
    // A model line's default, when the instance gave no value of its own (read either way, so
    // that it does not count as unknown).
    for (const char* n : names)
        if (card.defaulted.count(n))
            if (auto v = params.find(n); v && !value) {
                value = v;
                source = n;
            }
    if (!value) throw DeviceError(DeviceError::Where::Value, "", fmt::format("{}: {} missing", what, quantity));
    if (!std::isfinite(*value)) {
        auto where = source == "0" ? DeviceError::Where::Value : DeviceError::Where::Instance;
        throw DeviceError(where, source, fmt::format("{}: {} is not a finite number", what, quantity));
    }
    return *value;
}

/// Where a main value came from, for error messages about its range: positional index "0" or the
/// parameter name.
inline DeviceError value_error(const InstanceCard& card, std::initializer_list<const char*> names,
                               const std::string& message) {
    if (!card.values.empty()) return DeviceError(DeviceError::Where::Value, "0", message);
    for (const char* n : names)
        if (card.params.count(n)) return DeviceError(DeviceError::Where::Instance, n, message);
    return DeviceError(DeviceError::Where::Value, "", message);
}

/// Checks the shape of a card whose device takes a fixed number of nodes and no positional
/// values: `terminals` names them for the message ("drain gate source bulk").
inline void require_terminals(const InstanceCard& card, std::size_t count, const char* terminals,
                              const Subject& what) {
    if (card.nodes.size() != count)
        throw DeviceError(DeviceError::Where::Instance, "",
                          fmt::format("{}: needs {} nodes ({}), got {}", what, count, terminals, card.nodes.size()));
    if (!card.values.empty())
        throw DeviceError(DeviceError::Where::Value, "0", fmt::format("{}: unexpected value {:g}", what, card.values[0]));
}

/// The `off` keyword (start the device's junctions at zero, as SPICE does); any other bare
/// keyword is an error.
inline bool read_off_flag(const InstanceCard& card, const Subject& what) {
    bool off = false;
    for (const auto& f : card.flags) {
        if (f != "off")
            throw DeviceError(DeviceError::Where::Instance, f, fmt::format("{}: unknown flag '{}'", what, f));
        off = true;
    }
    return off;
}

/// Rejects bare keywords on a card that takes none.
inline void reject_flags(const InstanceCard& card, const Subject& what) {
    if (!card.flags.empty())
        throw DeviceError(DeviceError::Where::Instance, card.flags[0],
                          fmt::format("{}: unknown flag '{}'", what, card.flags[0]));
}

}  // namespace ionspice::models
