#pragma once
// The text of every file a deck was read from, kept once. Cards store compact `Loc`s into it;
// a full SourceLoc (one shared pointer to the file's text) is made only where the flat netlist
// or a diagnostic needs one.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parser/SourceLoc.hpp"

namespace ionspice::parser {

/// A position packed into 12 bytes; `line == 0` means unknown.
struct Loc {
    std::uint32_t file = 0;
    std::uint32_t line = 0;  ///< 1-based
    std::uint32_t col = 0;   ///< 1-based
};

class SourceFiles {
public:
    /// Keeps `content` with where its lines start; returns the file's id.
    std::uint32_t add(std::string path, std::string_view content);
    const FileText& file(std::uint32_t id) const { return *files_[id]; }
    std::size_t size() const { return files_.size(); }

    SourceLoc at(Loc loc) const;
    [[noreturn]] void fail(Loc loc, const std::string& message) const;

private:
    std::vector<std::shared_ptr<const FileText>> files_;
};

}  // namespace ionspice::parser
