#pragma once
// Newton–Raphson on the assembled system with SPICE's convergence test: an iterate converges
// when every unknown's update is within reltol·max(|old|,|new|) + its absolute tolerance and no
// device limited a voltage in that iteration.

#include <string>
#include <vector>

#include "models/Device.hpp"
#include "solver/Circuit.hpp"
#include "solver/LinearSolver.hpp"
#include "solver/Options.hpp"

namespace ionspice::solver {

/// A system Newton can solve: fills J (on the circuit's pattern) and r = residual at ctx.x.
class Equations {
public:
    virtual ~Equations() = default;
    virtual void assemble(models::LoadContext& ctx, std::vector<double>& jacobian, std::vector<double>& residual) = 0;
    /// True when the system is linear in x: one Newton step lands on the solution.
    virtual bool linear() const { return false; }
};

struct NewtonSettings {
    int max_iterations = 100;
    bool init_junctions = false;  ///< first iteration starts junctions at their critical voltage
    models::LoadContext context;  ///< time, dc, source_scale, gmin; x is set by Newton
    /// Keep solving with the last factorisation although the matrix changed (a chord
    /// iteration), as long as each update shrinks at least a hundredfold, until the error it
    /// leaves (estimated from that rate, Newton.cpp) is 1e-7 of tolerance; factor the current
    /// matrix otherwise. For systems whose
    /// matrix changes little from solve to solve: a linear circuit's transient (its matrix
    /// changes only with the step size, so most steps need no factorisation at all), a kept
    /// circuit's operating point after one device changed. The converged point is the same:
    /// only the path differs.
    bool reuse_factorization = false;
};

enum class NewtonStatus { Converged, NotConverged, Singular, NonFinite };

struct NewtonResult {
    NewtonStatus status = NewtonStatus::NotConverged;
    int iterations = 0;
    int singular_col = -1;     ///< Singular: the unknown KLU could not pivot
    bool first_factor = false; ///< Singular: it happened on the first factorisation
    std::vector<int> worst;    ///< NotConverged/NonFinite: unknowns furthest from converging, worst first
    /// NonFinite: which device's equations became inf or NaN, and at which unknown, as text
    /// ("device 'b1' at v(b)"); empty when no single device did (the solve overflowed).
    std::string nonfinite;
};

/// Owns the KLU factorisation and work arrays for one pattern; reused across solves.
class Newton {
public:
    NewtonResult solve(const Circuit& circuit, const SimOptions& options, Equations& eq, std::vector<double>& x,
                       const NewtonSettings& settings);
    LinearSolver& linear() { return linear_; }
    long total_iterations() const { return iterations_; }

private:
    /// After a non-finite update: loads each nonlinear device alone at the iterate and names the
    /// first whose equations are not finite (a diagnosis, run only on that failure).
    std::string find_nonfinite(const Circuit& circuit, const models::LoadContext& ctx) const;

    LinearSolver linear_;
    std::vector<double> jacobian_, residual_, dx_, badness_;
    long iterations_ = 0;
};

/// Names of the unknowns in `idx`, with their values, for messages: "v(out) = 1.2, i(v1) = …".
std::string describe_unknowns(const Circuit& circuit, const std::vector<int>& idx, const std::vector<double>& x,
                              std::size_t most = 4);

}  // namespace ionspice::solver
