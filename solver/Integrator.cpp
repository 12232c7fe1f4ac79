#include "solver/Integrator.hpp"

#include <algorithm>
#include <cmath>

namespace ionspice::solver {

int Integrator::order(bool after_breakpoint, std::size_t history) const {
    if (after_breakpoint || history < 2 || method_ == IntegrationMethod::Euler) return 1;
    return std::min(maxord_, 2);
}

double Integrator::coefficients(int order, double h, const std::deque<HistoryPoint>& history,
                                std::vector<double>& beta) const {
    const HistoryPoint& p0 = history.back();
    const std::size_t n = p0.q.size();
    beta.resize(n);
    if (order == 1) {
        const double a = 1.0 / h;
        for (std::size_t i = 0; i < n; ++i) beta[i] = -a * p0.q[i];
        return a;
    }
    if (method_ == IntegrationMethod::Trapezoidal) {
        const double a = 2.0 / h;
        for (std::size_t i = 0; i < n; ++i) beta[i] = -a * p0.q[i] - p0.qdot[i];
        return a;
    }
    const HistoryPoint& p1 = history[history.size() - 2];
    const double w = h / (p0.time - p1.time);
    const double a = (1 + 2 * w) / (h * (1 + w));
    const double b0 = -(1 + w) / h;
    const double b1 = w * w / (h * (1 + w));
    for (std::size_t i = 0; i < n; ++i) beta[i] = b0 * p0.q[i] + b1 * p1.q[i];
    return a;
}

int RingingFilter::apply(HistoryPoint& p, const std::deque<HistoryPoint>& history,
                         const std::vector<double>& tol_abs_rate, double reltol) {
    if (history.size() < 2) return reset(), 0;
    const HistoryPoint& p1 = history.back();
    const HistoryPoint& p2 = history[history.size() - 2];
    const double h1 = p.time - p1.time, h2 = p1.time - p2.time;
    const std::size_t n = p.q.size();
    e0_.resize(n);
    int corrected = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double s1 = (p.q[i] - p1.q[i]) / h1, s2 = (p1.q[i] - p2.q[i]) / h2;
        double e = p.qdot[i] - (s1 + h1 * (s1 - s2) / (h1 + h2));
        if (seen_ >= 2) {
            const double a = e - e1_[i], b = e1_[i] - e2_[i];
            const double r = (a - b) / 4;
            // Ringing flips the sign of e's differences at equal size; a real change of e's
            // smooth part (the parabola's own error through a fast edge) rarely does: the two
            // differences must cancel to a tenth of the smaller.
            const bool alternating = a * b < 0 && std::fabs(a + b) <= 0.1 * std::min(std::fabs(a), std::fabs(b));
            if (alternating && std::fabs(r) > tol_abs_rate[i] + reltol * std::fabs(p.qdot[i])) {
                p.qdot[i] -= r;
                e -= r;
                ++corrected;
            }
        }
        e0_[i] = e;
    }
    std::swap(e2_, e1_);
    std::swap(e1_, e0_);
    ++seen_;
    return corrected;
}

double Integrator::error_ratio(int order, const HistoryPoint& c, const std::deque<HistoryPoint>& history,
                               const std::vector<double>& tol_abs_rate, const std::vector<double>& tol_abs_q,
                               const SimOptions& o, int* worst_row) const {
    const std::size_t need = static_cast<std::size_t>(order) + 1;  // accepted points besides the candidate
    if (history.size() < need) return 0;
    // Points newest first: the candidate, then the history backwards.
    const HistoryPoint* pts[4] = {&c, nullptr, nullptr, nullptr};
    for (std::size_t k = 1; k <= need; ++k) pts[k] = &history[history.size() - k];
    const double h = c.time - pts[1]->time;
    const std::size_t n = c.q.size();
    double worst = 0;
    for (std::size_t i = 0; i < n; ++i) {
        // Rows without charge (most rows of a resistive network) have nothing to estimate.
        bool charged = false;
        for (std::size_t k = 0; k <= need; ++k) charged |= pts[k]->q[i] != 0;
        if (!charged) continue;
        // Divided differences of order need (= order + 1) over need + 1 points.
        double dd[4];
        for (std::size_t k = 0; k <= need; ++k) dd[k] = pts[k]->q[i];
        for (std::size_t lvl = 1; lvl <= need; ++lvl)
            for (std::size_t k = 0; k + lvl <= need; ++k)
                dd[k] = (dd[k] - dd[k + 1]) / (pts[k]->time - pts[k + lvl]->time);
        const double d = std::fabs(dd[0]);
        if (d == 0) continue;
        double err;
        if (order == 1) err = h * d;
        else if (method_ == IntegrationMethod::Trapezoidal) err = h * h * d / 2;
        else err = 4.0 / 3.0 * h * h * d;
        const HistoryPoint& p0 = *pts[1];
        const double rate_tol = tol_abs_rate[i] + o.reltol * std::max(std::fabs(c.qdot[i]), std::fabs(p0.qdot[i]));
        const double q_tol = (o.reltol * std::max(std::fabs(c.q[i]), std::fabs(p0.q[i])) + tol_abs_q[i]) / h;
        const double ratio = err / (o.trtol * std::max(rate_tol, q_tol));
        if (ratio > worst) {
            worst = ratio;
            if (worst_row) *worst_row = static_cast<int>(i);
        }
    }
    return worst;
}

double Integrator::solution_error_ratio(int order, double t, const std::vector<double>& x,
                                       const std::deque<std::vector<double>>& xs,
                                       const std::deque<HistoryPoint>& history, std::size_t usable,
                                       const std::vector<double>& tol_abs, double reltol) const {
    const std::size_t need = static_cast<std::size_t>(order) + 1;
    if (std::min({usable, xs.size(), history.size()}) < need) return 0;
    // The predictor through the newest `need` points (Lagrange weights w at t) misses x by
    // x^(k+1)/(k+1)!·Π(t − t_j); the formula's local error is C·h^(k+1)·x^(k+1). So the local
    // error is (x − predicted)·C·(k+1)!·h^(k+1)/Π(t − t_j), with C = 1/2 (BE), 1/12
    // (trapezoidal), 2/9 (BDF2).
    double tj[3] = {}, w[3] = {};
    for (std::size_t j = 0; j < need; ++j) tj[j] = history[history.size() - 1 - j].time;
    double span = 1;
    for (std::size_t j = 0; j < need; ++j) {
        w[j] = 1;
        for (std::size_t m = 0; m < need; ++m)
            if (m != j) w[j] *= (t - tj[m]) / (tj[j] - tj[m]);
        span *= t - tj[j];
    }
    const double h = t - tj[0];
    const double scale = order == 1 ? h * h / span
                         : method_ == IntegrationMethod::Trapezoidal ? h * h * h / (2 * span)
                                                                    : 4.0 / 3.0 * h * h * h / span;
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (std::isinf(tol_abs[i])) continue;
        double p = 0;
        for (std::size_t j = 0; j < need; ++j) p += w[j] * xs[xs.size() - 1 - j][i];
        const double tol = reltol * std::max(std::fabs(x[i]), std::fabs(p)) + tol_abs[i];
        worst = std::max(worst, std::fabs(x[i] - p) * scale / tol);
    }
    return worst;
}

}  // namespace ionspice::solver
