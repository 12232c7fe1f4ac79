// `ionspice fit FILE`: the MTT transfer parameters (A_p, B_p, A_n, B_n, and r for the ternary
// form; docs/circuits.md §1, tools/TransferFit.hpp) fitted to a raw or CSV file, one fit per
// plot or step. W_h and W_b are columns of the file or are normalised from G_e and I_ts.

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "parser/Number.hpp"
#include "tools/Commands.hpp"
#include "tools/GnuplotFigure.hpp"
#include "tools/Table.hpp"
#include "tools/TransferFit.hpp"

namespace ionspice::tools {

namespace {

constexpr const char* kPrefix = "ionspice fit: ";
constexpr double kPoorR2 = 0.99;

/// A normalisation level (G_min, G_max, I_ts,max): a SPICE number ("20u") for every point, or the
/// name of a column read point by point — the per-bias quantity the netlist computes beside the
/// sweep (a unit's G_e,min and I_ts,max move with Vread_H and Vref_G), or not given.
struct Level {
    std::string text;
    std::optional<double> number;
    bool given() const { return !text.empty(); }
    bool is_column() const { return given() && !number; }
};

struct FitOptions {
    std::string file, wh, ge, sign = "+", sign_col, wb, its, form = "rational", analysis, figure;
    Level gmin, gmax, itsmax, itsmax_n;
    std::vector<std::string> group;
    bool json = false;
};

/// One series' normalised data and its fit, or why there is none.
struct SeriesFit {
    const Series* series = nullptr;
    std::vector<double> w_h, w_b;
    std::optional<TransferFit> fit;
    std::string error;
    std::size_t below_range = 0;  ///< points with G_e < G_min, outside the unit's range: left out
};

/// A fitted parameter's name (A_p, B_n, r_p, …) and value.
struct NamedEstimate {
    std::string name;
    Estimate estimate;
};

std::vector<NamedEstimate> parameters_of(const TransferFit& fit) {
    std::vector<NamedEstimate> out;
    for (const auto& [branch, suffix] : {std::pair{&fit.positive, "_p"}, std::pair{&fit.negative, "_n"}}) {
        if (!*branch) continue;
        out.push_back({std::string("A") + suffix, (*branch)->a});
        out.push_back({std::string("B") + suffix, (*branch)->b});
        if (fit.form == TransferForm::ternary) out.push_back({std::string("r") + suffix, (*branch)->r});
    }
    return out;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += {'\\', c};
        else if (static_cast<unsigned char>(c) < 0x20)
            out += fmt::format("\\u{:04x}", static_cast<int>(c));
        else
            out += c;
    }
    return out + "\"";
}

std::string json_number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "null"; }

void check_finite(const std::vector<double>& v, const Series& s, const std::string& column) {
    for (std::size_t k = 0; k < v.size(); ++k)
        if (!std::isfinite(v[k]))
            throw FitError(fmt::format("non-finite value ({}) in column '{}' at point {}", v[k], column, s.rows[k]));
}

/// A column's values over a series, every one finite (else a FitError naming the point).
std::vector<double> finite_column(const Series& s, const std::string& column) {
    auto v = column_values(s, find_column(*s.plot, column));
    check_finite(v, s, column);
    return v;
}

/// A level's value at each point of a series: its number, its column's values, or `fallback`.
std::vector<double> level_values(const Level& level, const Series& s, double fallback) {
    if (!level.is_column()) return std::vector<double>(s.rows.size(), level.number.value_or(fallback));
    return finite_column(s, level.text);
}

