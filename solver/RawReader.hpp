#pragma once
// Reads raw files in ngspice's layout, as ngspice and ionspice write them: binary or ASCII, real
// or complex data, several plots per file; the batch mode's files (`ngspice -b -r`) and the
// `write` command's (extra `Command:`/`Option:` header lines, variable attributes such as
// `grid=3` or `dims=3`, `Flags: complex unpadded`). Used by tests against ngspice's output and
// by tools that post-process results.

#include <string>
#include <vector>

#include "solver/Plot.hpp"

namespace ionspice::solver {

/// Every plot of the file, with its kind and (from its name) its analysis. A vector shorter
/// than the plot (`dims=` smaller than `No. Points:`) is padded with zeros, as ngspice writes
/// it padded. Throws std::runtime_error naming the file and what is wrong with it: a truncated
/// or garbled file is an error, never a crash.
std::vector<Plot> read_raw(const std::string& path);

/// The analysis an ngspice plot name stands for: "Operating Point" → "op", "DC transfer
/// characteristic" → "dc", "Transient Analysis" → "tran", "AC Analysis" → "ac", "Noise Spectral
/// Density Curves" and "Integrated Noise" → "noise", "Transfer Function" → "tf"
/// (case-insensitive); empty for any other.
std::string analysis_of_plotname(const std::string& plotname);

}  // namespace ionspice::solver
