#pragma once
// The parser's output: a flat netlist (subcircuits expanded, expressions evaluated) with a
// source location on every node of it. This is the whole interface between parser/ and the
// layers above; nothing here knows about devices or matrices.
//
//   Deck deck = read_deck("amp.cir");          // logical lines, includes, .lib, cards, .subckt
//   Netlist n = elaborate(deck);               // flatten and evaluate
//   Netlist m = elaborate(deck, {{"ge", 1e-6}}); // the same with a .param overridden (sweeps)

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parser/Boxed.hpp"
#include "parser/Expression.hpp"
#include "parser/SourceLoc.hpp"

namespace ionspice::parser {

/// A B source's expression after elaboration (parser/Behavioural.cpp): parameters and .func
/// calls folded in, nodes and elements flat. Nodes are stored children first, so one pass in
/// index order evaluates them all; `root` is the value. Its inputs are the voltages v(a, b),
/// numbered first, then the branch currents i(x).
struct BehaviouralExpr {
    enum class Op : std::uint8_t {
        Number, Input, Time, Neg, Not,
        Add, Sub, Mul, Div, Pow,
        Eq, Ne, Lt, Le, Gt, Ge, And, Or,
        Cond,     ///< a ? b : c
        Builtin,  ///< fn of args
    };
    struct Node {
        Op op = Op::Number;
        BuiltinFn fn = BuiltinFn::Sin;
        std::int32_t a = -1, b = -1, c = -1;  ///< operands; Input: the input's index
        std::vector<std::int32_t> args;       ///< Builtin
        double number = 0;
    };
    std::vector<Node> nodes;
    std::int32_t root = -1;
    std::vector<std::pair<std::string, std::string>> voltages;  ///< v(first) − v(second), flat ("0": ground)
    std::vector<std::string> currents;                          ///< flat element names of i(...)
    /// Values the caller supplies by name (a `.meas param` expression's earlier measurements),
    /// read as the inputs after the currents.
    std::vector<std::string> names;
    /// ddt(g) and sdt(g): each an unknown of the source's own (y = dg/dt, or dy/dt = g with
    /// y = 0 at the operating point), read by the expression as input voltages.size() +
    /// currents.size() + k; `root` is g's node.
    struct Auxiliary {
        bool integral = false;  ///< sdt
        std::int32_t root = -1;
    };
    std::vector<Auxiliary> auxiliaries;
};

/// A named or positional number, evaluated.
struct Param {
    std::string name;  ///< lower case; empty for positional values
    double value = 0;
    SourceLoc loc;
};

/// A positional value of an element card, evaluated (a Param without the name it never has).
struct Value {
    double value = 0;
    SourceLoc loc;
};

/// Time-dependent part of an independent source, arguments as written (missing ones absent).
struct Waveform {
    enum class Kind { None, Pulse, Pwl, Sin, Exp, Sffm, Am, Trnoise, Trrandom };
    Kind kind = Kind::None;
    std::vector<double> args;    ///< PULSE(v1 v2 td tr tf pw per np), PWL(t1 v1 t2 v2 ...), ...
    std::optional<double> repeat;  ///< PWL `r=`: time the repetition restarts from
    std::optional<double> delay;   ///< PWL `td=`
    SourceLoc loc;
};

/// The waveform a source keyword names ("pulse", "pwl", "sin" or ngspice's "sine", "exp",
/// "sffm", "am", "trnoise", "trrandom"; lower case), or Kind::None.
inline Waveform::Kind waveform_kind(std::string_view word) {
    using K = Waveform::Kind;
    static constexpr std::pair<std::string_view, K> kKinds[] = {
        {"pulse", K::Pulse}, {"pwl", K::Pwl}, {"sin", K::Sin}, {"sine", K::Sin}, {"exp", K::Exp},
        {"sffm", K::Sffm},   {"am", K::Am},   {"trnoise", K::Trnoise}, {"trrandom", K::Trrandom}};
    for (const auto& [name, kind] : kKinds)
        if (word == name) return kind;
    return K::None;
}

/// Value specification of a V or I element.
struct SourceSpec {
    double dc = 0;          ///< DC value (the waveform's value at t=0 when no DC was given)
    bool has_dc = false;    ///< a DC value was written
    double ac_mag = 0;      ///< AC magnitude (kept for a later AC analysis)
    double ac_phase = 0;    ///< degrees
    bool has_ac = false;    ///< `AC` was written (ac 0 included: .pz takes such a source as its input)
    Waveform wave;
};

/// An expression kept as text: a B source's `v=` / `i=`, which depends on node voltages and
/// so can only be evaluated while simulating.
struct TextParam {
    std::string name;  ///< lower case: "v" or "i" (B sources), or a model parameter's name
    std::string text;  ///< lower case, braces removed
    SourceLoc loc;
};

/// What a B element sources (Element::behavioural); outside Element so that it is complete
/// where Element's std::optional of it is declared (clang checks constructibility there).
struct BehaviouralSource {
    bool voltage = false;
    BehaviouralExpr expr;
};

/// One element card after subcircuit expansion.
struct Element {
    std::string name;  ///< flat, lower case, ngspice style: "r1", or "r.x1.r1" inside x1
    char letter = 0;   ///< lower-case element letter: 'r', 'c', 'm', ...
    SourceLoc loc;     ///< the element's name on its card

