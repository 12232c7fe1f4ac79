#pragma once
// The device interface: what every device declares, stamps and evaluates.
//
// All devices together contribute to one system in DAE form
//
//     f(x, t) + d/dt q(x) = 0
//
// x holds node voltages, branch currents and device state variables. A device never sees the
// time step, the integration method or the history: the solver forms J = df/dx + (a/h)·dq/dx and
// the residual from what `load` stamps. Sign convention: a KCL row of f is the sum of the
// currents *leaving* that node through the device.
//
// Life of a device (driven by solver/):
//   1. `declare`: ask for internal nodes, branch currents and state unknowns;
//   2. `pattern`: request every matrix entry it will ever touch. It is called twice: the first
//      pass records the requests, the second returns final slots into the value arrays, which
//      the device keeps;
//   3. `load`: at a given x, stamp df/dx and dq/dx into its slots and add f and q.
// What a device remembers from one evaluation or accepted point to the next (a MOSFET's previous
// voltages for limiting, its charges at the last accepted point, a memory device's pulse count)
// is not kept in the device: it declares `add_history(n)` values, which the solver owns, and
// reads and writes them through the LoadContext, as SPICE's state vectors. Saving and restoring
// an analysis' state is then a copy of two vectors.
// Linear devices (`is_linear`) have constant Jacobians and f = J·x + b(t): the solver loads them
// once into a base matrix and afterwards only asks sources for b(t) via `load_source`.

#include <complex>
#include <cstddef>
#include <cstdint>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ionspice::models {

using Index = int;  ///< unknown number; kGround for the reference node
inline constexpr Index kGround = -1;
using Slot = int;  ///< position of a matrix entry in the value arrays; kNoSlot when grounded
inline constexpr Slot kNoSlot = -1;

/// Independent-source waveform (mirrors the netlist's, without source locations).
struct Waveform {
    enum class Kind { None, Pulse, Pwl, Sin, Exp, Sffm, Am, Trnoise, Trrandom };
    Kind kind = Kind::None;
    std::vector<double> args;
    std::optional<double> repeat;  ///< PWL r=
    std::optional<double> delay;   ///< PWL td=
};

struct SourceValue {
    double dc = 0;
    bool has_dc = false;
    double ac_mag = 0, ac_phase = 0;
    bool has_ac = false;  ///< `AC` written, even `ac 0`
    Waveform wave;
};

/// A .model card as devices see it. Parameter names lower case.
/// A parameter a card was given that the device accepts and does not act on (an ngspice
/// safe-operating-area limit, a setting another parameter switches off): the solver warns at it.
struct ParamNote {
    std::string param;
    std::string message;  ///< why it has no effect, e.g. "safe-operating-area limits are not checked"
};

struct ModelCard {
    std::string name;
    std::string type;
    std::map<std::string, double> params;
    /// Parameters written as a bare word rather than a number, e.g. level=bulk, mapping=log.
    std::map<std::string, std::string> words;
    /// What prepare() accepted without acting on it (ParamReader::unused and note).
    mutable std::vector<ParamNote> notes;
};

/// A family's checked, defaulted model parameters, prepared once per .model card.
class ModelParams {
public:
    virtual ~ModelParams() = default;
};

/// A function of a device's inputs (controlling voltages and currents) and of time, with its
/// gradient: what a behavioural source computes. The solver builds it from the netlist's
/// expression, so that models/ never sees the parser.
class InputFunction {
public:
    virtual ~InputFunction() = default;
    virtual std::size_t inputs() const = 0;
    /// f(u, t); grad[k] = ∂f/∂u_k for k < inputs().
    virtual double eval(const double* u, double t, double* grad) const = 0;
    /// ddt(g)/sdt(g) in the expression: how many. Each is an unknown of the device, read as one
    /// of the last auxiliaries() inputs; the device writes its row (models/Behavioural.cpp).
    virtual std::size_t auxiliaries() const { return 0; }
    /// Whether auxiliary k is an sdt (an integral) rather than a ddt.
    virtual bool integral(std::size_t /*k*/) const { return false; }
    /// g_k and its gradient over all inputs, at the u of the last eval().
    virtual double auxiliary(std::size_t /*k*/, double* /*grad*/) const { return 0; }
};

