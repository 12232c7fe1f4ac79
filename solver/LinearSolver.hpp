#pragma once
// The linear-solver layer: the one interface through which Newton, the transient and the
// small-signal analyses factor and solve (analyse once per pattern, factor, refactor, solve;
// real and complex), and the choice of method by the matrix's structure:
//
//   - the nodal path, when the matrix has a nodal form (NodalReduction: the voltage sources
//     are grounded, the rest is symmetric) and it is positive definite: CHOLMOD's supernodal
//     Cholesky (CholmodEngine); for matrices factored once from 20 000 nodal unknowns, conjugate
//     gradients preconditioned by the strong part's Cholesky (SubgraphEngine), which gives way
//     where it would not pay to CHOLMOD or, for the largest, to conjugate gradients with
//     hypre's BoomerAMG (AmgEngine);
//   - the nodal path with values that are not symmetric (a 1T1R array's conducting selectors,
//     whose gm enters one side of their drain–source block): GMRES preconditioned by the LU of
//     the strong part (GmresEngine), from the same size as SubgraphEngine;
//   - KLU (KluSolver) for everything else: floating sources, controlled sources and
//     transistors whose gate is not a fixed node (an unsymmetric pattern), unsymmetric values
//     below that size or where GMRES gave way, inductor currents, a matrix that turned out not
//     positive definite, and every complex (small-signal) matrix.
//
// Nothing is asked of the user: the structure is detected per pattern (once) and checked per
// factorisation (symmetry: a cheap pass over the values; definiteness: by the Cholesky itself).
// When the nodal path is refused for a pattern, KLU takes over for the rest of that pattern's
// life, and `path()` says why. `.options solver=klu|cholmod|subgraph|amg` forces a method (where the
// structure allows it) for comparisons.

#include <complex>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "solver/KluSolver.hpp"
#include "solver/Options.hpp"
#include "solver/SpdEngine.hpp"

namespace ionspice::solver {

class LinearSolver {
public:
    LinearSolver();
    ~LinearSolver();
    LinearSolver(const LinearSolver&) = delete;
    LinearSolver& operator=(const LinearSolver&) = delete;

    /// The method asked for (default Auto); takes effect at the next pattern.
    void choose(SolverChoice choice) { choice_ = choice; }
    /// Threads a large Cholesky factorisation may give the BLAS (0: all cores or
    /// OPENBLAS_NUM_THREADS); everything else runs on the calling thread.
    void set_threads(int threads) { threads_ = threads; }

    /// A pattern (compressed columns, rows sorted); nothing is redone when it equals the last.
    /// `usage` says how its matrices will be used (more factorisations pay for costlier
    /// orderings and rule out the iterative path; many solves per factorisation favour factors
    /// that solve fast). `complex_values`: complex factorisations will follow (KLU's ordering
    /// weighs them).
    void analyze(int n, const std::vector<int>& col_ptr, const std::vector<int>& row_idx, Usage usage = Usage::Once,
                 bool complex_values = false);

    FactorResult factor(const std::vector<double>& values);
    void solve(std::vector<double>& b);
    void solve_transposed(std::vector<double>& b);
    /// Forgets every numeric factorisation (the next factor() is a full one).
    void invalidate();
    /// Forgets everything but the pattern's analyses, which are kept for the next use only
    /// where a new solver would make the same: from here on the results are those of a new
    /// LinearSolver, bit for bit (a refactorisation reuses earlier pivots, a usage once seen
    /// changes the ordering), at the cost of none of the analyses that can be kept. Each
    /// `.step` point starts with it, so a point's results do not depend on which points its
    /// thread or process ran before.
    void restart();
    bool has_factorization() const;
    /// The values are exactly those of the current factorisation.
    bool factored_values_equal(const std::vector<double>& values) const;
    /// Makes a kept factorisation of exactly these values the current one; false if none.
    bool select_kept(const std::vector<double>& values);
    /// How many real factorisations to keep (FactorCache), within `max_bytes`.
    void keep(int count, std::size_t max_bytes = std::size_t(512) << 20);

    /// Complex systems (G + jωC): always KLU, on the same pattern.
    FactorResult factor(const std::vector<std::complex<double>>& values);
    void solve(std::vector<std::complex<double>>& b);
    void solve_transposed(std::vector<std::complex<double>>& b);
    bool has_complex_factorization() const;

    /// Which method solved the last real system, for --stats ("klu, amd ordering", "nodal:
    /// cholmod supernodal, metis ordering; 512 grounded sources eliminated"), with the reason
    /// the nodal form was refused, if it was.
    std::string path() const;
    /// The current real factorisation is the nodal one (tests).
    bool nodal() const { return current_ == Path::Nodal; }

    /// What it has done so far (real and complex, every engine).
    struct Counts {
        long analyses = 0, factors = 0, refactors = 0, solves = 0;
    };
    Counts counts() const;

private:
    /// Empty: a zero-by-zero system (a netlist without elements, which ngspice runs too).
    /// Gmres: the nodal path with values that are not symmetric (GmresEngine).
    enum class Path { None, Klu, Nodal, Gmres, Empty };
    /// KLU analysed for the current pattern (lazily: the nodal path never needs it).
    KluSolver& klu();
    /// Gives up the nodal path for this pattern.
    /// `by_values`: refused for this matrix's values (not symmetric, not positive definite),
    /// which a restart() forgets, not for the pattern's structure.
    void refuse(std::string why, bool by_values = false);
    /// The nodal path of the analysed pattern, or why there is none (refused_).
    void find_nodal();
    /// Prepares GMRES on the strong part for these values (not symmetric); false where it is
    /// not tried (below its size, or another solver asked for) or would not pay.
    bool factor_unsymmetric(const std::vector<double>& values);
    void solve(std::vector<double>& b, bool transposed);
    /// Another engine for the nodal path of this pattern, factoring the current values; `why`
    /// goes into path().
    void replace_engine(std::unique_ptr<SpdEngine> engine, std::string why);
    /// KLU factors these values, the GMRES path having handed them over for `why`.
    void factor_by_klu(const std::vector<double>& values, const std::string& why);

    SolverChoice choice_ = SolverChoice::Auto;
    int threads_ = 0;
    int n_ = 0;
    std::vector<int> col_ptr_, row_idx_;
    Usage usage_ = Usage::Once;
    bool complex_ = false, klu_analysed_ = false;
    bool restarted_ = false;       ///< restart(): the next analyze() sets the usage afresh
    bool refused_by_values_ = false;
    KluSolver klu_;

    struct Nodal;
    std::unique_ptr<Nodal> nodal_;  ///< the nodal path of this pattern, or null
    std::string refused_;           ///< why the nodal path is not taken, if it was refused
    std::string note_;              ///< what else happened on the way (an iterative solve that failed)
    Path current_ = Path::None;
    long factors_ = 0, solves_ = 0, analyses_ = 0;
};

}  // namespace ionspice::solver
