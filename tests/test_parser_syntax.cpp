// Numbers, expressions, logical lines: the lexical layer of the netlist parser.

#include "test_parser_helpers.hpp"

#include <cmath>
#include <numbers>

#include "parser/Number.hpp"

using namespace ptest;
using doctest::Approx;

// ---------------------------------------------------------------------------------------------
// Numbers

TEST_CASE("numbers: every engineering suffix scales the mantissa") {
    CHECK(*parse_number("1f") == Approx(1e-15));
    CHECK(*parse_number("2p") == Approx(2e-12));
    CHECK(*parse_number("3n") == Approx(3e-9));
    CHECK(*parse_number("4u") == Approx(4e-6));
    CHECK(*parse_number("5m") == Approx(5e-3));
    CHECK(*parse_number("6k") == Approx(6e3));
    CHECK(*parse_number("7meg") == Approx(7e6));
    CHECK(*parse_number("8g") == Approx(8e9));
    CHECK(*parse_number("9t") == Approx(9e12));
    CHECK(*parse_number("2.5mil") == Approx(2.5 * 25.4e-6));
    CHECK(*parse_number("1a") == Approx(1e-18));
}

TEST_CASE("numbers: suffixes are case-insensitive, so 1M is milli and 1MEG is mega") {
    CHECK(*parse_number("1M") == Approx(1e-3));
    CHECK(*parse_number("1MEG") == Approx(1e6));
    CHECK(*parse_number("1Meg") == Approx(1e6));
    CHECK(*parse_number("3K") == Approx(3e3));
    CHECK(*parse_number("2MIL") == Approx(2 * 25.4e-6));
}

TEST_CASE("numbers: 10uF is 10 micro and other unit letters are ignored") {
    CHECK(*parse_number("10uF") == Approx(10e-6));
    CHECK(*parse_number("1kOhm") == Approx(1e3));
    CHECK(*parse_number("5V") == Approx(5));
    CHECK(*parse_number("1F") == Approx(1e-15));  // femto, as in every SPICE
    CHECK(*parse_number("100mA") == Approx(0.1));
    CHECK(*parse_number("2megohm") == Approx(2e6));
}

TEST_CASE("numbers: e-notation, signs and bare decimals") {
    CHECK(*parse_number("1e3") == 1000.0);
    CHECK(*parse_number("1.5E-3") == Approx(1.5e-3));
    CHECK(*parse_number("2.5e-3k") == Approx(2.5));
    CHECK(*parse_number(".5") == 0.5);
    CHECK(*parse_number("5.") == 5.0);
    CHECK(*parse_number("-2k") == -2000.0);
    CHECK(*parse_number("+3") == 3.0);
    CHECK(*parse_number("0.1") == 0.1);  // correctly rounded
    CHECK(*parse_number("3n") == 3e-9);   // the suffix is folded into the decimal exponent
    CHECK(*parse_number("0.1u") == 0.1e-6);
    CHECK(*parse_number("1.5e-3k") == 1.5);
    CHECK(*parse_number("1e-400") == 0);
    CHECK_FALSE(parse_number("1e400"));
}

TEST_CASE("numbers: malformed text is not a number") {
    CHECK_FALSE(parse_number("1.2.3"));
    CHECK_FALSE(parse_number("1k5"));
    CHECK_FALSE(parse_number("abc"));
    CHECK_FALSE(parse_number("nan"));
    CHECK_FALSE(parse_number("inf"));
    CHECK_FALSE(parse_number(""));
    CHECK_FALSE(parse_number("-"));
    CHECK(looks_numeric("-1.2.3"));
    CHECK_FALSE(looks_numeric("vdd"));
}

TEST_CASE("numbers: suffixed values reach the flat netlist") {
    Netlist n = flat("t\nR1 a 0 25k\nC1 a 0 10uF\nL1 a b 2.5mil\nR2 b 0 1MEG\n");
    CHECK(element(n, "r1").values.at(0).value == Approx(25e3));
    CHECK(element(n, "c1").values.at(0).value == Approx(10e-6));
    CHECK(element(n, "l1").values.at(0).value == Approx(2.5 * 25.4e-6));
    CHECK(element(n, "r2").values.at(0).value == Approx(1e6));
}

TEST_CASE("numbers: a malformed number is an error at its column") {
    check_error("t\nR1 a b 1.2.3\n", 2, 8, "malformed number '1.2.3'");
    check_error("t\nV1 a 0 PULSE(0 1 2x3 1n)\n", 2, 18, "malformed number");
}