/// Everything a device is built from.
struct InstanceCard {
    std::string name;  ///< flat lower-case name, e.g. "r1" or "m.x1.m1"
    char letter = 0;   ///< lower case
    std::vector<std::string> nodes;   ///< node names (for messages)
    const ModelCard* model = nullptr;  ///< null when the element takes no model
    std::vector<std::string> refs;    ///< other elements named on the card (F/H: controlling V)
    std::vector<double> values;       ///< positional values
    std::map<std::string, double> params;
    /// Names in `params` that come from the model line (ngspice's instance parameter defaults):
    /// what the instance itself gives, positionally or by another name, wins over them.
    std::set<std::string> defaulted;
    std::vector<std::string> flags;
    std::optional<SourceValue> source;
    /// B: the expression, its inputs the voltages between nodes[2 + 2k] and nodes[3 + 2k], then
    /// the branch currents of `refs`; `flags` holds "v" (a voltage source) or "i".
    std::shared_ptr<const InputFunction> function;
    double temp = 27.0;   ///< °C, circuit temperature
    double tnom = 27.0;   ///< °C, nominal temperature of model parameters
    double gmin = 1e-12;  ///< S, .options gmin (a switch's default off conductance, as ngspice)
    std::uint64_t seed = 0;         ///< .options seed: cycle-to-cycle variability
    std::uint64_t device_seed = 0;  ///< .options devseed (default seed): device-to-device variability
    /// What create() accepted without acting on it (ParamReader::unused and note).
    mutable std::vector<ParamNote> notes;
};

/// A parameter problem; the solver adds the netlist location of `param` (or of the card).
class DeviceError : public std::runtime_error {
public:
    enum class Where { Instance, Model, Value };
    DeviceError(Where where, std::string param, const std::string& message, bool unknown = false)
        : std::runtime_error(message), where_(where), param_(std::move(param)), unknown_(unknown) {}
    Where where() const { return where_; }
    /// Parameter name (Instance/Model) or positional index as text (Value); empty: whole card.
    const std::string& param() const { return param_; }
    /// The parameter is not one the device or model knows (rather than a bad value): on a
    /// model card, ngspice then takes it as a default for the instances.
    bool unknown() const { return unknown_; }

private:
    Where where_;
    std::string param_;
    bool unknown_;
};

/// What the solver offers a device while it declares itself.
class Declarer {
public:
    virtual ~Declarer() = default;
    /// Unknown of the k-th node on the card (kGround for ground).
    virtual Index terminal(std::size_t k) const = 0;
    /// A new internal node, named "<node-of-card>" style by the solver: `<device>#<suffix>`.
    virtual Index add_node(std::string_view suffix) = 0;
    /// A new branch-current unknown, written to output as i(<device>).
    virtual Index add_branch() = 0;
    /// A new state unknown (q = s), written to output as x(<device>); a device's further states
    /// name a suffix: x(<device>#<suffix>).
    virtual Index add_state(std::string_view suffix = {}) = 0;
    /// `count` history values, all zero at the start: returns the offset of the first into
    /// LoadContext::history and LoadContext::accepted.
    virtual std::size_t add_history(std::size_t count) = 0;
};

/// Matrix entries a device requests. Call `entry` for the same (row, col) pairs in the same
/// order in both passes; the second pass returns the final slots.
class PatternBuilder {
public:
    virtual ~PatternBuilder() = default;
    /// Slot of entry (row, col); kNoSlot when either is ground.
    virtual Slot entry(Index row, Index col) = 0;
    /// Branch-current unknown of another element (F/H controlling source). Throws DeviceError.
    virtual Index branch_of(std::string_view element_name) const = 0;
    /// Another element's device, declared by now (K reads its inductors); null when none.
    virtual const class Device* device(std::string_view element_name) const = 0;
};

/// Where and under what conditions `load` evaluates.
struct LoadContext {
    const double* x = nullptr;  ///< the current Newton iterate
    double time = 0;            ///< s
    bool dc = true;             ///< operating point / DC sweep (states held, sources at DC)
    /// The operating point a transient starts from (with dc): independent sources take their
    /// waveform's value at t = 0 even where a DC value is written, as ngspice's do (MODETRANOP),
    /// so that `DC 0 PULSE(-0.5 …)` starts at −0.5 V.
    bool transient_start = false;
    bool init_junctions = false;  ///< first iteration from nothing: junctions start at vcrit
    double source_scale = 1;    ///< source stepping: every independent source is scaled by this
    double gmin = 1e-12;        ///< S, conductance devices put across their junctions
    int noncon = 0;             ///< devices add 1 when they limited a voltage this iteration
    /// History values of this evaluation (SPICE's state 0): what the previous evaluation left,
    /// overwritten by this one. Indexed by the offsets `add_history` returned.
    double* history = nullptr;
    /// History values at the last accepted point (state 1); all zero before the first.
    const double* accepted = nullptr;
};

