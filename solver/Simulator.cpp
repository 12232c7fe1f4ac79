#include "solver/Simulator.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "solver/Circuit.hpp"
#include "solver/DcEquations.hpp"
#include "solver/Newton.hpp"
#include "solver/OperatingPoint.hpp"
#include "solver/OutputWriters.hpp"
#include "solver/SimulationError.hpp"
#include "solver/Transient.hpp"

namespace ionspice::solver {

namespace {

using parser::NetlistError;

/// How an output vector is computed from the solution: x[plus] − x[minus] (ground: 0), or
/// one of a device's derived outputs (g(n1)).
struct Probe {
    Variable var;
    int plus = models::kGround;
    int minus = models::kGround;
    const models::Device* device = nullptr;
    int output = 0;  ///< index into the device's output_quantities()
    int outputs = 0; ///< how many the device has
    double value(const std::vector<double>& x) const {
        if (device) {
            double buf[16];
            device->outputs(x.data(), buf);
            return buf[output];
        }
        return (plus >= 0 ? x[plus] : 0.0) - (minus >= 0 ? x[minus] : 0.0);
    }
};

/// Independent sources' DC values set by `.step V1 …`, by top-level source name.
using SourceValues = std::vector<std::pair<std::string, double>>;

/// One `.step` point: the stepped variables' values, and what they set.
struct StepPoint {
    std::vector<std::pair<std::string, double>> values;  ///< every stepped variable, in .step order
    std::map<std::string, double> params;                ///< .param overrides
    SourceValues sources;                                ///< independent sources' DC values
};

/// The netlist elaborated with some .param overrides (and stepped source values), and the
/// circuit built from it.
struct Bound {
    parser::Netlist netlist;
    SimOptions options;
    std::unique_ptr<Circuit> circuit;
    double elaborate_seconds = 0, bind_seconds = 0;

