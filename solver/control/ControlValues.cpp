#include "solver/control/ControlValues.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include <fmt/format.h>

#include "parser/Number.hpp"

namespace ionspice::solver::control {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument(message); }

}  // namespace

Vec* ControlPlot::find(std::string_view n) {
    for (auto& v : vecs)
        if (v.name == n) return &v;
    return nullptr;
}

const Vec* ControlPlot::find(std::string_view n) const {
    for (const auto& v : vecs)
        if (v.name == n) return &v;
    return nullptr;
}

void ControlPlot::set(Vec v) {
    if (Vec* old = find(v.name)) *old = std::move(v);
    else vecs.push_back(std::move(v));
}

ControlPlot from_plot(const Plot& plot, const std::string& type_name) {
    ControlPlot out;
    out.type_name = type_name;
    out.title = plot.title;
    out.name = plot.name;
    out.date = plot.date;
    out.analysis = plot.analysis;
    out.has_scale = !plot.scalar;
    const std::size_t n = plot.points();
    for (std::size_t v = 0; v < plot.variables.size(); ++v) {
        Vec vec;
        vec.name = plot.variables[v].name;
        vec.type = plot.variables[v].type;
        vec.real = !plot.is_complex();
        vec.data.resize(n);
        for (std::size_t p = 0; p < n; ++p) vec.data[p] = plot.complex_at(p, v);
        // A scale of an AC plot is stored complex; it is real all the same.
        if (v == 0 && plot.is_complex() && !plot.scalar) vec.real = true;
        out.vecs.push_back(std::move(vec));
    }
    return out;
}

Plot to_plot(const ControlPlot& source, const std::vector<const Vec*>& vecs) {
    Plot p;
    p.title = source.title;
    p.name = source.name.empty() ? "Constant values" : source.name;
    p.date = source.date;
    p.analysis = source.analysis;
    bool complex = false;
    for (const Vec* v : vecs) complex = complex || !v->real;
    p.kind = complex ? Plot::Kind::Complex : Plot::Kind::Real;
    // As ngspice's write: as many points as the longest vector, the shorter padded with zeros.
    std::size_t n = 0;
    for (const Vec* v : vecs) {
        n = std::max(n, v->size());
        p.variables.push_back({v->name, v->type});
    }
    p.scalar = n == 1 && !source.has_scale;
    p.values.reserve(n * vecs.size() * p.stride());
    for (std::size_t k = 0; k < n; ++k)
        for (const Vec* v : vecs) {
            const Complex x = k < v->size() ? v->data[k] : Complex(0, 0);
            p.values.push_back(x.real());
            if (complex) p.values.push_back(x.imag());
        }
    return p;
}

std::string format_number(double v) {
    return v < 0 ? fmt::format("{:.5e}", v) : fmt::format("{:.6e}", v);
}

namespace {

// ---------------------------------------------------------------------------------------------
// Expression parsing: recursive descent, its depth bounded (the text is the user's).

struct Parser {
    std::string_view s;
    std::size_t p = 0;
    const Scope& scope;
    int depth = 0;

