#pragma once
// `ionspice gen` as a function, for callers other than the command line (the Python module):
// the same options, the same checks, the same text, with tables in place of the CSV files the
// command line names.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ionspice::tools {

/// Values given directly instead of read from the files --g csv:, --program map:, --inputs and
/// --input-samples name (the matching option must then be absent).
struct GenTables {
    std::optional<std::vector<double>> g;        ///< S, rows×cols, row-major
    std::optional<std::vector<double>> program;  ///< signed amounts in pulses, rows×cols, row-major
    std::optional<std::vector<double>> inputs;   ///< V, one per row
    std::optional<std::vector<std::vector<double>>> samples;  ///< V, one vector per sample
};

/// A mistake in the options or tables, with the message `ionspice gen` prints for it.
class GenUsageError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// The netlist `ionspice gen ARGS` writes; `args` are the words after "gen" (type first).
/// Throws GenUsageError.
std::string gen_netlist(const std::vector<std::string>& args, const GenTables& tables = {});

}  // namespace ionspice::tools
