#pragma once
// Flattening: expands subcircuit instances depth first, renames their nodes, elements and
// models the ngspice way (x1.mid, r.x1.r1, x1.nmod), evaluates every expression in the scope it
// was written in, and fills the flat Netlist. Called by `elaborate`.

#include <cstddef>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "parser/DeckData.hpp"
#include "parser/Evaluator.hpp"

namespace ionspice::parser {

/// Subcircuit instances nested inside each other, at most (measured: 10 000 still fit an 8 MB
/// stack; real hierarchies are a few levels deep).
inline constexpr std::size_t kMaxSubcircuitNesting = 1000;

class Elaborator {
public:
    Elaborator(const DeckData& deck, const std::map<std::string, double>& overrides)
        : deck_(deck), files_(deck.files), eval_(deck.exprs, deck.symbols, deck.files), overrides_(overrides) {}

    /// The random functions' seed, taking precedence over the netlist's `.options seed`.
    void set_seed(std::uint64_t seed) {
        eval_.set_seed(seed);
        seed_given_ = true;
    }
    Netlist run();
    /// Only the top-level .params and the .step lines: what a .step run needs before it
    /// elaborates the deck once per step point.
    std::vector<SweepSpec> steps();

private:
    /// One level of the hierarchy being expanded.
    struct Frame {
        const Body* body = nullptr;
        Scope* scope = nullptr;
        std::string path;              ///< instance path, "x1.x2"; empty at the top
        const Frame* parent = nullptr;  ///< where the definition of this level was written
        const SubcktDef* def = nullptr;
        const std::vector<std::string>* actuals = nullptr;  ///< flat nodes on the ports
    };

    /// Where a body was written: the chain of bodies whose definitions it can see.
    struct Lexical {
        const Body* body;
        const Lexical* outer;
    };

    std::size_t count_elements(const Body& body, const Lexical* outer,
                               std::unordered_map<const SubcktDef*, std::size_t>& counts) const;
    void expand(const Frame& f);
    void instantiate(const Frame& f, const ElementCard& c);
    void emit_models(const Frame& f);
    void emit_element(const Frame& f, const ElementCard& c);
    SourceSpec make_source(const SourceCard& s, Scope& scope);
    /// The top-level .params with the overrides applied, evaluated.
    /// Fails when an .if decided at reading comes out otherwise with the overrides.
    void check_conditions();
    /// The random functions' seed (`.options seed`, or a `.step mc` run's) and, for a `.step mc`
    /// run, the devices' seed options (run_options_).
    void set_seeds(Scope& global);
    /// A `.meas … param='expr'`'s expression, resolved against the .params and the earlier
    /// measurements of its analysis (located errors for anything else).
    BehaviouralExpr measure_expression(const MeasureCard& c, Scope& global);
    void define_globals(Scope& global);
    void add_analyses(Scope& global);
    /// .tran's times, checked so that the solver can integrate them as they are.
    void tran_times(const AnalysisCard& a, Analysis& out, Scope& global);
    /// .ac and .noise: `dec|oct|lin N fstart fstop` evaluated and checked; `card` names it.
    FrequencySweep frequency_sweep(const FrequencyCard& f, const std::string& card, Scope& global);
    /// A value that must be a whole number of at least `min`; `what` names it in the message.
    long whole_number(const ValueRef& v, long min, const std::string& what, Scope& global);
    void add_steps(Scope& global);
    /// Evaluates a .dc or .step variable and checks its range; `card` names it in messages.
    SweepSpec sweep_spec(const SweepCard& s, const std::string& card, Scope& global);
    void add_outputs(Scope& global);

    std::string flat_node(const Frame& f, const NameRef& n) const;
    std::string flat_element(const Frame& f, std::string_view name) const;
    std::string flat_model(const Frame& f, const NameRef& m) const;
    /// True when a .model of this name is visible from the frame.
    bool has_model(const Frame& f, std::string_view name) const;
    double value(const ValueRef& v, Scope& scope) { return eval_.value(v, scope); }
    Param param(std::string name, const ValueRef& v, Scope& scope) {
        return Param{std::move(name), eval_.value(v, scope), files_.at(v.loc)};
    }

    const DeckData& deck_;
    const SourceFiles& files_;
    Evaluator eval_;
    const std::map<std::string, double>& overrides_;
    bool seed_given_ = false;
    std::vector<Option> run_options_;  ///< a `.step mc` run's seed and devseed
    Netlist net_;
    std::vector<const SubcktDef*> active_;  ///< subcircuits being expanded, outermost first
};

}  // namespace ionspice::parser