    std::vector<std::string> nodes;  ///< flat lower-case node names; ground is "0" (gnd too)
    std::vector<SourceLoc> node_locs;

    std::string model;  ///< flat model name for D, M, Q, J, N (and R/C with a model); else empty
    SourceLoc model_loc;

    BoxedVector<std::string> refs;  ///< flat names of other elements: F/H controlling source, K inductors
    BoxedVector<SourceLoc> ref_locs;

    std::vector<Value> values;  ///< positional values after nodes and model (R value, gain, area)
    BoxedVector<Param> params;  ///< name=value pairs, names lower case
    BoxedVector<std::string> flags;  ///< bare keywords, lower case ("off")
    Boxed<SourceSpec> source;  ///< V and I only
    /// B only: v= (a voltage source) or i= (a current source) and its expression. The nodes of
    /// its voltage inputs follow the two terminals in `nodes` (two per input), the elements of
    /// its current inputs are `refs`.
    using Behavioural = BehaviouralSource;
    Boxed<Behavioural> behavioural;
};

/// A .model card; inside a subcircuit its name is flattened like an element's ("x1.nmod").
struct Model {
    std::string name;  ///< lower case
    std::string type;  ///< lower case: "nmos", "pmos", "d", "ecram", "memristor", ...
    SourceLoc loc;
    std::vector<Param> params;  ///< includes "level" when written
    std::vector<TextParam> words;  ///< parameters written as a bare word: level=bulk, mapping=log
};

/// The override that sets the circuit temperature (°C) instead of a .param: `temper` in every
/// expression, and the `temp` option the devices read (`.step temp`, `.dc temp`).
inline constexpr const char* kTemperatureOverride = "temper";

/// The override that makes an elaboration one run of `.step mc`: its value, the run number (1…N),
/// draws the run's seeds; it sets no .param.
inline constexpr const char* kMonteCarloOverride = "mc run";
/// `.step mc N`'s keyword, and the name its run number is stepped (and output) under.
inline constexpr const char* kMonteCarloVariable = "mc";

/// One swept variable of .dc, or one `.step` line.
struct SweepSpec {
    enum class Kind { Lin, Dec, Oct, List };
    Kind kind = Kind::Lin;
    std::string name;             ///< source or .param name, lower case
    bool param_keyword = false;   ///< written as `param NAME`: must be a .param
    /// `.step` only (the elaborator resolves its names; `.dc` names are resolved against the
    /// circuit): true when NAME is a top-level independent source, false for a top-level .param.
    bool is_source = false;
    /// `.step temp` / `.dc temp` (when no source or .param is named temp): the circuit
    /// temperature, set through the override kTemperatureOverride.
    bool is_temperature = false;
    /// `.step mc N`: runs 1…N (a Lin sweep), each elaborated with its own seeds.
    bool is_monte_carlo = false;
    /// The elaborate() override this sweep sets when it is not a source.
    std::string override_name() const {
        return is_temperature ? kTemperatureOverride : is_monte_carlo ? kMonteCarloOverride : name;
    }
    double start = 0, stop = 0;
    double step = 0;              ///< Lin: increment; Dec/Oct: points per decade/octave
    std::vector<double> list;     ///< List: the values
    SourceLoc loc;                ///< at the name
};

/// The frequencies of `.ac` and `.noise`: `dec|oct|lin N fstart fstop`.
struct FrequencySweep {
    enum class Kind { Dec, Oct, Lin };
    Kind kind = Kind::Dec;
    long points = 0;               ///< per decade or octave (dec, oct), in all (lin)
    double fstart = 0, fstop = 0;  ///< Hz
    SourceLoc loc;                 ///< at the kind word
};

/// One analysis card. The parser reads each card's syntax; the solver finds the analysis that
/// runs it by `card`, so this struct only carries what the cards say.
struct Analysis {
    /// The card's name without the dot, lower case: "op", "dc", "tran", "ac", "noise", "tf",
    /// "four", "pz".
    std::string card;
    SourceLoc loc;
    /// .dc: sweeps[0] is the inner (fastest) variable, as in `.dc V1 ... V2 ...`.
    std::vector<SweepSpec> sweeps;
    // .tran tstep tstop [tstart [tmax]] [uic]
    double tstep = 0, tstop = 0, tstart = 0;
    std::optional<double> tmax;
    bool uic = false;
    /// .ac, .noise
    std::optional<FrequencySweep> frequencies;
    /// .noise: `v(out)` or `v(out,ref)`; .tf: `v(a)`, `v(a,b)` or `i(vx)`. Lower case, no blanks.
    std::string output;
    SourceLoc output_loc;
    /// .noise, .tf: the independent source that is the input (flat lower-case name).
    std::string input;
    SourceLoc input_loc;
    /// .noise: every this many frequencies, each device's contribution (0: none).
    long points_per_summary = 0;
    /// .four: the fundamental (Hz) and the vectors analysed.
    double fundamental = 0;
    std::vector<std::string> vectors;
    std::vector<SourceLoc> vector_locs;
    /// .pz: the input port's and the output port's nodes (in+, in−, out+, out−; flat, lower
    /// case, ground "0"); `cur`: the transfer function is v(out)/i(in), else v(out)/v(in); which
    /// of poles and zeros are wanted (pol, zer, pz).
    std::vector<std::string> ports;
    std::vector<SourceLoc> port_locs;
    bool current_input = false;
    bool poles = false, zeros = false;
};

/// One `.options` entry: `name=value` or a bare flag (value empty).
struct Option {
    std::string name;  ///< lower case
    std::optional<double> value;
    std::string text;  ///< the value as written (for non-numeric values like method=gear)
    SourceLoc loc;
    /// Given by the program running the deck (with_settings), not written in it: a name no
    /// option has is then an error, where in a netlist it is a warning, as ngspice's.
    bool from_caller = false;
};

/// `.print` / `.save`: output expressions such as "v(out)", "v(a,b)", "i(v1)".
struct OutputRequest {
    std::string analysis;  ///< "dc", "op", "tran", "ac", "noise", "tf" or empty (.save)
    std::vector<std::string> items;  ///< lower case, spaces removed
    std::vector<SourceLoc> item_locs;
    SourceLoc loc;
};

/// `.meas[ure] tran|dc|ac NAME …` (ngspice's forms; the solver evaluates it on the analysis' result).
struct Measure {
    enum class Kind { Find, When, Delay, Avg, Max, Min, Pp, Rms, Integ, Param };
    /// A crossing: `vector` = value, the count-th rise, fall or either (or the last), after td.
    struct Cross {
        enum class Edge { Rise, Fall, Cross };
        std::string vector;  ///< "v(in)", "v(a,b)", "i(v1)", …
        SourceLoc loc;
        double value = 0;
        /// `WHEN v(out)=v(in)`: the vector crossed instead of the number `value` (empty: none).
        std::string other;
        SourceLoc other_loc;
        double td = 0;
        int count = 1;
        bool last = false;
        Edge edge = Edge::Cross;
    };
    std::string analysis;  ///< "tran", "dc" or "ac"
    std::string name;
    Kind kind = Kind::Find;
    std::string vector;  ///< FIND and the statistics: what is measured
    SourceLoc vector_loc;
    std::optional<double> at, from, to;
    std::optional<Cross> when, trig, targ;  ///< WHEN (FIND … WHEN, or WHEN alone); TRIG/TARG
    /// PARAM: `param='expr'` of .params (numbers by now) and earlier measurements of the same
    /// analysis (expr.names).
    std::optional<BehaviouralExpr> expr;
    SourceLoc loc;
};

/// `.nodeset v(a)=1` and `.ic v(a)=1`.
struct NodeValue {
    std::string node;  ///< flat lower-case node name
    double value = 0;
    SourceLoc loc;
};

struct Netlist {
    std::string title;  ///< first line, as written
    std::vector<Element> elements;
    std::vector<Model> models;
    std::vector<Analysis> analyses;
    std::vector<Option> options;
    std::vector<OutputRequest> prints;
    std::vector<OutputRequest> saves;
    std::vector<Measure> measures;
    std::vector<NodeValue> nodesets;
    std::vector<NodeValue> ics;
    std::vector<Param> params;  ///< the top-level .param values after overrides
    /// `.csparam` values (expressions of the .params), which the `.control` script sees as vectors.
    std::vector<Param> csparams;
    /// Located warnings (`file:line:col: warning: …`, the line, a caret) about cards accepted
    /// without effect.
    std::vector<std::string> warnings;
    /// `.step` lines in the order written: steps[0] is the inner (fastest) one, as for .dc.
    std::vector<SweepSpec> steps;
};

struct DeckData;  // defined in the parser's implementation

/// A netlist read into cards but not yet flattened: re-elaborate it with other parameter values
/// without reading the files again.
class Deck {
public:
    explicit Deck(std::shared_ptr<const DeckData> d) : data_(std::move(d)) {}
    const DeckData& data() const { return *data_; }
    /// Top-level .param values that replace the netlist's in every elaboration of this deck (a
    /// caller's settings, see `with_settings`); `elaborate`'s own overrides win over them.
    const std::map<std::string, double>& params() const { return params_; }
    /// Options every elaboration appends after the netlist's own .options.
    const std::vector<Option>& options() const { return options_; }

private:
    friend Deck with_settings(const Deck&, const std::map<std::string, double>&, std::string_view,
                              const std::string&);
    std::shared_ptr<const DeckData> data_;
    std::map<std::string, double> params_;
    std::vector<Option> options_;
};

/// One line of the deck's `.control` blocks (ngspice's script language), as written.
struct ControlLine {
    std::string text;
    SourceLoc loc;
};

/// The lines of the deck's `.control` blocks, in order; empty when it has none.
std::vector<ControlLine> control_script(const Deck& deck);

/// Reads a netlist file with its .include and .lib files. Throws NetlistError.
Deck read_deck(const std::string& path);
/// The same from text (tests); `name` is used as the file name in diagnostics.
Deck parse_deck(std::string_view text, const std::string& name = "<netlist>");

/// `deck` run with other settings, without reading it again: `params` replace (or add) top-level
/// .param values, and `options`, written as on an `.options` card ("reltol=1e-4 method=gear"),
/// apply after the netlist's own. Errors in `options` are located in a line of a text named
/// `name`. Throws NetlistError.
Deck with_settings(const Deck& deck, const std::map<std::string, double>& params, std::string_view options,
                   const std::string& name = "<options>");

/// Flattens subcircuits and evaluates every expression; `overrides` replace top-level
/// .param values (and create them if absent); kTemperatureOverride sets the temperature.
/// Throws NetlistError.
Netlist elaborate(const Deck& deck, const std::map<std::string, double>& overrides = {});

/// The `.step` lines as `elaborate` gives them in Netlist::steps, without flattening the deck:
/// a .step run learns its points before elaborating once per point. Throws NetlistError.
std::vector<SweepSpec> read_steps(const Deck& deck);

}  // namespace ionspice::parser