    void blanks() {
        while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p]))) ++p;
    }
    bool at_end() {
        blanks();
        return p >= s.size();
    }
    bool eat(std::string_view tok) {
        blanks();
        if (s.substr(p, tok.size()) != tok) return false;
        p += tok.size();
        return true;
    }
    /// A word operator (gt, and, …): the word must end there.
    bool eat_word(std::string_view w) {
        blanks();
        if (p + w.size() > s.size() || lower(s.substr(p, w.size())) != w) return false;
        if (p + w.size() < s.size()) {
            const char c = s[p + w.size()];
            if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') return false;
        }
        p += w.size();
        return true;
    }
    struct Deeper {
        Parser& parser;
        explicit Deeper(Parser& pr) : parser(pr) {
            if (++parser.depth > kMaxExpressionDepth)
                fail(fmt::format("expression nested deeper than {} levels", kMaxExpressionDepth));
        }
        ~Deeper() { --parser.depth; }
    };

    Vec parse() {
        Vec v = logical_or();
        if (!at_end()) fail(fmt::format("unexpected '{}' in expression", s.substr(p)));
        return v;
    }

    Vec logical_or() {
        Deeper d(*this);
        Vec a = logical_and();
        while (eat("||") || eat("|") || eat_word("or")) a = binary(a, logical_and(), [](Complex x, Complex y) {
            return Complex(x != 0.0 || y != 0.0 ? 1 : 0, 0);
        });
        return a;
    }
    Vec logical_and() {
        Vec a = logical_not();
        while (eat("&&") || eat("&") || eat_word("and")) a = binary(a, logical_not(), [](Complex x, Complex y) {
            return Complex(x != 0.0 && y != 0.0 ? 1 : 0, 0);
        });
        return a;
    }
    Vec logical_not() {
        Deeper d(*this);
        if (eat_word("not") || (peek('!') && !peek_at(1, '=') && eat("!"))) {
            Vec a = logical_not();
            for (auto& x : a.data) x = Complex(x == 0.0 ? 1 : 0, 0);
            a.real = true;
            return a;
        }
        return comparison();
    }
    bool peek(char c) {
        blanks();
        return p < s.size() && s[p] == c;
    }
    bool peek_at(std::size_t k, char c) const { return p + k < s.size() && s[p + k] == c; }

    Vec comparison() {
        Vec a = additive();
        for (;;) {
            int op = -1;
            // ngspice's words; the symbols too, except that `>` and `<` alone redirect in
            // ngspice's commands and so never reach its expressions: here they compare.
            if (eat(">=") || eat_word("ge")) op = 0;
            else if (eat("<=") || eat_word("le")) op = 1;
            else if (eat("<>") || eat("!=") || eat_word("ne")) op = 2;
            else if (eat("==") || eat_word("eq")) op = 3;
            else if (eat_word("gt") || eat(">")) op = 4;
            else if (eat_word("lt") || eat("<")) op = 5;
            else if (eat("=")) op = 3;
            if (op < 0) return a;
            Vec b = additive();
            a = binary(a, b, [op](Complex x, Complex y) {
                const double u = x.real(), w = y.real();
                bool r = false;
                switch (op) {
                case 0: r = u >= w; break;
                case 1: r = u <= w; break;
                case 2: r = x != y; break;
                case 3: r = x == y; break;
                case 4: r = u > w; break;
                case 5: r = u < w; break;
                }
                return Complex(r ? 1 : 0, 0);
            });
            a.real = true;
        }
    }
    Vec additive() {
        Vec a = multiplicative();
        for (;;) {
            if (eat("+")) a = binary(a, multiplicative(), [](Complex x, Complex y) { return x + y; });
            else if (eat("-")) a = binary(a, multiplicative(), [](Complex x, Complex y) { return x - y; });
            else return a;
        }
    }
    Vec multiplicative() {
        Vec a = unary();
        for (;;) {
            if (eat("*")) a = binary(a, unary(), [](Complex x, Complex y) { return x * y; });
            else if (eat("/")) a = binary(a, unary(), [](Complex x, Complex y) { return x / y; });
            else if (eat("%")) a = binary(a, unary(), [](Complex x, Complex y) {
                return Complex(std::fmod(x.real(), y.real()), 0);
            });
            else return a;
        }
    }
    Vec unary() {
        Deeper d(*this);
        if (eat("-")) {
            Vec a = unary();
            for (auto& x : a.data) x = -x;
            a.name = "-" + a.name;
            return a;
        }
        if (eat("+")) return unary();
        return power();
    }
    Vec power() {
        Vec a = postfix();
        if (eat("^") || eat("**")) {
            Deeper d(*this);
            Vec b = unary();  // right associative
            a = binary(a, b, [](Complex x, Complex y) {
                if (x.imag() == 0 && y.imag() == 0 && (x.real() >= 0 || y.real() == std::floor(y.real())))
                    return Complex(std::pow(x.real(), y.real()), 0);
                return std::pow(x, y);
            });
        }
        return a;
    }
    Vec postfix() {
        Vec a = primary();
        while (peek('[')) {
            ++p;
            Vec lo = logical_or();
            std::optional<Vec> hi;
            if (eat(",")) hi = logical_or();
            if (!eat("]")) fail("expected ']' after an index");
            auto index = [&](const Vec& v) {
                if (v.size() != 1) fail("an index must be one number");
                const double k = v.data[0].real();
                if (k != std::floor(k) || k < 0 || k >= static_cast<double>(a.size()))
                    fail(fmt::format("index {:g} is outside '{}' (0 to {})", k, a.name, a.size() == 0 ? 0 : a.size() - 1));
                return static_cast<std::size_t>(k);
            };
            const std::size_t i = index(lo), j = hi ? index(*hi) : i;
            Vec r;
            r.name = a.name + "[" + (hi ? fmt::format("{},{}", i, j) : fmt::format("{}", i)) + "]";
            r.type = a.type;
            r.real = a.real;
            if (i <= j)
                for (std::size_t k = i; k <= j; ++k) r.data.push_back(a.data[k]);
            else
                for (std::size_t k = i + 1; k-- > j;) r.data.push_back(a.data[k]);
            a = std::move(r);
        }
        return a;
    }

    Vec primary() {
        Deeper d(*this);
        blanks();
        if (p >= s.size()) fail("expression ends too early");
        const char c = s[p];
        if (c == '(') {
            ++p;
            Vec v = logical_or();
            if (!eat(")")) fail("expected ')'");
            return v;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && p + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[p + 1])))) {
            const char* b = s.data() + p;
            const char* q = b;
            double value = 0;
            bool overflow = false;
            if (!parser::scan_number(q, s.data() + s.size(), value, &overflow))
                fail(overflow ? parser::number_too_large(s.substr(p, 24)) : fmt::format("malformed number '{}'", s.substr(p)));
            const std::string text(s.substr(p, static_cast<std::size_t>(q - b)));
            p += static_cast<std::size_t>(q - b);
            return scalar(text, value);
        }
        if (c == '@') return device_quantity();
        if (c == '"') {
            // "temp-sweep": a vector whose name is not an expression.
            const std::size_t close = s.find('"', p + 1);
            if (close == std::string_view::npos) fail("'\"' without a closing '\"'");
            const std::string word = lower(s.substr(p + 1, close - p - 1));
            p = close + 1;
            return named(word, scope.current);
        }
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return name_or_call();
        fail(fmt::format("unexpected '{}' in expression", s.substr(p, 1)));
    }

    /// @name[param]: a saved vector of that name in the current plot, else the parameter.
    Vec device_quantity() {
        const std::size_t open = s.find('[', p), close = s.find(']', p);
        if (open == std::string_view::npos || close == std::string_view::npos || close < open || open == p + 1)
            fail("'@' needs a device and a parameter: @name[param]");
        const std::string name = lower(s.substr(p + 1, open - p - 1));
        const std::string param = lower(s.substr(open + 1, close - open - 1));
        p = close + 1;
        const std::string word = "@" + name + "[" + param + "]";
        if (scope.current)
            if (const Vec* v = scope.current->find(word)) return *v;
        if (scope.device_vector)
            if (auto values = scope.device_vector(name, param)) {
                Vec r;
                r.name = word;
                for (double x : *values) r.data.emplace_back(x, 0);
                return r;
            }
        std::optional<double> v;
        if (scope.device_param) v = scope.device_param(name, param);
        if (!v) fail(fmt::format("'{}' has no parameter '{}' here", name, param));
        return scalar(word, *v);
    }

    static Vec scalar(std::string name, double v) {
        Vec r;
        r.name = std::move(name);
        r.data = {Complex(v, 0)};
        return r;
    }

    Vec name_or_call() {
        const std::size_t b = p;
        while (p < s.size() && (std::isalnum(static_cast<unsigned char>(s[p])) || s[p] == '_' || s[p] == '.' ||
                                s[p] == '#' || s[p] == '$'))
            ++p;
        std::string word = lower(s.substr(b, p - b));
        // tran1.v(out): a vector of another plot.
        const ControlPlot* in = scope.current;
        if (auto dot = word.rfind('.'); dot != std::string::npos && dot > 0 && scope.plot) {
            const ControlPlot* other = scope.plot(word.substr(0, dot));
            if (other) {
                in = other;
                word = word.substr(dot + 1);
            }
        }
        blanks();
        static const char* const kAccessors[] = {"v", "i", "vm", "vp", "vr", "vi", "vdb", "im", "ip", "ir", "ii", "idb"};
        const bool accessor = std::find(std::begin(kAccessors), std::end(kAccessors), word) != std::end(kAccessors);
        if (p < s.size() && s[p] == '(') {
            // What is up to the first ')', lower case and without blanks: the nodes of v(a, b),
            // or the rest of a vector's own name with parentheses (a pole-zero plot's pole(1)).
            const std::size_t close = s.find(')', p);
            std::string inside = lower(s.substr(p + 1, close == std::string_view::npos ? close : close - p - 1));
            inside.erase(std::remove_if(inside.begin(), inside.end(), [](unsigned char ch) { return std::isspace(ch); }),
                         inside.end());
            if (accessor) {
                if (close == std::string_view::npos) fail(fmt::format("'{}(' without ')'", word));
                p = close + 1;
                return accessor_value(word, inside, in);
            }
            // Such a vector comes before a function of that name.
            if (close != std::string_view::npos && in)
                if (const Vec* v = in->find(word + "(" + inside + ")")) {
                    p = close + 1;
                    return *v;
                }
            return call(word);
        }
        return named(word, in);
    }

    Vec lookup(const std::string& name, const ControlPlot* in) const {
        if (in)
            if (const Vec* v = in->find(name)) return *v;
        if (in != scope.current && scope.current)
            if (const Vec* v = scope.current->find(name)) return *v;
        fail(fmt::format("no vector '{}'{}", name, in && !in->type_name.empty() ? " in plot " + in->type_name : ""));
    }

    /// v(x): the node voltage v(x), or, as in ngspice (where a node's voltage is the vector
    /// named by the node), any vector named x (`let foo = 5` … `v(foo)`).
    Vec voltage(const std::string& node, const ControlPlot* in) {
        if (in)
            if (const Vec* v = in->find("v(" + node + ")")) return *v;
        try {
            return named(node, in);
        } catch (const std::invalid_argument&) {
            return lookup("v(" + node + ")", in);  // its message names v(node)
        }
    }

    Vec accessor_value(const std::string& kind, const std::string& inside, const ControlPlot* in) {
        const bool current = kind[0] == 'i';
        Vec v;
        if (current) {
            v = lookup("i(" + inside + ")", in);
        } else if (auto comma = inside.find(','); comma != std::string::npos) {
            Vec a = voltage(inside.substr(0, comma), in);
            Vec b = inside.substr(comma + 1) == "0" ? scalar("0", 0) : voltage(inside.substr(comma + 1), in);
            v = binary(a, b, [](Complex x, Complex y) { return x - y; });
            v.name = "v(" + inside + ")";
        } else {
            v = voltage(inside, in);
        }
        const std::string mod = kind.substr(1);
        if (mod.empty()) return v;
        const std::string name = kind + "(" + inside + ")";
        Vec r = apply(v, mod == "m" ? "mag" : mod == "p" ? "ph" : mod == "r" ? "real" : mod == "i" ? "imag" : "db");
        r.name = name;
        return r;
    }

    Vec named(const std::string& word, const ControlPlot* in) {
        // ngspice's predefined vectors (its const.h: CODATA 2014 values).
        static const std::pair<const char*, double> kConstants[] = {
            {"pi", std::numbers::pi}, {"e", std::numbers::e}, {"c", 2.99792458e8}, {"i", 0},
            {"kelvin", -273.15}, {"echarge", 1.6021766208e-19}, {"boltz", 1.38064852e-23}, {"planck", 6.626070040e-34},
            {"yes", 1}, {"no", 0}, {"true", 1}, {"false", 0}};
        if (in)
            if (const Vec* v = in->find(word)) return *v;
        // A node's name alone is its voltage, as ngspice reads it; `v1#branch` is i(v1).
        if (in)
            if (const Vec* v = in->find("v(" + word + ")")) return *v;
        if (constexpr std::string_view branch = "#branch"; in && word.size() > branch.size() && word.ends_with(branch))
            if (const Vec* v = in->find("i(" + word.substr(0, word.size() - branch.size()) + ")")) return *v;
        if (scope.current && in != scope.current) {
            if (const Vec* v = scope.current->find(word)) return *v;
        }
        // Then the constants plot, where `let` put vectors before any analysis ran (ngspice
        // looks there last).
        if (scope.plot)
            if (const ControlPlot* k = scope.plot("const"); k && k != in && k != scope.current)
                if (const Vec* v = k->find(word)) return *v;
        for (const auto& [name, value] : kConstants)
            if (word == name) {
                Vec r = scalar(word, value);
                if (word == "i") r.data[0] = Complex(0, 1), r.real = false;
                return r;
            }
        fail(fmt::format("no vector '{}'", word));
    }

    Vec call(const std::string& fn) {
        ++p;  // '('
        std::vector<Vec> args;
        if (!eat(")")) {
            for (;;) {
                args.push_back(logical_or());
                if (eat(")")) break;
                if (!eat(",")) fail(fmt::format("expected ',' or ')' in {}()", fn));
            }
        }
        if (args.size() != 1) fail(fmt::format("{}() takes one argument, got {}", fn, args.size()));
        Vec r = apply(args[0], fn);
        r.name = fn + "(" + args[0].name + ")";
        return r;
    }

    static Vec apply(const Vec& a, const std::string& fn) {
        Vec r;
        r.type = "notype";
        auto each = [&](auto f, bool real_out) {
            r.data.reserve(a.size());
            for (const auto& x : a.data) r.data.push_back(f(x));
            // A real vector stays real unless the function left the real axis (sqrt(-4)).
            r.real = real_out || (a.real && std::all_of(r.data.begin(), r.data.end(),
                                                        [](Complex x) { return x.imag() == 0; }));
        };
        auto reduce = [&](Complex v) {
            r.data = {v};
            r.real = a.real;
        };
        if (fn == "mag" || fn == "magnitude" || fn == "abs") each([](Complex x) { return Complex(std::abs(x), 0); }, true);
        // ngspice's ph of a real vector is 0 whatever the sign; of a complex one, its angle.
        else if (fn == "ph" || fn == "phase") each([&](Complex x) { return Complex(a.real ? 0.0 : std::arg(x), 0); }, true);
        else if (fn == "cph" || fn == "cphase" || fn == "unwrap") {
            // The phase made continuous along the vector: each jump of more than π is undone.
            double last = 0, offset = 0;
            bool first = true;
            each([&](Complex x) {
                double ph = a.real ? 0.0 : std::arg(x);
                if (!first) {
                    while (ph + offset - last > std::numbers::pi) offset -= 2 * std::numbers::pi;
                    while (ph + offset - last < -std::numbers::pi) offset += 2 * std::numbers::pi;
                }
                first = false;
                last = ph + offset;
                return Complex(last, 0);
            }, true);
        }
        else if (fn == "db") {
            each([](Complex x) { return Complex(20 * std::log10(std::abs(x)), 0); }, true);
            r.type = "decibel";
        }
        else if (fn == "real" || fn == "re") each([](Complex x) { return Complex(x.real(), 0); }, true);
        else if (fn == "imag" || fn == "im") each([](Complex x) { return Complex(x.imag(), 0); }, true);
        else if (fn == "j") { each([](Complex x) { return x * Complex(0, 1); }, false); r.real = false; }
        else if (fn == "sqrt") each([&](Complex x) {
            if (!a.real) return std::sqrt(x);
            return x.real() >= 0 ? Complex(std::sqrt(x.real()), 0) : Complex(0, std::sqrt(-x.real()));
        }, false);
        else if (fn == "exp") each([](Complex x) { return std::exp(x); }, false);
        else if ((fn == "ln" || fn == "log" || fn == "log10") && a.real &&
                 std::any_of(a.data.begin(), a.data.end(), [](Complex x) { return !(x.real() > 0); }))
            fail(fmt::format("{}() of a value that is not positive (ngspice: argument out of range)", fn));
        else if (fn == "ln" || fn == "log") each([](Complex x) { return std::log(x); }, false);
        else if (fn == "log10") each([](Complex x) { return std::log10(x); }, false);
        else if (fn == "sin") each([](Complex x) { return std::sin(x); }, false);
        else if (fn == "cos") each([](Complex x) { return std::cos(x); }, false);
        else if (fn == "tan") each([](Complex x) { return std::tan(x); }, false);
        else if (fn == "atan") each([](Complex x) { return std::atan(x); }, false);
        else if (fn == "atanh") each([](Complex x) { return std::atanh(x); }, false);
        else if (fn == "conj") each([](Complex x) { return std::conj(x); }, false);
        else if (fn == "nint") each([](Complex x) { return Complex(std::nearbyint(x.real()), std::nearbyint(x.imag())); }, false);
        else if (fn == "pos") each([](Complex x) { return Complex(x.real() > 0 ? 1 : 0, 0); }, true);
        else if (fn == "sinh") each([](Complex x) { return std::sinh(x); }, false);
        else if (fn == "cosh") each([](Complex x) { return std::cosh(x); }, false);
        else if (fn == "tanh") each([](Complex x) { return std::tanh(x); }, false);
        else if (fn == "floor") each([](Complex x) { return Complex(std::floor(x.real()), std::floor(x.imag())); }, false);
        else if (fn == "ceil") each([](Complex x) { return Complex(std::ceil(x.real()), std::ceil(x.imag())); }, false);
        else if (fn == "sgn") each([](Complex x) { return Complex(x.real() > 0 ? 1 : x.real() < 0 ? -1 : 0, 0); }, true);
        else if (fn == "norm") {
            double m = 0;
            for (const auto& x : a.data) m = std::max(m, std::abs(x));
            each([m](Complex x) { return m > 0 ? x / m : x; }, false);
        } else if (fn == "length") {
            r.data = {Complex(static_cast<double>(a.size()), 0)};
        } else if (fn == "mean") {
            if (a.data.empty()) fail("mean() of an empty vector");
            Complex sum = 0;
            for (const auto& x : a.data) sum += x;
            reduce(sum / static_cast<double>(a.size()));
        } else if (fn == "vecmax" || fn == "vecmin" || fn == "maximum" || fn == "minimum") {
            if (a.data.empty()) fail(fn + "() of an empty vector");
            double best = a.data[0].real();
            for (const auto& x : a.data) best = (fn == "vecmax" || fn == "maximum") ? std::max(best, x.real()) : std::min(best, x.real());
            r.data = {Complex(best, 0)};
        } else if (fn == "stddev") {
            // ngspice's: the sample deviation (n - 1) about the mean, of the magnitudes' spread.
            if (a.data.size() < 2) fail("stddev() needs two or more points");
            Complex sum = 0;
            for (const auto& x : a.data) sum += x;
            const Complex m = sum / static_cast<double>(a.size());
            double ss = 0;
            for (const auto& x : a.data) ss += std::norm(x - m);
            r.data = {Complex(std::sqrt(ss / static_cast<double>(a.size() - 1)), 0)};
        } else if (fn == "avg") {
            // The running mean, point by point (ngspice's avg over the index).
            Complex sum = 0;
            for (std::size_t k = 0; k < a.size(); ++k) {
                sum += a.data[k];
                r.data.push_back(sum / static_cast<double>(k + 1));
            }
            r.real = a.real;
        } else if (fn == "vecd") {
            // Central differences x[k+1] - x[k-1], one-sided at the two ends (ngspice's vecd).
            const std::size_t n = a.size();
            if (n < 2) fail("vecd() needs two or more points");
            for (std::size_t k = 0; k < n; ++k)
                r.data.push_back(a.data[std::min(k + 1, n - 1)] - a.data[k == 0 ? 0 : k - 1]);
            r.real = a.real;
        } else if (fn == "vector" || fn == "unitvec") {
            const double n = a.size() ? a.data[0].real() : 0;
            if (!(n >= 0) || n > 1e8 || n != std::floor(n)) fail(fmt::format("{}({:g}): a length from 0 to 1e8", fn, n));
            for (std::size_t k = 0; k < static_cast<std::size_t>(n); ++k)
                r.data.push_back(Complex(fn == "vector" ? static_cast<double>(k) : 1.0, 0));
        } else if (fn == "integ" || fn == "deriv") {
            fail(fn + "() needs the vector's scale, which ionspice's control language does not give it yet");
        } else {
            fail(fmt::format("unknown function '{}'", fn));
        }
        return r;
    }

    template <class F>
    static Vec binary(const Vec& a, const Vec& b, F f) {
        Vec r;
        r.name = a.name;
        r.type = a.type;
        r.real = a.real && b.real;
        const std::size_t n = std::max(a.size(), b.size());
        if (a.size() == 0 || b.size() == 0) fail(fmt::format("'{}' is empty", a.size() == 0 ? a.name : b.name));
        if (a.size() != b.size() && a.size() != 1 && b.size() != 1)
            fail(fmt::format("'{}' has {} points and '{}' {}", a.name, a.size(), b.name, b.size()));
        r.data.resize(n);
        for (std::size_t k = 0; k < n; ++k)
            r.data[k] = f(a.data[a.size() == 1 ? 0 : k], b.data[b.size() == 1 ? 0 : k]);
        return r;
    }
};

}  // namespace

Vec evaluate(std::string_view text, const Scope& scope) {
    Parser parser{text, 0, scope};
    Vec v = parser.parse();
    // The expression's text names the result, as in ngspice's print.
    std::string name(text);
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front()))) name.erase(0, 1);
    v.name = lower(name);
    return v;
}

}  // namespace ionspice::solver::control
