#pragma once
// Physical lines to logical lines: the title, `*` comments, inline `;` and `$ ` comments,
// `+` continuations, `.control`/`.endc` blocks (ngspice scripts, handed over line by line), `.end`, `.include`,
// and `.lib` (both the `.lib FILE SECTION` call and the `.lib SECTION ... .endl` block).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parser/LogicalLine.hpp"

namespace ionspice::parser {

/// `.include`/`.lib` files nested inside each other, at most (C compilers allow about 200).
inline constexpr std::size_t kMaxIncludeNesting = 200;

/// Receives every logical line that is a card (includes already expanded).
class CardSink {
public:
    virtual ~CardSink() = default;
    virtual void card(const LogicalLine& line) = 0;
    /// The number of physical lines of the top file, before its cards arrive (a size hint).
    virtual void expect_lines(std::size_t) {}
    /// One line of a `.control … .endc` block (ngspice's script language), as written from its
    /// first non-blank character; comment lines are left out.
    virtual void control(std::string_view /*text*/, Loc /*at*/) {}
};

class LineReader {
public:
    LineReader(SourceFiles& files, CardSink& sink) : files_(files), sink_(sink) {}

    /// Reads a netlist file; its first line is the title.
    void read_file(const std::string& path);
    /// The same for text in memory; `name` stands for the file in diagnostics and includes
    /// are resolved relative to its directory.
    void read_text(std::string_view text, const std::string& name);

    const std::string& title() const { return title_; }

private:
    void read(std::uint32_t file, bool top, std::string_view section, Loc called_at);
    void dispatch(const LogicalLine& line);
    void include(const LogicalLine& line, std::size_t after_keyword, bool library);
    std::uint32_t load(const std::string& path, const std::string& key, Loc at, const std::string& what,
                       const std::string& as_written);

    SourceFiles& files_;
    CardSink& sink_;
    std::string title_;
    struct Loaded {
        std::string key;
        std::uint32_t id;
    };
    std::vector<Loaded> loaded_;
    /// Files (and library sections) being read, innermost last: a repeat is a recursion.
    std::vector<std::string> active_;
};

}  // namespace ionspice::parser
