// Mistakes the solver layer finds in a netlist: each is a located error with the line and a
// caret, never a crash. (Syntax errors are covered by the parser tests.)

#include <string>

#include <doctest/doctest.h>

#include "parser/SourceLoc.hpp"
#include "tests/SimHelpers.hpp"


namespace {

std::string diagnostic(const std::string& text) { return ionspice::test::netlist_error(text); }

void check_at(const std::string& msg, const std::string& where, const std::string& words) {
    INFO(msg);
    CHECK(msg.find("test.cir:" + where + ": error:") == 0);
    CHECK(msg.find(words) != std::string::npos);
    CHECK(msg.find('^') != std::string::npos);
}

}  // namespace

TEST_CASE("diagnostics: unknown model name points at the model name on the card") {
    check_at(diagnostic("t\nV1 a 0 1\nD1 a 0 nosuch\n.op\n.end\n"), "3:8", "unknown model 'nosuch'");
}

TEST_CASE("diagnostics: a model of the wrong type for the element") {
    check_at(diagnostic("t\nV1 a 0 1\nM1 a a 0 0 dm\n.model dm d\n.op\n.end\n"), "3:12", "type 'd'");
}

TEST_CASE("diagnostics: a MOSFET level that does not exist lists the levels there are") {
    check_at(diagnostic("t\nV1 a 0 1\nM1 a a 0 0 nm\n.model nm nmos (level=7)\n.op\n.end\n"), "4:23",
             "no nmos level 7");
}

TEST_CASE("diagnostics: unknown model parameter is located at the parameter") {
    check_at(diagnostic("t\nV1 a 0 1\nD1 a 0 dm\n.model dm d (is=1e-14 bogus=3)\n.op\n.end\n"), "4:29",
             "unknown parameter 'bogus'");
}

TEST_CASE("diagnostics: unknown instance parameter is located at the parameter") {
    check_at(diagnostic("t\nV1 a 0 1\nM1 a a 0 0 nm W=1u Q=2\n.model nm nmos\n.op\n.end\n"), "3:22",
             "unknown parameter 'q'");
}

TEST_CASE("diagnostics: a zero resistance is located at its value") {
    check_at(diagnostic("t\nV1 a 0 1\nR1 a 0 0\n.op\n.end\n"), "3:8", "must not be zero");
}

TEST_CASE("diagnostics: unknown option") {
    check_at(diagnostic("t\n.options reltol=1e-4 frobnicate=2\nV1 a 0 1\nR1 a 0 1\n.op\n.end\n"), "2:22",
             "unknown option 'frobnicate'");
}

TEST_CASE("diagnostics: a bad option value") {
    check_at(diagnostic("t\n.options reltol=-1\nV1 a 0 1\nR1 a 0 1\n.op\n.end\n"), "2:10", "must be positive");
    check_at(diagnostic("t\n.options method=rk4\nV1 a 0 1\nR1 a 0 1\n.op\n.end\n"), "2:10",
             "unknown integration method");
}

TEST_CASE("diagnostics: a controlled source naming a missing controlling source") {
    check_at(diagnostic("t\nV1 a 0 1\nR1 a 0 1\nF1 0 a vnone 2\n.op\n.end\n"), "4:8", "'vnone'");
}

TEST_CASE("diagnostics: .print of a node that does not exist") {
    check_at(diagnostic("t\nV1 a 0 1\nR1 a 0 1\n.op\n.print op v(b)\n.end\n"), "5:11", "no node named 'b'");
}

TEST_CASE("diagnostics: .dc of something that is neither a source nor a parameter") {
    check_at(diagnostic("t\nV1 a 0 1\nR1 a 0 1\n.dc vx 0 1 0.1\n.end\n"), "4:5", "cannot sweep 'vx'");
}

TEST_CASE("diagnostics: an element defined twice") {
    check_at(diagnostic("t\nV1 a 0 1\nR1 a 0 1\nR1 a 0 2\n.op\n.end\n"), "4:1", "defined twice");
}

TEST_CASE("diagnostics: a transient with a non-positive stop time") {
    check_at(diagnostic("t\nV1 a 0 1\nR1 a 0 1\n.tran 1u 0\n.end\n"), "4:10", "stop time");
}
