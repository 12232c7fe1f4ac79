#pragma once
// What solves a symmetric positive definite system for the linear-solver layer (LinearSolver):
// the nodal matrix of a conductance network (NodalReduction), given as its lower triangle in
// compressed columns. Three engines: CHOLMOD's supernodal Cholesky (CholmodEngine), conjugate
// gradients preconditioned by the Cholesky factor of the matrix's strong part (SubgraphEngine),
// and conjugate gradients preconditioned by hypre's BoomerAMG (AmgEngine).

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ionspice::solver {

/// How a pattern's matrices will be used: factored once (a linear circuit's .op or .dc), again
/// and again with a solve each (Newton on a nonlinear circuit), or a few times with many solves
/// each (a linear circuit's transient, one factorisation per step size).
enum class Usage { Once, Newton, ManySolves };

/// An iterative engine's solve that did not reach its convergence criterion.
class SpdSolveFailed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One numeric factorisation (or preconditioner) of an SPD matrix.
class SpdFactor {
public:
    virtual ~SpdFactor() = default;
    /// Solves A·x = b in place (b has the matrix's size); throws SpdSolveFailed when an
    /// iterative solve does not converge (b is then unchanged).
    virtual void solve(double* b) = 0;
    /// Memory it holds, bytes.
    virtual std::size_t bytes() const = 0;
};

class SpdEngine {
public:
    virtual ~SpdEngine() = default;
    /// Symbolic work for a pattern (the lower triangle, rows sorted; arrays kept by reference
    /// until the next analyze), for matrices used as `usage` says; `threads` as
    /// LinearSolver::set_threads.
    virtual void analyze(const std::vector<std::int64_t>& col_ptr, const std::vector<std::int64_t>& row_idx,
                         Usage usage, int threads) = 0;
    /// A factorisation of `lower` (values on the analysed pattern), reusing `reuse`'s memory
    /// when given; null when the matrix is not positive definite (or the engine fails on it).
    virtual std::unique_ptr<SpdFactor> factor(const std::vector<double>& lower, std::unique_ptr<SpdFactor> reuse) = 0;
    /// For --stats: "cholmod supernodal, metis ordering".
    virtual std::string describe() const = 0;
    /// Its solves iterate (each costs a good part of a direct factorisation's setup), so a
    /// matrix solved many times is better factored directly.
    virtual bool iterative() const { return false; }
    /// The engine that takes over when one of its solves fails (SpdSolveFailed); null: CHOLMOD.
    virtual std::unique_ptr<SpdEngine> successor() const { return nullptr; }
};

/// Refuses, with the sizes, a factorisation that cannot fit in this machine's physical memory
/// (rather than leaving it to the kernel's out-of-memory killer). `what`: "LU factors".
void check_factor_memory(double bytes, double entries, int n, const char* what);

}  // namespace ionspice::solver
