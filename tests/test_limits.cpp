// Inputs a fuzzer or a generator writes and a person rarely does: nesting deeper than any
// stack, numbers beyond a double, functions outside their domain. Each is a located error (the
// command line exits 1, never crashes) or, where ngspice computes a value, ngspice's value.

#include <cmath>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "parser/Elaborator.hpp"
#include "parser/Expression.hpp"
#include "parser/LineReader.hpp"
#include "tests/CommandRun.hpp"
#include "tests/SimHelpers.hpp"
#include "tests/test_parser_helpers.hpp"

using namespace ptest;

namespace {

std::string repeat(const std::string& s, int n) {
    std::string out;
    out.reserve(s.size() * static_cast<std::size_t>(n));
    for (int k = 0; k < n; ++k) out += s;
    return out;
}

std::string param_deck(const std::string& expr) { return "t\n.param x=" + expr + "\nv1 a 0 {x}\nr1 a 0 1k\n.op\n.end\n"; }

/// A sum of n ones, written flat.
std::string flat_sum(int n) {
    std::string s = "1";
    for (int k = 1; k < n; ++k) s += "+1";
    return s;
}

std::string subcircuit_chain(int depth) {
    std::string s = "chain\n";
    for (int k = 0; k < depth; ++k)
        s += ".subckt s" + std::to_string(k) + " a b\n" +
             (k + 1 < depth ? "x1 a b s" + std::to_string(k + 1) : std::string("r1 a b 1k")) + "\n.ends\n";
    return s + "v1 in 0 1\nx0 in 0 s0\n.op\n.end\n";
}

}  // namespace

TEST_CASE("limits: brackets nested past the limit are a located error, up to it they evaluate") {
    const int n = ionspice::parser::kMaxExpressionNesting;
    CHECK(param(flat(param_deck(repeat("(", n - 1) + "2" + repeat(")", n - 1))), "x") == 2);
    // The error is at the bracket that goes one level too deep: column 10 + n on line 2.
    check_error(param_deck(repeat("(", 10000) + "1" + repeat(")", 10000)), 2, 10 + n, "nested more than 1000 levels");
    check_error(param_deck(repeat("-", 5000) + "1"), 2, 10 + n, "nested more than 1000 levels");
    std::string chain;
    for (int k = 0; k < 3000; ++k) chain += "1?";
    check_error(param_deck(chain + "1:0"), 2, 10 + 2 * n + 1, "nested more than 1000 levels");
}

TEST_CASE("limits: a flat sum evaluates up to the height limit, beyond it is a located error") {
    const int n = ionspice::parser::kMaxExpressionHeight;
    CHECK(param(flat(param_deck(flat_sum(n - 1))), "x") == n - 1);
    const auto e = error_of(param_deck(flat_sum(200000)));
    CHECK(e.loc().line == 2);
    CHECK(e.message().find("more than 10000 operations deep") != std::string::npos);
    // In a B source too (the same parser).
    const auto b = error_of("t\nv1 a 0 1\nb1 c 0 v={" + repeat("v(a)+", 20000) + "1}\nr1 c 0 1\n.op\n.end\n");
    CHECK(b.loc().line == 3);
}

TEST_CASE("limits: deep expressions stay within a worker thread's stack") {
    // .step points run on std::threads: the deepest accepted expression must fit there too.
    double x = 0;
    std::thread t([&] {
        const int n = ionspice::parser::kMaxExpressionNesting;
        x = param(flat(param_deck(repeat("(", n - 1) + "3" + repeat(")", n - 1))), "x") +
            param(flat(param_deck(flat_sum(ionspice::parser::kMaxExpressionHeight - 1))), "x");
    });
    t.join();
    CHECK(x == 3 + ionspice::parser::kMaxExpressionHeight - 1);
}

TEST_CASE("limits: subcircuits nested past the limit are a located error, up to it they run") {
    const auto n = static_cast<int>(ionspice::parser::kMaxSubcircuitNesting);
    auto r = ionspice::test::simulate_text(subcircuit_chain(n));
    CHECK(ionspice::test::value(r, "i(v1)") == doctest::Approx(-1e-3));
    const auto e = error_of(subcircuit_chain(20000));
    CHECK(e.message().find("nested more than 1000 levels") != std::string::npos);
    CHECK(e.loc().line == 3 * n);  // the X card of the level that is one too deep
}

TEST_CASE("limits: include files nested past the limit are a located error") {
    ionspice::test::Sandbox box("limits_include");
    const auto n = static_cast<int>(ionspice::parser::kMaxIncludeNesting);
    for (int k = 0; k <= n + 5; ++k)
        box.write("inc" + std::to_string(k) + ".inc", ".include inc" + std::to_string(k + 1) + ".inc\n");
    box.write("inc" + std::to_string(n + 6) + ".inc", "r1 a 0 1k\n");
    const auto top = box.write("top.cir", "top\nv1 a 0 1\n.include inc0.inc\n.op\n.end\n");
    const auto e = error_of_file(top.string());
    CHECK(e.message().find("included more than 200 levels deep") != std::string::npos);
}

