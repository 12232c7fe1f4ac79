#include "solver/StepRunner.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "solver/Newton.hpp"
#include "solver/OutputWriters.hpp"
#include "solver/SimulationError.hpp"
#include "solver/SweepPoints.hpp"
#include "solver/analyses/Analysis.hpp"

namespace ionspice::solver {

namespace {

using parser::NetlistError;

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
                p.params[steps[k].override_name()] = v;
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

}  // namespace

SimulationResult run_steps(const parser::Deck& deck, const std::vector<parser::SweepSpec>& steps,
                           const SimulateSettings& settings, const std::string& date) {
    auto t0 = std::chrono::steady_clock::now();
    const std::vector<StepPoint> points = step_points(steps);
    const std::size_t n = points.size();
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t threads =
        std::min<std::size_t>(n, settings.threads > 0 ? static_cast<std::size_t>(settings.threads) : cores);

    SimulateSettings step_settings = settings;
    // Steps running side by side would interleave their transient progress lines, and each
    // already has a core: their factorisations stay on it.
    if (threads > 1) {
        step_settings.log = nullptr;
        step_settings.threads = 1;
    }

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
        // One Newton per thread, kept from point to point: points of one topology (the usual
        // .step) share its symbolic analysis and ordering, which a large array pays dearly for.
        Newton newton;
        while (!failed.load()) {
            const std::size_t k = next.fetch_add(1);
            if (k >= n) return;
            auto start = std::chrono::steady_clock::now();
            try {
                BoundNetlist bound(deck, points[k].params, points[k].sources);
                results[k] = run_analyses(deck, step_settings, points[k], date, bound, &newton);
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
    out.warnings = std::move(results.front().warnings);  // the same at every step
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
        for (auto& t : r.reports) {
            t.plot += offset;
            out.reports.push_back(std::move(t));
        }
        if (settings.stats) {
            out.log.push_back(fmt::format("step {} ({}), {:.3f} s:", k, step_label(points[k].values), seconds[k]));
            for (auto& line : r.log) out.log.push_back("  " + line);
        }
    }
    return out;
}

}  // namespace ionspice::solver
