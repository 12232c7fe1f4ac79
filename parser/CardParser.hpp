#pragma once
// Logical lines to cards: element cards split into nodes, model, values, flags and parameters
// by their letter; dot cards into their DeckData records; .subckt/.ends nesting.

#include <string>
#include <string_view>
#include <vector>

#include "parser/CardTokenizer.hpp"
#include "parser/DeckData.hpp"
#include "parser/LineReader.hpp"

namespace ionspice::parser {

class CardParser final : public CardSink {
public:
    explicit CardParser(DeckData& deck) : deck_(deck), exprs_(deck.symbols, deck.files) {}

    void card(const LogicalLine& line) override;
    void control(std::string_view text, Loc at) override { deck_.control.push_back({std::string(text), at}); }
    void expect_lines(std::size_t n) override;
    /// After the last card: checks every .subckt was closed and settles the title.
    void finish(const std::string& first_line);

private:
    void define_pspice_parameters();
    /// A warning about what the deck writes, unless the same words were said already.
    void warn_once(Loc at, std::string message);
    Body& body() { return open_.empty() ? deck_.top : open_.back()->body; }
    struct IfFrame {
        bool outer_active;  ///< the enclosing block's lines are read
        bool taken;         ///< some branch so far was true
        bool active;        ///< this branch's lines are read
        bool seen_else;
        std::size_t subckt_depth;
        Loc loc;
    };
    std::vector<IfFrame> ifs_;
    Loc loc(const Token& t) const { return line_->loc_at(std::size_t{t.pos}); }
    std::string_view text(const Token& t) const { return t.text(*line_); }
    std::string lower(const Token& t) const;
    [[noreturn]] void fail(Loc at, const std::string& message) const { deck_.files.fail(at, message); }

    ValueRef value(const Token& t, bool bare_expression);
    ValueRef expression(std::string_view text, Loc at);
    /// Numbers and lone names become ValueRefs of their own; the rest goes to the pool.
    ValueRef pool(Expr&& e, Loc at);
    bool is_number_like(const Token& t) const;
    NameRef node(const Token& t);
    NameRef name(const Token& t);
    NamedValue named(const Token& key, const Token& v);
    void add_node(ElementCard& el, const Token& t);
    void add_value(ElementCard& el, const ValueRef& v);
    void split(std::size_t from);

    void element(const LogicalLine& line);
    void passive(ElementCard& el, const char* what, const char* key, const char* long_key);
    /// R/C/L with a value of node voltages, currents or time, as a behavioural expression;
    /// false for an ordinary one.
    bool behavioural_passive(ElementCard& el, const char* key, const char* long_key);
    void semiconductor(ElementCard& el, const char* what, std::size_t nodes);
    void controlled(ElementCard& el, const char* what, const char* value_name, std::size_t nodes, bool by_ref);
    /// E/G value=/vol=/cur=/table and E/G/F/H poly as a behavioural expression; false when the
    /// card is a linear controlled source.
    bool nonlinear_controlled(ElementCard& el, std::size_t nodes, bool by_ref);
    void source(ElementCard& el, const char* what);
    void behavioural(ElementCard& el);

    void dot_card(const LogicalLine& line, const std::string& word, std::size_t after);
    /// .if/.elseif/.else/.endif: which lines are read (the others are skipped unread).
    void conditional(const std::string& word, std::size_t after);
    bool decide(std::size_t after);
    /// `.param` (into the current body's) and `.csparam` (into the deck's) name=value lists.
    void param_card(std::size_t after, std::vector<ParamCard>& into, const char* card);
    void func_card(std::size_t after);
    void model_card(std::size_t after);
    void subckt_card(std::size_t after);
    void ends_card(std::size_t after);
    void options_card(std::size_t after);
    /// One swept variable starting at toks_[i] (.dc and .step share the syntax); advances i.
    /// `card` names the card in messages.
    SweepCard sweep(std::size_t& i, const char* card);
    /// `.step mc N [seed=S]` (the tokens start with `mc` and a number of runs).
    bool is_monte_carlo_step() const;
    SweepCard monte_carlo_step(std::size_t& i);
    void dc_card(std::size_t after);
    void step_card(std::size_t after);
    void tran_card(std::size_t after);
    /// `dec|oct|lin N fstart fstop` starting at toks_[i] (.ac and .noise); advances i.
    FrequencyCard frequencies(std::size_t& i, const std::string& card);
    /// The input source of .noise and .tf at toks_[i] (after the output `after`); advances i.
    NameRef input_source(std::size_t& i, const std::string& card, const std::string& after, Loc after_loc);
    /// Fails at toks_[i] when the card goes on past its last argument.
    void no_more(std::size_t i, const std::string& usage);
    /// The first token at or after toks_[i] that is not a comma.
    std::size_t skip_commas(std::size_t i) const;
    /// What .noise and .tf start with: the output (`v(a)`, `v(a,b)`, with `current` also
    /// `i(vx)`) then the input source, into `a`; tokenizes the rest of the line and returns the
    /// token after the source.
    std::size_t output_and_input(AnalysisCard& a, std::size_t after, bool current, const std::string& missing,
                                 const std::string& outputs);
    void ac_card(std::size_t after);
    void noise_card(std::size_t after);
    void tf_card(std::size_t after);
    void pz_card(std::size_t after);
    void four_card(std::size_t after);
    /// Offset of the first character at or after `i` that is neither a blank nor a comma.
    std::size_t skip_separators(std::size_t i) const;
    /// One output item (.print, .save, .four, and the outputs of .noise and .tf) starting at
    /// line_->text[i]: lower case, blanks removed, `v (a, b)` one item. Advances i past it.
    std::string output_item(std::size_t& i) const;
    void output_card(std::size_t after, bool print);
    void measure_card(std::size_t after);
    void node_values_card(std::size_t after, const std::string& word, std::vector<NodeValueCard>& out);

    DeckData& deck_;
    ExpressionParser exprs_;
    const LogicalLine* line_ = nullptr;
    Loc card_loc_;
    std::vector<Token> toks_;
    // split(): positional tokens and name=value pairs of the current card.
    std::vector<const Token*> positional_;
    std::vector<std::pair<const Token*, const Token*>> keyed_;
    std::vector<SubcktDef*> open_;
    std::string title_override_;
    bool has_title_override_ = false;
};

}  // namespace ionspice::parser
