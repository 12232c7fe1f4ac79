#pragma once
// Conjugate gradients preconditioned by hypre's BoomerAMG (algebraic multigrid) for the largest
// SPD systems: a resistor mesh is solved in O(n) work and memory, where a Cholesky factor grows
// as n·log n in memory and n^1.5 in work. Used only for matrices factored once (a linear
// circuit's .op or .dc): each factor() builds the multigrid hierarchy anew.
//
// Convergence criterion: PCG stops when the residual's 2-norm is below kRelativeResidual of
// the right-hand side's. On the crossbars measured in bench/README.md that leaves the answer
// within 1e-10 (relative to the largest node voltage) of CHOLMOD's; the tests compare the two.
// A solve that does not reach it within kMaxIterations is reported as failed, and the caller
// falls back to the direct path.
//
// hypre is built on MPI: the process initialises MPI on first use (a singleton, MPI_COMM_SELF)
// unless it already runs under MPI; hypre's calls are serialised across threads.

#include <memory>

#include "solver/SpdEngine.hpp"

namespace ionspice::solver {

class AmgEngine final : public SpdEngine {
public:
    static constexpr double kRelativeResidual = 1e-13;
    static constexpr int kMaxIterations = 500;

    AmgEngine();
    ~AmgEngine() override;
    AmgEngine(const AmgEngine&) = delete;
    AmgEngine& operator=(const AmgEngine&) = delete;

    void analyze(const std::vector<std::int64_t>& col_ptr, const std::vector<std::int64_t>& row_idx, Usage usage,
                 int threads) override;
    std::unique_ptr<SpdFactor> factor(const std::vector<double>& lower, std::unique_ptr<SpdFactor> reuse) override;
    std::string describe() const override;
    bool iterative() const override { return true; }

    /// Whether this build has hypre (else factor() always fails and the direct path runs).
    static bool available();

    /// One system across MPI ranks (`ionspice --distributed` under mpirun): from here on every
    /// AMG solve of this process is one distributed solve over MPI_COMM_WORLD, each rank
    /// owning a contiguous block of the nodal unknowns (rows of an array, as a netlist numbers
    /// its nodes) in hypre's matrix, hierarchy and vectors; the solution is gathered on every
    /// rank. Every rank must then make the same calls in the same order: each runs the same
    /// deterministic analysis of the same netlist, and the gathered solution keeps them in step.
    /// `threads`: hypre's OpenMP threads in this rank (0: leave them). Returns false (and
    /// changes nothing) without hypre or outside a multi-rank MPI run.
    static bool share_over_ranks(int threads);
    /// Distributed solves so far in this process (what the command line reports).
    static long distributed_solves();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ionspice::solver