// ---------------------------------------------------------------------------------------------
// Expressions

TEST_CASE("expressions: precedence of arithmetic operators") {
    CHECK(eval("1 + 2 * 3") == 7);
    CHECK(eval("(1 + 2) * 3") == 9);
    CHECK(eval("10 - 4 - 3") == 3);
    CHECK(eval("12 / 3 / 2") == 2);
    CHECK(eval("2 ^ 3 ^ 2") == 512);  // right associative
    CHECK(eval("2 ** 3") == 8);
    CHECK(eval("-2 ^ 2") == -4);
    CHECK(eval("2 ^ -1") == 0.5);
    CHECK(eval("-3 + 5") == 2);
    CHECK(eval("+3") == 3);
    CHECK(eval("2 * -3") == -6);
    CHECK(eval("1k * 2") == 2000);
    CHECK(eval("1meg / 1k") == Approx(1000));
}

TEST_CASE("expressions: comparisons, logic and the ternary operator") {
    CHECK(eval("1 < 2") == 1);
    CHECK(eval("2 <= 2") == 1);
    CHECK(eval("3 > 4") == 0);
    CHECK(eval("3 >= 4") == 0);
    CHECK(eval("2 == 2") == 1);
    CHECK(eval("2 != 2") == 0);
    CHECK(eval("1 && 0") == 0);
    CHECK(eval("1 || 0") == 1);
    CHECK(eval("!0") == 1);
    CHECK(eval("!5") == 0);
    CHECK(eval("1 + 1 == 2 && 3 > 2") == 1);
    CHECK(eval("1 ? 10 : 20") == 10);
    CHECK(eval("0 ? 10 : 20") == 20);
    CHECK(eval("0 ? 1 : 1 ? 2 : 3") == 2);
    CHECK(eval("2 > 1 ? 5 + 1 : 7") == 6);
}

TEST_CASE("expressions: untaken branches are not evaluated") {
    CHECK(eval("1 ? 2 : 1/0") == 2);
    CHECK(eval("0 && 1/0") == 0);
    CHECK(eval("1 || sqrt(-1)") == 1);
    CHECK(eval("if(1, 3, 1/0)") == 3);
}

TEST_CASE("expressions: built-in functions") {
    const double pi = std::numbers::pi;
    CHECK(eval("sin(0)") == 0);
    CHECK(eval("cos(0)") == 1);
    CHECK(eval("tan(0)") == 0);
    CHECK(eval("asin(1)") == Approx(pi / 2));
    CHECK(eval("acos(1)") == 0);
    CHECK(eval("atan(1)") == Approx(pi / 4));
    CHECK(eval("atan2(1, 1)") == Approx(pi / 4));
    CHECK(eval("sinh(0)") == 0);
    CHECK(eval("cosh(0)") == 1);
    CHECK(eval("tanh(0)") == 0);
    CHECK(eval("asinh(0)") == 0);
    CHECK(eval("acosh(1)") == 0);
    CHECK(eval("atanh(0)") == 0);
    CHECK(eval("exp(1)") == Approx(std::numbers::e));
    CHECK(eval("ln(exp(2))") == Approx(2));
    CHECK(eval("log(exp(3))") == Approx(3));  // natural, as ngspice
    CHECK(eval("log10(1000)") == Approx(3));
    CHECK(eval("sqrt(16)") == 4);
    CHECK(eval("abs(-3)") == 3);
    CHECK(eval("pow(2, 10)") == 1024);
    CHECK(eval("pwr(-2, 2)") == -4);
    CHECK(eval("min(3, 1, 2)") == 1);
    CHECK(eval("max(3, 1, 2)") == 3);
    CHECK(eval("floor(-1.5)") == -2);
    CHECK(eval("ceil(1.2)") == 2);
    CHECK(eval("int(-1.7)") == -1);
    CHECK(eval("nint(2.5)") == 2);  // halves to even, as ngspice
    CHECK(eval("sgn(-4)") == -1);
    CHECK(eval("sign(0)") == 0);
    CHECK(eval("sign(3, -1)") == -3);
    CHECK(eval("limit(5, 0, 2)") == 2);
    CHECK(eval("limit(-5, 0, 2)") == 0);
    CHECK(eval("limit(1, 0, 2)") == 1);
    CHECK(eval("if(0, 1, 2)") == 2);
    CHECK(eval("pi") == Approx(pi));
    CHECK(eval("SQRT(4)") == 2);
}

