#include "solver/OutputWriters.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace ionspice::solver {

struct Plot::NameIndex {
    std::mutex mutex;
    std::unordered_map<std::string, int> of;
    std::size_t count = 0;  ///< variables.size() when built
};

int Plot::find(const std::string& name) const {
    auto scan = [&] {
        for (std::size_t k = 0; k < variables.size(); ++k)
            if (variables[k].name == name) return static_cast<int>(k);
        return -1;
    };
    if (variables.size() < 64) return scan();
    if (!index_) index_ = std::make_shared<NameIndex>();
    std::lock_guard lock(index_->mutex);
    auto build = [&] {
        index_->of.clear();
        index_->of.reserve(variables.size());
        for (std::size_t k = variables.size(); k-- > 0;) index_->of[variables[k].name] = static_cast<int>(k);
        index_->count = variables.size();
    };
    if (index_->count != variables.size()) build();
    if (auto it = index_->of.find(name); it != index_->of.end()) {
        const auto k = static_cast<std::size_t>(it->second);
        if (k < variables.size() && variables[k].name == name) return it->second;
        build();
        it = index_->of.find(name);
        return it == index_->of.end() ? -1 : it->second;
    }
    return -1;
}

std::string raw_date() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    // SOURCE_DATE_EPOCH (the reproducible-builds convention: seconds since 1970, UTC) fixes the
    // date, so that two runs of one netlist write the same bytes.
    if (const char* fixed = std::getenv("SOURCE_DATE_EPOCH")) {
        char* end = nullptr;
        const long long t = std::strtoll(fixed, &end, 10);
        if (end != fixed && *end == '\0' && t >= 0) {
            now = static_cast<std::time_t>(t);
            gmtime_r(&now, &tm);
        } else {
            localtime_r(&now, &tm);
        }
    } else {
        localtime_r(&now, &tm);
    }
    char buf[64];
    // %e: ngspice pads the day with a blank ("Dec  3"), as ctime does.
    std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S  %Y", &tm);
    return buf;
}

namespace {

/// ngspice marks the frequency scale of a dec or oct sweep "grid=3" (logarithmic), of .ac and of
/// .noise (a real plot) alike, and of a lin sweep nothing.
/// A plot does not record how it was swept, but its points do: a constant ratio is a log sweep.
/// Two points fit either; they are taken as linear, what ngspice assumes without a grid.
bool log_spaced(const Plot& p) {
    if (p.variables.empty() || p.variables[0].type != "frequency" || p.points() < 3) return false;
    const double ratio = p.at(1, 0) / p.at(0, 0);
    if (!(p.at(0, 0) > 0) || !(ratio > 1) || !std::isfinite(ratio)) return false;
    for (std::size_t k = 1; k + 1 < p.points(); ++k) {
        // A dec sweep multiplies by the same factor each step: the ratios agree to rounding.
        const double r = p.at(k + 1, 0) / p.at(k, 0);
        if (!(std::fabs(r - ratio) <= 1e-12 * ratio)) return false;
    }
    return true;
}

}  // namespace

