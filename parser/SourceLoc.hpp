#pragma once
// Where a piece of netlist text came from, and the error type that carries it.
// Every AST node keeps one so that any later layer can point at the user's text.

#include <memory>
#include <stdexcept>
#include <string>

namespace ionspice::parser {

struct SourceLoc {
    std::shared_ptr<const std::string> file;  ///< path as the user named it
    std::shared_ptr<const std::string> text;  ///< the physical line, for the caret
    int line = 0;                             ///< 1-based; 0 = no location
    int col = 0;                              ///< 1-based

    bool known() const { return line > 0; }
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
