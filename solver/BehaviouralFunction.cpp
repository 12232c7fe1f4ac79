#include "solver/BehaviouralFunction.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "parser/Interpolation.hpp"

namespace ionspice::solver {

namespace {

/// ngspice's large value for out-of-range functions, and the exp argument that reaches it.
constexpr double kHuge = 1e99;
constexpr double kExpArgMax = 227.9559242;

using parser::BehaviouralExpr;
using parser::BuiltinFn;
using Op = BehaviouralExpr::Op;

/// What ngspice adds to a divisor's magnitude in B sources (PTfudge_factor, gmin·1e-20 at its
/// default gmin).
constexpr double kDivisionFudge = 1e-32;

class ExprFunction final : public models::InputFunction {
public:
    explicit ExprFunction(BehaviouralExpr e)
        : e_(std::move(e)), n_(e_.voltages.size() + e_.currents.size() + e_.names.size() + e_.auxiliaries.size()) {}

    std::size_t inputs() const override { return n_; }
    std::size_t auxiliaries() const override { return e_.auxiliaries.size(); }
    bool integral(std::size_t k) const override { return e_.auxiliaries[k].integral; }
    double auxiliary(std::size_t k, double* grad) const override {
        // Every node was evaluated by the last eval(): g_k is one of them.
        const auto r = static_cast<std::size_t>(e_.auxiliaries[k].root);
        std::copy_n(der_.begin() + static_cast<std::ptrdiff_t>(r * n_), n_, grad);
        return val_[r];
    }

    double eval(const double* u, double t, double* grad) const override {
        const std::size_t count = e_.nodes.size();
        val_.assign(count, 0.0);
        der_.assign(count * n_, 0.0);
        for (std::size_t i = 0; i < count; ++i) node(i, u, t);
        const auto r = static_cast<std::size_t>(e_.root);
        std::copy_n(der_.begin() + static_cast<std::ptrdiff_t>(r * n_), n_, grad);
        return val_[r];
    }

private:
    double* d(std::int32_t i) const { return der_.data() + static_cast<std::size_t>(i) * n_; }
    /// out = Σ c_k · d(arg_k)
    void combine(std::size_t out, std::initializer_list<std::pair<double, std::int32_t>> terms) const {
        double* o = der_.data() + out * n_;
        for (const auto& [c, a] : terms) {
            if (c == 0) continue;
            const double* s = d(a);
            for (std::size_t k = 0; k < n_; ++k) o[k] += c * s[k];
        }
    }
    void copy(std::size_t out, std::int32_t from) const { combine(out, {{1.0, from}}); }

    void node(std::size_t i, const double* u, double t) const {
        const BehaviouralExpr::Node& n = e_.nodes[i];
        double& v = val_[i];
        auto a = [&] { return val_[static_cast<std::size_t>(n.a)]; };
        auto b = [&] { return val_[static_cast<std::size_t>(n.b)]; };
        switch (n.op) {
        case Op::Number: v = n.number; return;
        case Op::Time: v = t; return;
        case Op::Input:
            v = u[n.a];
            der_[i * n_ + static_cast<std::size_t>(n.a)] = 1;
            return;
        case Op::Neg: v = -a(); combine(i, {{-1.0, n.a}}); return;
        case Op::Not: v = a() == 0 ? 1 : 0; return;
        case Op::Add: v = a() + b(); combine(i, {{1.0, n.a}, {1.0, n.b}}); return;
        case Op::Sub: v = a() - b(); combine(i, {{1.0, n.a}, {-1.0, n.b}}); return;
        case Op::Mul: v = a() * b(); combine(i, {{b(), n.a}, {a(), n.b}}); return;
        case Op::Div: {
            // ngspice's PTdivide: the divisor moved 1e-32 (its gmin·1e-20) away from zero, so that
            // x/0 on a first Newton iteration from zero is large and finite, not inf or NaN.
            const double q = b() >= 0 ? b() + kDivisionFudge : b() - kDivisionFudge;
            v = a() / q;
            combine(i, {{1 / q, n.a}, {-a() / (q * q), n.b}});
            return;
        }
        case Op::Pow: power(i, n.a, n.b, Power::Operator); return;
        case Op::Eq: v = a() == b(); return;
        case Op::Ne: v = a() != b(); return;
        case Op::Lt: v = a() < b(); return;
        case Op::Le: v = a() <= b(); return;
        case Op::Gt: v = a() > b(); return;
        case Op::Ge: v = a() >= b(); return;
        case Op::And: v = a() != 0 && b() != 0; return;
        case Op::Or: v = a() != 0 || b() != 0; return;
        case Op::Cond: {
            const std::int32_t pick = a() != 0 ? n.b : n.c;
            v = val_[static_cast<std::size_t>(pick)];
            copy(i, pick);
            return;
        }
        case Op::Builtin: builtin(i, n); return;
        }
    }

