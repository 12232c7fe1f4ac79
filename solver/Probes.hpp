#pragma once
// Output probes: how each vector of a plot is computed from a solution. `v(a)`, `v(a,b)`,
// `i(v1)`, `x(n1)`, a device's derived output such as `g(n1)`, or a bare node name; the set a
// plot holds (`.save`, or everything) plus what `.print` and `.meas` name.

#include <complex>
#include <string>
#include <utility>
#include <vector>

#include "parser/Boxed.hpp"
#include "parser/Netlist.hpp"
#include "solver/Circuit.hpp"
#include "solver/Plot.hpp"

namespace ionspice::solver {

/// How an output vector is computed from the solution: x[plus] − x[minus] (ground: 0), or one
/// of a device's derived outputs (g(n1)).
struct Probe {
    /// A device's quantity() read by name. When it is a terminal's current
    /// (Device::terminal_of): in a transient, the terminal's whole current from `circuit` at
    /// these rows — the terminal's own, or, for a grounded terminal, minus the sum of the
    /// others' (every other terminal off ground).
    struct Quantity {
        std::string name;
        const Circuit* circuit = nullptr;
        std::vector<int> terminal_rows;
        bool minus_others = false;
    };
    Variable var;
    int plus = models::kGround;
    int minus = models::kGround;
    const models::Device* device = nullptr;
    int output = 0;  ///< index into the device's output_quantities()
    /// Else, when set (boxed: a large array's plot has a probe per node, and none of them
    /// reads a quantity).
    parser::Boxed<Quantity> quantity;

    /// At x; `xdot` (a transient's time derivatives of the unknowns) for a device's charge
    /// currents, null at a DC point.
    double value(const std::vector<double>& x, const std::vector<double>* xdot = nullptr) const;
    /// Whether the value needs `xdot`: a device's quantity (its charges may carry current).
    bool uses_rates() const { return device && quantity; }
    /// Of a small-signal solution. Only for probes that are differences of unknowns: a device's
    /// derived outputs are not linearised (small_signal output_probes leave them out).
    std::complex<double> value(const std::vector<std::complex<double>>& x) const;
};

/// The vector a small-signal output names, through ngspice's vector functions: `vdb(out)` and
/// `db(v(out))` name v(out), `im(v1)` names i(v1); any other item names itself.
std::string small_signal_vector(const std::string& item);

/// Unknown of a node named on a card; throws a NetlistError at `loc` when there is none.
int node_or_throw(const Circuit& c, const std::string& node, const parser::SourceLoc& loc);

/// Resolves "v(a)", "v(a,b)", "i(v1)", "x(n1)", "g(n1)" or a bare node name.
Probe resolve_probe(const Circuit& c, const std::string& item, const parser::SourceLoc& loc);

/// Which plot the probes are for: a large-signal one (op, dc, tran) holds device states and
/// derived outputs; a small-signal one (ac) node voltages and branch currents, as ngspice's.
enum class ProbeSet { LargeSignal, SmallSignal };

/// The vectors every plot of this circuit holds: .save items, or by default every external
/// node voltage, branch current and device state (and device outputs); plus whatever .print
/// and .meas of `analysis` ask for; with `save_currents` (ngspice's `.options savecurrents`),
/// a large-signal plot also every device's current that it can give as `@name[id]` or
/// `@name[i]`.
std::vector<Probe> output_probes(const Circuit& c, const parser::Netlist& n, ProbeSet set = ProbeSet::LargeSignal,
                                 const std::string& analysis = "", bool save_currents = false);

/// Appends the probes' variables to the plot's (after its scale), in one allocation: a large
/// array's plot holds a variable per node.
void add_variables(Plot& plot, const std::vector<Probe>& probes);

/// Appends one point: `head` (the scale and other leading values), then every probe at x
/// (with the unknowns' time derivatives `xdot` in a transient).
void append_point(Plot& plot, const std::vector<double>& head, const std::vector<Probe>& probes,
                  const std::vector<double>& x, const std::vector<double>* xdot = nullptr);
/// The same for a complex plot: the scale (real) then every probe's complex value.
void append_point(Plot& plot, double scale, const std::vector<Probe>& probes,
                  const std::vector<std::complex<double>>& x);

/// `.nodeset` values as unknowns and values.
std::vector<std::pair<int, double>> nodeset_ties(const Circuit& c, const parser::Netlist& n);

}  // namespace ionspice::solver
