// `ionspice plot FILE VECTOR... -o FIG.png|.svg`: waveforms from a raw or CSV file, drawn by
// gnuplot, one curve per vector and per plot (per .step point, or per value of --group columns).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "tools/Commands.hpp"
#include "tools/GnuplotFigure.hpp"
#include "tools/Table.hpp"

namespace ionspice::tools {

namespace {

constexpr const char* kPrefix = "ionspice plot: ";

/// What one curve (or the x axis) shows: a name for the axis and the legend, its unit, and what
/// several curves of the same unit have in common ("voltage").
struct Quantity {
    std::string name, unit, kind;
};

/// A complex vector is drawn as its magnitude unless a function is named; the scale of an AC
/// plot (frequency, stored complex) as it is.
solver::VectorFn drawn_as(const solver::Plot& p, const ColumnRef& c) {
    if (c.fn) return *c.fn;
    return p.is_complex() && c.var > 0 ? solver::VectorFn::Mag : solver::VectorFn::Real;
}

Quantity quantity(const solver::Plot& p, const ColumnRef& c, const std::string& asked) {
    const auto& var = p.variables[static_cast<std::size_t>(c.var)];
    switch (drawn_as(p, c)) {
        case solver::VectorFn::Db: return {asked, "dB", "magnitude"};
        case solver::VectorFn::Phase: return {asked, "rad", "phase"};
        case solver::VectorFn::Mag:
            return {c.fn ? asked : "|" + var.name + "|", unit_of(var), "|" + var.type + "|"};
        default: return {c.fn ? asked : var.name, unit_of(var), var.type};
    }
}

std::string axis_label(const std::vector<Quantity>& q, bool magnitude) {
    const std::string& unit = q.front().unit;
    bool same = std::all_of(q.begin(), q.end(), [&](const Quantity& v) { return v.unit == unit; });
    std::string name;
    if (q.size() == 1)
        name = q.front().name;
    else if (same && !unit.empty())
        name = q.front().kind;
    if (magnitude && !name.empty() && name.front() != '|') name = "|" + name + "|";
    if (same && !unit.empty()) name += (name.empty() ? "" : " ") + ("(" + unit + ")");
    return name;
}

int plot_run(int argc, char** argv) {
    CLI::App app{"ionspice plot: draw vectors of a raw or CSV file with gnuplot"};
    app.name("ionspice plot");
    std::string file, output, x_col, title, analysis;
    std::vector<std::string> vectors, group;
    bool logx = false, logy = false;
    std::vector<int> size{800, 600};
    app.add_option("file", file, "raw file (ngspice, LTspice or Xyce layout) or CSV file")->required();
    app.add_option("vectors", vectors,
                   "vectors to draw: v(out) i(vd) …; of an AC plot, the magnitude unless a function is named: "
                   "vdb(out) vm(out) vp(out) vr(out) vi(out), db(…) mag(…) ph(…) real(…) imag(…)");
    app.add_option("-o,--output", output, "figure to write; format from the extension: .png or .svg");
    app.add_option("--x", x_col, "vector on the x axis (default: the plot's scale)");
    app.add_flag("--logx", logx, "logarithmic x axis (for the frequency of an AC plot)");
    app.add_flag("--logy", logy, "logarithmic y axis, of |y| (for currents of either sign)");
    app.add_option("--title", title, "figure title (default: the netlist's title, or the file's name)");
    app.add_option("--group", group, "one curve per value of these columns (leading step columns of a CSV file)")
        ->delimiter(',')
        ->allow_extra_args(false);
    app.add_option("--analysis", analysis,
                   "use plots of this analysis (dc, tran, ac, …) or whose name contains this text");
    std::string size_text;
    app.add_option("--size", size_text, "figure size in pixels: W,H (default 800,600)");
    if (auto status = parse_options(app, argc, argv, kPrefix)) return *status;
    if (output.empty()) {
        fmt::print(std::cerr, "{}error: no figure to write: add -o FILE.png or -o FILE.svg\n", kPrefix);
        return 2;
    }
    if (!size_text.empty()) {
        char comma = 0, rest = 0;
        if (std::sscanf(size_text.c_str(), "%d%c%d%c", &size[0], &comma, &size[1], &rest) != 3 || comma != ',' ||
            size[0] < 50 || size[1] < 50) {
            fmt::print(std::cerr, "{}error: --size wants W,H in pixels, each at least 50, not '{}'\n", kPrefix, size_text);
            return 2;
        }
    }

    auto plots = read_table(file);
    if (vectors.empty()) {
        std::string names;
        for (const auto& v : plots.front().variables) names += (names.empty() ? "" : ", ") + v.name;
        throw std::runtime_error(fmt::format("name the vectors to draw; '{}' has {}", file, names));
    }
    SeriesRequest request{vectors, group, analysis};
    if (!x_col.empty()) request.columns.push_back(x_col);
    auto series = select_series(plots, request);
    GnuplotFigure figure(output, size[0], size[1]);

    // The default x is the scale: the first column that is not a group (step) column.
    auto x_of = [&](const solver::Plot& p) -> ColumnRef {
        if (!x_col.empty()) return resolve_column(p, x_col);
        for (std::size_t k = 0; k < p.variables.size(); ++k) {
            bool grouped = std::any_of(group.begin(), group.end(), [&](const std::string& g) {
                return find_column(p, g) == static_cast<int>(k);
            });
            if (!grouped) return {static_cast<int>(k), std::nullopt};
        }
        return {0, std::nullopt};
    };
    auto value = [](const solver::Plot& p, std::size_t row, const ColumnRef& c) {
        return solver::apply_vector_fn(drawn_as(p, c), p.complex_at(row, static_cast<std::size_t>(c.var)));
    };

    std::string plot_cmd;
    const bool alone = series.size() == 1;
    // The data's extent, for the linear axes' engineering-notation ticks.
    double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
    auto extend = [](double v, double& lo, double& hi) {
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    };
    for (std::size_t s = 0; s < series.size(); ++s) {
        const auto& ser = series[s];
        const auto& p = *ser.plot;
        const ColumnRef xc = x_of(p);
        std::vector<ColumnRef> cols;
        for (const auto& v : vectors) cols.push_back(resolve_column(p, v));
        std::string data = figure.data(fmt::format("series{}.dat", s), [&](std::ostream& out) {
            for (std::size_t row : ser.rows) {
                const double x = value(p, row, xc);
                extend(x, x_lo, x_hi);
                fmt::print(out, "{}", x);
                for (const auto& c : cols) {
                    const double y = value(p, row, c);
                    extend(y, y_lo, y_hi);
                    fmt::print(out, " {}", y);
                }
                out << '\n';
            }
        });
        for (std::size_t v = 0; v < cols.size(); ++v) {
            std::string label = ser.label(alone);
            std::string name = quantity(p, cols[v], vectors[v]).name;
            std::string key = label.empty() ? name : vectors.size() == 1 ? label : name + " " + label;
            std::string y = logy ? fmt::format("(abs(${}))", v + 2) : std::to_string(v + 2);
            plot_cmd += fmt::format("{}{} using 1:{} with lines lw 1.5 title {}", plot_cmd.empty() ? "" : ", \\\n  ",
                                    data, y, gnuplot_quote(key));
        }
    }

    const auto& first = *series.front().plot;
    std::vector<Quantity> yq;
    for (const auto& v : vectors) yq.push_back(quantity(first, resolve_column(first, v), v));
    if (title.empty()) {
        title = first.title.substr(0, first.title.rfind(" (step: "));
        if (title.empty()) title = std::filesystem::path(file).filename().string();
    }
    std::string script;
    script += fmt::format("set title {}\n", gnuplot_quote(title));
    script += fmt::format("set xlabel {}\n", gnuplot_quote(axis_label({quantity(first, x_of(first), x_col)}, false)));
    script += fmt::format("set ylabel {}\n", gnuplot_quote(axis_label(yq, logy)));
    script += "set grid\nset key top left opaque box\n";
    if (series.size() * vectors.size() > 8) script += "set key outside right top\n";
    if (logx) script += "set logscale x\nset format x '%g'\n";
    else script += engineering_axis('x', x_lo, x_hi);
    if (logy) script += "set logscale y\nset format y '%g'\n";
    else script += engineering_axis('y', y_lo, y_hi);
    script += "plot " + plot_cmd + "\n";
    figure.render(script, std::cerr, std::string(kPrefix) + "gnuplot: ");
    return 0;
}

}  // namespace

int plot_main(int argc, char** argv) {
    try {
        return plot_run(argc, argv);
    } catch (const std::exception& e) {
        fmt::print(std::cerr, "{}error: {}\n", kPrefix, e.what());
        return 1;
    }
}

}  // namespace ionspice::tools
