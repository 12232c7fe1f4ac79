#include "solver/Circuit.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <span>

#include <fmt/format.h>

#include "models/Registry.hpp"
#include "solver/BehaviouralFunction.hpp"

namespace ionspice::solver {

using models::DeviceError;
using models::Index;
using models::kGround;
using parser::NetlistError;

namespace {

bool is_ground(std::string_view node) { return node == "0" || node == "gnd"; }

/// The elements' terminal names in order.
class TerminalCursor {
public:
    explicit TerminalCursor(const std::vector<parser::Element>& elements) : elements_(elements) {}
    /// The next terminal's name; null after the last.
    const std::string* next() {
        while (e_ < elements_.size() && n_ >= elements_[e_].nodes.size()) ++e_, n_ = 0;
        return e_ < elements_.size() ? &elements_[e_].nodes[n_++] : nullptr;
    }

private:
    const std::vector<parser::Element>& elements_;
    std::size_t e_ = 0, n_ = 0;
};

const parser::SourceLoc& param_loc(std::span<const parser::Param> ps, const std::string& name,
                                   const parser::SourceLoc& fallback) {
    for (const auto& p : ps)
        if (p.name == name) return p.loc;
    return fallback;
}

/// Where a model parameter was written, numeric or word.
const parser::SourceLoc& model_param_loc(const parser::Model& m, const std::string& name) {
    for (const auto& w : m.words)
        if (w.name == name) return w.loc;
    return param_loc(m.params, name, m.loc);
}

std::map<std::string, double> to_map(const std::vector<parser::Param>& ps) {
    std::map<std::string, double> m;
    for (const auto& p : ps) m[p.name] = p.value;
    return m;
}

models::Waveform to_model(const parser::Waveform& w) {
    models::Waveform m;
    m.kind = static_cast<models::Waveform::Kind>(static_cast<int>(w.kind));
    m.args = w.args;
    m.repeat = w.repeat;
    m.delay = w.delay;
    return m;
}

const char* letter_name(char c) {
    switch (c) {
    case 'r': return "resistor";
    case 'c': return "capacitor";
    case 'l': return "inductor";
    case 'v': return "voltage source";
    case 'i': return "current source";
    case 'e': return "voltage-controlled voltage source";
    case 'f': return "current-controlled current source";
    case 'g': return "voltage-controlled current source";
    case 'h': return "current-controlled voltage source";
    case 'd': return "diode";
    case 'm': return "MOSFET";
    case 'q': return "bipolar transistor";
    case 'j': return "JFET";
    case 'k': return "coupled inductor";
    case 's': return "voltage-controlled switch";
    case 'w': return "current-controlled switch";
    case 'b': return "behavioural source";
    case 'n': return "memory device";
    default: return "element";
    }
}

}  // namespace

Circuit::Circuit(const parser::Netlist& netlist, const SimOptions& options) {
    bind(netlist, options);
    history_ = std::make_unique<DeviceHistory>(history_size_);
    build_pattern();
    load_linear(options.shunt());
}

Circuit::~Circuit() = default;

double Circuit::abs_tol(int i, const SimOptions& o) const {
    switch (unknowns_[i].kind) {
    case UnknownKind::Voltage: return o.vntol;
    case UnknownKind::Current: return o.abstol;
    case UnknownKind::State: return o.stol;
    }
    return o.vntol;
}

int Circuit::node_index(std::string_view node) const {
    if (is_ground(node)) return kGround;
    const int* i = node_of_.find(node);
    return i ? *i : -2;
}

int Circuit::branch_index(std::string_view device) const {
    const int* i = branch_of_.find(device);
    return i ? *i : -2;
}

int Circuit::state_index(std::string_view device) const {
    const int* i = state_of_.find(device);
    return i ? *i : -2;
}

models::Device* Circuit::find_device(std::string_view name) const {
    models::Device* const* d = device_of_.find(name);
    return d ? *d : nullptr;
}

std::size_t Circuit::index_of(const models::Device* d) const {
    // Built on first use: savecurrents asks for every device of a large circuit.
    std::call_once(index_once_, [&] {
        index_of_.reserve(devices_.size());
        for (std::size_t k = 0; k < devices_.size(); ++k) index_of_.emplace(devices_[k].get(), k);
    });
    const auto it = index_of_.find(d);
    if (it == index_of_.end()) throw std::logic_error("device not in circuit");
    return it->second;
}

const parser::Element& Circuit::element_of(const models::Device* d) const { return *element_[index_of(d)]; }

double Circuit::terminal_current(const models::Device& d, int row, const double* x, const double* xdot) const {
    std::call_once(row_slots_once_, [&] {
        row_slots_.assign(static_cast<std::size_t>(size()), {});
        for (int c = 0; c < size(); ++c)
            for (int k = col_ptr_[static_cast<std::size_t>(c)]; k < col_ptr_[static_cast<std::size_t>(c) + 1]; ++k)
                row_slots_[static_cast<std::size_t>(row_idx_[static_cast<std::size_t>(k)])].emplace_back(k, c);
    });
    const std::size_t at = index_of(&d);
    // Scratch stamps, reused: the device adds into every row it touches, but only this row's
    // entries are read, and they are cleared first.
    thread_local std::vector<double> f, q, jf, jq;
    const auto n = static_cast<std::size_t>(size()), m = static_cast<std::size_t>(nnz());
    for (auto* v : {&f, &q}) v->resize(std::max(v->size(), n));
    for (auto* v : {&jf, &jq}) v->resize(std::max(v->size(), m));
    const auto& slots = row_slots_[static_cast<std::size_t>(row)];
    f[static_cast<std::size_t>(row)] = 0;
    for (const auto& [k, c] : slots) jq[static_cast<std::size_t>(k)] = 0;
    // An evaluation outside Newton's sequence: the device's history values as they were after.
    const auto [first, count] = history_range_[at];
    double* now = history_->now.data() + first;
    const std::vector<double> kept(now, now + count);
    models::LoadContext ctx;
    ctx.x = x;
    ctx.dc = false;
    ctx.history = history_->now.data();
    ctx.accepted = history_->accepted.data();
    devices_[at]->load(ctx, models::Stamp{jf.data(), jq.data(), f.data(), q.data()});
    std::copy(kept.begin(), kept.end(), now);
    double i = f[static_cast<std::size_t>(row)];
    for (const auto& [k, c] : slots) i += jq[static_cast<std::size_t>(k)] * xdot[c];
    return i;
}

namespace {

class CardDeclarer final : public models::Declarer {
public:
    CardDeclarer(std::vector<Unknown>& unknowns, std::size_t& history, const std::string& device,
                 const int* terminals, std::size_t count)
        : unknowns_(unknowns), history_(history), device_(device), terminals_(terminals), count_(count) {}

