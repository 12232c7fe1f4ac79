#pragma once
// Sub-commands of the ionspice executable: `ionspice fit …`, `ionspice plot …`, `ionspice gen …`.
// Each takes the arguments after its own name (argv[0] is the sub-command) and returns the
// process exit status. tools/ionspice.cpp dispatches on the first argument.

namespace ionspice::tools {

int fit_main(int argc, char** argv);
int plot_main(int argc, char** argv);
int gen_main(int argc, char** argv);

}  // namespace ionspice::tools
