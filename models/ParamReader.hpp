#pragma once
// Reads a card's name=value parameters with defaults and range checks, and reports the ones no
// device asked for ("unknown parameter"), so a typo never passes silently.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/Device.hpp"
#include "models/Subject.hpp"

namespace ionspice::models {

class ParamReader {
public:
    ParamReader(const std::map<std::string, double>& params, DeviceError::Where where, Subject what)
        : params_(params), where_(where), what_(std::move(what)) {}
    /// A model card's parameters; its notes collect what is accepted without effect.
    ParamReader(const ModelCard& card, std::string what)
        : params_(card.params), where_(DeviceError::Where::Model), what_(std::move(what)), notes_(&card.notes) {}
    /// An instance's parameters, likewise.
    ParamReader(const InstanceCard& card, Subject what)
        : params_(card.params), where_(DeviceError::Where::Instance), what_(std::move(what)), notes_(&card.notes) {}

    /// The value if written (and marks it known).
    std::optional<double> find(std::string_view name);
    double get(std::string_view name, double fallback) { return find(name).value_or(fallback); }
    /// Marks names another part of the program reads (`level`, picked by the registry), or
    /// whose written value is the only one accepted and changes nothing: no note.
    void ignore(std::initializer_list<const char*> names);
    /// Names accepted for ngspice's decks that ionspice does not act on: each one written
    /// becomes a note (a warning at it), `why` saying why it has no effect.
    void unused(std::initializer_list<const char*> names, std::string_view why);
    /// A note on `name`, when written: it has no effect here, `why`.
    void note(std::string_view name, std::string_view why);

    /// Throws unless lo < v (or lo <= v with inclusive) — message names `what` and the parameter.
    double positive(std::string_view name, double fallback);
    double non_negative(std::string_view name, double fallback);
    [[noreturn]] void fail(const std::string& name, const std::string& message) const;

    /// Throws DeviceError for the first parameter nobody asked for.
    void reject_unknown() const;

private:
    void mark(const std::string& key);

    const std::map<std::string, double>& params_;
    DeviceError::Where where_;
    Subject what_;
    /// The written parameters something asked for (their keys in params_): reject_unknown
    /// reports the others. A card has a few; most have none, and then nothing is recorded.
    std::vector<const std::string*> known_;
    std::vector<ParamNote>* notes_ = nullptr;  ///< the card's, when read from a card
};

}  // namespace ionspice::models
