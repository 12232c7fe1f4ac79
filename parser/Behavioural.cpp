#include "parser/Behavioural.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "parser/Interpolation.hpp"

namespace ionspice::parser {

namespace {

constexpr int kMaxCallDepth = 64;  // .func expansions inside one another
/// Marks a ddt/sdt input until resolve() numbers the inputs (voltages, currents, then these).
constexpr std::int32_t kAuxiliaryMark = 1 << 28;
/// Named inputs are numbered from here while resolving (their place is known at the end).
constexpr std::int32_t kNamedMark = 1 << 27;

using Op = BehaviouralExpr::Op;

Op binary_op(ExprOp op) {
    switch (op) {
    case ExprOp::Add: return Op::Add;
    case ExprOp::Sub: return Op::Sub;
    case ExprOp::Mul: return Op::Mul;
    case ExprOp::Div: return Op::Div;
    case ExprOp::Pow: return Op::Pow;
    case ExprOp::Eq: return Op::Eq;
    case ExprOp::Ne: return Op::Ne;
    case ExprOp::Lt: return Op::Lt;
    case ExprOp::Le: return Op::Le;
    case ExprOp::Gt: return Op::Gt;
    case ExprOp::Ge: return Op::Ge;
    case ExprOp::And: return Op::And;
    case ExprOp::Or: return Op::Or;
    default: return Op::Number;
    }
}

}  // namespace

BehaviouralExpr BehaviouralResolver::resolve(const Expr& e, Scope& scope) {
    out_ = BehaviouralExpr{};
    out_.root = node(e, e.root, scope, nullptr, 0);
    // Current inputs come after every voltage input, the ddt/sdt unknowns after both.
    const auto nv = static_cast<std::int32_t>(out_.voltages.size());
    const auto nc = static_cast<std::int32_t>(out_.currents.size());
    const auto nn = static_cast<std::int32_t>(out_.names.size());
    for (auto& n : out_.nodes) {
        if (n.op != Op::Input) continue;
        if (n.a < 0)
            n.a = nv - n.a - 1;
        else if (n.a >= kAuxiliaryMark)
            n.a = nv + nc + nn + (n.a - kAuxiliaryMark);
        else if (n.a >= kNamedMark)
            n.a = nv + nc + (n.a - kNamedMark);
    }
    return std::move(out_);
}

void BehaviouralResolver::check_points(const BehaviouralExpr::Node& call, const ExprNode& n) const {
    // The points are fixed: only x moves with the circuit (the slope is taken along x alone).
    const char* what = n.fn == BuiltinFn::Pwl ? "pwl()" : "table";
    std::vector<double> xy;
    for (std::size_t k = 1; k < call.args.size(); ++k) {
        const BehaviouralExpr::Node& a = out_.nodes[static_cast<std::size_t>(call.args[k])];
        if (a.op != Op::Number)
            fail(n.loc, fmt::format("{}: its points must be numbers or parameters, not functions of the circuit", what));
        xy.push_back(a.number);
    }
    if (const char* why = points_problem(xy.data(), xy.size(), n.fn == BuiltinFn::Pwl))
        fail(n.loc, fmt::format("{} {}", what, why));
}

std::int32_t BehaviouralResolver::add(BehaviouralExpr::Node n) {
    out_.nodes.push_back(std::move(n));
    return static_cast<std::int32_t>(out_.nodes.size() - 1);
}

std::int32_t BehaviouralResolver::number(double v) {
    BehaviouralExpr::Node n;
    n.number = v;
    return add(std::move(n));
}

std::int32_t BehaviouralResolver::node(const Expr& e, std::int32_t i, Scope& scope, const Call* call, int depth) {
    const ExprNode& n = e.nodes[static_cast<std::size_t>(i)];
    BehaviouralExpr::Node out;
    switch (n.op) {
    case ExprOp::Number: return number(n.number);
    case ExprOp::Name: return name(n, scope, call);
    case ExprOp::Neg:
    case ExprOp::Not:
        out.op = n.op == ExprOp::Neg ? Op::Neg : Op::Not;
        out.a = node(e, n.a, scope, call, depth);
        // -3 is a number (pwl and table points are read as numbers).
        if (const auto& x = out_.nodes[static_cast<std::size_t>(out.a)]; n.op == ExprOp::Neg && x.op == Op::Number)
            return number(-x.number);
        return add(std::move(out));
    case ExprOp::Cond:
        out.op = Op::Cond;
        out.a = node(e, n.a, scope, call, depth);
        out.b = node(e, n.b, scope, call, depth);
        out.c = node(e, n.c, scope, call, depth);
        return add(std::move(out));
    case ExprOp::Builtin:
        out.op = Op::Builtin;
        out.fn = n.fn;
        for (int k = 0; k < n.nargs; ++k)
            out.args.push_back(node(e, e.args[static_cast<std::size_t>(n.a + k)], scope, call, depth));
        if (n.fn == BuiltinFn::Pwl || n.fn == BuiltinFn::Table) check_points(out, n);
        if (is_random(n.fn, n.nargs)) {
            // Drawn once, when the netlist is elaborated (as numparam does): a number here.
            std::vector<double> a;
            for (std::int32_t k : out.args) {
                const BehaviouralExpr::Node& x = out_.nodes[static_cast<std::size_t>(k)];
                if (x.op != Op::Number) fail(n.loc, "a random function's arguments must be numbers or parameters");
                a.push_back(x.number);
            }
            return number(eval_.random(n.fn, a, n.loc));
        }
        return add(std::move(out));
    case ExprOp::UserCall: return user_call(e, n, scope, call, depth);
    default:
        out.op = binary_op(n.op);
        out.a = node(e, n.a, scope, call, depth);
        out.b = node(e, n.b, scope, call, depth);
        return add(std::move(out));
    }
}

std::int32_t BehaviouralResolver::name(const ExprNode& n, Scope& scope, const Call* call) {
    if (call != nullptr) {
        const auto& formals = call->def->formals;
        for (std::size_t k = 0; k < formals.size(); ++k)
            if (formals[k] == n.sym) return call->actuals[k];
    }
    if (const std::string& id = deck_.symbols.name(n.sym); is_named_ && is_named_(id)) {
        auto at = std::find(out_.names.begin(), out_.names.end(), id);
        if (at == out_.names.end()) at = out_.names.insert(at, id);
        BehaviouralExpr::Node in;
        in.op = Op::Input;
        in.a = kNamedMark + static_cast<std::int32_t>(at - out_.names.begin());
        return add(std::move(in));
    }
    if (deck_.symbols.name(n.sym) == "time") {
        BehaviouralExpr::Node t;
        t.op = Op::Time;
        return add(std::move(t));
    }
    return number(eval_.lookup(n.sym, n.loc, call != nullptr ? *call->owner : scope));
}

std::int32_t BehaviouralResolver::user_call(const Expr& e, const ExprNode& n, Scope& scope, const Call* call,
                                            int depth) {
    const std::string& fname = deck_.symbols.name(n.sym);
    if (fname == "v") return voltage(e, n);
    if (fname == "i") return current(e, n);
    if (fname == "ddt" || fname == "sdt") {
        // Through the DAE: an unknown y of the source with its own row, y − d(g)/dt = 0 (a
        // charge −g), or dy/dt − g = 0 (a charge y; y = 0 at the operating point).
        if (n.nargs != 1) fail(n.loc, fmt::format("{}() takes one argument, {} given", fname, n.nargs));
        const std::int32_t g = node(e, e.args[static_cast<std::size_t>(n.a)], scope, call, depth);
        out_.auxiliaries.push_back({fname == "sdt", g});
        BehaviouralExpr::Node in;
        in.op = Op::Input;
        in.a = kAuxiliaryMark + static_cast<std::int32_t>(out_.auxiliaries.size() - 1);
        return add(std::move(in));
    }
    auto arg = [&](int k) { return node(e, e.args[static_cast<std::size_t>(n.a + k)], scope, call, depth); };
    static const std::pair<const char*, Op> kZeroTests[] = {{"eq0", Op::Eq}, {"ne0", Op::Ne}, {"gt0", Op::Gt},
                                                            {"lt0", Op::Lt}, {"ge0", Op::Ge}, {"le0", Op::Le}};
    for (const auto& [test, op] : kZeroTests) {
        // ngspice's eq0(x) … le0(x): 1 when x compares so with 0, else 0.
        if (fname != test) continue;
        if (n.nargs != 1) fail(n.loc, fmt::format("{}() takes one argument, {} given", fname, n.nargs));
        BehaviouralExpr::Node cmp;
        cmp.op = op;
        cmp.a = arg(0);
        cmp.b = number(0);
        return add(std::move(cmp));
    }
    // A .func: visible from where this expression (or the function it is in) was written.
    const FuncDef* f = nullptr;
    Scope* owner = nullptr;
    for (Scope* s = call != nullptr ? call->owner : &scope; s != nullptr && f == nullptr; s = s->parent()) {
        f = s->find_function(n.sym);
        owner = s;
    }
    // PSpice's stp(x), which memristor models from PSpice use (Biolek's window), is u(x), as
    // ngspice's PSpice mode defines it; a .func of that name is the deck's own.
    const bool step = fname == "stp" && f == nullptr;
    if (fname == "u" || fname == "uramp" || fname == "u2" || step) {
        // ngspice's ptfuncs.c: u(x) = 1 for x > 0, 0 for x < 0 and ½ at 0; uramp(x) = x for
        // x > 0, else 0; u2(x) = 0 for x ≤ 0, x up to 1, then 1 (a ramp clipped to [0, 1]).
        if (n.nargs != 1) fail(n.loc, fmt::format("{}() takes one argument, {} given", fname, n.nargs));
        const std::int32_t x = arg(0);
        // test(x, k) ? yes : no
        auto pick = [&](Op test, double k, std::int32_t yes, std::int32_t no) {
            BehaviouralExpr::Node cmp, c;
            cmp.op = test;
            cmp.a = x;
            cmp.b = number(k);
            c.op = Op::Cond;
            c.a = add(std::move(cmp));
            c.b = yes;
            c.c = no;
            return add(std::move(c));
        };
        if (fname == "u" || step) return pick(Op::Gt, 0, number(1), pick(Op::Lt, 0, number(0), number(0.5)));
        if (fname == "uramp") return pick(Op::Gt, 0, x, number(0));
        return pick(Op::Le, 0, number(0), pick(Op::Le, 1, x, number(1)));
    }
    if (f == nullptr) fail(n.loc, fmt::format("undefined function '{}' in a behavioural source", fname));
    if (f->formals.size() != n.nargs)
        fail(n.loc, fmt::format("function '{}' takes {} argument{}, {} given", fname, f->formals.size(),
                                f->formals.size() == 1 ? "" : "s", n.nargs));
    if (depth >= kMaxCallDepth) fail(n.loc, "function '" + fname + "' calls itself without end");
    Call inner{f, {}, owner};
    for (int k = 0; k < n.nargs; ++k) inner.actuals.push_back(arg(k));
    const Expr& body = deck_.exprs[static_cast<std::size_t>(f->body)];
    return node(body, body.root, *owner, &inner, depth + 1);
}

std::int32_t BehaviouralResolver::voltage(const Expr& e, const ExprNode& n) {
    if (n.nargs != 1 && n.nargs != 2)
        fail(n.loc, fmt::format("v() takes one node or two, {} given", n.nargs));
    std::string nodes[2] = {"0", "0"};
    for (int k = 0; k < n.nargs; ++k) {
        const ExprNode& a = e.nodes[static_cast<std::size_t>(e.args[static_cast<std::size_t>(n.a + k)])];
        // A node is a name or a number ("v(2)"), written back as it reads.
        std::string text;
        if (a.op == ExprOp::Name)
            text = deck_.symbols.name(a.sym);
        else if (a.op == ExprOp::Number && a.number >= 0 && a.number < 1e15 && a.number == std::floor(a.number))
            text = std::to_string(static_cast<long long>(a.number));
        else
            fail(a.loc, "v() takes node names");
        nodes[k] = flat_node_(NameRef{text, a.loc});
    }
    out_.voltages.emplace_back(nodes[0], nodes[1]);
    BehaviouralExpr::Node in;
    in.op = Op::Input;
    in.a = static_cast<std::int32_t>(out_.voltages.size() - 1);
    return add(std::move(in));
}

std::int32_t BehaviouralResolver::current(const Expr& e, const ExprNode& n) {
    const ExprNode* a = n.nargs == 1 ? &e.nodes[static_cast<std::size_t>(e.args[static_cast<std::size_t>(n.a)])] : nullptr;
    // An element's name starts with its letter (a number here is a node, not an element).
    if (a == nullptr || a->op != ExprOp::Name || !std::isalpha(static_cast<unsigned char>(deck_.symbols.name(a->sym)[0])))
        fail(n.loc, "i() takes the name of a voltage source (or L, E, H, B v=)");
    out_.currents.push_back(flat_element_(deck_.symbols.name(a->sym)));
    BehaviouralExpr::Node in;
    in.op = Op::Input;
    // Numbered among the currents, marked negative, until resolve() knows how many voltages
    // come first: −1 is the first current.
    in.a = -static_cast<std::int32_t>(out_.currents.size());
    return add(std::move(in));
}

}  // namespace ionspice::parser
