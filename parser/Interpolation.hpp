#pragma once
// The two piecewise-linear functions of ngspice's expressions, each written once for the
// .param evaluator and the behavioural sources (which also need the slope):
//   pwl(x, x1, y1, x2, y2, …)   B-source pwl (ngspice's PTpwl): linear between the points,
//                               extended beyond the ends along the end segments;
//   E/G `table {x} = (x1, y1) …` ngspice turns into XSPICE's pwl code model with limit=TRUE,
//                               input_domain=0.1, fraction=TRUE: constant beyond the ends,
//                               each corner rounded by a parabola over ±10 % of its shorter
//                               neighbouring segment.
// `xy` holds x1, y1, x2, y2, … with at least two points and x increasing (checked by callers).

#include <algorithm>
#include <cstddef>

namespace ionspice::parser {

/// What is wrong with the points `xy` (x1, y1, x2, y2, …), or null: an odd count, fewer than
/// two points, x not strictly increasing (pwl also takes them strictly decreasing, as ngspice).
inline const char* points_problem(const double* xy, std::size_t count, bool decreasing_ok) {
    if (count % 2 != 0) return "needs (x, y) pairs: an odd number of values was given";
    if (count < 4) return "needs at least two (x, y) points";
    const bool down = decreasing_ok && xy[2] < xy[0];
    for (std::size_t k = 2; k < count; k += 2)
        if (down ? !(xy[k] < xy[k - 2]) : !(xy[k] > xy[k - 2]))
            return decreasing_ok ? "needs its x values strictly increasing or strictly decreasing"
                                 : "needs its x values strictly increasing";
    return nullptr;
}

inline double pwl_value(double x, const double* xy, std::size_t points, double* slope) {
    // The segment [k, k+1] holding x; the end segments take x beyond the ends.
    const bool down = xy[2] < xy[0];
    auto beyond = [&](std::size_t i) { return down ? x <= xy[2 * i] : x >= xy[2 * i]; };
    std::size_t k = 0;
    while (k + 2 < points && beyond(k + 1)) ++k;
    const double x0 = xy[2 * k], y0 = xy[2 * k + 1], x1 = xy[2 * k + 2], y1 = xy[2 * k + 3];
    const double s = (y1 - y0) / (x1 - x0);
    if (slope) *slope = s;
    return y0 + (x - x0) * s;
}

inline double table_value(double x, const double* xy, std::size_t points, double* slope) {
    // XSPICE pads the table with a point beyond each end at the end value (limit=TRUE).
    auto px = [&](std::size_t i) {  // padded index 0 … points+1
        if (i == 0) return 2 * xy[0] - xy[2];
        if (i == points + 1) return 2 * xy[2 * (points - 1)] - xy[2 * (points - 2)];
        return xy[2 * (i - 1)];
    };
    auto py = [&](std::size_t i) {
        if (i == 0) return xy[1];
        if (i == points + 1) return xy[2 * (points - 1) + 1];
        return xy[2 * (i - 1) + 1];
    };
    const std::size_t size = points + 2;
    double out = 0, d = 0;
    if (x <= (px(0) + px(1)) / 2) {
        d = (py(1) - py(0)) / (px(1) - px(0));
        out = py(0) + (x - px(0)) * d;
    } else if (x >= (px(size - 2) + px(size - 1)) / 2) {
        d = (py(size - 1) - py(size - 2)) / (px(size - 1) - px(size - 2));
        out = py(size - 1) + (x - px(size - 1)) * d;
    } else {
        std::size_t i = 1;
        while (i + 1 < size && !(x < (px(i) + px(i + 1)) / 2)) ++i;
        const double lower = px(i) - px(i - 1), upper = px(i + 1) - px(i);
        const double domain = 0.1 * std::min(lower, upper);
        const double s_lo = (py(i) - py(i - 1)) / lower, s_hi = (py(i + 1) - py(i)) / upper;
        if (x < px(i) - domain) {
            d = s_lo;
            out = py(i) + (x - px(i)) * d;
        } else if (x < px(i) + domain) {
            // XSPICE's cm_smooth_corner: the parabola meeting both slopes at ±domain.
            const double xu = px(i) + domain, yu = py(i) + s_hi * domain;
            const double a = (s_hi - s_lo) / 4 / domain, b = s_hi - 2 * a * xu, c = yu - a * xu * xu - b * xu;
            out = a * x * x + b * x + c;
            d = 2 * a * x + b;
        } else {
            d = s_hi;
            out = py(i) + (x - px(i)) * d;
        }
    }
    if (slope) *slope = d;
    return out;
}

}  // namespace ionspice::parser
