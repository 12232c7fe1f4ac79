#include "solver/Probes.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "solver/OutputWriters.hpp"
#include "solver/analyses/Analysis.hpp"

namespace ionspice::solver {

using parser::NetlistError;

double Probe::value(const std::vector<double>& x, const std::vector<double>* xdot) const {
    if (device && quantity) {
        const Quantity& q = *quantity;
        if (xdot && !q.terminal_rows.empty()) {
            double i = 0;
            for (int row : q.terminal_rows) i += q.circuit->terminal_current(*device, row, x.data(), xdot->data());
            return q.minus_others ? -i : i;
        }
        return device->quantity(q.name, x.data(), xdot ? xdot->data() : nullptr).value_or(0.0);
    }
    if (device) {
        double buf[16];
        device->outputs(x.data(), buf);
        return buf[output];
    }
    return (plus >= 0 ? x[plus] : 0.0) - (minus >= 0 ? x[minus] : 0.0);
}

std::complex<double> Probe::value(const std::vector<std::complex<double>>& x) const {
    return (plus >= 0 ? x[plus] : 0.0) - (minus >= 0 ? x[minus] : 0.0);
}

std::string small_signal_vector(const std::string& item) {
    // A vector of the circuit is a probe, with parentheses: that tells im(v1), the magnitude of
    // i(v1), from the imaginary part of a node named v1.
    for (const auto& r : vector_fn_readings(item))
        if (r.vector.find('(') != std::string::npos) return r.vector;
    return item;
}

int node_or_throw(const Circuit& c, const std::string& node, const parser::SourceLoc& loc) {
    int i = c.node_index(node);
    if (i == -2) throw NetlistError(loc, fmt::format("no node named '{}'", node));
    return i;
}

namespace {

/// A device quantity asked for by name, when the device has it.
std::optional<Probe> quantity_probe(const Circuit& c, const models::Device& d, const std::string& name,
                                    const std::string& item, const char* type) {
    const std::vector<double> zero(static_cast<std::size_t>(c.size()), 0.0);
    if (!d.quantity(name, zero.data(), nullptr)) return std::nullopt;
    Probe p{{item, type}};
    p.device = &d;
    Probe::Quantity& q = p.quantity.emplace();
    q.name = name;
    if (const int t = d.terminal_of(name); t >= 0) {
        const auto& nodes = c.element_of(&d).nodes;
        std::vector<int> rows;
        for (const auto& node : nodes) rows.push_back(c.node_index(node));
        if (static_cast<std::size_t>(t) < rows.size()) {
            q.circuit = &c;
            if (rows[static_cast<std::size_t>(t)] >= 0) {
                q.terminal_rows = {rows[static_cast<std::size_t>(t)]};
            } else if (std::count(rows.begin(), rows.end(), models::kGround) == 1) {
                // What leaves by the grounded terminal is what enters by the others.
                for (int r : rows)
                    if (r >= 0) q.terminal_rows.push_back(r);
                q.minus_others = true;
            }
        }
    }
    return p;
}

}  // namespace

Probe resolve_probe(const Circuit& c, const std::string& item, const parser::SourceLoc& loc) {
    if (item.size() > 3 && item[0] == '@' && item.back() == ']') {
        // ngspice's @device[quantity]
        const auto bracket = item.find('[');
        const std::string dev = item.substr(1, bracket == std::string::npos ? 0 : bracket - 1);
        const std::string q = bracket == std::string::npos ? "" : item.substr(bracket + 1, item.size() - bracket - 2);
        const models::Device* d = c.find_device(dev);
        if (!d) throw NetlistError(loc, fmt::format("no element named '{}'", dev));
        if (auto p = quantity_probe(c, *d, q, item, q == "i" || q == "id" ? "current" : "notype")) return *p;
        throw NetlistError(loc, fmt::format("'{}' has no quantity '{}' to output", dev, q));
    }
    auto open = item.find('(');
    if (open == std::string::npos || item.back() != ')') return Probe{{"v(" + item + ")", "voltage"}, node_or_throw(c, item, loc)};
    std::string fn = item.substr(0, open);
    std::string arg = item.substr(open + 1, item.size() - open - 2);
    if (fn == "v") {
        auto comma = arg.find(',');
        if (comma == std::string::npos) return Probe{{item, "voltage"}, node_or_throw(c, arg, loc)};
        std::string a = arg.substr(0, comma), b = arg.substr(comma + 1);
        return Probe{{item, "voltage"}, node_or_throw(c, a, loc), node_or_throw(c, b, loc)};
    }
    if (fn == "i") {
        int i = c.branch_index(arg);
        if (i < 0) {
            const models::Device* d = c.find_device(arg);
            if (!d) throw NetlistError(loc, fmt::format("no element named '{}'", arg));
            if (auto p = quantity_probe(c, *d, "i", item, "current")) return *p;
            throw NetlistError(loc, fmt::format("'{}' has no branch current to output (only voltage sources, "
                                                "inductors and E/H sources have one)",
                                                arg));
        }
        return Probe{{item, "current"}, i};
    }
    if (fn == "x") {
        int i = c.state_index(arg);
        if (i < 0) throw NetlistError(loc, fmt::format("'{}' has no state variable", arg));
        return Probe{{item, "notype"}, i};
    }
    if (const auto* d = c.find_device(arg)) {
        auto q = d->output_quantities();
        for (std::size_t k = 0; k < q.size(); ++k)
            if (q[k] == fn) {
                Probe p{{item, "notype"}};
                p.device = d;
                p.output = static_cast<int>(k);
                return p;
            }
    }
    throw NetlistError(loc, fmt::format("cannot output '{}': use v(node), v(a,b), i(source), x(device) or a "
                                        "device output such as g(device)",
                                        item));
}

std::vector<Probe> output_probes(const Circuit& c, const parser::Netlist& n, ProbeSet set,
                                 const std::string& analysis, bool save_currents) {
    const bool small_signal = set == ProbeSet::SmallSignal;
    std::vector<Probe> probes;
    bool save_all = n.saves.empty();
    for (const auto& s : n.saves)
        for (const auto& item : s.items)
            if (item == "all") save_all = true;
    if (save_all) {
        const auto& u = c.unknowns();
        probes.reserve(u.size());
        for (int i = 0; i < c.size(); ++i) {
            if (u[i].kind == UnknownKind::Voltage && u[i].name.find('#') != std::string::npos) continue;
            // A held state has no small-signal part.
            if (small_signal && u[i].kind == UnknownKind::State) continue;
            probes.push_back(Probe{{u[i].name, u[i].kind == UnknownKind::Voltage   ? "voltage"
                                               : u[i].kind == UnknownKind::Current ? "current"
                                                                                   : "notype"},
                                   i});
        }
        if (!small_signal)
            for (const auto& d : c.devices()) {
                auto q = d->output_quantities();
                for (std::size_t k = 0; k < q.size(); ++k) {
                    Probe p{{fmt::format("{}({})", q[k], d->name()), "notype"}};
                    p.device = d.get();
                    p.output = static_cast<int>(k);
                    probes.push_back(std::move(p));
                }
            }
    }
    // savecurrents: each device's terminal currents, as ngspice names them (@d1[id], @r1[i],
    // @c1[i], @q1[ic] @q1[ib] @q1[ie] @q1[is], @j1[id] @j1[ig] @j1[is]), after the unknowns (a
    // voltage source's or inductor's is already there as its branch current). A device's `i`
    // is its main current, which a device with `id` or `ic` already gives under that name.
    if (save_currents && !small_signal)
        for (const auto& d : c.devices()) {
            if (c.branch_index(d->name()) >= 0) continue;
            bool main = false;
            for (const char* q : {"id", "ic", "i", "ib", "ie", "ig", "is"}) {
                if (std::string_view(q) == "i" && main) continue;
                if (auto p = quantity_probe(c, *d, q, fmt::format("@{}[{}]", d->name(), q), "current")) {
                    probes.push_back(std::move(*p));
                    main = true;
                }
            }
        }
    // Unknowns are distinct; only the few named items can repeat what is already there.
    NameMap<std::string, bool> seen;
    auto add = [&](Probe p) {
        if (seen.empty())
            for (const auto& q : probes) seen.emplace(q.var.name, true);
        if (seen.emplace(p.var.name, true).second) probes.push_back(std::move(p));
    };
    // A large-signal plot keeps what the large-signal analyses' .print and .meas name (each
    // plot holds them all, so that .print tran can name what .save left out); a small-signal
    // plot what its own name, its vector functions (vdb(out)) resolved to the vector.
    auto wanted = [&](const std::string& a) {
        if (!small_signal) return a.empty() || large_signal_analysis(a);
        return a == analysis;
    };
    auto resolve = [&](const std::string& item, const parser::SourceLoc& loc) {
        Probe p = resolve_probe(c, small_signal ? small_signal_vector(item) : item, loc);
        if (small_signal && p.device)
            throw NetlistError(loc, fmt::format("'{}' is not a small-signal quantity", p.var.name));
        return p;
    };
    for (const auto& s : n.saves)
        for (std::size_t k = 0; k < s.items.size(); ++k)
            if (s.items[k] != "all") {
                Probe p = resolve_probe(c, s.items[k], s.item_locs[k]);
                if (small_signal && p.device) continue;  // .save g(n1) is for the large-signal plots
                add(std::move(p));
            }
    for (const auto& pr : n.prints)
        if (wanted(pr.analysis))
            for (std::size_t k = 0; k < pr.items.size(); ++k)
                add(resolve(pr.items[k], pr.item_locs[k]));
    // So is what .four analyses.
    if (!small_signal)
        for (const auto& a : n.analyses)
            if (a.card == "four")
                for (std::size_t k = 0; k < a.vectors.size(); ++k) add(resolve(a.vectors[k], a.vector_locs[k]));
    // What .meas measures is kept whatever .save says.
    for (const auto& m : n.measures) {
        if (!wanted(m.analysis)) continue;
        if (!m.vector.empty()) add(resolve(m.vector, m.vector_loc));
        for (const auto* x : {&m.when, &m.trig, &m.targ}) {
            if (*x) add(resolve((*x)->vector, (*x)->loc));
            if (*x && !(*x)->other.empty()) add(resolve((*x)->other, (*x)->other_loc));
        }
    }
    return probes;
}

void add_variables(Plot& plot, const std::vector<Probe>& probes) {
    plot.variables.reserve(plot.variables.size() + probes.size());
    for (const auto& p : probes) plot.variables.push_back(p.var);
}

void append_point(Plot& plot, const std::vector<double>& head, const std::vector<Probe>& probes,
                  const std::vector<double>& x, const std::vector<double>* xdot) {
    if (plot.values.capacity() - plot.values.size() < head.size() + probes.size())
        plot.values.reserve(std::max(2 * plot.values.capacity(), plot.values.size() + head.size() + probes.size()));
    plot.values.insert(plot.values.end(), head.begin(), head.end());
    for (const auto& p : probes) plot.values.push_back(p.value(x, xdot));
}

void append_point(Plot& plot, double scale, const std::vector<Probe>& probes,
                  const std::vector<std::complex<double>>& x) {
    plot.values.push_back(scale);
    plot.values.push_back(0.0);
    for (const auto& p : probes) {
        const std::complex<double> v = p.value(x);
        plot.values.push_back(v.real());
        plot.values.push_back(v.imag());
    }
}

std::vector<std::pair<int, double>> nodeset_ties(const Circuit& c, const parser::Netlist& n) {
    std::vector<std::pair<int, double>> ties;
    for (const auto& ns : n.nodesets) {
        int i = node_or_throw(c, ns.node, ns.loc);
        if (i >= 0) ties.emplace_back(i, ns.value);
    }
    return ties;
}

}  // namespace ionspice::solver
