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
/// The same analysis of several `.step` points as one table: a leading column per stepped
/// variable, holding the step's value on each of its rows, then the plots' vectors; one header.
/// Throws std::runtime_error when the plots do not hold the same vectors.
void write_csv(std::ostream& out, const std::vector<const Plot*>& plots);
/// `name = value` lines for a one-point plot (.op), or a table with the given columns; a
/// stepped plot's table is headed by a `step: a=1 b=2` line.
void print_table(std::ostream& out, const Plot& plot, const std::vector<int>& columns);

/// "a=1 b=2": a step's values for people (12 significant digits).
std::string step_label(const std::vector<std::pair<std::string, double>>& step);
/// The raw `Title:` of a stepped plot: "title (step: a=1 b=2)"; the title itself without a step.
std::string stepped_title(const std::string& title, const std::vector<std::pair<std::string, double>>& step);
/// The step values `stepped_title` appended, read back (empty when the title has none).
std::vector<std::pair<std::string, double>> step_from_title(const std::string& title);

/// "Mon Nov 23 15:30:41  2026", as ngspice dates its plots.
std::string raw_date();

}  // namespace ionspice::solver
