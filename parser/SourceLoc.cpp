#include "parser/SourceLoc.hpp"

#include "parser/BulkMemory.hpp"

namespace ionspice::parser {

FileText::FileText(std::string p, std::string_view text) : path(std::move(p)) {
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    content.assign(text);
    std::size_t lines = 0;
    for (char c : content) lines += (c == '\n');
    starts.reserve(lines + 1);
    prefault(starts.data(), starts.capacity() * sizeof(std::size_t));
    // A file that ends with a line end has no empty line after it.
    for (std::size_t pos = 0; pos < content.size();) {
        starts.push_back(pos);
        const std::size_t nl = content.find('\n', pos);
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
}

std::string_view FileText::line(std::size_t k) const {
    const std::size_t begin = starts[k];
    std::size_t end = k + 1 < starts.size() ? starts[k + 1] : content.size();
    if (end > begin && content[end - 1] == '\n') --end;
    if (end > begin && content[end - 1] == '\r') --end;
    return std::string_view(content).substr(begin, end - begin);
}

std::string format_diagnostic(const SourceLoc& loc, const std::string& message,
                              const char* severity) {
    std::string out;
    if (loc.source) {
        out += loc.file();
        if (loc.known()) {
            out += ':';
            out += std::to_string(loc.line);
            out += ':';
            out += std::to_string(loc.col);
        }
        out += ": ";
    } else {
        // Nowhere in a file to point at: say who is speaking, as command-line tools do.
        out += "ionspice: ";
    }
    out += severity;
    out += ": ";
    out += message;
    if (loc.has_text()) {
        const std::string_view text = loc.text();
        out += '\n';
        out += text;
        out += '\n';
        // Copy tabs from the line so the caret lines up whatever the reader's tab width.
        for (int i = 0; i + 1 < loc.col; ++i)
            out += (static_cast<std::size_t>(i) < text.size() && text[i] == '\t') ? '\t' : ' ';
        out += '^';
    }
    return out;
}

}  // namespace ionspice::parser