void write_raw(std::ostream& out, const std::vector<Plot>& plots, bool ascii) {
    for (const auto& p : plots) {
        const bool complex = p.is_complex();
        fmt::print(out, "Title: {}\n", p.title);
        fmt::print(out, "Date: {}\n", p.date.empty() ? raw_date() : p.date);
        fmt::print(out, "Plotname: {}\n", p.name);
        fmt::print(out, "Flags: {}\n", complex ? "complex" : "real");
        fmt::print(out, "No. Variables: {}\n", p.variables.size());
        fmt::print(out, "No. Points: {:<8}\n", p.points());
        fmt::print(out, "Variables:\n");
        const bool log_grid = log_spaced(p);
        for (std::size_t k = 0; k < p.variables.size(); ++k) {
            // ngspice's rule: a voltage vector not named v(…) is written as v(name) (a pole-zero
            // analysis' pole(1), a control script's `let x = v(a)`).
            const Variable& var = p.variables[k];
            const bool wrap = var.type == "voltage" && !(var.name.size() > 2 && (var.name[0] == 'v' || var.name[0] == 'V') &&
                                                         var.name[1] == '(');
            fmt::print(out, "\t{}\t{}{}{}\t{}{}\n", k, wrap ? "v(" : "", var.name, wrap ? ")" : "", var.type,
                       k == 0 && log_grid ? "\tgrid=3" : "");
        }
        if (ascii) {
            fmt::print(out, "Values:\n");
            fmt::memory_buffer buf;
            const std::size_t nv = p.variables.size();
            for (std::size_t pt = 0; pt < p.points(); ++pt) {
                buf.clear();
                for (std::size_t v = 0; v < nv; ++v) {
                    if (v == 0) fmt::format_to(std::back_inserter(buf), "{}\t", pt);
                    if (complex) {
                        const auto x = p.complex_at(pt, v);
                        fmt::format_to(std::back_inserter(buf), "\t{:.15e},{:.15e}\n", x.real(), x.imag());
                    } else {
                        fmt::format_to(std::back_inserter(buf), "\t{:.15e}\n", p.at(pt, v));
                    }
                }
                out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
            }
        } else {
            // The values are kept in the binary layout: (re, im) pairs for a complex plot.
            fmt::print(out, "Binary:\n");
            out.write(reinterpret_cast<const char*>(p.values.data()),
                      static_cast<std::streamsize>(p.values.size() * sizeof(double)));
        }
    }
}

void write_csv(std::ostream& out, const Plot& plot) { write_csv(out, std::vector<const Plot*>{&plot}); }

void write_csv(std::ostream& out, const std::vector<const Plot*>& plots) {
    if (plots.empty()) return;
    const Plot& first = *plots.front();
    const std::size_t nv = first.variables.size();
    const bool complex = first.is_complex();
    for (const Plot* p : plots) {
        bool same = p->step.size() == first.step.size() && p->variables.size() == nv && p->kind == first.kind;
        for (std::size_t k = 0; same && k < p->step.size(); ++k) same = p->step[k].first == first.step[k].first;
        for (std::size_t v = 0; same && v < nv; ++v) same = p->variables[v].name == first.variables[v].name;
        if (!same)
            throw std::runtime_error(fmt::format("cannot write one CSV table for '{}' and '{}': they hold different "
                                                 "vectors",
                                                 first.title, p->title));
    }
    fmt::memory_buffer buf;
    bool comma = false;
    auto sep = [&] {
        if (comma) buf.push_back(',');
        comma = true;
    };
    for (const auto& [name, value] : first.step) {
        sep();
        fmt::format_to(std::back_inserter(buf), "{}", name);
    }
    for (std::size_t v = 0; v < nv; ++v) {
        sep();
        // A spreadsheet wants numbers: the scale (frequency, real) stays one column, every
        // other complex vector becomes its real and imaginary parts.
        const std::string& name = first.variables[v].name;
        if (complex && v > 0)
            fmt::format_to(std::back_inserter(buf), "re({}),im({})", name, name);
        else
            fmt::format_to(std::back_inserter(buf), "{}", name);
    }
    buf.push_back('\n');
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    for (const Plot* p : plots) {
        // The step's columns are the same on every row of the plot: format them once.
        fmt::memory_buffer lead;
        for (const auto& [name, value] : p->step) fmt::format_to(std::back_inserter(lead), "{},", value);
        for (std::size_t pt = 0; pt < p->points(); ++pt) {
            buf.clear();
            buf.append(lead.data(), lead.data() + lead.size());
            for (std::size_t v = 0; v < nv; ++v) {
                if (complex && v > 0) {
                    const auto x = p->complex_at(pt, v);
                    fmt::format_to(std::back_inserter(buf), ",{},{}", x.real(), x.imag());
                } else {
                    fmt::format_to(std::back_inserter(buf), "{}{}", v ? "," : "", p->at(pt, v));
                }
            }
            buf.push_back('\n');
            out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        }
    }
}

