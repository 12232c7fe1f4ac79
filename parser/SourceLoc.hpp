#pragma once
// Where a piece of netlist text came from, and the error type that carries it.
// Every AST node keeps one so that any later layer can point at the user's text.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ionspice::parser {

/// One file's text as read (a leading byte-order mark removed), with where each physical line
/// starts: one block for the whole file, so that a netlist of a million lines costs its bytes
/// and one offset per line rather than a string per line.
struct FileText {
    std::string path;     ///< as the user (or the including file) named it
    std::string content;  ///< the file's bytes
    std::vector<std::size_t> starts;  ///< line k (0-based) begins at starts[k]

    FileText(std::string path, std::string_view content);
    std::size_t line_count() const { return starts.size(); }
    /// Line k (0-based) without its line end (and a '\r' before it).
    std::string_view line(std::size_t k) const;
};

/// A position in a file: 24 bytes, sharing the file's text (which keeps the line for the caret).
struct SourceLoc {
    std::shared_ptr<const FileText> source;  ///< null: no file
    int line = 0;                            ///< 1-based; 0 = no location
    int col = 0;                             ///< 1-based

    bool known() const { return line > 0; }
    /// The path as the user named it; empty without a file.
    std::string_view file() const { return source ? std::string_view(source->path) : std::string_view(); }
    /// Whether the physical line is there to show (it may be empty).
    bool has_text() const { return source && known() && static_cast<std::size_t>(line) <= source->line_count(); }
    /// The physical line, for the caret; empty without one.
    std::string_view text() const {
        return has_text() ? source->line(static_cast<std::size_t>(line) - 1) : std::string_view();
    }
};

/// `file:line:col: error: message`, then the line and a caret under the column.
std::string format_diagnostic(const SourceLoc& loc, const std::string& message,
                              const char* severity = "error");

/// An error the user caused in the netlist. what() is the formatted diagnostic.
class NetlistError : public std::runtime_error {
public:
    NetlistError(const SourceLoc& loc, const std::string& message)
        : std::runtime_error(format_diagnostic(loc, message)), loc_(loc), message_(message) {}
    const SourceLoc& loc() const { return loc_; }
    const std::string& message() const { return message_; }

private:
    SourceLoc loc_;
    std::string message_;
};

}  // namespace ionspice::parser
