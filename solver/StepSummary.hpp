#pragma once
// The `.meas` results of a `.step` run as one table (a row per step point, failed points marked)
// and, for `.step mc`, each measurement's statistics over the runs.

#include <array>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "solver/Simulator.hpp"

namespace ionspice::solver {

/// CSV: a column per stepped variable, a column per `.meas` (in the order first met; empty where
/// that measurement failed), and `status` (`ok`, or `failed: why` for a point that did not run).
/// Without .step, one row and no step columns.
void write_measure_table(std::ostream& out, const SimulationResult& r);

/// One measurement's statistics over the Monte Carlo runs of one combination of the other
/// stepped variables (`group`).
struct MeasureStatistics {
    std::vector<std::pair<std::string, double>> group;
    std::string name;
    std::size_t values = 0;  ///< runs that gave a value
    std::size_t missing = 0;  ///< runs that failed, or whose measurement failed
    double mean = 0, sigma = 0, min = 0, max = 0;  ///< sigma: the sample's (n − 1); NaN below 2 values
    /// At kQuantiles, interpolated linearly between order statistics (numpy's default).
    std::array<double, 5> quantiles{};
};
inline constexpr std::array<double, 5> kQuantiles = {0.05, 0.25, 0.5, 0.75, 0.95};

/// Empty unless the run has a `.step mc`.
std::vector<MeasureStatistics> monte_carlo_statistics(const SimulationResult& r);

/// The statistics as a table for the terminal, headed by the number of runs.
void print_statistics(std::ostream& out, const std::vector<MeasureStatistics>& stats, std::size_t runs);
/// The same as CSV: the group's variables, then measure, values, missing, mean, sigma, min,
/// p5, p25, median, p75, p95, max.
void write_statistics_csv(std::ostream& out, const std::vector<MeasureStatistics>& stats);

}  // namespace ionspice::solver
