// Subcircuit flattening, parameters across the hierarchy, .include and .lib.

#include "test_parser_helpers.hpp"

using namespace ptest;
using doctest::Approx;

namespace {
std::string data(const std::string& name) { return std::string(IONSPICE_SOURCE_DIR) + "/tests/data/parser/" + name; }
}  // namespace

TEST_CASE("subckt: internal nodes and elements get ngspice's flat names") {
    Netlist n = flat(
        "t\n"
        ".subckt pair a b\n"
        "R1 a mid 1k\n"
        "R2 mid b 2k\n"
        ".ends\n"
        "X1 in out pair\n");
    CHECK(n.elements.size() == 2);
    const Element& r1 = element(n, "r.x1.r1");
    CHECK(r1.nodes == std::vector<std::string>{"in", "x1.mid"});
    CHECK(element(n, "r.x1.r2").nodes == std::vector<std::string>{"x1.mid", "out"});
    CHECK(r1.letter == 'r');
    CHECK(r1.loc.line == 3);  // points at the card inside the definition
}

TEST_CASE("subckt: nested instances compose their paths") {
    Netlist n = flat(
        "t\n"
        ".subckt leaf p q\n"
        "R1 p mid 1\n"
        "R2 mid q 1\n"
        ".ends leaf\n"
        ".subckt branch a b\n"
        "X2 a inner leaf\n"
        "R3 inner b 1\n"
        ".ends branch\n"
        "X1 top 0 branch\n");
    CHECK(element(n, "r.x1.x2.r1").nodes == std::vector<std::string>{"top", "x1.x2.mid"});
    CHECK(element(n, "r.x1.x2.r2").nodes == std::vector<std::string>{"x1.x2.mid", "x1.inner"});
    CHECK(element(n, "r.x1.r3").nodes == std::vector<std::string>{"x1.inner", "0"});
}

TEST_CASE("subckt: ground and .global nodes stay global") {
    Netlist n = flat(
        "t\n"
        ".global vdd\n"
        ".subckt cell a\n"
        "R1 a 0 1\n"
        "R2 a gnd 1\n"
        "R3 a vdd 1\n"
        "R4 a local 1\n"
        ".ends\n"
        "X1 n1 cell\n");
    CHECK(element(n, "r.x1.r1").nodes.at(1) == "0");
    CHECK(element(n, "r.x1.r2").nodes.at(1) == "0");
    CHECK(element(n, "r.x1.r3").nodes.at(1) == "vdd");
    CHECK(element(n, "r.x1.r4").nodes.at(1) == "x1.local");
}

TEST_CASE("subckt: controlling-source references are renamed like elements") {
    Netlist n = flat(
        "t\n"
        ".subckt amp in out\n"
        "Vsense in mid 0\n"
        "F1 out 0 vsense 2\n"
        "H1 out 0 Vsense 3\n"
        "R1 mid 0 1\n"
        "L1 a 0 1u\n"
        "L2 b 0 1u\n"
        "K1 L1 L2 0.9\n"
        ".ends\n"
        "X1 a b amp\n"
        "Vtop a 0 1\n"
        "F2 b 0 vtop 1\n");
    CHECK(element(n, "f.x1.f1").refs == std::vector<std::string>{"v.x1.vsense"});
    CHECK(element(n, "h.x1.h1").refs == std::vector<std::string>{"v.x1.vsense"});
    CHECK(element(n, "h.x1.h1").values.at(0).value == 3);
    CHECK(element(n, "k.x1.k1").refs == std::vector<std::string>{"l.x1.l1", "l.x1.l2"});
    CHECK(element(n, "k.x1.k1").values.at(0).value == Approx(0.9));
    CHECK(element(n, "f2").refs == std::vector<std::string>{"vtop"});
    CHECK(has_element(n, "v.x1.vsense"));
}

TEST_CASE("subckt: parameters with defaults, overridden per instance") {
    Netlist n = flat(
        "t\n"
        ".param scale = 10\n"
        ".subckt res a b r=1k tc={r/1k}\n"
        "R1 a b {r*scale}\n"
        "R2 a b {tc}\n"
        ".ends\n"
        "X1 a 0 res\n"
        "X2 a 0 res r=2k\n"
        "X3 a 0 res params: r={scale*100} tc=7\n"
        "X4 a 0 res params:r=3k\n");
    CHECK(element(n, "r.x1.r1").values.at(0).value == Approx(10e3));
    CHECK(element(n, "r.x1.r2").values.at(0).value == Approx(1));
    CHECK(element(n, "r.x2.r1").values.at(0).value == Approx(20e3));
    CHECK(element(n, "r.x2.r2").values.at(0).value == Approx(2));  // default follows the override
    CHECK(element(n, "r.x3.r1").values.at(0).value == Approx(10e3));
    CHECK(element(n, "r.x3.r2").values.at(0).value == Approx(7));
    CHECK(element(n, "r.x4.r1").values.at(0).value == Approx(30e3));
}

