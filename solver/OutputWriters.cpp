#include "solver/OutputWriters.hpp"

#include <ctime>

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

void write_csv(std::ostream& out, const Plot& plot) {
    const std::size_t nv = plot.variables.size();
    for (std::size_t v = 0; v < nv; ++v) fmt::print(out, "{}{}", v ? "," : "", plot.variables[v].name);
    out << '\n';
    fmt::memory_buffer buf;
    for (std::size_t pt = 0; pt < plot.points(); ++pt) {
        buf.clear();
        for (std::size_t v = 0; v < nv; ++v) fmt::format_to(std::back_inserter(buf), "{}{}", v ? "," : "", plot.at(pt, v));
        buf.push_back('\n');
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    }
}

void print_table(std::ostream& out, const Plot& plot, const std::vector<int>& columns) {
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

}  // namespace ionspice::solver
