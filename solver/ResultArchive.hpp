#pragma once
// A SimulationResult as bytes and back, so that processes sharing a `.step` run (MPI ranks) can
// hand their step points' results to the first one. The layout is this build's own (native
// doubles, little-endian counts): both ends are the same executable.

#include <string>
#include <string_view>

#include "solver/Simulator.hpp"

namespace ionspice::solver {

/// Appends `r` to `out`.
void pack(std::string& out, const SimulationResult& r);

/// Reads bytes written by pack, advancing `in` past them. Throws std::runtime_error when the
/// bytes end early or do not hold a result.
SimulationResult unpack(std::string_view& in);

/// The same for the simple values the step runner sends beside results.
void pack_count(std::string& out, std::uint64_t n);
std::uint64_t unpack_count(std::string_view& in);
void pack_text(std::string& out, std::string_view s);
std::string unpack_text(std::string_view& in);

}  // namespace ionspice::solver
