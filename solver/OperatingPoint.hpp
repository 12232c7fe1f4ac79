#pragma once
// The DC operating point: plain Newton first; when that fails, gmin stepping (a shunt from
// every node to ground, lowered decade by decade), then source stepping (all independent
// sources ramped from zero), then pseudo-transient continuation (a capacitance from every node
// to its previous pseudo-time value, the step growing as it succeeds). Used by .op, by each .dc point that does not converge directly,
// and as the start of a transient.

#include <string>
#include <utility>
#include <vector>

#include "solver/Circuit.hpp"
#include "solver/Newton.hpp"
#include "solver/Options.hpp"

namespace ionspice::solver {

struct OpSettings {
    bool cold_start = true;  ///< x holds no previous solution: junctions start at vcrit
    int max_iterations = 100;
    /// > 0: x is the solution of a nearby point (the previous point of a sweep). A plain Newton
    /// solve of at most this many iterations (itl2) comes first; the whole procedure, from x
    /// again, only when it fails.
    int continuation_iterations = 0;
    /// With continuation: that first solve starts with the last factorisation (a chord
    /// iteration while it contracts fast), for a nearby point whose matrix changed little.
    bool reuse_factorization = false;
    double time = 0;
    /// A transient's initial operating point (LoadContext::transient_start).
    bool transient_start = false;
    /// .nodeset values: held through a conductance for a first solve, then released.
    std::vector<std::pair<int, double>> nodesets;
    /// .ic values of a transient's operating point: held through every solve.
    std::vector<std::pair<int, double>> holds;
    /// Where the point is (for messages): "the operating point", "v1 = 1.2", ...
    std::string where = "the operating point";
};

struct OpReport {
    std::string method;  ///< "newton", "gmin stepping", "source stepping" or "pseudo-transient"
    int iterations = 0;
};

/// Solves f(x) = 0 starting from x. Throws SimulationError naming the floating node or the
/// unknowns that did not converge.
OpReport solve_operating_point(const Circuit& circuit, const SimOptions& options, Newton& newton,
                               std::vector<double>& x, const OpSettings& settings);

/// Throws the SimulationError for a singular matrix at `col`.
[[noreturn]] void throw_singular(const Circuit& circuit, int col, const std::string& where);

}  // namespace ionspice::solver
