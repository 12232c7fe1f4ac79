// `ionspice fit FILE`: the MTT transfer parameters (A_p, B_p, A_n, B_n, and r for the ternary
// form; docs/circuits.md §1, tools/TransferFit.hpp) fitted to a raw or CSV file, one fit per
// plot or step. W_h and W_b are columns of the file or are normalised from G_e and I_ts.

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
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

struct FitOptions {
    std::string file, wh, ge, sign = "+", sign_col, wb, its, form = "rational", analysis, figure;
    std::string gmin_text, gmax_text, itsmax_text;  ///< SPICE numbers: "40u"
    std::optional<double> gmin, gmax, itsmax;
    std::vector<std::string> group;
    bool json = false;
};

/// One series' normalised data and its fit, or why there is none.
struct SeriesFit {
    const Series* series = nullptr;
    std::vector<double> w_h, w_b;
    std::optional<TransferFit> fit;
    std::string error;
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

/// W_h and W_b of one series, normalised as the options say.
void normalise(SeriesFit& sf, const FitOptions& o, double gmin, double gmax) {
    const auto& s = *sf.series;
    auto values = [&](const std::string& col) {
        auto v = column_values(s, find_column(*s.plot, col));
        check_finite(v, s, col);
        return v;
    };
    if (!o.wh.empty()) {
        sf.w_h = values(o.wh);
    } else {
        // W_h = ±(G_e − G_e,min)/(G_e,max − G_e,min)
        auto g = values(o.ge);
        std::vector<double> sign(g.size(), o.sign == "-" ? -1.0 : 1.0);
        if (!o.sign_col.empty()) {
            auto sc = values(o.sign_col);
            for (std::size_t k = 0; k < g.size(); ++k) sign[k] = sc[k] < 0 ? -1.0 : 1.0;
        }
        sf.w_h.resize(g.size());
        for (std::size_t k = 0; k < g.size(); ++k) sf.w_h[k] = sign[k] * (g[k] - gmin) / (gmax - gmin);
    }
    if (!o.wb.empty()) {
        sf.w_b = values(o.wb);
    } else {
        // W_b = I_ts/I_ts,max
        sf.w_b = values(o.its);
        for (double& v : sf.w_b) v /= *o.itsmax;
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
    app.add_option("file", o.file, "raw (ngspice layout) or CSV file")->required();
    app.add_option("--wh", o.wh, "column holding W_h");
    app.add_option("--ge", o.ge, "column holding the memory conductance G_e: W_h = ±(G_e − G_min)/(G_max − G_min)");
    app.add_option("--gmin", o.gmin_text, "G_min (default: the --ge column's minimum over the file)");
    app.add_option("--gmax", o.gmax_text, "G_max (default: the --ge column's maximum over the file)");
    app.add_option("--sign", o.sign, "sign of W_h with --ge: + or - (default +)");
    app.add_option("--sign-col", o.sign_col, "sign of W_h with --ge from this column's sign, row by row");
    app.add_option("--wb", o.wb, "column holding W_b");
    app.add_option("--its", o.its, "column holding I_ts: W_b = I_ts/I_ts,max");
    app.add_option("--itsmax", o.itsmax_text, "I_ts,max, the channel current at infinite G_e (same sign as I_ts)");
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
    // SPICE numbers, so currents and conductances read as they do in a netlist: --itsmax 20u.
    auto number = [&](const std::string& text, std::optional<double>& value, const char* name) {
        if (text.empty()) return true;
        value = parser::parse_number(text);
        if (!value) usage(fmt::format("{}: '{}' is not a number", name, text));
        return value.has_value();
    };
    if (!number(o.gmin_text, o.gmin, "--gmin") || !number(o.gmax_text, o.gmax, "--gmax") ||
        !number(o.itsmax_text, o.itsmax, "--itsmax"))
        return 2;
    if (o.wh.empty() == o.ge.empty()) return usage("give W_h as exactly one of --wh COL or --ge COL");
    if (o.wb.empty() == o.its.empty()) return usage("give W_b as exactly one of --wb COL or --its COL --itsmax I");
    if (!o.its.empty() && !o.itsmax) return usage("--its needs --itsmax I (the channel current at infinite G_e)");
    if (o.itsmax && (o.its.empty() || *o.itsmax == 0 || !std::isfinite(*o.itsmax)))
        return usage("--itsmax goes with --its and must be a non-zero number");
    if (o.ge.empty() && (o.gmin || o.gmax || !o.sign_col.empty() || app.count("--sign")))
        return usage("--gmin, --gmax, --sign and --sign-col go with --ge");
    if (o.sign != "+" && o.sign != "-") return usage("--sign is + or -");
    if (!o.sign_col.empty() && app.count("--sign")) return usage("give either --sign or --sign-col");

    auto plots = read_table(o.file);
    SeriesRequest request;
    for (const auto* c : {&o.wh, &o.ge, &o.sign_col, &o.wb, &o.its})
        if (!c->empty()) request.columns.push_back(*c);
    request.group = o.group;
    request.analysis = o.analysis;
    request.real_only = true;  // an AC plot's complex vectors are no transfer curve
    const auto series = select_series(plots, request);

    double gmin = 0, gmax = 0;
    if (!o.ge.empty()) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (const auto& s : series)
            for (double g : column_values(s, find_column(*s.plot, o.ge)))
                if (std::isfinite(g)) lo = std::min(lo, g), hi = std::max(hi, g);
        gmin = o.gmin.value_or(lo);
        gmax = o.gmax.value_or(hi);
        if (!(gmax > gmin))
            throw std::runtime_error(fmt::format("G_max ({}) must exceed G_min ({}) to normalise '{}'", gmax, gmin, o.ge));
    }

    const auto form = *transfer_form(o.form);  // CLI11 admitted only the two names
    const bool alone = series.size() == 1;
    std::vector<SeriesFit> fits;
    bool failed = false;
    for (const auto& s : series) {
        SeriesFit sf;
        sf.series = &s;
        try {
            normalise(sf, o, gmin, gmax);
            sf.fit = fit_transfer(sf.w_h, sf.w_b, form);
        } catch (const FitError& e) {
            sf.error = e.what();
            std::string label = s.label(alone);
            fmt::print(std::cerr, "{}error: {}{}{}\n", kPrefix, label, label.empty() ? "" : ": ", sf.error);
            failed = true;
        }
        fits.push_back(std::move(sf));
    }
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