TEST_CASE("limits: the command line reports the crash inputs and exits 1") {
    ionspice::test::Sandbox box("limits_cli");
    box.write("deep.cir", param_deck(repeat("(", 10000) + "1" + repeat(")", 10000)));
    box.write("flat.cir", param_deck(flat_sum(200000)));
    box.write("chain.cir", subcircuit_chain(20000));
    for (const char* f : {"deep.cir", "flat.cir", "chain.cir"}) {
        auto r = box.run(std::string("-q ") + (box.dir() / f).string());
        INFO(f << ": " << r.err.substr(0, 300));
        CHECK(r.status == 1);
        CHECK(r.err.find(": error: ") != std::string::npos);
    }
}

TEST_CASE("limits: a number beyond a double is a located error naming the number") {
    const auto e = error_of(param_deck("1e400"));
    check_error_at(e, 2, 10, "number '1e400' is too large");
    CHECK(e.message().find("boost") == std::string::npos);
    check_error("t\nv1 a 0 {2*3e999k}\nr1 a 0 1\n.op\n.end\n", 2, 11, "number '3e999k' is too large");
    // As a card value, an option and an analysis argument, the same message.
    check_error("t\nv1 a 0 1\nr1 a 0 1e400\n.op\n.end\n", 3, 8, "number '1e400' is too large");
    check_error("t\n.options reltol=1e400\nv1 a 0 1\nr1 a 0 1\n.op\n.end\n", 2, 17, "number '1e400' is too large");
    check_error("t\nv1 a 0 1\nr1 a 0 1\n.tran 1n 1e999\n.end\n", 4, 10, "number '1e999' is too large");
}

TEST_CASE("limits: exp, ln and log10 in B sources clamp as ngspice's") {
    // ngspice 39: v(b) = 1e99, v(c) = v(d) = -1e99 (exp past 227.9559242, ln and log10 of 0).
    auto r = ionspice::test::simulate_text(
        "clamp\nv1 a 0 1\nb1 b 0 v={exp(1000*v(a))}\nr1 b 0 1k\nb2 c 0 v={ln(0*v(a))}\nr2 c 0 1\n"
        "b3 d 0 v={log10(0*v(a))}\nr3 d 0 1\nb4 e 0 v={exp(227*v(a))}\nr4 e 0 1\n.op\n.end\n");
    CHECK(ionspice::test::value(r, "v(b)") == 1e99);
    CHECK(ionspice::test::value(r, "v(c)") == -1e99);
    CHECK(ionspice::test::value(r, "v(d)") == -1e99);
    CHECK(ionspice::test::value(r, "v(e)") == doctest::Approx(std::exp(227.0)).epsilon(1e-12));
    // A node whose B current is exp of a huge argument converges: Newton meets 1e99, not inf.
    // The clamp caps the current at 1e99 * 1e-120 = 1e-21 A, so v(b) = 1 V - 1e-18 V.
    auto s = ionspice::test::simulate_text(
        "clamp2\nv1 a 0 1\nb1 b 0 i={exp(1000*v(b))*1e-120}\nr1 a b 1k\n.op\n.end\n");
    CHECK(ionspice::test::value(s, "v(b)") == doctest::Approx(1.0).epsilon(1e-12));
}

TEST_CASE("limits: found by fuzzing: a node number too large for an integer in v()") {
    // v(2.2e36) converted the number to long long: undefined behaviour (UBSan). Now v() reads
    // its arguments as node names, as written: "2.2e36" is a node no element connects.
    CHECK_THROWS_WITH(ionspice::test::simulate_text("t\nv1 a 0 1\nb1 o 0 v={v(2.2e36)}\nr1 o 0 1\n.op\n.end\n"),
                      doctest::Contains("node '2.2e36' is floating"));
    // A node name with characters an expression would take for operators (vendors' macro models).
    auto plus = ionspice::test::simulate_text("t\nv1 vc+ 0 1.5\nr2 vc+ 0 1\nb1 o 0 v={2*V(VC+,0)+v(vc+)}\nr1 o 0 1\n.op\n.end\n");
    CHECK(ionspice::test::value(plus, "v(o)") == doctest::Approx(4.5));
    auto r = ionspice::test::simulate_text("t\nv1 2 0 1.5\nr2 2 0 1\nb1 o 0 v={2*v(2)}\nr1 o 0 1\n.op\n.end\n");
    CHECK(ionspice::test::value(r, "v(o)") == doctest::Approx(3.0));
}

TEST_CASE("numbers: the micro sign in UTF-8 and Latin-1 is u; version words on model cards are words") {
    CHECK(param(flat("t\n.param a=2\xC2\xB5 b=3\xB5\x46\n.end\n"), "a") == doctest::Approx(2e-6).epsilon(1e-15));
    CHECK(param(flat("t\n.param a=2\xC2\xB5 b=3\xB5\x46\n.end\n"), "b") == doctest::Approx(3e-6).epsilon(1e-15));
    // BSIM cards carry version=4.7.0: read as a word, so what is reported is the level.
    const auto e = ionspice::test::netlist_error("t\nm1 d g 0 0 nb\n.model nb nmos (level=54 version=4.7.0)\nv1 d 0 1\nv2 g 0 1\n.op\n.end\n");
    CHECK(e.find("malformed number") == std::string::npos);
    CHECK(e.find("level 54") != std::string::npos);
}
