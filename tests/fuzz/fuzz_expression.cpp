// Expressions alone: the input is the right-hand side of a .param, of a B source's v={...} and
// of an instance value {...}, parsed and evaluated (a B source's when the circuit is bound).

#include "parser/Netlist.hpp"
#include "solver/Session.hpp"
#include "tests/fuzz/FuzzInput.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 16 * 1024) return -1;
    std::string e = ionspice::fuzz::text(data, size);
    if (e.find('\n') != std::string::npos || e.find('\r') != std::string::npos) return -1;  // one line
    using namespace ionspice;
    fuzz::expect_clean([&] { parser::elaborate(parser::parse_deck("p\n.param x=" + e + "\n.end\n", "fuzz.cir")); });
    fuzz::expect_clean([&] {
        solver::Session s(parser::parse_deck("b\nv1 a 0 1\nr1 a 0 1k\nb1 o 0 v={" + e + "}\nr2 o 0 1\n.end\n", "fuzz.cir"));
        s.run(".op");
    });
    fuzz::expect_clean([&] { parser::elaborate(parser::parse_deck("r\nv1 a 0 1\nr1 a 0 {" + e + "}\n.end\n", "fuzz.cir")); });
    return 0;
}
