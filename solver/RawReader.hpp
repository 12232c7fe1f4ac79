#pragma once
// Reads raw files in the SPICE3 family's layouts, binary or ASCII, real or complex data, several
// plots per file:
// - ngspice's, as ngspice and ionspice write them: the batch mode's files (`ngspice -b -r`) and
//   the `write` command's (extra `Command:`/`Option:` header lines, variable attributes such as
//   `grid=3` or `dims=3`, `Flags: complex unpadded`);
// - LTspice's: the header in UTF-16LE (with or without a byte-order mark) or in UTF-8/ASCII,
//   its extra lines (`Offset:`, `Command:`, `Backannotation:`) and flags (`forward`, `log`,
//   `stepped`, `fastaccess`, `double`); binary real data with the scale as doubles and every
//   other variable as floats (all doubles with `double`), complex data as pairs of doubles,
//   point by point or, with `fastaccess`, variable by variable; times stored negative read as
//   their magnitude. A `stepped` plot becomes one plot per `.step` run;
// - Xyce's (`Xyce -r`, and `-a` for ASCII): Title and Date once for all plots, `.step` runs as
//   plots named "Step Analysis: Step 1 of 2 params: name = R1 value = 1000 Transient
//   Analysis", SPICE3's variable names ("OUT", "V1#branch").
// Variable names are read in lower case, SPICE3's `x#branch` as i(x) and, in a plot that has
// such currents, a bare node name as v(name), so that every layout's vectors are asked for by
// ngspice's names. Used by tests against ngspice's output and by tools that post-process
// results.

#include <string>
#include <string_view>
#include <vector>

#include "solver/Plot.hpp"

namespace ionspice::solver {

/// Every plot of the file, with its kind and (from its name) its analysis. A vector shorter
/// than the plot (`dims=` smaller than `No. Points:`) is padded with zeros, as ngspice writes
/// it padded. `step` holds a `.step` run's values where the file names them (ionspice's titles,
/// Xyce's plot names; LTspice keeps them in its .log file, not in the raw file). Throws
/// std::runtime_error naming the file and what is wrong with it: a truncated or garbled file
/// is an error, never a crash.
std::vector<Plot> read_raw(const std::string& path);

/// The analysis a plot name stands for: "Operating Point" (Xyce: "DC operating point") → "op",
/// "DC transfer characteristic" → "dc", "Transient Analysis" → "tran", "AC Analysis" → "ac",
/// "Noise Spectral Density Curves" (LTspice: "Noise Spectral Density - …"; Xyce: "Noise
/// Analysis") and "Integrated Noise" → "noise", "Transfer Function" → "tf" (case-insensitive,
/// after Xyce's "Step Analysis: …" prefix); empty for any other.
std::string analysis_of_plotname(const std::string& plotname);

/// Does a file that starts with `head` (its first bytes, 64 are enough) start as a raw file
/// does, with "Title:" (any case, after blank space) in ASCII/UTF-8 (a byte-order mark
/// allowed) or UTF-16LE? What a reader of both raw and CSV files can decide by.
bool looks_like_raw(std::string_view head);

}  // namespace ionspice::solver