TEST_CASE("expressions: braces and quotes group like parentheses") {
    CHECK(eval("{1 + 2} * 2") == 6);
    CHECK(eval("'1 + 2' * 2") == 6);
    CHECK(eval("{2*{3+1}}") == 8);
}

TEST_CASE("expressions: parameters may use ones defined later, in any order") {
    Netlist n = flat("t\n.param a = 2*b\n.param b = c + 1 c=3\n");
    CHECK(param(n, "a") == 8);
    CHECK(param(n, "b") == 4);
    CHECK(param(n, "c") == 3);
}

TEST_CASE("expressions: several assignments per .param line, with or without commas") {
    Netlist n = flat("t\n.param a=1 b=2, c = a+b  d={c*2} e='d+1'\n");
    CHECK(param(n, "a") == 1);
    CHECK(param(n, "b") == 2);
    CHECK(param(n, "c") == 3);
    CHECK(param(n, "d") == 6);
    CHECK(param(n, "e") == 7);
}

TEST_CASE("expressions: names are case-insensitive") {
    Netlist n = flat("t\n.PARAM Vdd=1.8\n.param HALF={VDD/2}\nR1 a 0 {Half*1k}\n");
    CHECK(param(n, "half") == Approx(0.9));
    CHECK(element(n, "r1").values.at(0).value == Approx(900));
}

TEST_CASE("expressions: .func defines user functions, with braces or =") {
    Netlist n = flat(
        "t\n"
        ".func sq(x) {x*x}\n"
        ".func hyp(a, b) = sqrt(sq(a) + sq(b))\n"
        ".func twice(x) 2*x\n"
        ".param k = 3\n"
        ".func addk(x) {x + k}\n"
        ".param h = hyp(3, 4) t2 = twice(5) ak = addk(1)\n");
    CHECK(param(n, "h") == Approx(5));
    CHECK(param(n, "t2") == 10);
    CHECK(param(n, "ak") == 4);
}

TEST_CASE("expressions: a function's arguments shadow parameters of the same name") {
    Netlist n = flat("t\n.param x = 100\n.func f(x) {x + 1}\n.param y = f(1)\n");
    CHECK(param(n, "y") == 2);
}

TEST_CASE("expressions: element values accept braces, quotes and bare names in name=value") {
    Netlist n = flat("t\n.param rv = 2k w0 = 1u\nR1 a 0 {2*rv}\nR2 a 0 '3*rv'\nM1 d g 0 0 nch w=w0 l={2*w0}\n"
                     ".model nch nmos level=1\n");
    CHECK(element(n, "r1").values.at(0).value == Approx(4000));
    CHECK(element(n, "r2").values.at(0).value == Approx(6000));
    CHECK(named(element(n, "m1").params, "w") == Approx(1e-6));
    CHECK(named(element(n, "m1").params, "l") == Approx(2e-6));
}

TEST_CASE("expressions: an undefined parameter is an error at the identifier") {
    check_error("t\n.param a = 1 + bogus\n", 2, 16, "undefined parameter 'bogus'");
    check_error("t\nR1 a 0 {2 * nothere}\n", 2, 13, "undefined parameter 'nothere'");
}

TEST_CASE("expressions: division by zero and domain errors point into the expression") {
    check_error("t\n.param a = 1 / 0\n", 2, 14, "division by zero");
    check_error("t\n.param a = 2 * sqrt(-1)\n", 2, 16, "sqrt");
    check_error("t\n.param a = log(0)\n", 2, 12, "log");
    check_error("t\n.param a = (-8) ^ 0.5\n", 2, 17, "non-integer power");
    check_error("t\n.param a = acos(2)\n", 2, 12, "acos");
    check_error("t\n.param a = exp(1000)\n", 2, 12, "not finite");
}

TEST_CASE("expressions: a parameter cycle is an error") {
    check_error("t\n.param a = b + 1\n.param b = 2 * a\n", 3, 16, "'a' is defined in terms of itself");
    check_error("t\n.param a = a + 1\n", 2, 12, "defined in terms of itself");
}

TEST_CASE("expressions: syntax errors and wrong argument counts") {
    check_error("t\n.param a = 2 *\n", 2, 15, "expected");
    check_error("t\n.param a = (1 + 2\n", 2, 18, "expected ')'");
    check_error("t\n.param a = sin(1, 2)\n", 2, 12, "takes 1 argument");
    check_error("t\n.param a = nofunc(1)\n", 2, 12, "undefined function 'nofunc'");
    check_error("t\n.func f(x) {x}\n.param a = f(1, 2)\n", 3, 12, "takes 1 argument, 2 given");
    check_error("t\n.func sin(x) {x}\n", 2, 7, "built-in");
    check_error("t\nR1 a 0 {1 +* 2}\n", 2, 12, "expected");
    check_error("t\nR1 a 0 {1 2}\n", 2, 11, "unexpected '2'");
    check_error("t\n.func f(x) {f(x)}\n.param a = f(1)\n", 2, 13, "without end");
}

