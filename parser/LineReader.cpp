#include "parser/LineReader.hpp"

#include <cctype>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "parser/CardTokenizer.hpp"

namespace ionspice::parser {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// The word starting at `p`, lower-cased, if it is a dot command (empty otherwise).
std::string dot_word(std::string_view s, std::size_t p) {
    std::string w;
    if (p >= s.size() || s[p] != '.') return w;
    for (std::size_t i = p; i < s.size() && !is_blank(s[i]); ++i) w += lower(s[i]);
    return w;
}

/// Length of `s` before an inline comment: ';' anywhere, '$' before a blank or the line end,
/// neither inside quotes or braces. Trailing blanks are dropped too.
std::size_t code_length(std::string_view s) {
    int braces = 0;
    char quote = 0;
    std::size_t n = s.size();
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quote != 0) {
            if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '{') {
            ++braces;
        } else if (c == '}') {
            if (braces > 0) --braces;
        } else if (braces == 0 && (c == ';' || (c == '$' && (i + 1 == s.size() || is_blank(s[i + 1]))))) {
            n = i;
            break;
        }
    }
    while (n > 0 && is_blank(s[n - 1])) --n;
    return n;
}

/// A file's bytes, mapped when possible: a mapping needs no zero-filled copy of a 20 MB netlist.
class FileBytes {
public:
    explicit FileBytes(const std::string& path) {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return;
        struct stat st {};
        if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
            ::close(fd);
            return;
        }
        if (S_ISREG(st.st_mode) && st.st_size > 0) {
            void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
            if (p != MAP_FAILED) {
                map_ = p;
                size_ = static_cast<std::size_t>(st.st_size);
                ok_ = true;
                ::close(fd);
                return;
            }
        }
        // Pipes, empty files, or no mapping: read it.
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0) {
                ::close(fd);
                return;
            }
            if (n == 0) break;
            copy_.append(buf, static_cast<std::size_t>(n));
        }
        ::close(fd);
        ok_ = true;
    }
    FileBytes(const FileBytes&) = delete;
    FileBytes& operator=(const FileBytes&) = delete;
    ~FileBytes() {
        if (map_ != nullptr) ::munmap(map_, size_);
    }

    bool ok() const { return ok_; }
    std::string_view text() const {
        return map_ != nullptr ? std::string_view(static_cast<const char*>(map_), size_) : std::string_view(copy_);
    }

private:
    void* map_ = nullptr;
    std::size_t size_ = 0;
    std::string copy_;
    bool ok_ = false;
};

std::string canonical_key(const std::string& path) {
    std::error_code ec;
    auto p = std::filesystem::weakly_canonical(path, ec);
    return ec ? path : p.string();
}

}  // namespace

void LineReader::read_file(const std::string& path) {
    std::uint32_t id = 0;
    {
        FileBytes bytes(path);
        if (!bytes.ok()) throw NetlistError(SourceLoc{}, "cannot open netlist file '" + path + "'");
        id = files_.add(path, bytes.text());
    }
    std::string key = canonical_key(path);
    loaded_.push_back({key, id});
    active_.push_back(key);
    sink_.expect_lines(files_.file(id).line_count());
    read(id, true, {}, Loc{});
    active_.pop_back();
}

void LineReader::read_text(std::string_view text, const std::string& name) {
    std::uint32_t id = files_.add(name, text);
    active_.push_back(canonical_key(name));
    sink_.expect_lines(files_.file(id).line_count());
    read(id, true, {}, Loc{});
    active_.pop_back();
}

std::uint32_t LineReader::load(const std::string& path, const std::string& key, Loc at,
                               const std::string& what, const std::string& as_written) {
    for (const auto& l : loaded_)
        if (l.key == key) return l.id;
    FileBytes bytes(path);
    if (!bytes.ok()) files_.fail(at, "cannot open " + what + " '" + as_written + "'");
    std::uint32_t id = files_.add(path, bytes.text());
    loaded_.push_back({key, id});
    return id;
}

