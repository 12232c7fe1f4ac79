#include "parser/SourceLoc.hpp"

namespace ionspice::parser {

std::string format_diagnostic(const SourceLoc& loc, const std::string& message,
                              const char* severity) {
    std::string out;
    if (loc.file) {
        out += *loc.file;
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
    if (loc.known() && loc.text) {
        const std::string& text = *loc.text;
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
