#include "solver/OperatingPoint.hpp"

#include <cmath>

#include <fmt/format.h>

#include "solver/DcEquations.hpp"
#include "solver/SimulationError.hpp"

namespace ionspice::solver {

namespace {

std::string inner_name(const std::string& output_name) {
    auto open = output_name.find('(');
    if (open == std::string::npos || output_name.back() != ')') return output_name;
    return output_name.substr(open + 1, output_name.size() - open - 2);
}

/// What solve_operating_point tries, in order, under these options (for its failure message).
std::string tried_methods(const SimOptions& options) {
    std::string out;
    auto add = [&](const char* m) { out += out.empty() ? m : std::string(", ") + m; };
    if (!options.no_op_iter) add("Newton");
    if (options.gmin_steps > 0) add("gmin stepping");
    if (options.src_steps > 0) add("source stepping");
    add("pseudo-transient continuation");
    return out;
}

}  // namespace

void throw_singular(const Circuit& circuit, int col, const std::string& where) {
    if (col < 0 || col >= circuit.size())
        throw SimulationError(fmt::format("singular matrix at {}", where));
    const auto& u = circuit.unknowns()[col];
    switch (u.kind) {
    case UnknownKind::Voltage:
        throw SimulationError(fmt::format(
            "singular matrix at {}: node '{}' is floating (it has no DC path to ground, or only "
            "capacitors and current sources connect it)",
            where, inner_name(u.name)));
    case UnknownKind::Current:
        throw SimulationError(fmt::format(
            "singular matrix at {}: the current through '{}' is undetermined (a loop of voltage "
            "sources and inductors, or a source whose terminals are shorted)",
            where, inner_name(u.name)));
    case UnknownKind::State:
        throw SimulationError(fmt::format("singular matrix at {}: the state of '{}' is undetermined", where,
                                          inner_name(u.name)));
    }
    throw SimulationError("singular matrix");
}

/// Newton solves one continuation (gmin or source stepping) may spend, at most: ten times what
/// a smooth run of either takes, so real circuits never meet it.
constexpr int kMaxSteppingAttempts = 200;

/// Pseudo-transient continuation: the tie conductance C/h of the first pseudo-time step (1 S,
/// as strong as a .nodeset's hold, far above any device conductance a circuit relies on), the
/// one at which failing steps make it give up, and the Newton count of a step that lets the
/// next grow tenfold.
constexpr double kPseudoTransientStart = 1.0;
constexpr double kPseudoTransientGiveUp = 1e6;
constexpr int kEasyStepIterations = 4;

OpReport solve_operating_point(const Circuit& circuit, const SimOptions& options, Newton& newton,
                               std::vector<double>& x, const OpSettings& settings) {
    DcEquations eq(circuit);
    eq.holds = settings.holds;
    for (const auto& [i, v] : settings.holds) x[i] = v;
    NewtonSettings ns;
    ns.max_iterations = settings.max_iterations;
    ns.context.dc = true;
    ns.context.time = settings.time;
    ns.context.transient_start = settings.transient_start;
    ns.context.gmin = options.gmin;
    OpReport report;

    auto attempt = [&](bool init) {
        ns.init_junctions = init;
        NewtonResult r = newton.solve(circuit, options, eq, x, ns);
        report.iterations += r.iterations;
        return r;
    };

    if (settings.continuation_iterations > 0) {
        const std::vector<double> previous = x;
        ns.max_iterations = settings.continuation_iterations;
        ns.reuse_factorization = settings.reuse_factorization;
        if (attempt(false).status == NewtonStatus::Converged) {
            report.method = "newton";
            return report;
        }
        ns.reuse_factorization = false;
        ns.max_iterations = settings.max_iterations;
        x = previous;
    }

    if (!settings.nodesets.empty()) {
        // Held through 1 S: strong enough to steer the first solve, then released.
        eq.ties = settings.nodesets;
        eq.tie_conductance = 1.0;
        for (const auto& [i, v] : settings.nodesets) x[i] = v;
        NewtonResult r = attempt(settings.cold_start);
        eq.ties.clear();
        if (r.status == NewtonStatus::Singular && r.first_factor) throw_singular(circuit, r.singular_col, settings.where);
    }

    const std::vector<double> start = x;
    NewtonResult r;
    if (!options.no_op_iter) {
        r = attempt(settings.cold_start && settings.nodesets.empty());
        if (r.status == NewtonStatus::Converged) {
            report.method = "newton";
            return report;
        }
        // A singular matrix on the very first factorisation is structural (a floating node, a
        // loop of voltage sources): continuation would only hide it.
        if (r.status == NewtonStatus::Singular && r.first_factor)
            throw_singular(circuit, r.singular_col, settings.where);
    }
    std::vector<int> worst = r.worst;
    std::string nonfinite = r.nonfinite;  // the first attempt that overflowed, named
    int singular = r.status == NewtonStatus::Singular ? r.singular_col : -1;  // a pivot that vanished
    auto note = [&](const NewtonResult& s) {
        if (!s.worst.empty()) worst = s.worst;
        if (nonfinite.empty()) nonfinite = s.nonfinite;
        if (s.status == NewtonStatus::Singular && s.singular_col >= 0) singular = s.singular_col;
    };

    // gmin stepping: a shunt from every node to ground makes the matrix diagonally dominant;
    // lower it a decade at a time, backing off when a step fails.
    if (options.gmin_steps > 0) {
        x = start;
        std::vector<double> good = x;
        double g = options.gmin * std::pow(10.0, options.gmin_steps);
        double factor = 10;
        bool ok = true;
        bool first = true;
        // Backing off and stepping on can alternate without end near a gmin the circuit will not
        // converge below (the factor settles at 4 instead of shrinking): a budget bounds it.
        for (int tries = 0;; ++tries) {
            if (tries >= kMaxSteppingAttempts) {
                ok = false;
                break;
            }
            eq.shunt = g;
            NewtonResult s = attempt(first && settings.cold_start);
            if (s.status == NewtonStatus::Converged) {
                first = false;
                good = x;
                if (g <= options.gmin) break;
                g = std::max(g / factor, options.gmin * 0.99);
                factor = std::min(factor * 2, 10.0);
            } else {
                note(s);
                if (first) {
                    ok = false;
                    break;
                }
                x = good;
                g *= factor;
                factor = std::sqrt(factor);
                if (factor < 1.0001) {
                    ok = false;
                    break;
                }
                g /= factor;
            }
        }
        if (ok) {
            eq.shunt = 0;
            x = good;
            NewtonResult s = attempt(false);
            if (s.status == NewtonStatus::Converged) {
                report.method = "gmin stepping";
                return report;
            }
            note(s);
        }
    }

    // Source stepping: from all sources off (a trivial solution) up to full value.
    if (options.src_steps > 0) {
        eq.shunt = 0;
        std::fill(x.begin(), x.end(), 0.0);
        ns.context.source_scale = 0;
        NewtonResult s = attempt(true);
        if (s.status != NewtonStatus::Converged) note(s);
        if (s.status == NewtonStatus::Converged) {
            std::vector<double> good = x;
            double scale = 0, step = 1.0 / options.src_steps;
            for (int tries = 0; scale < 1 && tries < kMaxSteppingAttempts; ++tries) {
                double next = std::min(1.0, scale + step);
                ns.context.source_scale = next;
                s = attempt(false);
                if (s.status == NewtonStatus::Converged) {
                    scale = next;
                    good = x;
                    step = std::min(step * 1.5, 0.5);
                } else {
                    x = good;
                    step /= 4;
                    if (step < 1e-7) break;
                }
            }
            if (scale >= 1) {
                report.method = "source stepping";
                return report;
            }
            note(s);
        }
    }

    // Pseudo-transient continuation, the last resort: every node voltage gets a capacitance to
    // its value at the previous pseudo-time point (backward Euler, i.e. a conductance C/h tied to
    // that value), so each step is diagonally dominant and the iterate follows the circuit's own
    // relaxation towards a stable equilibrium: what latches and positive-feedback loops need
    // when a shunt to ground (gmin) or scaled sources pull them to the wrong side. The step grows
    // tenfold after an easy step, twofold after a hard one, and shrinks eightfold after a failure.
    {
        eq.shunt = 0;
        ns.context.source_scale = 1;
        x = start;
        std::vector<std::pair<int, double>> ties;
        const auto& unknowns = circuit.unknowns();
        for (int i = 0; i < circuit.size(); ++i)
            if (unknowns[static_cast<std::size_t>(i)].kind == UnknownKind::Voltage) ties.emplace_back(i, x[i]);
        std::vector<double> good = x;
        double g = kPseudoTransientStart;
        bool first = true;
        for (int tries = 0; tries < kMaxSteppingAttempts && g <= kPseudoTransientGiveUp; ++tries) {
            eq.ties = ties;
            eq.tie_conductance = g;
            NewtonResult s = attempt(first && settings.cold_start);
            eq.ties.clear();
            if (s.status != NewtonStatus::Converged) {
                note(s);
                x = good;
                g *= 8;
                continue;
            }
            first = false;
            // Steady in pseudo time (the step moved no unknown by more than its tolerance), or
            // the capacitance is down to gmin: try the circuit itself from here.
            bool steady = true;
            for (auto& [i, v] : ties) {
                if (std::abs(x[i] - v) > options.reltol * std::max(std::abs(x[i]), std::abs(v)) + options.vntol)
                    steady = false;
                v = x[i];
            }
            good = x;
            if (steady || g <= options.gmin) {
                NewtonResult f = attempt(false);
                if (f.status == NewtonStatus::Converged) {
                    report.method = "pseudo-transient";
                    return report;
                }
                note(f);
                x = good;
                if (g <= options.gmin) break;
            }
            g /= s.iterations <= kEasyStepIterations ? 10 : 2;
        }
        eq.ties.clear();
    }

    std::string culprits =
        !worst.empty() ? describe_unknowns(circuit, worst, x)
        : singular >= 0 && singular < circuit.size()
            ? fmt::format("(none: the matrix turned singular at {}, which a tiny resistance or a huge "
                          "conductance beside it can cause)",
                          circuit.unknowns()[static_cast<std::size_t>(singular)].name)
            : std::string("(no unknown identified)");
    x = start;
    throw SimulationError(fmt::format(
        "no convergence at {} (tried {}); furthest from "
        "converging: {}{}",
        settings.where, tried_methods(options), culprits,
        nonfinite.empty() ? "" : fmt::format("; the equations became infinite or NaN in {}", nonfinite)));
}

}  // namespace ionspice::solver
