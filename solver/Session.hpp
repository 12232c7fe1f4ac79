#pragma once
// A netlist kept bound between runs, for callers that change a few values and run again many
// times: the Python module's Simulator, and through it an in-situ training loop that applies
// thousands of weight updates. The deck is read once. A held-state change (set_state) touches
// one device and rebuilds nothing; a parameter change re-elaborates the deck already read (no
// file is read again) and rebinds it. Either way the Newton solver stays, so its KLU pattern and
// ordering are reused while the pattern is unchanged, and each operating point starts from the
// previous run's solution.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/Netlist.hpp"
#include "solver/BoundNetlist.hpp"
#include "solver/Simulator.hpp"

namespace ionspice::solver {

class AnalysisContext;
struct TranPause;

class Session {
public:
    /// Elaborates and binds `deck`. Throws NetlistError. A netlist with `.step` lines is
    /// refused (run it with simulate): a session is one circuit.
    explicit Session(parser::Deck deck, SimulateSettings settings = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Sets a top-level .param (adds it when the netlist has none of that name) and rebinds.
    /// Memory devices keep the states set_state gave them.
    void set_param(const std::string& name, double value);
    /// ngspice's `alter`: sets a parameter of element `element` (flat name) from the next run on,
    /// `param` empty (or the element's own value name: r, c, l, dc, …) for its main value.
    /// Throws SimulationError for an element that does not exist, NetlistError for a value the
    /// element refuses.
    void alter(const std::string& element, const std::string& param, double value);
    /// ngspice's `altermod`: sets parameter `param` of .model `name` (or of the model of element
    /// `name`) from the next run on.
    void altermod(const std::string& name, const std::string& param, double value);
    /// ngspice's `alterparam name = value`: top-level .param `name` takes `value` from the next
    /// reset on (and keeps it through later resets). Throws SimulationError when the netlist
    /// has no such .param.
    void alter_param(const std::string& name, double value);
    /// Forgets every alter, altermod and set_param: the netlist as written (ngspice's `reset`),
    /// with the values alter_param gave its .params.
    void reset();

    /// Holds memory device `device` (flat name, e.g. "n1" or "n.x1.n1") at normalised state s.
    /// Throws SimulationError for an unknown device, DeviceError's message for one without a
    /// state or an s out of range.
    void set_state(const std::string& device, double s);
    /// The state `device` is held at.
    double state(const std::string& device) const;
    /// Every memory device holds the state the last run ended with (after a transient: the
    /// states its pulses left). Returns how many devices changed.
    std::size_t hold_states();

    /// ngspice's `stop when time = t`: every transient from now on stops at `t` (0: none), an
    /// accepted point, and can be resumed.
    void stop_at(double t) { stop_at_ = t; }
    /// ngspice's `resume`: the stopped transient goes on from where it stopped, on the circuit as
    /// it is now (altered or not), to its end; the plot holds the points after the stop. Throws
    /// SimulationError when no transient is stopped.
    SimulationResult resume();
    /// A transient stopped and not yet resumed.
    bool paused() const;

    /// Runs the netlist's own analyses.
    SimulationResult run();
    /// Runs one analysis card written as in a netlist (".op", ".tran 1n 10u", ".dc v1 0 1 0.1",
    /// numbers only: the card sees no .param). Throws NetlistError located in the card's text.
    SimulationResult run(std::string_view card);

    /// ngspice's `@name[param]`: a parameter of .model or element `name` as elaborated (and
    /// altered), or a device output quantity (`@n1[g]`) at the last run's solution; nullopt
    /// when `name` has no such parameter. Throws SimulationError when nothing is named `name`.
    std::optional<double> parameter(const std::string& name, const std::string& param) const;
    /// A source's waveform as a vector, ngspice's `@v1[pulse]` (also pwl, sin, exp, sffm, am):
    /// its arguments as written; nullopt when `name` has no such waveform.
    std::optional<std::vector<double>> waveform(const std::string& name, const std::string& kind) const;
    /// ngspice's `alter @v1[pulse] = [ … ]`: the source's waveform, of that kind, with these
    /// arguments from the next analysis on (checked as a netlist's: a located error).
    void alter_waveform(const std::string& element, const std::string& kind, std::vector<double> args);

    const BoundNetlist& bound() const { return *base_; }
    /// The last `.tran` card a run ran (its tstep, tstop, tstart: ngspice's `linearize` grid);
    /// nullopt before any transient.
    const std::optional<parser::Analysis>& last_transient() const { return last_tran_; }

private:
    SimulationResult take();
    /// Hands the stop time and the pause to the next run's transients.
    void arm_stop();
    /// Elaborates the deck with the parameters and applies the alterations, then binds it.
    void rebind();
    struct Alteration {
        bool model = false;
        std::string name, param;
        double value = 0;
        std::vector<double> args;  ///< a waveform's, when param names its kind
    };
    std::vector<Alteration> alterations_;
    void alter_and_rebind(Alteration a);
    models::Device& device(const std::string& name) const;

    parser::Deck deck_;
    SimulateSettings settings_;
    std::map<std::string, double> params_;
    std::map<std::string, double> reset_params_;  ///< alter_param's, applied at each reset
    std::map<std::string, double> states_;  ///< held states set by set_state or hold_states
    std::string date_;
    StepPoint step_;  ///< none: a session is one circuit
    std::unique_ptr<BoundNetlist> base_;
    SimulationResult result_;
    std::unique_ptr<AnalysisContext> ctx_;
    double stop_at_ = 0;
    std::optional<parser::Analysis> last_tran_;
    /// Runs `cards` in the session's context, remembering the last transient among them.
    void run_in_context(const std::vector<parser::Analysis>& cards);
    std::unique_ptr<TranPause> pause_;  ///< a stopped transient's state
};

}  // namespace ionspice::solver