    /// ngspice's three powers of B sources:
    ///   x**y, x^y (PTpowerH): x^y for x ≥ 0; for x < 0, x^round(y) when y is an integer (to
    ///     10 ulps), else 0;
    ///   pow(x, y) (PTpower): the same, but 0 at x = 0 whatever y;
    ///   pwr(x, y) (PTpwr): sign(x)·|x|^y, 0 at x = 0.
    enum class Power { Operator, Pow, Pwr };
    void power(std::size_t i, std::int32_t xa, std::int32_t ya, Power kind) const {
        const double x = val_[static_cast<std::size_t>(xa)], y = val_[static_cast<std::size_t>(ya)];
        double v = 0, dx = 0, dy = 0;
        if (kind == Power::Pwr) {
            const double ax = std::abs(x), s = x < 0 ? -1.0 : 1.0;
            if (ax > 0) {
                const double p = std::pow(ax, y);
                v = s * p;
                dx = y * std::pow(ax, y - 1);  // d(sign(x)|x|^y)/dx = y|x|^(y−1)
                dy = v * std::log(ax);
            }
        } else if (x > 0 || (x == 0 && kind == Power::Operator)) {
            v = std::pow(x, y);
            if (x > 0) {
                dx = y * std::pow(x, y - 1);
                dy = v * std::log(x);
            }
        } else if (x < 0 && almost_integer(y)) {
            const double k = std::round(y);
            v = std::pow(x, k);
            dx = k * std::pow(x, k - 1);  // y is held integer: no slope in y
        }
        val_[i] = v;
        combine(i, {{dx, xa}, {dy, ya}});
    }

    /// y within 10 units in the last place of an integer (ngspice's AlmostEqualUlps).
    static bool almost_integer(double y) {
        const double r = std::nearbyint(y);
        if (r == y) return true;
        return std::abs(r - y) <= 10 * std::abs(std::nextafter(y, r) - y);
    }