    Bound(const parser::Deck& deck, const std::map<std::string, double>& overrides, const SourceValues& sources) {
        auto t0 = std::chrono::steady_clock::now();
        netlist = parser::elaborate(deck, overrides);
        bind(sources, t0);
    }
    /// For a netlist elaborated already, which took `seconds`.
    Bound(parser::Netlist n, const SourceValues& sources, double seconds) : netlist(std::move(n)) {
        bind(sources, std::chrono::steady_clock::now());
        elaborate_seconds += seconds;
    }

private:
    void bind(const SourceValues& sources, std::chrono::steady_clock::time_point t0) {
        // A stepped source gets its DC value in the netlist, before binding, so that every
        // circuit built for this step (.dc param sweeps build their own) starts from it.
        for (const auto& [name, v] : sources)
            for (auto& e : netlist.elements)
                if (e.source && e.name == name) {
                    e.source->dc = v;
                    e.source->has_dc = true;
                }
        options = read_options(netlist);
        auto t1 = std::chrono::steady_clock::now();
        circuit = std::make_unique<Circuit>(netlist, options);
        auto t2 = std::chrono::steady_clock::now();
        elaborate_seconds = std::chrono::duration<double>(t1 - t0).count();
        bind_seconds = std::chrono::duration<double>(t2 - t1).count();
    }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int node_or_throw(const Circuit& c, const std::string& node, const parser::SourceLoc& loc) {
    int i = c.node_index(node);
    if (i == -2) throw NetlistError(loc, fmt::format("no node named '{}'", node));
    return i;
}

/// Resolves "v(a)", "v(a,b)", "i(v1)", "x(n1)" or a bare node name.
Probe resolve_item(const Circuit& c, const std::string& item, const parser::SourceLoc& loc) {
    auto open = item.find('(');
    if (open == std::string::npos || item.back() != ')') {
        Probe p{{"v(" + item + ")", "voltage"}, node_or_throw(c, item, loc)};
        return p;
    }
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
            if (!c.find_device(arg)) throw NetlistError(loc, fmt::format("no element named '{}'", arg));
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
                p.outputs = static_cast<int>(q.size());
                return p;
            }
    }
    throw NetlistError(loc, fmt::format("cannot output '{}': use v(node), v(a,b), i(source), x(device) or a "
                                        "device output such as g(device)",
                                        item));
}

/// The vectors every plot of this circuit holds: .save items, or by default every external
/// node voltage, branch current and device state; plus whatever .print asks for.
std::vector<Probe> output_probes(const Circuit& c, const parser::Netlist& n) {
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
            probes.push_back(Probe{{u[i].name, u[i].kind == UnknownKind::Voltage   ? "voltage"
                                               : u[i].kind == UnknownKind::Current ? "current"
                                                                                   : "notype"},
                                   i});
        }
    }
    if (save_all) {
        for (const auto& d : c.devices()) {
            auto q = d->output_quantities();
            for (std::size_t k = 0; k < q.size(); ++k) {
                Probe p{{fmt::format("{}({})", q[k], d->name()), "notype"}};
                p.device = d.get();
                p.output = static_cast<int>(k);
                p.outputs = static_cast<int>(q.size());
                probes.push_back(std::move(p));
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
    for (const auto& s : n.saves)
        for (std::size_t k = 0; k < s.items.size(); ++k)
            if (s.items[k] != "all") add(resolve_item(c, s.items[k], s.item_locs[k]));
    for (const auto& pr : n.prints)
        for (std::size_t k = 0; k < pr.items.size(); ++k) add(resolve_item(c, pr.items[k], pr.item_locs[k]));
    // What .meas measures is kept whatever .save says.
    for (const auto& m : n.measures) {
        if (!m.vector.empty()) add(resolve_item(c, m.vector, m.vector_loc));
        for (const auto* x : {&m.when, &m.trig, &m.targ})
            if (*x) add(resolve_item(c, (*x)->vector, (*x)->loc));
    }
    return probes;
}

void append_point(Plot& plot, const std::vector<double>& head, const std::vector<Probe>& probes,
                  const std::vector<double>& x) {
    plot.values.insert(plot.values.end(), head.begin(), head.end());
    for (const auto& p : probes) plot.values.push_back(p.value(x));
}

std::vector<std::pair<int, double>> nodeset_ties(const Circuit& c, const parser::Netlist& n) {
    std::vector<std::pair<int, double>> ties;
    for (const auto& ns : n.nodesets) {
        int i = node_or_throw(c, ns.node, ns.loc);
        if (i >= 0) ties.emplace_back(i, ns.value);
    }
    return ties;
}

/// The values a sweep takes, in order.
std::vector<double> sweep_values(const parser::SweepSpec& s) {
    std::vector<double> v;
    switch (s.kind) {
    case parser::SweepSpec::Kind::List: return s.list;
    case parser::SweepSpec::Kind::Lin: {
        if (s.step == 0) throw NetlistError(s.loc, "sweep increment must not be zero");
        double span = (s.stop - s.start) / s.step;
        if (span < -1e-9) throw NetlistError(s.loc, "sweep increment has the wrong sign for its start and stop");
        auto count = static_cast<long>(std::floor(span + 1e-9)) + 1;
        if (count > 100'000'000) throw NetlistError(s.loc, "sweep has too many points");
        for (long k = 0; k < count; ++k) v.push_back(s.start + static_cast<double>(k) * s.step);
        return v;
    }
    case parser::SweepSpec::Kind::Dec:
    case parser::SweepSpec::Kind::Oct: {
        if (!(s.start > 0) || !(s.stop > 0))
            throw NetlistError(s.loc, "a logarithmic sweep needs positive start and stop values");
        if (!(s.step >= 1)) throw NetlistError(s.loc, "a logarithmic sweep needs at least one point per decade");
        double base = s.kind == parser::SweepSpec::Kind::Dec ? 10.0 : 2.0;
        double ratio = std::pow(base, 1.0 / s.step);
        double dir = s.stop >= s.start ? 1 : -1;
        auto count = static_cast<long>(std::floor(std::log(s.stop / s.start) / std::log(ratio) * dir + 1e-9)) + 1;
        for (long k = 0; k < count; ++k) v.push_back(s.start * std::pow(ratio, dir * static_cast<double>(k)));
        return v;
    }
    }
    return v;
}

/// Runs the analyses of one step point (or of the whole netlist when there is no .step).
/// Everything it changes is its own, so several run at once on different threads.
class Runner {
public:
    /// `base`: the netlist bound with the step's values already, when the caller has it.
    Runner(const parser::Deck& deck, const SimulateSettings& settings, const StepPoint& step, std::string date,
           std::unique_ptr<Bound> base)
        : deck_(deck), settings_(settings), step_(step), date_(std::move(date)), base_(std::move(base)) {
        if (!base_) base_ = std::make_unique<Bound>(deck, step_.params, step_.sources);
    }

    SimulationResult run() {
        if (settings_.stats)
            result_.log.push_back(fmt::format("elaborate {:.3f} s, bind {:.3f} s ({} devices, {} unknowns, {} matrix "
                                              "entries)",
                                              base_->elaborate_seconds, base_->bind_seconds,
                                              base_->circuit->devices().size(), base_->circuit->size(),
                                              base_->circuit->nnz()));
        const auto& analyses = base_->netlist.analyses;
        if (!analyses.empty() && base_->circuit->size() == 0)
            throw SimulationError("the netlist has no elements to simulate");
        for (const auto& a : analyses) {
            if (a.card == "op") run_op(a);
            else if (a.card == "dc") run_dc(a);
            else if (a.card == "tran") run_tran(a);
        }
        return std::move(result_);
    }

private:
    Plot new_plot(const parser::Netlist& n, const std::string& name) const {
        Plot p;
        p.title = stepped_title(n.title, step_.values);
        p.name = name;
        p.date = date_;
        p.step = step_.values;
        return p;
    }

    void add_prints(const parser::Netlist& n, const std::string& kind, bool has_scale) {
        const Plot& plot = result_.plots.back();
        for (const auto& m : n.measures) {
            if (m.analysis != kind) continue;
            MeasureResult r = evaluate_measure(plot, m);
            r.plot = result_.plots.size() - 1;
            result_.measures.push_back(std::move(r));
        }
        for (const auto& pr : n.prints) {
            if (!pr.analysis.empty() && pr.analysis != kind) continue;
            PrintTable t;
            t.plot = result_.plots.size() - 1;
            if (has_scale) t.columns.push_back(0);
            for (const auto& item : pr.items) {
                Probe p = resolve_item(*base_->circuit, item, pr.loc);
                t.columns.push_back(plot.find(p.var.name));
            }
            result_.prints.push_back(std::move(t));
        }
    }

    void run_op(const parser::Analysis& a) {
        Bound& b = *base_;
        const Circuit& c = *b.circuit;
        std::vector<double> x(c.size(), 0.0);
        OpSettings os;
        os.max_iterations = b.options.itl1;
        os.nodesets = nodeset_ties(c, b.netlist);
        auto t0 = std::chrono::steady_clock::now();
        OpReport rep = solve_operating_point(c, b.options, newton_, x, os);
        double solve_seconds = seconds_since(t0);
        auto probes = output_probes(c, b.netlist);
        Plot plot = new_plot(b.netlist, "Operating Point");
        for (const auto& p : probes) plot.variables.push_back(p.var);
        append_point(plot, {}, probes, x);
        result_.plots.push_back(std::move(plot));
        add_prints(b.netlist, "op", false);
        result_.log.push_back(fmt::format(".op: {} unknowns, {} Newton iterations ({})", c.size(), rep.iterations,
                                          rep.method));
        if (settings_.stats) log_solver_stats(solve_seconds);
        (void)a;
    }

    /// A swept variable resolved: a source of the current circuit, or a .param.
    struct Sweep {
        const parser::SweepSpec* spec;
        std::vector<double> values;
        bool is_param = false;
        bool is_voltage = true;
    };

    void run_dc(const parser::Analysis& a) {
        auto t0 = std::chrono::steady_clock::now();
        std::vector<Sweep> sweeps;
        for (const auto& s : a.sweeps) {
            Sweep sw{&s, sweep_values(s)};
            auto* dev = dynamic_cast<models::IndependentSource*>(base_->circuit->find_device(s.name));
            bool is_global_param = false;
            for (const auto& p : base_->netlist.params)
                if (p.name == s.name) is_global_param = true;
            if (s.param_keyword || (!dev && is_global_param)) {
                if (!is_global_param)
                    throw NetlistError(s.loc, fmt::format("'.dc param {}': no .param named '{}'", s.name, s.name));
                sw.is_param = true;
            } else if (dev) {
                sw.is_voltage = dev->is_voltage();
            } else {
                throw NetlistError(s.loc, fmt::format("'.dc' cannot sweep '{}': it is neither an independent source "
                                                      "nor a .param",
                                                      s.name));
            }
            if (sw.values.empty()) throw NetlistError(s.loc, "the sweep has no points");
            sweeps.push_back(std::move(sw));
        }

        const Sweep& inner = sweeps.front();
        Plot plot = new_plot(base_->netlist, "DC transfer characteristic");
        if (inner.is_param)
            plot.variables.push_back({inner.spec->name, "notype"});
        else
            plot.variables.push_back(inner.is_voltage ? Variable{"v(v-sweep)", "voltage"}
                                                      : Variable{"i(i-sweep)", "current"});
        for (std::size_t k = 1; k < sweeps.size(); ++k)
            plot.variables.push_back({sweeps[k].spec->name, sweeps[k].is_param    ? "notype"
                                                            : sweeps[k].is_voltage ? "voltage"
                                                                                   : "current"});

        const bool any_param = std::any_of(sweeps.begin(), sweeps.end(), [](const Sweep& s) { return s.is_param; });
        std::unique_ptr<Bound> swept;  // the circuit with swept .param values, when any
        std::map<std::string, double> current_overrides;
        Bound* bound = base_.get();

        // Remember swept sources' values to restore them after the sweep.
        std::vector<std::pair<std::string, double>> restore;
        for (const auto& s : sweeps)
            if (!s.is_param)
                restore.emplace_back(s.spec->name,
                                     dynamic_cast<models::IndependentSource*>(base_->circuit->find_device(s.spec->name))
                                         ->dc_value());

        std::vector<Probe> probes = output_probes(*bound->circuit, bound->netlist);
        for (const auto& p : probes) plot.variables.push_back(p.var);

        std::vector<std::size_t> idx(sweeps.size(), 0);
        std::vector<double> x(bound->circuit->size(), 0.0);
        bool have_solution = false;
        long total_iterations = 0;
        long points = 0;
        while (true) {
            if (any_param) {
                std::map<std::string, double> ov = step_.params;
                for (std::size_t k = 0; k < sweeps.size(); ++k)
                    if (sweeps[k].is_param) ov[sweeps[k].spec->name] = sweeps[k].values[idx[k]];
                if (ov != current_overrides || !swept) {
                    swept = std::make_unique<Bound>(deck_, ov, step_.sources);
                    current_overrides = ov;
                    bound = swept.get();
                    if (bound->circuit->size() != static_cast<int>(x.size())) {
                        x.assign(bound->circuit->size(), 0.0);
                        have_solution = false;
                    }
                    probes = output_probes(*bound->circuit, bound->netlist);
                }
            }
            std::vector<double> head;
            std::string where;
            for (std::size_t k = 0; k < sweeps.size(); ++k) {
                double v = sweeps[k].values[idx[k]];
                head.push_back(v);
                where += fmt::format("{}{} = {:g}", k ? ", " : "", sweeps[k].spec->name, v);
                if (!sweeps[k].is_param)
                    dynamic_cast<models::IndependentSource*>(bound->circuit->find_device(sweeps[k].spec->name))
                        ->set_dc_value(v);
            }
            const Circuit& c = *bound->circuit;
            const SimOptions& o = bound->options;
            bool done = false;
            if (have_solution) {
                // Each point starts from the previous solution; only when that fails does the
                // full operating-point procedure run.
                DcEquations eq(c);
                eq.shunt = o.gshunt;
                NewtonSettings ns;
                ns.max_iterations = o.itl2;
                ns.context.gmin = o.gmin;
                std::vector<double> trial = x;
                NewtonResult r = newton_.solve(c, o, eq, trial, ns);
                total_iterations += r.iterations;
                if (r.status == NewtonStatus::Converged) {
                    x = trial;
                    done = true;
                }
            }
            if (!done) {
                OpSettings os;
                os.cold_start = !have_solution;
                os.max_iterations = o.itl1;
                os.nodesets = have_solution ? std::vector<std::pair<int, double>>{} : nodeset_ties(c, bound->netlist);
                os.where = "the DC point " + where;
                total_iterations += solve_operating_point(c, o, newton_, x, os).iterations;
            }
            have_solution = true;
            append_point(plot, head, probes, x);
            ++points;

            std::size_t k = 0;
            while (k < sweeps.size() && ++idx[k] == sweeps[k].values.size()) idx[k++] = 0;
            if (k == sweeps.size()) break;
        }
        for (const auto& [name, v] : restore)
            dynamic_cast<models::IndependentSource*>(base_->circuit->find_device(name))->set_dc_value(v);

        result_.plots.push_back(std::move(plot));
        add_prints(base_->netlist, "dc", true);
        result_.log.push_back(fmt::format(".dc: {} points, {} Newton iterations", points, total_iterations));
        if (settings_.stats) log_solver_stats(seconds_since(t0));
    }

    void run_tran(const parser::Analysis& a) {
        auto t0 = std::chrono::steady_clock::now();
        Bound& b = *base_;
        const Circuit& c = *b.circuit;
        if (!(a.tstep > 0)) throw NetlistError(a.loc, "'.tran': the time step must be positive");
        if (!(a.tstop > 0)) throw NetlistError(a.loc, "'.tran': the stop time must be positive");
        if (a.tstart < 0 || a.tstart >= a.tstop)
            throw NetlistError(a.loc, "'.tran': the start time must lie between 0 and the stop time");
        if (a.tmax && !(*a.tmax > 0)) throw NetlistError(a.loc, "'.tran': the maximum step must be positive");
        const double tmax = a.tmax ? *a.tmax : std::min(a.tstep, (a.tstop - a.tstart) / 50);
        if ((a.tstop - a.tstart) / tmax > 1e9)
            throw NetlistError(a.loc, fmt::format("'.tran': {:g} s in steps of at most {:g} s would take more than "
                                                  "10^9 time points; raise tstep or tmax",
                                                  a.tstop - a.tstart, tmax));
        for (const auto& d : c.devices())
            if (auto* src = dynamic_cast<models::IndependentSource*>(d.get()))
                src->set_transient_defaults(a.tstep, a.tstop);

        TranSettings ts;
        ts.tstep = a.tstep;
        ts.tstop = a.tstop;
        ts.tstart = a.tstart;
        ts.tmax = a.tmax.value_or(0);
        ts.uic = a.uic;
        ts.nodesets = nodeset_ties(c, b.netlist);
        for (const auto& ic : b.netlist.ics) {
            int i = node_or_throw(c, ic.node, ic.loc);
            if (i >= 0) ts.ics.emplace_back(i, ic.value);
        }
        if (settings_.log && ::isatty(2)) ts.progress = settings_.log;

        auto probes = output_probes(c, b.netlist);
        Plot plot = new_plot(b.netlist, "Transient Analysis");
        plot.variables.push_back({"time", "time"});
        for (const auto& p : probes) plot.variables.push_back(p.var);
        std::vector<double> head(1);
        TranStats st = run_transient(c, b.options, newton_, ts, [&](double t, const std::vector<double>& x) {
            head[0] = t;
            append_point(plot, head, probes, x);
        });
        std::size_t points = plot.points();
        result_.plots.push_back(std::move(plot));
        add_prints(b.netlist, "tran", true);
        result_.log.push_back(fmt::format(".tran: {} points, {} steps rejected (error), {} cut (Newton), {} Newton "
                                          "iterations",
                                          points, st.rejected_error, st.rejected_newton, st.iterations));
        if (settings_.stats) log_solver_stats(seconds_since(t0));
    }

    void log_solver_stats(double seconds) {
        auto& k = newton_.klu();
        result_.log.push_back(fmt::format("  solve {:.3f} s: {} factorisations, {} refactorisations, {} solves ({} ordering)",
                                          seconds, k.factor_count(), k.refactor_count(), k.solve_count(), k.ordering()));
    }

    const parser::Deck& deck_;
    SimulateSettings settings_;
    const StepPoint& step_;
    std::string date_;  ///< of every plot of the run, so that results do not depend on timing
    std::unique_ptr<Bound> base_;
    Newton newton_;
    SimulationResult result_;
};

/// Every combination of the .step values, steps[0] varying fastest.
std::vector<StepPoint> step_points(const std::vector<parser::SweepSpec>& steps) {
    constexpr std::size_t max_points = 10'000'000;
    std::vector<std::vector<double>> values;
    std::size_t count = 1;
    for (const auto& s : steps) {
        values.push_back(sweep_values(s));
        if (values.back().empty()) throw NetlistError(s.loc, "the .step has no points");
        if (count > max_points / values.back().size())
            throw NetlistError(s.loc, fmt::format("the .step lines make more than {} step points", max_points));
        count *= values.back().size();
    }
    std::vector<StepPoint> points(count);
    std::vector<std::size_t> idx(steps.size(), 0);
    for (auto& p : points) {
        for (std::size_t k = 0; k < steps.size(); ++k) {
            const double v = values[k][idx[k]];
            p.values.emplace_back(steps[k].name, v);
            if (steps[k].is_source)
                p.sources.emplace_back(steps[k].name, v);
            else
                p.params[steps[k].name] = v;
        }
        for (std::size_t k = 0; k < steps.size() && ++idx[k] == values[k].size(); ++k) idx[k] = 0;
    }
    return points;
}

/// Rethrows a step's error with the step named, keeping its kind (and location).
[[noreturn]] void rethrow_in_step(std::exception_ptr error, const StepPoint& point) {
    const std::string label = step_label(point.values);
    try {
        std::rethrow_exception(error);
    } catch (const NetlistError& e) {
        throw NetlistError(e.loc(), fmt::format("{} (at .step {})", e.message(), label));
    } catch (const SimulationError& e) {
        throw SimulationError(fmt::format("at .step {}: {}", label, e.what()));
    } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("at .step {}: {}", label, e.what()));
    }
}

