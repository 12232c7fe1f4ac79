// The floor for a DC solve: bare KLU (analyse + factor + solve) on exactly the matrix ionspice
// builds for a netlist, timed without parsing, binding or output.
//
//   build/klu_floor bench/out/xbar256.cir

#include <chrono>
#include <cstdio>
#include <vector>

#include <klu.h>

#include "parser/Netlist.hpp"
#include "solver/Circuit.hpp"
#include "solver/Options.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: klu_floor NETLIST\n");
        return 2;
    }
    using namespace ionspice;
    auto netlist = parser::elaborate(parser::read_deck(argv[1]));
    auto options = solver::read_options(netlist);
    solver::Circuit c(netlist, options);
    std::vector<int> ap = c.col_ptr(), ai = c.row_idx();
    std::vector<double> ax = c.base_jf(), b(c.size(), 1.0);
    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
        klu_common common;
        klu_defaults(&common);
        auto t0 = std::chrono::steady_clock::now();
        klu_symbolic* sym = klu_analyze(c.size(), ap.data(), ai.data(), &common);
        klu_numeric* num = klu_factor(ap.data(), ai.data(), ax.data(), sym, &common);
        klu_solve(sym, num, c.size(), 1, b.data(), &common);
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::min(best, s);
        klu_free_numeric(&num, &common);
        klu_free_symbolic(&sym, &common);
    }
    std::printf("%d unknowns, %d entries: bare KLU analyse+factor+solve %.3f s\n", c.size(), c.nnz(), best);
    return 0;
}
