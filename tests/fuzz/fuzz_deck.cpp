// The line reader, the card parser and the elaborator (subcircuits, .lib, .param graphs, .func,
// expressions): netlist text in, a flat netlist or a located error out.

#include "parser/Netlist.hpp"
#include "tests/fuzz/FuzzInput.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) return -1;
    ionspice::fuzz::expect_clean([&] { ionspice::parser::elaborate(ionspice::parser::parse_deck(ionspice::fuzz::text(data, size), "fuzz.cir")); });
    return 0;
}