SimulationResult run_steps(const parser::Deck& deck, const std::vector<parser::SweepSpec>& steps,
                           const SimulateSettings& settings, const std::string& date) {
    auto t0 = std::chrono::steady_clock::now();
    const std::vector<StepPoint> points = step_points(steps);
    const std::size_t n = points.size();
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t threads =
        std::min<std::size_t>(n, settings.threads > 0 ? static_cast<std::size_t>(settings.threads) : cores);

    SimulateSettings step_settings = settings;
    // Steps running side by side would interleave their transient progress lines.
    if (threads > 1) step_settings.log = nullptr;

    // Each step is written to its own slot, so the order of the results never depends on which
    // thread finished first. Work is handed out in step order: when a step fails, every earlier
    // step has been started and is run to its end, so the first failing step reported is the
    // one a sequential run would stop at.
    std::vector<SimulationResult> results(n);
    std::vector<std::exception_ptr> errors(n);
    std::vector<double> seconds(n, 0.0);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    auto work = [&] {
        while (!failed.load()) {
            const std::size_t k = next.fetch_add(1);
            if (k >= n) return;
            auto start = std::chrono::steady_clock::now();
            try {
                results[k] = Runner(deck, step_settings, points[k], date, nullptr).run();
            } catch (...) {
                errors[k] = std::current_exception();
                failed = true;
            }
            seconds[k] = seconds_since(start);
        }
    };
    if (threads <= 1) {
        work();
    } else {
        std::vector<std::jthread> pool;
        pool.reserve(threads);
        for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(work);
    }
    for (std::size_t k = 0; k < n; ++k)
        if (errors[k]) rethrow_in_step(errors[k], points[k]);

    SimulationResult out;
    out.steps = n;
    std::string shape;
    for (std::size_t k = 0; k < steps.size(); ++k)
        shape += fmt::format("{}{} {}", k ? " × " : "", steps[k].name, sweep_values(steps[k]).size());
    out.log.push_back(fmt::format(".step: {} points ({}), {} plots, {} thread{}, {:.3f} s", n, shape,
                                  n * results.front().plots.size(), threads, threads == 1 ? "" : "s",
                                  seconds_since(t0)));
    if (settings.stats) {
        double busy = 0;
        for (double s : seconds) busy += s;
        out.log.push_back(fmt::format("  steps took {:.3f} s of thread time", busy));
    }
    for (std::size_t k = 0; k < n; ++k) {
        SimulationResult& r = results[k];
        const std::size_t offset = out.plots.size();
        for (auto& p : r.plots) out.plots.push_back(std::move(p));
        for (auto& t : r.prints) {
            t.plot += offset;
            out.prints.push_back(std::move(t));
        }
        for (auto& m : r.measures) {
            m.plot += offset;
            out.measures.push_back(std::move(m));
        }
        if (settings.stats) {
            out.log.push_back(fmt::format("step {} ({}), {:.3f} s:", k, step_label(points[k].values), seconds[k]));
            for (auto& line : r.log) out.log.push_back("  " + line);
        }
    }
    return out;
}

}  // namespace

SimulationResult simulate(const parser::Deck& deck, const SimulateSettings& settings) {
    const std::string date = raw_date();
    auto warn_no_analysis = [&] {
        if (settings.log)
            fmt::print(*settings.log, "ionspice: warning: the netlist has no analysis (.op, .dc, .tran)\n");
    };
    // The step points come from the top-level .params alone: the deck is not elaborated with its
    // own values first, which a large deck would pay for and which need not even be valid (an
    // expression that is only defined at the stepped values).
    if (auto steps = parser::read_steps(deck); !steps.empty()) {
        SimulationResult r = run_steps(deck, steps, settings, date);
        if (r.plots.empty()) warn_no_analysis();  // every analysis makes a plot per step
        return r;
    }
    auto t0 = std::chrono::steady_clock::now();
    parser::Netlist netlist = parser::elaborate(deck);
    const double elaborate_seconds = seconds_since(t0);
    if (netlist.analyses.empty()) warn_no_analysis();
    // Without .step this one elaboration serves the whole run.
    const StepPoint none;
    auto base = std::make_unique<Bound>(std::move(netlist), SourceValues{}, elaborate_seconds);
    return Runner(deck, settings, none, date, std::move(base)).run();
}

}  // namespace ionspice::solver
