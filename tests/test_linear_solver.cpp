// solver/LinearSolver: the method is chosen by the matrix's structure. The nodal path (grounded
// sources eliminated, CHOLMOD, CG on the strong part or AMG on the SPD rest) gives KLU's answer, the eliminated
// sources' currents included; every case without a nodal SPD form (floating source, controlled
// source, negative resistance, transistor) goes to KLU and says why; a fixed-step transient of
// a linear circuit factors once; Aᵀ solves through the reduction equal KLU's.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "solver/AmgEngine.hpp"
#include "solver/Circuit.hpp"
#include "solver/LinearSolver.hpp"
#include "solver/Simulator.hpp"
#include "tests/SimHelpers.hpp"

using namespace ionspice;
using ionspice::test::simulate_text;

namespace {

/// A random conductance network: `nodes` nodes joined in a chain (so that none floats) plus
/// random cross resistors (`six_decades`: spread over 1 Ω–1 MΩ), grounded voltage sources on some nodes (none on the same node twice)
/// and current sources into others.
std::string random_network(unsigned seed, int nodes, int extra, int sources, bool six_decades = false) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> uniform_ohms(10, 1e5), decade(0, 6), volts(-2, 2), amps(-1e-3, 1e-3);
    // Uniform in 10 Ω–100 kΩ, or log-uniform in 1 Ω–1 MΩ (couplings far apart, as in an array).
    auto ohms = [&](std::mt19937& r) { return six_decades ? std::pow(10.0, decade(r)) : uniform_ohms(r); };
    std::uniform_int_distribution<int> pick(1, nodes);
    std::string t = "random network\n";
    for (int k = 1; k < nodes; ++k) t += fmt::format("Rc{} n{} n{} {:.6g}\n", k, k, k + 1, ohms(rng));
    for (int k = 0; k < extra; ++k) {
        const int a = pick(rng), b = pick(rng);
        if (a != b) t += fmt::format("Rx{} n{} n{} {:.6g}\n", k, a, b, ohms(rng));
    }
    std::vector<int> driven;
    for (int k = 0; k < sources; ++k) {
        const int a = pick(rng);
        if (std::find(driven.begin(), driven.end(), a) != driven.end()) continue;
        driven.push_back(a);
        // Both orientations: V(n, 0) and V(0, n).
        if (k % 2)
            t += fmt::format("V{} n{} 0 {:.6g}\n", k, a, volts(rng));
        else
            t += fmt::format("V{} 0 n{} {:.6g}\n", k, a, volts(rng));
    }
    for (int k = 0; k < 3; ++k) t += fmt::format("I{} 0 n{} {:.6g}\n", k, pick(rng), amps(rng));
    t += fmt::format("Rg n{} 0 {:.6g}\n", pick(rng), ohms(rng));
    return t;
}

struct Run {
    solver::SimulationResult result;
    std::string path;  ///< the linear solver's path, from the stats log
};

Run run(const std::string& netlist, const std::string& cards) {
    solver::SimulateSettings s;
    s.stats = true;
    Run r;
    r.result = solver::simulate(parser::parse_deck(netlist + cards + ".end\n", "test.cir"), s);
    for (const auto& line : r.result.log)
        if (auto at = line.find("analyses ("); at != std::string::npos) r.path = line.substr(at + 10);
    return r;
}

/// Largest difference between the plots' vectors, relative to the largest magnitude of the same
/// kind (node voltages, branch currents) in `a`.
double worst_difference(const solver::Plot& a, const solver::Plot& b) {
    auto is_current = [&](std::size_t c) { return a.variables[c].name.rfind("i(", 0) == 0; };
    double vmax = 0, imax = 0;
    for (std::size_t c = 0; c < a.variables.size(); ++c)
        for (std::size_t k = 0; k < a.points(); ++k) {
            double& m = is_current(c) ? imax : vmax;
            m = std::max(m, std::abs(a.at(k, c)));
        }
    double worst = 0;
    for (std::size_t c = 0; c < a.variables.size(); ++c) {
        const int cb = b.find(a.variables[c].name);
        REQUIRE(cb >= 0);
        const double scale = is_current(c) ? imax : vmax;
        for (std::size_t k = 0; k < a.points(); ++k)
            worst = std::max(worst, std::abs(a.at(k, c) - b.at(k, static_cast<std::size_t>(cb))) / scale);
    }
    return worst;
}

