#include "solver/Session.hpp"

#include <chrono>
#include <utility>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "solver/OutputWriters.hpp"
#include "solver/SimulationError.hpp"
#include "solver/Transient.hpp"
#include "solver/analyses/Analysis.hpp"

namespace ionspice::solver {

Session::Session(parser::Deck deck, SimulateSettings settings)
    : deck_(std::move(deck)), settings_(std::move(settings)), date_(raw_date()) {
    if (const auto steps = parser::read_steps(deck_); !steps.empty())
        throw parser::NetlistError(steps.front().loc,
                                   "a kept circuit is one circuit: run a netlist with .step lines as a whole");
    base_ = std::make_unique<BoundNetlist>(deck_, params_, SourceValues{});
    ctx_ = std::make_unique<AnalysisContext>(deck_, settings_, step_, date_, *base_, result_);
    ctx_->warm_start = true;
    if (settings_.log)
        for (const auto& w : base_->warnings()) fmt::print(*settings_.log, "{}\n", w);
}

Session::~Session() = default;

models::Device& Session::device(const std::string& name) const {
    models::Device* d = base_->circuit->find_device(name);
    if (!d) throw SimulationError(fmt::format("no element named '{}'", name));
    return *d;
}

void Session::set_param(const std::string& name, double value) {
    const auto before = params_;
    params_[name] = value;
    try {
        rebind();
    } catch (...) {
        params_ = before;
        throw;
    }
}

namespace {

/// The names ngspice's `alter` knows for an element's own value.
bool is_main_value(char letter, const std::string& param) {
    if (param.empty()) return true;
    switch (letter) {
    case 'r': return param == "r" || param == "resistance";
    case 'c': return param == "c" || param == "capacitance";
    case 'l': return param == "l" || param == "inductance";
    case 'v':
    case 'i': return param == "dc";
    case 'e':
    case 'f':
    case 'g':
    case 'h': return param == "gain";
    default: return false;
    }
}

template <class Params>  // a model's std::vector, an element's BoxedVector
void put_param(Params& params, const std::string& name, double value, const parser::SourceLoc& loc) {
    for (auto& p : params)
        if (p.name == name) {
            p.value = value;
            return;
        }
    params.push_back({name, value, loc});
}

}  // namespace

void Session::alter(const std::string& element, const std::string& param, double value) {
    bool found = false;
    for (const auto& e : base_->netlist.elements) found = found || e.name == element;
    if (!found) throw SimulationError(fmt::format("alter: no element named '{}'", element));
    alter_and_rebind({false, element, param, value});
}

void Session::altermod(const std::string& name, const std::string& param, double value) {
    // As ngspice's: `name` is a model, or an element whose model is meant.
    std::string model = name;
    bool found = false;
    for (const auto& m : base_->netlist.models) found = found || m.name == model;
    for (const auto& e : base_->netlist.elements)
        if (!found && e.name == name && !e.model.empty()) model = e.model, found = true;
    if (!found) throw SimulationError(fmt::format("altermod: no model (or element with a model) named '{}'", name));
    alter_and_rebind({true, model, param, value});
}

namespace {

/// The waveform kind a vector parameter names (`@v1[pulse]`), or None: the deterministic ones,
/// whose arguments are the waveform (a random one's are not what it gives).
parser::Waveform::Kind waveform_kind(const std::string& name) {
    using K = parser::Waveform::Kind;
    const K k = parser::waveform_kind(name);
    return k == K::Trnoise || k == K::Trrandom ? K::None : k;
}

}  // namespace

void Session::alter_waveform(const std::string& element, const std::string& kind, std::vector<double> args) {
    bool found = false;
    for (const auto& e : base_->netlist.elements) found = found || (e.name == element && e.source);
    if (!found) throw SimulationError(fmt::format("alter: no independent source named '{}'", element));
    if (waveform_kind(kind) == parser::Waveform::Kind::None)
        throw SimulationError(fmt::format("alter: '{}' is not a waveform (pulse, pwl, sin, exp, sffm or am)", kind));
    Alteration a{false, element, kind, 0, std::move(args)};
    alter_and_rebind(std::move(a));
}

std::optional<std::vector<double>> Session::waveform(const std::string& name, const std::string& kind) const {
    const auto k = waveform_kind(kind);
    for (const auto& e : base_->netlist.elements)
        if (e.name == name && e.source && k != parser::Waveform::Kind::None && e.source->wave.kind == k)
            return e.source->wave.args;
    return std::nullopt;
}

void Session::alter_and_rebind(Alteration a) {
    // A value the element refuses leaves the session as it was, not stuck with it.
    alterations_.push_back(std::move(a));
    try {
        rebind();
    } catch (...) {
        alterations_.pop_back();
        throw;
    }
}

void Session::alter_param(const std::string& name, double value) {
    bool found = false;
    for (const auto& p : base_->netlist.params) found = found || p.name == name;
    if (!found) throw SimulationError(fmt::format("alterparam: no .param named '{}'", name));
    reset_params_[name] = value;
}

void Session::reset() {
    alterations_.clear();
    params_ = reset_params_;
    rebind();
}

void Session::rebind() {
    const auto t0 = std::chrono::steady_clock::now();
    parser::Netlist n = parser::elaborate(deck_, params_);
    for (const auto& a : alterations_) {
        if (a.model) {
            for (auto& m : n.models)
                if (m.name == a.name) put_param(m.params, a.param, a.value, m.loc);
            continue;
        }
        for (auto& e : n.elements) {
            if (e.name != a.name) continue;
            if (!a.args.empty() && e.source) {
                e.source->wave.kind = waveform_kind(a.param);
                e.source->wave.args = a.args;
                e.source->wave.repeat.reset();
                e.source->wave.delay.reset();
            } else if (!is_main_value(e.letter, a.param)) {
                put_param(e.params, a.param, a.value, e.loc);
            } else if (e.source) {
                e.source->dc = a.value;
                e.source->has_dc = true;
            } else if (!e.values.empty()) {
                e.values[0].value = a.value;
            } else {
                // The value written as r=… (or behavioural): the keyed form is the one to set.
                const std::string key = a.param.empty() ? std::string(1, e.letter) : a.param;
                put_param(e.params, key, a.value, e.loc);
            }
        }
    }
    BoundNetlist fresh(std::move(n), SourceValues{}, seconds_since(t0));
    // The states set between runs are the session's, not the netlist's: they survive (those of
    // devices the new values removed are dropped).
    for (auto it = states_.begin(); it != states_.end();) {
        models::Device* d = fresh.circuit->find_device(it->first);
        if (d && d->held_state()) {
            d->set_held_state(it->second);
            ++it;
        } else {
            it = states_.erase(it);
        }
    }
    *base_ = std::move(fresh);
    ctx_->forget_probes();
}

std::optional<double> Session::parameter(const std::string& name, const std::string& param) const {
    const parser::Netlist& n = base_->netlist;
    auto in = [&](std::span<const parser::Param> ps) -> std::optional<double> {
        for (const auto& p : ps)
            if (p.name == param) return p.value;
        return std::nullopt;
    };
    for (const auto& m : n.models)
        if (m.name == name) return in(m.params);
    for (const auto& e : n.elements) {
        if (e.name != name) continue;
        if (auto v = in(e.params)) return v;
        if (is_main_value(e.letter, param)) {
            if (e.source) return e.source->dc;
            if (!e.values.empty()) return e.values[0].value;
        }
        const std::vector<double>& x = ctx_->last_solution;
        if (const models::Device* d = base_->circuit->find_device(name);
            d && static_cast<int>(x.size()) == base_->circuit->size()) {
            if (auto v = d->quantity(param, x.data(), nullptr)) return v;  // the last point, as at DC
            const auto q = d->output_quantities();
            for (std::size_t k = 0; k < q.size(); ++k)
                if (q[k] == param) {
                    std::vector<double> out(q.size());
                    d->outputs(x.data(), out.data());
                    return out[k];
                }
        }
        return std::nullopt;
    }
    throw SimulationError(fmt::format("no element or model named '{}'", name));
}

void Session::set_state(const std::string& name, double s) {
    models::Device& d = device(name);
    try {
        d.set_held_state(s);
        states_[d.name()] = s;
    } catch (const models::DeviceError& e) {
        throw SimulationError(e.what());
    }
}

double Session::state(const std::string& name) const {
    const models::Device& d = device(name);
    if (auto s = d.held_state()) return *s;
    throw SimulationError(fmt::format("{} has no state", name));
}

std::size_t Session::hold_states() {
    const Circuit& c = *base_->circuit;
    const std::vector<double>& x = ctx_->last_solution;
    if (static_cast<int>(x.size()) != c.size()) return 0;
    std::size_t changed = 0;
    for (const auto& d : c.devices()) {
        const auto held = d->held_state();
        const int i = held ? c.state_index(d->name()) : -2;
        if (i < 0 || x[i] == *held) continue;
        d->set_held_state(x[i]);
        states_[d->name()] = x[i];
        ++changed;
    }
    return changed;
}

SimulationResult Session::take() { return std::exchange(result_, SimulationResult{}); }

void Session::arm_stop() {
    // A new run forgets a transient stopped before it (as ngspice's next `tran` does).
    ctx_->stop_at = stop_at_;
    ctx_->paused_card.reset();
    if (stop_at_ > 0 && !pause_) pause_ = std::make_unique<TranPause>();
    if (pause_) pause_->paused = false;
    ctx_->pause = stop_at_ > 0 ? pause_.get() : nullptr;
}

bool Session::paused() const { return pause_ && pause_->paused && ctx_->paused_card; }

SimulationResult Session::resume() {
    if (!paused()) throw SimulationError("'resume': no transient was stopped (use 'stop when time = t' before 'tran')");
    result_ = SimulationResult{};
    ctx_->stop_at = 0;  // the stop was met: on to the end
    ctx_->pause = pause_.get();
    const parser::Analysis card = *ctx_->paused_card;
    ctx_->paused_card.reset();
    run_in_context({card});
    ctx_->pause = nullptr;
    return take();
}

void Session::run_in_context(const std::vector<parser::Analysis>& cards) {
    for (const auto& c : cards)
        if (c.card == "tran") last_tran_ = c;
    run_cards(*ctx_, cards);
}

SimulationResult Session::run() {
    result_ = SimulationResult{};
    arm_stop();
    run_in_context(base_->netlist.analyses);
    return take();
}

SimulationResult Session::run(std::string_view card) {
    // The card as a netlist of its own, so that it is read (and its mistakes located) exactly as
    // in a netlist.
    const parser::Netlist n = parser::elaborate(parser::parse_deck(fmt::format("* analysis\n{}\n", card), "<analysis>"));
    if (n.analyses.size() != 1)
        throw SimulationError(fmt::format("'{}' is not one analysis card (.op, .dc, .tran, .ac, .noise, .tf)", card));
    result_ = SimulationResult{};
    arm_stop();
    run_in_context(n.analyses);
    return take();
}

}  // namespace ionspice::solver
