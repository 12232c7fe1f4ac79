#include "parser/Elaborator.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/Random.hpp"
#include "parser/Behavioural.hpp"
#include "parser/BulkMemory.hpp"

namespace ionspice::parser {

namespace {

/// The most points a sweep (.dc, .step, .ac, .noise) may have: beyond it the solver would spend
/// its time and memory on a mistake.
constexpr double max_sweep_points = 1e8;

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

Netlist elaborate(const Deck& deck, const std::map<std::string, double>& overrides) {
    if (deck.params().empty() && deck.options().empty()) return Elaborator(deck.data(), overrides).run();
    std::map<std::string, double> all = deck.params();
    for (const auto& [name, v] : overrides) all[name] = v;
    Elaborator e(deck.data(), all);
    // A seed given with the caller's options draws the random functions too.
    for (const Option& o : deck.options())
        if (o.name == "seed" && o.value) e.set_seed(static_cast<std::uint64_t>(*o.value));
    Netlist n = e.run();
    n.options.insert(n.options.end(), deck.options().begin(), deck.options().end());
    return n;
}

Deck with_settings(const Deck& deck, const std::map<std::string, double>& params, std::string_view options,
                   const std::string& name) {
    Deck out = deck;
    for (const auto& [k, v] : params) out.params_[k] = v;
    if (options.find_first_not_of(" \t") != std::string_view::npos) {
        // The options as a one-card netlist of their own, so that they are read (and their
        // mistakes located) exactly as an .options line in a netlist is.
        Netlist n = elaborate(parse_deck(fmt::format("* settings\n.options {}\n", options), name));
        for (Option& o : n.options) o.from_caller = true;
        out.options_.insert(out.options_.end(), n.options.begin(), n.options.end());
    }
    return out;
}

std::vector<SweepSpec> read_steps(const Deck& deck) { return Elaborator(deck.data(), {}).steps(); }

std::vector<SweepSpec> Elaborator::steps() {
    Scope global;
    define_globals(global);
    add_steps(global);
    return std::move(net_.steps);
}

Netlist Elaborator::run() {
    net_.title = deck_.title;

    Scope global;
    define_globals(global);

    // Reserving the exact count saves copying half a million elements while the vector grows.
    std::unordered_map<const SubcktDef*, std::size_t> counts;
    net_.elements.reserve(count_elements(deck_.top, nullptr, counts));
    // Elements are ~500 bytes each; touching 400 MB page by page is the slowest part of a big
    // deck on some machines (see BulkMemory.hpp).
    prefault(net_.elements.data(), net_.elements.capacity() * sizeof(Element));
    Frame top;
    top.body = &deck_.top;
    top.scope = &global;
    expand(top);

    add_analyses(global);
    add_steps(global);
    add_outputs(global);
    for (const auto& [loc, message] : deck_.warnings)
        net_.warnings.push_back(format_diagnostic(files_.at(loc), message, "warning"));
    return std::move(net_);
}

void Elaborator::define_globals(Scope& global) {
    // `temper`, ngspice's circuit temperature in expressions: the last .temp / .options temp=
    // (which may itself use .params), else 27 °C; a .param of that name is the user's.
    if (const std::int64_t t = deck_.symbols.find(kTemperatureOverride); t >= 0) {
        ValueRef temp = ValueRef::constant(27.0, Loc{});
        for (const OptionCard& o : deck_.options)
            if (o.name == "temp" && o.value) temp = *o.value;
        global.define(static_cast<std::uint32_t>(t), temp, Loc{});
    }
    for (const ParamCard& p : deck_.top.params) global.define(p.sym, p.value, p.loc);
    std::vector<Param> created;
    for (const auto& [raw_name, v] : overrides_) {
        std::string n = to_lower(raw_name);
        std::int64_t sym = deck_.symbols.find(n);
        if (n == kMonteCarloOverride) continue;  // a run number: it only draws the seeds (below)
        if (n == kTemperatureOverride && (sym < 0 || global.find(static_cast<std::uint32_t>(sym))->loc.line == 0)) {
            // The temperature, not a .param: `temper` takes it (when named) and so does the
            // devices' temp option (add_outputs).
            if (sym >= 0) global.assign(static_cast<std::uint32_t>(sym), v, Loc{});
            continue;
        }
        if (sym < 0) {
            // Nothing in the deck names it, so nothing can see it; still report it as a param.
            created.push_back(Param{n, v, {}});
            continue;
        }
        const Scope::Entry* existing = global.find(static_cast<std::uint32_t>(sym));
        global.assign(static_cast<std::uint32_t>(sym), v, existing ? existing->loc : Loc{});
    }
    for (const FuncDef& f : deck_.top.funcs) global.define_function(&f);
    set_seeds(global);
    eval_.evaluate_all(global);
    if (!overrides_.empty()) check_conditions();
    for (const auto& e : global.entries())
        if (e.loc.line != 0 || deck_.symbols.name(e.sym) != kTemperatureOverride)
            net_.params.push_back(Param{deck_.symbols.name(e.sym), e.result, files_.at(e.loc)});
    for (auto& p : created) net_.params.push_back(std::move(p));
    for (const ParamCard& c : deck_.csparams)
        net_.csparams.push_back(Param{deck_.symbols.name(c.sym), value(c.value, global), files_.at(c.loc)});
}

void Elaborator::set_seeds(Scope& global) {
    // `.options seed=` keys agauss, gauss, unif, aunif and limit(nom, var); 0 when not written,
    // so that a deck elaborates the same way every time. It may be an expression of .params (a
    // stepped `chip` or `run`), evaluated before anything random is drawn.
    auto seed_of = [&](const ValueRef& v) {
        const double s = value(v, global);
        if (eval_.has_drawn())
            files_.fail(v.loc, "a seed cannot depend on a random function (agauss, gauss, unif, aunif, limit)");
        if (!(s >= 0 && s < 0x1p64)) files_.fail(v.loc, fmt::format("a seed must be a number from 0 to 2^64, not {}", s));
        return static_cast<std::uint64_t>(s);
    };
    std::optional<std::uint64_t> seed, devseed;
    if (seed_given_) seed = eval_.seed();
    for (const OptionCard& o : deck_.options) {
        if (o.name == "seed" && o.value && !seed_given_) seed = seed_of(*o.value);
        if (o.name == "devseed" && o.value) devseed = seed_of(*o.value);
    }
    if (seed) eval_.set_seed(*seed);
    const auto run = overrides_.find(kMonteCarloOverride);
    if (run == overrides_.end()) return;
    // A `.step mc` run: the random functions and both device seeds (cycle-to-cycle and
    // device-to-device) drawn afresh from (base seed, run number), so each run is another chip
    // and another sequence of cycles; the same run always draws the same.
    for (const SweepCard& s : deck_.steps)
        if (s.monte_carlo && s.seed) seed = seed_of(*s.seed);
    const auto k = static_cast<std::uint64_t>(run->second);
    const std::uint64_t run_seed = monte_carlo_seed(seed.value_or(0), k);
    const std::uint64_t run_devseed = devseed ? monte_carlo_seed(*devseed, k) : run_seed;
    eval_.set_seed(run_seed);
    for (auto [name, v] : {std::pair{"seed", run_seed}, std::pair{"devseed", run_devseed}}) {
        // After the netlist's own options, so that the devices take these (add_outputs).
        Option o;
        o.name = name;
        o.value = static_cast<double>(v);
        o.text = std::to_string(v);
        run_options_.push_back(std::move(o));
    }
}

BehaviouralExpr Elaborator::measure_expression(const MeasureCard& c, Scope& global) {
    // Names of the measurements of this analysis written before it are inputs; every other
    // name is a .param. ngspice evaluates these once the analysis is done, as here.
    auto earlier = [&](std::string_view name) {
        for (const Measure& m : net_.measures)
            if (m.analysis == c.analysis && m.name == name) return true;
        return false;
    };
    const char* no_signals = "a '.meas … param' expression reads .params and earlier measurements, not the "
                             "circuit's voltages or currents (measure them with FIND first)";
    BehaviouralResolver r(
        deck_, eval_, [&](const NameRef& n) -> std::string { files_.fail(n.loc, no_signals); },
        [&](std::string_view) -> std::string { files_.fail(c.param->loc, no_signals); });
    r.set_named_inputs(earlier);
    const ValueRef& v = *c.param;
    BehaviouralExpr out;
    if (v.is_name() && earlier(deck_.symbols.name(v.sym()))) {
        // A bare earlier measurement: the expression is its one input.
        out.names.push_back(deck_.symbols.name(v.sym()));
        BehaviouralExpr::Node in;
        in.op = BehaviouralExpr::Op::Input;
        in.a = 0;
        out.nodes.push_back(in);
    } else if (v.is_constant() || v.is_name()) {
        BehaviouralExpr::Node n;
        n.number = value(v, global);
        out.nodes.push_back(n);
    } else {
        out = r.resolve(deck_.exprs[static_cast<std::size_t>(v.expr)], global);
        if (!out.auxiliaries.empty())
            files_.fail(v.loc, "a '.meas … param' expression has no ddt() or sdt(): it is a number, not a waveform");
    }
    if (out.root < 0) out.root = 0;
    return out;
}

void Elaborator::check_conditions() {
    // Each .if was decided when the deck was read, with the .params before it; with the
    // overridden values it must come out the same, or the lines read would be the wrong ones.
    for (const ConditionCard& c : deck_.conditions) {
        Scope before;
        for (std::size_t k = 0; k < c.params_before; ++k)
            before.define(deck_.top.params[k].sym, deck_.top.params[k].value, deck_.top.params[k].loc);
        for (const auto& [raw_name, v] : overrides_) {
            const std::int64_t sym = deck_.symbols.find(to_lower(raw_name));
            if (sym >= 0) before.assign(static_cast<std::uint32_t>(sym), v, Loc{});
        }
        for (const FuncDef& f : deck_.top.funcs) before.define_function(&f);
        if ((eval_.value(c.condition, before) != 0) != c.taken)
            files_.fail(c.loc, fmt::format("this condition was {} when the netlist was read, and is {} with the values "
                                           "of this run (a .step or a changed .param): .if is decided once, as in "
                                           "ngspice; select with a parameter inside the expressions instead",
                                           c.taken ? "true" : "false", c.taken ? "false" : "true"));
    }
}

std::size_t Elaborator::count_elements(const Body& body, const Lexical* outer,
                                      std::unordered_map<const SubcktDef*, std::size_t>& counts) const {
    constexpr std::size_t limit = std::size_t{1} << 28;  // only a size hint: never reserve absurd amounts
    const Lexical here{&body, outer};
    std::size_t n = 0;
    for (const ElementCard& c : body.elements) {
        if (c.letter != 'x') {
            ++n;
            continue;
        }
        for (const Lexical* l = &here; l != nullptr; l = l->outer) {
            auto it = l->body->subckt_index.find(c.model.name);
            if (it == l->body->subckt_index.end()) continue;
            const SubcktDef* def = l->body->subckts[it->second].get();
            // A definition's own look-ups always go through the same enclosing bodies, so its
            // count does not depend on where it is instantiated. 0 marks one being counted:
            // recursion is reported later, by the expansion itself.
            auto [slot, fresh] = counts.try_emplace(def, 0);
            if (fresh) {
                std::size_t inner = count_elements(def->body, l, counts);
                counts[def] = inner;
                n += inner;
            } else {
                n += slot->second;
            }
            break;
        }
        if (n > limit) return limit;
    }
    return n;
}

void Elaborator::expand(const Frame& f) {
    emit_models(f);
    for (const ElementCard& c : f.body->elements) {
        if (c.letter == 'x')
            instantiate(f, c);
        else
            emit_element(f, c);
    }
}

void Elaborator::emit_models(const Frame& f) {
    for (const ModelCard& m : f.body->models) {
        Model& out = net_.models.emplace_back();
        out.name = f.path.empty() ? std::string(m.name.name) : f.path + "." + std::string(m.name.name);
        out.type = m.type;
        out.loc = files_.at(m.name.loc);
        out.params.reserve(m.params.size());
        for (const NamedValue& p : m.params) out.params.push_back(param(std::string(p.name), p.value, *f.scope));
        for (const NamedWord& w : m.words) {
            const std::int64_t sym = deck_.symbols.find(w.text);
            bool is_param = false;
            if (sym >= 0)
                for (Scope* s = f.scope; s && !is_param; s = s->parent())
                    is_param = s->find(static_cast<std::uint32_t>(sym)) != nullptr;
            if (is_param)
                out.params.push_back(Param{std::string(w.name), eval_.lookup(static_cast<std::uint32_t>(sym), w.value_loc,
                                                                                *f.scope),
                                           files_.at(w.loc)});
            else
                out.words.push_back(TextParam{std::string(w.name), w.text, files_.at(w.loc)});
        }
    }
}

std::string Elaborator::flat_node(const Frame& f, const NameRef& n) const {
    if (f.def == nullptr || n.name == "0") return std::string(n.name);
    const auto& ports = f.def->ports;
    if (!f.def->port_index.empty()) {
        auto it = f.def->port_index.find(n.name);
        if (it != f.def->port_index.end()) return (*f.actuals)[it->second];
    } else {
        for (std::size_t i = 0; i < ports.size(); ++i)
            if (ports[i].name == n.name) return (*f.actuals)[i];
    }
    if (!deck_.globals.empty() && deck_.globals.count(n.name) != 0) return std::string(n.name);
    std::string out;
    out.reserve(f.path.size() + 1 + n.name.size());
    out += f.path;
    out += '.';
    out += n.name;
    return out;
}

std::string Elaborator::flat_element(const Frame& f, std::string_view name) const {
    if (f.path.empty()) return std::string(name);
    // ngspice: letter, instance path, local name ("r.x1.r1").
    std::string out;
    out.reserve(name.size() + f.path.size() + 3);
    out += name[0];
    out += '.';
    out += f.path;
    out += '.';
    out += name;
    return out;
}

bool Elaborator::has_model(const Frame& f, std::string_view name) const {
    for (const Frame* g = &f; g != nullptr; g = g->parent)
        if (g->body->model_index.count(name) != 0) return true;
    return false;
}

std::string Elaborator::flat_model(const Frame& f, const NameRef& m) const {
    for (const Frame* g = &f; g != nullptr; g = g->parent)
        if (g->body->model_index.count(m.name) != 0)
            return g->path.empty() ? std::string(m.name) : g->path + "." + std::string(m.name);
    files_.fail(m.loc, "unknown model '" + std::string(m.name) + "'");
}

void Elaborator::emit_element(const Frame& f, const ElementCard& c) {
    Scope& scope = *f.scope;
    Element& e = net_.elements.emplace_back();
    e.name = flat_element(f, c.name.name);
    e.letter = c.letter;
    e.loc = files_.at(c.name.loc);
    const auto nodes = f.body->nodes_of(c);
    e.nodes.reserve(nodes.size());
    e.node_locs.reserve(nodes.size());
    for (const NameRef& n : nodes) {
        e.nodes.push_back(flat_node(f, n));
        e.node_locs.push_back(files_.at(n.loc));
    }
    // A bipolar transistor's substrate node is optional (Q c b e [s] model): the word read as
    // its model is the fourth node when it names no model and the word after it does.
    const NameRef* model = &c.model;
    bool substrate = false;
    if (c.letter == 'q' && c.extras && !c.extras->flags.empty() && !has_model(f, c.model.name) &&
        has_model(f, c.extras->flags.front().name)) {
        e.nodes.push_back(flat_node(f, c.model));
        e.node_locs.push_back(files_.at(c.model.loc));
        model = &c.extras->flags.front();
        substrate = true;
    }
    if (!model->name.empty()) {
        e.model = flat_model(f, *model);
        e.model_loc = files_.at(model->loc);
    }
    const auto values = f.body->values_of(c);
    if (!values.empty()) {
        e.values.reserve(values.size());
        for (const ValueRef& v : values) e.values.push_back(Value{value(v, scope), files_.at(v.loc)});
    }
    if (!c.extras) return;
    const CardExtras& x = *c.extras;
    for (const NameRef& r : x.refs) {
        e.refs.push_back(flat_element(f, r.name));
        e.ref_locs.push_back(files_.at(r.loc));
    }
    e.params.reserve(x.params.size());
    for (const NamedValue& p : x.params) e.params.push_back(param(std::string(p.name), p.value, scope));
    for (std::size_t k = substrate ? 1 : 0; k < x.flags.size(); ++k) e.flags.emplace_back(x.flags[k].name);
    if (x.behavioural) {
        BehaviouralResolver r(
            deck_, eval_, [&](const NameRef& n) { return flat_node(f, n); },
            [&](std::string_view name) { return flat_element(f, name); });
        auto& b = e.behavioural.emplace();
        b.voltage = x.behavioural->voltage;
        const ValueRef& v = x.behavioural->expr;
        if (v.is_constant() || v.is_name()) {
            // A plain number, `time`, or a parameter (a constant source).
            b.expr.nodes.push_back(BehaviouralExpr::Node{});
            if (v.is_name() && deck_.symbols.name(v.sym()) == "time")
                b.expr.nodes[0].op = BehaviouralExpr::Op::Time;
            else
                b.expr.nodes[0].number = value(v, scope);
            b.expr.root = 0;
        } else {
            b.expr = r.resolve(deck_.exprs[static_cast<std::size_t>(v.expr)], scope);
        }
        // The voltage inputs' nodes follow the terminals; the current inputs are references.
        for (const auto& [a, c] : b.expr.voltages) {
            e.nodes.push_back(a);
            e.nodes.push_back(c);
            e.node_locs.push_back(e.loc);
            e.node_locs.push_back(e.loc);
        }
        for (const auto& name : b.expr.currents) {
            e.refs.push_back(name);
            e.ref_locs.push_back(e.loc);
        }
    }
    if (x.source) e.source = make_source(*x.source, scope);
}

SourceSpec Elaborator::make_source(const SourceCard& s, Scope& scope) {
    SourceSpec out;
    if (s.dc) {
        out.dc = value(*s.dc, scope);
        out.has_dc = true;
    }
    if (s.has_ac) {
        out.has_ac = true;
        out.ac_mag = s.ac_mag ? value(*s.ac_mag, scope) : 1.0;
        out.ac_phase = s.ac_phase ? value(*s.ac_phase, scope) : 0.0;
    }
    Waveform& w = out.wave;
    w.kind = s.wave;
    if (s.wave != Waveform::Kind::None) {
        w.loc = files_.at(s.wave_loc);
        w.args.reserve(s.args.size());
        for (const ValueRef& a : s.args) w.args.push_back(value(a, scope));
        if (s.repeat) w.repeat = value(*s.repeat, scope);
        if (s.delay) w.delay = value(*s.delay, scope);
    }
    return out;
}

void Elaborator::instantiate(const Frame& f, const ElementCard& c) {
    const SubcktDef* def = nullptr;
    const Frame* where = nullptr;
    for (const Frame* g = &f; g != nullptr && def == nullptr; g = g->parent) {
        auto it = g->body->subckt_index.find(c.model.name);
        if (it != g->body->subckt_index.end()) {
            def = g->body->subckts[it->second].get();
            where = g;
        }
    }
    if (def == nullptr) files_.fail(c.model.loc, "unknown subcircuit '" + std::string(c.model.name) + "'");
    const std::string def_name(def->name.name);
    // Expansion recurses once per level: a bound keeps any thread's stack enough.
    if (active_.size() >= kMaxSubcircuitNesting)
        files_.fail(c.name.loc, fmt::format("subcircuits nested more than {} levels deep ('{}' inside '{}' inside ...)",
                                            kMaxSubcircuitNesting, def_name, active_.back()->name.name));
    if (std::find(active_.begin(), active_.end(), def) != active_.end()) {
        std::string chain;
        for (const SubcktDef* d : active_) chain += std::string(d->name.name) + " -> ";
        files_.fail(c.name.loc, "recursive subcircuit '" + def_name + "' (" + chain + def_name + ")");
    }
    const auto nodes = f.body->nodes_of(c);
    if (nodes.size() != def->ports.size())
        files_.fail(c.name.loc, fmt::format("subcircuit '{}' has {} node{}, {} connects {}", def_name,
                                            def->ports.size(), def->ports.size() == 1 ? "" : "s", c.name.name,
                                            nodes.size()));

    std::vector<std::string> actuals;
    actuals.reserve(nodes.size());
    for (const NameRef& n : nodes) actuals.push_back(flat_node(f, n));

    // Defaults and local .params are evaluated in the instance (so they may refer to each
    // other); the instance's own values are evaluated where the X card was written.
    Scope scope(where->scope);
    for (const ParamCard& p : def->defaults) scope.define(p.sym, p.value, p.loc);
    for (const ParamCard& p : def->body.params) scope.define(p.sym, p.value, p.loc);
    if (c.extras) {
        for (const NamedValue& p : c.extras->params) {
            std::int64_t sym = deck_.symbols.find(p.name);
            bool declared = sym >= 0 && std::any_of(def->defaults.begin(), def->defaults.end(),
                                                    [&](const ParamCard& d) { return d.sym == sym; });
            if (!declared)
                files_.fail(p.loc, "subcircuit '" + def_name + "' has no parameter '" + std::string(p.name) + "'");
            scope.assign(static_cast<std::uint32_t>(sym), value(p.value, *f.scope), p.loc);
        }
    }
    for (const FuncDef& fn : def->body.funcs) scope.define_function(&fn);
    eval_.evaluate_all(scope);

    Frame child;
    child.body = &def->body;
    child.scope = &scope;
    child.path = f.path.empty() ? std::string(c.name.name) : f.path + "." + std::string(c.name.name);
    child.parent = where;
    child.def = def;
    child.actuals = &actuals;
    active_.push_back(def);
    expand(child);
    active_.pop_back();
}

void Elaborator::add_analyses(Scope& global) {
    for (const AnalysisCard& a : deck_.analyses) {
        Analysis& out = net_.analyses.emplace_back();
        out.card = a.card;
        out.loc = files_.at(a.loc);
        out.uic = a.uic;
        if (a.card == "tran") tran_times(a, out, global);
        for (const SweepCard& s : a.sweeps) out.sweeps.push_back(sweep_spec(s, ".dc", global));
        if (a.frequencies) out.frequencies = frequency_sweep(*a.frequencies, "." + a.card, global);
        if (!a.output.empty()) {
            out.output = a.output;
            out.output_loc = files_.at(a.output_loc);
        }
        if (!a.input.name.empty()) {
            out.input = std::string(a.input.name);
            out.input_loc = files_.at(a.input.loc);
        }
        if (a.points_per_summary)
            out.points_per_summary = whole_number(*a.points_per_summary, 0, "'.noise' points per summary", global);
        if (a.fundamental) {
            out.fundamental = value(*a.fundamental, global);
            if (!(out.fundamental > 0))
                files_.fail(a.fundamental->loc,
                            fmt::format("'.four' fundamental frequency must be positive, got {:g}", out.fundamental));
        }
        out.vectors = a.vectors;
        for (Loc l : a.vector_locs) out.vector_locs.push_back(files_.at(l));
        for (const NameRef& p : a.ports) {
            out.ports.emplace_back(p.name);
            out.port_locs.push_back(files_.at(p.loc));
        }
        out.current_input = a.current_input;
        out.poles = a.poles;
        out.zeros = a.zeros;
    }
}

void Elaborator::tran_times(const AnalysisCard& a, Analysis& out, Scope& global) {
    std::vector<double> t;
    for (const ValueRef& v : a.times) t.push_back(value(v, global));
    auto check = [&](std::size_t i, bool ok, const char* message) {
        if (!ok) files_.fail(a.times[i].loc, message);
    };
    check(0, t[0] > 0, "'.tran' time step must be positive");
    check(1, t[1] > 0, "'.tran' stop time must be positive");
    out.tstep = t[0];
    out.tstop = t[1];
    if (t.size() > 2) {
        check(2, t[2] >= 0 && t[2] < t[1], "'.tran' start time must be at least 0 and before the stop time");
        out.tstart = t[2];
    }
    if (t.size() > 3) {
        check(3, t[3] > 0, "'.tran' maximum step must be positive");
        out.tmax = t[3];
    }
    // Without tmax the solver steps by at most min(tstep, (tstop - tstart)/50); the second term
    // only ever adds 50 points, so testing tstep is the same test and the default stays the
    // solver's alone.
    const double span = out.tstop - out.tstart;
    const double bound = out.tmax ? *out.tmax : out.tstep;
    if (span / bound > 1e9)
        files_.fail(a.times[out.tmax ? 3 : 0].loc,
                    fmt::format("'.tran': {:g} s in steps of at most {:g} s would take more than 10^9 time points; "
                                "raise tstep or tmax",
                                span, bound));
}

long Elaborator::whole_number(const ValueRef& v, long min, const std::string& what, Scope& global) {
    const double x = value(v, global);
    // The bound keeps the conversion to long exact; counts that large are refused later anyway.
    if (!(x >= static_cast<double>(min)) || x != std::floor(x) || x > 1e15)
        files_.fail(v.loc, fmt::format("{} must be {}, got {:g}", what,
                                       min > 0 ? "a positive integer" : "an integer of 0 or more", x));
    return static_cast<long>(x);
}

FrequencySweep Elaborator::frequency_sweep(const FrequencyCard& f, const std::string& card, Scope& global) {
    using Kind = FrequencySweep::Kind;
    FrequencySweep out;
    out.kind = f.kind;
    out.loc = files_.at(f.loc);
    const std::string what =
        "'" + card + (f.kind == Kind::Dec ? " dec'" : f.kind == Kind::Oct ? " oct'" : " lin'");
    out.points = whole_number(f.points, 1, what + " number of points", global);
    out.fstart = value(f.fstart, global);
    out.fstop = value(f.fstop, global);
    if (f.kind == Kind::Lin) {
        if (out.fstart < 0) files_.fail(f.fstart.loc, what + " start frequency must not be negative");
    } else {
        if (!(out.fstart > 0)) files_.fail(f.fstart.loc, what + " start frequency must be positive");
        if (!(out.fstop > 0)) files_.fail(f.fstop.loc, what + " stop frequency must be positive");
    }
    if (out.fstop < out.fstart)
        files_.fail(f.fstop.loc, fmt::format("{} stop frequency {:g} is below the start frequency {:g}", what,
                                             out.fstop, out.fstart));
    const double decades = f.kind == Kind::Lin ? 0.0
                           : f.kind == Kind::Dec ? std::log10(out.fstop / out.fstart)
                                                 : std::log2(out.fstop / out.fstart);
    const double count = f.kind == Kind::Lin ? static_cast<double>(out.points)
                                             : std::floor(decades * static_cast<double>(out.points)) + 1;
    if (count > max_sweep_points)
        files_.fail(f.points.loc, what + " sweep has too many points (more than 10^8)");
    return out;
}

SweepSpec Elaborator::sweep_spec(const SweepCard& s, const std::string& card, Scope& global) {
    SweepSpec sw;
    sw.kind = s.kind;
    sw.name = std::string(s.name.name);
    sw.param_keyword = s.param_keyword;
    sw.loc = files_.at(s.name.loc);
    const std::string what = "'" + card + " " + sw.name + "'";
    // After these checks every sweep has at least one point (a list has values: the card
    // parser makes sure), so the solver may assert what it relies on.
    if (s.kind == SweepSpec::Kind::List) {
        for (const ValueRef& v : s.list) sw.list.push_back(value(v, global));
        return sw;
    }
    sw.start = value(s.start, global);
    sw.stop = value(s.stop, global);
    sw.step = value(s.step, global);
    double count = 0;  // as the solver counts them
    if (s.kind == SweepSpec::Kind::Lin) {
        if (sw.step == 0) files_.fail(s.step.loc, what + " increment is zero");
        if ((sw.stop - sw.start) * sw.step < 0)
            files_.fail(s.step.loc,
                        fmt::format("{} increment {} cannot go from {} to {}", what, sw.step, sw.start, sw.stop));
        count = std::floor((sw.stop - sw.start) / sw.step + 1e-9) + 1;
    } else {
        const char* per = s.kind == SweepSpec::Kind::Dec ? "decade" : "octave";
        if (!(sw.start > 0)) files_.fail(s.start.loc, what + " logarithmic sweep needs a positive start");
        if (!(sw.stop > 0)) files_.fail(s.stop.loc, what + " logarithmic sweep needs a positive stop");
        if (!(sw.step > 0)) files_.fail(s.step.loc, what + " needs a positive number of points per " + per);
        if (sw.step < 1)
            files_.fail(s.step.loc, what + " logarithmic sweep needs at least one point per " + per);
        const double base = s.kind == SweepSpec::Kind::Dec ? 10.0 : 2.0;
        count = std::floor(std::fabs(std::log(sw.stop / sw.start)) / std::log(base) * sw.step + 1e-9) + 1;
    }
    if (count > max_sweep_points)
        files_.fail(s.step.loc, what + " sweep has too many points (more than 10^8)");
    return sw;
}

void Elaborator::add_steps(Scope& global) {
    for (const SweepCard& s : deck_.steps) {
        // Bounds are evaluated with this elaboration's values; the solver takes the step points
        // from `read_steps`, without overrides, so a stepped value never moves its own range.
        if (s.monte_carlo) {
            if (const double runs = value(s.stop, global); !(runs >= 1 && runs == std::floor(runs)))
                files_.fail(s.stop.loc, fmt::format("'.step mc' needs a whole number of runs, at least 1, not {}", runs));
            SweepSpec sw = sweep_spec(s, ".step", global);
            sw.is_monte_carlo = true;
            for (const SweepSpec& earlier : net_.steps)
                if (earlier.is_monte_carlo) files_.fail(s.name.loc, "a second '.step mc': one Monte Carlo series per deck");
            net_.steps.push_back(std::move(sw));
            continue;
        }
        SweepSpec sw = sweep_spec(s, ".step", global);
        const std::int64_t sym = deck_.symbols.find(s.name.name);
        const bool is_param = sym >= 0 && global.find(static_cast<std::uint32_t>(sym)) != nullptr;
        const auto& top = deck_.top.elements;
        const bool is_source = !s.param_keyword && std::any_of(top.begin(), top.end(), [&](const ElementCard& e) {
            return (e.letter == 'v' || e.letter == 'i') && e.name.name == s.name.name;
        });
        if (s.param_keyword && !is_param)
            files_.fail(s.name.loc, fmt::format("'.step param {}': no top-level .param named '{}' (.step sets only "
                                                "top-level .param values, not subcircuit parameters)",
                                                sw.name, sw.name));
        sw.is_temperature = !is_param && !is_source && !s.param_keyword && sw.name == "temp";
        if (!is_param && !is_source && !sw.is_temperature) {
            files_.fail(s.name.loc, fmt::format("'.step' cannot step '{}': it is neither a top-level .param nor an "
                                                "independent source of the top level",
                                                sw.name));
        }
        for (const SweepSpec& earlier : net_.steps)
            if (earlier.name == sw.name)
                files_.fail(s.name.loc, "'" + sw.name + "' is already stepped by an earlier .step");
        // As for .dc, a source named like a .param is the source unless `param` was written.
        sw.is_source = is_source;
        net_.steps.push_back(std::move(sw));
    }
}

void Elaborator::add_outputs(Scope& global) {
    for (const OptionCard& o : deck_.options) {
        Option& out = net_.options.emplace_back();
        out.name = o.name;
        if (o.value) out.value = value(*o.value, global);
        out.text = o.text;
        out.loc = files_.at(o.loc);
    }
    for (const Option& o : run_options_) net_.options.push_back(o);
    if (auto t = overrides_.find(kTemperatureOverride); t != overrides_.end()) {
        // A swept temperature (.step temp, .dc temp) replaces the netlist's for the devices.
        Option& out = net_.options.emplace_back();
        out.name = "temp";
        out.value = t->second;
        out.text = fmt::format("{}", t->second);
    }
    auto requests = [&](const std::vector<OutputCard>& in, std::vector<OutputRequest>& out) {
        for (const OutputCard& c : in) {
            OutputRequest& r = out.emplace_back();
            r.analysis = c.analysis;
            r.loc = files_.at(c.loc);
            r.items = c.items;
            for (Loc l : c.item_locs) r.item_locs.push_back(files_.at(l));
        }
    };
    requests(deck_.prints, net_.prints);
    requests(deck_.saves, net_.saves);
    auto cross = [&](const std::optional<MeasureCard::Cross>& c) -> std::optional<Measure::Cross> {
        if (!c) return std::nullopt;
        Measure::Cross out;
        out.vector = c->vector;
        out.loc = files_.at(c->loc);
        if (c->value) out.value = value(*c->value, global);
        out.other = c->other;
        if (!c->other.empty()) out.other_loc = files_.at(c->other_loc);
        if (c->td) out.td = value(*c->td, global);
        out.count = c->count;
        out.last = c->last;
        out.edge = c->edge;
        return out;
    };
    for (const MeasureCard& c : deck_.measures) {
        // Resolved before the measurement joins the earlier ones: it may not read itself.
        std::optional<BehaviouralExpr> expr;
        if (c.param) expr = measure_expression(c, global);
        Measure& m = net_.measures.emplace_back();
        m.expr = std::move(expr);
        m.analysis = c.analysis;
        m.name = c.name;
        m.kind = c.kind;
        m.vector = c.vector;
        m.vector_loc = files_.at(c.vector_loc);
        if (c.at) m.at = value(*c.at, global);
        if (c.from) m.from = value(*c.from, global);
        if (c.to) m.to = value(*c.to, global);
        m.when = cross(c.when);
        m.trig = cross(c.trig);
        m.targ = cross(c.targ);
        m.loc = files_.at(c.loc);
    }
    auto node_values = [&](const std::vector<NodeValueCard>& in, std::vector<NodeValue>& out) {
        for (const NodeValueCard& c : in)
            out.push_back(NodeValue{std::string(c.node.name), value(c.value, global), files_.at(c.loc)});
    };
    node_values(deck_.nodesets, net_.nodesets);
    node_values(deck_.ics, net_.ics);
}

}  // namespace ionspice::parser
