#include "solver/Options.hpp"

#include <cmath>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "solver/AmgEngine.hpp"

namespace ionspice::solver {

namespace {

double need_value(const parser::Option& o) {
    if (!o.value) throw parser::NetlistError(o.loc, fmt::format("option '{}' needs a value", o.name));
    return *o.value;
}

double positive(const parser::Option& o) {
    double v = need_value(o);
    if (!(v > 0)) throw parser::NetlistError(o.loc, fmt::format("option '{}' must be positive", o.name));
    return v;
}

int count(const parser::Option& o, int least = 1, int most = 1000000000) {
    double v = need_value(o);
    if (!(v >= least) || v != std::floor(v) || v > most)
        throw parser::NetlistError(
            o.loc, most < 1000000000
                       ? fmt::format("option '{}' must be a whole number from {} to {}", o.name, least, most)
                       : fmt::format("option '{}' must be a whole number of at least {}", o.name, least));
    return static_cast<int>(v);
}

// ngspice options that are accepted for compatibility but change nothing in ionspice
// (the linear solver is chosen by the matrix's structure, `solver=` forces one; output is
// controlled from the command line).
const std::set<std::string> kIgnored = {
    "klu", "sparse", "spice", "acct", "noacct", "norefvalue", "noinit", "nopage", "nomod", "post",
    "ingold", "numdgt", "list", "node", "opts", "keepopinfo", "interp", "warn",
    "pivtol", "pivrel", "itl3", "itl5", "itl6", "autostop", "nosopiaa",
    "xmu", "defad", "defas", "defl", "defw", "bypass", "rseries", "cshunt", "minbreak", "ramptime"};

}  // namespace

SimOptions read_options(const parser::Netlist& netlist) {
    SimOptions s;
    using Setter = std::function<void(const parser::Option&)>;
    const std::map<std::string, Setter> setters = {
        {"reltol", [&](auto& o) { s.reltol = positive(o); }},
        {"abstol", [&](auto& o) { s.abstol = positive(o); }},
        {"vntol", [&](auto& o) { s.vntol = positive(o); }},
        {"chgtol", [&](auto& o) { s.chgtol = positive(o); }},
        {"stol", [&](auto& o) { s.stol = positive(o); }},
        {"trtol", [&](auto& o) { s.trtol = positive(o); }},
        {"newtrunc", [&](auto& o) { s.newtrunc = !o.value || *o.value != 0 ? Toggle::On : Toggle::Off; }},
        {"ltereltol", [&](auto& o) { s.ltereltol = positive(o); }},
        {"lteabstol", [&](auto& o) { s.lteabstol = positive(o); }},
        {"gmin", [&](auto& o) { s.gmin = positive(o); }},
        {"gshunt", [&](auto& o) {
             s.gshunt = need_value(o);
             if (s.gshunt < 0) throw parser::NetlistError(o.loc, "option 'gshunt' must not be negative");
         }},
        {"rshunt", [&](auto& o) { s.rshunt = positive(o); }},
        {"itl1", [&](auto& o) { s.itl1 = count(o); }},
        {"itl2", [&](auto& o) { s.itl2 = count(o); }},
        {"itl4", [&](auto& o) { s.itl4 = count(o); }},
        // Decades above gmin where stepping starts: past 100 the first shunt would overflow.
        {"gminsteps", [&](auto& o) { s.gmin_steps = count(o, 0, 100); }},
        {"srcsteps", [&](auto& o) { s.src_steps = count(o, 0); }},
        {"noopiter", [&](auto& o) { s.no_op_iter = !o.value || *o.value != 0; }},
        {"savecurrents", [&](auto& o) { s.save_currents = !o.value || *o.value != 0; }},
        {"temp", [&](auto& o) { s.temp = need_value(o); }},
        {"tnom", [&](auto& o) { s.tnom = need_value(o); }},
        {"maxord", [&](auto& o) {
             s.maxord = count(o);
             if (s.maxord > 2) throw parser::NetlistError(o.loc, "option 'maxord' must be 1 or 2");
         }},
        {"seed", [&](auto& o) { s.seed = static_cast<std::uint64_t>(need_value(o)); }},
        {"devseed", [&](auto& o) { s.device_seed = static_cast<std::uint64_t>(need_value(o)); }},
        {"method", [&](auto& o) {
             if (o.text == "trap" || o.text == "trapezoidal") s.method = IntegrationMethod::Trapezoidal;
             else if (o.text == "gear" || o.text == "bdf2") s.method = IntegrationMethod::Gear;
             else if (o.text == "euler" || o.text == "be") s.method = IntegrationMethod::Euler;
             else
                 throw parser::NetlistError(
                     o.loc, fmt::format("unknown integration method '{}' (use trap, gear or euler)", o.text));
         }},
        {"solver", [&](auto& o) {
             if (o.text == "auto") s.solver = SolverChoice::Auto;
             else if (o.text == "klu") s.solver = SolverChoice::Klu;
             else if (o.text == "cholmod") s.solver = SolverChoice::Cholmod;
             else if (o.text == "subgraph") s.solver = SolverChoice::Subgraph;
             else if (o.text == "amg") {
                 s.solver = SolverChoice::Amg;
                 if (!AmgEngine::available())
                     s.partly.push_back(parser::format_diagnostic(
                         o.loc, "solver=amg: this build has no hypre (AMG); CHOLMOD solves the nodal systems instead",
                         "warning"));
             }
             else
                 throw parser::NetlistError(
                     o.loc, fmt::format("unknown linear solver '{}' (use auto, klu, cholmod, subgraph or amg)", o.text));
         }},
    };
    for (const auto& o : netlist.options) {
        if (auto it = setters.find(o.name); it != setters.end()) {
            it->second(o);
        } else if (kIgnored.count(o.name)) {
            s.ignored.push_back(o);
        } else if (o.from_caller) {
            throw parser::NetlistError(o.loc, fmt::format("unknown option '{}'", o.name));
        } else {
            // ngspice reports an option it does not know and goes on ("unknown option - ignored"):
            // decks carry options of other simulators (SPICE2's lvlcod, HSPICE's post).
            s.partly.push_back(parser::format_diagnostic(
                o.loc, fmt::format("unknown option '{}' is ignored", o.name), "warning"));
        }
    }
    return s;
}

std::vector<std::string> ignored_option_warnings(const SimOptions& options) {
    std::vector<std::string> out = options.partly;
    for (const auto& o : options.ignored)
        out.push_back(parser::format_diagnostic(
            o.loc, fmt::format("option '{}' is accepted for ngspice's sake and has no effect here", o.name),
            "warning"));
    return out;
}

}  // namespace ionspice::solver