/// The arrays a device stamps into. Grounded rows/slots are ignored.
struct Stamp {
    double* jf = nullptr;  ///< df/dx values, indexed by Slot
    double* jq = nullptr;  ///< dq/dx values, indexed by Slot (null: not wanted)
    double* f = nullptr;   ///< f(x) by unknown
    double* q = nullptr;   ///< q(x) by unknown (null: not wanted)

    void G(Slot s, double v) const {
        if (s >= 0) jf[s] += v;
    }
    void C(Slot s, double v) const {
        if (s >= 0 && jq) jq[s] += v;
    }
    void F(Index i, double v) const {
        if (i >= 0) f[i] += v;
    }
    void Q(Index i, double v) const {
        if (i >= 0 && q) q[i] += v;
    }
};

/// One noise generator of a device at its operating point: a current between two unknowns
/// (kGround allowed) whose one-sided spectral density is S(f) = white + flicker / f^exponent,
/// in A²/Hz. The small-signal noise analysis sums every generator's contribution at the output.
struct NoiseSource {
    std::string name;  ///< what it is, as ngspice names it in its summaries: "", "rd", "id", "1overf"
    Index plus = kGround, minus = kGround;
    double white = 0;     ///< A²/Hz
    double flicker = 0;   ///< A²·Hz^(exponent−1)
    double exponent = 1;  ///< of f in the flicker term

    double density(double f) const { return white + (flicker != 0 ? flicker / std::pow(f, exponent) : 0.0); }
};

class Device {
public:
    explicit Device(std::string name) : name_(std::move(name)) {}
    virtual ~Device() = default;
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    const std::string& name() const { return name_; }

    virtual void declare(Declarer& d) = 0;
    virtual void pattern(PatternBuilder& p) = 0;
    /// Stamp df/dx, dq/dx, f and q at ctx.x. A device that limits a controlling voltage stamps
    /// the linearisation about the limited point evaluated at the actual x,
    /// f(v_lim) + J·(v − v_lim), and increments ctx.noncon.
    virtual void load(LoadContext& ctx, const Stamp& s) = 0;

    /// The small-signal analyses that stand for a frequency (.ac, .noise's gains, .pz; not
    /// .tf, which is DC): what to add to load()'s df/dx where the device's small-signal
    /// conductance differs from its DC one, as a resistor's `ac=` resistance does in ngspice.
    virtual void load_small_signal(const Stamp& /*s*/) const {}

    /// Constant Jacobians and f = J·x + b(t).
    virtual bool is_linear() const { return false; }
    /// True when some charge of the device is integrated along the solution's path (from the
    /// last accepted point with capacitances C(v)) rather than a function of the unknowns, as
    /// SPICE's Meyer gate capacitances are: the transient's charge test cannot see the error of
    /// that integration, so the solution test (newtrunc) runs by default.
    virtual bool charge_along_path() const { return false; }
    /// True when b(t) is not identically zero (independent sources).
    virtual bool has_source() const { return false; }
    /// Add b(t) (scaled by ctx.source_scale) to f. Only for linear devices with has_source().
    virtual void load_source(const LoadContext& /*ctx*/, double* /*f*/) const {}

    /// Times in (t0, t1] where the device's inputs have corners (transient).
    virtual void breakpoints(double /*t0*/, double /*t1*/, std::vector<double>& /*out*/) const {}
    /// What a transient run of `tstop` with step `tstep` needs before it starts: ngspice fills
    /// a source's waveform arguments left out (or zero) from .tran (PULSE rise/fall = tstep,
    /// width/period = tstop, SIN frequency = 1/tstop, EXP delays and time constants = tstep;
    /// until then such edges are ideal and widths and periods infinite), and random waveforms
    /// draw their samples for the run. Throws DeviceError when the run asks too much of it.
    virtual void set_transient_defaults(double /*tstep*/, double /*tstop*/) {}

