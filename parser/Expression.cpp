#include "parser/Expression.hpp"

#include <fmt/format.h>

#include <boost/spirit/home/x3.hpp>

#include <array>

#include "parser/Number.hpp"

namespace ionspice::parser {

namespace x3 = boost::spirit::x3;

std::uint32_t SymbolTable::intern(std::string_view lower_name) {
    auto it = ids_.find(std::string(lower_name));
    if (it != ids_.end()) return it->second;
    auto id = static_cast<std::uint32_t>(names_.size());
    names_.emplace_back(lower_name);
    ids_.emplace(names_.back(), id);
    return id;
}

std::int64_t SymbolTable::find(std::string_view lower_name) const {
    auto it = ids_.find(std::string(lower_name));
    return it == ids_.end() ? -1 : static_cast<std::int64_t>(it->second);
}

namespace {

struct BuiltinInfo {
    std::string_view name;
    BuiltinFn fn;
    int min_args;
    int max_args;  ///< -1: any number
};

constexpr std::array<BuiltinInfo, 40> builtins{{
    {"sin", BuiltinFn::Sin, 1, 1},     {"cos", BuiltinFn::Cos, 1, 1},
    {"tan", BuiltinFn::Tan, 1, 1},     {"asin", BuiltinFn::Asin, 1, 1},
    {"acos", BuiltinFn::Acos, 1, 1},   {"atan", BuiltinFn::Atan, 1, 1},
    {"atan2", BuiltinFn::Atan2, 2, 2}, {"sinh", BuiltinFn::Sinh, 1, 1},
    {"cosh", BuiltinFn::Cosh, 1, 1},   {"tanh", BuiltinFn::Tanh, 1, 1},
    {"asinh", BuiltinFn::Asinh, 1, 1}, {"acosh", BuiltinFn::Acosh, 1, 1},
    {"atanh", BuiltinFn::Atanh, 1, 1}, {"exp", BuiltinFn::Exp, 1, 1},
    {"ln", BuiltinFn::Ln, 1, 1},       {"log", BuiltinFn::Ln, 1, 1},  // natural, as in ngspice
    {"log10", BuiltinFn::Log10, 1, 1}, {"sqrt", BuiltinFn::Sqrt, 1, 1},
    {"abs", BuiltinFn::Abs, 1, 1},     {"pow", BuiltinFn::Pow, 2, 2},
    {"pwr", BuiltinFn::Pwr, 2, 2},     {"min", BuiltinFn::Min, 1, -1},
    {"max", BuiltinFn::Max, 1, -1},    {"floor", BuiltinFn::Floor, 1, 1},
    {"ceil", BuiltinFn::Ceil, 1, 1},   {"int", BuiltinFn::Int, 1, 1},
    {"nint", BuiltinFn::Nint, 1, 1},   {"sgn", BuiltinFn::Sgn, 1, 1},
    {"sign", BuiltinFn::Sign, 1, 2},   {"limit", BuiltinFn::Limit, 2, 3},
    {"if", BuiltinFn::If, 3, 3},       {"ternary_fcn", BuiltinFn::If, 3, 3},
    {"atn", BuiltinFn::Atan, 1, 1},    {"arctan", BuiltinFn::Atan, 1, 1},
    {"pwl", BuiltinFn::Pwl, 5, -1},      {"sqr", BuiltinFn::Sqr, 1, 1},
    {"agauss", BuiltinFn::Agauss, 3, 3}, {"gauss", BuiltinFn::Gauss, 3, 3},
    {"unif", BuiltinFn::Unif, 2, 2},     {"aunif", BuiltinFn::Aunif, 2, 2},
}};

const BuiltinInfo* find_builtin(std::string_view lower_name) {
    for (const auto& b : builtins)
        if (b.name == lower_name) return &b;
    return nullptr;
}

std::string lowered(const char* b, const char* e) {
    std::string s(b, e);
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

/// Collects the tree while the grammar runs. The grammar only fires actions on paths it has
/// committed to (alternatives are told apart by their first token, and every operator is
/// followed by an expectation), so no backtracking ever leaves stale nodes behind.
struct Builder {
    Builder(const LogicalLine& l, SymbolTable& s, const SourceFiles& f) : line(l), symbols(s), files(f) {}

    const LogicalLine& line;
    SymbolTable& symbols;
    const SourceFiles& files;

    Expr expr;
    std::vector<std::int32_t> stack;

    struct PendingName {
        const char* begin;
        const char* end;
        bool call = false;
        std::size_t arg_base = 0;
    };
    std::vector<PendingName> pending;

    std::vector<ParamAssign> assigns;
    FuncDecl func;

    /// Each node's height (1 for a leaf): the walks over a tree (evaluation, resolution) recurse
    /// once per level, so a height the stack could not hold is refused here.
    std::vector<std::int32_t> height;

    Loc loc(const char* p) const { return line.loc_at(p); }

    std::int32_t add(const ExprNode& n) {
        std::int32_t below = 0;
        auto operand = [&](std::int32_t i) {
            if (i >= 0) below = std::max(below, height[static_cast<std::size_t>(i)]);
        };
        if (n.op == ExprOp::Builtin || n.op == ExprOp::UserCall) {
            for (std::size_t k = 0; k < n.nargs; ++k) operand(expr.args[static_cast<std::size_t>(n.a) + k]);
        } else {
            operand(n.a);
            operand(n.b);
            operand(n.c);
        }
        if (below + 1 > kMaxExpressionHeight)
            files.fail(n.loc, fmt::format("expression more than {} operations deep (a chain of that many operators "
                                          "counts as that deep): split it into .param or .func parts",
                                          kMaxExpressionHeight));
        height.push_back(below + 1);
        expr.nodes.push_back(n);
        return static_cast<std::int32_t>(expr.nodes.size() - 1);
    }
    std::int32_t pop() {
        auto v = stack.back();
        stack.pop_back();
        return v;
    }

    void number(double v, const char* p) {
        ExprNode n;
        n.op = ExprOp::Number;
        n.number = v;
        n.loc = loc(p);
        stack.push_back(add(n));
    }
    void unary(ExprOp op, const char* p) {
        ExprNode n;
        n.op = op;
        n.a = pop();
        n.loc = loc(p);
        stack.push_back(add(n));
    }
    void binary(ExprOp op, const char* p) {
        ExprNode n;
        n.op = op;
        n.b = pop();
        n.a = pop();
        n.loc = loc(p);
        stack.push_back(add(n));
    }
    void conditional(const char* p) {
        ExprNode n;
        n.op = ExprOp::Cond;
        n.c = pop();
        n.b = pop();
        n.a = pop();
        n.loc = loc(p);
        stack.push_back(add(n));
    }
    void name_begin(const char* b, const char* e) { pending.push_back({b, e}); }
    void call_open() {
        pending.back().call = true;
        pending.back().arg_base = stack.size();
    }
    void name_end() {
        PendingName p = pending.back();
        pending.pop_back();
        std::string name = lowered(p.begin, p.end);
        ExprNode n;
        n.loc = loc(p.begin);
        if (!p.call) {
            n.op = ExprOp::Name;
            n.sym = symbols.intern(name);
            stack.push_back(add(n));
            return;
        }
        auto nargs = static_cast<int>(stack.size() - p.arg_base);
        if (const BuiltinInfo* b = find_builtin(name)) {
            if (nargs < b->min_args || (b->max_args >= 0 && nargs > b->max_args)) {
                std::string want = std::to_string(b->min_args);
                if (b->max_args < 0) want = "at least " + want;
                else if (b->max_args != b->min_args) want += " or " + std::to_string(b->max_args);
                files.fail(n.loc, "function '" + name + "' takes " + want + " argument" +
                                      (b->min_args == 1 && b->max_args == 1 ? "" : "s") + ", " +
                                      std::to_string(nargs) + " given");
            }
            n.op = ExprOp::Builtin;
            n.fn = b->fn;
        } else {
            n.op = ExprOp::UserCall;
            n.sym = symbols.intern(name);
        }
        n.nargs = static_cast<std::uint16_t>(nargs);
        n.a = static_cast<std::int32_t>(expr.args.size());
        expr.args.insert(expr.args.end(), stack.begin() + static_cast<std::ptrdiff_t>(p.arg_base),
                         stack.end());
        stack.resize(p.arg_base);
        stack.push_back(add(n));
    }
    Expr take() {
        expr.root = stack.empty() ? -1 : stack.back();
        stack.clear();
        height.clear();
        Expr out = std::move(expr);
        expr = Expr{};
        return out;
    }

    void assign_name(const char* b, const char* e) {
        ParamAssign a;
        a.sym = symbols.intern(lowered(b, e));
        a.loc = loc(b);
        assigns.push_back(std::move(a));
    }
    void assign_value() { assigns.back().expr = take(); }
    void func_name(const char* b, const char* e) {
        func.sym = symbols.intern(lowered(b, e));
        func.loc = loc(b);
    }
    void formal(const char* b, const char* e) { func.formals.push_back(symbols.intern(lowered(b, e))); }
};

struct builder_tag;

template <typename Ctx>
Builder& builder(const Ctx& ctx) {
    return x3::get<builder_tag>(ctx);
}

struct NumberToken {
    double value = 0;
    const char* pos = nullptr;
};

/// A SPICE number (with suffix) as one X3 primitive, keeping where it started.
struct NumberParser : x3::parser<NumberParser> {
    using attribute_type = NumberToken;
    static bool const has_attribute = true;

    template <typename It, typename Ctx, typename RCtx, typename Attr>
    bool parse(It& first, const It& last, const Ctx& ctx, RCtx&, Attr& attr) const {
        x3::skip_over(first, last, ctx);
        const char* p = first;
        double v = 0;
        bool overflow = false;
        if (!scan_number(p, last, v, &overflow)) {
            if (overflow) {
                const char* end = first;
                while (end != last && (std::isalnum(static_cast<unsigned char>(*end)) || *end == '.' ||
                                       ((*end == '+' || *end == '-') && (end[-1] == 'e' || end[-1] == 'E'))))
                    ++end;
                builder(ctx).files.fail(builder(ctx).loc(first),
                                        number_too_large(std::string_view(first, static_cast<std::size_t>(end - first))));
            }
            return false;
        }
        if constexpr (!std::is_same_v<Attr, x3::unused_type>) attr = NumberToken{v, first};
        first = p;
        return true;
    }
};

const NumberParser number_p{};

const auto ident = x3::raw[x3::lexeme[(x3::alpha | x3::char_('_')) >> *(x3::alnum | x3::char_('_'))]];

template <typename T>
auto op(T t) {
    return x3::raw[x3::lit(t)];
}

template <ExprOp Op>
struct BinaryAction {
    template <typename Ctx>
    void operator()(Ctx& ctx) const {
        builder(ctx).binary(Op, x3::_attr(ctx).begin());
    }
};
template <ExprOp Op>
struct UnaryAction {
    template <typename Ctx>
    void operator()(Ctx& ctx) const {
        builder(ctx).unary(Op, x3::_attr(ctx).begin());
    }
};
template <ExprOp Op>
constexpr BinaryAction<Op> bin{};
template <ExprOp Op>
constexpr UnaryAction<Op> un{};

const auto on_number = [](auto& ctx) { builder(ctx).number(x3::_attr(ctx).value, x3::_attr(ctx).pos); };
const auto on_cond = [](auto& ctx) { builder(ctx).conditional(x3::_attr(ctx).begin()); };
const auto on_name = [](auto& ctx) { builder(ctx).name_begin(x3::_attr(ctx).begin(), x3::_attr(ctx).end()); };
const auto on_open = [](auto& ctx) { builder(ctx).call_open(); };
const auto on_name_end = [](auto& ctx) { builder(ctx).name_end(); };
const auto on_assign_name = [](auto& ctx) {
    builder(ctx).assign_name(x3::_attr(ctx).begin(), x3::_attr(ctx).end());
};
const auto on_assign_value = [](auto& ctx) { builder(ctx).assign_value(); };
const auto on_func_name = [](auto& ctx) { builder(ctx).func_name(x3::_attr(ctx).begin(), x3::_attr(ctx).end()); };
const auto on_formal = [](auto& ctx) { builder(ctx).formal(x3::_attr(ctx).begin(), x3::_attr(ctx).end()); };

const x3::rule<class TernaryId> ternary = "expression";
const x3::rule<class OrId> lor = "expression";
const x3::rule<class AndId> land = "expression";
const x3::rule<class EqualityId> equality = "expression";
const x3::rule<class RelationalId> relational = "expression";
const x3::rule<class AdditiveId> additive = "expression";
const x3::rule<class MultiplicativeId> multiplicative = "expression";
const x3::rule<class UnaryId> unary = "operand";
const x3::rule<class PowerId> power = "operand";
const x3::rule<class PrimaryId> primary = "operand";

const auto ternary_def = lor >> -((op('?') > ternary > ':' > ternary)[on_cond]);
// A single '|' or '&' is the same logical operator (PSpice's spelling, which vendors' models
// use and ngspice reads).
const auto lor_def = land >> *((x3::raw[x3::lit("||") | x3::lit('|')] > land)[bin<ExprOp::Or>]);
const auto land_def = equality >> *((x3::raw[x3::lit("&&") | x3::lit('&')] > equality)[bin<ExprOp::And>]);
// A lone '=' compares too, as in ngspice's numparam (`.if (sel = 2)`).
const auto equality_def = relational >> *((op("==") > relational)[bin<ExprOp::Eq>] |
                                          (op("!=") > relational)[bin<ExprOp::Ne>] |
                                          (op('=') > relational)[bin<ExprOp::Eq>]);
const auto relational_def = additive >> *((op("<=") > additive)[bin<ExprOp::Le>] |
                                          (op(">=") > additive)[bin<ExprOp::Ge>] |
                                          (op('<') > additive)[bin<ExprOp::Lt>] |
                                          (op('>') > additive)[bin<ExprOp::Gt>]);
const auto additive_def = multiplicative >> *((op('+') > multiplicative)[bin<ExprOp::Add>] |
                                              (op('-') > multiplicative)[bin<ExprOp::Sub>]);
// A '*' here is never the start of "**": power has already taken that.
const auto multiplicative_def = unary >> *((op('*') > unary)[bin<ExprOp::Mul>] |
                                           (op('/') > unary)[bin<ExprOp::Div>]);
// Unary minus binds looser than power, so -2^2 is -4 as in mathematics.
// `~` is PSpice's `!` (ngspice reads it so in vendors' models).
const auto unary_def = (op('-') > unary)[un<ExprOp::Neg>] | (x3::lit('+') > unary) |
                       (x3::raw[x3::lit('!') | x3::lit('~')] > unary)[un<ExprOp::Not>] | power;
const auto power_def = primary >> -((x3::raw[x3::lit("**") | x3::lit('^')] > unary)[bin<ExprOp::Pow>]);
// v(node[, node]) and i(element): their arguments are names, not expressions, and a node name
// may hold characters an expression would read as operators (`v(vc+, com)` in vendors' op-amp
// macro models), so they are read up to the next ',' or ')'.
const auto signal_word = x3::raw[x3::lexeme[x3::no_case[x3::char_("vi")] >> &x3::lit('(')]];
const auto signal_arg = x3::raw[x3::lexeme[+(x3::char_ - x3::space - x3::char_(",(){}'"))]];
const auto signal_call = (signal_word[on_name] >> x3::lit('(')[on_open] >
                          ((signal_arg[on_name] >> x3::eps[on_name_end]) % ',') > ')')[on_name_end];
const auto primary_def = number_p[on_number] | (x3::lit('(') > ternary > ')') |
                         (x3::lit('{') > ternary > '}') | (x3::lit('\'') > ternary > '\'') | signal_call |
                         (ident[on_name] >> -(x3::lit('(')[on_open] > -(ternary % ',') > ')'))[on_name_end];

BOOST_SPIRIT_DEFINE(ternary, lor, land, equality, relational, additive, multiplicative, unary,
                    power, primary)

const auto assignments = *((ident[on_assign_name] > '=' > ternary[on_assign_value]) >> -x3::lit(','));
const auto function = ident[on_func_name] > '(' > -(ident[on_formal] % ',') > ')' > -x3::lit('=') >
                      ternary;

/// Where `text` first nests deeper than kMaxExpressionNesting: brackets, and the operands the
/// grammar descends into without a bracket (a run of unary signs, the branches of `?:`), each
/// one recursion of the parser. Null when it never does.
const char* too_deep(std::string_view text) {
    std::vector<int> conditionals{0};  // per open bracket: the `?` met at that level
    int brackets = 0, signs = 0, open_conditionals = 0;
    bool operand_next = true;
    bool in_quote = false;
    for (const char* p = text.data(); p != text.data() + text.size(); ++p) {
        const char c = *p;
        if (c == ' ' || c == '\t') continue;
        bool deeper = false;
        if (c == '(' || c == '{' || (c == '\'' && !in_quote)) {
            if (c == '\'') in_quote = true;
            ++brackets;
            conditionals.push_back(0);
            signs = 0;
            operand_next = true;
            deeper = true;
        } else if (c == ')' || c == '}' || (c == '\'' && in_quote)) {
            if (c == '\'') in_quote = false;
            if (brackets > 0) {
                --brackets;
                open_conditionals -= conditionals.back();
                conditionals.pop_back();
            }
            operand_next = false;
        } else if ((c == '-' || c == '+' || c == '!' || c == '~') && operand_next) {
            ++signs;
            deeper = true;
        } else if (c == '?') {
            ++conditionals.back();
            ++open_conditionals;
            operand_next = true;
            deeper = true;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.') {
            signs = 0;
            operand_next = false;
        } else {
            operand_next = true;  // an operator or a comma: an operand follows
            if (c != '-' && c != '+' && c != '!' && c != '~') signs = 0;
        }
        if (deeper && brackets + signs + open_conditionals > kMaxExpressionNesting) return p;
    }
    return nullptr;
}

/// An X3 expectation's name as a reader would say it: rules are named ("expression",
/// "operand"); anything else (a semantic action's type) is an expression too.
std::string readable(const std::string& which) {
    if (which.find("boost") != std::string::npos || which.find("ionspice") != std::string::npos) return "expression";
    return which;
}

template <typename Grammar>
void run(Builder& b, std::string_view text, const Grammar& g, const char* what) {
    const char* first = text.data();
    const char* last = first + text.size();
    if (const char* deep = too_deep(text))
        b.files.fail(b.loc(deep), fmt::format("{} nested more than {} levels deep (brackets, signs and ?: "
                                              "branches): split it into .param or .func parts",
                                              what, kMaxExpressionNesting));
    try {
        bool ok = x3::phrase_parse(first, last, x3::with<builder_tag>(b)[g], x3::space);
        while (first != last && (*first == ' ' || *first == '\t')) ++first;
        if (!ok || first != last) {
            if (first == last)
                b.files.fail(b.loc(first), std::string("expected ") + what);
            b.files.fail(b.loc(first), std::string("unexpected '") + *first + "' in " + what);
        }
    } catch (const x3::expectation_failure<const char*>& e) {
        const char* at = e.where();
        while (at != last && (*at == ' ' || *at == '\t')) ++at;
        std::string found = at == last ? std::string("end of ") + what : "'" + std::string(1, *at) + "'";
        b.files.fail(b.loc(at), "expected " + readable(e.which()) + " in " + what + ", found " + found);
    }
}

}  // namespace

bool is_builtin_function(std::string_view lower_name) { return find_builtin(lower_name) != nullptr; }

Expr ExpressionParser::parse(const LogicalLine& line, std::string_view text) {
    Builder b{line, symbols_, files_};
    run(b, text, ternary, "expression");
    return b.take();
}

std::vector<ParamAssign> ExpressionParser::parse_assignments(const LogicalLine& line,
                                                            std::string_view text) {
    Builder b{line, symbols_, files_};
    run(b, text, assignments, "parameter assignment");
    return std::move(b.assigns);
}

FuncDecl ExpressionParser::parse_function(const LogicalLine& line, std::string_view text) {
    Builder b{line, symbols_, files_};
    run(b, text, function, "function definition");
    b.func.body = b.take();
    return std::move(b.func);
}

}  // namespace ionspice::parser
