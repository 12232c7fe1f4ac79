#pragma once
// A deck read into cards but not flattened: names lower-cased, numbers converted, expressions
// parsed (not evaluated), every item with a compact location. `elaborate` walks this.
//
// Sized for crossbars of 800 000 cards: names are views into a TextArena, an element's nodes
// and values live in per-body pools, and everything a resistor does not need sits behind one
// pointer, so a two-node card takes about 200 bytes and no allocation of its own.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "parser/BulkMemory.hpp"
#include "parser/Expression.hpp"
#include "parser/Netlist.hpp"
#include "parser/Scope.hpp"
#include "parser/SourceFiles.hpp"
#include "parser/TextArena.hpp"

namespace ionspice::parser {

struct NameRef {
    std::string_view name;  ///< lower case, in DeckData::text
    Loc loc;
};

struct NamedValue {
    std::string_view name;  ///< lower case, in DeckData::text
    Loc loc;                ///< of the name
    ValueRef value;
};

/// A B source's `v=` / `i=` expression, parsed; parser/Behavioural.cpp resolves it.
struct BehaviouralCard {
    bool voltage = false;
    ValueRef expr;
};

/// Value part of a V or I card.
struct SourceCard {
    std::optional<ValueRef> dc;
    bool has_ac = false;
    std::optional<ValueRef> ac_mag, ac_phase;
    Waveform::Kind wave = Waveform::Kind::None;
    Loc wave_loc;
    std::vector<ValueRef> args;
    std::optional<ValueRef> repeat, delay;
};

/// The parts of an element card that most cards do not have.
struct CardExtras {
    std::vector<NameRef> refs;
    std::vector<NamedValue> params;
    std::vector<NameRef> flags;
    std::optional<BehaviouralCard> behavioural;
    std::optional<SourceCard> source;
};

struct ElementCard {
    char letter = 0;
    std::uint32_t nodes_begin = 0;  ///< into Body::nodes
    std::uint32_t node_count = 0;
    std::uint32_t values_begin = 0;  ///< into Body::values
    std::uint32_t value_count = 0;
    NameRef name;   ///< as on the card ("r1")
    NameRef model;  ///< model, or subcircuit name for X; empty when none
    std::unique_ptr<CardExtras> extras;

    CardExtras& more() {
        if (!extras) extras = std::make_unique<CardExtras>();
        return *extras;
    }
};

struct ParamCard {
    std::uint32_t sym = 0;
    Loc loc;
    ValueRef value;
};

/// A .model parameter written as a bare word (level=bulk): a word unless it names a .param.
struct NamedWord {
    std::string_view name;  ///< lower case, in DeckData::text
    std::string text;       ///< lower case
    Loc loc;                ///< of the name
    Loc value_loc;
};

struct ModelCard {
    NameRef name;
    std::string type;
    std::vector<NamedValue> params;
    std::vector<NamedWord> words;
};

struct SubcktDef;

/// The cards at one level: the top of the deck or the inside of one .subckt.
struct Body {
    std::vector<ElementCard, BulkAllocator<ElementCard>> elements;
    std::vector<NameRef, BulkAllocator<NameRef>> nodes;
    std::vector<ValueRef, BulkAllocator<ValueRef>> values;
    std::vector<ParamCard> params;
    std::vector<FuncDef> funcs;
    std::vector<ModelCard> models;
    std::vector<std::unique_ptr<SubcktDef>> subckts;
    std::unordered_map<std::string_view, std::size_t> model_index;
    std::unordered_map<std::string_view, std::size_t> subckt_index;

