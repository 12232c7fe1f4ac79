// The floors for a DC solve on exactly the matrix ionspice builds for a netlist, timed without
// parsing, binding or output: bare KLU (analyse + factor + solve) on the MNA matrix, and, when
// the matrix has a nodal form (solver/NodalReduction), CHOLMOD's supernodal Cholesky of the
// nodal matrix under each ordering (AMD, METIS, CHOLMOD's nested dissection, and METIS's
// NodeND computed here and given), CG preconditioned by the strong part (solver/SubgraphEngine)
// and the AMG path (solver/AmgEngine). What bench/README.md's
// "Orderings" and "Direct or iterative" sections are measured with.
//
//   build/solver_floor NETLIST [BLAS_THREADS]     (default 1)

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <cholmod.h>
#include <klu.h>
#include <metis.h>

#include "parser/Netlist.hpp"
#include "solver/AmgEngine.hpp"
#include "solver/CholmodEngine.hpp"
#include "solver/Circuit.hpp"
#include "solver/NodalReduction.hpp"
#include "solver/Options.hpp"
#include "solver/SubgraphEngine.hpp"

extern "C" void openblas_set_num_threads(int);
extern "C" void omp_set_max_active_levels(int);

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: solver_floor NETLIST [BLAS_THREADS]\n");
        return 2;
    }
    using namespace ionspice;
    const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
    openblas_set_num_threads(threads);
    omp_set_max_active_levels(0);  // as solver/CholmodEngine.cpp does
    auto netlist = parser::elaborate(parser::read_deck(argv[1]));
    auto options = solver::read_options(netlist);
    solver::Circuit c(netlist, options);
    std::vector<int> ap = c.col_ptr(), ai = c.row_idx();
    std::vector<double> ax = c.base_jf(), b(c.size(), 1.0);

    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
        klu_common common;
        klu_defaults(&common);
        auto t0 = Clock::now();
        klu_symbolic* sym = klu_analyze(c.size(), ap.data(), ai.data(), &common);
        klu_numeric* num = klu_factor(ap.data(), ai.data(), ax.data(), sym, &common);
        klu_solve(sym, num, c.size(), 1, b.data(), &common);
        best = std::min(best, since(t0));
        klu_free_numeric(&num, &common);
        klu_free_symbolic(&sym, &common);
    }
    std::printf("%d unknowns, %d entries: bare KLU analyse+factor+solve %.3f s\n", c.size(), c.nnz(), best);

    auto red = solver::NodalReduction::find(c.size(), c.col_ptr(), c.row_idx());
    std::vector<double> lower;
    if (!red || !red->gather(ax, lower)) {
        std::printf("no nodal form\n");
        return 0;
    }
    auto cp = red->lower_col_ptr();
    auto ri = red->lower_row_idx();
    const auto n = static_cast<long>(cp.size() - 1);
    cholmod_common cm;
    cholmod_l_start(&cm);
    cm.supernodal = CHOLMOD_SUPERNODAL;
    cm.nmethods = 1;
    cm.print = 0;
    cholmod_sparse a{};
    a.nrow = a.ncol = static_cast<std::size_t>(n);
    a.nzmax = ri.size();
    a.p = cp.data();
    a.i = ri.data();
    a.x = lower.data();
    a.stype = -1;
    a.itype = CHOLMOD_LONG;
    a.xtype = CHOLMOD_REAL;
    a.dtype = CHOLMOD_DOUBLE;
    a.sorted = 1;
    a.packed = 1;
    auto factor = [&](cholmod_factor* l, double analyse, const char* what) {
        const double fl = cm.fl, lnz = cm.lnz;
        const auto t = Clock::now();
        cholmod_l_factorize(&a, l, &cm);
        const double f = since(t);
        std::printf("nodal %ld unknowns, cholmod supernodal, %-7s: order+analyse %.3f s, factor %.3f s (%.2f GFlop/s), "
                    "L %.3g entries, %.3g flops\n",
                    n, what, analyse, f, fl / f / 1e9, lnz, fl);
        cholmod_l_free_factor(&l, &cm);
    };
    for (auto [method, name] : {std::pair{CHOLMOD_AMD, "amd"}, {CHOLMOD_METIS, "metis"}, {CHOLMOD_NESDIS, "nesdis"}}) {
        cm.method[0].ordering = method;
        const auto t = Clock::now();
        cholmod_factor* l = cholmod_l_analyze(&a, &cm);
        factor(l, since(t), name);
    }
    {
        // METIS_NodeND on the nodal graph, given to CHOLMOD.
        const auto t = Clock::now();
        std::vector<idx_t> start(static_cast<std::size_t>(n) + 1, 0);
        for (long j = 0; j < n; ++j)
            for (auto k = cp[j]; k < cp[j + 1]; ++k)
                if (ri[k] != j) ++start[ri[k] + 1], ++start[j + 1];
        for (long i = 0; i < n; ++i) start[i + 1] += start[i];
        std::vector<idx_t> adj(static_cast<std::size_t>(start[n])), next(start.begin(), start.end() - 1);
        for (long j = 0; j < n; ++j)
            for (auto k = cp[j]; k < cp[j + 1]; ++k)
                if (ri[k] != j) adj[next[ri[k]]++] = j, adj[next[j]++] = ri[k];
        idx_t nv = n, opts[METIS_NOPTIONS];
        METIS_SetDefaultOptions(opts);
        std::vector<idx_t> p(static_cast<std::size_t>(n)), ip(static_cast<std::size_t>(n));
        METIS_NodeND(&nv, start.data(), adj.data(), nullptr, opts, p.data(), ip.data());
        const double order = since(t);
        std::vector<SuiteSparse_long> perm(p.begin(), p.end());
        cm.method[0].ordering = CHOLMOD_GIVEN;
        const auto t2 = Clock::now();
        cholmod_factor* l = cholmod_l_analyze_p(&a, perm.data(), nullptr, 0, &cm);
        std::printf("(METIS_NodeND itself: %.3f s)\n", order);
        factor(l, order + since(t2), "nodend");
    }
    cholmod_l_finish(&cm);

    {
        solver::SubgraphEngine sub([] { return std::make_unique<solver::CholmodEngine>(); });
        auto t = Clock::now();
        sub.analyze(cp, ri, solver::Usage::Once, threads);
        auto f = sub.factor(lower, nullptr);
        const double setup = since(t);
        std::vector<double> rhs(static_cast<std::size_t>(n), 0.0);
        // The right-hand side of the netlist's own solve (the driven ends) is what matters
        // for the accuracy; a vector of ones is what the other rows use.
        for (long i = 0; i < n; ++i) rhs[static_cast<std::size_t>(i)] = 1.0;
        t = Clock::now();
        f->solve(rhs.data());
        std::printf("nodal, subgraph: setup %.3f s, solve %.3f s (%s)\n", setup, since(t), sub.describe().c_str());
    }
    if (solver::AmgEngine::available()) {
        solver::AmgEngine amg;
        auto t = Clock::now();
        amg.analyze(cp, ri, solver::Usage::Once, threads);
        auto f = amg.factor(lower, nullptr);
        const double setup = since(t);
        std::vector<double> rhs(static_cast<std::size_t>(n), 1.0);
        t = Clock::now();
        f->solve(rhs.data());
        std::printf("nodal, AMG: setup %.3f s, solve %.3f s (%s)\n", setup, since(t), amg.describe().c_str());
    }
    return 0;
}