    Index terminal(std::size_t k) const override {
        if (k >= count_)
            throw DeviceError(DeviceError::Where::Instance, "",
                              fmt::format("{} asks for terminal {} but has {}", device_, k + 1, count_));
        return terminals_[k];
    }
    Index add_node(std::string_view suffix) override {
        return add(fmt::format("v({}#{})", device_, suffix), UnknownKind::Voltage);
    }
    Index add_branch() override {
        Index i = add(fmt::format("i({})", device_), UnknownKind::Current);
        if (branch < 0) branch = i;
        return i;
    }
    Index add_state(std::string_view suffix) override {
        Index i = add(suffix.empty() ? fmt::format("x({})", device_) : fmt::format("x({}#{})", device_, suffix),
                      UnknownKind::State);
        if (state < 0) state = i;
        return i;
    }
    std::size_t add_history(std::size_t count) override {
        const std::size_t first = history_;
        history_ += count;
        return first;
    }

    Index branch = -1, state = -1;

private:
    Index add(std::string name, UnknownKind kind) {
        unknowns_.push_back({std::move(name), kind});
        return static_cast<Index>(unknowns_.size() - 1);
    }
    std::vector<Unknown>& unknowns_;
    std::size_t& history_;
    const std::string& device_;
    const int* terminals_;
    std::size_t count_;
};

}  // namespace

void Circuit::bind(const parser::Netlist& netlist, const SimOptions& options) {
    auto& registry = models::Registry::instance();
    // Instances' notes by element letter and parameter: (its warning, how many more said it).
    std::map<std::string, std::pair<std::size_t, std::size_t>> instance_notes;

    // External nodes first, in order of appearance, so voltages are contiguous and read in the
    // order the user wrote them. The terminals of all elements go into one flat array.
    std::size_t written = 0;  // terminals
    for (const auto& e : netlist.elements) written += e.nodes.size();
    std::vector<int> terminals;
    terminals.reserve(written);
    std::vector<std::size_t> first_terminal;
    first_terminal.reserve(netlist.elements.size() + 1);
    node_of_.reserve(netlist.elements.size());
    // Room for every node, and a branch or state per element, so that the names are never
    // moved (capacity that is never written costs no memory).
    unknowns_.reserve(written + netlist.elements.size());
    // In an array of millions of nodes nearly every look-up misses the cache: each name is
    // hashed, and its slot asked for, well before its turn (HashAhead).
    HashAhead<int> hashes(node_of_);
    TerminalCursor lead(netlist.elements);
    auto feed = [&] {
        const std::string* n = lead.next();
        if (n && !is_ground(*n)) hashes.ahead(*n);
        else hashes.skip();
    };
    for (std::size_t k = 0; k < HashAhead<int>::kAhead; ++k) feed();
    for (const auto& e : netlist.elements) {
        first_terminal.push_back(terminals.size());
        for (const auto& n : e.nodes) {
            const std::uint64_t h = hashes.take();
            feed();
            if (is_ground(n)) {
                terminals.push_back(kGround);
                continue;
            }
            auto [at, added] = node_of_.try_emplace(n, h, static_cast<int>(unknowns_.size()));
            if (added) unknowns_.push_back({"v(" + n + ")", UnknownKind::Voltage});
            terminals.push_back(*at);
        }
    }
    first_terminal.push_back(terminals.size());
    device_of_.reserve(netlist.elements.size());

    std::unordered_map<std::string, const parser::Model*> model_by_name;
    for (const auto& m : netlist.models) model_by_name.emplace(m.name, &m);
    struct Prepared {
        const models::ModelCard* card;
        const models::ModelParams* params;
        const models::Registration* reg;
        /// Parameters on the model line that the model does not know: ngspice's instance
        /// parameter defaults (`.model myres r(resistance=2k)`), given to every instance that
        /// does not set them itself (null: none).
        const std::vector<std::pair<std::string, double>>* instance_defaults;
    };
    std::deque<std::vector<std::pair<std::string, double>>> defaults_of_models;
    std::unordered_map<std::string, Prepared> prepared;

    devices_.reserve(netlist.elements.size());
    element_.reserve(netlist.elements.size());
    models::InstanceCard card;  // reused: assignments keep their capacity
    card.temp = options.temp;
    card.tnom = options.tnom;
    card.gmin = options.gmin;
    card.seed = options.seed;
    card.device_seed = options.device_seed.value_or(options.seed);
    for (std::size_t k = 0; k < netlist.elements.size(); ++k) {
        const auto& e = netlist.elements[k];
        const models::Registration* reg = nullptr;
        const parser::Model* model = nullptr;
        Prepared prep{nullptr, nullptr, nullptr, nullptr};
        if (!e.model.empty()) {
            auto it = model_by_name.find(e.model);
            if (it == model_by_name.end())
                throw NetlistError(e.model_loc, fmt::format("unknown model '{}'", e.model));
            model = it->second;
            if (auto p = prepared.find(model->name); p != prepared.end() && p->second.reg->letter == e.letter) {
                prep = p->second;
                reg = prep.reg;
            } else {
                int level = 1;
                for (const auto& p : model->params)
                    if (p.name == "level") level = static_cast<int>(std::lround(p.value));
                reg = registry.find(e.letter, model->type, level);
                if (!reg) {
                    if (!registry.knows_type(e.letter, model->type))
                        throw NetlistError(e.model_loc,
                                           fmt::format("model '{}' is of type '{}', which a {} cannot use",
                                                       model->name, model->type, letter_name(e.letter)));
                    auto levels = registry.levels(e.letter, model->type);
                    throw NetlistError(param_loc(model->params, "level", model->loc),
                                       fmt::format("model '{}': no {} level {} (available: {})", model->name,
                                                   model->type, level, fmt::join(levels, ", ")));
                }
                auto card = std::make_unique<models::ModelCard>();
                card->name = model->name;
                card->type = model->type;
                card->params = to_map(model->params);
                for (const auto& w : model->words) card->words[w.name] = w.text;
                std::shared_ptr<const models::ModelParams> params;
                std::vector<std::pair<std::string, double>> defaults;
                // A parameter the model does not know is taken off its card and offered to the
                // instances (their create() rejects it if they do not know it either).
                while (reg->prepare) {
                    try {
                        params = reg->prepare(*card);
                        break;
                    } catch (const DeviceError& err) {
                        auto it = card->params.find(err.param());
                        if (!err.unknown() || err.where() != DeviceError::Where::Model || it == card->params.end())
                            throw NetlistError(model_param_loc(*model, err.param()), err.what());
                        defaults.emplace_back(it->first, it->second);
                        card->params.erase(it);
                    }
                }
                for (const models::ParamNote& note : card->notes)
                    warnings_.push_back(parser::format_diagnostic(model_param_loc(*model, note.param), note.message,
                                                                  "warning"));
                prep = {card.get(), params.get(), reg,
                        defaults.empty() ? nullptr : &defaults_of_models.emplace_back(std::move(defaults))};
                model_cards_.push_back(std::move(card));
                prepared_.push_back(std::move(params));
                prepared.emplace(model->name, prep);
            }
        } else {
            // E/G/F/H written with value=, table or poly are behavioural sources under their name.
            reg = registry.find(e.behavioural ? 'b' : e.letter, "", 1);
            if (!reg) {
                if (registry.knows_letter(e.letter))
                    throw NetlistError(e.loc, fmt::format("{} '{}' needs a model name", letter_name(e.letter), e.name));
                throw NetlistError(e.loc, fmt::format("element type '{}' ({}) is not supported", e.letter,
                                                      letter_name(e.letter)));
            }
        }

        card.name = e.name;
        card.letter = e.letter;
        card.nodes = e.nodes;
        card.model = prep.card;
        card.refs.assign(e.refs.begin(), e.refs.end());
        card.values.clear();
        for (const auto& v : e.values) card.values.push_back(v.value);
        card.params.clear();
        for (const auto& p : e.params) card.params[p.name] = p.value;
        card.defaulted.clear();
        if (prep.instance_defaults)
            for (const auto& [name, value] : *prep.instance_defaults)
                if (card.params.emplace(name, value).second) card.defaulted.insert(name);
        card.flags.assign(e.flags.begin(), e.flags.end());
        card.function.reset();
        if (e.behavioural) {
            card.function = make_behavioural_function(e.behavioural->expr);
            card.flags = {e.behavioural->voltage ? "v" : "i"};
        }
        if (e.source) {
            models::SourceValue s;
            s.dc = e.source->dc;
            s.has_dc = e.source->has_dc;
            s.ac_mag = e.source->ac_mag;
            s.ac_phase = e.source->ac_phase;
            s.has_ac = e.source->has_ac;
            s.wave = to_model(e.source->wave);
            card.source = std::move(s);
        } else {
            card.source.reset();
        }

        std::unique_ptr<models::Device> dev;
        card.notes.clear();
        try {
            dev = reg->create(card, prep.params);
            CardDeclarer decl(unknowns_, history_size_, dev->name(), terminals.data() + first_terminal[k],
                              first_terminal[k + 1] - first_terminal[k]);
            const std::size_t first_history = history_size_;
            dev->declare(decl);
            history_range_.emplace_back(first_history, history_size_ - first_history);
            if (decl.branch >= 0) branch_of_.try_emplace(dev->name(), decl.branch);
            if (decl.state >= 0) state_of_.try_emplace(dev->name(), decl.state);
        } catch (const DeviceError& err) {
            const parser::SourceLoc* loc = &e.loc;
            const auto from_model = [&] {
                if (prep.instance_defaults)
                    for (const auto& d : *prep.instance_defaults)
                        if (d.first == err.param()) return true;
                return false;
            };
            if (err.where() == DeviceError::Where::Instance && model && from_model() &&
                std::none_of(e.params.begin(), e.params.end(), [&](const auto& p) { return p.name == err.param(); })) {
                loc = &model_param_loc(*model, err.param());  // a model-line default neither knows
            } else if (err.where() == DeviceError::Where::Instance) {
                loc = &param_loc(e.params, err.param(), e.loc);
            } else if (err.where() == DeviceError::Where::Model && model) {
                loc = &model_param_loc(*model, err.param());
            } else if (err.where() == DeviceError::Where::Value) {
                std::size_t k = err.param().empty() ? 0 : std::stoul(err.param());
                if (k < e.values.size()) loc = &e.values[k].loc;
            }
            throw NetlistError(*loc, err.what());
        }
        for (const models::ParamNote& note : card.notes) {
            // Once per kind of element and parameter: an array of a million cells written with
            // the same parameter says it once, with how many more.
            auto [it, first] = instance_notes.try_emplace(fmt::format("{}\n{}", e.letter, note.param), warnings_.size(), 0);
            if (first)
                warnings_.push_back(
                    parser::format_diagnostic(param_loc(e.params, note.param, e.loc), note.message, "warning"));
            else
                ++it->second.second;
        }
        devices_.push_back(std::move(dev));
        element_.push_back(&e);
    }
    // By name, hashed ahead as the nodes were. A name given twice is reported at its second
    // element, after the elements' own errors.
    HashAhead<models::Device*> names(device_of_);
    constexpr std::size_t kAhead = HashAhead<models::Device*>::kAhead;
    auto feed_device = [&](std::size_t d) {
        if (d < devices_.size()) names.ahead(devices_[d]->name());
        else names.skip();
    };
    for (std::size_t d = 0; d < kAhead; ++d) feed_device(d);
    for (std::size_t d = 0; d < devices_.size(); ++d) {
        const std::uint64_t h = names.take();
        feed_device(d + kAhead);
        if (!device_of_.try_emplace(devices_[d]->name(), h, devices_[d].get()).second)
            throw NetlistError(element_[d]->loc, fmt::format("element '{}' is defined twice", element_[d]->name));
    }
    for (const auto& [key, at] : instance_notes) {
        if (at.second == 0) continue;
        std::string& w = warnings_[at.first];
        w.insert(std::min(w.find('\n'), w.size()), fmt::format(" (and {} more element{} like it)", at.second,
                                                                 at.second == 1 ? "" : "s"));
    }
}

namespace {

using BranchMap = NameTable<int>;
using DeviceMap = NameTable<models::Device*>;

const models::Device* find_in(const DeviceMap& devices, std::string_view name) {
    models::Device* const* d = devices.find(name);
    return d ? *d : nullptr;
}

// First pass: records the requested (row, col) pairs.
class RecordingBuilder final : public models::PatternBuilder {
public:
    RecordingBuilder(const BranchMap& branches, const DeviceMap& devices) : branches_(branches), devices_(devices) {}
    models::Slot entry(Index row, Index col) override {
        if (row < 0 || col < 0) return models::kNoSlot;
        entries.emplace_back(row, col);
        return 0;
    }
    Index branch_of(std::string_view name) const override {
        const int* b = branches_.find(name);
        if (!b) {
            throw DeviceError(DeviceError::Where::Instance, std::string(name),
                              fmt::format("'{}' is not a voltage source or other element with a branch current",
                                          name));
        }
        return *b;
    }
    const models::Device* device(std::string_view name) const override { return find_in(devices_, name); }
    std::vector<std::pair<int, int>> entries;

private:
    const BranchMap& branches_;
    const DeviceMap& devices_;
};

// Second pass: returns the final slot of each entry.
class ResolvingBuilder final : public models::PatternBuilder {
public:
    ResolvingBuilder(const std::vector<int>& col_ptr, const std::vector<int>& row_idx,
                     const BranchMap& branches, const DeviceMap& devices)
        : col_ptr_(col_ptr), row_idx_(row_idx), branches_(branches), devices_(devices) {}
    models::Slot entry(Index row, Index col) override {
        if (row < 0 || col < 0) return models::kNoSlot;
        auto first = row_idx_.begin() + col_ptr_[col];
        auto last = row_idx_.begin() + col_ptr_[col + 1];
        auto it = std::lower_bound(first, last, row);
        if (it == last || *it != row) throw std::logic_error("device requested a different pattern in pass two");
        return static_cast<models::Slot>(it - row_idx_.begin());
    }
    Index branch_of(std::string_view name) const override { return *branches_.find(name); }
    const models::Device* device(std::string_view name) const override { return find_in(devices_, name); }

private:
    const std::vector<int>& col_ptr_;
    const std::vector<int>& row_idx_;
    const BranchMap& branches_;
    const DeviceMap& devices_;
};

}  // namespace

void Circuit::build_pattern() {
    const int n = size();
    // Node voltages always get a diagonal entry (gmin stepping and .nodeset stamp there).
    // Branch rows do not: an explicit zero on their diagonal would make KLU's block-triangular
    // matching pair each branch with itself, and the forced pivots then fill in badly.
    RecordingBuilder rec(branch_of_, device_of_);
    for (int i = 0; i < n; ++i)
        if (unknowns_[i].kind == UnknownKind::Voltage) rec.entries.emplace_back(i, i);
    for (std::size_t k = 0; k < devices_.size(); ++k) {
        try {
            devices_[k]->pattern(rec);
        } catch (const DeviceError& err) {
            const auto& e = *element_[k];
            const parser::SourceLoc* loc = &e.loc;
            for (std::size_t r = 0; r < e.refs.size() && r < e.ref_locs.size(); ++r)
                if (e.refs[r] == err.param()) loc = &e.ref_locs[r];
            throw NetlistError(*loc, err.what());
        }
    }

    // Counting sort by column, then sort and deduplicate rows within each column: O(nnz).
    std::vector<int> count(n + 1, 0);
    for (const auto& [r, c] : rec.entries) ++count[c + 1];
    for (int c = 0; c < n; ++c) count[c + 1] += count[c];
    std::vector<int> rows(rec.entries.size());
    {
        std::vector<int> next(count.begin(), count.end() - 1);
        for (const auto& [r, c] : rec.entries) rows[next[c]++] = r;
    }
    rec.entries.clear();
    rec.entries.shrink_to_fit();
    col_ptr_.assign(n + 1, 0);
    row_idx_.clear();
    row_idx_.reserve(rows.size());
    for (int c = 0; c < n; ++c) {
        auto first = rows.begin() + count[c];
        auto last = rows.begin() + count[c + 1];
        std::sort(first, last);
        last = std::unique(first, last);
        row_idx_.insert(row_idx_.end(), first, last);
        col_ptr_[c + 1] = static_cast<int>(row_idx_.size());
    }

    ResolvingBuilder res(col_ptr_, row_idx_, branch_of_, device_of_);
    diag_.assign(n, models::kNoSlot);
    for (int i = 0; i < n; ++i)
        if (unknowns_[i].kind == UnknownKind::Voltage) diag_[i] = res.entry(i, i);
    for (auto& d : devices_) d->pattern(res);
}

void Circuit::load_linear(double shunt) {
    const int n = size();
    base_jf_.assign(nnz(), 0.0);
    base_jq_.assign(nnz(), 0.0);
    std::vector<double> zero(n, 0.0), f(n, 0.0), q(n, 0.0);
    models::LoadContext ctx;
    ctx.x = zero.data();
    DeviceHistory scratch(history_size_);  // linear devices remember nothing; none is kept
    scratch.attach(ctx);
    models::Stamp st{base_jf_.data(), base_jq_.data(), f.data(), q.data()};
    for (auto& d : devices_) {
        if (!d->is_linear()) {
            nonlinear_.push_back(d.get());
            continue;
        }
        d->load(ctx, st);
        if (d->has_source()) sourced_.push_back(d.get());
    }
    // gshunt/rshunt: a conductance from every node to ground, linear like the devices.
    if (shunt > 0)
        for (int i = 0; i < n; ++i)
            if (unknowns_[i].kind == UnknownKind::Voltage) base_jf_[diag_[i]] += shunt;
}

double Circuit::max_step(const double* x, const double* x_previous, double last_step) const {
    double limit = std::numeric_limits<double>::infinity();
    const double* accepted = history_->accepted.data();
    for (auto* d : nonlinear_) limit = std::min(limit, d->max_step(x, x_previous, accepted, last_step));
    return limit;
}

void Circuit::accept(const double* x, double time) const {
    DeviceHistory& h = *history_;
    for (auto* d : nonlinear_) d->accept(x, time, h.now.data());
    h.accepted = h.now;
}

}  // namespace ionspice::solver
