#pragma once
// Splits a logical line into tokens: words, `{...}` and `'...'` expressions, `"..."` strings,
// and the punctuation `=`, `(`, `)`, `,`. A word is anything else up to a blank or one of those.

#include <cstdint>
#include <string_view>
#include <vector>

#include "parser/LogicalLine.hpp"

namespace ionspice::parser {

struct Token {
    enum class Kind : std::uint8_t { Word, Expr, String, Equals, LParen, RParen, Comma };
    Kind kind = Kind::Word;
    std::uint32_t pos = 0;    ///< offset of the token's first character (the brace or quote)
    std::uint32_t begin = 0;  ///< offset of its content
    std::uint32_t end = 0;

    std::string_view text(const LogicalLine& line) const { return line.text.substr(begin, end - begin); }
    bool is_value() const { return kind == Kind::Word || kind == Kind::Expr; }
};

/// Appends the tokens of `line.text` from offset `from` to `out` (which is cleared first).
/// Throws NetlistError for an unclosed brace or quote.
void tokenize(const LogicalLine& line, std::size_t from, const SourceFiles& files, std::vector<Token>& out);

}  // namespace ionspice::parser
