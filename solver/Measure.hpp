#pragma once
// `.meas` evaluated on an analysis' result (ngspice's forms, parser::Measure): values at a point
// (FIND … AT), at a crossing (FIND … WHEN, WHEN), between two crossings (TRIG … TARG), and
// statistics over a window (AVG, MAX, MIN, PP, RMS, INTEG). Between points every vector is
// taken as linear in the scale (time, or the swept variable), as ngspice does.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "parser/Netlist.hpp"
#include "solver/Plot.hpp"

namespace ionspice::solver {

struct MeasureResult {
    std::size_t plot = 0;  ///< index into SimulationResult::plots
    std::string name;
    std::optional<double> value;  ///< empty when the measurement failed
    std::string failure;          ///< why, when it failed
};

/// Evaluates `m` on `plot` (whose variables hold every vector `m` names: see output_probes).
/// `earlier`: the measurements of the same plot before `m`, which a PARAM expression reads by
/// name.
MeasureResult evaluate_measure(const Plot& plot, const parser::Measure& m, std::span<const MeasureResult> earlier = {});
/// Every measurement of `measures` for the plot's analysis, in order (each PARAM reading those
/// before it), attributed to plot number `index`.
std::vector<MeasureResult> measure_plot(const Plot& plot, std::size_t index, const std::vector<parser::Measure>& measures);

/// "name = value" as ngspice prints it, or "name: failed (why)".
std::string format_measure(const MeasureResult& r);

}  // namespace ionspice::solver
