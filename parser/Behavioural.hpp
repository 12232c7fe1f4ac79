#pragma once
// Resolves a B source's expression at elaboration (BehaviouralExpr in parser/Netlist.hpp):
// parameters become numbers, user functions (.func) are expanded in place with their arguments,
// v(a), v(a, b) and i(x) become inputs with flat node and element names, `time` stays a
// variable. What is left is evaluated, with its derivatives, by the solver at every Newton step.
// ngspice's u(x) (unit step) and uramp(x) are written as conditions.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/DeckData.hpp"
#include "parser/Evaluator.hpp"
#include "parser/Netlist.hpp"
#include "parser/Scope.hpp"

namespace ionspice::parser {

class BehaviouralResolver {
public:
    using FlatNode = std::function<std::string(const NameRef&)>;
    using FlatElement = std::function<std::string(std::string_view)>;

    BehaviouralResolver(const DeckData& deck, Evaluator& eval, FlatNode node, FlatElement element)
        : deck_(deck), eval_(eval), flat_node_(std::move(node)), flat_element_(std::move(element)) {}

    /// The expression `e` as seen from `scope`. Throws NetlistError (with the location of the
    /// offending name or call) for unknown names and functions and misused v() or i().
    BehaviouralExpr resolve(const Expr& e, Scope& scope);
    /// Names that are inputs rather than parameters (BehaviouralExpr::names), taken before a
    /// parameter of the same name.
    void set_named_inputs(std::function<bool(std::string_view)> is_input) { is_named_ = std::move(is_input); }

private:
    /// A .func call being expanded: its formals are bound to resolved argument nodes; other
    /// names are looked up where the function was defined.
    struct Call {
        const FuncDef* def;
        std::vector<std::int32_t> actuals;
        Scope* owner;
    };

    std::int32_t node(const Expr& e, std::int32_t i, Scope& scope, const Call* call, int depth);
    std::int32_t name(const ExprNode& n, Scope& scope, const Call* call);
    std::int32_t user_call(const Expr& e, const ExprNode& n, Scope& scope, const Call* call, int depth);
    std::int32_t voltage(const Expr& e, const ExprNode& n);
    std::int32_t current(const Expr& e, const ExprNode& n);
    std::int32_t add(BehaviouralExpr::Node node);
    /// pwl() and table points: constant, paired, x ordered (located at the call).
    void check_points(const BehaviouralExpr::Node& call, const ExprNode& n) const;
    std::int32_t number(double v);
    [[noreturn]] void fail(Loc loc, const std::string& message) const { deck_.files.fail(loc, message); }

    const DeckData& deck_;
    Evaluator& eval_;
    FlatNode flat_node_;
    FlatElement flat_element_;
    std::function<bool(std::string_view)> is_named_;
    BehaviouralExpr out_;
};

}  // namespace ionspice::parser
