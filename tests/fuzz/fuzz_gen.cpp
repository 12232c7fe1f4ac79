// `ionspice gen`'s option reader and the array generators: one argument per input line.
// Arrays are kept small (rows x cols up to 256 cells) so that a run measures the checks, not
// the size of the text.

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fuzz/FuzzInput.hpp"
#include "tools/GenCommand.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 4096) return -1;
    std::vector<std::string> args;
    std::istringstream in(ionspice::fuzz::text(data, size));
    for (std::string a; std::getline(in, a);) args.push_back(a);
    // Sizes as CLI11 reads them: "--rows N" or "--rows=N" (any prefix of digits is enough to
    // bound: a malformed size is a usage error anyway).
    long cells = 1;
    for (std::size_t k = 0; k < args.size(); ++k)
        for (const char* opt : {"--rows", "--cols"}) {
            const std::string& a = args[k];
            const std::string o(opt);
            const char* value = a == o && k + 1 < args.size() ? args[k + 1].c_str()
                                : a.rfind(o + "=", 0) == 0  ? a.c_str() + o.size() + 1
                                                            : nullptr;
            if (!value) continue;
            const double n = std::strtod(value, nullptr);
            if (!(n <= 256 && n >= -256)) return -1;
            cells *= n < 1 ? 1 : static_cast<long>(n);
        }
    if (cells > 256) return -1;
    ionspice::fuzz::expect_clean([&] { ionspice::tools::gen_netlist(args); });
    return 0;
}