TEST_CASE("subckt: the params: keyword on the definition, and local .param") {
    Netlist n = flat(
        "t\n"
        ".subckt cell a b params: w=1 l=2\n"
        ".param area = w*l\n"
        "R1 a b {area}\n"
        ".ends\n"
        ".param area = 100\n"
        "X1 a b cell w=3\n"
        "R9 a b {area}\n");
    CHECK(element(n, "r.x1.r1").values.at(0).value == 6);
    CHECK(element(n, "r9").values.at(0).value == 100);  // the local .param stays local
}

TEST_CASE("subckt: instance parameters are evaluated where the X card is") {
    Netlist n = flat(
        "t\n"
        ".subckt inner a r=1\n"
        "R1 a 0 {r}\n"
        ".ends\n"
        ".subckt outer a k=2\n"
        "X1 a inner r={k*10}\n"
        ".ends\n"
        "X5 n outer k=4\n");
    CHECK(element(n, "r.x5.x1.r1").values.at(0).value == 40);
}

TEST_CASE("subckt: models inside a subcircuit are per instance and shadow global ones") {
    Netlist n = flat(
        "t\n"
        ".model nch nmos level=1 vto=0.1\n"
        ".model dd d is=1e-14\n"
        ".subckt inv in out vt=0.5\n"
        ".model nch nmos (level=1 vto={vt})\n"
        "M1 out in 0 0 nch w=1u l=1u\n"
        "D1 out 0 dd\n"
        ".ends\n"
        "X1 a b inv\n"
        "X2 a b inv vt=0.7\n"
        "M9 b a 0 0 nch\n");
    CHECK(element(n, "m.x1.m1").model == "x1.nch");
    CHECK(element(n, "m.x2.m1").model == "x2.nch");
    CHECK(element(n, "d.x1.d1").model == "dd");
    CHECK(element(n, "m9").model == "nch");
    CHECK(named(model(n, "x1.nch").params, "vto") == Approx(0.5));
    CHECK(named(model(n, "x2.nch").params, "vto") == Approx(0.7));
    CHECK(named(model(n, "nch").params, "vto") == Approx(0.1));
    CHECK(model(n, "x1.nch").type == "nmos");
}

TEST_CASE("subckt: a definition inside a definition is local to it") {
    const char* deck =
        "t\n"
        ".subckt outer a\n"
        ".subckt inner p\n"
        "R1 p 0 1\n"
        ".ends inner\n"
        "X1 a inner\n"
        ".ends outer\n"
        "X9 n outer\n";
    Netlist n = flat(deck);
    CHECK(element(n, "r.x9.x1.r1").nodes.at(0) == "n");
    check_error(std::string(deck) + "X2 n inner\n", 9, 6, "unknown subcircuit 'inner'");
}

TEST_CASE("subckt: compiled N devices take their model like other devices") {
    Netlist n = flat(
        "t\n"
        ".model ecmod ecram (gmin=0.079u gmax=50u)\n"
        "N1 g d s ecmod g0=30u\n"
        "N2 p n tio2 x0=0.5\n"
        ".model tio2 memristor level=1\n");
    const Element& e = element(n, "n1");
    CHECK(e.nodes == std::vector<std::string>{"g", "d", "s"});
    CHECK(e.model == "ecmod");
    CHECK(named(e.params, "g0") == Approx(30e-6));
    CHECK(element(n, "n2").nodes.size() == 2);
    CHECK(model(n, "ecmod").type == "ecram");
}

TEST_CASE("subckt: errors at the X card") {
    const char* def = "t\n.subckt pair a b w=1\nR1 a b 1\n.ends\n";
    check_error(std::string(def) + "X1 a b nopair\n", 5, 8, "unknown subcircuit 'nopair'");
    check_error(std::string(def) + "X1 a b c pair\n", 5, 1, "subcircuit 'pair' has 2 nodes, x1 connects 3");
    check_error(std::string(def) + "X1 a b pair q=2\n", 5, 13, "subcircuit 'pair' has no parameter 'q'");
    check_error(std::string(def) + "X1 a b pair w={nope}\n", 5, 16, "undefined parameter 'nope'");
    check_error("t\nX1 w=1\n", 2, 1, "needs nodes and a subcircuit name");
}

TEST_CASE("subckt: recursion, direct or indirect, is an error") {
    check_error("t\n.subckt a p\nX1 p a\n.ends\nX0 n a\n", 3, 1, "recursive subcircuit 'a'");
    check_error("t\n.subckt a p\nX1 p b\n.ends\n.subckt b p\nXdeep p a\n.ends\nX0 n a\n", 6, 1,
                "recursive subcircuit 'a' (a -> b -> a)");
}