/// An n×n passive crossbar: 1 Ω wire segments, cells 1–50 µS, grounded drivers and virtual
/// grounds (bench/gen_crossbar.py's circuit); `driven`: false leaves the rows' drivers out, so
/// that the row wires are held only through the cells (and a current source into each).
std::string crossbar(int n, unsigned seed, bool driven = true) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    std::string t = "crossbar\n";
    for (int i = 0; i < n; ++i) {
        if (driven)
            t += fmt::format("vr{} rin{} 0 {:.4f}\n", i, i, 0.1 + 0.2 * u(rng));
        else
            t += fmt::format("ir{} 0 rin{} {:.4g}\n", i, i, 1e-5 * u(rng));
        t += fmt::format("rwr{}_0 rin{} r{}_0 1\n", i, i, i);
        for (int j = 1; j < n; ++j) t += fmt::format("rwr{}_{} r{}_{} r{}_{} 1\n", i, j, i, j - 1, i, j);
    }
    for (int j = 0; j < n; ++j) {
        for (int i = 1; i < n; ++i) t += fmt::format("rwc{}_{} c{}_{} c{}_{} 1\n", i, j, i - 1, j, i, j);
        t += fmt::format("rwc{}_{} c{}_{} cout{} 1\nvc{} cout{} 0 0\n", n, j, n - 1, j, j, j, j);
    }
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            t += fmt::format("rx{}_{} r{}_{} c{}_{} {:.6g}\n", i, j, i, j, i, j, 1 / (1e-6 + 49e-6 * u(rng)));
    return t;
}

/// An n×n 1T1R array (cells of `cell` ohms, level-1 selectors on ideal word lines, 1 Ω wire
/// segments) read with the V/2 scheme: the selected row `on` at 0.2 V with its word line at
/// 1.8 V, the last column at 0 V, every other line at 0.1 V; `all_on` turns every word line on.
std::string array_1t1r(int n, int on, bool all_on = false, const char* cell = "50k") {
    std::string t = "1t1r\n.model nsel nmos (level=1 vto=0.5 kp=200u)\n";
    for (int i = 0; i < n; ++i) {
        t += fmt::format("vrow{} rin{} 0 {}\nvwl{} wl{} 0 {}\nrwr{}_0 rin{} r{}_0 1\n", i, i, i == on ? 0.2 : 0.1, i, i,
                         i == on || all_on ? 1.8 : 0.0, i, i, i);
        for (int j = 1; j < n; ++j) t += fmt::format("rwr{}_{} r{}_{} r{}_{} 1\n", i, j, i, j - 1, i, j);
    }
    for (int j = 0; j < n; ++j) {
        for (int i = 1; i < n; ++i) t += fmt::format("rwc{}_{} c{}_{} c{}_{} 1\n", i, j, i - 1, j, i, j);
        t += fmt::format("rwc{}_{} c{}_{} cout{} 1\nvcol{} cout{} 0 {}\n", n, j, n - 1, j, j, j, j, j == n - 1 ? 0.0 : 0.1);
    }
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            t += fmt::format("rx{}_{} r{}_{} m{}_{} {}\nmx{}_{} m{}_{} wl{} c{}_{} 0 nsel w=10u l=1u\n", i, j, i, j, i, j,
                             cell, i, j, i, j, i, i, j);
    return t;
}

