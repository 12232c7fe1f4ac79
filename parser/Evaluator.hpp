#pragma once
// Evaluates expressions against a chain of scopes. Errors (undefined names, division by zero,
// domain errors, cycles) are NetlistErrors at the offending node of the expression.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "parser/Expression.hpp"
#include "parser/Scope.hpp"

namespace ionspice::parser {

class Evaluator {
public:
    Evaluator(const std::vector<Expr>& exprs, const SymbolTable& symbols, const SourceFiles& files);

    double value(const ValueRef& v, Scope& scope) {
        if (v.is_constant()) return v.number;
        if (v.is_name()) return lookup(v.sym(), v.loc, scope);
        return eval(exprs_[static_cast<std::size_t>(v.expr)], scope);
    }
    double eval(const Expr& e, Scope& scope) { return node(e, e.root, scope); }

    /// Evaluates every parameter defined in `scope`, so that an error in an unused one is
    /// still reported.
    void evaluate_all(Scope& scope);
    /// The value of a name as seen from `scope`; `use` is where it was named.
    double lookup(std::uint32_t sym, Loc use, Scope& scope);

    /// `.options seed`: the random functions' stream.
    void set_seed(std::uint64_t seed) { seed_ = seed; }
    std::uint64_t seed() const { return seed_; }
    /// Whether a random function has drawn a number yet.
    bool has_drawn() const { return !draws_.empty(); }
    /// numparam's agauss, gauss, unif, aunif and two-argument limit of `args`, drawn for the
    /// call at `at`: the k-th evaluation of that call in an elaboration takes draw k of the
    /// stream keyed by (seed, the call's place), so a deck elaborates to the same values every
    /// time, whatever the threads, and another seed gives other values.
    double random(BuiltinFn fn, const std::vector<double>& args, Loc at);

private:
    double node(const Expr& e, std::int32_t i, Scope& scope);
    double force(Scope::Entry& entry, Scope& owner, Loc use);
    double builtin(const Expr& e, const ExprNode& n, Scope& scope);
    double call(const Expr& e, const ExprNode& n, Scope& scope);
    double checked(double v, const ExprNode& n) const;
    [[noreturn]] void fail(Loc loc, const std::string& message) const { files_.fail(loc, message); }

    const std::vector<Expr>& exprs_;
    const SymbolTable& symbols_;
    const SourceFiles& files_;
    std::int64_t pi_sym_ = -1;
    std::int64_t e_sym_ = -1;
    int call_depth_ = 0;
    std::uint64_t seed_ = 0;
    std::unordered_map<std::uint64_t, std::uint64_t> draws_;  ///< per call place: draws so far
};

}  // namespace ionspice::parser
