#include "parser/Number.hpp"

#include <charconv>

namespace ionspice::parser {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_ci(const char* p, const char* end, std::string_view word) {
    if (static_cast<std::size_t>(end - p) < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i)
        if (lower(p[i]) != word[i]) return false;
    return true;
}

}  // namespace

bool scan_number(const char*& p, const char* end, double& value) {
    if (p == end) return false;
    if (!is_digit(*p) && !(*p == '.' && p + 1 != end && is_digit(p[1]))) return false;
    double v = 0;
    // from_chars rounds correctly, so "0.1" here equals the literal 0.1 in C++.
    auto [q, ec] = std::from_chars(p, end, v, std::chars_format::general);
    if (ec != std::errc()) {
        if (ec != std::errc::result_out_of_range) return false;
        v = 0;  // underflow to zero or overflow: let the caller's finiteness checks decide
    }
    const char* s = q;
    double scale = 1;
    if (starts_with_ci(s, end, "meg")) {
        scale = 1e6;
        s += 3;
    } else if (starts_with_ci(s, end, "mil")) {
        scale = 25.4e-6;
        s += 3;
    } else if (s != end) {
        switch (lower(*s)) {
        case 'f': scale = 1e-15; break;
        case 'p': scale = 1e-12; break;
        case 'n': scale = 1e-9; break;
        case 'u': scale = 1e-6; break;
        case 'm': scale = 1e-3; break;
        case 'k': scale = 1e3; break;
        case 'g': scale = 1e9; break;
        case 't': scale = 1e12; break;
        case 'a': scale = 1e-18; break;
        default: break;
        }
        if (scale != 1) ++s;
    }
    while (s != end && is_letter(*s)) ++s;
    value = v * scale;
    p = s;
    return true;
}

std::optional<double> parse_number(std::string_view text) {
    const char* p = text.data();
    const char* end = p + text.size();
    double sign = 1;
    if (p != end && (*p == '+' || *p == '-')) {
        if (*p == '-') sign = -1;
        ++p;
    }
    double v = 0;
    if (!scan_number(p, end, v) || p != end) return std::nullopt;
    return sign * v;
}

bool looks_numeric(std::string_view text) {
    std::size_t i = 0;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (i >= text.size()) return false;
    return is_digit(text[i]) || text[i] == '.';
}

}  // namespace ionspice::parser
