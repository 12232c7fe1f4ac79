#pragma once
// Sub-commands of the ionspice executable: `ionspice fit …`, `ionspice plot …`, `ionspice gen …`.
// Each takes the arguments after its own name (argv[0] is the sub-command) and returns the
// process exit status. tools/ionspice.cpp dispatches on the first argument.

#include <optional>

namespace CLI {
class App;
}

namespace ionspice::tools {

/// Parses a sub-command's options. On a usage error prints "<prefix>error: … (try --help)";
/// returns the exit status to stop with (2, or 0 after --help), or nothing to carry on.
std::optional<int> parse_options(CLI::App& app, int argc, char** argv, const char* prefix);

int fit_main(int argc, char** argv);
int plot_main(int argc, char** argv);
int gen_main(int argc, char** argv);

}  // namespace ionspice::tools
