#pragma once
// Writers for results: ngspice's raw file (binary or ASCII), CSV, and text tables.

#include <ostream>
#include <string>
#include <vector>

#include "solver/Plot.hpp"

namespace ionspice::solver {

/// ngspice raw layout; several plots are concatenated in one file.
void write_raw(std::ostream& out, const std::vector<Plot>& plots, bool ascii);
/// One header row of variable names, then one row per point; full double precision.
void write_csv(std::ostream& out, const Plot& plot);
/// `name = value` lines for a one-point plot (.op), or a table with the given columns.
void print_table(std::ostream& out, const Plot& plot, const std::vector<int>& columns);

/// "Mon Nov 23 15:30:41  2026", as ngspice dates its plots.
std::string raw_date();

}  // namespace ionspice::solver
