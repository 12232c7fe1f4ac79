#include "parser/Evaluator.hpp"

#include "common/Random.hpp"
#include "parser/Interpolation.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

namespace ionspice::parser {

namespace {

constexpr int max_call_depth = 200;

double truth(bool b) { return b ? 1.0 : 0.0; }

}  // namespace

Evaluator::Evaluator(const std::vector<Expr>& exprs, const SymbolTable& symbols, const SourceFiles& files)
    : exprs_(exprs), symbols_(symbols), files_(files), pi_sym_(symbols.find("pi")), e_sym_(symbols.find("e")) {}

void Evaluator::evaluate_all(Scope& scope) {
    for (auto& entry : scope.entries()) force(entry, scope, entry.loc);
}

double Evaluator::force(Scope::Entry& entry, Scope& owner, Loc use) {
    switch (entry.state) {
    case Scope::State::Done: return entry.result;
    case Scope::State::Evaluating:
        fail(use, "parameter '" + symbols_.name(entry.sym) + "' is defined in terms of itself");
    case Scope::State::Pending: break;
    }
    entry.state = Scope::State::Evaluating;
    // `entry` stays valid: nothing is added to a scope while its parameters are evaluated.
    double v = value(entry.value, owner);
    entry.result = v;
    entry.state = Scope::State::Done;
    return v;
}

double Evaluator::lookup(std::uint32_t sym, Loc use, Scope& scope) {
    for (Scope* s = &scope; s != nullptr; s = s->parent())
        if (Scope::Entry* e = s->find(sym)) return force(*e, *s, use);
    if (sym == pi_sym_) return std::numbers::pi;
    if (sym == e_sym_) return std::numbers::e;
    fail(use, "undefined parameter '" + symbols_.name(sym) + "'");
}

double Evaluator::checked(double v, const ExprNode& n) const {
    if (!std::isfinite(v)) fail(n.loc, "expression overflows (result is not finite)");
    return v;
}

double Evaluator::node(const Expr& e, std::int32_t i, Scope& scope) {
    const ExprNode& n = e.nodes[static_cast<std::size_t>(i)];
    switch (n.op) {
    case ExprOp::Number: return n.number;
    case ExprOp::Name: return lookup(n.sym, n.loc, scope);
    case ExprOp::Neg: return -node(e, n.a, scope);
    case ExprOp::Not: return truth(node(e, n.a, scope) == 0);
    case ExprOp::Add: return checked(node(e, n.a, scope) + node(e, n.b, scope), n);
    case ExprOp::Sub: return checked(node(e, n.a, scope) - node(e, n.b, scope), n);
    case ExprOp::Mul: return checked(node(e, n.a, scope) * node(e, n.b, scope), n);
    case ExprOp::Div: {
        double x = node(e, n.a, scope);
        double y = node(e, n.b, scope);
        if (y == 0) fail(n.loc, "division by zero");
        return checked(x / y, n);
    }
    case ExprOp::Pow: {
        double x = node(e, n.a, scope);
        double y = node(e, n.b, scope);
        if (x < 0 && y != std::trunc(y))
            fail(n.loc, fmt::format("negative number {} raised to the non-integer power {}", x, y));
        if (x == 0 && y < 0) fail(n.loc, "zero raised to a negative power");
        return checked(std::pow(x, y), n);
    }
    case ExprOp::Eq: return truth(node(e, n.a, scope) == node(e, n.b, scope));
    case ExprOp::Ne: return truth(node(e, n.a, scope) != node(e, n.b, scope));
    case ExprOp::Lt: return truth(node(e, n.a, scope) < node(e, n.b, scope));
    case ExprOp::Le: return truth(node(e, n.a, scope) <= node(e, n.b, scope));
    case ExprOp::Gt: return truth(node(e, n.a, scope) > node(e, n.b, scope));
    case ExprOp::Ge: return truth(node(e, n.a, scope) >= node(e, n.b, scope));
    // Short-circuit, so a guard like `x != 0 && 1/x > 2` never divides by zero.
    case ExprOp::And: return truth(node(e, n.a, scope) != 0 && node(e, n.b, scope) != 0);
    case ExprOp::Or: return truth(node(e, n.a, scope) != 0 || node(e, n.b, scope) != 0);
    case ExprOp::Cond: return node(e, n.a, scope) != 0 ? node(e, n.b, scope) : node(e, n.c, scope);
    case ExprOp::Builtin: return builtin(e, n, scope);
    case ExprOp::UserCall: return call(e, n, scope);
    }
    fail(n.loc, "internal error: unknown expression node");
}

double Evaluator::random(BuiltinFn fn, const std::vector<double>& a, Loc at) {
    const std::uint64_t place = (std::uint64_t{at.file} << 44) ^ (std::uint64_t{at.line} << 16) ^ at.col;
    const std::uint64_t key = splitmix64(seed_ ^ splitmix64(place));
    const std::uint64_t k = draws_[key]++;
    // ngspice's numparam (xpressn.c): a normal draw scaled by variation/sigma, or a uniform
    // one in [−1, 1); no variation (or sigma) leaves the nominal value.
    switch (fn) {
    case BuiltinFn::Agauss: return a[1] <= 0 || a[2] <= 0 ? a[0] : a[0] + a[1] / a[2] * standard_normal(key, k);
    case BuiltinFn::Gauss: return a[1] <= 0 || a[2] <= 0 ? a[0] : a[0] + a[0] * a[1] / a[2] * standard_normal(key, k);
    case BuiltinFn::Unif: return a[0] + a[0] * a[1] * symmetric_uniform(key, k);
    case BuiltinFn::Aunif: return a[0] + a[1] * symmetric_uniform(key, k);
    default: return a[0] + (symmetric_uniform(key, k) > 0 ? a[1] : -a[1]);  // limit(nom, var)
    }
}

double Evaluator::builtin(const Expr& e, const ExprNode& n, Scope& scope) {
    auto arg = [&](int k) {
        return node(e, e.args[static_cast<std::size_t>(n.a + k)], scope);
    };
    auto domain = [&](bool ok, const char* what, double x) {
        if (!ok) fail(n.loc, fmt::format("{} of {} is undefined", what, x));
    };
    switch (n.fn) {
    case BuiltinFn::If: return arg(0) != 0 ? arg(1) : arg(2);
    case BuiltinFn::Min:
    case BuiltinFn::Max: {
        double r = arg(0);
        for (int k = 1; k < n.nargs; ++k) {
            double v = arg(k);
            r = n.fn == BuiltinFn::Min ? std::min(r, v) : std::max(r, v);
        }
        return r;
    }
    case BuiltinFn::Agauss:
    case BuiltinFn::Gauss:
    case BuiltinFn::Unif:
    case BuiltinFn::Aunif: {
        std::vector<double> args;
        for (int k = 0; k < n.nargs; ++k) args.push_back(arg(k));
        return random(n.fn, args, n.loc);
    }
    case BuiltinFn::Limit:
        if (n.nargs == 2) return random(n.fn, {arg(0), arg(1)}, n.loc);
        break;
    case BuiltinFn::Pwl:
    case BuiltinFn::Table: {
        std::vector<double> xy;
        for (int k = 1; k < n.nargs; ++k) xy.push_back(arg(k));
        if (const char* why = points_problem(xy.data(), xy.size(), n.fn == BuiltinFn::Pwl))
            fail(n.loc, fmt::format("{} {}", n.fn == BuiltinFn::Pwl ? "pwl()" : "table", why));
        const double x = arg(0);
        return n.fn == BuiltinFn::Pwl ? pwl_value(x, xy.data(), xy.size() / 2, nullptr)
                                      : table_value(x, xy.data(), xy.size() / 2, nullptr);
    }
    default: break;
    }
    double x = arg(0);
    double r = 0;
    switch (n.fn) {
    case BuiltinFn::Sin: r = std::sin(x); break;
    case BuiltinFn::Cos: r = std::cos(x); break;
    case BuiltinFn::Tan: r = std::tan(x); break;
    case BuiltinFn::Asin: domain(std::abs(x) <= 1, "asin", x); r = std::asin(x); break;
    case BuiltinFn::Acos: domain(std::abs(x) <= 1, "acos", x); r = std::acos(x); break;
    case BuiltinFn::Atan: r = std::atan(x); break;
    case BuiltinFn::Atan2: r = std::atan2(x, arg(1)); break;
    case BuiltinFn::Sinh: r = std::sinh(x); break;
    case BuiltinFn::Cosh: r = std::cosh(x); break;
    case BuiltinFn::Tanh: r = std::tanh(x); break;
    case BuiltinFn::Asinh: r = std::asinh(x); break;
    case BuiltinFn::Acosh: domain(x >= 1, "acosh", x); r = std::acosh(x); break;
    case BuiltinFn::Atanh: domain(std::abs(x) < 1, "atanh", x); r = std::atanh(x); break;
    case BuiltinFn::Exp: r = std::exp(x); break;
    case BuiltinFn::Ln: domain(x > 0, "log", x); r = std::log(x); break;
    case BuiltinFn::Log10: domain(x > 0, "log10", x); r = std::log10(x); break;
    case BuiltinFn::Sqrt: domain(x >= 0, "sqrt", x); r = std::sqrt(x); break;
    case BuiltinFn::Abs: r = std::abs(x); break;
    case BuiltinFn::Pow: {
        double y = arg(1);
        if (x < 0 && y != std::trunc(y))
            fail(n.loc, fmt::format("pow: negative number {} raised to the non-integer power {}", x, y));
        if (x == 0 && y < 0) fail(n.loc, "pow: zero raised to a negative power");
        r = std::pow(x, y);
        break;
    }
    case BuiltinFn::Pwr: {
        // ngspice: sign(x)·|x|^y, defined for every x.
        double y = arg(1);
        if (x == 0 && y < 0) fail(n.loc, "pwr: zero raised to a negative power");
        r = std::copysign(std::pow(std::abs(x), y), x);
        if (x == 0) r = 0;
        break;
    }
    case BuiltinFn::Floor: r = std::floor(x); break;
    case BuiltinFn::Ceil: r = std::ceil(x); break;
    case BuiltinFn::Int: r = std::trunc(x); break;
    case BuiltinFn::Nint: r = std::nearbyint(x); break;  // halves to even, as ngspice
    case BuiltinFn::Sqr: r = x * x; break;
    case BuiltinFn::Sgn: r = x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); break;
    case BuiltinFn::Sign:
        if (n.nargs == 2) {
            // HSPICE: |x| with the sign of y.
            double y = arg(1);
            r = y >= 0 ? std::abs(x) : -std::abs(x);
        } else {
            r = x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
        }
        break;
    case BuiltinFn::Limit: {
        double lo = arg(1);
        double hi = arg(2);
        r = x < lo ? lo : (x > hi ? hi : x);
        break;
    }
    default: fail(n.loc, "internal error: unknown function");
    }
    return checked(r, n);
}

