#pragma once
// Who a device's messages are about: "resistor r1", "MOSFET model nch". An instance's is two
// views, formatted only when a message is made: binding an array of a million resistors then
// formats and allocates nothing for messages it never writes. A model's, made once per model
// line, may be any text.

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>

namespace ionspice::models {

class Subject {
public:
    /// `kind name`: both must outlive the subject (a literal and the card's name).
    Subject(std::string_view kind, std::string_view name) : kind_(kind), name_(name) {}
    /// Any text, owned.
    Subject(std::string text) : text_(std::move(text)), owned_(true) {}  // NOLINT: any text converts
    Subject(const char* text) : Subject(std::string(text)) {}            // NOLINT: and a literal

    std::string str() const { return owned_ ? text_ : fmt::format("{} {}", kind_, name_); }

private:
    std::string text_;
    std::string_view kind_, name_;
    bool owned_ = false;
};

}  // namespace ionspice::models

template <>
struct fmt::formatter<ionspice::models::Subject> : fmt::formatter<std::string> {
    template <class Context>
    auto format(const ionspice::models::Subject& s, Context& ctx) const {
        return fmt::formatter<std::string>::format(s.str(), ctx);
    }
};