/// W_h and W_b of one series, normalised as the options say. Every level is taken point by point,
/// so a column computed per bias point normalises each group with its own G_e,min and I_ts,max;
/// defaults (no --gmin/--gmax) are the G_e column's range within this series.
void normalise(SeriesFit& sf, const FitOptions& o) {
    const auto& s = *sf.series;
    auto values = [&](const std::string& col) { return finite_column(s, col); };
    const std::size_t n = s.rows.size();
    std::vector<double> w_h(n);
    std::vector<bool> keep(n, true);
    if (!o.wh.empty()) {
        w_h = values(o.wh);
    } else {
        // W_h = ±(G_e − G_e,min)/(G_e,max − G_e,min)
        auto g = values(o.ge);
        const auto [lo, hi] = std::minmax_element(g.begin(), g.end());
        auto gmin = level_values(o.gmin, s, n ? *lo : 0.0), gmax = level_values(o.gmax, s, n ? *hi : 0.0);
        std::vector<double> sign(n, o.sign == "-" ? -1.0 : 1.0);
        if (!o.sign_col.empty()) {
            auto sc = values(o.sign_col);
            for (std::size_t k = 0; k < n; ++k) sign[k] = sc[k] < 0 ? -1.0 : 1.0;
        }
        for (std::size_t k = 0; k < n; ++k) {
            if (!(gmax[k] > gmin[k]))
                throw FitError(fmt::format("G_max ({}) must exceed G_min ({}) to normalise '{}' at point {}", gmax[k],
                                           gmin[k], o.ge, s.rows[k]));
            // Below G_e,min the divider has not tipped: the point belongs to no branch of the unit.
            keep[k] = g[k] >= gmin[k];
            w_h[k] = sign[k] * (g[k] - gmin[k]) / (gmax[k] - gmin[k]);
        }
    }
    std::vector<double> w_b(n);
    if (!o.wb.empty()) {
        w_b = values(o.wb);
    } else {
        // W_b = I_ts/I_ts,max; with --itsmax-n the − half's limit below W_h = 0, oriented as --itsmax.
        auto its = values(o.its), pmax = level_values(o.itsmax, s, 0.0);
        auto nmax = o.itsmax_n.given() ? level_values(o.itsmax_n, s, 0.0) : pmax;
        for (std::size_t k = 0; k < n; ++k) {
            double d = w_h[k] < 0 ? std::copysign(std::abs(nmax[k]), pmax[k]) : pmax[k];
            if (d == 0)
                throw FitError(fmt::format("I_ts,max is 0 at point {}: W_b = I_ts/I_ts,max is undefined", s.rows[k]));
            w_b[k] = its[k] / d;
        }
    }
    for (std::size_t k = 0; k < n; ++k) {
        if (!keep[k]) {
            ++sf.below_range;
            continue;
        }
        sf.w_h.push_back(w_h[k]);
        sf.w_b.push_back(w_b[k]);
    }
}

void print_text(const std::vector<SeriesFit>& fits, bool alone) {
    for (const auto& sf : fits) {
        std::string line = sf.series->label(alone);
        if (!sf.fit) continue;
        for (const auto& [name, e] : parameters_of(*sf.fit))
            line += fmt::format("{}{}={:.6g}±{:.2g}", line.empty() ? "" : " ", name, e.value, e.error);
        line += fmt::format(" R2={:.6g}", sf.fit->r2);
        fmt::print("{}\n", line);
    }
}

void print_json(const std::vector<SeriesFit>& fits, const std::string& form) {
    fmt::print("[\n");
    for (std::size_t k = 0; k < fits.size(); ++k) {
        const auto& sf = fits[k];
        std::string o = "  {";
        o += fmt::format("\"plot\": {}, \"plot_index\": {}, \"step\": {{", json_string(sf.series->plot->name),
                         sf.series->plot_index + 1);
        for (std::size_t j = 0; j < sf.series->step.size(); ++j)
            o += fmt::format("{}{}: {}", j ? ", " : "", json_string(sf.series->step[j].first),
                             json_number(sf.series->step[j].second));
        o += fmt::format("}}, \"form\": \"{}\", \"points\": {}", form, sf.w_h.size());
        if (sf.fit) {
            for (const auto& [name, e] : parameters_of(*sf.fit))
                o += fmt::format(", \"{}\": {}, \"{}_err\": {}", name, json_number(e.value), name, json_number(e.error));
            for (const auto& [branch, suffix] : {std::pair{&sf.fit->positive, "_p"}, std::pair{&sf.fit->negative, "_n"}})
                if (*branch)
                    o += fmt::format(", \"R2{}\": {}, \"points{}\": {}", suffix, json_number((*branch)->r2), suffix,
                                     (*branch)->points);
            o += fmt::format(", \"R2\": {}", json_number(sf.fit->r2));
        } else {
            o += fmt::format(", \"error\": {}", json_string(sf.error));
        }
        fmt::print("{}}}{}\n", o, k + 1 < fits.size() ? "," : "");
    }
    fmt::print("]\n");
}

