#include "solver/StepSummary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "solver/OutputWriters.hpp"

namespace ionspice::solver {

namespace {

/// Each step point's measurements (nullopt: failed), in step order, and the names in the order
/// first met.
struct MeasureRows {
    std::vector<std::string> names;
    std::vector<std::map<std::string, std::optional<double>>> rows;  ///< per step point
};

MeasureRows measure_rows(const SimulationResult& r) {
    MeasureRows out;
    const std::size_t points = std::max<std::size_t>(r.step_points.size(), 1);
    out.rows.resize(points);
    // Plots come in blocks of one per analysis for each point that ran, in step order.
    std::vector<std::size_t> row_of_ran;
    for (std::size_t k = 0; k < points; ++k)
        if (r.step_points.empty() || r.step_points[k].failure.empty()) row_of_ran.push_back(k);
    const std::size_t per_point = row_of_ran.empty() ? 1 : std::max<std::size_t>(r.plots.size() / row_of_ran.size(), 1);
    for (const MeasureResult& m : r.measures) {
        if (std::find(out.names.begin(), out.names.end(), m.name) == out.names.end()) out.names.push_back(m.name);
        const std::size_t ran = std::min(m.plot / per_point, row_of_ran.size() - 1);
        out.rows[row_of_ran[ran]][m.name] = m.value;
    }
    return out;
}

std::string csv_quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

/// numpy.quantile's default: linear between the order statistics around (n − 1)·q.
double quantile(const std::vector<double>& sorted, double q) {
    const double h = static_cast<double>(sorted.size() - 1) * q;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    if (lo + 1 >= sorted.size()) return sorted.back();
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

}  // namespace

void write_measure_table(std::ostream& out, const SimulationResult& r) {
    const MeasureRows t = measure_rows(r);
    std::string line;
    auto cell = [&](std::string_view s) {
        if (!line.empty()) line += ',';
        line += s;
    };
    if (!r.step_points.empty())
        for (const auto& [name, value] : r.step_points.front().values) cell(name);
    for (const auto& name : t.names) cell(name);
    cell("status");
    fmt::print(out, "{}\n", line);
    for (std::size_t k = 0; k < t.rows.size(); ++k) {
        line.clear();
        const StepOutcome* point = r.step_points.empty() ? nullptr : &r.step_points[k];
        if (point)
            for (const auto& [name, value] : point->values) cell(fmt::format("{}", value));
        for (const auto& name : t.names) {
            const auto v = t.rows[k].find(name);
            cell(v != t.rows[k].end() && v->second ? fmt::format("{}", *v->second) : "");
        }
        if (point && !point->failure.empty()) {
            // The first line: a located error's source line and caret follow it.
            cell(csv_quoted("failed: " + point->failure.substr(0, point->failure.find('\n'))));
        } else {
            cell("ok");
        }
        fmt::print(out, "{}\n", line);
    }
}

std::vector<MeasureStatistics> monte_carlo_statistics(const SimulationResult& r) {
    std::vector<MeasureStatistics> out;
    if (r.monte_carlo_runs == 0) return out;
    const MeasureRows t = measure_rows(r);
    // Groups (the other stepped variables' values) in the order first met.
    std::vector<std::vector<std::pair<std::string, double>>> groups;
    std::vector<std::size_t> group_of(t.rows.size());
    for (std::size_t k = 0; k < t.rows.size(); ++k) {
        std::vector<std::pair<std::string, double>> g;
        for (const auto& v : r.step_points[k].values)
            if (v.first != parser::kMonteCarloVariable) g.push_back(v);
        auto it = std::find(groups.begin(), groups.end(), g);
        group_of[k] = static_cast<std::size_t>(it - groups.begin());
        if (it == groups.end()) groups.push_back(std::move(g));
    }
    for (std::size_t g = 0; g < groups.size(); ++g)
        for (const auto& name : t.names) {
            MeasureStatistics s;
            s.group = groups[g];
            s.name = name;
            std::vector<double> v;
            for (std::size_t k = 0; k < t.rows.size(); ++k) {
                if (group_of[k] != g) continue;
                const auto it = t.rows[k].find(name);
                if (it != t.rows[k].end() && it->second)
                    v.push_back(*it->second);
                else
                    ++s.missing;
            }
            s.values = v.size();
            constexpr double nan = std::numeric_limits<double>::quiet_NaN();
            if (v.empty()) {
                s.mean = s.sigma = s.min = s.max = nan;
                s.quantiles.fill(nan);
            } else {
                double sum = 0;
                for (double x : v) sum += x;
                s.mean = sum / static_cast<double>(v.size());
                double ss = 0;
                for (double x : v) ss += (x - s.mean) * (x - s.mean);
                s.sigma = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : nan;
                std::sort(v.begin(), v.end());
                s.min = v.front();
                s.max = v.back();
                for (std::size_t q = 0; q < kQuantiles.size(); ++q) s.quantiles[q] = quantile(v, kQuantiles[q]);
            }
            out.push_back(std::move(s));
        }
    return out;
}

void print_statistics(std::ostream& out, const std::vector<MeasureStatistics>& stats, std::size_t runs) {
    fmt::print(out, "Monte Carlo: {} runs\n", runs);
    const std::vector<std::pair<std::string, double>>* group = nullptr;
    for (const auto& s : stats) {
        if (!group || *group != s.group) {
            group = &s.group;
            if (!s.group.empty()) fmt::print(out, "{}:\n", step_label(s.group));
            fmt::print(out, "{:<20} {:>6} {:>6} {:>13} {:>13} {:>13} {:>13} {:>13} {:>13} {:>13} {:>13} {:>13}\n",
                       "measure", "values", "failed", "mean", "sigma", "min", "5%", "25%", "median", "75%", "95%",
                       "max");
        }
        fmt::print(out, "{:<20} {:>6} {:>6} {:>13.6e} {:>13.6e} {:>13.6e}", s.name, s.values, s.missing, s.mean,
                   s.sigma, s.min);
        for (double q : s.quantiles) fmt::print(out, " {:>13.6e}", q);
        fmt::print(out, " {:>13.6e}\n", s.max);
    }
}

void write_statistics_csv(std::ostream& out, const std::vector<MeasureStatistics>& stats) {
    std::string head;
    if (!stats.empty())
        for (const auto& [name, value] : stats.front().group) head += name + ",";
    fmt::print(out, "{}measure,values,missing,mean,sigma,min,p5,p25,median,p75,p95,max\n", head);
    for (const auto& s : stats) {
        for (const auto& [name, value] : s.group) fmt::print(out, "{},", value);
        fmt::print(out, "{},{},{},{},{},{}", s.name, s.values, s.missing, s.mean, s.sigma, s.min);
        for (double q : s.quantiles) fmt::print(out, ",{}", q);
        fmt::print(out, ",{}\n", s.max);
    }
}

}  // namespace ionspice::solver