/// Pairs of nodes a_k, b_k joined by a strong link (`link`: a format with the pair's index
/// for its name and nodes), the pairs chained by 1 MΩ from a 1 V source to a 1 kΩ load: the
/// weak couplings carry all the current.
std::string weak_ladder(int pairs, const std::string& header, const char* link) {
    std::string t = header + fmt::format("V1 a0 0 1\nRend b{} 0 1k\n", pairs - 1);
    for (int k = 0; k < pairs; ++k) {
        t += fmt::format(fmt::runtime(link), k);
        if (k + 1 < pairs) t += fmt::format("Rw{} b{} a{} 1meg\n", k, k, k + 1);
    }
    return t;
}

}  // namespace

TEST_CASE("nodal path: random resistor networks with grounded sources give KLU's answer, source currents too") {
    for (unsigned seed = 1; seed <= 12; ++seed) {
        const std::string net = random_network(seed, 40 + static_cast<int>(seed) * 7, 60, 6);
        const Run klu = run(net, ".options solver=klu\n.op\n");
        const Run nodal = run(net, ".op\n");
        INFO(nodal.path);
        CHECK(nodal.path.find("nodal: cholmod") == 0);
        CHECK(klu.path.find("klu") == 0);
        CHECK(worst_difference(klu.result.plots.at(0), nodal.result.plots.at(0)) < 1e-12);
    }
}

TEST_CASE("nodal path: a .dc sweep and a transient of an RC network agree with KLU point by point") {
    const std::string net = random_network(99, 60, 40, 4) + "C1 n3 0 1n\nC2 n7 n9 2n\nC3 n20 0 0.5n\n";
    {
        const Run klu = run(net, ".options solver=klu\n.dc V1 0 1 0.25\n");
        const Run nodal = run(net, ".dc V1 0 1 0.25\n");
        CHECK(nodal.path.find("nodal") == 0);
        CHECK(worst_difference(klu.result.plots.at(0), nodal.result.plots.at(0)) < 1e-12);
    }
    {
        const std::string pulsed = net + "Ip n5 0 PULSE(0 1m 10n 1n 1n 50n 100n)\n";
        const Run klu = run(pulsed, ".options solver=klu\n.tran 1n 300n\n");
        const Run nodal = run(pulsed, ".tran 1n 300n\n");
        CHECK(nodal.path.find("nodal") == 0);
        const auto& a = klu.result.plots.at(0);
        const auto& b = nodal.result.plots.at(0);
        // The same time points: each step's solution differs only by rounding.
        REQUIRE(a.points() == b.points());
        CHECK(worst_difference(a, b) < 1e-9);
    }
}

TEST_CASE("nodal path refused: floating source, controlled sources, negative resistance, transistor") {
    auto refused = [](const std::string& net) {
        const Run r = run(net, ".op\n");
        INFO(r.path);
        CHECK(r.path.find("klu") == 0);
        CHECK(r.path.find("nodal path not taken") != std::string::npos);
        return r.path;
    };
    // A source between two nodes: its branch row has no diagonal, and no node is fixed by it.
    CHECK(refused("t\nV1 in 0 1\nV2 a in 0.5\nR1 a 0 1k\nR2 in a 2k\n").find("no nodal form") != std::string::npos);
    // A VCCS makes the pattern unsymmetric.
    CHECK(refused("t\nV1 in 0 1\nR1 in a 1k\nG1 b 0 a 0 1m\nR2 b 0 1k\nR3 a 0 1k\n").find("no nodal form") !=
          std::string::npos);
    // Symmetric, but not positive definite: the Cholesky finds out, KLU solves it.
    const Run neg = run("t\nV1 in 0 1\nR1 in a 2k\nR2 a 0 -1k\n", ".op\n");
    CHECK(neg.path.find("not positive definite") != std::string::npos);
    // v(a) = 1·(−1k)/(2k − 1k)
    CHECK(test::value(neg.result, "v(a)") == doctest::Approx(-1.0).epsilon(1e-12));
    // A MOSFET's gm from a gate node that is not fixed: unsymmetric. (With its gate on a
    // grounded source, gm only enters the right-hand side, and the nodal form holds.)
    refused("t\nVd d 0 1\nVg g0 0 2\nRg g0 g 1k\nRd d x 1k\nM1 x g 0 0 nm w=1u l=1u\n"
            ".model nm nmos level=1 vto=0.5 kp=1e-4\n");
    const Run gated = run("t\nVd d 0 1\nVg g 0 2\nRd d x 1k\nM1 x g 0 0 nm w=1u l=1u\n"
                          ".model nm nmos level=1 vto=0.5 kp=1e-4\n", ".op\n");
    CHECK(gated.path.find("nodal") == 0);
}