    /// Transient: the longest next step this device allows after an accepted point x (the one
    /// before it x_previous, `last_step` apart; `accepted` its history values there). For what a
    /// charge's truncation error does not see, as SPICE's DEVtrunc for switches: a control
    /// approaching its threshold is met in shrinking steps rather than jumped across.
    virtual double max_step(const double* /*x*/, const double* /*x_previous*/, const double* /*accepted*/,
                            double /*last_step*/) const {
        return std::numeric_limits<double>::infinity();
    }

    /// `uic` (transient without an operating point): write the initial values of the device's
    /// own unknowns into x — a state's initial value, an inductor's ic current, a capacitor's
    /// ic voltage where one of its nodes is ground. x starts at zero and .ic is applied after.
    virtual void initial_conditions(double* /*x*/) const {}

    /// Called once per accepted time point (and once after the transient's operating point, at
    /// time 0) with the accepted solution and the history values being accepted, which the
    /// device may update and the solver then keeps as LoadContext::accepted: the place for what
    /// must not change on rejected or Newton trial points, such as drawing a new cycle-to-cycle
    /// sample when a programming pulse starts.
    virtual void accept(const double* /*x*/, double /*time*/, double* /*history*/) {}

    /// A memory device's held state s0: what DC analyses hold its state at (the state row is
    /// s − s0 = 0) and a transient starts from. Empty for devices without one.
    virtual std::optional<double> held_state() const { return std::nullopt; }
    /// Holds the state at `s` from the next run on, without building the circuit again (a
    /// training loop applies its weight updates so). Throws DeviceError when the device has no
    /// state or cannot hold `s`.
    virtual void set_held_state(double /*s*/) {
        throw DeviceError(DeviceError::Where::Instance, "", name() + " has no state to hold");
    }

    /// Noise generators at the operating point x (temperature as the device was built for).
    /// Noiseless devices (ideal sources, capacitors) add none.
    virtual void noise(const double* /*x*/, std::vector<NoiseSource>& /*out*/) const {}

    /// Derived output quantities, written as "<quantity>(<device>)" with type notype, e.g.
    /// {"g"} for a memory device's channel conductance g(n1).
    virtual std::vector<std::string> output_quantities() const { return {}; }
    /// Values of output_quantities() at x, in the same order.
    virtual void outputs(const double* /*x*/, double* /*out*/) const {}
    /// A quantity written only when asked for by name (ngspice's `@r1[i]`, and `i(r1)` of a
    /// device without a branch current) at x; nullopt when the device has none of that name.
    /// `xdot`: in a transient, the unknowns' time derivatives as the integration formula gives
    /// them at this point (a charge's current is dq/dx·xdot); null at a DC point, where charges
    /// carry no current.
    /// The terminal (index into the card's nodes) whose current `quantity` names (a bipolar
    /// transistor's "ic" is its collector's), or -1. In a transient the solver gives such a
    /// quantity as that terminal's whole current, as ngspice's @-currents are: the device's f at
    /// the terminal's row plus its charges' rate there, from the device's own stamps; in DC (and
    /// at a grounded terminal it cannot read) it is quantity() as written.
    virtual int terminal_of(std::string_view /*quantity*/) const { return -1; }
    virtual std::optional<double> quantity(std::string_view /*name*/, const double* /*x*/,
                                           const double* /*xdot*/) const {
        return std::nullopt;
    }

private:
    std::string name_;
};

/// An independent V or I source: what .dc sweeps.
class IndependentSource : public Device {
public:
    using Device::Device;
    virtual double dc_value() const = 0;
    virtual void set_dc_value(double v) = 0;
    virtual bool is_voltage() const = 0;
    /// The small-signal value written on the card, `AC mag [phase]`: mag·e^{j·phase}.
    virtual std::complex<double> ac_phasor() const = 0;
    /// `AC` was written on the card, even as `ac 0` (ngspice's acGiven).
    virtual bool has_ac() const = 0;
    /// Adds a small-signal value of this source (a voltage for V, a current for I) to the
    /// complex residual, in the rows and with the sign `load_source` adds its DC value: the
    /// small-signal system J·x = −f is then solved for the response to it.
    virtual void stamp_excitation(std::complex<double> value, std::complex<double>* f) const = 0;
};

}  // namespace ionspice::models