std::optional<VectorFn> parse_vector_fn(std::string_view fn) {
    std::string f(fn);
    for (auto& c : f) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (f == "r" || f == "real" || f == "re") return VectorFn::Real;
    if (f == "i" || f == "imag" || f == "im") return VectorFn::Imag;
    if (f == "m" || f == "mag") return VectorFn::Mag;
    if (f == "p" || f == "ph") return VectorFn::Phase;
    if (f == "db") return VectorFn::Db;
    return std::nullopt;
}

std::vector<VectorFnReading> vector_fn_readings(std::string_view name) {
    std::vector<VectorFnReading> out;
    const auto open = name.find('(');
    if (open == std::string_view::npos || open < 2 || name.back() != ')') return out;
    const std::string head(name.substr(0, open));
    const std::string arg(name.substr(open + 1, name.size() - open - 2));
    // One letter is a probe, not a function: i(v1) is the current, not imag(v1).
    if (parse_vector_fn(head)) out.push_back({arg, head});
    if ((head[0] == 'v' || head[0] == 'i') && head.size() <= 3 && parse_vector_fn(head.substr(1)))
        out.push_back({std::string(1, head[0]) + "(" + arg + ")", head.substr(1)});
    return out;
}

double apply_vector_fn(VectorFn fn, std::complex<double> x) {
    switch (fn) {
        case VectorFn::Real: return x.real();
        case VectorFn::Imag: return x.imag();
        case VectorFn::Mag: return std::abs(x);
        case VectorFn::Phase: return std::arg(x);
        case VectorFn::Db: return 20.0 * std::log10(std::abs(x));
    }
    return x.real();
}

namespace {

VectorFn vector_fn_or_throw(std::string_view fn) {
    auto f = parse_vector_fn(fn);
    if (!f)
        throw std::invalid_argument(fmt::format("'{}' is not a vector function (r, i, m, p, db; real, imag, mag, ph)",
                                                fn));
    return *f;
}

void check_var(const Plot& plot, int var) {
    if (var < 0 || static_cast<std::size_t>(var) >= plot.variables.size())
        throw std::invalid_argument(
            fmt::format("variable {} of plot '{}' with {} variables", var, plot.name, plot.variables.size()));
}

}  // namespace

std::vector<double> derived_column(const Plot& plot, int var, VectorFn fn) {
    check_var(plot, var);
    std::vector<double> out(plot.points());
    for (std::size_t pt = 0; pt < out.size(); ++pt)
        out[pt] = apply_vector_fn(fn, plot.complex_at(pt, static_cast<std::size_t>(var)));
    return out;
}

std::vector<double> derived_column(const Plot& plot, int var, std::string_view fn) {
    return derived_column(plot, var, vector_fn_or_throw(fn));
}

std::string derived_name(const std::string& var_name, std::string_view fn) {
    std::string f(fn);
    for (auto& c : f) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const VectorFn kind = vector_fn_or_throw(f);
    static constexpr const char* kLetters[] = {"r", "i", "m", "p", "db"};
    static constexpr const char* kFunctions[] = {"real", "imag", "mag", "ph", "db"};
    const auto k = static_cast<std::size_t>(kind);
    const bool probe = var_name.size() > 3 && (var_name[0] == 'v' || var_name[0] == 'i') && var_name[1] == '(' &&
                       var_name.back() == ')';
    if (probe) return fmt::format("{}{}{}", var_name[0], kLetters[k], var_name.substr(1));
    return fmt::format("{}({})", kFunctions[k], var_name);
}