    std::span<const NameRef> nodes_of(const ElementCard& c) const { return {nodes.data() + c.nodes_begin, c.node_count}; }
    std::span<const ValueRef> values_of(const ElementCard& c) const {
        return {values.data() + c.values_begin, c.value_count};
    }
};

struct SubcktDef {
    NameRef name;
    std::vector<NameRef> ports;
    /// Port name to position; filled only for subcircuits with many ports.
    std::unordered_map<std::string_view, std::size_t> port_index;
    std::vector<ParamCard> defaults;
    Loc card_loc;
    Body body;
};

struct SweepCard {
    SweepSpec::Kind kind = SweepSpec::Kind::Lin;
    NameRef name;
    bool param_keyword = false;
    ValueRef start, stop, step;
    std::vector<ValueRef> list;
    /// `.step mc N [seed=S]`: runs 1…N (start, stop, step = 1, N, 1), each with its own seeds;
    /// `seed` is S when written.
    bool monte_carlo = false;
    std::optional<ValueRef> seed;
};

/// `dec|oct|lin N fstart fstop` of .ac and .noise, unevaluated.
struct FrequencyCard {
    FrequencySweep::Kind kind = FrequencySweep::Kind::Dec;
    Loc loc;  ///< of the kind word
    ValueRef points, fstart, fstop;
};

struct AnalysisCard {
    std::string card;  ///< "op", "dc", "tran", … (Analysis::card)
    Loc loc;
    std::vector<SweepCard> sweeps;
    std::vector<ValueRef> times;  ///< .tran: tstep tstop [tstart [tmax]]
    bool uic = false;
    std::optional<FrequencyCard> frequencies;    ///< .ac, .noise
    std::string output;                          ///< .noise, .tf: lower case, blanks removed
    Loc output_loc;
    NameRef input;                               ///< .noise, .tf
    std::optional<ValueRef> points_per_summary;  ///< .noise
    std::optional<ValueRef> fundamental;         ///< .four
    std::vector<std::string> vectors;            ///< .four: as .print items
    std::vector<Loc> vector_locs;
    std::vector<NameRef> ports;                  ///< .pz: in+ in− out+ out−
    bool current_input = false;                  ///< .pz: cur (else vol)
    bool poles = false, zeros = false;           ///< .pz: pol, zer or pz
};

struct OptionCard {
    std::string name;
    std::optional<ValueRef> value;
    std::string text;
    Loc loc;
};

struct OutputCard {
    std::string analysis;
    std::vector<std::string> items;
    std::vector<Loc> item_locs;
    Loc loc;
};

/// `.meas` as written: values unevaluated (they may name parameters).
struct MeasureCard {
    struct Cross {
        std::string vector;
        Loc loc;
        std::optional<ValueRef> value, td;
        std::string other;  ///< `vec=vec2`: the second vector (value then unset)
        Loc other_loc;
        int count = 1;
        bool last = false;
        Measure::Cross::Edge edge = Measure::Cross::Edge::Cross;
    };
    std::string analysis, name;
    Measure::Kind kind = Measure::Kind::Find;
    std::string vector;
    Loc vector_loc;
    std::optional<ValueRef> at, from, to;
    std::optional<Cross> when, trig, targ;
    std::optional<ValueRef> param;  ///< PARAM's expression
    Loc loc;
};

struct NodeValueCard {
    NameRef node;
    ValueRef value;
    Loc loc;
};

/// A line of a `.control` block.
struct ControlCard {
    std::string text;
    Loc loc;  ///< its first non-blank character
};

/// An `.if`/`.elseif` decided when the deck was read, with the top-level .params written before
/// it: elaboration with other values (a .step, an override) must decide it the same way.
struct ConditionCard {
    ValueRef condition;
    std::size_t params_before = 0;  ///< how many of top.params it saw
    bool taken = false;
    Loc loc;
};

struct DeckData {
    SourceFiles files;
    SymbolTable symbols;
    TextArena text;
    std::vector<Expr> exprs;

    std::string title;
    Body top;
    std::unordered_set<std::string_view> globals;
    std::vector<AnalysisCard> analyses;
    std::vector<SweepCard> steps;  ///< `.step` lines, in the order written
    std::vector<OptionCard> options;
    std::vector<OutputCard> prints;
    std::vector<MeasureCard> measures;
    std::vector<OutputCard> saves;
    std::vector<NodeValueCard> nodesets;
    std::vector<NodeValueCard> ics;
    /// `.csparam name = value`: values handed to the `.control` script as vectors.
    std::vector<ParamCard> csparams;
    /// What the deck asks for that ionspice accepts without acting on, one per kind of card:
    /// where, and the warning's text.
    std::vector<std::pair<Loc, std::string>> warnings;
    std::vector<ConditionCard> conditions;
    /// The lines of every `.control` block, in the order read.
    std::vector<ControlCard> control;
};

}  // namespace ionspice::parser
