#include "solver/Measure.hpp"

#include "solver/BehaviouralFunction.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "solver/OutputWriters.hpp"

namespace ionspice::solver {

namespace {

using Cross = parser::Measure::Cross;
using Kind = parser::Measure::Kind;

/// A failed measurement: the reason, reported instead of a value.
struct Failed {
    std::string why;
};

struct Series {
    std::vector<double> x, y;

    /// y at x = at, linear between points.
    double at(double t) const {
        if (t < x.front() || t > x.back())
            throw Failed{fmt::format("{:g} is outside the analysis ({:g} to {:g})", t, x.front(), x.back())};
        const auto k = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), t) - x.begin());
        if (k == 0) return y.front();
        if (k >= x.size()) return y.back();
        const double u = x[k] == x[k - 1] ? 1.0 : (t - x[k - 1]) / (x[k] - x[k - 1]);
        return y[k - 1] + u * (y[k] - y[k - 1]);
    }
};

Series series(const Plot& p, const std::string& name) {
    Series s;
    if (p.is_complex()) {
        // An AC vector through ngspice's functions (vdb(out), vp(out)); bare, its real part, as
        // ngspice measures it.
        int v = p.find(name);
        std::string fn = "r";
        for (const auto& r : vector_fn_readings(name))
            if (v < 0 && (v = p.find(r.vector)) >= 0) fn = r.fn;
        if (v < 0) throw Failed{fmt::format("no vector '{}'", name)};
        s.y = derived_column(p, v, fn);
        for (std::size_t k = 0; k < p.points(); ++k) s.x.push_back(p.at(k, 0));
    } else {
        const int v = p.find(name);
        if (v < 0) throw Failed{fmt::format("no vector '{}'", name)};
        for (std::size_t k = 0; k < p.points(); ++k) {
            s.x.push_back(p.at(k, 0));
            s.y.push_back(p.at(k, static_cast<std::size_t>(v)));
        }
    }
    if (s.x.empty()) throw Failed{"the analysis has no points"};
    return s;
}

/// Where `c` is met: the count-th (or last) crossing of its value (or of its other vector) in
/// its direction after td.
double crossing(const Plot& p, const Cross& c) {
    const Series s = series(p, c.vector);
    std::vector<double> level(s.x.size(), c.value);
    if (!c.other.empty()) level = series(p, c.other).y;  // the same plot: the same points
    int seen = 0;
    std::optional<double> last;
    for (std::size_t k = 1; k < s.x.size(); ++k) {
        const double a = s.y[k - 1] - level[k - 1], b = s.y[k] - level[k];
        const bool rise = a < 0 && b >= 0, fall = a > 0 && b <= 0;
        if (!(c.edge == Cross::Edge::Rise ? rise : c.edge == Cross::Edge::Fall ? fall : rise || fall)) continue;
        const double t = a == b ? s.x[k] : s.x[k - 1] + (s.x[k] - s.x[k - 1]) * a / (a - b);
        if (t < c.td) continue;
        if (c.last) {
            last = t;
        } else if (++seen == c.count) {
            return t;
        }
    }
    if (last) return *last;
    const char* edge = c.edge == Cross::Edge::Rise ? "rise" : c.edge == Cross::Edge::Fall ? "fall" : "crossing";
    const std::string target = c.other.empty() ? fmt::format("{:g}", c.value) : c.other;
    throw Failed{c.last ? fmt::format("{} never reaches {}", c.vector, target)
                        : fmt::format("{} has {} {}{} through {}, not {}", c.vector, seen, edge,
                                      seen == 1 ? "" : "s", target, c.count)};
}

double statistic(const Plot& p, const parser::Measure& m) {
    const Series s = series(p, m.vector);
    // A window reaching past the analysis is cut to it, as ngspice does.
    const double from = std::max(m.from.value_or(s.x.front()), s.x.front());
    const double to = std::min(m.to.value_or(s.x.back()), s.x.back());
    if (!(to > from) && m.kind != Kind::Max && m.kind != Kind::Min && m.kind != Kind::Pp)
        throw Failed{fmt::format("the window from {:g} to {:g} is empty", from, to)};
    // The window's points, with the values at its ends interpolated.
    std::vector<double> x{from}, y{s.at(from)};
    for (std::size_t k = 0; k < s.x.size(); ++k)
        if (s.x[k] > from && s.x[k] < to) x.push_back(s.x[k]), y.push_back(s.y[k]);
    if (to > from) x.push_back(to), y.push_back(s.at(to));
    switch (m.kind) {
    case Kind::Max: return *std::max_element(y.begin(), y.end());
    case Kind::Min: return *std::min_element(y.begin(), y.end());
    case Kind::Pp: return *std::max_element(y.begin(), y.end()) - *std::min_element(y.begin(), y.end());
    default: break;
    }
    // Trapezoids; for RMS the square of a linear piece integrated exactly.
    double integ = 0, integ2 = 0;
    for (std::size_t k = 1; k < x.size(); ++k) {
        const double h = x[k] - x[k - 1], a = y[k - 1], b = y[k];
        integ += h * (a + b) / 2;
        integ2 += h * (a * a + a * b + b * b) / 3;
    }
    if (m.kind == Kind::Integ) return integ;
    if (m.kind == Kind::Avg) return integ / (to - from);
    return std::sqrt(integ2 / (to - from));
}

}  // namespace

namespace {

/// PARAM: the expression of .params (numbers by now) and earlier measurements, evaluated as a B
/// source's expression is.
double parameter(const parser::Measure& m, std::span<const MeasureResult> earlier) {
    std::vector<double> u;
    for (const std::string& name : m.expr->names) {
        const MeasureResult* found = nullptr;
        for (const MeasureResult& e : earlier)
            if (e.name == name) found = &e;
        if (!found) throw Failed{fmt::format("'{}' is not measured before it", name)};
        if (!found->value) throw Failed{fmt::format("'{}' failed", name)};
        u.push_back(*found->value);
    }
    const auto f = make_behavioural_function(*m.expr);
    std::vector<double> grad(f->inputs());
    const double v = f->eval(u.data(), 0.0, grad.data());
    if (!std::isfinite(v)) throw Failed{fmt::format("the expression is {}", v)};
    return v;
}

}  // namespace

MeasureResult evaluate_measure(const Plot& plot, const parser::Measure& m, std::span<const MeasureResult> earlier) {
    MeasureResult r;
    r.name = m.name;
    try {
        switch (m.kind) {
        case Kind::Param: r.value = parameter(m, earlier); break;
        case Kind::Find: r.value = series(plot, m.vector).at(m.at ? *m.at : crossing(plot, *m.when)); break;
        case Kind::When: r.value = crossing(plot, *m.when); break;
        case Kind::Delay: r.value = crossing(plot, *m.targ) - crossing(plot, *m.trig); break;
        default: r.value = statistic(plot, m); break;
        }
    } catch (const Failed& f) {
        r.failure = f.why;
    }
    return r;
}

std::vector<MeasureResult> measure_plot(const Plot& plot, std::size_t index,
                                        const std::vector<parser::Measure>& measures) {
    std::vector<MeasureResult> out;
    for (const auto& m : measures) {
        if (m.analysis != plot.analysis) continue;
        MeasureResult r = evaluate_measure(plot, m, out);
        r.plot = index;
        out.push_back(std::move(r));
    }
    return out;
}

std::string format_measure(const MeasureResult& r) {
    if (r.value) return fmt::format("{:<20} = {:.6e}", r.name, *r.value);
    return fmt::format("{:<20} : failed ({})", r.name, r.failure);
}

}  // namespace ionspice::solver
