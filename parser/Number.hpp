#pragma once
// SPICE numbers: a decimal mantissa, an optional scale suffix (f p n u m k meg g t mil, a for
// atto, and µ in UTF-8 or Latin-1 for u), then unit letters that are ignored ("10uF", "1kOhm",
// "5V"). Case-insensitive, so "1M" is a milli as in every SPICE.

#include <optional>
#include <string>
#include <string_view>

namespace ionspice::parser {

/// Scans an unsigned number starting at `p` (a digit, or '.' and a digit) with its suffix and
/// unit letters. On success advances `p` and returns true; otherwise leaves `p` alone, and sets
/// `*overflow` (when given) if the text was a number too large for a double.
bool scan_number(const char*& p, const char* end, double& value, bool* overflow = nullptr);

/// The message for a number too large for a double, wherever it is written.
std::string number_too_large(std::string_view text);

/// Whether `text` (optionally signed) is a number that only fails by being too large.
bool overflows(std::string_view text);

/// The whole text as one (optionally signed) number; nullopt when any of it is left over.
std::optional<double> parse_number(std::string_view text);

/// True when the text starts like a number (digit, '.', or a sign followed by either), so a
/// failure to read it all is a malformed number rather than a name.
bool looks_numeric(std::string_view text);

}  // namespace ionspice::parser
