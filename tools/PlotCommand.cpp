#include <cstdio>

#include "tools/Commands.hpp"

namespace ionspice::tools {

int plot_main(int, char**) {
    std::fprintf(stderr, "ionspice plot: not available yet\n");
    return 2;
}

}  // namespace ionspice::tools
