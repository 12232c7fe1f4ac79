#include "parser/Scope.hpp"

namespace ionspice::parser {

namespace {
constexpr std::size_t linear_limit = 8;
}

Scope::Entry* Scope::find(std::uint32_t sym) {
    if (!index_.empty()) {
        auto it = index_.find(sym);
        return it == index_.end() ? nullptr : &entries_[it->second];
    }
    for (auto& e : entries_)
        if (e.sym == sym) return &e;
    return nullptr;
}

Scope::Entry& Scope::slot(std::uint32_t sym) {
    if (Entry* e = find(sym)) return *e;
    entries_.emplace_back();
    entries_.back().sym = sym;
    if (entries_.size() > linear_limit) {
        if (index_.empty())
            for (std::uint32_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].sym, i);
        else
            index_.emplace(sym, static_cast<std::uint32_t>(entries_.size() - 1));
    }
    return entries_.back();
}

void Scope::define(std::uint32_t sym, const ValueRef& value, Loc loc) {
    Entry& e = slot(sym);
    e.value = value;
    e.loc = loc;
    e.state = State::Pending;
}

void Scope::assign(std::uint32_t sym, double value, Loc loc) {
    Entry& e = slot(sym);
    e.value = ValueRef::constant(value, loc);
    e.result = value;
    e.loc = loc;
    e.state = State::Done;
}

void Scope::define_function(const FuncDef* f) {
    for (auto& g : functions_)
        if (g->sym == f->sym) {
            g = f;
            return;
        }
    functions_.push_back(f);
}

const FuncDef* Scope::find_function(std::uint32_t sym) const {
    for (const FuncDef* f : functions_)
        if (f->sym == sym) return f;
    return nullptr;
}

}  // namespace ionspice::parser
