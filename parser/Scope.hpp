#pragma once
// Parameter and function names visible at one level of the hierarchy: the top level, one
// subcircuit instance, or one user-function call. Parameters are evaluated on first use in the
// scope that defines them, so definitions may come in any order; a parameter met again while it
// is being evaluated is a cycle.

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "parser/SourceFiles.hpp"

namespace ionspice::parser {

/// A number as written, a lone parameter name (`{rcell}`, common in generated netlists and
/// kept out of the expression pool), or an expression from the deck's pool.
struct ValueRef {
    double number = 0;
    /// >= 0: index into DeckData::exprs; -1: `number` is the value; <= -2: the name -2 - expr.
    std::int32_t expr = -1;
    Loc loc;  ///< of the number, the name, or the expression's opening brace or quote

    static ValueRef constant(double v, Loc at) { return ValueRef{v, -1, at}; }
    static ValueRef name(std::uint32_t sym, Loc at) { return ValueRef{0, -2 - static_cast<std::int32_t>(sym), at}; }
    static ValueRef pooled(std::int32_t index, Loc at) { return ValueRef{0, index, at}; }

    bool is_constant() const { return expr == -1; }
    bool is_name() const { return expr <= -2; }
    std::uint32_t sym() const { return static_cast<std::uint32_t>(-2 - expr); }
};

/// `.func name(formals) body`.
struct FuncDef {
    std::uint32_t sym = 0;
    Loc loc;
    std::vector<std::uint32_t> formals;
    std::int32_t body = -1;  ///< index into DeckData::exprs
};

class Scope {
public:
    enum class State : std::uint8_t { Pending, Evaluating, Done };
    struct Entry {
        std::uint32_t sym = 0;
        State state = State::Pending;
        ValueRef value;
        double result = 0;
        Loc loc;  ///< where it was defined
    };

    explicit Scope(Scope* parent = nullptr) : parent_(parent) {}
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

    Scope* parent() const { return parent_; }

    /// Defines (or redefines: the last definition wins) a parameter evaluated on first use.
    void define(std::uint32_t sym, const ValueRef& value, Loc loc);
    /// Defines a parameter whose value is already known.
    void assign(std::uint32_t sym, double value, Loc loc);
    void define_function(const FuncDef* f);

    Entry* find(std::uint32_t sym);
    const FuncDef* find_function(std::uint32_t sym) const;
    std::vector<Entry>& entries() { return entries_; }

private:
    Entry& slot(std::uint32_t sym);

    Scope* parent_;
    std::vector<Entry> entries_;
    /// Filled only once a scope grows past a few names: most instance scopes stay tiny.
    std::unordered_map<std::uint32_t, std::uint32_t> index_;
    std::vector<const FuncDef*> functions_;
};

}  // namespace ionspice::parser
