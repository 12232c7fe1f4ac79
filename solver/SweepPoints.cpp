#include "solver/SweepPoints.hpp"

#include <cassert>
#include <cmath>

namespace ionspice::solver {

std::vector<double> sweep_values(const parser::SweepSpec& s) {
    std::vector<double> v;
    switch (s.kind) {
    case parser::SweepSpec::Kind::List: return s.list;
    case parser::SweepSpec::Kind::Lin: {
        assert(s.step != 0);
        double span = (s.stop - s.start) / s.step;
        assert(span >= -1e-9);
        auto count = static_cast<long>(std::floor(span + 1e-9)) + 1;
        assert(count <= 100'000'000);
        for (long k = 0; k < count; ++k) v.push_back(s.start + static_cast<double>(k) * s.step);
        return v;
    }
    case parser::SweepSpec::Kind::Dec:
    case parser::SweepSpec::Kind::Oct: {
        assert(s.start > 0 && s.stop > 0 && s.step >= 1);
        double base = s.kind == parser::SweepSpec::Kind::Dec ? 10.0 : 2.0;
        double ratio = std::pow(base, 1.0 / s.step);
        double dir = s.stop >= s.start ? 1 : -1;
        auto count = static_cast<long>(std::floor(std::log(s.stop / s.start) / std::log(ratio) * dir + 1e-9)) + 1;
        for (long k = 0; k < count; ++k) v.push_back(s.start * std::pow(ratio, dir * static_cast<double>(k)));
        return v;
    }
    }
    return v;
}

std::vector<double> frequency_points(const parser::FrequencySweep& f, FrequencyGrid grid) {
    using Kind = parser::FrequencySweep::Kind;
    const double reltol = 1e-3;  // ngspice's margin past fstop, in units of the step
    std::vector<double> out;
    if (f.kind == Kind::Lin) {
        // One point when N is 1 or the range is empty.
        const double delta = f.points > 1 ? (f.fstop - f.fstart) / static_cast<double>(f.points - 1) : 0.0;
        if (delta == 0) return {f.fstart};
        for (double fr = f.fstart; fr <= f.fstop + delta * reltol; fr += delta) out.push_back(fr);
        return out;
    }
    double delta;
    if (f.kind == Kind::Oct) {
        delta = std::exp(std::log(2.0) / static_cast<double>(f.points));
    } else if (grid == FrequencyGrid::PerDecade || f.fstop / 10 < f.fstart) {
        // Less than a decade: N per decade from fstart.
        if (f.fstop == f.fstart) return {f.fstart};  // ngspice: one point
        delta = std::exp(std::log(10.0) / static_cast<double>(f.points));
    } else {
        // A whole number of steps, so that the last frequency is fstop itself.
        const double steps = std::floor(std::fabs(std::log10(f.fstop / f.fstart)) * static_cast<double>(f.points));
        delta = std::exp(std::log(f.fstop / f.fstart) / steps);
    }
    const double tol = delta * f.fstop * reltol;
    // Multiplied point by point as ngspice does, so that both give the same frequencies.
    for (double fr = f.fstart; fr <= f.fstop + tol; fr *= delta) out.push_back(fr);
    return out;
}

}  // namespace ionspice::solver
