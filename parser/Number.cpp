#include "parser/Number.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

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

bool scan_number(const char*& p, const char* end, double& value, bool* overflow) {
    if (p == end) return false;
    if (!is_digit(*p) && !(*p == '.' && p + 1 != end && is_digit(p[1]))) return false;

    // Mantissa and exponent are scanned here and the scale suffix is folded into the decimal
    // exponent, so that "3n" reads as exactly the double nearest 3e-9 (as the literal does)
    // rather than 3 * 1e-9.
    const char* s = p;
    while (s != end && is_digit(*s)) ++s;
    if (s != end && *s == '.') {
        ++s;
        while (s != end && is_digit(*s)) ++s;
    }
    const char* mantissa_end = s;
    long exponent = 0;
    if (s != end && (*s == 'e' || *s == 'E')) {
        const char* e = s + 1;
        bool negative = false;
        if (e != end && (*e == '+' || *e == '-')) negative = *e++ == '-';
        if (e != end && is_digit(*e)) {
            while (e != end && is_digit(*e)) {
                if (exponent < 100000) exponent = exponent * 10 + (*e - '0');
                ++e;
            }
            if (negative) exponent = -exponent;
            s = e;
        }
    }
    int shift = 0;
    bool mil = false;
    if (starts_with_ci(s, end, "meg")) {
        shift = 6;
        s += 3;
    } else if (end - s >= 2 && s[0] == '\xC2' && s[1] == '\xB5') {
        shift = -6;  // µ, the micro sign in UTF-8, as ngspice reads it
        s += 2;
    } else if (s != end && *s == '\xB5') {
        shift = -6;  // µ in Latin-1
        s += 1;
    } else if (starts_with_ci(s, end, "mil")) {
        mil = true;
        s += 3;
    } else if (s != end) {
        switch (lower(*s)) {
        case 'f': shift = -15; break;
        case 'p': shift = -12; break;
        case 'n': shift = -9; break;
        case 'u': shift = -6; break;
        case 'm': shift = -3; break;
        case 'k': shift = 3; break;
        case 'g': shift = 9; break;
        case 't': shift = 12; break;
        case 'a': shift = -18; break;
        default: break;
        }
        if (shift != 0) ++s;
    }
    while (s != end && is_letter(*s)) ++s;

    char buf[96];
    const auto digits = static_cast<std::size_t>(mantissa_end - p);
    double v = 0;
    if (digits + 16 <= sizeof buf) {
        std::memcpy(buf, p, digits);
        buf[digits] = 'e';
        auto [q, ec1] = std::to_chars(buf + digits + 1, buf + sizeof buf, exponent + shift);
        auto [r, ec] = std::from_chars(buf, q, v, std::chars_format::general);
        if (ec == std::errc::result_out_of_range) {
            if (exponent + shift > 0) {  // overflow: not a usable number
                if (overflow) *overflow = true;
                return false;
            }
            v = 0;
        } else if (ec != std::errc()) {
            return false;
        }
    } else {
        // Absurdly long mantissas: exactness no longer matters.
        auto [r, ec] = std::from_chars(p, mantissa_end, v, std::chars_format::fixed);
        if (ec != std::errc()) return false;
        v *= std::pow(10.0, static_cast<double>(exponent + shift));
        if (!std::isfinite(v)) {
            if (overflow) *overflow = true;
            return false;
        }
    }
    if (mil) v *= 25.4e-6;
    value = v;
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

std::string number_too_large(std::string_view text) {
    return "number '" + std::string(text) + "' is too large for a double (at most 1.8e308)";
}

bool overflows(std::string_view text) {
    const char* p = text.data();
    const char* end = p + text.size();
    if (p != end && (*p == '+' || *p == '-')) ++p;
    double v = 0;
    bool overflow = false;
    return !scan_number(p, end, v, &overflow) && overflow;
}

bool looks_numeric(std::string_view text) {
    std::size_t i = 0;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (i >= text.size()) return false;
    return is_digit(text[i]) || text[i] == '.';
}

}  // namespace ionspice::parser
