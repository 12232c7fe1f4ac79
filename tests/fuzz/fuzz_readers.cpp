// The result-file readers: ngspice raw files (ASCII and binary, every layout) and CSV tables,
// from a file holding the input.

#include <fstream>
#include <string>

#include <unistd.h>

#include "solver/RawReader.hpp"
#include "tests/fuzz/FuzzInput.hpp"
#include "tools/Table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 256 * 1024) return -1;
    static const std::string path = "/tmp/ionspice_fuzz_readers_" + std::to_string(::getpid()) + ".raw";
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    using namespace ionspice;
    fuzz::expect_clean([&] { solver::read_raw(path); }, true);
    fuzz::expect_clean([&] { tools::read_table(path); }, true);
    return 0;
}