void print_table(std::ostream& out, const Plot& plot, const std::vector<PrintColumn>& columns) {
    struct Column {
        std::size_t var;
        std::optional<VectorFn> fn;
        std::string header;
        bool pair;  // printed "re, im"
    };
    std::vector<Column> cols;
    for (const auto& c : columns) {
        check_var(plot, c.var);
        Column col{static_cast<std::size_t>(c.var), std::nullopt, c.header, false};
        if (!c.fn.empty()) col.fn = vector_fn_or_throw(c.fn);
        if (col.header.empty())
            col.header = col.fn ? derived_name(plot.variables[col.var].name, c.fn) : plot.variables[col.var].name;
        // The scale of an AC plot, frequency, is real though stored as complex: ngspice prints it so.
        col.pair = plot.is_complex() && !col.fn && (col.var > 0 || plot.scalar);  // a scalar plot has no scale
        cols.push_back(std::move(col));
    }
    // A table's cells line up (15 characters each part); an .op line is for reading.
    auto number = [](double x, bool table) { return table ? fmt::format("{:>15.8e}", x) : fmt::format("{:.6g}", x); };
    auto cell = [&](const Column& c, std::size_t pt, bool table) {
        if (c.fn) return number(apply_vector_fn(*c.fn, plot.complex_at(pt, c.var)), table);
        if (!c.pair) return number(plot.at(pt, c.var), table);
        const auto x = plot.complex_at(pt, c.var);
        return number(x.real(), table) + ", " + number(x.imag(), table);
    };
    if (!plot.step.empty()) fmt::print(out, "step: {}\n", step_label(plot.step));
    if (plot.points() == 1 && plot.scalar) {
        std::size_t width = 0;
        for (const auto& c : cols) width = std::max(width, c.header.size());
        for (const auto& c : cols) fmt::print(out, "{:<{}} = {}\n", c.header, width, cell(c, 0, false));
        return;
    }
    fmt::print(out, "{:>5}", "index");
    for (const auto& c : cols) fmt::print(out, " {:>{}}", c.header, c.pair ? 32 : 15);
    out << '\n';
    for (std::size_t pt = 0; pt < plot.points(); ++pt) {
        fmt::print(out, "{:>5}", pt);
        for (const auto& c : cols) fmt::print(out, " {}", cell(c, pt, true));
        out << '\n';
    }
}

void print_table(std::ostream& out, const Plot& plot, const std::vector<int>& columns) {
    std::vector<PrintColumn> cols;
    cols.reserve(columns.size());
    for (int c : columns) cols.push_back({c, {}, {}});
    print_table(out, plot, cols);
}

namespace {
constexpr std::string_view kStepOpen = " (step: ";
}  // namespace

std::string step_label(const std::vector<std::pair<std::string, double>>& step) {
    std::string out;
    for (const auto& [name, value] : step)
        fmt::format_to(std::back_inserter(out), "{}{}={:.12g}", out.empty() ? "" : " ", name, value);
    return out;
}

std::string stepped_title(const std::string& title, const std::vector<std::pair<std::string, double>>& step) {
    if (step.empty()) return title;
    return fmt::format("{}{}{})", title, kStepOpen, step_label(step));
}

std::vector<std::pair<std::string, double>> step_from_title(const std::string& title) {
    std::vector<std::pair<std::string, double>> step;
    const auto open = title.rfind(kStepOpen);
    if (open == std::string::npos || title.back() != ')') return step;
    std::string_view rest(title);
    rest = rest.substr(open + kStepOpen.size(), rest.size() - open - kStepOpen.size() - 1);
    while (!rest.empty()) {
        const auto blank = rest.find(' ');
        std::string_view item = rest.substr(0, blank);
        rest = blank == std::string_view::npos ? std::string_view{} : rest.substr(blank + 1);
        const auto eq = item.find('=');
        double v = 0;
        if (eq == std::string_view::npos || eq == 0) return {};
        auto [end, ec] = std::from_chars(item.data() + eq + 1, item.data() + item.size(), v);
        if (ec != std::errc{} || end != item.data() + item.size()) return {};
        step.emplace_back(std::string(item.substr(0, eq)), v);
    }
    return step;
}

}  // namespace ionspice::solver
