#pragma once
// Expressions of `{...}`, `'...'` and `.param` lines: a small tree stored flat in one vector,
// with every node's source position so evaluation errors point at the operator or name.
// Names are interned once per deck so that scope look-ups compare integers.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "parser/LogicalLine.hpp"

namespace ionspice::parser {

/// Limits that keep the parser's and the tree walks' recursion within any thread's stack, each
/// reported as a located error: nesting the parser descends into (brackets, unary signs, `?:`
/// branches), and a tree's height (a flat sum of n terms is n high). Generous for netlists;
/// measured: 4000 brackets or 30 000 terms still fit an 8 MB stack.
inline constexpr int kMaxExpressionNesting = 1000;
inline constexpr int kMaxExpressionHeight = 10000;

enum class ExprOp : std::uint8_t {
    Number, Name, Neg, Not,
    Add, Sub, Mul, Div, Pow,
    Eq, Ne, Lt, Le, Gt, Ge, And, Or,
    Cond,      ///< c ? a : b
    Builtin,   ///< fn, arguments in Expr::args
    UserCall,  ///< sym, arguments in Expr::args
};

enum class BuiltinFn : std::uint8_t {
    Sin, Cos, Tan, Asin, Acos, Atan, Atan2, Sinh, Cosh, Tanh, Asinh, Acosh, Atanh,
    Exp, Ln, Log10, Sqrt, Abs, Pow, Pwr, Min, Max, Floor, Ceil, Int, Nint, Sgn, Sign,
    Limit, If,
    Pwl,    ///< pwl(x, x1, y1, …): parser/Interpolation.hpp
    Table,  ///< E/G `table` (never written by name): x, then the points
    Sqr,    ///< x²
    // numparam's random draws (Evaluator::random); limit(nom, var) with two arguments is one too
    Agauss, Gauss, Unif, Aunif,
};

/// True for the functions that draw a random number when the netlist is elaborated.
inline bool is_random(BuiltinFn fn, int nargs) {
    return fn == BuiltinFn::Agauss || fn == BuiltinFn::Gauss || fn == BuiltinFn::Unif || fn == BuiltinFn::Aunif ||
           (fn == BuiltinFn::Limit && nargs == 2);
}

struct ExprNode {
    ExprOp op = ExprOp::Number;
    BuiltinFn fn = BuiltinFn::Sin;
    std::uint16_t nargs = 0;
    std::int32_t a = -1, b = -1, c = -1;  ///< operands; calls: `a` indexes Expr::args
    std::uint32_t sym = 0;                ///< Name, UserCall
    double number = 0;
    Loc loc;
};

struct Expr {
    std::vector<ExprNode> nodes;
    std::vector<std::int32_t> args;
    std::int32_t root = -1;

    bool is_number() const { return nodes.size() == 1 && nodes[0].op == ExprOp::Number; }
};

/// Lower-case identifiers to dense ids.
class SymbolTable {
public:
    std::uint32_t intern(std::string_view lower_name);
    /// The id when the name was ever interned; -1 otherwise.
    std::int64_t find(std::string_view lower_name) const;
    const std::string& name(std::uint32_t id) const { return names_[id]; }

private:
    std::unordered_map<std::string, std::uint32_t> ids_;
    std::vector<std::string> names_;
};

/// True for the names of built-in functions (which `.func` may not redefine).
bool is_builtin_function(std::string_view lower_name);

struct ParamAssign {
    std::uint32_t sym = 0;
    Loc loc;
    Expr expr;
};

struct FuncDecl {
    std::uint32_t sym = 0;
    Loc loc;
    std::vector<std::uint32_t> formals;
    Expr body;
};

/// The Spirit X3 expression grammar. `text` is always a view into `line.text`, so that node
/// positions map back to physical lines. Throws NetlistError on syntax errors.
class ExpressionParser {
public:
    ExpressionParser(SymbolTable& symbols, const SourceFiles& files)
        : symbols_(symbols), files_(files) {}

    /// All of `text` as one expression.
    Expr parse(const LogicalLine& line, std::string_view text);
    /// `a = expr b = expr ...` (the body of a .param card, or subcircuit defaults).
    std::vector<ParamAssign> parse_assignments(const LogicalLine& line, std::string_view text);
    /// `name(a, b) [=] expr` (the body of a .func card).
    FuncDecl parse_function(const LogicalLine& line, std::string_view text);

private:
    SymbolTable& symbols_;
    const SourceFiles& files_;
};

}  // namespace ionspice::parser