    void builtin(std::size_t i, const BehaviouralExpr::Node& n) const {
        auto arg = [&](std::size_t k) { return val_[static_cast<std::size_t>(n.args[k])]; };
        double& v = val_[i];
        switch (n.fn) {
        case BuiltinFn::If: {
            const std::int32_t pick = arg(0) != 0 ? n.args[1] : n.args[2];
            v = val_[static_cast<std::size_t>(pick)];
            copy(i, pick);
            return;
        }
        case BuiltinFn::Min:
        case BuiltinFn::Max: {
            std::size_t best = 0;
            for (std::size_t k = 1; k < n.args.size(); ++k)
                if (n.fn == BuiltinFn::Min ? arg(k) < arg(best) : arg(k) > arg(best)) best = k;
            v = arg(best);
            copy(i, n.args[best]);
            return;
        }
        case BuiltinFn::Pow: power(i, n.args[0], n.args[1], Power::Pow); return;
        case BuiltinFn::Pwr: power(i, n.args[0], n.args[1], Power::Pwr); return;
        case BuiltinFn::Atan2: {
            const double y = arg(0), x = arg(1), r2 = x * x + y * y;
            v = std::atan2(y, x);
            if (r2 > 0) combine(i, {{x / r2, n.args[0]}, {-y / r2, n.args[1]}});
            return;
        }
        case BuiltinFn::Limit: {
            const double x = arg(0), lo = arg(1), hi = arg(2);
            const std::int32_t pick = x < lo ? n.args[1] : x > hi ? n.args[2] : n.args[0];
            v = val_[static_cast<std::size_t>(pick)];
            copy(i, pick);
            return;
        }
        case BuiltinFn::Pwl:
        case BuiltinFn::Table: {
            xy_.clear();
            for (std::size_t k = 1; k < n.args.size(); ++k) xy_.push_back(arg(k));
            double slope = 0;
            v = n.fn == BuiltinFn::Pwl ? parser::pwl_value(arg(0), xy_.data(), xy_.size() / 2, &slope)
                                       : parser::table_value(arg(0), xy_.data(), xy_.size() / 2, &slope);
            combine(i, {{slope, n.args[0]}});
            return;
        }
        case BuiltinFn::Sign:
            if (n.args.size() == 2) {  // |x| with the sign of y
                const double x = arg(0), s = arg(1) >= 0 ? 1.0 : -1.0;
                v = s * std::abs(x);
                combine(i, {{s * (x < 0 ? -1.0 : 1.0), n.args[0]}});
                return;
            }
            break;
        default: break;
        }
        const double x = arg(0);
        double dv = 0;  // dv/dx
        switch (n.fn) {
        case BuiltinFn::Sin: v = std::sin(x), dv = std::cos(x); break;
        case BuiltinFn::Cos: v = std::cos(x), dv = -std::sin(x); break;
        case BuiltinFn::Tan: v = std::tan(x), dv = 1 + v * v; break;
        case BuiltinFn::Asin: v = std::asin(x), dv = 1 / std::sqrt(1 - x * x); break;
        case BuiltinFn::Acos: v = std::acos(x), dv = -1 / std::sqrt(1 - x * x); break;
        case BuiltinFn::Atan: v = std::atan(x), dv = 1 / (1 + x * x); break;
        case BuiltinFn::Sinh: v = std::sinh(x), dv = std::cosh(x); break;
        case BuiltinFn::Cosh: v = std::cosh(x), dv = std::sinh(x); break;
        case BuiltinFn::Tanh: v = std::tanh(x), dv = 1 - v * v; break;
        case BuiltinFn::Asinh: v = std::asinh(x), dv = 1 / std::sqrt(x * x + 1); break;
        case BuiltinFn::Acosh: v = std::acosh(x), dv = 1 / std::sqrt(x * x - 1); break;
        case BuiltinFn::Atanh: v = std::atanh(x), dv = 1 / (1 - x * x); break;
        // ngspice's B-source clamps: exp of more than 227.9559242 (where it reaches 1e99) is
        // 1e99 and so is its slope, as ngspice's derivative tree evaluates the same function.
        case BuiltinFn::Exp:
            v = x > kExpArgMax ? kHuge : std::exp(x), dv = v;
            break;
        // ln and log10: of 0, −1e99 (ngspice's value, so that a first Newton iteration from zero
        // meets a large finite value); of a negative x, of |x| (ngspice stops with an error).
        // The slope at 0 is that at |x| = 1e-300, pointing away from 0.
        case BuiltinFn::Ln:
        case BuiltinFn::Log10: {
            const double scale = n.fn == BuiltinFn::Ln ? 1.0 : 1 / std::numbers::ln10;
            const double ax = std::abs(x);
            v = ax == 0 ? -kHuge : std::log(ax) * scale;
            const double sx = std::max(ax, 1e-300);
            dv = scale / (x < 0 ? -sx : sx);
            break;
        }
        case BuiltinFn::Sqrt:
            v = std::sqrt(std::abs(x));
            dv = v > 0 ? (x < 0 ? -0.5 : 0.5) / v : 0.0;
            break;
        case BuiltinFn::Abs: v = std::abs(x), dv = x < 0 ? -1 : 1; break;
        case BuiltinFn::Floor: v = std::floor(x); break;
        case BuiltinFn::Ceil: v = std::ceil(x); break;
        case BuiltinFn::Int: v = std::trunc(x); break;
        case BuiltinFn::Nint: v = std::nearbyint(x); break;  // halves to even, as ngspice
        case BuiltinFn::Sqr: v = x * x, dv = 2 * x; break;
        case BuiltinFn::Sgn:
        case BuiltinFn::Sign: v = x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); break;
        default: break;
        }
        combine(i, {{dv, n.args[0]}});
    }

    BehaviouralExpr e_;
    std::size_t n_;
    // Scratch for one evaluation: a circuit (and its devices) belongs to one thread.
    mutable std::vector<double> val_, der_, xy_;
};

}  // namespace

std::shared_ptr<const models::InputFunction> make_behavioural_function(parser::BehaviouralExpr expr) {
    return std::make_shared<ExprFunction>(std::move(expr));
}

}  // namespace ionspice::solver
