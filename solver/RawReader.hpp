#pragma once
// Reads raw files in ngspice's layout (binary or ASCII, real data, several plots), as ngspice
// and ionspice write them. Used by tests against ngspice's output and by tools that
// post-process results.

#include <string>
#include <vector>

#include "solver/Plot.hpp"

namespace ionspice::solver {

/// Throws std::runtime_error naming the file and what is wrong with it.
std::vector<Plot> read_raw(const std::string& path);

}  // namespace ionspice::solver