void LineReader::read(std::uint32_t file, bool top, std::string_view section, Loc called_at) {
    const FileText& text = files_.file(file);

    // The card being collected: a view into its physical line until a continuation forces a copy.
    std::string_view pending;
    bool have_pending = false;
    std::string joined;
    bool is_joined = false;
    std::vector<Segment> segments;

    auto flush = [&] {
        if (!have_pending) return;
        have_pending = false;
        LogicalLine line{pending, file, segments.data(), static_cast<std::uint32_t>(segments.size())};
        dispatch(line);
    };

    enum class Lib { None, Skipped, Selected };
    Lib lib = Lib::None;
    Loc lib_at;
    const bool filtering = !section.empty();
    bool found = false;
    bool in_control = false;
    std::string control_pending;  // a control line that a '+' line may still continue
    Loc control_at;
    auto flush_control = [&] {
        if (!control_pending.empty()) sink_.control(control_pending, control_at);
        control_pending.clear();
    };

    for (std::size_t i = 0; i < text.line_count(); ++i) {
        const std::string_view raw = text.line(i);
        const auto line_no = static_cast<std::uint32_t>(i + 1);
        if (top && i == 0) {
            title_ = raw;
            continue;
        }
        std::size_t p = 0;
        while (p < raw.size() && is_blank(raw[p])) ++p;
        if (p == raw.size()) continue;
        const char c = raw[p];
        if (in_control) {
            // ngspice's control language: its lines go to the script as written (the solver runs
            // them), comment lines aside.
            if (dot_word(raw, p) == ".endc") {
                flush_control();
                in_control = false;
                continue;
            }
            if (c == '*' || c == '#') continue;
            // Inline comments as on netlist lines (`;`, a `$` before a blank).
            std::string_view line = std::string_view(raw).substr(p);
            line = line.substr(0, code_length(line));
            while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
            if (c == '+') {
                // A continuation joins the line before it, as in the netlist.
                if (control_pending.empty())
                    files_.fail(Loc{file, line_no, static_cast<std::uint32_t>(p + 1)},
                                "a '+' continuation line with no control line before it");
                control_pending += " ";
                control_pending += line.substr(1);
                continue;
            }
            flush_control();
            if (line.empty()) continue;
            control_pending = std::string(line);
            control_at = Loc{file, line_no, static_cast<std::uint32_t>(p + 1)};
            continue;
        }
        if (c == '*') continue;

        bool skipping = lib == Lib::Skipped || (filtering && lib != Lib::Selected);
        if (c == '.') {
            std::string word = dot_word(raw, p);
            if (word == ".lib") {
                // One argument opens a section; two call a section of another file.
                Segment seg{0, line_no, 1};
                LogicalLine phys{std::string_view(raw).substr(0, code_length(raw)), file, &seg, 1};
                std::vector<Token> toks;
                tokenize(phys, p + word.size(), files_, toks);
                if (toks.size() == 1) {
                    flush();
                    Loc at{file, line_no, static_cast<std::uint32_t>(p + 1)};
                    if (lib != Lib::None) files_.fail(at, "'.lib' section inside another '.lib' section");
                    std::string name(toks[0].text(phys));
                    for (char& ch : name) ch = lower(ch);
                    lib_at = at;
                    if (filtering && name == section) {
                        lib = Lib::Selected;
                        found = true;
                    } else {
                        lib = Lib::Skipped;
                    }
                    continue;
                }
                if (toks.empty())
                    files_.fail(Loc{file, line_no, static_cast<std::uint32_t>(p + 1)},
                                "'.lib' needs a section name, or a file and a section");
            } else if (word == ".endl") {
                flush();
                if (lib == Lib::None)
                    files_.fail(Loc{file, line_no, static_cast<std::uint32_t>(p + 1)},
                                "'.endl' without '.lib'");
                lib = Lib::None;
                continue;
            }
            if (skipping) continue;
            if (word == ".control") {
                flush();
                in_control = true;
                continue;
            }
            if (word == ".endc") {
                flush();
                continue;
            }
            if (word == ".end") {
                flush();
                break;
            }
        } else if (skipping) {
            continue;
        }

        std::string_view code = std::string_view(raw).substr(0, code_length(raw));
        if (c == '+') {
            std::size_t q = p + 1;
            while (q < code.size() && is_blank(code[q])) ++q;
            if (!have_pending)
                files_.fail(Loc{file, line_no, static_cast<std::uint32_t>(p + 1)},
                            "continuation line without a card to continue");
            if (q >= code.size()) continue;
            if (!is_joined) {
                joined.assign(pending);
                is_joined = true;
            }
            joined += ' ';
            segments.push_back(Segment{static_cast<std::uint32_t>(joined.size()), line_no,
                                       static_cast<std::uint32_t>(q + 1)});
            joined.append(code.substr(q));
            pending = joined;
            continue;
        }
        if (p >= code.size()) continue;  // only a comment
        flush();
        pending = code.substr(p);
        have_pending = true;
        is_joined = false;
        segments.clear();
        segments.push_back(Segment{0, line_no, static_cast<std::uint32_t>(p + 1)});
    }
    flush();
    if (lib != Lib::None)
        files_.fail(lib_at, "'.lib' section without '.endl' (to read a library, write '.lib FILE SECTION')");
    if (filtering && !found)
        files_.fail(called_at, "section '" + std::string(section) + "' not found in '" + text.path + "'");
}

void LineReader::dispatch(const LogicalLine& line) {
    std::string word = dot_word(line.text, 0);
    if (word == ".include" || word == ".inc")
        include(line, word.size(), false);
    else if (word == ".lib")
        include(line, word.size(), true);
    else
        sink_.card(line);
}

void LineReader::include(const LogicalLine& line, std::size_t after_keyword, bool library) {
    const Loc at = line.loc_at(std::size_t{0});
    std::vector<Token> toks;
    tokenize(line, after_keyword, files_, toks);
    if (toks.empty() || toks[0].kind == Token::Kind::Equals || toks[0].kind == Token::Kind::LParen ||
        toks[0].kind == Token::Kind::RParen || toks[0].kind == Token::Kind::Comma)
        files_.fail(at, library ? "'.lib' needs a file name and a section" : "'.include' needs a file name");
    if (library && toks.size() != 2) files_.fail(at, "'.lib' needs a file name and a section");
    if (!library && toks.size() != 1)
        files_.fail(line.loc_at(toks[1].pos), "unexpected text after the file name");

    std::string as_written(toks[0].text(line));
    std::filesystem::path p(as_written);
    if (p.is_relative()) p = std::filesystem::path(files_.file(line.file).path).parent_path() / p;
    std::string path = p.lexically_normal().string();
    std::string key = canonical_key(path);

    std::string section;
    if (library) {
        section = std::string(toks[1].text(line));
        for (char& ch : section) ch = lower(ch);
    }
    std::string active_key = library ? key + "\n" + section : key;
    for (const auto& a : active_)
        if (a == active_key)
            files_.fail(at, library ? "library section '" + section + "' of '" + as_written + "' includes itself"
                                    : "'" + as_written + "' includes itself");
    // Reading recurses once per nested file.
    if (active_.size() >= kMaxIncludeNesting)
        files_.fail(at, "files included more than " + std::to_string(kMaxIncludeNesting) + " levels deep");
    std::uint32_t id = load(path, key, at, library ? "library file" : "include file", as_written);
    active_.push_back(active_key);
    read(id, false, section, at);
    active_.pop_back();
}

}  // namespace ionspice::parser
