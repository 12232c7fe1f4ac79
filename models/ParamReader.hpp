#pragma once
// Reads a card's name=value parameters with defaults and range checks, and reports the ones no
// device asked for ("unknown parameter"), so a typo never passes silently.

#include <map>
#include <optional>
#include <set>
#include <string>

#include "models/Device.hpp"

namespace ionspice::models {

class ParamReader {
public:
    ParamReader(const std::map<std::string, double>& params, DeviceError::Where where, std::string what)
        : params_(params), where_(where), what_(std::move(what)) {}

    /// The value if written (and marks it known).
    std::optional<double> find(const std::string& name);
    double get(const std::string& name, double fallback) { return find(name).value_or(fallback); }
    /// Marks names that are accepted but have no effect (ngspice compatibility).
    void ignore(std::initializer_list<const char*> names);

    /// Throws unless lo < v (or lo <= v with inclusive) — message names `what` and the parameter.
    double positive(const std::string& name, double fallback);
    double non_negative(const std::string& name, double fallback);
    [[noreturn]] void fail(const std::string& name, const std::string& message) const;

    /// Throws DeviceError for the first parameter nobody asked for.
    void reject_unknown() const;

private:
    const std::map<std::string, double>& params_;
    DeviceError::Where where_;
    std::string what_;
    std::set<std::string> known_;
};

}  // namespace ionspice::models
