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

OpReport solve_operating_point(const Circuit& circuit, const SimOptions& options, Newton& newton,
                               std::vector<double>& x, const OpSettings& settings) {
    DcEquations eq(circuit);
    eq.shunt = options.gshunt;
    eq.holds = settings.holds;
    for (const auto& [i, v] : settings.holds) x[i] = v;
    NewtonSettings ns;
    ns.max_iterations = settings.max_iterations;
    ns.context.dc = true;
    ns.context.time = settings.time;
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
    NewtonResult r = attempt(settings.cold_start && settings.nodesets.empty());
    if (r.status == NewtonStatus::Converged) {
        report.method = "newton";
        return report;
    }
    // A singular matrix on the very first factorisation is structural (a floating node, a
    // loop of voltage sources): continuation would only hide it.
    if (r.status == NewtonStatus::Singular && r.first_factor) throw_singular(circuit, r.singular_col, settings.where);
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
    {
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
            eq.shunt = options.gshunt + g;
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
            eq.shunt = options.gshunt;
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
    {
        eq.shunt = options.gshunt;
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

    std::string culprits =
        !worst.empty() ? describe_unknowns(circuit, worst, x)
        : singular >= 0 && singular < circuit.size()
            ? fmt::format("(none: the matrix turned singular at {}, which a tiny resistance or a huge "
                          "conductance beside it can cause)",
                          circuit.unknowns()[static_cast<std::size_t>(singular)].name)
            : std::string("(no unknown identified)");
    x = start;
    throw SimulationError(fmt::format(
        "no convergence at {} (tried Newton, gmin stepping and source stepping); furthest from "
        "converging: {}{}",
        settings.where, culprits,
        nonfinite.empty() ? "" : fmt::format("; the equations became infinite or NaN in {}", nonfinite)));
}

}  // namespace ionspice::solver
