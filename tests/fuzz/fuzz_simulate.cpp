// Binding and a bounded operating point: small netlists elaborated, bound to devices (every
// parameter check of every family) and solved by .op, whatever analyses the text asks for.

#include "parser/Netlist.hpp"
#include "solver/Session.hpp"
#include "tests/fuzz/FuzzInput.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 8 * 1024) return -1;
    using namespace ionspice;
    fuzz::expect_clean([&] {
        parser::Deck deck = parser::parse_deck(fuzz::text(data, size), "fuzz.cir");
        if (!parser::read_steps(deck).empty()) return;  // a kept circuit is one circuit
        solver::Session s(std::move(deck));
        s.run(".op");
    });
    return 0;
}
