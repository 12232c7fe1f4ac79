#pragma once
// The values a sweep takes: `.dc` and `.step` variables (lin, dec, oct, list) and the
// frequencies of `.ac` and `.noise`. The elaborator has checked the arguments (located errors);
// here they are only generated.

#include <vector>

#include "parser/Netlist.hpp"

namespace ionspice::solver {

/// The values of a sweep, in order.
std::vector<double> sweep_values(const parser::SweepSpec& s);

/// How ngspice spaces a decade sweep: `.ac` with a whole number of steps over the range, so
/// that it ends at fstop; `.noise` with exactly N per decade from fstart.
enum class FrequencyGrid { EndsAtStop, PerDecade };

/// The frequencies of `dec|oct|lin N fstart fstop`, as ngspice steps them: dec and oct
/// multiply from fstart while not past fstop (with a relative margin for rounding); lin takes
/// N points from fstart to fstop inclusive.
std::vector<double> frequency_points(const parser::FrequencySweep& f, FrequencyGrid grid);

}  // namespace ionspice::solver
