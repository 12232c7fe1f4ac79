#include "solver/RawReader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
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

class RawParser {
public:
    RawParser(std::string path, std::string data) : path_(std::move(path)), data_(std::move(data)) {}

    std::vector<Plot> plots() {
        std::vector<Plot> out;
        std::string title;  // ngspice keeps a title for the plots after it that have none
        while (true) {
            skip_blank_lines();
            if (pos_ >= data_.size()) return out;
            Plot p = plot(title);
            title = p.title;
            out.push_back(std::move(p));
        }
    }

private:
    struct Layout {
        std::size_t nvars = 0, npoints = 0;
        bool nvars_given = false, npoints_given = false, complex = false, padded = true;
        std::vector<std::size_t> length;  ///< values each variable has (dims=); npoints otherwise
    };

    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error(fmt::format("'{}' is not a valid raw file: {}", path_, what));
    }
    [[noreturn]] void fail_in(const Plot& p, const std::string& what) const {
        fail(p.name.empty() ? what : fmt::format("plot '{}': {}", p.name, what));
    }

    bool at_end() const { return pos_ >= data_.size(); }

    std::string_view next_line() {
        auto e = data_.find('\n', pos_);
        if (e == std::string::npos) e = data_.size();
        std::string_view line(data_.data() + pos_, e - pos_);
        pos_ = std::min(data_.size(), e + 1);
        return line;
    }

    void skip_blank_lines() {
        while (!at_end()) {
            auto e = data_.find('\n', pos_);
            if (e == std::string::npos) e = data_.size();
            if (!trim(std::string_view(data_.data() + pos_, e - pos_)).empty()) return;
            pos_ = std::min(data_.size(), e + 1);
        }
    }

    std::size_t header_count(const Plot& p, std::string_view key, std::string_view val) const {
        std::size_t n = 0;
        // ngspice pads "No. Points:" with blanks so that it can rewrite the count in place.
        if (!parse_number(trim(val), n)) fail_in(p, fmt::format("bad '{}:' line: '{}'", key, printable(val)));
        return n;
    }

    Plot plot(const std::string& previous_title) {
        Plot p;
        p.title = previous_title;
        Layout lay;
        bool named = false;
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
                // ngspice's flags; others (LTspice's "forward", "log", ...) say nothing about the layout here.
                for (auto t : tokens(val)) {
                    const std::string f = lower(std::string(t));
                    if (f == "complex") lay.complex = true;
                    else if (f == "real") lay.complex = false;
                    else if (f == "unpadded") lay.padded = false;
                    else if (f == "padded") lay.padded = true;
                }
            } else if (key == "no. variables") {
                lay.nvars = header_count(p, "No. Variables", val);
                lay.nvars_given = true;
            } else if (key == "no. points") {
                lay.npoints = header_count(p, "No. Points", val);
                lay.npoints_given = true;
            } else if (key == "variables") {
                variables(p, lay, val);
            } else if (key == "binary" || key == "values") {
                if (!lay.npoints_given) fail_in(p, "no 'No. Points:' line before the data");
                if (p.variables.empty()) fail_in(p, "no Variables: section before the data");
                p.kind = lay.complex ? Plot::Kind::Complex : Plot::Kind::Real;
                if (key == "binary") binary_values(p, lay);
                else ascii_values(p, lay);
                break;
            }
            // Any other line ("Command:", "Option:", "Dimensions:", other programs' additions)
            // does not change how the values are laid out: ngspice's write command adds them.
        }
        p.step = step_from_title(p.title);
        p.analysis = analysis_of_plotname(p.name);
        p.scalar = p.name == "Operating Point" || p.name == "Transfer Function" || p.name.rfind("Integrated Noise", 0) == 0;
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
            Variable v{std::string(t[1]), std::string(t[2])};
            // Old SPICE files name nodes by number; ngspice reads "1" of type voltage as v(1).
            if (std::isdigit(static_cast<unsigned char>(v.name.front()))) {
                if (v.type == "voltage") v.name = "v(" + v.name + ")";
                else if (v.type == "current") v.name = "i(" + v.name + ")";
            }
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
        // ngspice's No. Points is the longest vector's length: a file claiming more is garbled,
        // and would have us allocate what is not there.
        if (lay.npoints > 0 && *std::max_element(lay.length.begin(), lay.length.end()) != lay.npoints)
            fail_in(p, fmt::format("'No. Points: {}' exceeds every vector's dims=", lay.npoints));
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

    /// Does point `pt` of variable `v` have a value in the file?
    static bool written(const Layout& lay, std::size_t v, std::size_t pt) { return lay.padded || pt < lay.length[v]; }

    void binary_values(Plot& p, const Layout& lay) {
        const std::size_t stride = p.stride(), nv = p.variables.size();
        if (!room_for(lay, sizeof(double) * stride))
            fail_in(p, fmt::format("binary data is truncated: {} points of {} variables announced, {} bytes there",
                                   lay.npoints, nv, data_.size() - pos_));
        p.values.assign(lay.npoints * nv * stride, 0.0);
        const char* src = data_.data() + pos_;
        for (std::size_t pt = 0; pt < lay.npoints; ++pt)
            for (std::size_t v = 0; v < nv; ++v) {
                if (!written(lay, v, pt)) continue;
                if (pt < lay.length[v]) std::memcpy(&p.values[(pt * nv + v) * stride], src, sizeof(double) * stride);
                src += sizeof(double) * stride;
            }
        pos_ = static_cast<std::size_t>(src - data_.data());
    }

    void skip_space() {
        while (!at_end() && is_space(data_[pos_])) ++pos_;
    }

    /// The next token, up to white space (or a comma, with `comma`).
    std::string_view token(bool comma) {
        skip_space();
        std::size_t b = pos_;
        while (!at_end() && !is_space(data_[pos_]) && !(comma && data_[pos_] == ',')) ++pos_;
        return std::string_view(data_.data() + b, pos_ - b);
    }

    void ascii_values(Plot& p, const Layout& lay) {
        const std::size_t stride = p.stride(), nv = p.variables.size();
        // A value takes at least two characters (a digit and a separator; "1,0" four).
        if (!room_for(lay, 2 * stride))
            fail_in(p, fmt::format("the values are truncated: {} points of {} variables announced", lay.npoints, nv));
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
                    skip_space();
                    if (at_end() || data_[pos_] != ',')
                        fail_in(p, fmt::format("{}: a complex value 're,im' wanted, got '{}'", where(v),
                                               printable(token(false))));
                    ++pos_;
                    double im = number(v, false);
                    if (keep) p.values[k + 1] = im;
                }
            }
        }
        // The rest of the last value's line.
        while (!at_end() && data_[pos_] != '\n' && is_space(data_[pos_])) ++pos_;
        if (!at_end() && data_[pos_] == '\n') ++pos_;
    }

    std::string path_;
    std::string data_;
    std::size_t pos_ = 0;
};

}  // namespace

std::string analysis_of_plotname(const std::string& plotname) {
    const std::string n = lower(std::string(trim(plotname)));
    if (n == "operating point") return "op";
    if (n == "dc transfer characteristic") return "dc";
    if (n == "transient analysis") return "tran";
    if (n == "ac analysis") return "ac";
    if (n == "noise spectral density curves" || n == "integrated noise") return "noise";
    if (n == "transfer function") return "tf";
    return {};
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
