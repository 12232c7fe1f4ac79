#include <cstdio>

#include "tools/Commands.hpp"

namespace ionspice::tools {

int gen_main(int, char**) {
    std::fprintf(stderr, "ionspice gen: not available yet\n");
    return 2;
}

}  // namespace ionspice::tools