TEST_CASE("nodal path: the iterative path (AMG-preconditioned CG) agrees with the direct answers") {
    if (!solver::AmgEngine::available()) {
        MESSAGE("this build has no hypre: the AMG path is not tested");
        return;
    }
    const std::string t = crossbar(24, 7);
    const Run klu = run(t, ".options solver=klu\n.op\n");
    const Run chol = run(t, ".options solver=cholmod\n.op\n");
    const Run amg = run(t, ".options solver=amg\n.op\n");
    INFO(amg.path);
    CHECK(amg.path.find("nodal: hypre BoomerAMG") == 0);
    CHECK(chol.path.find("nodal: cholmod") == 0);
    // Rounding differs between LU and Cholesky on this ill-conditioned mesh (1 Ω against 20 kΩ–1 MΩ).
    CHECK(worst_difference(klu.result.plots.at(0), chol.result.plots.at(0)) < 1e-11);
    // The stated criterion (relative residual 1e-13) keeps the answer within 1e-10 of the
    // direct one, the column currents (the array's outputs) included.
    CHECK(worst_difference(chol.result.plots.at(0), amg.result.plots.at(0)) < 1e-10);
}

TEST_CASE("nodal path: CG preconditioned by the strong part agrees with the direct answers, and gives way") {
    // A crossbar's strong part is its wires: chains, factored without fill.
    const std::string t = crossbar(24, 7);
    const Run chol = run(t, ".options solver=cholmod\n.op\n");
    const Run sub = run(t, ".options solver=subgraph\n.op\n");
    INFO(sub.path);
    CHECK(sub.path.find("nodal: CG preconditioned by the strong part") == 0);
    // Kept: the 23 segments between the 24 nodes of each of the 48 lines (the segment to a
    // source is eliminated with it); dropped: the 576 cells.
    CHECK(sub.path.find("keeps 1104 of 1680 couplings") != std::string::npos);
    CHECK(worst_difference(chol.result.plots.at(0), sub.result.plots.at(0)) < 1e-10);

    // Random networks with resistors spread over six decades, so that many couplings are weak:
    // whichever way the strong part goes (CG, or CHOLMOD where it would not pay), KLU's answer.
    int by_cg = 0;
    for (unsigned seed = 1; seed <= 8; ++seed) {
        const std::string net = random_network(seed, 60 + static_cast<int>(seed) * 9, 80, 5, true);
        const Run rklu = run(net, ".options solver=klu\n.op\n");
        const Run rsub = run(net, ".options solver=subgraph\n.op\n");
        INFO(rsub.path);
        CHECK(rsub.path.find("nodal: ") == 0);
        by_cg += rsub.path.find("nodal: CG") == 0;
        CHECK(worst_difference(rklu.result.plots.at(0), rsub.result.plots.at(0)) < 1e-9);
    }
    CHECK(by_cg >= 4);

    // Floating row wires (current-driven, held only through the cells): the wires alone leave
    // each row nearly free, and CG needs many more iterations, but reaches the same answer.
    const std::string floating = crossbar(16, 3, false);
    const Run fchol = run(floating, ".options solver=cholmod\n.op\n");
    const Run fsub = run(floating, ".options solver=subgraph\n.op\n");
    INFO(fsub.path);
    CHECK(fsub.path.find("nodal: CG preconditioned by the strong part") == 0);
    CHECK(worst_difference(fchol.result.plots.at(0), fsub.result.plots.at(0)) < 1e-9);

    // Where the weak couplings carry the current: pairs of nodes joined by 1 Ω, the pairs
    // chained by 1 MΩ from a source. The strong part is the pairs alone, whose factor knows
    // nothing of the chain; CG would need thousands of iterations, sees so from its rate, and
    // CHOLMOD answers instead.
    const std::string ladder = weak_ladder(1000, "ladder\n", "Rs{0} a{0} b{0} 1\n");
    const Run lchol = run(ladder, ".options solver=cholmod\n.op\n");
    const Run lsub = run(ladder, ".options solver=subgraph\n.op\n");
    INFO(lsub.path);
    CHECK(lsub.path.find("nodal: cholmod") == 0);
    CHECK(lsub.path.find("CG preconditioned by the strong part stopped") != std::string::npos);
    CHECK(lsub.path.find("CHOLMOD took over") != std::string::npos);
    CHECK(worst_difference(lchol.result.plots.at(0), lsub.result.plots.at(0)) < 1e-12);

    // Couplings of one size: the strong part is the whole matrix, and CHOLMOD solves it.
    std::string mesh = "mesh\nV1 n0_0 0 1\nVg n7_7 0 0\n";
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j) {
            if (i + 1 < 8) mesh += fmt::format("Rv{}_{} n{}_{} n{}_{} 1k\n", i, j, i, j, i + 1, j);
            if (j + 1 < 8) mesh += fmt::format("Rh{}_{} n{}_{} n{}_{} 1k\n", i, j, i, j, i, j + 1);
        }
    const Run even = run(mesh, ".options solver=subgraph\n.op\n");
    INFO(even.path);
    CHECK(even.path.find("nodal: cholmod") == 0);
    CHECK(even.path.find("would not pay: the strong part keeps 108 of 108 couplings") != std::string::npos);
    const Run even_chol = run(mesh, ".options solver=cholmod\n.op\n");
    CHECK(worst_difference(even_chol.result.plots.at(0), even.result.plots.at(0)) < 1e-13);

    // A .dc sweep solves one matrix once per point: after a few iterative solves CHOLMOD
    // factors it, and every point still agrees.
    const Run sweep_chol = run(t, ".options solver=cholmod\n.dc vr0 0 1 0.1\n");
    const Run sweep = run(t, ".options solver=subgraph\n.dc vr0 0 1 0.1\n");
    INFO(sweep.path);
    CHECK(sweep.path.find("nodal: cholmod") == 0);
    CHECK(sweep.path.find("4 solves of one matrix: CHOLMOD took over") != std::string::npos);
    CHECK(worst_difference(sweep_chol.result.plots.at(0), sweep.result.plots.at(0)) < 1e-10);
}