TEST_CASE("subckt: .subckt and .ends must pair up") {
    check_error("t\nR1 a 0 1\n.subckt open a\nR2 a 0 1\n", 3, 1, "'.subckt open' has no '.ends'");
    check_error("t\nR1 a 0 1\n.ends\n", 3, 1, "'.ends' without '.subckt'");
    check_error("t\n.subckt one a\n.ends\n.subckt ONE b\n.ends\n", 4, 9, "already defined");
    check_error("t\n.subckt s a\n.tran 1n 1u\n.ends\n", 3, 1, "not allowed inside a subcircuit");
}

TEST_CASE("subckt: .ends naming another subcircuit closes the open one, with a warning (as ngspice)") {
    Netlist n = elaborate(parse_deck("t\n.subckt one a\nR1 a 0 1\n.ends two\nX1 n one\n", "t.cir"));
    CHECK(element(n, "r.x1.r1").nodes.at(0) == "n");
    REQUIRE(n.warnings.size() == 1);
    CHECK(n.warnings[0].find("t.cir:4:7: warning: '.ends two' closes '.subckt one'") == 0);
}

TEST_CASE("overrides: replace top-level parameters before anything is evaluated") {
    Deck d = parse_deck("t\n.param ge = 10u gref = {2*ge}\nR1 a 0 {1/gref}\n.dc v1 0 {ge*1e5} 0.1\nV1 a 0 1\n", "t.cir");
    Netlist a = elaborate(d);
    CHECK(param(a, "gref") == Approx(20e-6));
    CHECK(element(a, "r1").values.at(0).value == Approx(50e3));
    Netlist b = elaborate(d, {{"GE", 40e-6}, {"extra", 3}});
    CHECK(param(b, "ge") == Approx(40e-6));
    CHECK(param(b, "gref") == Approx(80e-6));
    CHECK(element(b, "r1").values.at(0).value == Approx(12.5e3));
    CHECK(b.analyses.at(0).sweeps.at(0).stop == Approx(4));
    CHECK(param(b, "extra") == 3);
    CHECK(param(a, "ge") == Approx(10e-6));  // the deck itself is unchanged
}

TEST_CASE("overrides: reach parameters used inside subcircuits") {
    Deck d = parse_deck("t\n.param rv = 1k\n.subckt s a\nR1 a 0 {rv}\n.ends\nX1 n s\n", "t.cir");
    CHECK(element(elaborate(d, {{"rv", 5}}), "r.x1.r1").values.at(0).value == 5);
}

TEST_CASE("include: paths are relative to the including file, nested and quoted") {
    Netlist n = elaborate(read_deck(data("include_main.cir")));
    CHECK(n.title == "include test: paths are relative to the including file");
    CHECK(element(n, "r.x1.r1").nodes == std::vector<std::string>{"in", "out"});
    CHECK(param(n, "rbig") == Approx(1e6));
    CHECK(element(n, "r9").values.at(0).value == Approx(1e6));
    const Element& r9 = element(n, "r9");
    CHECK(r9.loc.file().find("quoted name.inc") != std::string::npos);
    CHECK(r9.loc.line == 1);
}

TEST_CASE("lib: .lib FILE SECTION reads only that section, which may call others") {
    Netlist n = elaborate(read_deck(data("include_main.cir")));
    CHECK(named(model(n, "dfast").params, "is") == Approx(1e-14));
    CHECK(model(n, "nfet").type == "nmos");
    CHECK_FALSE(has_element(n, "r99"));
    Netlist ff = elaborate(read_deck(data("lib_ff.cir")));
    CHECK(named(model(ff, "dfast").params, "is") == Approx(1e-12));
    CHECK(model(ff, "nfet").type == "nmos");
}

TEST_CASE("lib: a .lib section in a file read normally is skipped") {
    Netlist n = flat("t\nR1 a 0 1\n.lib corner\nR2 a 0 2\n.model x d\n.endl corner\nR3 a 0 3\n");
    CHECK(n.elements.size() == 2);
    CHECK_FALSE(has_element(n, "r2"));
    CHECK(n.models.empty());
}

TEST_CASE("include: errors name the card that asked for the file") {
    NetlistError missing = error_of_file(data("missing_include.cir"));
    check_error_at(missing, 3, 3, "cannot open include file 'does_not_exist.inc'");
    NetlistError loop = error_of_file(data("recursive_top.cir"));
    check_error_at(loop, 3, 1, "'recursive_a.inc' includes itself");
    CHECK(loop.loc().file().find("recursive_b.inc") != std::string::npos);
    check_error_at(error_of_file(data("missing_section.cir")), 2, 1, "section 'nosuch' not found");
    CHECK_THROWS_AS(read_deck(data("no_such_deck.cir")), NetlistError);
}
