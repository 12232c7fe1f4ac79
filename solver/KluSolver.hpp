#pragma once
// Sparse LU of real or complex matrices through SuiteSparse KLU: analyse once per pattern,
// factor the first time, refactor (same pivots) afterwards, factor afresh when a refactor is
// unstable, and skip the factorisation when the matrix has not changed since the last one.
// Optionally a few recent real factorisations are kept: a transient of a linear circuit meets
// the same few matrices again and again (one per step size), and each then needs factoring
// only once.
//
// One analysis serves both value types: the pattern of an AC or noise matrix (G + jωC) is that
// of the DC Jacobian, so the ordering, METIS included, is paid for once and a real and a
// complex factorisation of it can live side by side (an operating point, then a sweep). The
// complex side keeps a single factorisation: a frequency sweep never meets a matrix twice.
//
// Ordering: KLU's AMD, but for a large matrix that will be factored more than once (Newton on
// a nonlinear circuit, a transient) METIS nested dissection: it costs about as much as one
// factorisation to compute, and on crossbars (grid graphs) it has a third less fill than AMD,
// so every later factorisation is 2–3 times faster. A very large matrix (a 512² crossbar) is
// ordered by METIS even for one factorisation: there the first one already repays it.

#include <complex>
#include <cstddef>
#include <vector>

namespace ionspice::solver {

struct FactorResult {
    bool ok = true;
    int singular_col = -1;   ///< unknown whose column is singular, when !ok
    bool factored = false;   ///< a (re)factorisation happened (false: values were unchanged)
};

class KluSolver {
public:
    KluSolver();
    ~KluSolver();
    KluSolver(const KluSolver&) = delete;
    KluSolver& operator=(const KluSolver&) = delete;

    /// Symbolic analysis; skipped when the pattern equals the last one analysed. `repeated`:
    /// the matrix will be factored more than once, which pays for a costlier ordering.
    /// `complex_values`: those factorisations will be complex (four times the flops).
    void analyze(int n, const std::vector<int>& col_ptr, const std::vector<int>& row_idx, bool repeated = false,
                 bool complex_values = false);
    /// The fill-reducing ordering of the current analysis: "amd" or "metis".
    const char* ordering() const;
    /// The analysed pattern's L and U entries as AMD's ordering would leave them (KLU's
    /// estimate, before pivoting; an upper bound where METIS's ordering was kept).
    double estimated_entries() const;
    /// Numeric factorisation of values laid out on the analysed pattern.
    FactorResult factor(const std::vector<double>& values);
    /// Solves A·x = b in place with the last factorisation.
    void solve(std::vector<double>& b);
    /// Solves Aᵀ·x = b in place with the last factorisation.
    void solve_transposed(std::vector<double>& b);
    /// Forgets the numeric factorisations, real and complex (the next factor() is a full one).
    void invalidate();
    /// invalidate(), and the next analyze() of this pattern behaves as a new solver's would:
    /// the analysis is kept only when it is the one a new solver would make for that call
    /// (the same pattern and needs), so that what follows does not depend on what came before.
    void restart();
    /// A factorisation is available for solve().
    bool has_factorization() const;
    /// The values are exactly those last factored.
    bool factored_values_equal(const std::vector<double>& values) const;
    /// Makes a kept factorisation of exactly these values the current one; false if none.
    bool select_kept(const std::vector<double>& values);
    /// How many factorisations to keep (1: only the current one). Kept factorisations are
    /// dropped, oldest first, while they would take more than `max_bytes` together.
    void keep(int count, std::size_t max_bytes = std::size_t(512) << 20);

    /// Complex counterparts, on the same analysis and independent of the real factorisation
    /// (invalidate() and a new pattern drop both). Refactors with the pivots of the last
    /// complex factorisation while they stay stable.
    FactorResult factor(const std::vector<std::complex<double>>& values);
    void solve(std::vector<std::complex<double>>& b);
    /// Aᵀ·x = b, the plain transpose (not the conjugate one): the adjoint system of a noise
    /// analysis is Jᵀ·y = e_out.
    void solve_transposed(std::vector<std::complex<double>>& b);
    bool has_complex_factorization() const;

    /// Real and complex operations together.
    long analysis_count() const { return analyses_; }
    long factor_count() const { return factors_; }
    long refactor_count() const { return refactors_; }
    long solve_count() const { return solves_; }

private:
    struct Impl;
    Impl* impl_;
    long analyses_ = 0, factors_ = 0, refactors_ = 0, solves_ = 0;
};

}  // namespace ionspice::solver
