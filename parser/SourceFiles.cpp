#include "parser/SourceFiles.hpp"

namespace ionspice::parser {

std::uint32_t SourceFiles::add(std::string path, std::string_view content) {
    files_.push_back(std::make_shared<const FileText>(std::move(path), content));
    return static_cast<std::uint32_t>(files_.size() - 1);
}

SourceLoc SourceFiles::at(Loc loc) const {
    SourceLoc s;
    if (loc.line == 0 || loc.file >= files_.size()) return s;
    s.source = files_[loc.file];
    s.line = static_cast<int>(loc.line);
    s.col = static_cast<int>(loc.col);
    return s;
}

void SourceFiles::fail(Loc loc, const std::string& message) const {
    throw NetlistError(at(loc), message);
}

}  // namespace ionspice::parser