double Evaluator::call(const Expr& e, const ExprNode& n, Scope& scope) {
    const FuncDef* f = nullptr;
    Scope* owner = nullptr;
    for (Scope* s = &scope; s != nullptr && f == nullptr; s = s->parent()) {
        f = s->find_function(n.sym);
        owner = s;
    }
    const std::string& name = symbols_.name(n.sym);
    if (f == nullptr) fail(n.loc, "undefined function '" + name + "'");
    if (f->formals.size() != n.nargs)
        fail(n.loc, fmt::format("function '{}' takes {} argument{}, {} given", name, f->formals.size(),
                                f->formals.size() == 1 ? "" : "s", n.nargs));
    if (call_depth_ >= max_call_depth) fail(n.loc, "function '" + name + "' calls itself without end");
    // The body sees its arguments, then the names visible where the function was defined.
    Scope frame(owner);
    for (std::size_t k = 0; k < f->formals.size(); ++k)
        frame.assign(f->formals[k], node(e, e.args[static_cast<std::size_t>(n.a) + k], scope), n.loc);
    ++call_depth_;
    struct Leave {
        int& depth;
        ~Leave() { --depth; }
    } leave{call_depth_};
    return checked(eval(exprs_[static_cast<std::size_t>(f->body)], frame), n);
}

}  // namespace ionspice::parser
