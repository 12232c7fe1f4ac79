#include "parser/CardParser.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "parser/Evaluator.hpp"
#include "parser/Number.hpp"
#include "parser/Scope.hpp"

namespace ionspice::parser {

namespace {

char lower_char(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower_char(c);
    return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool one_of(std::string_view w, std::initializer_list<std::string_view> list) {
    return std::find(list.begin(), list.end(), w) != list.end();
}

/// Builds the expression a `poly`, `table` or `value` controlled source stands for, node by
/// node, every node located at the card (or where its own text was parsed).
class ExprBuild {
public:
    explicit ExprBuild(Loc at) : at_(at) {}
    /// Appends `e` (indices shifted); returns its root.
    std::int32_t splice(const Expr& e) {
        const auto n0 = static_cast<std::int32_t>(out.nodes.size()), a0 = static_cast<std::int32_t>(out.args.size());
        for (ExprNode n : e.nodes) {
            if (n.op == ExprOp::Builtin || n.op == ExprOp::UserCall) {
                n.a += a0;
            } else {
                if (n.a >= 0) n.a += n0;
                if (n.b >= 0) n.b += n0;
                if (n.c >= 0) n.c += n0;
            }
            out.nodes.push_back(n);
        }
        for (std::int32_t a : e.args) out.args.push_back(a + n0);
        return e.root + n0;
    }
    std::int32_t number(double v) {
        ExprNode n;
        n.number = v;
        return add(n);
    }
    std::int32_t name(std::uint32_t sym) {
        ExprNode n;
        n.op = ExprOp::Name;
        n.sym = sym;
        return add(n);
    }
    std::int32_t call(ExprOp op, std::uint32_t sym, BuiltinFn fn, const std::vector<std::int32_t>& args) {
        ExprNode n;
        n.op = op;
        n.sym = sym;
        n.fn = fn;
        n.nargs = static_cast<std::uint16_t>(args.size());
        n.a = static_cast<std::int32_t>(out.args.size());
        out.args.insert(out.args.end(), args.begin(), args.end());
        return add(n);
    }
    std::int32_t binary(ExprOp op, std::int32_t a, std::int32_t b) {
        ExprNode n;
        n.op = op;
        n.a = a;
        n.b = b;
        return add(n);
    }
    Expr out;

private:
    std::int32_t add(ExprNode n) {
        n.loc = at_;
        out.nodes.push_back(n);
        return static_cast<std::int32_t>(out.nodes.size() - 1);
    }
    Loc at_;
};

}  // namespace

std::string CardParser::lower(const Token& t) const { return to_lower(text(t)); }

void CardParser::expect_lines(std::size_t n) {
    // Sized for the common big deck, one two-node element per line.
    Body& b = deck_.top;
    if (b.elements.capacity() < n) b.elements.reserve(n);
    if (b.nodes.capacity() < 2 * n) b.nodes.reserve(2 * n);
    if (b.values.capacity() < n) b.values.reserve(n);
}

bool CardParser::is_number_like(const Token& t) const {
    return t.kind == Token::Kind::Expr || (t.kind == Token::Kind::Word && looks_numeric(text(t)));
}

ValueRef CardParser::pool(Expr&& e, Loc at) {
    if (e.is_number()) return ValueRef::constant(e.nodes[0].number, at);
    if (e.nodes.size() == 1 && e.nodes[0].op == ExprOp::Name) return ValueRef::name(e.nodes[0].sym, e.nodes[0].loc);
    deck_.exprs.push_back(std::move(e));
    return ValueRef::pooled(static_cast<std::int32_t>(deck_.exprs.size() - 1), at);
}

ValueRef CardParser::expression(std::string_view src, Loc at) { return pool(exprs_.parse(*line_, src), at); }

ValueRef CardParser::value(const Token& t, bool bare_expression) {
    const Loc at = loc(t);
    std::string_view s = text(t);
    switch (t.kind) {
    case Token::Kind::Expr: return expression(s, at);
    case Token::Kind::Word:
        if (looks_numeric(s)) {
            auto v = parse_number(s);
            if (!v) fail(at, overflows(s) ? number_too_large(s) : "malformed number '" + std::string(s) + "'");
            return ValueRef::constant(*v, at);
        }
        if (bare_expression) return expression(s, at);
        fail(at, "expected a number, found '" + std::string(s) + "'");
    default: fail(at, "expected a value");
    }
}

NameRef CardParser::node(const Token& t) {
    if (t.kind != Token::Kind::Word) fail(loc(t), "expected a node name");
    NameRef n{deck_.text.lower_copy(text(t)), loc(t)};
    if (n.name == "gnd") n.name = "0";
    return n;
}

NameRef CardParser::name(const Token& t) {
    if (t.kind != Token::Kind::Word) fail(loc(t), "expected a name");
    return NameRef{deck_.text.lower_copy(text(t)), loc(t)};
}

NamedValue CardParser::named(const Token& key, const Token& v) {
    std::string_view k = text(key);
    // `params:w=1` written without a blank after the colon.
    if (k.size() > 7 && to_lower(k.substr(0, 7)) == "params:") k.remove_prefix(7);
    return NamedValue{deck_.text.lower_copy(k), loc(key), value(v, true)};
}

void CardParser::add_node(ElementCard& el, const Token& t) {
    body().nodes.push_back(node(t));
    ++el.node_count;
}

void CardParser::add_value(ElementCard& el, const ValueRef& v) {
    body().values.push_back(v);
    ++el.value_count;
}

void CardParser::split(std::size_t from) {
    positional_.clear();
    keyed_.clear();
    const std::size_t n = toks_.size();
    for (std::size_t i = from; i < n; ++i) {
        const Token& t = toks_[i];
        switch (t.kind) {
        case Token::Kind::LParen:
        case Token::Kind::RParen:
        case Token::Kind::Comma: continue;
        case Token::Kind::Equals: fail(loc(t), "unexpected '='");
        default: break;
        }
        if (i + 1 < n && toks_[i + 1].kind == Token::Kind::Equals) {
            if (t.kind != Token::Kind::Word) fail(loc(t), "expected a parameter name before '='");
            if (i + 2 >= n || !toks_[i + 2].is_value())
                fail(loc(toks_[i + 1]), "missing value after '" + std::string(text(t)) + "='");
            keyed_.emplace_back(&t, &toks_[i + 2]);
            i += 2;
            continue;
        }
        positional_.push_back(&t);
    }
}

void CardParser::card(const LogicalLine& line) {
    line_ = &line;
    card_loc_ = line.loc_at(std::size_t{0});
    const std::string_view s = line.text;
    std::string word;
    std::size_t end = 0;
    if (s[0] == '.') {
        while (end < s.size() && !is_blank(s[end]) && s[end] != '(' && s[end] != '{' && s[end] != '\'')
            ++end;
        word = to_lower(s.substr(0, end));
    }
    if (one_of(word, {".if", ".elseif", ".else", ".endif"})) {
        conditional(word, end);
    } else if (!ifs_.empty() && !ifs_.back().active) {
        // A line of a branch not taken: skipped unread, as ngspice skips it.
    } else if (!word.empty()) {
        dot_card(line, word, end);
    } else {
        element(line);
    }
    line_ = nullptr;
}

// ---------------------------------------------------------------------------------------------
// Element cards

void CardParser::element(const LogicalLine& line) {
    tokenize(line, 0, deck_.files, toks_);
    const Token& first = toks_.front();
    if (first.kind != Token::Kind::Word) fail(loc(first), "expected an element name");
    Body& b = body();
    ElementCard& el = b.elements.emplace_back();
    el.name = name(first);
    el.letter = el.name.name[0];
    el.nodes_begin = static_cast<std::uint32_t>(b.nodes.size());
    el.values_begin = static_cast<std::uint32_t>(b.values.size());
    const std::string ename(el.name.name);
    switch (el.letter) {
    case 'r': passive(el, "resistor", "r", "resistance"); break;
    case 'c': passive(el, "capacitor", "c", "capacitance"); break;
    case 'l': passive(el, "inductor", "l", "inductance"); break;
    case 'v': source(el, "voltage source"); break;
    case 'i': source(el, "current source"); break;
    case 'e': controlled(el, "voltage-controlled voltage source", "a gain", 4, false); break;
    case 'g': controlled(el, "voltage-controlled current source", "a transconductance", 4, false); break;
    case 'f': controlled(el, "current-controlled current source", "a gain", 2, true); break;
    case 'h': controlled(el, "current-controlled voltage source", "a transresistance", 2, true); break;
    case 'd': semiconductor(el, "diode", 2); break;
    case 'q': semiconductor(el, "bipolar transistor", 3); break;
    case 'j': semiconductor(el, "jfet", 3); break;
    case 'm': semiconductor(el, "mosfet", 4); break;
    case 'b': behavioural(el); break;
    case 's': semiconductor(el, "voltage-controlled switch", 4); break;
    case 'w': {
        // W p n vctl model [on|off]: the controlling current is another element's branch.
        split(1);
        if (positional_.size() < 4 || is_number_like(*positional_[3]))
            fail(el.name.loc, "current-controlled switch " + ename +
                                  " needs 2 nodes, a controlling source and a model");
        add_node(el, *positional_[0]);
        add_node(el, *positional_[1]);
        el.more().refs.push_back(name(*positional_[2]));
        el.model = name(*positional_[3]);
        for (std::size_t i = 4; i < positional_.size(); ++i) {
            if (is_number_like(*positional_[i])) fail(loc(*positional_[i]), "unexpected value on a switch");
            el.more().flags.push_back(name(*positional_[i]));
        }
        for (auto [k, v] : keyed_) el.more().params.push_back(named(*k, *v));
        break;
    }
    case 'k': {
        split(1);
        if (positional_.size() < 3)
            fail(el.name.loc, "coupling " + ename + " needs two inductors and a coupling factor");
        el.more().refs.push_back(name(*positional_[0]));
        el.more().refs.push_back(name(*positional_[1]));
        for (std::size_t i = 2; i < positional_.size(); ++i) add_value(el, value(*positional_[i], false));
        for (auto [k, v] : keyed_) el.more().params.push_back(named(*k, *v));
        break;
    }
    case 'x':
    case 'n': {
        split(1);
        // `params:` only announces the name=value pairs that follow.
        std::erase_if(positional_, [&](const Token* t) { return lower(*t) == "params:"; });
        const bool x = el.letter == 'x';
        if (positional_.empty() || (!x && positional_.size() < 2))
            fail(el.name.loc, x ? "subcircuit instance " + ename + " needs nodes and a subcircuit name"
                                : "device " + ename + " needs nodes and a model");
        for (std::size_t i = 0; i + 1 < positional_.size(); ++i) add_node(el, *positional_[i]);
        el.model = name(*positional_.back());
        for (auto [k, v] : keyed_) el.more().params.push_back(named(*k, *v));
        break;
    }
    default: {
        std::string letter(1, el.letter);
        fail(el.name.loc, "unknown element type '" + letter + "' (" + ename + ")");
    }
    }
}

bool CardParser::behavioural_passive(ElementCard& el, const char* key, const char* long_key) {
    // R/C/L whose value is an expression of the circuit (v(), i(), time, ddt, sdt), as ngspice
    // rewrites them into B sources: R: i = v(p,n)/expr; C: i = expr·ddt(v(p,n)), or with q=,
    // i = ddt(expr); L: v = expr·ddt(i(self)). As ngspice's rewriting: for R and C, tc1/tc2
    // divide (reciproctc=1) and m multiplies the current; for L, tc1/tc2 multiply the voltage
    // and m divides it (reciprocm=1: m inductors in parallel).
    const std::size_t n = toks_.size();
    if (n < 4 || toks_[1].kind != Token::Kind::Word || toks_[2].kind != Token::Kind::Word) return false;
    std::size_t at = 3;
    bool charge = false;
    if (at + 2 < n && toks_[at].kind == Token::Kind::Word && toks_[at + 1].kind == Token::Kind::Equals) {
        const std::string k = lower(toks_[at]);
        charge = el.letter == 'c' && k == "q";
        if (k != key && k != long_key && !charge) return false;
        at += 2;
    }
    if (toks_[at].kind != Token::Kind::Expr) return false;
    Expr e = exprs_.parse(*line_, text(toks_[at]));
    const std::int64_t v_sym = deck_.symbols.find("v"), i_sym = deck_.symbols.find("i"),
                       time_sym = deck_.symbols.find("time"), ddt_sym = deck_.symbols.find("ddt"),
                       sdt_sym = deck_.symbols.find("sdt");
    const bool of_circuit = std::any_of(e.nodes.begin(), e.nodes.end(), [&](const ExprNode& x) {
        const auto sym = static_cast<std::int64_t>(x.sym);
        return (x.op == ExprOp::UserCall && (sym == v_sym || sym == i_sym || sym == ddt_sym || sym == sdt_sym)) ||
               (x.op == ExprOp::Name && sym == time_sym);
    });
    if (!of_circuit && !charge) return false;
    add_node(el, toks_[1]);
    add_node(el, toks_[2]);
    for (std::size_t j = at + 1; j < n; j += 3) {
        if (toks_[j].kind == Token::Kind::Comma) {
            j -= 2;
            continue;
        }
        if (j + 2 >= n || toks_[j].kind != Token::Kind::Word || toks_[j + 1].kind != Token::Kind::Equals ||
            !toks_[j + 2].is_value())
            fail(loc(toks_[j]), "expected name=value parameters after the expression");
        el.more().params.push_back(named(toks_[j], toks_[j + 2]));
    }
    const Loc where = el.name.loc;
    el.more().params.push_back(
        NamedValue{el.letter == 'l' ? "reciprocm" : "reciproctc", where, ValueRef::constant(1, where)});
    ExprBuild b(where);
    const std::int32_t value = b.splice(e);
    auto sym = [&](std::string_view name) { return deck_.symbols.intern(name); };
    auto across = [&] {
        const NameRef a = node(toks_[1]), c = node(toks_[2]);  // gnd is 0
        return b.call(ExprOp::UserCall, sym("v"), BuiltinFn::Sin, {b.name(sym(a.name)), b.name(sym(c.name))});
    };
    auto ddt = [&](std::int32_t x) { return b.call(ExprOp::UserCall, sym("ddt"), BuiltinFn::Sin, {x}); };
    bool voltage = false;
    if (el.letter == 'r') {
        b.out.root = b.binary(ExprOp::Div, across(), value);
    } else if (el.letter == 'c') {
        b.out.root = charge ? ddt(value) : b.binary(ExprOp::Mul, value, ddt(across()));
    } else {
        const std::int32_t self = b.call(ExprOp::UserCall, sym("i"), BuiltinFn::Sin, {b.name(sym(el.name.name))});
        b.out.root = b.binary(ExprOp::Mul, value, ddt(self));
        voltage = true;
    }
    el.more().behavioural = BehaviouralCard{voltage, pool(std::move(b.out), where)};
    return true;
}

void CardParser::passive(ElementCard& el, const char* what, const char* key, const char* long_key) {
    if (behavioural_passive(el, key, long_key)) return;
    split(1);
    auto fail_usage = [&] {
        fail(el.name.loc, std::string(what) + " " + std::string(el.name.name) + " needs 2 nodes and a value");
    };
    if (positional_.size() < 2) fail_usage();
    add_node(el, *positional_[0]);
    add_node(el, *positional_[1]);
    for (std::size_t i = 2; i < positional_.size(); ++i) {
        const Token& t = *positional_[i];
        if (is_number_like(t))
            add_value(el, value(t, false));
        else if (el.model.name.empty())
            el.model = name(t);
        else
            el.more().flags.push_back(name(t));
    }
    for (auto [k, v] : keyed_) {
        std::string kn = lower(*k);
        // `R1 a b r=1k` means the same as `R1 a b 1k`: give the solver one place to look.
        if ((kn == key || kn == long_key) && el.value_count == 0)
            add_value(el, value(*v, true));
        else
            el.more().params.push_back(named(*k, *v));
    }
    if (el.value_count == 0 && el.model.name.empty()) fail_usage();
}

void CardParser::semiconductor(ElementCard& el, const char* what, std::size_t nodes) {
    split(1);
    // Q c b e [s] model: a number where the model would be, followed by a word, is the
    // substrate node (`0`); a word there is resolved by the elaborator, which knows the model
    // names. Otherwise the token after the nodes is the model, even when it starts like a
    // number: model names such as 2N2222, 1N4002 or 2SK456 are common (ngspice looks them up in
    // its models for the same reason).
    if (el.letter == 'q' && positional_.size() > nodes + 1 && is_number_like(*positional_[nodes]) &&
        !is_number_like(*positional_[nodes + 1]))
        ++nodes;
    if (positional_.size() < nodes + 1)
        fail(el.name.loc, std::string(what) + " " + std::string(el.name.name) + " needs " +
                              std::to_string(nodes) + " nodes and a model");
    for (std::size_t i = 0; i < nodes; ++i) add_node(el, *positional_[i]);
    el.model = name(*positional_[nodes]);
    for (std::size_t i = nodes + 1; i < positional_.size(); ++i) {
        const Token& t = *positional_[i];
        if (is_number_like(t))
            add_value(el, value(t, false));
        else
            el.more().flags.push_back(name(t));
    }
    for (auto [k, v] : keyed_) el.more().params.push_back(named(*k, *v));
}

bool CardParser::nonlinear_controlled(ElementCard& el, std::size_t nodes, bool by_ref) {
    // E/G `value={expr}` (`vol=` for E, `cur=` for G), `table {expr} = (x, y) …`, and E/G/F/H
    // `poly(n) …`: sources whose value is an expression of the circuit, built here as the
    // behavioural source (B) that ngspice turns them into.
    const std::size_t n = toks_.size();
    const bool voltage = el.letter == 'e' || el.letter == 'h';
    if (n < 4 || toks_[1].kind != Token::Kind::Word || toks_[2].kind != Token::Kind::Word) return false;
    const std::string ename(el.name.name);
    const std::string key = toks_[3].kind == Token::Kind::Word ? lower(toks_[3]) : std::string();
    const std::string key5 = n > 5 && toks_[5].kind == Token::Kind::Word ? lower(toks_[5]) : std::string();
    const bool value_form = !by_ref && (key == "value" || (key == "vol" && voltage) || (key == "cur" && !voltage));
    const bool table_form = !by_ref && (key == "table" || key5 == "table");
    const bool poly_form = key == "poly";
    if (!value_form && !table_form && !poly_form) return false;
    add_node(el, toks_[1]);
    add_node(el, toks_[2]);
    const Loc at = el.name.loc;
    ExprBuild b(at);
    auto expression_at = [&](std::size_t i) {
        // The expression runs from toks_[i] to the end of the card, braces or quotes removed.
        std::string_view rest = line_->text.substr(toks_[i].pos);
        while (!rest.empty() && (is_blank(rest.back()) || rest.back() == '\r')) rest.remove_suffix(1);
        if (toks_[i].kind == Token::Kind::Expr && i + 1 == n) rest = text(toks_[i]);
        return b.splice(exprs_.parse(*line_, rest));
    };
    auto point = [&](const Token& t) {
        if (t.kind == Token::Kind::Expr) return b.splice(exprs_.parse(*line_, text(t)));
        if (t.kind == Token::Kind::Word && looks_numeric(text(t))) {
            const ValueRef v = value(t, false);
            return b.number(v.number);
        }
        fail(loc(t), "expected a number in the table of " + ename);
    };
    auto voltage_of = [&](const Token& a, const Token& c) {
        return b.call(ExprOp::UserCall, deck_.symbols.intern("v"), BuiltinFn::Sin,
                      {b.name(deck_.symbols.intern(lower(a))), b.name(deck_.symbols.intern(lower(c)))});
    };
    std::int32_t root = -1;
    if (value_form) {
        std::size_t i = 4;
        if (i < n && toks_[i].kind == Token::Kind::Equals) ++i;
        if (i >= n) fail(loc(toks_[3]), "missing expression after '" + key + "='");
        root = expression_at(i);
    } else if (table_form) {
        // table {expr} [=] (x1, y1) (x2, y2) …, or nc+ nc- table [=] (x1, y1, …) on v(nc+, nc-).
        std::size_t i;
        std::int32_t x;
        if (key == "table") {
            if (n < 5 || (toks_[4].kind != Token::Kind::Expr && toks_[4].kind != Token::Kind::Word))
                fail(loc(toks_[3]), "'table' needs an expression in braces and (x, y) points");
            x = toks_[4].kind == Token::Kind::Expr ? b.splice(exprs_.parse(*line_, text(toks_[4])))
                                                   : b.splice(exprs_.parse(*line_, text(toks_[4])));
            i = 5;
        } else {
            x = voltage_of(toks_[3], toks_[4]);
            i = 6;
        }
        std::vector<std::int32_t> args{x};
        for (; i < n; ++i) {
            const Token& t = toks_[i];
            if (t.kind == Token::Kind::Equals || t.kind == Token::Kind::LParen || t.kind == Token::Kind::RParen ||
                t.kind == Token::Kind::Comma)
                continue;
            args.push_back(point(t));
        }
        if (args.size() == 3) {
            root = args[2];  // ngspice: a single (x, y) point is the constant y
        } else {
            root = b.call(ExprOp::Builtin, 0, BuiltinFn::Table, args);
        }
    } else {
        // poly(d) then d controls (node pairs for E/G, sources for F/H), then the coefficients
        // in SPICE's order: p0, the d linear terms, then the products of each degree with
        // non-decreasing indices (x1², x1·x2, …, x2², …).
        split(1);
        const std::size_t first = 2;  // positional_: p n poly d …
        if (positional_.size() < first + 2 || !is_number_like(*positional_[first + 1]))
            fail(loc(toks_[3]), "'poly' needs its dimension in parentheses: poly(2)");
        const double dd = value(*positional_[first + 1], false).number;
        if (!(dd >= 1 && dd <= 20 && dd == std::floor(dd)))
            fail(loc(*positional_[first + 1]), "'poly' needs a dimension from 1 to 20");
        const auto d = static_cast<std::size_t>(dd);
        const std::size_t per = by_ref ? 1 : 2;
        std::size_t k = first + 2;
        if (positional_.size() < k + d * per)
            fail(at, fmt::format("{}: poly({}) needs {} {}", ename, d, d * per, by_ref ? "controlling sources" : "control nodes"));
        std::vector<std::int32_t> xs;
        for (std::size_t j = 0; j < d; ++j, k += per) {
            if (by_ref)
                xs.push_back(b.call(ExprOp::UserCall, deck_.symbols.intern("i"), BuiltinFn::Sin,
                                    {b.name(deck_.symbols.intern(lower(*positional_[k])))}));
            else
                xs.push_back(voltage_of(*positional_[k], *positional_[k + 1]));
        }
        std::vector<std::int32_t> coefficients;
        for (; k < positional_.size(); ++k) {
            if (!is_number_like(*positional_[k])) fail(loc(*positional_[k]), "expected a poly coefficient");
            coefficients.push_back(point(*positional_[k]));
        }
        if (coefficients.empty()) fail(at, ename + ": poly needs its coefficients");
        for (auto [kk, v] : keyed_) el.more().params.push_back(named(*kk, *v));
        // Terms in order: index tuples of each degree, non-decreasing.
        std::vector<std::size_t> idx;  // the current term's indices
        root = coefficients[0];
        for (std::size_t c = 1; c < coefficients.size(); ++c) {
            // Next tuple: the last index that can grow grows; those after it restart from it.
            std::size_t pos = idx.size();
            while (pos > 0 && idx[pos - 1] + 1 == d) --pos;
            if (pos == 0) {
                idx.assign(idx.size() + 1, 0);
            } else {
                const std::size_t v = idx[pos - 1] + 1;
                for (std::size_t q = pos - 1; q < idx.size(); ++q) idx[q] = v;
            }
            std::int32_t term = coefficients[c];
            for (std::size_t q : idx) term = b.binary(ExprOp::Mul, term, xs[q]);
            root = b.binary(ExprOp::Add, root, term);
        }
    }
    b.out.root = root;
    el.more().behavioural = BehaviouralCard{voltage, pool(std::move(b.out), at)};
    return true;
}

void CardParser::controlled(ElementCard& el, const char* what, const char* value_name, std::size_t nodes,
                            bool by_ref) {
    if (nonlinear_controlled(el, nodes, by_ref)) return;
    split(1);
    const std::size_t first_value = nodes + (by_ref ? 1 : 0);
    auto fail_usage = [&] {
        std::string need = std::to_string(nodes) + " nodes" + (by_ref ? ", a controlling source" : "") +
                           " and " + value_name;
        fail(el.name.loc, std::string(what) + " " + std::string(el.name.name) + " needs " + need);
    };
    if (positional_.size() <= first_value) fail_usage();
    for (std::size_t i = 0; i < nodes; ++i) add_node(el, *positional_[i]);
    if (by_ref) el.more().refs.push_back(name(*positional_[nodes]));
    for (std::size_t i = first_value; i < positional_.size(); ++i) {
        const Token& t = *positional_[i];
        if (is_number_like(t))
            add_value(el, value(t, false));
        else
            el.more().flags.push_back(name(t));
    }
    for (auto [k, v] : keyed_) el.more().params.push_back(named(*k, *v));
    if (el.value_count == 0) fail_usage();
}

void CardParser::behavioural(ElementCard& el) {
    const std::size_t n = toks_.size();
    const std::string usage = "behavioural source " + std::string(el.name.name) + " needs 2 nodes and v= or i=";
    if (n < 3 || toks_[1].kind != Token::Kind::Word || toks_[2].kind != Token::Kind::Word) fail(el.name.loc, usage);
    add_node(el, toks_[1]);
    add_node(el, toks_[2]);
    // The expression runs to the end of the card: it may hold spaces and v(a,b) calls.
    if (n < 5 || toks_[3].kind != Token::Kind::Word || toks_[4].kind != Token::Kind::Equals ||
        (lower(toks_[3]) != "v" && lower(toks_[3]) != "i"))
        fail(el.name.loc, usage);
    if (n < 6) fail(loc(toks_[4]), "missing expression after '='");
    // The expression ends where ngspice's instance parameters begin (tc1=0.001 m=2 …).
    std::size_t end = n;
    for (std::size_t j = 6; j + 1 < n; ++j)
        if (toks_[j].kind == Token::Kind::Word && toks_[j + 1].kind == Token::Kind::Equals &&
            one_of(lower(toks_[j]), {"tc1", "tc2", "temp", "dtemp", "m", "reciproctc", "reciprocm"})) {
            end = j;
            break;
        }
    for (std::size_t j = end; j < n; j += 3) {
        if (j + 2 >= n || toks_[j].kind != Token::Kind::Word || toks_[j + 1].kind != Token::Kind::Equals ||
            !toks_[j + 2].is_value())
            fail(loc(toks_[j]), "expected name=value parameters after the expression");
        el.more().params.push_back(named(toks_[j], toks_[j + 2]));
    }
    std::string_view rest = line_->text.substr(toks_[5].pos, end < n ? toks_[end].pos - toks_[5].pos : std::string_view::npos);
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t' || rest.back() == '\r')) rest.remove_suffix(1);
    if (rest.size() >= 2 && ((rest.front() == '{' && rest.back() == '}') || (rest.front() == '\'' && rest.back() == '\'')))
        rest = rest.substr(1, rest.size() - 2);
    el.more().behavioural = BehaviouralCard{lower(toks_[3]) == "v", expression(rest, loc(toks_[5]))};
}

void CardParser::source(ElementCard& el, const char* what) {
    const std::size_t n = toks_.size();
    const std::string ename(el.name.name);
    if (n < 3 || toks_[1].kind != Token::Kind::Word || toks_[2].kind != Token::Kind::Word)
        fail(el.name.loc, std::string(what) + " " + ename + " needs 2 nodes");
    add_node(el, toks_[1]);
    add_node(el, toks_[2]);
    SourceCard* s = &el.more().source.emplace();
    auto unexpected = [&](const Token& t) {
        std::string shown = t.kind == Token::Kind::Expr ? "{" + std::string(text(t)) + "}" : std::string(text(t));
        fail(loc(t), "unexpected '" + shown + "' in " + what + " " + ename);
    };
    std::size_t i = 3;
    while (i < n) {
        const Token& t = toks_[i];
        if (t.kind == Token::Kind::Comma) {
            ++i;
            continue;
        }
        if (is_number_like(t)) {
            if (s->dc || s->wave != Waveform::Kind::None) unexpected(t);
            s->dc = value(t, false);
            ++i;
            continue;
        }
        if (t.kind != Token::Kind::Word) unexpected(t);
        const std::string kw = lower(t);
        const bool keyed = i + 1 < n && toks_[i + 1].kind == Token::Kind::Equals;
        if (kw == "dc") {
            ++i;
            if (keyed) ++i;
            if (!keyed && i < n && toks_[i].kind == Token::Kind::Word && waveform_kind(lower(toks_[i])) != Waveform::Kind::None) {
                // `DC PWL(…)`: ngspice reads the waveform and no DC value; so does ionspice,
                // taking the waveform's value at t = 0 for DC, and says so.
                warn_once(loc(t), "'dc' without a value: the DC value is the waveform's at t = 0");
                continue;
            }
            if (i >= n || !toks_[i].is_value()) fail(loc(t), "missing value after 'dc'");
            s->dc = value(toks_[i], keyed);
            ++i;
        } else if (kw == "ac") {
            ++i;
            s->has_ac = true;
            if (keyed) {
                // `ac=1`: the magnitude is required after '='; a phase may follow positionally.
                ++i;
                if (i >= n || !toks_[i].is_value()) fail(loc(t), "missing value after 'ac='");
                s->ac_mag = value(toks_[i++], true);
                if (i < n && is_number_like(toks_[i])) s->ac_phase = value(toks_[i++], false);
            } else if (i < n && is_number_like(toks_[i])) {
                s->ac_mag = value(toks_[i++], false);
                if (i < n && is_number_like(toks_[i])) s->ac_phase = value(toks_[i++], false);
            }
        } else if (const Waveform::Kind kind = waveform_kind(kw); kind != Waveform::Kind::None) {
            if (s->wave != Waveform::Kind::None) fail(loc(t), ename + " already has a waveform");
            s->wave = kind;
            s->wave_loc = loc(t);
            ++i;
            auto keyed_arg = [&](std::size_t& j) {
                // PWL's `r=` and `td=`, written inside or after the parentheses.
                std::string k = lower(toks_[j]);
                if (s->wave != Waveform::Kind::Pwl || (k != "r" && k != "td")) unexpected(toks_[j]);
                if (j + 2 >= n || !toks_[j + 2].is_value())
                    fail(loc(toks_[j + 1]), "missing value after '" + k + "='");
                (k == "r" ? s->repeat : s->delay) = value(toks_[j + 2], true);
                j += 3;
            };
            if (i < n && toks_[i].kind == Token::Kind::LParen) {
                ++i;
                while (i < n && toks_[i].kind != Token::Kind::RParen) {
                    const Token& a = toks_[i];
                    if (a.kind == Token::Kind::Comma) {
                        ++i;
                    } else if (a.kind == Token::Kind::Word && i + 1 < n && toks_[i + 1].kind == Token::Kind::Equals) {
                        keyed_arg(i);
                    } else if (is_number_like(a)) {
                        s->args.push_back(value(a, false));
                        ++i;
                    } else {
                        unexpected(a);
                    }
                }
                if (i >= n) fail(loc(t), "missing ')' after the " + kw + " arguments");
                ++i;
            } else {
                while (i < n && (toks_[i].kind == Token::Kind::Comma || is_number_like(toks_[i]))) {
                    if (toks_[i].kind != Token::Kind::Comma) s->args.push_back(value(toks_[i], false));
                    ++i;
                }
            }
            while (i + 1 < n && toks_[i].kind == Token::Kind::Word && toks_[i + 1].kind == Token::Kind::Equals &&
                   one_of(lower(toks_[i]), {"r", "td"}))
                keyed_arg(i);
            const std::size_t count = s->args.size();
            const std::size_t max_args =
                s->wave == Waveform::Kind::Pulse || s->wave == Waveform::Kind::Sffm || s->wave == Waveform::Kind::Am ? 8
                : s->wave == Waveform::Kind::Pwl                                                                    ? SIZE_MAX
                : s->wave == Waveform::Kind::Trnoise                                                                ? 7
                : s->wave == Waveform::Kind::Trrandom                                                               ? 5
                                                                                                                    : 6;
            std::string upper = kw;
            for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
            if (count < 2) fail(s->wave_loc, upper + " needs at least 2 values");
            if (count > max_args) fail(s->wave_loc, upper + " takes at most " + std::to_string(max_args) + " values");
            if (s->wave == Waveform::Kind::Pwl && count % 2 != 0)
                fail(s->wave_loc, "PWL needs time-value pairs (odd number of values given)");
        } else if (one_of(kw, {"pat", "pwm"})) {
            fail(loc(t), "waveform '" + kw + "' is not supported");
        } else if (kw == "distof1" || kw == "distof2") {
            // The inputs of ngspice's .disto analysis, which ionspice does not have (a .disto card
            // is an error): accepted with their magnitude and phase, and a warning.
            ++i;
            for (int k = 0; k < 2 && i < n && is_number_like(toks_[i]); ++k) ++i;
            warn_once(loc(t), "'" + kw + "' is an input of ngspice's distortion analysis (.disto), which ionspice "
                              "does not have; it has no effect here");
        } else if (keyed) {
            if (i + 2 >= n || !toks_[i + 2].is_value()) fail(loc(toks_[i + 1]), "missing value after '" + kw + "='");
            el.more().params.push_back(named(t, toks_[i + 2]));
            i += 3;
        } else {
            unexpected(t);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dot cards

void CardParser::dot_card(const LogicalLine& line, const std::string& word, std::size_t after) {
    static const std::initializer_list<std::string_view> in_subckt = {".param", ".func", ".model", ".subckt",
                                                                      ".ends", ".global"};
    static const std::initializer_list<std::string_view> unsupported = {".disto", ".sens", ".sp", ".pss", ".hb"};
    if (one_of(word, unsupported)) fail(card_loc_, "analysis '" + word + "' is not supported");
    // ngspice's output-format and plotting cards: accepted, with a warning for the first of
    // each kind, because output here is chosen on the command line (-r, --csv) and by .print.
    if (one_of(word, {".width", ".plot", ".probe"})) {
        const std::string what = word == ".width" ? "sets ngspice's print width" : "asks for plots ngspice draws";
        warn_once(card_loc_, "'" + word + "' " + what + "; it has no effect here (use .print, .save, -r or --csv)");
        return;
    }
    const bool known = one_of(word, in_subckt) ||
                       one_of(word, {".options", ".option", ".opt", ".temp", ".op", ".dc", ".tran", ".ac", ".noise",
                                     ".tf", ".pz", ".four", ".fourier", ".step", ".print", ".save", ".nodeset", ".ic",
                                     ".title", ".endc", ".meas", ".measure", ".csparam"});
    if (!known) fail(card_loc_, "unknown control card '" + word + "'");
    if (!open_.empty() && !one_of(word, in_subckt))
        fail(card_loc_, "'" + word + "' is not allowed inside a subcircuit");

    if (word == ".param") {
        param_card(after, body().params, ".param");
    } else if (word == ".csparam") {
        param_card(after, deck_.csparams, ".csparam");
    } else if (word == ".func") {
        func_card(after);
    } else if (word == ".model") {
        model_card(after);
    } else if (word == ".subckt") {
        subckt_card(after);
    } else if (word == ".ends") {
        ends_card(after);
    } else if (word == ".global") {
        tokenize(line, after, deck_.files, toks_);
        for (const Token& t : toks_) {
            NameRef n = node(t);
            if (n.name != "0") deck_.globals.insert(n.name);
        }
    } else if (word == ".options" || word == ".option" || word == ".opt") {
        options_card(after);
    } else if (word == ".temp") {
        tokenize(line, after, deck_.files, toks_);
        std::vector<ValueRef> temps;
        for (const Token& t : toks_) {
            if (t.kind == Token::Kind::Comma) continue;
            if (!t.is_value()) fail(loc(t), "'.temp' takes temperatures (°C)");
            temps.push_back(value(t, true));
        }
        if (temps.empty()) fail(card_loc_, "'.temp' needs a temperature");
        if (temps.size() == 1) {
            deck_.options.push_back(OptionCard{"temp", temps.front(), std::string(text(toks_[0])), card_loc_});
        } else {
            // SPICE2's `.temp t1 t2 …`: every analysis at each temperature, as `.step temp list
            // t1 t2 …` runs them (ngspice keeps only the first, with a warning).
            SweepCard sw;
            sw.kind = SweepSpec::Kind::List;
            sw.name = NameRef{deck_.text.lower_copy("temp"), card_loc_};
            sw.list = std::move(temps);
            deck_.steps.push_back(std::move(sw));
        }
    } else if (word == ".op") {
        tokenize(line, after, deck_.files, toks_);
        if (!toks_.empty()) fail(loc(toks_[0]), "'.op' takes no arguments");
        AnalysisCard a;
        a.card = "op";
        a.loc = card_loc_;
        deck_.analyses.push_back(std::move(a));
    } else if (word == ".dc") {
        dc_card(after);
    } else if (word == ".tran") {
        tran_card(after);
    } else if (word == ".ac") {
        ac_card(after);
    } else if (word == ".noise") {
        noise_card(after);
    } else if (word == ".tf") {
        tf_card(after);
    } else if (word == ".pz") {
        pz_card(after);
    } else if (word == ".four" || word == ".fourier") {  // ngspice reads `.fourier` as `.four`
        four_card(after);
    } else if (word == ".step") {
        step_card(after);
    } else if (word == ".print" || word == ".save") {
        output_card(after, word == ".print");
    } else if (word == ".meas" || word == ".measure") {
        measure_card(after);
    } else if (word == ".nodeset") {
        node_values_card(after, word, deck_.nodesets);
    } else if (word == ".ic") {
        node_values_card(after, word, deck_.ics);
    } else if (word == ".title") {
        std::string_view rest = line.text.substr(after);
        while (!rest.empty() && is_blank(rest.front())) rest.remove_prefix(1);
        title_override_ = std::string(rest);
        has_title_override_ = true;
    }
    // .endc outside a .control block: nothing to end.
}

void CardParser::param_card(std::size_t after, std::vector<ParamCard>& into, const char* card) {
    auto assigns = exprs_.parse_assignments(*line_, line_->text.substr(after));
    if (assigns.empty()) fail(card_loc_, fmt::format("'{}' needs name=value", card));
    for (auto& a : assigns) {
        const Loc at = a.expr.nodes[static_cast<std::size_t>(a.expr.root)].loc;
        into.push_back(ParamCard{a.sym, a.loc, pool(std::move(a.expr), at)});
    }
}

void CardParser::func_card(std::size_t after) {
    FuncDecl f = exprs_.parse_function(*line_, line_->text.substr(after));
    const std::string& fname = deck_.symbols.name(f.sym);
    if (is_builtin_function(fname)) fail(f.loc, "'" + fname + "' is a built-in function and cannot be redefined");
    deck_.exprs.push_back(std::move(f.body));
    body().funcs.push_back(FuncDef{f.sym, f.loc, std::move(f.formals), static_cast<std::int32_t>(deck_.exprs.size() - 1)});
}

namespace {
bool is_plain_word(std::string_view s) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}
}  // namespace

namespace {

/// "4.7.0", "3.3": digits in groups separated by dots, at least two groups when three or more
/// (a plain decimal like 3.3 stays a number).
bool is_version(std::string_view s) {
    int dots = 0;
    bool digit = false;
    for (char c : s) {
        if (c == '.') {
            if (!digit) return false;
            ++dots;
            digit = false;
        } else if (c >= '0' && c <= '9') {
            digit = true;
        } else {
            return false;
        }
    }
    return digit && dots >= 2;
}

}  // namespace

void CardParser::model_card(std::size_t after) {
    tokenize(*line_, after, deck_.files, toks_);
    if (toks_.size() < 2 || toks_[0].kind != Token::Kind::Word || toks_[1].kind != Token::Kind::Word)
        fail(card_loc_, "'.model' needs a name and a type");
    ModelCard m;
    m.name = name(toks_[0]);
    m.type = lower(toks_[1]);
    std::size_t first = 2;
    if (m.type.rfind("ako:", 0) == 0) {
        // PSpice's "a kind of" model (`.model qp ako:qp350 pnp(bf=150)`), which ngspice reads
        // too: the named model's parameters, then this card's in their place or added. The base
        // is a model defined before, here or at the top level; the type may be left out.
        const std::string base = m.type.substr(4);
        const ModelCard* from = nullptr;
        for (const Body* b : {&body(), &deck_.top})
            if (auto it = b->model_index.find(base); !from && it != b->model_index.end()) from = &b->models[it->second];
        if (!from) fail(loc(toks_[1]), "'" + std::string(text(toks_[1])) + "': no model '" + base + "' is defined before it");
        m.params = from->params;
        m.words = from->words;
        m.type = from->type;
        if (toks_.size() > 2 && toks_[2].kind == Token::Kind::Word &&
            (toks_.size() == 3 || toks_[3].kind != Token::Kind::Equals)) {
            if (lower(toks_[2]) != from->type)
                fail(loc(toks_[2]), "model '" + std::string(m.name.name) + "' is a kind of '" + base + "', of type '" +
                                        from->type + "', not '" + lower(toks_[2]) + "'");
            first = 3;
        }
    }
    // The card's own value replaces one the AKO base gave.
    const auto put = [](auto& list, auto&& item) {
        for (auto& x : list)
            if (x.name == item.name) return void(x = std::move(item));
        list.push_back(std::move(item));
    };
    for (std::size_t i = first; i < toks_.size(); ++i) {
        const Token& t = toks_[i];
        if (t.kind == Token::Kind::LParen || t.kind == Token::Kind::RParen || t.kind == Token::Kind::Comma) continue;
        if (t.kind != Token::Kind::Word || i + 1 >= toks_.size() || toks_[i + 1].kind != Token::Kind::Equals)
            fail(loc(t), "expected 'name=value' in .model " + std::string(m.name.name));
        if (i + 2 >= toks_.size() || !toks_[i + 2].is_value())
            fail(loc(toks_[i + 1]), "missing value after '" + std::string(text(t)) + "='");
        const Token& v = toks_[i + 2];
        // `level=bulk`, `mapping=log`: a bare word that is not a number is kept as a word;
        // the elaborator turns it into a number if it names a .param in scope.
        // `version=4.7.0` (BSIM cards) is a word too: a number with two dots is no number.
        // PSpice's temperature parameters, under the names ngspice gives them (its PSpice mode
        // renames them so): vendors' `.model rnoiseless res(t_abs=-273.15)`.
        std::string_view key = deck_.text.lower_copy(text(t));
        if (key == "t_abs") key = "temp";
        else if (key == "t_rel_global") key = "dtemp";
        else if (key == "t_measured") key = "tnom";
        if (v.kind == Token::Kind::Word &&
            ((!looks_numeric(text(v)) && is_plain_word(text(v))) || is_version(text(v)))) {
            put(m.words, NamedWord{key, to_lower(text(v)), loc(t), loc(v)});
        } else {
            NamedValue nv = named(t, v);
            nv.name = key;
            put(m.params, std::move(nv));
        }
        i += 2;
    }
    Body& b = body();
    if (b.model_index.count(m.name.name) != 0)
        fail(m.name.loc, "model '" + std::string(m.name.name) + "' is already defined");
    b.model_index.emplace(m.name.name, b.models.size());
    b.models.push_back(std::move(m));
}

void CardParser::subckt_card(std::size_t after) {
    tokenize(*line_, after, deck_.files, toks_);
    if (toks_.empty() || toks_[0].kind != Token::Kind::Word) fail(card_loc_, "'.subckt' needs a name");
    auto def = std::make_unique<SubcktDef>();
    def->name = name(toks_[0]);
    bool in_params = false;
    const std::size_t n = toks_.size();
    for (std::size_t i = 1; i < n; ++i) {
        const Token& t = toks_[i];
        if (t.kind == Token::Kind::Comma) continue;
        std::string w = t.kind == Token::Kind::Word ? lower(t) : std::string();
        if (w == "params:") {
            in_params = true;
            continue;
        }
        if (t.kind == Token::Kind::Word && i + 1 < n && toks_[i + 1].kind == Token::Kind::Equals) {
            if (i + 2 >= n || !toks_[i + 2].is_value())
                fail(loc(toks_[i + 1]), "missing value after '" + std::string(text(t)) + "='");
            if (w.rfind("params:", 0) == 0) w.erase(0, 7);
            def->defaults.push_back(ParamCard{deck_.symbols.intern(w), loc(t), value(toks_[i + 2], true)});
            in_params = true;
            i += 2;
            continue;
        }
        if (t.kind != Token::Kind::Word || in_params)
            fail(loc(t), "expected a node name or 'name=value' in .subckt " + std::string(def->name.name));
        def->ports.push_back(node(t));
    }
    if (def->ports.size() > 8)
        for (std::size_t i = 0; i < def->ports.size(); ++i) def->port_index.emplace(def->ports[i].name, i);
    Body& b = body();
    if (b.subckt_index.count(def->name.name) != 0)
        fail(def->name.loc, "subcircuit '" + std::string(def->name.name) + "' is already defined");
    b.subckt_index.emplace(def->name.name, b.subckts.size());
    def->card_loc = card_loc_;
    open_.push_back(def.get());
    b.subckts.push_back(std::move(def));
}

void CardParser::ends_card(std::size_t after) {
    if (open_.empty()) fail(card_loc_, "'.ends' without '.subckt'");
    tokenize(*line_, after, deck_.files, toks_);
    if (!toks_.empty()) {
        std::string n = lower(toks_[0]);
        // ngspice closes the innermost subcircuit whatever name .ends gives (vendors' libraries
        // have such slips): a warning, not an error.
        if (n != open_.back()->name.name)
            deck_.warnings.emplace_back(loc(toks_[0]), "'.ends " + n + "' closes '.subckt " +
                                                           std::string(open_.back()->name.name) +
                                                           "' (the name on .ends is not checked, as in ngspice)");
    }
    open_.pop_back();
}

void CardParser::options_card(std::size_t after) {
    tokenize(*line_, after, deck_.files, toks_);
    const std::size_t n = toks_.size();
    for (std::size_t i = 0; i < n; ++i) {
        const Token& t = toks_[i];
        if (t.kind == Token::Kind::Comma) continue;
        if (t.kind != Token::Kind::Word) fail(loc(t), "expected an option name");
        OptionCard o;
        o.name = lower(t);
        o.loc = loc(t);
        if (i + 1 < n && toks_[i + 1].kind == Token::Kind::Equals) {
            if (i + 2 >= n || !toks_[i + 2].is_value() ) fail(loc(toks_[i + 1]), "missing value after '" + o.name + "='");
            const Token& v = toks_[i + 2];
            if (v.kind == Token::Kind::Expr) {
                o.value = value(v, true);
                o.text = std::string(text(v));
            } else {
                o.text = lower(v);
                if (looks_numeric(o.text)) o.value = value(v, false);
            }
            i += 2;
        }
        deck_.options.push_back(std::move(o));
    }
}

SweepCard CardParser::sweep(std::size_t& i, const char* card) {
    const std::size_t n = toks_.size();
    const std::string what = card;
    SweepCard sw;
    while (i + 1 < n && toks_[i].kind == Token::Kind::Word && toks_[i + 1].kind == Token::Kind::Word) {
        std::string kw = lower(toks_[i]);
        if (kw == "lin") sw.kind = SweepSpec::Kind::Lin;
        else if (kw == "dec") sw.kind = SweepSpec::Kind::Dec;
        else if (kw == "oct") sw.kind = SweepSpec::Kind::Oct;
        else if (kw == "param") sw.param_keyword = true;
        else break;
        ++i;
    }
    if (toks_[i].kind != Token::Kind::Word || looks_numeric(text(toks_[i])))
        fail(loc(toks_[i]), what == ".dc" ? "expected a source or parameter name to sweep"
                                          : "expected a parameter or source name to step");
    sw.name = name(toks_[i]);
    ++i;
    if (i < n && toks_[i].kind == Token::Kind::Word && lower(toks_[i]) == "list") {
        if (sw.kind != SweepSpec::Kind::Lin) fail(loc(toks_[i]), "'list' cannot follow 'dec' or 'oct'");
        sw.kind = SweepSpec::Kind::List;
        ++i;
        while (i < n && (toks_[i].kind == Token::Kind::Comma || is_number_like(toks_[i]))) {
            if (toks_[i].kind != Token::Kind::Comma) sw.list.push_back(value(toks_[i], false));
            ++i;
        }
        if (sw.list.empty()) fail(sw.name.loc, "'" + what + " " + std::string(sw.name.name) + " list' needs values");
    } else {
        ValueRef* slots[3] = {&sw.start, &sw.stop, &sw.step};
        for (ValueRef* slot : slots) {
            i = skip_commas(i);
            if (i >= n || !is_number_like(toks_[i]))
                fail(i < n ? loc(toks_[i]) : sw.name.loc,
                     "'" + what + " " + std::string(sw.name.name) + "' needs start, stop and " +
                         (sw.kind == SweepSpec::Kind::Lin ? "increment"
                                                          : sw.kind == SweepSpec::Kind::Dec ? "points per decade"
                                                                                            : "points per octave"));
            *slot = value(toks_[i++], false);
        }
    }
    return sw;
}

void CardParser::dc_card(std::size_t after) {
    tokenize(*line_, after, deck_.files, toks_);
    AnalysisCard a;
    a.card = "dc";
    a.loc = card_loc_;
    std::size_t i = 0;
    while (i < toks_.size()) a.sweeps.push_back(sweep(i, ".dc"));
    if (a.sweeps.empty()) fail(card_loc_, "'.dc' needs a source or parameter to sweep");
    deck_.analyses.push_back(std::move(a));
}

void CardParser::step_card(std::size_t after) {
    tokenize(*line_, after, deck_.files, toks_);
    if (toks_.empty()) fail(card_loc_, "'.step' needs a parameter to step: '.step param NAME start stop increment'");
    std::size_t i = 0;
    SweepCard sw;
    if (is_monte_carlo_step())
        sw = monte_carlo_step(i);
    else
        sw = sweep(i, ".step");
    i = skip_commas(i);
    // One variable per line keeps the nesting order the order of the lines.
    if (i < toks_.size())
        fail(loc(toks_[i]), "'.step' steps one variable; write one '.step' line per variable to nest them");
    deck_.steps.push_back(std::move(sw));
}

bool CardParser::is_monte_carlo_step() const {
    // `.step mc N …`; a .param named mc is still stepped as `.step mc 1 10 1` or `.step param mc …`.
    const std::size_t n = toks_.size();
    return n >= 2 && toks_[0].kind == Token::Kind::Word && lower(toks_[0]) == kMonteCarloVariable && is_number_like(toks_[1]) &&
           (n == 2 || (toks_[2].kind == Token::Kind::Word && !looks_numeric(text(toks_[2]))));
}

SweepCard CardParser::monte_carlo_step(std::size_t& i) {
    SweepCard sw;
    sw.monte_carlo = true;
    sw.name = name(toks_[0]);
    sw.start = ValueRef::constant(1.0, loc(toks_[1]));
    sw.stop = value(toks_[1], false);
    sw.step = ValueRef::constant(1.0, loc(toks_[1]));
    i = 2;
    while (i < toks_.size()) {
        const Token& t = toks_[i];
        if (t.kind != Token::Kind::Word || lower(t) != "seed" || i + 2 >= toks_.size() ||
            toks_[i + 1].kind != Token::Kind::Equals || !toks_[i + 2].is_value())
            fail(loc(t), "'.step mc N' takes only 'seed=S' after the number of runs");
        if (sw.seed) fail(loc(t), "'seed' is given twice");
        sw.seed = value(toks_[i + 2], false);
        i += 3;
    }
    return sw;
}

void CardParser::tran_card(std::size_t after) {
    tokenize(*line_, after, deck_.files, toks_);
    AnalysisCard a;
    a.card = "tran";
    a.loc = card_loc_;
    for (const Token& t : toks_) {
        if (t.kind == Token::Kind::Comma) continue;
        if (t.kind == Token::Kind::Word && lower(t) == "uic") {
            a.uic = true;
            continue;
        }
        if (a.uic) fail(loc(t), "unexpected value after 'uic'");
        if (a.times.size() == 4) fail(loc(t), "'.tran' takes at most tstep tstop tstart tmax");
        a.times.push_back(value(t, true));
    }
    if (a.times.size() < 2) fail(card_loc_, "'.tran' needs a time step and a stop time");
    deck_.analyses.push_back(std::move(a));
}

FrequencyCard CardParser::frequencies(std::size_t& i, const std::string& card) {
    const std::size_t n = toks_.size();
    i = skip_commas(i);
    FrequencyCard f;
    const std::string kw = i < n && toks_[i].kind == Token::Kind::Word ? lower(toks_[i]) : std::string();
    if (kw == "dec")
        f.kind = FrequencySweep::Kind::Dec;
    else if (kw == "oct")
        f.kind = FrequencySweep::Kind::Oct;
    else if (kw == "lin")
        f.kind = FrequencySweep::Kind::Lin;
    else if (i < n)
        fail(loc(toks_[i]), "'" + card + "' needs dec, oct or lin before the number of points, got '" +
                                std::string(text(toks_[i])) + "'");
    else
        fail(card_loc_, "'" + card + "' needs dec, oct or lin, the number of points, fstart and fstop");
    f.loc = loc(toks_[i++]);
    for (ValueRef* slot : {&f.points, &f.fstart, &f.fstop}) {
        i = skip_commas(i);
        if (i >= n) fail(f.loc, "'" + card + " " + kw + "' needs the number of points, fstart and fstop");
        *slot = value(toks_[i++], true);
    }
    return f;
}

NameRef CardParser::input_source(std::size_t& i, const std::string& card, const std::string& after, Loc after_loc) {
    const std::size_t n = toks_.size();
    i = skip_commas(i);
    const std::string missing = "'" + card + "' needs an input source after " + after;
    if (i >= n) fail(after_loc, missing);
    const Token& t = toks_[i];
    const std::string w = t.kind == Token::Kind::Word ? lower(t) : std::string();
    if (w.empty() || one_of(w, {"dec", "oct", "lin"})) fail(loc(t), missing);
    // Caught here, where the card is, rather than when the solver looks the name up.
    if (w[0] != 'v' && w[0] != 'i')
        fail(loc(t), "'" + card + "' input '" + w + "' is not an independent source (V or I)");
    ++i;
    return name(t);
}

std::size_t CardParser::skip_commas(std::size_t i) const {
    while (i < toks_.size() && toks_[i].kind == Token::Kind::Comma) ++i;
    return i;
}

void CardParser::no_more(std::size_t i, const std::string& usage) {
    i = skip_commas(i);
    if (i >= toks_.size()) return;
    const Token& t = toks_[i];
    const std::string shown = t.kind == Token::Kind::Expr ? "{" + std::string(text(t)) + "}" : std::string(text(t));
    fail(loc(t), "unexpected '" + shown + "': " + usage);
}

namespace {

/// `v(a)`, `v(a,b)` or, with `current`, `i(x)`, as output_item gives them: the outputs .noise
/// and .tf name.
bool is_voltage_or_current(std::string_view item, bool current) {
    if (item.size() < 4 || item[1] != '(' || item.back() != ')') return false;
    if (item[0] != 'v' && !(current && item[0] == 'i')) return false;
    const std::string_view inner = item.substr(2, item.size() - 3);
    auto plain = [](std::string_view s) { return !s.empty() && s.find_first_of("(),") == std::string_view::npos; };
    const std::size_t comma = inner.find(',');
    if (comma == std::string_view::npos) return plain(inner);
    return item[0] == 'v' && plain(inner.substr(0, comma)) && plain(inner.substr(comma + 1));
}

}  // namespace

void CardParser::ac_card(std::size_t after) {
    tokenize(*line_, after, deck_.files, toks_);
    AnalysisCard a;
    a.card = "ac";
    a.loc = card_loc_;
    std::size_t i = 0;
    a.frequencies = frequencies(i, ".ac");
    no_more(i, "'.ac' takes dec|oct|lin N fstart fstop");
    deck_.analyses.push_back(std::move(a));
}

std::size_t CardParser::output_and_input(AnalysisCard& a, std::size_t after, bool current,
                                         const std::string& missing, const std::string& outputs) {
    const std::string card = "'." + a.card + "'";
    std::size_t i = skip_separators(after);
    if (i == line_->text.size()) fail(card_loc_, card + " needs " + missing);
    a.output_loc = line_->loc_at(i);
    a.output = output_item(i);
    if (!is_voltage_or_current(a.output, current))
        fail(a.output_loc, card + " output must be " + outputs + ", got '" + a.output + "'");
    tokenize(*line_, i, deck_.files, toks_);
    std::size_t k = 0;
    a.input = input_source(k, "." + a.card, a.output, a.output_loc);
    return k;
}

void CardParser::noise_card(std::size_t after) {
    AnalysisCard a;
    a.card = "noise";
    a.loc = card_loc_;
    std::size_t k = output_and_input(a, after, false,
                                     "an output v(out) or v(out,ref), an input source and dec|oct|lin N fstart fstop",
                                     "a voltage, v(out) or v(out,ref)");
    a.frequencies = frequencies(k, ".noise");
    k = skip_commas(k);
    if (k < toks_.size()) a.points_per_summary = value(toks_[k++], true);
    no_more(k, "'.noise' takes an output, a source, dec|oct|lin N fstart fstop and points per summary");
    deck_.analyses.push_back(std::move(a));
}

void CardParser::tf_card(std::size_t after) {
    AnalysisCard a;
    a.card = "tf";
    a.loc = card_loc_;
    const std::size_t k = output_and_input(a, after, true, "an output, v(a), v(a,b) or i(vx), and an input source",
                                           "v(a), v(a,b) or i(vx)");
    no_more(k, "'.tf' takes an output and an input source");
    deck_.analyses.push_back(std::move(a));
}

void CardParser::pz_card(std::size_t after) {
    tokenize(*line_, after, deck_.files, toks_);
    const std::string usage = "'.pz' takes the input nodes, the output nodes, cur or vol, and pol, zer or pz";
    AnalysisCard a;
    a.card = "pz";
    a.loc = card_loc_;
    std::size_t k = 0;
    while (a.ports.size() < 4) {
        k = skip_commas(k);
        if (k == toks_.size()) fail(card_loc_, usage);
        a.ports.push_back(node(toks_[k++]));
    }
    auto word = [&](std::initializer_list<std::string_view> allowed, const char* what) {
        k = skip_commas(k);
        if (k == toks_.size()) fail(card_loc_, usage);
        const Token& t = toks_[k++];
        const std::string w = to_lower(text(t));
        if (t.kind != Token::Kind::Word || !one_of(w, allowed))
            fail(loc(t), fmt::format("'.pz' expects {} here, got '{}'", what, text(t)));
        return w;
    };
    a.current_input = word({"cur", "vol"}, "cur or vol") == "cur";
    const std::string which = word({"pol", "zer", "pz"}, "pol, zer or pz");
    a.poles = which != "zer";
    a.zeros = which != "pol";
    no_more(skip_commas(k), usage);
    deck_.analyses.push_back(std::move(a));
}

void CardParser::four_card(std::size_t after) {
    tokenize(*line_, after, deck_.files, toks_);
    const std::size_t k = skip_commas(0);
    if (k == toks_.size()) fail(card_loc_, "'.four' needs the fundamental frequency and the vectors to analyse");
    const Token& f = toks_[k];
    if (f.kind == Token::Kind::Word && k + 1 < toks_.size() && toks_[k + 1].kind == Token::Kind::LParen)
        fail(loc(f), "'.four' needs the fundamental frequency before the vectors");
    AnalysisCard a;
    a.card = "four";
    a.loc = card_loc_;
    a.fundamental = value(f, true);
    // The vectors are read like .print items; an expression's closing brace or quote ends it.
    std::size_t i = f.kind == Token::Kind::Expr ? std::size_t{f.end} + 1 : std::size_t{f.end};
    for (i = skip_separators(i); i < line_->text.size(); i = skip_separators(i)) {
        a.vector_locs.push_back(line_->loc_at(i));
        a.vectors.push_back(output_item(i));
    }
    if (a.vectors.empty()) fail(loc(f), "'.four' needs at least one vector after the fundamental frequency");
    deck_.analyses.push_back(std::move(a));
}

/// `.meas tran|dc|ac NAME` then one of
///   FIND vec AT=x | FIND vec WHEN vec=val [edge] | WHEN vec=val [edge]
///   TRIG vec VAL=val [edge] TARG vec VAL=val [edge]
///   AVG|MAX|MIN|PP|RMS|INTEG vec [FROM=x] [TO=x]
/// with edge: RISE=n | FALL=n | CROSS=n (n may be LAST) and TD=t. The line is cut into words at
/// blanks, commas and '=' outside parentheses; `v (a)` is one word.
void CardParser::measure_card(std::size_t after) {
    const std::string_view s = line_->text;
    struct Word {
        std::string text;  ///< lower case, blanks removed; "=" for an equals sign
        std::size_t pos;
    };
    std::vector<Word> w;
    for (std::size_t i = after; i < s.size();) {
        if (is_blank(s[i]) || s[i] == ',') {
            ++i;
            continue;
        }
        if (s[i] == '=') {
            w.push_back({"=", i++});
            continue;
        }
        const std::size_t start = i;
        std::string t;
        int depth = 0;
        const char quote = s[i] == '{' ? '}' : s[i] == '\'' ? '\'' : 0;
        if (quote) {  // an expression, kept as written
            const std::size_t end = s.find(quote, i + 1);
            if (end == std::string_view::npos) fail(line_->loc_at(i), "unterminated expression");
            w.push_back({std::string(s.substr(i, end + 1 - i)), i});
            i = end + 1;
            continue;
        }
        while (i < s.size()) {
            const char c = s[i];
            if (depth == 0 && (c == ',' || c == '=')) break;
            if (depth == 0 && is_blank(c)) {
                std::size_t k = i;
                while (k < s.size() && is_blank(s[k])) ++k;
                if (k == s.size() || s[k] != '(') break;
                i = k;
                continue;
            }
            if (c == '(') ++depth;
            if (c == ')') --depth;
            if (!is_blank(c)) t += lower_char(c);
            ++i;
        }
        if (depth != 0) fail(line_->loc_at(start), "unbalanced parentheses in '" + t + "'");
        w.push_back({std::move(t), start});
    }
    std::size_t k = 0;
    auto at_loc = [&](std::size_t j) { return line_->loc_at(j < w.size() ? w[j].pos : s.size()); };
    auto next = [&](const char* what) -> const Word& {
        if (k >= w.size()) fail(at_loc(k), std::string("'.meas' needs ") + what);
        return w[k++];
    };
    auto number = [&](const Word& v) -> ValueRef {
        const Loc at = line_->loc_at(v.pos);
        if (!v.text.empty() && (v.text.front() == '{' || v.text.front() == '\''))
            return expression(s.substr(v.pos + 1, v.text.size() - 2), at);
        if (auto x = parse_number(v.text)) return ValueRef::constant(*x, at);
        if (!v.text.empty() && std::isalpha(static_cast<unsigned char>(v.text[0])))
            return ValueRef::name(deck_.symbols.intern(v.text), at);
        fail(at, "'" + v.text + "' is not a number");
    };
    auto keyed = [&](const std::string& key) -> ValueRef {  // after KEY: "=" value
        if (k >= w.size() || w[k].text != "=") fail(at_loc(k), "'" + key + "' needs '=' and a value");
        ++k;
        return number(next("a value"));
    };
    // v(out), i(v1), vdb(out): something, '(' … ')'.
    auto is_vector = [](const std::string& t) {
        return t.size() >= 4 && t.find('(') != std::string::npos && t.back() == ')';
    };
    auto vector = [&](const char* what) -> const Word& {
        const Word& v = next(what);
        if (!is_vector(v.text))
            fail(line_->loc_at(v.pos), std::string("'.meas' needs ") + what + ", e.g. v(out), got '" + v.text + "'");
        return v;
    };
    // Edge and delay words after a crossing: RISE=n, FALL=n, CROSS=n (or LAST), TD=t.
    auto edges = [&](MeasureCard::Cross& c) {
        while (k < w.size()) {
            const std::string& key = w[k].text;
            if (key == "td") {
                ++k;
                c.td = keyed("td");
            } else if (key == "rise" || key == "fall" || key == "cross") {
                ++k;
                c.edge = key == "rise" ? Measure::Cross::Edge::Rise
                         : key == "fall" ? Measure::Cross::Edge::Fall
                                         : Measure::Cross::Edge::Cross;
                if (k >= w.size() || w[k].text != "=") fail(at_loc(k), "'" + key + "' needs '=' and a count");
                ++k;
                const Word& n = next("a count");
                if (n.text == "last") {
                    c.last = true;
                } else {
                    auto x = parse_number(n.text);
                    if (!x || *x < 1 || *x != static_cast<int>(*x))
                        fail(line_->loc_at(n.pos), "'" + key + "' takes a count of 1 or more, or LAST");
                    c.count = static_cast<int>(*x);
                }
            } else {
                break;
            }
        }
    };
    auto crossing = [&](bool with_val) {  // vec=val, or (TRIG/TARG) vec VAL=val
        MeasureCard::Cross c;
        const Word& v = vector("a vector");
        c.vector = v.text;
        c.loc = line_->loc_at(v.pos);
        if (with_val) {
            if (k >= w.size() || w[k].text != "val") fail(at_loc(k), "'.meas' needs VAL= after " + c.vector);
            ++k;
            c.value = keyed("val");
        } else {
            if (k >= w.size() || w[k].text != "=") fail(at_loc(k), "'.meas' needs '=' and a value after " + c.vector);
            ++k;
            // `WHEN v(out)=v(in)`: where the two vectors cross, as in ngspice.
            // (A value in parentheses, `(0.5)`, is a number: a vector starts with its name.)
            if (k < w.size() && is_vector(w[k].text) && std::isalpha(static_cast<unsigned char>(w[k].text[0]))) {
                c.other = w[k].text;
                c.other_loc = line_->loc_at(w[k].pos);
                ++k;
            } else {
                c.value = number(next("a value"));
            }
        }
        edges(c);
        return c;
    };

    MeasureCard m;
    m.loc = card_loc_;
    const Word& an = next("an analysis (tran, dc or ac)");
    if (an.text == "sp" || an.text == "op")
        fail(line_->loc_at(an.pos), "'.meas " + an.text + "' is not supported (tran, dc and ac are)");
    if (an.text != "tran" && an.text != "dc" && an.text != "ac")
        fail(line_->loc_at(an.pos), "'.meas' needs an analysis, tran, dc or ac, got '" + an.text + "'");
    m.analysis = an.text;
    m.name = next("a name").text;
    const Word& kind = next("a measurement (FIND, WHEN, TRIG, AVG, MAX, MIN, PP, RMS, INTEG, PARAM)");
    const Loc kind_loc = line_->loc_at(kind.pos);
    if (kind.text == "find") {
        const Word& v = vector("a vector to find");
        m.vector = v.text;
        m.vector_loc = line_->loc_at(v.pos);
        const Word& how = next("AT= or WHEN");
        if (how.text == "at") {
            m.at = keyed("at");
        } else if (how.text == "when") {
            m.when = crossing(false);
        } else {
            fail(line_->loc_at(how.pos), "'.meas … FIND' needs AT= or WHEN, got '" + how.text + "'");
        }
        m.kind = Measure::Kind::Find;
    } else if (kind.text == "when") {
        m.kind = Measure::Kind::When;
        m.when = crossing(false);
    } else if (kind.text == "param") {
        // An expression of .params and earlier measurements of the same analysis.
        m.kind = Measure::Kind::Param;
        m.param = keyed("param");
    } else if (kind.text == "trig") {
        m.kind = Measure::Kind::Delay;
        m.trig = crossing(true);
        if (k >= w.size() || w[k].text != "targ") fail(at_loc(k), "'.meas … TRIG' needs TARG");
        ++k;
        m.targ = crossing(true);
    } else {
        static const std::pair<const char*, Measure::Kind> stats[] = {
            {"avg", Measure::Kind::Avg}, {"max", Measure::Kind::Max}, {"min", Measure::Kind::Min},
            {"pp", Measure::Kind::Pp},   {"rms", Measure::Kind::Rms}, {"integ", Measure::Kind::Integ},
            {"integral", Measure::Kind::Integ}};
        bool found = false;
        for (const auto& [word, kk] : stats)
            if (kind.text == word) m.kind = kk, found = true;
        if (!found)
            fail(kind_loc,
                 "unknown measurement '" + kind.text + "' (FIND, WHEN, TRIG, AVG, MAX, MIN, PP, RMS, INTEG, PARAM)");
        const Word& v = vector("a vector");
        m.vector = v.text;
        m.vector_loc = line_->loc_at(v.pos);
        while (k < w.size()) {
            const Word& key = next("FROM= or TO=");
            if (key.text == "from")
                m.from = keyed("from");
            else if (key.text == "to")
                m.to = keyed("to");
            else
                fail(line_->loc_at(key.pos), "unexpected '" + key.text + "' (FROM= or TO=)");
        }
    }
    if (k < w.size()) fail(at_loc(k), "unexpected '" + w[k].text + "' in '.meas'");
    deck_.measures.push_back(std::move(m));
}

std::size_t CardParser::skip_separators(std::size_t i) const {
    const std::string_view s = line_->text;
    while (i < s.size() && (is_blank(s[i]) || s[i] == ',')) ++i;
    return i;
}

std::string CardParser::output_item(std::size_t& i) const {
    const std::string_view s = line_->text;
    const std::size_t start = i;
    std::string item;
    int depth = 0;
    while (i < s.size()) {
        char c = s[i];
        if (depth == 0 && (is_blank(c) || c == ',')) {
            // "v (out)" is still one item.
            std::size_t k = i;
            while (k < s.size() && is_blank(s[k])) ++k;
            if (c == ',' || k == s.size() || s[k] != '(') break;
            i = k;
            continue;
        }
        if (c == '(') ++depth;
        if (c == ')') --depth;
        if (!is_blank(c)) item += lower_char(c);
        ++i;
    }
    if (depth != 0) fail(line_->loc_at(start), "unbalanced parentheses in '" + item + "'");
    return item;
}

void CardParser::output_card(std::size_t after, bool print) {
    const std::string_view s = line_->text;
    OutputCard out;
    out.loc = card_loc_;
    std::size_t i = skip_separators(after);
    if (print) {
        std::size_t j = i;
        while (j < s.size() && !is_blank(s[j]) && s[j] != '(') ++j;
        std::string w = to_lower(s.substr(i, j - i));
        if (j == s.size() || s[j] != '(') {
            if (one_of(w, {"dc", "op", "tran", "ac", "noise", "tf", "pz"})) {
                out.analysis = w;
                i = j;
            } else if (one_of(w, {"disto", "sens"})) {
                fail(line_->loc_at(i), "analysis '." + w + "' is not supported");
            }
        }
    }
    // The items stay text (vdb(out), onoise_spectrum, …): the solver knows what each analysis has.
    for (i = skip_separators(i); i < s.size(); i = skip_separators(i)) {
        const std::size_t start = i;
        out.items.push_back(output_item(i));
        out.item_locs.push_back(line_->loc_at(start));
    }
    (print ? deck_.prints : deck_.saves).push_back(std::move(out));
}

void CardParser::node_values_card(std::size_t after, const std::string& word, std::vector<NodeValueCard>& out) {
    tokenize(*line_, after, deck_.files, toks_);
    const std::size_t n = toks_.size();
    std::size_t i = 0;
    auto is = [&](std::size_t k, Token::Kind kind) { return k < n && toks_[k].kind == kind; };
    const std::size_t before = out.size();
    while (i < n) {
        if (toks_[i].kind == Token::Kind::Comma) {
            ++i;
            continue;
        }
        if (!(is(i, Token::Kind::Word) && lower(toks_[i]) == "v" && is(i + 1, Token::Kind::LParen) &&
              is(i + 2, Token::Kind::Word) && is(i + 3, Token::Kind::RParen) && is(i + 4, Token::Kind::Equals) &&
              i + 5 < n && toks_[i + 5].is_value()))
            fail(loc(toks_[i]), "expected 'v(node)=value' in " + word);
        out.push_back(NodeValueCard{node(toks_[i + 2]), value(toks_[i + 5], true), loc(toks_[i])});
        i += 6;
    }
    if (out.size() == before) fail(card_loc_, "'" + word + "' needs v(node)=value");
}

void CardParser::conditional(const std::string& word, std::size_t after) {
    if (word == ".if") {
        const bool outer = ifs_.empty() || ifs_.back().active;
        const bool yes = outer && decide(after);
        ifs_.push_back(IfFrame{outer, yes, yes, false, open_.size(), card_loc_});
        return;
    }
    if (ifs_.empty()) fail(card_loc_, "'" + word + "' without '.if'");
    IfFrame& f = ifs_.back();
    if (f.subckt_depth != open_.size())
        fail(card_loc_, "'" + word + "' and the '.if' it belongs to are on different sides of a .subckt/.ends");
    if (word == ".endif") {
        ifs_.pop_back();
        return;
    }
    if (f.seen_else) fail(card_loc_, "'" + word + "' after '.else'");
    if (word == ".else") {
        f.seen_else = true;
        f.active = f.outer_active && !f.taken;
    } else {
        f.active = f.outer_active && !f.taken && decide(after);
    }
    f.taken = f.taken || f.active;
}

bool CardParser::decide(std::size_t after) {
    // ngspice decides .if when it reads the deck, with the .params read so far: so does this,
    // with the top-level ones; the elaborator checks that other values (a .step) agree.
    std::string_view src = line_->text.substr(after);
    while (!src.empty() && is_blank(src.front())) src.remove_prefix(1);
    while (!src.empty() && (is_blank(src.back()) || src.back() == '\r')) src.remove_suffix(1);
    if (src.empty()) fail(card_loc_, "'.if' needs a condition");
    const ValueRef cond = expression(src, line_->loc_at(static_cast<std::size_t>(src.data() - line_->text.data())));
    // Inside a .subckt too: its parameters differ per instance, so only top-level names count.
    Scope top;
    for (const ParamCard& p : deck_.top.params) top.define(p.sym, p.value, p.loc);
    for (const FuncDef& f : deck_.top.funcs) top.define_function(&f);
    Evaluator eval(deck_.exprs, deck_.symbols, deck_.files);
    const bool yes = eval.value(cond, top) != 0;
    deck_.conditions.push_back(ConditionCard{cond, deck_.top.params.size(), yes, card_loc_});
    return yes;
}

void CardParser::warn_once(Loc at, std::string message) {
    // The first card that says it is located; a deck of a thousand sources writing the same
    // thing gets one warning, not a thousand.
    for (const auto& w : deck_.warnings)
        if (w.second == message) return;
    deck_.warnings.emplace_back(at, std::move(message));
}

void CardParser::finish(const std::string& first_line) {
    if (!ifs_.empty()) fail(ifs_.back().loc, "'.if' has no '.endif'");
    if (!open_.empty())
        fail(open_.back()->card_loc, "'.subckt " + std::string(open_.back()->name.name) + "' has no '.ends'");
    deck_.title = has_title_override_ ? title_override_ : first_line;
    if (!deck_.csparams.empty() && deck_.control.empty())
        deck_.warnings.emplace_back(deck_.csparams.front().loc,
                                    "'.csparam' gives values to a .control script, and this netlist has none; "
                                    "it has no effect here");
    define_pspice_parameters();
}

void CardParser::define_pspice_parameters() {
    // PSpice's predefined parameters, which vendors' models use and ngspice's PSpice mode
    // defines: temp, the circuit temperature (°C, `temper`), and vt, the thermal voltage kT/q
    // there. Only when the deck names one and does not define it at the top level itself.
    const auto wanted = [&](std::string_view name) {
        const std::int64_t sym = deck_.symbols.find(name);
        if (sym < 0) return false;
        for (const ParamCard& p : deck_.top.params)
            if (p.sym == sym) return false;
        return true;
    };
    const bool temp = wanted("temp"), vt = wanted("vt");
    if (!temp && !vt) return;
    const std::uint32_t temper = deck_.symbols.intern(kTemperatureOverride);
    if (temp) deck_.top.params.push_back(ParamCard{deck_.symbols.intern("temp"), Loc{}, ValueRef::name(temper, Loc{})});
    if (vt) {
        // (temper + 273.15) · k/q, k/q in V/K as ngspice writes it.
        Expr e;
        const auto node = [&](ExprOp op, double number, std::int32_t a, std::int32_t b) {
            ExprNode n;
            n.op = op;
            n.number = number;
            n.a = a;
            n.b = b;
            if (op == ExprOp::Name) n.sym = temper;
            e.nodes.push_back(n);
            return static_cast<std::int32_t>(e.nodes.size() - 1);
        };
        const std::int32_t sum = node(ExprOp::Add, 0, node(ExprOp::Name, 0, -1, -1), node(ExprOp::Number, 273.15, -1, -1));
        e.root = node(ExprOp::Mul, 0, sum, node(ExprOp::Number, 8.6173303e-5, -1, -1));
        deck_.top.params.push_back(ParamCard{deck_.symbols.intern("vt"), Loc{}, pool(std::move(e), Loc{})});
    }
}

}  // namespace ionspice::parser
