#pragma once
// Small helpers shared by the parser tests: parse text, find things, capture diagnostics.

#include <doctest/doctest.h>

#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "parser/Netlist.hpp"

namespace ptest {

using namespace ionspice::parser;

inline Netlist flat(std::string_view text, const std::map<std::string, double>& overrides = {}) {
    return elaborate(parse_deck(text, "t.cir"), overrides);
}

inline const Element& element(const Netlist& n, std::string_view name) {
    for (const auto& e : n.elements)
        if (e.name == name) return e;
    throw std::runtime_error("no element " + std::string(name));
}

inline bool has_element(const Netlist& n, std::string_view name) {
    for (const auto& e : n.elements)
        if (e.name == name) return true;
    return false;
}

inline const Model& model(const Netlist& n, std::string_view name) {
    for (const auto& m : n.models)
        if (m.name == name) return m;
    throw std::runtime_error("no model " + std::string(name));
}

inline double param(const Netlist& n, std::string_view name) {
    for (const auto& p : n.params)
        if (p.name == name) return p.value;
    throw std::runtime_error("no param " + std::string(name));
}

inline double named(std::span<const Param> ps, std::string_view name) {
    for (const auto& p : ps)
        if (p.name == name) return p.value;
    throw std::runtime_error("no parameter " + std::string(name));
}

/// The value of `.param x = <expr>` in an otherwise empty deck.
inline double eval(std::string_view expr) {
    return param(flat("title\n.param x = " + std::string(expr) + "\n"), "x");
}

/// The error a deck raises (from reading or elaborating); fails the test if there is none.
inline NetlistError error_of(std::string_view text) {
    try {
        flat(text);
    } catch (const NetlistError& e) {
        return e;
    }
    FAIL("no error raised for:\n" << text);
    throw std::logic_error("unreachable");
}

/// The error reading and elaborating a file raises.
inline NetlistError error_of_file(const std::string& path) {
    try {
        elaborate(read_deck(path));
    } catch (const NetlistError& e) {
        return e;
    }
    FAIL("no error raised for " << path);
    throw std::logic_error("unreachable");
}

/// Checks line, column, the `file:line:col: error:` prefix, the echoed line and the caret.
inline void check_error_at(const NetlistError& e, int line, int col, std::string_view message_part) {
    CHECK(e.loc().line == line);
    CHECK(e.loc().col == col);
    std::string what = e.what();
    std::string prefix = (e.loc().source ? std::string(e.loc().file()) : std::string("?")) + ":" + std::to_string(line) + ":" +
                         std::to_string(col) + ": error: ";
    CHECK_MESSAGE(what.rfind(prefix, 0) == 0, what);
    CHECK_MESSAGE(e.message().find(message_part) != std::string::npos, "message: " << e.message());
    // Third line: spaces (or tabs) up to the column, then the caret.
    auto first_nl = what.find('\n');
    auto second_nl = first_nl == std::string::npos ? first_nl : what.find('\n', first_nl + 1);
    REQUIRE_MESSAGE(second_nl != std::string::npos, what);
    std::string caret = what.substr(second_nl + 1);
    CHECK_MESSAGE(caret.size() == static_cast<std::size_t>(col), what);
    CHECK_MESSAGE(caret.back() == '^', what);
    if (!e.loc().text().empty()) CHECK(what.substr(first_nl + 1, second_nl - first_nl - 1) == e.loc().text());
}

inline void check_error(std::string_view text, int line, int col, std::string_view message_part) {
    check_error_at(error_of(text), line, col, message_part);
}

}  // namespace ptest
