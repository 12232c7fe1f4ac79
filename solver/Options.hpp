#pragma once
// Simulator options from `.options`, with SPICE's names and defaults.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parser/Netlist.hpp"

namespace ionspice::solver {

enum class IntegrationMethod { Trapezoidal, Gear, Euler };

/// The linear solver (solver/LinearSolver.hpp): chosen by the matrix's structure, or forced.
enum class SolverChoice { Auto, Klu, Cholmod, Amg, Subgraph };

/// An option that is on, off, or decided by the circuit.
enum class Toggle { Auto, On, Off };

struct SimOptions {
    double reltol = 1e-3;   ///< relative tolerance of Newton updates and truncation error
    double abstol = 1e-12;  ///< A, absolute current tolerance
    double vntol = 1e-6;    ///< V, absolute voltage tolerance
    double chgtol = 1e-14;  ///< C, absolute charge tolerance
    double stol = 1e-9;     ///< absolute tolerance of device state variables (dimensionless)
    double trtol = 7;       ///< truncation-error overestimate factor
    /// ngspice's newtrunc: the truncation error of the integrated unknowns themselves (node
    /// voltages with capacitance, inductor currents) limits the step too (solver/Transient.cpp).
    /// Auto: where a device integrates a charge along the path (Device::charge_along_path).
    Toggle newtrunc = Toggle::Auto;
    double ltereltol = 0;   ///< its relative tolerance (0: reltol's)
    double lteabstol = 0;   ///< V, its absolute voltage tolerance (0: vntol's; currents: abstol)
    double gmin = 1e-12;    ///< S, conductance across junctions
    double gshunt = 0;      ///< S, conductance from every node to ground (0: none)
    double rshunt = 0;      ///< Ω, ngspice's resistor from every node to ground (0: none)
    /// The conductance from every node to ground that gshunt and rshunt add up to, in every
    /// analysis (Circuit stamps it with the linear devices).
    double shunt() const { return gshunt + (rshunt > 0 ? 1 / rshunt : 0); }
    int itl1 = 100;         ///< DC Newton iteration limit
    int itl2 = 50;          ///< DC sweep point iteration limit
    int itl4 = 10;          ///< transient point iteration limit
    int gmin_steps = 10;    ///< ngspice gminsteps: decades of gmin stepping (0: no gmin stepping)
    int src_steps = 10;     ///< ngspice srcsteps (0: no source stepping)
    bool no_op_iter = false;  ///< ngspice noopiter: the operating point skips its plain Newton solve
    double temp = 27;       ///< °C
    double tnom = 27;       ///< °C
    IntegrationMethod method = IntegrationMethod::Trapezoidal;
    int maxord = 2;
    SolverChoice solver = SolverChoice::Auto;  ///< `.options solver=auto|klu|cholmod|subgraph|amg`
    bool save_currents = false;  ///< ngspice's savecurrents: every device's current in the plots
    std::uint64_t seed = 1;
    /// The device-to-device draws' seed; unset: `seed`. Fixing it keeps one "chip" while `seed`
    /// gives each run fresh cycle-to-cycle noise (a study chained over several netlists).
    std::optional<std::uint64_t> device_seed;
    /// Options ngspice knows that change nothing here (klu, post, …), as written: accepted, and
    /// each the subject of a warning (ignored_option_warnings).
    std::vector<parser::Option> ignored;
    /// Located warnings about options taken only in part (`solver=amg` in a build without hypre)
    /// or not at all (a name no option has, written in the netlist).
    std::vector<std::string> partly;
};

/// Reads the netlist's .options. An unknown name is a warning when the netlist wrote it, an
/// error at its location when the caller gave it (parser::Option::from_caller).
SimOptions read_options(const parser::Netlist& netlist);

/// One located warning (`file:line:col: warning: …`, the line, a caret) per ignored option.
std::vector<std::string> ignored_option_warnings(const SimOptions& options);

}  // namespace ionspice::solver
