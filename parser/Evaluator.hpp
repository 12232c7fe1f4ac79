#pragma once
// Evaluates expressions against a chain of scopes. Errors (undefined names, division by zero,
// domain errors, cycles) are NetlistErrors at the offending node of the expression.

#include <string>
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
};

}  // namespace ionspice::parser