/// Data and fitted curves; for several steps also each fitted parameter against the first
/// stepped variable, one curve per value of the others.
void draw(const std::vector<SeriesFit>& fits, const FitOptions& o, bool alone) {
    std::vector<std::string> params;
    for (const auto& sf : fits)
        if (sf.fit)
            for (const auto& p : parameters_of(*sf.fit))
                if (std::find(params.begin(), params.end(), p.name) == params.end()) params.push_back(p.name);
    // Ordered A_p, B_p, r_p, A_n, B_n, r_n whichever series introduced them.
    const std::vector<std::string> order{"A_p", "B_p", "r_p", "A_n", "B_n", "r_n"};
    std::sort(params.begin(), params.end(), [&](const std::string& a, const std::string& b) {
        return std::find(order.begin(), order.end(), a) < std::find(order.begin(), order.end(), b);
    });
    const bool stepped = fits.size() > 1 && !params.empty() &&
                         std::all_of(fits.begin(), fits.end(), [&](const SeriesFit& sf) {
                             return !sf.series->step.empty() && sf.series->step.size() == fits[0].series->step.size();
                         });
    const int panels = 1 + (stepped ? static_cast<int>(params.size()) : 0);
    const int rows = panels <= 3 ? 1 : 2, cols = (panels + rows - 1) / rows;
    GnuplotFigure figure(o.figure, 560 * cols, 460 * rows);

    std::string script = "set grid\nset key top left opaque box\n";
    if (panels > 1) script += fmt::format("set multiplot layout {},{}\n", rows, cols);
    script += "set title 'W_b against W_h'\nset xlabel 'W_h'\nset ylabel 'W_b'\n";
    std::string plot;
    for (std::size_t k = 0; k < fits.size(); ++k) {
        const auto& sf = fits[k];
        std::string label = sf.series->label(alone);
        std::string data = figure.data(fmt::format("data{}.dat", k), [&](std::ostream& out) {
            for (std::size_t j = 0; j < sf.w_h.size(); ++j) fmt::print(out, "{} {}\n", sf.w_h[j], sf.w_b[j]);
        });
        std::string key = alone ? "title 'data'" : sf.fit ? "notitle" : "title " + gnuplot_quote(label + " (no fit)");
        plot += fmt::format("{}{} using 1:2 with points pt 7 ps 0.5 lc {} {}", plot.empty() ? "" : ", \\\n  ", data,
                            k + 1, key);
        if (!sf.fit) continue;
        const auto range = std::minmax_element(sf.w_h.begin(), sf.w_h.end());
        const double lo = *range.first, hi = *range.second;
        std::string curve = figure.data(fmt::format("fit{}.dat", k), [&](std::ostream& out) {
            const int n = 400;
            for (int j = 0; j <= n; ++j) {
                double w = lo + (hi - lo) * j / n;
                double v = (*sf.fit)(w);
                if (std::isfinite(v)) fmt::print(out, "{} {}\n", w, v);
            }
        });
        plot += fmt::format(", \\\n  {} using 1:2 with lines lw 1.5 lc {} title {}", curve, k + 1,
                            gnuplot_quote(alone ? "fit" : label));
    }
    script += "plot " + plot + "\n";

    if (stepped) {
        // x: the first stepped variable; one curve per combination of the others.
        const std::string xname = fits[0].series->step[0].first;
        std::map<std::vector<double>, std::vector<const SeriesFit*>> curves;
        for (const auto& sf : fits) {
            std::vector<double> rest;
            for (std::size_t j = 1; j < sf.series->step.size(); ++j) rest.push_back(sf.series->step[j].second);
            curves[rest].push_back(&sf);
        }
        for (const auto& name : params) {
            std::string data = figure.data("param_" + name + ".dat", [&](std::ostream& out) {
                for (auto& [rest, members] : curves) {
                    auto sorted = members;
                    std::sort(sorted.begin(), sorted.end(), [](const SeriesFit* a, const SeriesFit* b) {
                        return a->series->step[0].second < b->series->step[0].second;
                    });
                    for (const auto* sf : sorted) {
                        if (!sf->fit) continue;
                        for (const auto& p : parameters_of(*sf->fit))
                            if (p.name == name)
                                fmt::print(out, "{} {} {}\n", sf->series->step[0].second, p.estimate.value,
                                           std::isfinite(p.estimate.error) ? p.estimate.error : 0.0);
                    }
                    out << "\n\n";
                }
            });
            script += fmt::format("set title '{} against {}'\nset xlabel {}\nset ylabel '{}'\n{}\n", name, xname,
                                  gnuplot_quote(xname), name, curves.size() > 1 ? "set key top left opaque box" : "unset key");
            std::string pcmd;
            int block = 0;
            for (const auto& [rest, members] : curves) {
                std::string label;
                for (std::size_t j = 1; j < members.front()->series->step.size(); ++j)
                    label += fmt::format("{}{}={:.6g}", label.empty() ? "" : " ", members.front()->series->step[j].first,
                                         members.front()->series->step[j].second);
                pcmd += fmt::format("{}{} index {} using 1:2:3 with yerrorlines pt 7 lc {} {}",
                                    pcmd.empty() ? "" : ", \\\n  ", data, block, block + 1,
                                    label.empty() ? "notitle" : "title " + gnuplot_quote(label));
                ++block;
            }
            script += "plot " + pcmd + "\n";
        }
        script += "unset multiplot\n";
    }
    figure.render(script, std::cerr, std::string(kPrefix) + "gnuplot: ");
}

