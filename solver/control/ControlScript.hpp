#pragma once
// ngspice's control language (`.control … .endc`), the subset README's table lists: variables
// (set, unset, $var, $&vec), vectors (let, unlet, print, wrdata, write, meas), analyses (op, dc,
// tran, ac, noise, tf, run), alter/altermod/reset, loops and conditions (foreach, repeat, while,
// dowhile, if/else, break, continue), echo, setplot, quit. A command ngspice has and ionspice
// does not run (plot, hardcopy, …) is a located warning and the script goes on; a command
// neither knows is a located error.
//
// As ngspice's batch mode: the script runs first, each analysis adding a plot (tran1, op1, …);
// then, unless the script quit, the netlist's own analyses run.

#include "parser/Netlist.hpp"
#include "solver/Simulator.hpp"

namespace ionspice::solver {

/// Runs the deck's .control script, then (unless it quits) the netlist's analyses. The result
/// holds every plot in the order made. Throws parser::NetlistError located in the script for its
/// mistakes, SimulationError for a circuit that cannot be solved.
SimulationResult run_control(const parser::Deck& deck, const SimulateSettings& settings);

/// Loops of a script stop after this many turns: a loop that never ends is an error.
inline constexpr long kMaxLoopTurns = 1000000;
/// And the turns of all the script's loops together (nested loops multiply).
inline constexpr long kMaxScriptTurns = 10000000;
/// Blocks (foreach, while, if, …) nest at most this deep.
inline constexpr int kMaxBlockNesting = 200;

}  // namespace ionspice::solver