// ---------------------------------------------------------------------------------------------
// Logical lines

TEST_CASE("lines: the first line is the title, even when it looks like a card") {
    Netlist n = flat("R1 a 0 1k\nR2 a 0 2k\n");
    CHECK(n.title == "R1 a 0 1k");
    CHECK(n.elements.size() == 1);
    CHECK(n.elements[0].name == "r2");
}

TEST_CASE("lines: the title keeps its case; .title replaces it") {
    CHECK(flat("My Amp * v2\nR1 a 0 1\n").title == "My Amp * v2");
    CHECK(flat("first\n.title The Real Title\nR1 a 0 1\n").title == "The Real Title");
}

TEST_CASE("lines: comments of every kind are dropped") {
    Netlist n = flat(
        "t\n"
        "* a full-line comment\n"
        "   * an indented one\n"
        "R1 a 0 1k ; semicolon comment\n"
        "R2 a 0 2k $ dollar comment\n"
        "R3 a 0 3k $\n"
        "R4 a 0 4k;no space needed\n"
        "R5 a 0 5k\t$\ttab after the dollar\n"
        "\n"
        "\t\n");
    REQUIRE(n.elements.size() == 5);
    CHECK(element(n, "r1").values.at(0).value == 1e3);
    CHECK(element(n, "r2").values.at(0).value == 2e3);
    CHECK(element(n, "r3").values.at(0).value == 3e3);
    CHECK(element(n, "r4").values.at(0).value == 4e3);
    CHECK(element(n, "r5").values.at(0).value == 5e3);
}

TEST_CASE("lines: ';' and '$ ' inside braces or quotes are not comments") {
    // Kept, they reach the expression parser (which rejects them where they stand) instead of
    // cutting the line short.
    check_error("t\nB1 a 0 v={1 ; 2}\n", 2, 13, "unexpected ';' in expression");
    check_error("t\nB2 a 0 i='2 $ 3'\n", 2, 13, "unexpected '$' in expression");
}

TEST_CASE("lines: '+' continues the previous card, across comments and blank lines") {
    Netlist n = flat(
        "t\n"
        "M1 d g\n"
        "+ s b nch\n"
        "* a comment between\n"
        "\n"
        "+   w=1u ; with a comment\n"
        "+ l=2u\n"
        ".model nch nmos\n"
        "+ (level=1\n"
        "+  vto=0.7)\n");
    const Element& m = element(n, "m1");
    CHECK(m.nodes == std::vector<std::string>{"d", "g", "s", "b"});
    CHECK(named(m.params, "w") == Approx(1e-6));
    CHECK(named(m.params, "l") == Approx(2e-6));
    CHECK(named(model(n, "nch").params, "vto") == Approx(0.7));
}

TEST_CASE("lines: tokens on continuation lines keep their own line and column") {
    Netlist n = flat("t\nM1 d g\n+ s b nch\n+     w=1u\n.model nch nmos\n");
    const Element& m = element(n, "m1");
    CHECK(m.loc.line == 2);
    CHECK(m.loc.col == 1);
    CHECK(m.node_locs.at(1).line == 2);
    CHECK(m.node_locs.at(1).col == 6);
    CHECK(m.node_locs.at(2).line == 3);
    CHECK(m.node_locs.at(2).col == 3);
    CHECK(m.model_loc.line == 3);
    CHECK(m.model_loc.col == 7);
    CHECK(m.params.at(0).loc.line == 4);
    CHECK(m.params.at(0).loc.text() == "+     w=1u");
    check_error("t\nR1 a\n+ b\n+   {1 + nope}\n", 4, 10, "undefined parameter 'nope'");
}

TEST_CASE("lines: a continuation without a card before it is an error") {
    check_error("t\n+ R1 a 0 1\n", 2, 1, "continuation");
}

TEST_CASE("lines: reading stops at .end") {
    Netlist n = flat("t\nR1 a 0 1\n.END\nR2 a 0 1\nthis is not a card\n");
    CHECK(n.elements.size() == 1);
}