TEST_CASE("nodal path: a 1T1R array's unsymmetric Jacobians are solved by GMRES on the strong part, as KLU") {
    // The conducting selectors' gm makes the nodal matrix unsymmetric; the strong part (wires,
    // each cell's pendant node, the selected row's path through its selectors) is a forest.
    const std::string read = array_1t1r(12, 3);
    const Run klu = run(read, ".options solver=klu\n.op\n");
    const Run gmres = run(read, ".options solver=subgraph\n.op\n");
    INFO(gmres.path);
    CHECK(gmres.path.find("nodal, values not symmetric: GMRES(40) preconditioned by the strong part") == 0);
    // Newton converges to the same point: the difference is rounding.
    CHECK(worst_difference(klu.result.plots.at(0), gmres.result.plots.at(0)) < 1e-12);

    // Every word line on: each conducting selector (about 2.4 mS) is strong at the cell's middle
    // node, the 50 kΩ cell is not, and GMRES still runs on the wires and the selectors.
    const std::string product = array_1t1r(12, 3, true);
    const Run pklu = run(product, ".options solver=klu\n.op\n");
    const Run pgmres = run(product, ".options solver=subgraph\n.op\n");
    CHECK(pgmres.path.find("nodal, values not symmetric: GMRES(40)") == 0);
    CHECK(worst_difference(pklu.result.plots.at(0), pgmres.result.plots.at(0)) < 1e-12);

    // With 1 kΩ cells both halves of every cell are strong: the strong part is the whole
    // array, and KLU solves it, saying why.
    const std::string strong = array_1t1r(12, 3, true, "1k");
    const Run sklu = run(strong, ".options solver=klu\n.op\n");
    const Run psub = run(strong, ".options solver=subgraph\n.op\n");
    INFO(psub.path);
    CHECK(psub.path.find("klu") == 0);
    CHECK(psub.path.find("not symmetric, and GMRES on the strong part would not pay: the strong part keeps 552 of 552") !=
          std::string::npos);
    CHECK(worst_difference(sklu.result.plots.at(0), psub.result.plots.at(0)) < 1e-12);

    // Where the weak couplings carry the current (pairs of nodes joined by a conducting
    // transistor, the pairs chained by 1 MΩ), GMRES sees from its rate that it would need
    // thousands of iterations, and KLU takes over from the same matrix.
    const std::string ladder = weak_ladder(500, "ladder\n.model nsel nmos (level=1 vto=0.5 kp=200u)\nVg g 0 1.8\n",
                                           "M{0} a{0} g b{0} 0 nsel w=10u l=1u\n");
    const Run lklu = run(ladder, ".options solver=klu\n.op\n");
    const Run lsub = run(ladder, ".options solver=subgraph\n.op\n");
    INFO(lsub.path);
    CHECK(lsub.path.find("klu") == 0);
    CHECK(lsub.path.find("GMRES preconditioned by the strong part stopped") != std::string::npos);
    CHECK(lsub.path.find("KLU took over") != std::string::npos);
    CHECK(worst_difference(lklu.result.plots.at(0), lsub.result.plots.at(0)) < 1e-12);
}

