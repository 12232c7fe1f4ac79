#pragma once
// One card as the card parser sees it: continuation lines joined, comments removed, and a map
// from every character back to its physical line and column.

#include <cstdint>
#include <string_view>

#include "parser/SourceFiles.hpp"

namespace ionspice::parser {

/// Where one physical line's text starts inside a logical line.
struct Segment {
    std::uint32_t offset = 0;  ///< in the logical text
    std::uint32_t line = 0;    ///< physical line, 1-based
    std::uint32_t col = 0;     ///< column of the character at `offset`, 1-based
};

struct LogicalLine {
    std::string_view text;
    std::uint32_t file = 0;
    const Segment* segments = nullptr;  ///< at least one, ascending offsets
    std::uint32_t segment_count = 0;

    Loc loc_at(std::size_t offset) const {
        std::uint32_t i = segment_count - 1;
        while (i > 0 && segments[i].offset > offset) --i;
        const Segment& s = segments[i];
        return Loc{file, s.line, s.col + static_cast<std::uint32_t>(offset - s.offset)};
    }
    Loc loc_at(const char* p) const { return loc_at(static_cast<std::size_t>(p - text.data())); }
};

}  // namespace ionspice::parser
