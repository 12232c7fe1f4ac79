#include "tools/Table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "solver/RawReader.hpp"

namespace ionspice::tools {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string_view trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

/// CSV files carry no types: guess them from ngspice's names so plots get units.
std::string type_from_name(const std::string& name) {
    std::string n = lower(name);
    if (n == "time") return "time";
    if (n == "frequency") return "frequency";
    if (n.starts_with("v(")) return "voltage";
    if (n.starts_with("i(")) return "current";
    return "notype";
}

std::vector<std::string_view> split(std::string_view line) {
    std::vector<std::string_view> fields;
    while (true) {
        auto comma = line.find(',');
        fields.push_back(trim(line.substr(0, comma)));
        if (comma == std::string_view::npos) return fields;
        line.remove_prefix(comma + 1);
    }
}

solver::Plot read_csv(const std::string& path, const std::string& text) {
    solver::Plot plot;
    std::istringstream in(text);
    std::string line;
    std::size_t line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (trim(line).empty()) continue;
        auto fields = split(line);
        if (plot.variables.empty()) {
            for (auto f : fields) {
                if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
                if (f.empty()) throw std::runtime_error(fmt::format("{}:{}: empty column name in the header", path, line_no));
                plot.variables.push_back({std::string(f), type_from_name(std::string(f))});
            }
            continue;
        }
        if (fields.size() != plot.variables.size())
            throw std::runtime_error(fmt::format("{}:{}: {} values where the header names {} columns", path, line_no,
                                                 fields.size(), plot.variables.size()));
        for (auto f : fields) {
            double v = 0;
            auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
            if (f.empty() || ec != std::errc{} || end != f.data() + f.size())
                throw std::runtime_error(fmt::format("{}:{}: '{}' is not a number", path, line_no, f));
            plot.values.push_back(v);
        }
    }
    if (plot.variables.empty()) throw std::runtime_error(fmt::format("'{}' is empty", path));
    return plot;
}

std::string column_list(const solver::Plot& plot) {
    std::string s;
    for (const auto& v : plot.variables) s += (s.empty() ? "" : ", ") + v.name;
    return s;
}

}  // namespace

std::vector<solver::Plot> read_table(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path)) throw std::runtime_error(fmt::format("cannot open '{}'", path));
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (solver::looks_like_raw(std::string_view(text).substr(0, 64))) {
        auto plots = solver::read_raw(path);
        if (plots.empty()) throw std::runtime_error(fmt::format("'{}' holds no plots", path));
        return plots;
    }
    return {read_csv(path, text)};
}

int find_column(const solver::Plot& plot, const std::string& name) {
    const std::string want = lower(name);
    for (std::size_t k = 0; k < plot.variables.size(); ++k)
        if (lower(plot.variables[k].name) == want) return static_cast<int>(k);
    return -1;
}

ColumnRef resolve_column(const solver::Plot& plot, const std::string& name) {
    if (int v = find_column(plot, name); v >= 0) return {v, std::nullopt};
    // db(v(out)), mag(i(v1)), vdb(out), ip(v1): the first reading whose vector the plot has.
    for (const auto& r : solver::vector_fn_readings(lower(std::string(trim(name)))))
        if (int v = find_column(plot, r.vector); v >= 0) return {v, solver::parse_vector_fn(r.fn)};
    return {};
}

std::string Series::label(bool alone) const {
    if (!step.empty()) {
        std::string s;
        for (const auto& [name, value] : step) s += fmt::format("{}{}={:.6g}", s.empty() ? "" : " ", name, value);
        return s;
    }
    return alone ? std::string() : fmt::format("plot={}", plot_index + 1);
}