TEST_CASE("nodal path: a crossbar's .op is solved by CG on its strong part from 20 000 nodal unknowns") {
    // 100×100: 20 000 nodal unknowns, the smallest size the automatic choice sends there; 99×99
    // stays with CHOLMOD.
    const Run big = run(crossbar(100, 5), ".op\n");
    INFO(big.path);
    CHECK(big.path.find("nodal: CG preconditioned by the strong part") == 0);
    const Run small = run(crossbar(99, 5), ".op\n");
    CHECK(small.path.find("nodal: cholmod") == 0);
    const Run direct = run(crossbar(100, 5), ".options solver=cholmod\n.op\n");
    CHECK(worst_difference(direct.result.plots.at(0), big.result.plots.at(0)) < 1e-10);
}

TEST_CASE("nodal path: a linear transient with a fixed step reuses its factorisations") {
    // tmax = tstep and no breakpoints after t = 0: after the first few (smaller) steps every step
    // has the same size, so the same matrix, and is solved on its kept factorisation. Ten times
    // the steps, the same number of factorisations.
    auto counts = [](const std::string& stop) {
        const Run r = run("rc\nV1 in 0 1\nR1 in a 1k\nC1 a 0 1n\nR2 a b 2k\nC2 b 0 2n\n",
                          ".tran 10n " + stop + " 0 10n uic\n");
        INFO(r.path);
        CHECK(r.path.find("nodal") == 0);
        long factors = -1, solves = -1;
        for (const auto& line : r.result.log)
            if (auto at = line.find(" s: "); line.find("  solve ") == 0 && at != std::string::npos)
                std::sscanf(line.c_str() + at + 4, "%ld factorisations, %*d refactorisations, %ld solves", &factors, &solves);
        CHECK(solves >= static_cast<long>(r.result.plots.at(0).points()) - 1);
        return factors;
    };
    const long short_run = counts("5u"), long_run = counts("50u");
    CHECK(short_run >= 1);
    CHECK(short_run <= 6);
    CHECK(long_run == short_run);
}