int fit_run(int argc, char** argv) {
    CLI::App app{"ionspice fit: fit the MTT transfer function W_b(W_h) to a raw or CSV file"};
    app.name("ionspice fit");
    FitOptions o;
    app.add_option("file", o.file, "raw file (ngspice, LTspice or Xyce layout) or CSV file")->required();
    app.add_option("--wh", o.wh, "column holding W_h");
    app.add_option("--ge", o.ge, "column holding the memory conductance G_e: W_h = ±(G_e − G_min)/(G_max − G_min)");
    app.add_option("--gmin", o.gmin.text,
                   "G_min: a number, or a column read point by point (default: the --ge column's minimum in each fit)");
    app.add_option("--gmax", o.gmax.text,
                   "G_max: a number or a column (default: the --ge column's maximum in each fit)");
    app.add_option("--sign", o.sign, "sign of W_h with --ge: + or - (default +)");
    app.add_option("--sign-col", o.sign_col, "sign of W_h with --ge from this column's sign, row by row");
    app.add_option("--wb", o.wb, "column holding W_b");
    app.add_option("--its", o.its, "column holding I_ts: W_b = I_ts/I_ts,max");
    app.add_option("--itsmax", o.itsmax.text,
                   "I_ts,max, the channel current at infinite G_e (same sign as I_ts): a number or a column");
    app.add_option("--itsmax-n", o.itsmax_n.text,
                   "I_ts,max of the - half, used where W_h < 0 (its magnitude, with --itsmax's sign; default --itsmax)");
    app.add_option("--form", o.form, "rational (A, B per sign) or ternary (A, B, r per sign)")
        ->check(CLI::IsMember({"rational", "ternary"}));
    app.add_option("--group", o.group, "one fit per value of these columns (leading step columns of a CSV file)")
        ->delimiter(',')
        ->allow_extra_args(false);
    app.add_option("--analysis", o.analysis, "use plots of this analysis (dc, tran) or whose name contains this text");
    app.add_flag("--json", o.json, "print JSON: one object per fit, values and standard errors");
    app.add_option("--plot", o.figure, "draw data and fits (and, for steps, the parameters) to FILE.png or .svg");
    if (auto status = parse_options(app, argc, argv, kPrefix)) return *status;
    auto usage = [](const std::string& what) {
        fmt::print(std::cerr, "{}error: {} (try --help)\n", kPrefix, what);
        return 2;
    };
    // SPICE numbers, so currents and conductances read as they do in a netlist (--itsmax 20u);
    // anything else names a column (--itsmax 'i(vspm)'), checked against the file below.
    for (Level* level : {&o.gmin, &o.gmax, &o.itsmax, &o.itsmax_n})
        if (level->given()) level->number = parser::parse_number(level->text);
    if (o.wh.empty() == o.ge.empty()) return usage("give W_h as exactly one of --wh COL or --ge COL");
    if (o.wb.empty() == o.its.empty()) return usage("give W_b as exactly one of --wb COL or --its COL --itsmax I");
    if (!o.its.empty() && !o.itsmax.given())
        return usage("--its needs --itsmax I|COL (the channel current at infinite G_e)");
    if ((o.itsmax.given() || o.itsmax_n.given()) && o.its.empty()) return usage("--itsmax and --itsmax-n go with --its");
    for (const Level* level : {&o.itsmax, &o.itsmax_n})
        if (level->number && (*level->number == 0 || !std::isfinite(*level->number)))
            return usage(fmt::format("I_ts,max must be a non-zero number or a column, not '{}'", level->text));
    if (o.ge.empty() && (o.gmin.given() || o.gmax.given() || !o.sign_col.empty() || app.count("--sign")))
        return usage("--gmin, --gmax, --sign and --sign-col go with --ge");
    if (o.sign != "+" && o.sign != "-") return usage("--sign is + or -");
    if (!o.sign_col.empty() && app.count("--sign")) return usage("give either --sign or --sign-col");
    if (o.gmin.number && o.gmax.number && !(*o.gmax.number > *o.gmin.number))
        return usage(fmt::format("G_max ({}) must exceed G_min ({})", o.gmax.text, o.gmin.text));

    auto plots = read_table(o.file);
    SeriesRequest request;
    for (const auto* c : {&o.wh, &o.ge, &o.sign_col, &o.wb, &o.its})
        if (!c->empty()) request.columns.push_back(*c);
    for (const Level* level : {&o.gmin, &o.gmax, &o.itsmax, &o.itsmax_n})
        if (level->is_column()) request.columns.push_back(level->text);
    request.group = o.group;
    request.analysis = o.analysis;
    request.real_only = true;  // an AC plot's complex vectors are no transfer curve
    const auto series = select_series(plots, request);

    auto warn = [](const std::string& what) { fmt::print(std::cerr, "{}warning: {}\n", kPrefix, what); };
    // Each fit normalises with its own data, but a unit's G_e,min is its reference's chord
    // conductance at Vread_H/2, not the lowest G_e swept: across bias points a default is a guess.
    if (!o.ge.empty() && series.size() > 1 && (!o.gmin.given() || !o.gmax.given()))
        warn(fmt::format("{} fits normalised with {} the '{}' column's range in each fit; a unit's G_e,min moves "
                         "with the bias: give it per point (--gmin COL, docs/mtt.md)",
                         series.size(), !o.gmin.given() ? "G_min" : "G_max", o.ge));

    const auto form = *transfer_form(o.form);  // CLI11 admitted only the two names
    const bool alone = series.size() == 1;
    std::vector<SeriesFit> fits;
    bool failed = false;
    for (const auto& s : series) {
        SeriesFit sf;
        sf.series = &s;
        try {
            normalise(sf, o);
            std::string label = s.label(alone);
            std::string where = label.empty() ? "" : label + ": ";
            sf.fit = fit_transfer(sf.w_h, sf.w_b, form);
            // Below this the form misses the data's shape, most often a normalisation that does not
            // belong to these points (the right one fits measured units to R² > 0.999).
            if (sf.fit->r2 < kPoorR2)
                warn(fmt::format("{}R2 = {:.4g} is poor: check G_min and I_ts,max for these points", where, sf.fit->r2));
        } catch (const FitError& e) {
            sf.error = e.what();
            std::string label = s.label(alone);
            fmt::print(std::cerr, "{}error: {}{}{}\n", kPrefix, label, label.empty() ? "" : ": ", sf.error);
            failed = true;
        }
        fits.push_back(std::move(sf));
    }
    // Points below G_min, one line for all fits: a sweep usually starts below every bias point's G_e,min.
    std::size_t below = 0, below_fits = 0;
    std::string first_below;
    for (const auto& sf : fits)
        if (sf.below_range) {
            below += sf.below_range, ++below_fits;
            if (first_below.empty())
                first_below = fmt::format("{}{}{} of {}", sf.series->label(alone), alone ? "" : ": ", sf.below_range,
                                          sf.series->rows.size());
        }
    if (below)
        warn(fmt::format("{} points with '{}' below G_min, outside the unit's range, left out ({}{})", below, o.ge,
                         first_below, below_fits > 1 ? fmt::format(", and in {} more fits", below_fits - 1) : ""));
    if (o.json)
        print_json(fits, o.form);
    else
        print_text(fits, alone);
    if (!o.figure.empty()) draw(fits, o, alone);
    return failed ? 1 : 0;
}

}  // namespace

int fit_main(int argc, char** argv) {
    try {
        return fit_run(argc, argv);
    } catch (const std::exception& e) {
        fmt::print(std::cerr, "{}error: {}\n", kPrefix, e.what());
        return 1;
    }
}

}  // namespace ionspice::tools
