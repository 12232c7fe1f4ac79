#pragma once
// Conjugate gradients preconditioned by the Cholesky factor of the matrix's strong part (a
// subgraph preconditioner, after Vaidya): for a nodal matrix factored once whose couplings
// span orders of magnitude, as a crossbar's do (wire segments of 1 Ω beside cells of 20–1000 kΩ).
//
// The strong part M keeps A's diagonal and each coupling a_ij with |a_ij| ≥ kStrength·√(|a_ii|·
// |a_jj|) — measured against the two unknowns' own diagonals, as in D^-½·A·D^-½, so that the
// rule does not depend on the units of an unknown (a memory cell's state beside its node
// voltages); the weak ones are dropped (strong_rules holds the rules' numbers). Where the
// dropped couplings are small beside the diagonals, M⁻¹A stays near the identity.
// On a crossbar M is the row and column wires, chains without fill: its factor costs O(n), and
// since the dropped cells are weak next to the wires, M⁻¹A's eigenvalues stay in a narrow band
// (bench/README.md, "Subgraph preconditioner"), so CG needs a few tens of iterations, each a
// product with A and two triangular solves with M's factor — against a Cholesky of A whose fill
// grows as n·log n on a mesh.
//
// It gives way to another engine on A itself (the one the caller names: CHOLMOD's Cholesky, or
// AMG for the largest matrices) where it would not pay: when the strong part keeps nearly every
// coupling, when its factor would not be much sparser than A's, or when M is not positive
// definite. Convergence criterion as AmgEngine's: the residual's 2-norm below kRelativeResidual
// of the right-hand side's (and the true residual checked); a solve whose iterations would pass
// kMaxIterations (judged every 20 from the rate of the last 20) is reported as failed, and the
// caller's next engine takes over.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "solver/SpdEngine.hpp"

namespace ionspice::solver {

/// The rules both strong-part engines follow (SubgraphEngine for symmetric values, GmresEngine
/// for unsymmetric ones).
namespace strong_rules {
/// A coupling is strong when it is at least this fraction of the geometric mean of its two
/// unknowns' diagonals. Measured (bench/README.md, "Subgraph preconditioner"): 0.01 dropped the
/// pendant middle nodes of a 1T1R array's unselected cells (3.2e-3 on this scale) and took a
/// floating-line read from 12 GMRES iterations a Newton step to 20; a crossbar's cells are at
/// 1e-5, its wires at 0.5.
inline constexpr double kStrength = 0.003;
/// The strong part keeps at most this fraction of the couplings: above it M is nearly A, and a
/// factorisation of A costs no more than M's and answers in one step.
inline constexpr double kMaxKeptFraction = 0.9;
/// M's factor may hold at most this many times M's own entries: the preconditioner pays
/// because M factors (nearly) without fill; a strong part that fills like a mesh does not.
inline constexpr double kMaxFill = 4.0;
/// The iteration stops at this residual, relative to the right-hand side's.
inline constexpr double kRelativeResidual = 1e-13;
/// A solve whose rate says it would need more iterations than this fails.
inline constexpr int kMaxIterations = 300;
/// Iterations between judgements of the convergence rate (over the last stretch of as many).
inline constexpr int kJudgeEvery = 20;
/// How far the true residual may lie above the goal the recurred one met, and above the
/// rounding ε·‖|A|·|x|‖ of computing it.
inline constexpr double kTrueResidualSlack = 10;
inline constexpr double kRoundingSlack = 100;
}  // namespace strong_rules

/// The strong part of a nodal matrix given by its lower triangle (compressed columns, rows
/// sorted): per entry, whether it is kept — the diagonal, and each coupling whose magnitude
/// (with `upper`, the mirrored entries a_ji of unsymmetric values, the larger of the two) is at
/// least `strength` times √(|a_ii|·|a_jj|), and every coupling of an unknown without a diagonal.
/// Counts the couplings (entries off the diagonal) and those kept.
std::vector<char> strong_part(const std::vector<std::int64_t>& col_ptr, const std::vector<std::int64_t>& row_idx,
                              const std::vector<double>& lower, const std::vector<double>* upper, double strength,
                              long& couplings, long& kept);

/// y = A·x for the nodal matrix given by its lower triangle, as strong_part() takes it (`upper`:
/// the mirrored entries, null when symmetric); with `absolute`, y = |A|·|x| (the scale of the
/// rounding in a computed A·x).
void multiply_nodal(const std::vector<std::int64_t>& col_ptr, const std::vector<std::int64_t>& row_idx,
                    const std::vector<double>& lower, const std::vector<double>* upper, const double* x, double* y,
                    bool absolute = false);

/// The convergence rules' checks, shared by both engines' iterations.
/// Whether an iteration now at `residual` after `total` steps, having fallen from `window` over
/// the last kJudgeEvery of them, has stalled or would pass kMaxIterations before `goal`.
bool converging_too_slowly(int total, double residual, double window, double goal);
/// r = b − A·x for the nodal matrix as multiply_nodal takes it (`scratch`: a work vector of its
/// size), ‖r‖ into `norm`, and whether that true residual is within kTrueResidualSlack of `goal`
/// or within the rounding of computing it (kRoundingSlack·ε·‖|A|·|x|‖, above the goal when x is
/// large beside b).
bool true_residual_accepted(const std::vector<std::int64_t>& col_ptr, const std::vector<std::int64_t>& row_idx,
                            const std::vector<double>& lower, const std::vector<double>* upper, const double* b,
                            const double* x, double* r, double* scratch, double goal, double& norm);

class SubgraphEngine final : public SpdEngine {
public:
    /// `other`: makes the engine that solves A where the strong part does not pay.
    explicit SubgraphEngine(std::function<std::unique_ptr<SpdEngine>()> other);
    ~SubgraphEngine() override;
    SubgraphEngine(const SubgraphEngine&) = delete;
    SubgraphEngine& operator=(const SubgraphEngine&) = delete;

    void analyze(const std::vector<std::int64_t>& col_ptr, const std::vector<std::int64_t>& row_idx, Usage usage,
                 int threads) override;
    std::unique_ptr<SpdFactor> factor(const std::vector<double>& lower, std::unique_ptr<SpdFactor> reuse) override;
    std::string describe() const override;
    /// True until it has given way to the other engine.
    bool iterative() const override;
    /// The other engine, which takes over when a solve fails.
    std::unique_ptr<SpdEngine> successor() const override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ionspice::solver
