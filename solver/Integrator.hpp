#pragma once
// Integration formulas for the charges q of the DAE f(x,t) + dq/dt = 0, and the local
// truncation error estimate that sets the step. Devices never see any of this: the formula
// turns dq/dt at the new point into  qdot = alpha·q(x) + beta  with beta from the history.
//
//   backward Euler  qdot1 = (q1 − q0)/h                                    order 1
//   trapezoidal     qdot1 = 2(q1 − q0)/h − qdot0                           order 2
//   BDF2 (Gear 2)   qdot1 = [(1+2w)q1 − (1+w)²q0 + w²q_1] / (h(1+w)),  w = h/h_prev   order 2
//
// The error is estimated from the divided difference of order k+1 of q over the new point and
// the last k+1 accepted ones (DD ≈ q^(k+1)/(k+1)!), expressed as an error in dq/dt:
//   BE: h·DD2,   trapezoidal: h²·DD3/2,   BDF2: (4/3)·h²·DD3
// (error constants 1/2, 1/12, 2/9 of the local error in q, divided by h).

#include <deque>
#include <vector>

#include "solver/Options.hpp"

namespace ionspice::solver {

/// One accepted time point of the history.
struct HistoryPoint {
    double time = 0;
    std::vector<double> q;     ///< charges by row
    std::vector<double> qdot;  ///< their derivatives, as the formula computed them
};

/// Trapezoidal ringing. The trapezoidal rule carries any error of dq/dt into the next point
/// with the opposite sign and never damps it (it is A-stable, not L-stable): after a fast edge
/// a source's current keeps alternating by a constant amount long after the circuit has
/// settled, invisible in q and so in the truncation-error test. Each accepted trapezoidal
/// point's dq/dt is compared with the derivative of the parabola through its q and the two
/// before it: e = qdot − q'. A smooth error of that parabola changes e smoothly; ringing flips
/// it. Where the last three e alternate (their two differences of opposite signs and equal to
/// a tenth) by more than the rate's tolerance, the alternating part r = (e0 − 2e1 + e2)/4 is
/// taken out of the point's qdot, so the next step starts from a derivative without it. The
/// formula, and so the matrix, stay the trapezoidal ones (a linear circuit keeps its
/// factorisations); the point already solved keeps its values.
class RingingFilter {
public:
    /// Forget the past: after a first-order step (a corner) the sequence starts again.
    void reset() { seen_ = 0; }
    /// `p`: the accepted point (its qdot is corrected in place); `history`: the accepted points
    /// before it, newest last. `tol_abs_rate` by row; reltol applies to |qdot|. Returns how many
    /// rows were corrected.
    int apply(HistoryPoint& p, const std::deque<HistoryPoint>& history, const std::vector<double>& tol_abs_rate,
              double reltol);

private:
    std::vector<double> e0_, e1_, e2_;  ///< e at the newest point and the two before
    int seen_ = 0;                      ///< consecutive points whose e is known
};

class Integrator {
public:
    Integrator(IntegrationMethod method, int maxord) : method_(method), maxord_(maxord) {}

    /// The order the next step may use: 1 right after a breakpoint or at the start, else the
    /// method's (trapezoidal and Gear 2, Euler 1).
    int order(bool after_breakpoint, std::size_t history) const;

    /// alpha and beta (by row) of qdot = alpha·q + beta for a step of h from the history's newest
    /// point with the given order.
    double coefficients(int order, double h, const std::deque<HistoryPoint>& history, std::vector<double>& beta) const;

    /// Truncation-error ratio of a candidate point: max over rows of error/(trtol·tolerance);
    /// ≤ 1 means the step is accurate enough. `tol_abs_rate` and `tol_abs_q` give each row's
    /// absolute tolerances (A and C for node rows, ...). Returns 0 when the history is too short.
    double error_ratio(int order, const HistoryPoint& candidate, const std::deque<HistoryPoint>& history,
                       const std::vector<double>& tol_abs_rate, const std::vector<double>& tol_abs_q,
                       const SimOptions& options, int* worst_row = nullptr) const;

    /// Truncation error of the unknowns themselves (the voltage-based test of ngspice's
    /// `newtrunc`, Xyce's predictor–corrector test): the candidate `x` at time t against the
    /// polynomial of degree `order` through the newest accepted solutions `xs` (at the times of
    /// `history`'s points, aligned with `xs` from the newest), scaled by the formula's error
    /// constant to the step's local error (Milne's device). Only the newest `usable` points
    /// serve: a polynomial through an input's corner predicts nothing after it. Returns the
    /// largest |error| / (reltol·max(|x|, |predicted|) + tol_abs) over the unknowns whose
    /// `tol_abs` is finite (ngspice's newtrunc tolerance); 0 while fewer than order + 1 points
    /// are usable. The error is one in x itself: it falls as h^(order+1).
    double solution_error_ratio(int order, double t, const std::vector<double>& x,
                                const std::deque<std::vector<double>>& xs, const std::deque<HistoryPoint>& history,
                                std::size_t usable, const std::vector<double>& tol_abs, double reltol) const;

    IntegrationMethod method() const { return method_; }

private:
    IntegrationMethod method_;
    int maxord_;
};

}  // namespace ionspice::solver