std::vector<Series> select_series(const std::vector<solver::Plot>& plots, const SeriesRequest& request) {
    std::vector<std::size_t> chosen;
    const std::string analysis = lower(request.analysis);
    // "ac" is in "DC transfer characteristic" and "tran" in its "transfer": an analysis the file
    // has is matched as an analysis, anything else in the plots' names.
    const bool by_analysis = std::any_of(plots.begin(), plots.end(),
                                         [&](const solver::Plot& p) { return lower(p.analysis) == analysis; });
    auto matches = [&](const solver::Plot& p) {
        if (analysis.empty()) return true;
        return by_analysis ? lower(p.analysis) == analysis : lower(p.name).find(analysis) != std::string::npos;
    };
    auto has_all = [&](const solver::Plot& p) {
        return std::all_of(request.columns.begin(), request.columns.end(),
                           [&](const std::string& c) { return bool(resolve_column(p, c)); }) &&
               std::all_of(request.group.begin(), request.group.end(),
                           [&](const std::string& c) { return find_column(p, c) >= 0; });
    };
    for (std::size_t k = 0; k < plots.size(); ++k) {
        if (!matches(plots[k]) || (request.real_only && plots[k].is_complex())) continue;
        if (has_all(plots[k])) chosen.push_back(k);
    }
    if (chosen.empty()) {
        if (request.real_only && std::any_of(plots.begin(), plots.end(), [&](const solver::Plot& p) {
                return matches(p) && p.is_complex() && has_all(p);
            }))
            throw std::runtime_error("only complex (AC) plots hold these columns; this command works on real data "
                                     "(.op, .dc, .tran)");
        if (!analysis.empty() && std::none_of(plots.begin(), plots.end(), matches)) {
            std::string names;
            for (const auto& p : plots) names += (names.empty() ? "'" : ", '") + p.name + "'";
            throw std::runtime_error(fmt::format("no plot named like '{}' (the file has {})", request.analysis, names));
        }
        // Name the first missing column and what each kind of plot offers instead.
        std::string missing;
        std::map<std::string, std::string> offered;
        for (const auto& p : plots) {
            if (!matches(p)) continue;
            for (const auto& c : request.columns)
                if (missing.empty() && !resolve_column(p, c)) missing = c;
            for (const auto& c : request.group)
                if (missing.empty() && find_column(p, c) < 0) missing = c;
            offered.emplace(p.name, column_list(p));
        }
        std::string available;
        if (offered.size() == 1) {
            available = offered.begin()->second;
        } else {
            for (const auto& [name, list] : offered) available += fmt::format("\n  {}: {}", name, list);
        }
        throw std::runtime_error(fmt::format("unknown column '{}'; available: {}", missing, available));
    }
    // One kind of analysis: the first plot with a sweep, so an .op beside a .dc is left out.
    auto kind = std::find_if(chosen.begin(), chosen.end(), [&](std::size_t k) { return plots[k].points() > 1; });
    const std::string& name = plots[kind == chosen.end() ? chosen.front() : *kind].name;

    std::vector<Series> series;
    for (std::size_t k : chosen) {
        const auto& plot = plots[k];
        if (plot.name != name) continue;
        std::vector<int> group;
        for (const auto& c : request.group) group.push_back(find_column(plot, c));
        // Rows with equal group values form one series, in the order the values first appear.
        std::map<std::vector<double>, std::size_t> index;
        std::size_t first = series.size();
        for (std::size_t row = 0; row < plot.points(); ++row) {
            std::vector<double> key;
            for (int g : group) {
                double v = plot.at(row, static_cast<std::size_t>(g));
                if (!std::isfinite(v))
                    throw std::runtime_error(fmt::format("non-finite value in group column '{}' at point {}",
                                                         plot.variables[static_cast<std::size_t>(g)].name, row));
                key.push_back(v);
            }
            auto [it, added] = index.emplace(key, series.size());
            if (added) {
                Series s;
                s.plot = &plot;
                s.plot_index = k;
                s.step = plot.step;
                for (std::size_t g = 0; g < group.size(); ++g)
                    s.step.emplace_back(plot.variables[static_cast<std::size_t>(group[g])].name, key[g]);
                series.push_back(std::move(s));
            }
            series[it->second].rows.push_back(row);
        }
        if (series.size() == first && plot.points() == 0) {
            Series s;
            s.plot = &plot;
            s.plot_index = k;
            s.step = plot.step;
            series.push_back(std::move(s));
        }
    }
    return series;
}

std::vector<double> column_values(const Series& series, int column) {
    std::vector<double> v;
    v.reserve(series.rows.size());
    for (std::size_t row : series.rows) v.push_back(series.plot->at(row, static_cast<std::size_t>(column)));
    return v;
}

std::vector<double> column_values(const Series& series, const ColumnRef& column) {
    if (!column.fn) return column_values(series, column.var);
    std::vector<double> v;
    v.reserve(series.rows.size());
    for (std::size_t row : series.rows)
        v.push_back(solver::apply_vector_fn(*column.fn,
                                            series.plot->complex_at(row, static_cast<std::size_t>(column.var))));
    return v;
}

std::string unit_of(const solver::Variable& variable) {
    if (variable.type == "voltage") return "V";
    if (variable.type == "current") return "A";
    if (variable.type == "time") return "s";
    if (variable.type == "frequency") return "Hz";
    return {};
}

}  // namespace ionspice::tools
