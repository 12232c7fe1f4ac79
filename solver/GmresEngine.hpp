#pragma once
// GMRES preconditioned by the LU factor of the strong part, for nodal matrices whose values are
// not symmetric: a 1T1R array's Jacobian, where each conducting selector adds its gm to one
// side of its drain–source block. The rest of such an array is a conductance network like a
// passive crossbar's, and the same strong part (strong_part(): the diagonal and the couplings
// that are not small beside their unknowns' diagonals) preconditions it: the wires, plus each
// cell's pendant middle node — a forest, which KLU factors without fill, where an LU of the
// whole array fills as a 2-D mesh does. Memristor and ECRAM crossbars in transient are the same
// case: a cell's state unknown, whose diagonal carries 1/h, couples weakly on that scale.
//
// Newton refactors every iteration: the strong part's LU is refactored in O(n) (analysed again
// only when the strong couplings change), and each solve is restarted GMRES(kRestart), right
// preconditioned, to a residual below strong_rules::kRelativeResidual of the right-hand side's
// (checked on the true residual, as SubgraphEngine does). Where the strong part would not pay
// (more than 90 % of the couplings kept, an LU that fills, a singular strong part) factor()
// says so, and where a solve converges too slowly (judged every 20 iterations against
// strong_rules::kMaxIterations) it throws
// SpdSolveFailed: the caller's KLU on the whole matrix takes over.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "solver/SubgraphEngine.hpp"

namespace ionspice::solver {

class GmresEngine {
public:
    static constexpr int kRestart = 40;

    GmresEngine();
    ~GmresEngine();
    GmresEngine(const GmresEngine&) = delete;
    GmresEngine& operator=(const GmresEngine&) = delete;

    /// The nodal matrix's pattern: its lower triangle (kept by reference until the next call).
    void analyze(const std::vector<std::int64_t>& col_ptr, const std::vector<std::int64_t>& row_idx);
    /// Prepares solves with the matrix whose entry (i, j), i ≥ j, is lower[k] and (j, i) is
    /// upper[k] for the k-th entry of the lower triangle. False, with why_not(), where the strong
    /// part would not pay or is singular.
    bool factor(const std::vector<double>& lower, const std::vector<double>& upper);
    /// Solves A·x = b (or Aᵀ·x = b) in place; throws SpdSolveFailed (b unchanged) when GMRES
    /// does not reach its criterion.
    void solve(double* b, bool transposed);
    /// For --stats.
    std::string describe() const;
    const std::string& why_not() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ionspice::solver
