#pragma once
// Transient analysis: the DAE f(x,t) + dq(x)/dt = 0 integrated with an adaptive step from a
// local-truncation-error estimate on every row that has a charge (capacitor charge, inductor
// flux, junction charge, device state), never stepping over a breakpoint, order 1 just after
// one. A Newton failure cuts the step by 8.

#include <deque>
#include <functional>
#include <iosfwd>
#include <utility>
#include <vector>

#include "solver/Circuit.hpp"
#include "solver/DeviceHistory.hpp"
#include "solver/Integrator.hpp"
#include "solver/Newton.hpp"
#include "solver/Options.hpp"

namespace ionspice::solver {

struct TranSettings {
    double tstep = 0, tstop = 0, tstart = 0;
    double tmax = 0;  ///< 0: min(tstep, (tstop − tstart)/50), as ngspice
    bool uic = false;
    std::vector<std::pair<int, double>> ics;       ///< .ic: node unknown and value
    std::vector<std::pair<int, double>> nodesets;  ///< .nodeset for the operating point
    std::ostream* progress = nullptr;              ///< a terminal for the progress line, or null
    /// Give on_point the unknowns' time derivatives (for charge currents such as i(c1)): one
    /// more vector operation per step, so only when an output needs them.
    bool want_rates = false;
    /// > 0: the run stops at this time, an accepted point (a breakpoint), and leaves what it
    /// needs to go on in the TranPause it was given (ngspice's `stop when time = t`).
    double stop_at = 0;
};

/// A transient stopped at TranSettings::stop_at, to be resumed (ngspice's `resume`): the
/// integrator's history, the last solutions and step, and the devices' history values. The
/// circuit it resumes on may have been rebound since (an `alter`), but must have the same
/// unknowns and history layout.
struct TranPause {
    bool paused = false;
    double t = 0, h = 0;
    std::deque<HistoryPoint> hist, xhist;
    std::deque<std::vector<double>> xs;
    DeviceHistory devices;
};

struct TranStats {
    long accepted = 0;
    long rejected_error = 0;   ///< steps rejected by the truncation-error test
    long rejected_newton = 0;  ///< steps cut because Newton did not converge
    long iterations = 0;
};

/// Runs the transient and calls `on_point(t, x, xdot)` for every accepted point with t ≥ tstart
/// (t = 0 included when tstart is 0). `xdot`: with `want_rates`, dx/dt at the point by the same
/// integration formula and order as the step (zero at t = 0), else null. Throws SimulationError
/// ("time step too small", naming the time and the unknowns that did not converge).
/// `pause`: with settings.stop_at, where the run leaves its state when it stops there; when it
/// holds a paused run, the run goes on from it (its points after the stop only, the first step
/// taken as after a breakpoint: what was altered may have a corner there) and it is emptied.
TranStats run_transient(
    const Circuit& circuit, const SimOptions& options, Newton& newton, const TranSettings& settings,
    const std::function<void(double, const std::vector<double>&, const std::vector<double>*)>& on_point,
    TranPause* pause = nullptr);

}  // namespace ionspice::solver
