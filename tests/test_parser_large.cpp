// Big generated netlists: a crossbar as a generator writes it parses completely and correctly.
// (Timing is measured by the benchmarks, not here.)

#include "test_parser_helpers.hpp"

#include <string>

using namespace ptest;

namespace {

/// An n×n crossbar: a memory cell between row i and column j at every crosspoint, and wire
/// segments along every row and column, in the style of the netlist generators.
std::string crossbar(int n) {
    std::string s = "crossbar " + std::to_string(n) + "x" + std::to_string(n) + "\n.param rwire=2.5\n";
    int k = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            std::string rij = std::to_string(i) + "_" + std::to_string(j);
            s += "R" + std::to_string(++k) + " r" + rij + " c" + rij + " 25k\n";
            s += "R" + std::to_string(++k) + " r" + rij + " r" + std::to_string(i) + "_" + std::to_string(j + 1) +
                 " {rwire}\n";
            s += "R" + std::to_string(++k) + " c" + rij + " c" + std::to_string(i + 1) + "_" + std::to_string(j) +
                 " 2.5\n";
        }
    for (int i = 0; i < n; ++i) s += "V" + std::to_string(i) + " r" + std::to_string(i) + "_0 0 DC 0.1\n";
    s += ".op\n.end\n";
    return s;
}

}  // namespace

TEST_CASE("large: a generated 82x82 crossbar (over 20 000 lines) parses completely") {
    const int n = 82;
    std::string text = crossbar(n);
    Netlist net = flat(text);
    REQUIRE(net.elements.size() == static_cast<std::size_t>(3 * n * n + n));
    const Element& first = net.elements.front();
    CHECK(first.name == "r1");
    CHECK(first.nodes == std::vector<std::string>{"r0_0", "c0_0"});
    CHECK(first.values.at(0).value == 25e3);
    const Element& wire = element(net, "r2");
    CHECK(wire.nodes == std::vector<std::string>{"r0_0", "r0_1"});
    CHECK(wire.values.at(0).value == 2.5);
    const Element& last_cell = net.elements[static_cast<std::size_t>(3 * n * n - 3)];
    CHECK(last_cell.nodes == std::vector<std::string>{"r81_81", "c81_81"});
    CHECK(last_cell.loc.line == 3 + 3 * n * n - 3);
    CHECK(!last_cell.loc.text().empty());
    CHECK(last_cell.loc.text() == "R" + std::to_string(3 * n * n - 2) + " r81_81 c81_81 25k");
    CHECK(element(net, "v81").source->dc == 0.1);
    CHECK(net.analyses.size() == 1);
}

TEST_CASE("large: thousands of subcircuit instances flatten with distinct names") {
    std::string text = "cells\n.subckt cell r c g=10u\nR1 r mid {1/g}\nRsel mid c 1k\n.ends\n";
    const int n = 4000;
    for (int i = 0; i < n; ++i)
        text += "X" + std::to_string(i) + " row" + std::to_string(i % 64) + " col" + std::to_string(i / 64) + " cell g=" +
                std::to_string(i + 1) + "u\n";
    Netlist net = flat(text);
    REQUIRE(net.elements.size() == static_cast<std::size_t>(2 * n));
    const Element& r = element(net, "r.x3999.r1");
    CHECK(r.nodes == std::vector<std::string>{"row31", "x3999.mid"});
    CHECK(r.values.at(0).value == doctest::Approx(1 / 4000e-6));
    CHECK(element(net, "r.x17.rsel").nodes.at(1) == "col0");
}