TEST_CASE("nodal reduction: transposed solves equal KLU's on the same matrix") {
    // The MNA matrix of a small network with two grounded sources (one each way), values
    // unsymmetric only in the source rows and columns, as MNA makes them.
    const auto deck = parser::parse_deck(random_network(5, 30, 30, 4) + ".op\n.end\n", "t.cir");
    const auto netlist = parser::elaborate(deck);
    const auto options = solver::read_options(netlist);
    solver::Circuit c(netlist, options);
    std::vector<double> values = c.base_jf();
    solver::LinearSolver nodal;
    solver::KluSolver klu;
    nodal.analyze(c.size(), c.col_ptr(), c.row_idx());
    klu.analyze(c.size(), c.col_ptr(), c.row_idx());
    REQUIRE(nodal.factor(values).ok);
    REQUIRE(nodal.nodal());
    REQUIRE(klu.factor(values).ok);
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-1, 1);
    std::vector<double> b(static_cast<std::size_t>(c.size()));
    for (auto& v : b) v = u(rng);
    for (const bool transposed : {false, true}) {
        std::vector<double> x1 = b, x2 = b;
        if (transposed) {
            nodal.solve_transposed(x1);
            klu.solve_transposed(x2);
        } else {
            nodal.solve(x1);
            klu.solve(x2);
        }
        double worst = 0, scale = 0;
        for (std::size_t k = 0; k < b.size(); ++k) {
            worst = std::max(worst, std::abs(x1[k] - x2[k]));
            scale = std::max(scale, std::abs(x2[k]));
        }
        CHECK(worst < 1e-12 * scale);
    }
}

TEST_CASE(".step points of one topology share the symbolic analysis of the thread that runs them") {
    // Six points of a resistor network (the resistance stepped, the pattern the same): one
    // analysis for the whole sweep on one thread, at most one per thread on two.
    const std::string net = random_network(11, 60, 50, 4) + ".param rl=1k\nRl n2 0 {rl}\n.step param rl list 1k 2k 3k 4k 5k 6k\n.op\n.end\n";
    for (const int threads : {1, 2}) {
        solver::SimulateSettings s;
        s.stats = true;
        s.threads = threads;
        const auto r = solver::simulate(parser::parse_deck(net, "test.cir"), s);
        REQUIRE(r.plots.size() == 6);
        long analyses = 0, points = 0;
        for (const auto& line : r.log)
            if (auto at = line.find(" solves, "); at != std::string::npos) {
                analyses += std::atol(line.c_str() + at + 9);
                ++points;
            }
        INFO("threads " << threads);
        CHECK(points == 6);
        CHECK(analyses >= 1);
        CHECK(analyses <= threads);
    }
}

TEST_CASE("GMRES on the strong part: solves and transposed solves equal KLU's; a matrix solved often goes to KLU") {
    // A crossbar's MNA matrix made unsymmetric in its weak couplings (each cell's entry below
    // the diagonal scaled by 1.5, the one above left): the nodal form holds, its values are not
    // symmetric, and GMRES on the wires solves it.
    const auto deck = parser::parse_deck(crossbar(12, 3) + ".op\n.end\n", "t.cir");
    const auto netlist = parser::elaborate(deck);
    const auto options = solver::read_options(netlist);
    solver::Circuit c(netlist, options);
    std::vector<double> values = c.base_jf();
    for (int j = 0; j < c.size(); ++j)
        for (int k = c.col_ptr()[static_cast<std::size_t>(j)]; k < c.col_ptr()[static_cast<std::size_t>(j) + 1]; ++k) {
            const auto slot = static_cast<std::size_t>(k);
            if (c.row_idx()[slot] > j && std::abs(values[slot]) < 1e-3) values[slot] *= 1.5;
        }
    solver::LinearSolver gmres;
    gmres.choose(solver::SolverChoice::Subgraph);
    solver::KluSolver klu;
    gmres.analyze(c.size(), c.col_ptr(), c.row_idx(), solver::Usage::Newton);
    klu.analyze(c.size(), c.col_ptr(), c.row_idx());
    REQUIRE(gmres.factor(values).ok);
    REQUIRE(klu.factor(values).ok);
    INFO(gmres.path());
    CHECK(gmres.path().find("nodal, values not symmetric: GMRES(40)") == 0);
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-1, 1);
    std::vector<double> b(static_cast<std::size_t>(c.size()));
    for (int solve = 0; solve < 6; ++solve) {
        for (auto& v : b) v = u(rng);
        const bool transposed = solve % 2 == 1;
        std::vector<double> x1 = b, x2 = b;
        if (transposed) {
            gmres.solve_transposed(x1);
            klu.solve_transposed(x2);
        } else {
            gmres.solve(x1);
            klu.solve(x2);
        }
        double worst = 0, scale = 0;
        for (std::size_t k = 0; k < b.size(); ++k) {
            worst = std::max(worst, std::abs(x1[k] - x2[k]));
            scale = std::max(scale, std::abs(x2[k]));
        }
        INFO("solve ", solve);
        CHECK(worst < 1e-9 * scale);
    }
    // The fifth solve of the same matrix went to KLU.
    CHECK(gmres.path().find("klu") == 0);
    CHECK(gmres.path().find("4 GMRES solves of one matrix: KLU factored it") != std::string::npos);
    // New values go back to GMRES.
    for (auto& v : values)
        if (std::abs(v) < 1e-3) v *= 1.01;
    REQUIRE(gmres.factor(values).ok);
    CHECK(gmres.path().find("nodal, values not symmetric: GMRES(40)") == 0);
}

