#include "parser/SourceFiles.hpp"

#include "parser/BulkMemory.hpp"

namespace ionspice::parser {

std::uint32_t SourceFiles::add(std::string path, std::string_view content) {
    auto f = std::make_shared<FileText>();
    f->path = std::move(path);
    if (content.size() >= 3 && content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
    std::size_t lines = 0;
    for (char c : content) lines += (c == '\n');
    f->lines.reserve(lines + 1);
    prefault(f->lines.data(), f->lines.capacity() * sizeof(std::string));
    std::size_t pos = 0;
    while (pos < content.size()) {
        std::size_t nl = content.find('\n', pos);
        std::size_t end = (nl == std::string_view::npos) ? content.size() : nl;
        std::size_t len = end - pos;
        if (len > 0 && content[pos + len - 1] == '\r') --len;
        f->lines.emplace_back(content.substr(pos, len));
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    files_.push_back(std::move(f));
    return static_cast<std::uint32_t>(files_.size() - 1);
}

SourceLoc SourceFiles::at(Loc loc) const {
    SourceLoc s;
    if (loc.line == 0 || loc.file >= files_.size()) return s;
    const auto& f = files_[loc.file];
    s.file = std::shared_ptr<const std::string>(f, &f->path);
    if (loc.line <= f->lines.size())
        s.text = std::shared_ptr<const std::string>(f, &f->lines[loc.line - 1]);
    s.line = static_cast<int>(loc.line);
    s.col = static_cast<int>(loc.col);
    return s;
}

void SourceFiles::fail(Loc loc, const std::string& message) const {
    throw NetlistError(at(loc), message);
}

}  // namespace ionspice::parser