TEST_CASE("lines: a .control block is the script, not cards") {
    const auto deck = ionspice::parser::parse_deck("t\nR1 a 0 1\n.control\nrun\n  plot v(a)\nR9 x y 1\n.endc\nR2 a 0 1\n", "t.cir");
    Netlist n = ionspice::parser::elaborate(deck);
    CHECK(n.elements.size() == 2);
    CHECK(has_element(n, "r2"));
    CHECK_FALSE(has_element(n, "r9"));
    const auto script = ionspice::parser::control_script(deck);
    REQUIRE(script.size() == 3);
    CHECK(script[0].text == "run");
    CHECK(script[1].loc.line == 5);
    CHECK(script[2].text == "R9 x y 1");
}

TEST_CASE("lines: CRLF line ends, tabs and leading blanks are accepted") {
    Netlist n = flat("t\r\nR1\ta\t0\t1k\r\n   R2 a 0 2k\r\n");
    CHECK(element(n, "r1").values.at(0).value == 1e3);
    CHECK(element(n, "r1").nodes.at(0) == "a");
    CHECK(element(n, "r2").loc.col == 4);
}

TEST_CASE("lines: names, nodes and keywords are lower-cased; gnd is ground") {
    Netlist n = flat("t\nRLoad OUT GND 1K\nVIN In 0 DC 1\n");
    const Element& r = element(n, "rload");
    CHECK(r.letter == 'r');
    CHECK(r.nodes == std::vector<std::string>{"out", "0"});
    CHECK(element(n, "vin").nodes.at(0) == "in");
}

TEST_CASE("diagnostics: the caret lines up under tabs") {
    NetlistError e = error_of("t\n\tR1 a b\t1.2.3\n");
    CHECK(e.loc().col == 9);
    std::string what = e.what();
    CHECK(what.substr(what.rfind('\n') + 1) == "\t      \t^");
}

TEST_CASE(".if/.elseif/.else/.endif: the branch taken is read, nested, with ngspice's `=` comparison") {
    const std::string deck =
        "t\n.param sel=2 sub=3\nV1 1 0 1\n.if (sel == 1)\nR1 1 0 1\n.elseif (sel = 2)\n.if (sub == 1)\nR1 1 0 100\n"
        ".elseif (sub == 3)\nR1 1 0 300\n.model m d is=1\n.else\nR1 1 0 400\n.endif\n.else\nR1 1 0 9\n"
        "this line is not a card at all\n.endif\n";
    const Netlist n = flat(deck);
    CHECK(element(n, "r1").values.at(0).value == 300);
    CHECK(n.models.size() == 1);
    // Lines of branches not taken are not read: the stray line above is no error.
    CHECK(element(flat("t\n.if (0)\n%%% not a card\n.else\nR1 a 0 5\n.endif\n"), "r1").values.at(0).value == 5);
    check_error("t\n.if (1)\nR1 a 0 1\n", 2, 1, "'.if' has no '.endif'");
    check_error("t\nR1 a 0 1\n.elseif (1)\n", 3, 1, "'.elseif' without '.if'");
    check_error("t\n.if (1)\n.else\n.else\n.endif\n", 4, 1, "after '.else'");
    check_error("t\n.if (nosuch > 1)\n.endif\n", 2, 6, "nosuch");
    // Decided when read: an override that would change the branch is a located error.
    const std::string sel = "t\n.param big=0\n.if (big)\nR1 a 0 1\n.else\nR1 a 0 2\n.endif\n";
    CHECK(element(flat(sel, {{"big", 0}}), "r1").values.at(0).value == 2);
    CHECK_THROWS_WITH_AS(flat(sel, {{"big", 1}}), doctest::Contains("t.cir:3:1: error: this condition was false"),
                         NetlistError);
}

TEST_CASE("agauss: one draw per subcircuit instance, mean and sigma within sampling error") {
    std::string deck = "mc\n.subckt cell a\n.param w=agauss(1, 0.3, 3)\nR1 a 0 {w}\n.ends\n";
    constexpr int n = 4000;
    for (int k = 0; k < n; ++k) deck += "X" + std::to_string(k) + " n" + std::to_string(k) + " cell\n";
    const Netlist net = flat(deck);
    double sum = 0, sum2 = 0;
    for (const auto& e : net.elements) {
        const double v = e.values.at(0).value;
        sum += v;
        sum2 += v * v;
    }
    const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
    // sigma = 0.3/3 = 0.1: the mean within 4 standard errors, sigma within 5 %.
    CHECK(std::fabs(mean - 1) < 4 * 0.1 / std::sqrt(n));
    CHECK(sd == Approx(0.1).epsilon(0.05));
}