TEST_CASE("GMRES on the strong part: a memristor crossbar's programming transient, cell states as unknowns") {
    // V/2 programming of cell (2, 3) of a 10×10 RRAM crossbar with 1 Ω wires and 1 fF per line
    // node. Each cell's state is an unknown whose diagonal carries 1/h: measured against the
    // diagonals, its couplings to the cell's two nodes are weak, the strong part is the wires,
    // and the states follow within GMRES's few iterations.
    const int n = 10;
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> x0(0.03, 0.09);
    std::string t = "memristor crossbar\n.model mcell memristor (level=rram)\n";
    for (int i = 0; i < n; ++i) {
        t += i == 2 ? fmt::format("vrow{} rin{} 0 PULSE(0 0.75 0 1e-07 1e-07 9e-07 2e-06 1)\n", i, i)
                    : fmt::format("vrow{} rin{} 0 dc 0\n", i, i);
        t += fmt::format("rwr{}_0 rin{} r{}_0 1\n", i, i, i);
        for (int j = 1; j < n; ++j) t += fmt::format("rwr{}_{} r{}_{} r{}_{} 1\n", i, j, i, j - 1, i, j);
    }
    for (int j = 0; j < n; ++j) {
        for (int i = 1; i < n; ++i) t += fmt::format("rwc{}_{} c{}_{} c{}_{} 1\n", i, j, i - 1, j, i, j);
        t += fmt::format("rwc{}_{} c{}_{} cout{} 1\n", n, j, n - 1, j, j);
        t += j == 3 ? fmt::format("vcol{} cout{} 0 PULSE(0 -0.75 0 1e-07 1e-07 9e-07 2e-06 1)\n", j, j)
                    : fmt::format("vcol{} cout{} 0 dc 0\n", j, j);
    }
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            t += fmt::format("cr{0}_{1} r{0}_{1} 0 1f\ncc{0}_{1} c{0}_{1} 0 1f\nnx{0}_{1} r{0}_{1} c{0}_{1} mcell x0={2:.4f}\n",
                             i, j, x0(rng));
    const Run klu = run(t, ".options solver=klu\n.tran 1e-07 2e-06\n");
    const Run gmres = run(t, ".options solver=subgraph\n.tran 1e-07 2e-06\n");
    INFO(gmres.path);
    CHECK(gmres.path.find("nodal, values not symmetric: GMRES(40)") == 0);
    const auto& a = klu.result.plots.at(0);
    const auto& b = gmres.result.plots.at(0);
    REQUIRE(a.points() == b.points());
    CHECK(worst_difference(a, b) < 1e-9);
    // The programmed cell's state moved.
    const int s = a.find("x(nx2_3)");
    REQUIRE(s >= 0);
    CHECK(a.at(a.points() - 1, static_cast<std::size_t>(s)) > a.at(0, static_cast<std::size_t>(s)) * 1.01);
}
