#include "solver/OutputWriters.hpp"

#include <charconv>
#include <ctime>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace ionspice::solver {

int Plot::find(const std::string& name) const {
    for (std::size_t k = 0; k < variables.size(); ++k)
        if (variables[k].name == name) return static_cast<int>(k);
    return -1;
}

std::string raw_date() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S  %Y", &tm);
    return buf;
}

void write_raw(std::ostream& out, const std::vector<Plot>& plots, bool ascii) {
    for (const auto& p : plots) {
        fmt::print(out, "Title: {}\n", p.title);
        fmt::print(out, "Date: {}\n", p.date.empty() ? raw_date() : p.date);
        fmt::print(out, "Plotname: {}\n", p.name);
        fmt::print(out, "Flags: real\n");
        fmt::print(out, "No. Variables: {}\n", p.variables.size());
        fmt::print(out, "No. Points: {:<8}\n", p.points());
        fmt::print(out, "Variables:\n");
        for (std::size_t k = 0; k < p.variables.size(); ++k)
            fmt::print(out, "\t{}\t{}\t{}\n", k, p.variables[k].name, p.variables[k].type);
        if (ascii) {
            fmt::print(out, "Values:\n");
            const std::size_t nv = p.variables.size();
            for (std::size_t pt = 0; pt < p.points(); ++pt)
                for (std::size_t v = 0; v < nv; ++v) {
                    if (v == 0)
                        fmt::print(out, "{}\t\t{:.15e}\n", pt, p.values[pt * nv]);
                    else
                        fmt::print(out, "\t{:.15e}\n", p.values[pt * nv + v]);
                }
        } else {
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
    for (const Plot* p : plots) {
        bool same = p->step.size() == first.step.size() && p->variables.size() == nv;
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
    for (const auto& var : first.variables) {
        sep();
        fmt::format_to(std::back_inserter(buf), "{}", var.name);
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
            for (std::size_t v = 0; v < nv; ++v)
                fmt::format_to(std::back_inserter(buf), "{}{}", v ? "," : "", p->at(pt, v));
            buf.push_back('\n');
            out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        }
    }
}

void print_table(std::ostream& out, const Plot& plot, const std::vector<int>& columns) {
    if (!plot.step.empty()) fmt::print(out, "step: {}\n", step_label(plot.step));
    if (plot.points() == 1 && plot.name == "Operating Point") {
        std::size_t width = 0;
        for (int c : columns) width = std::max(width, plot.variables[c].name.size());
        for (int c : columns) fmt::print(out, "{:<{}} = {:.6g}\n", plot.variables[c].name, width, plot.at(0, c));
        return;
    }
    fmt::print(out, "{:>5}", "index");
    for (int c : columns) fmt::print(out, " {:>15}", plot.variables[c].name);
    out << '\n';
    for (std::size_t pt = 0; pt < plot.points(); ++pt) {
        fmt::print(out, "{:>5}", pt);
        for (int c : columns) fmt::print(out, " {:>15.8e}", plot.at(pt, c));
        out << '\n';
    }
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
