#pragma once
// Results are written to a temporary file beside the target and renamed over it only when
// complete, so an earlier result is never left half overwritten.

#include <functional>
#include <ostream>
#include <string>

namespace ionspice::solver {

/// Calls `write` with a stream on a temporary file, then renames it to `path`.
/// Throws std::runtime_error (naming the path) when the file cannot be written. A SIGINT,
/// SIGTERM or SIGHUP meanwhile removes the temporary file before the process dies of it (when
/// the signal was at its default action), so an interrupted run leaves only earlier results.
void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace ionspice::solver
