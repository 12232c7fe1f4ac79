#include <cstdio>

#include "tools/Commands.hpp"

namespace ionspice::tools {

int fit_main(int, char**) {
    std::fprintf(stderr, "ionspice fit: not available yet\n");
    return 2;
}

}  // namespace ionspice::tools
