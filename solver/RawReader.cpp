#include "solver/RawReader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "solver/OutputWriters.hpp"

namespace ionspice::solver {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string_view trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::vector<std::string_view> tokens(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t k = 0;
    while (true) {
        while (k < s.size() && is_space(s[k])) ++k;
        if (k == s.size()) return out;
        std::size_t b = k;
        while (k < s.size() && !is_space(s[k])) ++k;
        out.push_back(s.substr(b, k - b));
    }
}

/// A line of the file for an error message: binary junk would garble the terminal.
std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 60)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    if (s.size() > 60) out += "...";
    return out;
}

template <typename T>
bool parse_number(std::string_view s, T& value) {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);  // from_chars takes no '+'; C's strtod does
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    return !s.empty() && ec == std::errc{} && end == s.data() + s.size();
}

/// "3" or "3,4" (a `dims=` attribute): the number of values, their product.
bool parse_dims(std::string_view s, std::size_t& count) {
    count = 1;
    while (true) {
        auto comma = s.find(',');
        std::size_t d = 0;
        if (!parse_number(s.substr(0, comma), d)) return false;
        if (d != 0 && count > std::numeric_limits<std::size_t>::max() / d) return false;
        count *= d;
        if (comma == std::string_view::npos) return true;
        s.remove_prefix(comma + 1);
    }
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && lower(std::string(s.substr(0, prefix.size()))) == prefix;
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

/// A `stop` for decode_utf16 that no code unit equals: decode to the end.
constexpr char32_t kNoStop = 0x110000;

/// Decodes UTF-16LE from `s` at `k` up to the first code unit `stop` (consumed, not copied) or
/// the end (an odd last byte is dropped), appending UTF-8 to `out`; returns where it stopped.
/// A lone surrogate becomes U+FFFD.
std::size_t decode_utf16(std::string_view s, std::size_t k, char32_t stop, std::string& out) {
    auto unit = [&](std::size_t at) {
        return static_cast<char32_t>(static_cast<unsigned char>(s[at]) | (static_cast<unsigned char>(s[at + 1]) << 8));
    };
    while (k + 1 < s.size()) {
        char32_t c = unit(k);
        k += 2;
        if (c == stop) return k;
        if (c >= 0xD800 && c < 0xDC00 && k + 1 < s.size() && unit(k) >= 0xDC00 && unit(k) < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (unit(k) - 0xDC00);
            k += 2;
        } else if (c >= 0xD800 && c < 0xE000) {
            c = 0xFFFD;
        }
        append_utf8(out, c);
    }
    return s.size();
}

/// Does the text at `s` start in UTF-16LE? LTspice writes its headers so, with or without a
/// byte-order mark; the first character of a header line is never NUL in any 8-bit layout.
bool utf16_at(std::string_view s) {
    return s.size() >= 2 && ((s[0] == '\xFF' && s[1] == '\xFE') || (s[0] != '\0' && s[1] == '\0'));
}

/// Xyce names a plot of a `.step` run "Step Analysis: Step 2 of 3 params:  name = R1 value =
/// 2000  Transient Analysis", and an .ac plot inside a .dc sweep "DC Sweep: Step 1 of 2 params:
/// name = V1 value = 1  AC Analysis" (both prefixes may come together). Layout from Xyce's
/// src/IOInterfacePKG/N_IO_OutputterOverrideRaw.C, the writer of `Xyce -r`.
struct PlotName {
    std::string analysis;  ///< what is left: "Transient Analysis"
    std::vector<std::pair<std::string, double>> step;  ///< lower-case names: {"r1", 2000}
};

PlotName split_plotname(std::string_view name) {
    PlotName out;
    std::string_view rest = trim(name);
    while (starts_with_nocase(rest, "step analysis:") || starts_with_nocase(rest, "dc sweep:")) {
        const auto params = lower(std::string(rest)).find("params:");
        if (params == std::string::npos) break;
        rest = rest.substr(params + 7);
        const auto t = tokens(rest);
        std::size_t i = 0;
        double value = 0;
        while (i + 5 < t.size() && t[i] == "name" && t[i + 1] == "=" && t[i + 3] == "value" && t[i + 4] == "=" &&
               parse_number(t[i + 5], value)) {
            out.step.emplace_back(lower(std::string(t[i + 2])), value);
            i += 6;
        }
        rest = i < t.size() ? trim(rest.substr(static_cast<std::size_t>(t[i].data() - rest.data())))
                            : std::string_view{};
    }
    out.analysis = std::string(rest);
    return out;
}

class RawParser {
public:
    RawParser(std::string path, std::string data) : path_(std::move(path)), data_(std::move(data)) {}

    std::vector<Plot> plots() {
        std::vector<Plot> out;
        // As ngspice's reader, a plot without Title: or Date: lines has the previous plot's:
        // Xyce writes them once for all its plots.
        Plot previous;
        while (true) {
            skip_blank();
            if (at_end()) return out;
            Layout lay;
            Plot p = plot(previous, lay);
            previous.title = p.title;
            previous.date = p.date;
            if (lay.stepped && lay.ltspice) split_steps(std::move(p), out);
            else out.push_back(std::move(p));
        }
    }

private:
    struct Layout {
        std::size_t nvars = 0, npoints = 0;
        bool nvars_given = false, npoints_given = false, complex = false, padded = true;
        std::vector<std::size_t> length;  ///< values each variable has (dims=); npoints otherwise
        // LTspice: the flags only it writes, its Offset:/Backannotation: lines, its Command: line.
        bool ltspice_flags = false, ltspice_lines = false, command_given = false, command_ltspice = false;
        bool doubles = false, fastaccess = false, stepped = false;
        bool ltspice = false;  ///< decided at the data: LTspice's binary layout, not ngspice's
    };

    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error(fmt::format("'{}' is not a valid raw file: {}", path_, what));
    }
    [[noreturn]] void fail_in(const Plot& p, const std::string& what) const {
        fail(p.name.empty() ? what : fmt::format("plot '{}': {}", p.name, what));
    }

    bool at_end() const { return pos_ >= data_.size(); }

    /// The next header line. LTspice's UTF-16 lines are decoded to UTF-8; in 8-bit headers a NUL
    /// also ends a line, as Xyce's reference guide documents its binary header ("strings are null
    /// terminated rather than newline terminated"; Xyce 7's writer ends them with newlines).
    std::string_view next_line() {
        if (utf16_) {
            line_.clear();
            pos_ = decode_utf16(data_, pos_, U'\n', line_);
            return line_;
        }
        auto e = data_.find_first_of(std::string_view("\n\0", 2), pos_);
        if (e == std::string::npos) e = data_.size();
        std::string_view line(data_.data() + pos_, e - pos_);
        pos_ = std::min(data_.size(), e + 1);
        return line;
    }

    /// Blank lines and NUL bytes (a UTF-16 newline's second byte, Xyce's NUL-ended lines) before
    /// a plot.
    void skip_blank() {
        while (!at_end() && (is_space(data_[pos_]) || data_[pos_] == '\0')) ++pos_;
    }

    /// Decides the header's encoding at the start of a plot (each plot of a file may have its own:
    /// LTspice concatenates whole files) and steps over a byte-order mark.
    void start_header() {
        const std::string_view rest = std::string_view(data_).substr(pos_);
        utf16_ = utf16_at(rest);
        if (rest.starts_with("\xFF\xFE")) pos_ += 2;
        else if (rest.starts_with("\xEF\xBB\xBF")) pos_ += 3;
    }

    std::size_t header_count(const Plot& p, std::string_view key, std::string_view val) const {
        std::size_t n = 0;
        // ngspice pads "No. Points:" with blanks so that it can rewrite the count in place.
        if (!parse_number(trim(val), n)) fail_in(p, fmt::format("bad '{}:' line: '{}'", key, printable(val)));
        return n;
    }

    Plot plot(const Plot& previous, Layout& lay) {
        Plot p;
        p.title = previous.title;
        p.date = previous.date;
        bool named = false;
        start_header();
        while (true) {
            if (at_end()) fail_in(p, "the header ends without Binary: or Values:");
            std::string_view line = next_line();
            if (trim(line).empty()) continue;
            auto colon = line.find(':');
            if (colon == std::string_view::npos) fail(fmt::format("unexpected line '{}'", printable(trim(line))));
            const std::string key = lower(std::string(trim(line.substr(0, colon))));
            const std::string_view val = trim(line.substr(colon + 1));
            if (key == "title") {
                p.title = std::string(val);
            } else if (key == "date") {
                p.date = std::string(val);
            } else if (key == "plotname") {
                if (named) fail_in(p, "no Binary: or Values: before the next Plotname:");
                p.name = std::string(val);
                named = true;
            } else if (key == "flags") {
                // ngspice writes real/complex and padded/unpadded; LTspice adds forward, log
                // (how to draw it), stepped, fastaccess and double, which only LTspice writes.
                for (auto t : tokens(val)) {
                    const std::string f = lower(std::string(t));
                    if (f == "complex") lay.complex = true;
                    else if (f == "real") lay.complex = false;
                    else if (f == "unpadded") lay.padded = false;
                    else if (f == "padded") lay.padded = true;
                    else if (f == "double") lay.doubles = lay.ltspice_flags = true;
                    else if (f == "fastaccess") lay.fastaccess = lay.ltspice_flags = true;
                    else if (f == "stepped") lay.stepped = lay.ltspice_flags = true;
                    else if (f == "forward" || f == "log") lay.ltspice_flags = true;
                }
            } else if (key == "no. variables") {
                lay.nvars = header_count(p, "No. Variables", val);
                lay.nvars_given = true;
            } else if (key == "no. points") {
                lay.npoints = header_count(p, "No. Points", val);
                lay.npoints_given = true;
            } else if (key == "command") {
                // LTspice: "Linear Technology Corporation LTspice XVII", "LTspice 24.0.12 for
                // Windows"; ngspice's write command: "version 39".
                const std::string c = lower(std::string(val));
                lay.command_given = true;
                lay.command_ltspice =
                    c.find("ltspice") != std::string::npos || c.find("linear technology") != std::string::npos;
            } else if (key == "offset" || key == "backannotation") {
                lay.ltspice_lines = true;
            } else if (key == "variables") {
                variables(p, lay, val);
            } else if (key == "binary" || key == "values") {
                if (!lay.npoints_given) fail_in(p, "no 'No. Points:' line before the data");
                if (p.variables.empty()) fail_in(p, "no Variables: section before the data");
                p.kind = lay.complex ? Plot::Kind::Complex : Plot::Kind::Real;
                // A UTF-16 header is LTspice's; so is a Command: line naming it. Without one,
                // LTspice's own flags or lines tell (ngspice's and Xyce's files have neither).
                lay.ltspice = utf16_ || lay.command_ltspice ||
                              (!lay.command_given && (lay.ltspice_flags || lay.ltspice_lines));
                if (key == "binary") {
                    binary_values(p, lay);
                } else {
                    ascii_values(p, lay);
                }
                // LTspice's compressed transients store some times negative, the sign bit a
                // flag of its own.
                if (lay.ltspice && !p.is_complex() && p.variables[0].type == "time")
                    for (std::size_t k = 0; k < p.values.size(); k += p.variables.size())
                        p.values[k] = std::fabs(p.values[k]);
                break;
            }
            // Any other line ("Option:", "Dimensions:", Xyce's "Version:", other programs'
            // additions) does not change how the values are laid out.
        }
        const PlotName name = split_plotname(p.name);
        const std::string n = lower(name.analysis);
        p.step = name.step.empty() ? step_from_title(p.title) : name.step;
        p.analysis = analysis_of_plotname(p.name);
        p.scalar = n == "operating point" || n == "dc operating point" || n == "transfer function" ||
                   n.starts_with("integrated noise") || n == "pole-zero analysis";
        return p;
    }

    void variables(Plot& p, Layout& lay, std::string_view rest) {
        if (!lay.nvars_given) fail_in(p, "Variables: before 'No. Variables:'");
        if (lay.nvars == 0) fail_in(p, "no variables");
        if (!p.variables.empty()) fail_in(p, "a second Variables: section");
        if (!lay.npoints_given) fail_in(p, "Variables: before 'No. Points:'");
        for (std::size_t k = 0; k < lay.nvars; ++k) {
            // ngspice accepts the first variable on the "Variables:" line itself.
            std::string_view line = (k == 0 && !rest.empty()) ? rest : std::string_view{};
            if (line.empty()) {
                if (at_end()) fail_in(p, fmt::format("{} variables announced, {} listed", lay.nvars, k));
                line = next_line();
            }
            auto t = tokens(line);
            std::size_t index = 0;
            if (t.size() == 1 && t[0].ends_with(':'))  // the next section's header
                fail_in(p, fmt::format("{} variables announced, {} listed", lay.nvars, k));
            if (t.size() < 3 || !parse_number(t[0], index))
                fail_in(p, fmt::format("bad variable line '{}'", printable(trim(line))));
            // Names in lower case, as ngspice and ionspice write them: LTspice and Xyce keep the
            // netlist's case ("V(n001)", "VIN#branch"), and SPICE names are case-insensitive.
            Variable v{lower(std::string(t[1])), lower(std::string(t[2]))};
            // Old SPICE files name nodes by number; ngspice reads "1" of type voltage as v(1).
            if (std::isdigit(static_cast<unsigned char>(v.name.front()))) {
                if (v.type == "voltage") v.name = "v(" + v.name + ")";
                else if (v.type == "current") v.name = "i(" + v.name + ")";
            }
            // LTspice's current types, by where the current is measured: plain currents to us.
            if (v.type == "device_current" || v.type == "subckt_current") v.type = "current";
            std::size_t length = lay.npoints;
            for (std::size_t a = 3; a < t.size(); ++a) {
                // min=, max=, color=, grid=, plot=, scale= are for ngspice's plot window; dims=
                // gives the vector's own length. As in ngspice, dims beyond the plot are ignored.
                const std::string attr = lower(std::string(t[a]));
                std::size_t n = 0;
                if (attr.starts_with("dims=")) {
                    if (!parse_dims(std::string_view(attr).substr(5), n))
                        fail_in(p, fmt::format("bad '{}' of {}", std::string(t[a]), v.name));
                    if (n <= lay.npoints) length = n;
                }
            }
            p.variables.push_back(std::move(v));
            lay.length.push_back(length);
        }
        spice3_names(p);
        // ngspice's No. Points is the longest vector's length: a file claiming more is garbled,
        // and would have us allocate what is not there.
        if (lay.npoints > 0 && *std::max_element(lay.length.begin(), lay.length.end()) != lay.npoints)
            fail_in(p, fmt::format("'No. Points: {}' exceeds every vector's dims=", lay.npoints));
    }

    /// SPICE3's names, which Xyce's raw files keep: a branch current "v1#branch", a node voltage
    /// the node's bare name ("out"). ngspice writes them as i(v1) and v(out), and its users ask
    /// for them so. A bare name is a node only in a plot that names its currents SPICE3's way:
    /// elsewhere (ngspice's write command) a vector of type voltage may be called anything.
    static void spice3_names(Plot& p) {
        constexpr std::string_view branch = "#branch";
        bool spice3 = false;
        for (auto& v : p.variables)
            if (v.type == "current" && v.name.size() > branch.size() && v.name.ends_with(branch)) {
                v.name = "i(" + v.name.substr(0, v.name.size() - branch.size()) + ")";
                spice3 = true;
            }
        if (!spice3) return;
        // The scale (time, frequency, Xyce's .dc "sweep" of type voltage) keeps its name.
        for (std::size_t k = 1; k < p.variables.size(); ++k) {
            auto& v = p.variables[k];
            if (v.type == "voltage" && v.name.find('(') == std::string::npos) v.name = "v(" + v.name + ")";
        }
    }

    /// Bytes of one value of variable `v` in binary data. ngspice and Xyce write doubles (two
    /// for a complex value). LTspice writes a real plot's scale (or an .op's first variable) as
    /// a double and every other variable as a float, unless Flags: has "double"; a complex
    /// plot's values, the frequency too, as two doubles.
    static std::size_t width(const Layout& lay, std::size_t v) {
        if (lay.complex) return 2 * sizeof(double);
        return lay.ltspice && !lay.doubles && v > 0 ? sizeof(float) : sizeof(double);
    }

    /// Does point `pt` of variable `v` have a value in the file?
    static bool written(const Layout& lay, std::size_t v, std::size_t pt) { return lay.padded || pt < lay.length[v]; }

    /// The plot's values take npoints × nvars doubles however short its vectors are in an
    /// unpadded file: refuse a header whose counts would take far more memory than the file has.
    void check_size(const Plot& p, const Layout& lay) const {
        const std::size_t nv = p.variables.size(), limit = 16 * data_.size() + 4096;
        if (lay.npoints > limit / nv)
            fail_in(p, fmt::format("{} points of {} variables announced in a file of {} bytes", lay.npoints, nv,
                                   data_.size()));
    }

    void binary_values(Plot& p, const Layout& lay) {
        const std::size_t stride = p.stride(), nv = p.variables.size();
        // The bytes the header announces, counted without overflow however garbled it is,
        // before anything is allocated.
        const std::size_t avail = data_.size() - pos_;
        std::size_t need = 0;
        for (std::size_t v = 0; v < nv; ++v) {
            const std::size_t n = lay.padded ? lay.npoints : lay.length[v], w = width(lay, v);
            if (n > (avail - need) / w)
                fail_in(p, fmt::format("binary data is truncated: {} points of {} variables announced, {} bytes there",
                                       lay.npoints, nv, avail));
            need += n * w;
        }
        check_size(p, lay);
        p.values.assign(lay.npoints * nv * stride, 0.0);
        const char* src = data_.data() + pos_;
        auto read = [&](std::size_t v, std::size_t pt) {
            if (!written(lay, v, pt)) return;
            const std::size_t w = width(lay, v);
            if (pt < lay.length[v]) {
                double* dst = &p.values[(pt * nv + v) * stride];
                if (w == sizeof(float)) {
                    float f = 0;
                    std::memcpy(&f, src, sizeof f);
                    *dst = f;
                } else {
                    std::memcpy(dst, src, w);
                }
            }
            src += w;
        };
        // LTspice's fastaccess layout holds each variable's points together, one variable after
        // the other; every other layout one point's variables together.
        if (lay.fastaccess && lay.ltspice) {
            for (std::size_t v = 0; v < nv; ++v)
                for (std::size_t pt = 0; pt < lay.npoints; ++pt) read(v, pt);
        } else {
            for (std::size_t pt = 0; pt < lay.npoints; ++pt)
                for (std::size_t v = 0; v < nv; ++v) read(v, pt);
        }
        pos_ += need;
    }

    /// The character at pos_ of ASCII values. LTspice writes them in its header's encoding: in
    /// a UTF-16 plot a code unit, read in place (what follows may be another plot, binary or
    /// not), one outside ASCII as '\x7f' (neither blank nor part of a number).
    char ch() const {
        if (!utf16_) return data_[pos_];
        if (pos_ + 1 >= data_.size() || data_[pos_ + 1] != '\0' || static_cast<unsigned char>(data_[pos_]) >= 0x80)
            return '\x7f';
        return data_[pos_];
    }
    void advance() { pos_ = std::min(data_.size(), pos_ + (utf16_ ? 2 : 1)); }

    void skip_space() {
        while (!at_end() && is_space(ch())) advance();
    }

    /// The next token, up to white space (or a comma, with `comma`); valid until the next call.
    std::string_view token(bool comma) {
        skip_space();
        const std::size_t b = pos_;
        token_.clear();
        while (!at_end() && !is_space(ch()) && !(comma && ch() == ',')) {
            if (utf16_) token_ += ch();
            advance();
        }
        return utf16_ ? std::string_view(token_) : std::string_view(data_.data() + b, pos_ - b);
    }

    /// Can the rest of the file hold the values the header announces, each at least `bytes` long?
    /// Counted without overflow however garbled the header is, before anything is allocated.
    bool room_for(const Layout& lay, std::size_t bytes) const {
        const std::size_t avail = (data_.size() - pos_) / bytes;
        std::size_t need = 0;
        for (std::size_t v = 0; v < lay.length.size() && need <= avail; ++v)
            need += std::min(avail + 1, lay.padded ? lay.npoints : lay.length[v]);
        return need <= avail;
    }

    void ascii_values(Plot& p, const Layout& lay) {
        const std::size_t stride = p.stride(), nv = p.variables.size();
        // A value takes at least two characters (a digit and a separator; "1,0" four).
        if (!room_for(lay, 2 * stride * (utf16_ ? 2 : 1)))
            fail_in(p, fmt::format("the values are truncated: {} points of {} variables announced", lay.npoints, nv));
        check_size(p, lay);
        p.values.assign(lay.npoints * nv * stride, 0.0);
        for (std::size_t pt = 0; pt < lay.npoints; ++pt) {
            auto where = [&](std::size_t v) {
                return fmt::format("point {} of {}, {}", pt, lay.npoints, p.variables[v].name);
            };
            auto number = [&](std::size_t v, bool comma) {
                std::string_view t = token(comma);
                if (t.empty()) fail_in(p, fmt::format("{}: the values end early (truncated file)", where(v)));
                double x = 0;
                if (!parse_number(t, x)) fail_in(p, fmt::format("{}: bad value '{}'", where(v), printable(t)));
                return x;
            };
            // Each point starts with its number: a cheap check that no value was lost or added.
            std::string_view index = token(false);
            std::size_t n = 0;
            if (index.empty())
                fail_in(p, fmt::format("point {} of {}: the values end early (truncated file)", pt, lay.npoints));
            if (!parse_number(index, n) || n != pt)
                fail_in(p, fmt::format("point {} of {}: '{}' where the point's number belongs", pt, lay.npoints,
                                       printable(index)));
            for (std::size_t v = 0; v < nv; ++v) {
                if (!written(lay, v, pt)) continue;
                const bool keep = pt < lay.length[v];  // padding beyond the vector's dims is read and dropped
                const std::size_t k = (pt * nv + v) * stride;
                double re = number(v, stride == 2);
                if (keep) p.values[k] = re;
                if (stride == 2) {
                    // ngspice and LTspice write "re,im", Xyce "re, im".
                    skip_space();
                    if (at_end() || ch() != ',')
                        fail_in(p, fmt::format("{}: a complex value 're,im' wanted, got '{}'", where(v),
                                               printable(token(false))));
                    advance();
                    double im = number(v, false);
                    if (keep) p.values[k + 1] = im;
                }
            }
        }
        // The rest of the last value's line.
        while (!at_end() && ch() != '\n' && is_space(ch())) advance();
        if (!at_end() && ch() == '\n') advance();
    }

    /// LTspice writes a `.step` run as one plot ("Flags: ... stepped"), the runs one after the
    /// other. Each run becomes a plot of its own, as ionspice's and ngspice's `.step` runs are:
    /// a new run starts where the scale comes back to its first value (time 0, the first
    /// frequency, the sweep's start); a plot without a scale (.op, .tf) has one point per run.
    /// The stepped values themselves are not in the raw file (LTspice writes them to its .log).
    static void split_steps(Plot&& p, std::vector<Plot>& out) {
        const std::size_t n = p.points(), row = p.variables.size() * p.stride();
        std::vector<std::size_t> starts{0};
        for (std::size_t k = 1; k < n; ++k)
            if (p.scalar || (p.at(k, 0) == p.at(0, 0) && p.at(k - 1, 0) != p.at(0, 0))) starts.push_back(k);
        if (n == 0 || starts.size() == 1) {
            out.push_back(std::move(p));
            return;
        }
        starts.push_back(n);
        // Each run is the plot with its own rows of the values.
        const std::vector<double> values = std::move(p.values);
        p.values.clear();
        for (std::size_t s = 0; s + 1 < starts.size(); ++s) {
            Plot q = p;
            const auto first = values.begin() + static_cast<std::ptrdiff_t>(starts[s] * row);
            q.values.assign(first, first + static_cast<std::ptrdiff_t>((starts[s + 1] - starts[s]) * row));
            out.push_back(std::move(q));
        }
    }

    std::string path_;
    std::string data_;
    std::size_t pos_ = 0;
    bool utf16_ = false;  ///< the current plot's header is UTF-16LE (LTspice)
    std::string line_;    ///< the last header line, decoded from UTF-16
    std::string token_;   ///< the last token of ASCII values in UTF-16
};

}  // namespace

std::string analysis_of_plotname(const std::string& plotname) {
    const std::string n = lower(split_plotname(plotname).analysis);
    if (n == "operating point" || n == "dc operating point") return "op";
    if (n == "dc transfer characteristic") return "dc";
    if (n == "transient analysis") return "tran";
    if (n == "ac analysis") return "ac";
    if (n.starts_with("noise spectral density") || n == "integrated noise" || n == "noise analysis") return "noise";
    if (n == "transfer function") return "tf";
    if (n == "pole-zero analysis") return "pz";
    return {};
}

bool looks_like_raw(std::string_view head) {
    std::string text;
    if (utf16_at(head)) decode_utf16(head, head.starts_with("\xFF\xFE") ? 2 : 0, kNoStop, text);
    else text = std::string(head.starts_with("\xEF\xBB\xBF") ? head.substr(3) : head);
    return starts_with_nocase(trim(text), "title:");
}

std::vector<Plot> read_raw(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path))
        throw std::runtime_error(fmt::format("cannot open raw file '{}'", path));
    std::stringstream ss;
    ss << in.rdbuf();
    return RawParser(path, ss.str()).plots();
}

}  // namespace ionspice::solver
