#pragma once
// Fits the MTT weight transfer function (docs/circuits.md §1) to normalised data:
//
//     rational:  W_b = A_p·W_h/(1 + B_p·W_h)   for W_h ≥ 0
//                W_b = A_n·W_h/(1 − B_n·W_h)   for W_h < 0
//     ternary:   W_b = sign(W_h)·A·u/(1 + B·u),  u = max(|W_h| − r, 0),  with A, B, r per sign
//
// Both forms are one branch per sign in x = |W_h|, y = sign(W_h)·W_b:  y = A·u/(1 + B·u),
// u = max(x − r, 0), with r = 0 for the rational form. Each branch is fitted on its own
// (Levenberg–Marquardt from Eigen's unsupported module, analytic Jacobian), from the points of
// its sign; W_h = 0 points belong to the W_h ≥ 0 branch (to the other when there is no positive
// W_h). A branch exists only when the data has W_h of its sign.
//
// Header only, so tests can use it without linking the ionspice executable's objects.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>
#include <unsupported/Eigen/NonLinearOptimization>

namespace ionspice::tools {

enum class TransferForm { rational, ternary };

/// The form a name gives ("rational", "ternary"); nothing for any other name.
inline std::optional<TransferForm> transfer_form(std::string_view name) {
    if (name == "rational") return TransferForm::rational;
    if (name == "ternary") return TransferForm::ternary;
    return std::nullopt;
}

/// Thrown for data a form cannot be fitted to: too few points, non-finite values, no convergence.
class FitError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A fitted parameter and its standard error (NaN when the data cannot give one: as many
/// points as parameters, or parameters the data does not determine).
struct Estimate {
    double value = 0;
    double error = std::numeric_limits<double>::quiet_NaN();
};

/// One sign's branch, in the folded form above.
struct BranchFit {
    Estimate a, b, r;       ///< r stays 0 (error 0) in the rational form
    double r2 = 0;          ///< coefficient of determination over this branch's points
    double sse = 0;         ///< sum of squared residuals in W_b
    std::size_t points = 0; ///< points fitted, W_h = 0 points included
    int evaluations = 0;    ///< model evaluations Levenberg–Marquardt used

    double value(double abs_w_h) const {
        double u = std::max(abs_w_h - r.value, 0.0);
        return a.value * u / (1 + b.value * u);
    }
};

struct TransferFit {
    TransferForm form = TransferForm::rational;
    std::optional<BranchFit> positive;  ///< W_h ≥ 0: A_p, B_p (r_p)
    std::optional<BranchFit> negative;  ///< W_h < 0: A_n, B_n (r_n)
    double r2 = 0;                      ///< over all points
    std::size_t points = 0;

    /// W_b the fitted branches give at w_h; NaN on a side the data did not cover.
    double operator()(double w_h) const {
        const auto& branch = w_h >= 0 ? positive : negative;
        if (!branch) return std::numeric_limits<double>::quiet_NaN();
        return w_h >= 0 ? branch->value(w_h) : -branch->value(-w_h);
    }
};

namespace transfer_fit_detail {

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Residuals and Jacobian of y = A·u/(1 + B·u), u = max(x − r, 0), in Eigen's functor layout.
/// Parameters p = (A, B) or (A, B, r).
struct BranchResidual {
    const std::vector<double>& x;
    const std::vector<double>& y;
    int parameters;

    int inputs() const { return parameters; }
    int values() const { return static_cast<int>(x.size()); }

    double r_of(const Eigen::VectorXd& p) const { return parameters == 3 ? p[2] : 0.0; }

    int operator()(const Eigen::VectorXd& p, Eigen::VectorXd& f) const {
        const double r = r_of(p);
        for (std::size_t i = 0; i < x.size(); ++i) {
            double u = std::max(x[i] - r, 0.0);
            f[static_cast<Eigen::Index>(i)] = p[0] * u / (1 + p[1] * u) - y[i];
        }
        return 0;
    }

    // ∂/∂A = u/(1 + B·u),  ∂/∂B = −A·u²/(1 + B·u)²,  ∂/∂r = −A/(1 + B·u)² where u > 0, else 0.
    int df(const Eigen::VectorXd& p, Eigen::MatrixXd& j) const {
        const double r = r_of(p);
        for (std::size_t i = 0; i < x.size(); ++i) {
            const auto row = static_cast<Eigen::Index>(i);
            double u = std::max(x[i] - r, 0.0);
            double d = 1 + p[1] * u;
            j(row, 0) = u / d;
            j(row, 1) = -p[0] * u * u / (d * d);
            if (parameters == 3) j(row, 2) = u > 0 ? -p[0] / (d * d) : 0.0;
        }
        return 0;
    }
};

inline double sse_of(const BranchResidual& model, const Eigen::VectorXd& p) {
    Eigen::VectorXd f(model.values());
    model(p, f);
    return f.squaredNorm();
}

/// Starting A, B for a given r from the linearised model y·(1 + B·u) = A·u, i.e.
/// y = A·u − B·(u·y), linear least squares in (A, B). Falls back to B = 0 when that puts a
/// pole (1 + B·u = 0) inside the data.
inline Eigen::Vector2d linear_start(const std::vector<double>& x, const std::vector<double>& y, double r) {
    const auto n = static_cast<Eigen::Index>(x.size());
    Eigen::MatrixXd m(n, 2);
    Eigen::VectorXd rhs(n);
    double su2 = 0, suy = 0, umax = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
        double u = std::max(x[i] - r, 0.0);
        m(i, 0) = u;
        m(i, 1) = -u * y[i];
        rhs[i] = y[i];
        su2 += u * u;
        suy += u * y[i];
        umax = std::max(umax, u);
    }
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(m);
    Eigen::Vector2d ab(su2 > 0 ? suy / su2 : 1.0, 0.0);
    if (qr.rank() == 2) {
        Eigen::Vector2d s = qr.solve(rhs);
        if (std::isfinite(s[0]) && std::isfinite(s[1]) && 1 + s[1] * umax > 0) ab = s;
    }
    return ab;
}

inline const char* status_text(Eigen::LevenbergMarquardtSpace::Status s) {
    switch (s) {
        case Eigen::LevenbergMarquardtSpace::TooManyFunctionEvaluation: return "too many function evaluations";
        case Eigen::LevenbergMarquardtSpace::ImproperInputParameters: return "improper input parameters";
        case Eigen::LevenbergMarquardtSpace::UserAsked: return "stopped";
        default: return "no progress";
    }
}

inline BranchFit fit_branch(const std::vector<double>& x, const std::vector<double>& y, TransferForm form,
                            const std::string& which) {
    const int np = form == TransferForm::ternary ? 3 : 2;
    const auto informative = static_cast<int>(std::count_if(x.begin(), x.end(), [](double v) { return v > 0; }));
    if (informative < np)
        throw FitError("too few points with " + which + ": " + std::to_string(informative) + " (the " +
                       (np == 3 ? "ternary" : "rational") + " form needs at least " + std::to_string(np) + ")");

    BranchResidual model{x, y, np};
    Eigen::VectorXd p(np);
    if (np == 2) {
        p = linear_start(x, y, 0.0);
    } else {
        // The dead-zone radius enters non-linearly: start from the best of a grid of radii, each
        // with its linearised A, B. Radii up to the third-largest |W_h| keep three points active.
        std::vector<double> sorted = x;
        std::sort(sorted.begin(), sorted.end());
        const double r_top = sorted[sorted.size() - 3];
        const int candidates = 200;
        double best = std::numeric_limits<double>::infinity();
        for (int k = 0; k < candidates; ++k) {
            double r = r_top * k / candidates;
            Eigen::VectorXd q(3);
            q << linear_start(x, y, r), r;
            double s = sse_of(model, q);
            if (s < best) best = s, p = q;
        }
    }

    Eigen::LevenbergMarquardt<BranchResidual> lm(model);
    lm.parameters.ftol = 1e-14;
    lm.parameters.xtol = 1e-14;
    lm.parameters.maxfev = 2000;
    auto status = lm.minimize(p);
    using S = Eigen::LevenbergMarquardtSpace::Status;
    const bool converged = status == S::RelativeReductionTooSmall || status == S::RelativeErrorTooSmall ||
                           status == S::RelativeErrorAndReductionTooSmall || status == S::CosinusTooSmall ||
                           status == S::FtolTooSmall || status == S::XtolTooSmall || status == S::GtolTooSmall;
    if (!converged || !p.allFinite())
        throw FitError("the fit for " + which + " did not converge (Levenberg-Marquardt: " + status_text(status) +
                       ")");

    BranchFit fit;
    fit.points = x.size();
    fit.evaluations = static_cast<int>(lm.nfev);
    Eigen::VectorXd f(model.values());
    model(p, f);
    const double r = np == 3 ? p[2] : 0.0;
    // 1 + B·u falls monotonically from 1 at u = 0 when B < 0: a pole lies among the data when it
    // reaches 0 by the largest u.
    const double u_max = std::max(*std::max_element(x.begin(), x.end()) - r, 0.0);
    if (!f.allFinite() || 1 + p[1] * u_max <= 0)
        throw FitError("the fit for " + which + " did not converge (it puts a pole, 1 + B·u = 0, among the data)");
    fit.sse = f.squaredNorm();
    const auto active = std::count_if(x.begin(), x.end(), [&](double v) { return v > r; });
    if (active < np)
        throw FitError("the fit for " + which + " did not converge (the dead zone swallowed the data)");

    // Standard errors: covariance s²·(JᵀJ)⁻¹ with s² = SSE/(n − p), the residual variance.
    Eigen::MatrixXd j(model.values(), np);
    model.df(p, j);
    Eigen::VectorXd se = Eigen::VectorXd::Constant(np, nan);
    const auto dof = static_cast<double>(x.size()) - np;
    Eigen::FullPivLU<Eigen::MatrixXd> lu(j.transpose() * j);
    if (dof > 0 && lu.isInvertible()) se = (lu.inverse().diagonal() * (fit.sse / dof)).cwiseSqrt();

    fit.a = {p[0], se[0]};
    fit.b = {p[1], se[1]};
    fit.r = np == 3 ? Estimate{p[2], se[2]} : Estimate{0.0, 0.0};

    double mean = 0;
    for (double v : y) mean += v;
    mean /= static_cast<double>(y.size());
    double sst = 0;
    for (double v : y) sst += (v - mean) * (v - mean);
    fit.r2 = sst > 0 ? 1 - fit.sse / sst : nan;
    return fit;
}

}  // namespace transfer_fit_detail

/// Fits `form` to the points (w_h[k], w_b[k]). Throws FitError naming the branch (W_h > 0 or
/// W_h < 0) that has too few points or does not converge, and for non-finite data.
inline TransferFit fit_transfer(std::span<const double> w_h, std::span<const double> w_b, TransferForm form) {
    using namespace transfer_fit_detail;
    if (w_h.size() != w_b.size()) throw FitError("W_h and W_b have different lengths");
    for (std::size_t k = 0; k < w_h.size(); ++k)
        if (!std::isfinite(w_h[k]) || !std::isfinite(w_b[k]))
            throw FitError("non-finite W_h or W_b at point " + std::to_string(k));

    const bool has_positive = std::any_of(w_h.begin(), w_h.end(), [](double v) { return v > 0; });
    const bool has_negative = std::any_of(w_h.begin(), w_h.end(), [](double v) { return v < 0; });
    if (!has_positive && !has_negative) throw FitError("no points with W_h other than 0");

    // Fold each sign onto x = |W_h| ≥ 0, y = sign·W_b.
    std::vector<double> xp, yp, xn, yn;
    for (std::size_t k = 0; k < w_h.size(); ++k) {
        if (w_h[k] > 0 || (w_h[k] == 0 && has_positive)) {
            xp.push_back(w_h[k]);
            yp.push_back(w_b[k]);
        } else {
            xn.push_back(-w_h[k]);
            yn.push_back(-w_b[k]);
        }
    }

    TransferFit fit;
    fit.form = form;
    fit.points = w_h.size();
    if (has_positive) fit.positive = fit_branch(xp, yp, form, "W_h > 0");
    if (has_negative) fit.negative = fit_branch(xn, yn, form, "W_h < 0");

    double mean = 0;
    for (double v : w_b) mean += v;
    mean /= static_cast<double>(w_b.size());
    double sst = 0;
    for (double v : w_b) sst += (v - mean) * (v - mean);
    const double sse = (fit.positive ? fit.positive->sse : 0) + (fit.negative ? fit.negative->sse : 0);
    fit.r2 = sst > 0 ? 1 - sse / sst : nan;
    return fit;
}

}  // namespace ionspice::tools
