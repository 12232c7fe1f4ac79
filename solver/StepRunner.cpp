#include "solver/StepRunner.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "solver/Newton.hpp"
#include "solver/OutputWriters.hpp"
#include "solver/ResultArchive.hpp"
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

/// A step's error as the command line prints it, the step named.
void describe_failure(std::exception_ptr error, const StepPoint& point, StepOutcome& out) {
    try {
        rethrow_in_step(error, point);
    } catch (const NetlistError& e) {
        out.failure = e.what();
        out.located = true;
    } catch (const std::exception& e) {
        out.failure = e.what();
    }
}

/// What one process ran, for the first one: (step index, its outcome, its result when it ran).
std::string pack_share(const std::vector<std::size_t>& mine, const std::vector<StepOutcome>& outcomes,
                       const std::vector<SimulationResult>& results) {
    std::string out;
    pack_count(out, mine.size());
    for (std::size_t k : mine) {
        pack_count(out, k);
        pack_text(out, outcomes[k].failure);
        pack_count(out, outcomes[k].located);
        if (outcomes[k].failure.empty()) pack(out, results[k]);
    }
    return out;
}

void unpack_share(std::string_view in, std::vector<StepOutcome>& outcomes, std::vector<SimulationResult>& results) {
    for (std::uint64_t m = unpack_count(in); m > 0; --m) {
        const std::uint64_t k = unpack_count(in);
        if (k >= outcomes.size()) throw std::runtime_error("a step result names a step that does not exist");
        outcomes[k].failure = unpack_text(in);
        outcomes[k].located = unpack_count(in) != 0;
        if (outcomes[k].failure.empty()) results[k] = unpack(in);
    }
}

}  // namespace

SimulationResult run_steps(const parser::Deck& deck, const std::vector<parser::SweepSpec>& steps,
                           const SimulateSettings& settings, const std::string& date_here) {
    auto t0 = std::chrono::steady_clock::now();
    const std::vector<StepPoint> points = step_points(steps);
    const std::size_t n = points.size();
    StepRanks* ranks = settings.ranks && settings.ranks->size() > 1 ? settings.ranks : nullptr;
    const bool keep_going = settings.keep_going || ranks;
    // Every process writes the first one's date into its plots: the bytes do not depend on which
    // process ran a step.
    const std::string date = ranks ? ranks->broadcast(date_here) : date_here;
    // The points this process runs: every size()-th, so that neighbouring points (often of
    // similar cost) go to different processes.
    std::vector<std::size_t> mine;
    for (std::size_t k = ranks ? static_cast<std::size_t>(ranks->rank()) : 0; k < n;
         k += ranks ? static_cast<std::size_t>(ranks->size()) : 1)
        mine.push_back(k);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t threads = std::max<std::size_t>(
        1, std::min<std::size_t>(mine.size(), settings.threads > 0 ? static_cast<std::size_t>(settings.threads) : cores));

    SimulateSettings step_settings = settings;
    // Steps running side by side would interleave their transient progress lines, and each
    // already has a core: their factorisations stay on it.
    if (threads > 1 || ranks) step_settings.log = nullptr;
    if (threads > 1) step_settings.threads = 1;

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
        while (keep_going || !failed.load()) {
            const std::size_t m = next.fetch_add(1);
            if (m >= mine.size()) return;
            const std::size_t k = mine[m];
            auto start = std::chrono::steady_clock::now();
            // As a new solver, keeping only the analyses a new one would make again: otherwise
            // earlier points' pivots and usage would reach this point's results (in the last
            // bits), which would then depend on which points its thread or process ran before.
            newton.linear().restart();
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
    if (!keep_going)
        for (std::size_t k = 0; k < n; ++k)
            if (errors[k]) rethrow_in_step(errors[k], points[k]);

    std::vector<StepOutcome> outcomes(n);
    for (std::size_t k = 0; k < n; ++k) {
        outcomes[k].values = points[k].values;
        if (errors[k]) describe_failure(errors[k], points[k], outcomes[k]);
    }
    if (ranks) {
        // From here on every process must reach the gather: an error on one would leave the
        // others waiting, so it ends them all.
        try {
            const std::vector<std::string> shares = ranks->gather(pack_share(mine, outcomes, results));
            if (ranks->rank() != 0) {
                SimulationResult out;
                out.holds_results = false;
                return out;
            }
            for (std::size_t r = 1; r < shares.size(); ++r) unpack_share(shares[r], outcomes, results);
        } catch (const std::exception& e) {
            ranks->abort(fmt::format("ionspice: error: gathering the .step results: {}", e.what()));
        }
    }

    SimulationResult out;
    out.step_points = std::move(outcomes);
    for (const auto& s : steps)
        if (s.is_monte_carlo) out.monte_carlo_runs = sweep_values(s).size();
    for (std::size_t k = 0; k < n; ++k)
        if (out.step_points[k].failure.empty()) {
            out.warnings = results[k].warnings;  // the same at every step
            break;
        }
    std::string shape;
    for (std::size_t k = 0; k < steps.size(); ++k)
        shape += fmt::format("{}{} {}", k ? " × " : "", steps[k].name, sweep_values(steps[k]).size());
    std::size_t ran = 0, plots = 0;
    for (std::size_t k = 0; k < n; ++k)
        if (out.step_points[k].failure.empty()) ++ran, plots += results[k].plots.size();
    std::string where = fmt::format("{} thread{}", threads, threads == 1 ? "" : "s");
    if (ranks) where = fmt::format("{} processes × {}", ranks->size(), where);
    out.log.push_back(fmt::format(".step: {} points ({}), {} plots, {}{}, {:.3f} s", n, shape,
                                  plots, where,
                                  ran == n ? "" : fmt::format(", {} failed", n - ran), seconds_since(t0)));
    if (settings.stats && !ranks) {
        double busy = 0;
        for (double s : seconds) busy += s;
        out.log.push_back(fmt::format("  steps took {:.3f} s of thread time", busy));
    }
    for (std::size_t k = 0; k < n; ++k) {
        if (!out.step_points[k].failure.empty()) continue;
        SimulationResult& r = results[k];
        ++out.steps;
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
            out.log.push_back(fmt::format("step {} ({}){}:", k, step_label(points[k].values),
                                          ranks ? "" : fmt::format(", {:.3f} s", seconds[k])));
            for (auto& line : r.log) out.log.push_back("  " + line);
        }
    }
    return out;
}

}  // namespace ionspice::solver
