#include "solver/Newton.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

namespace ionspice::solver {

NewtonResult Newton::solve(const Circuit& circuit, const SimOptions& options, Equations& eq, std::vector<double>& x,
                           const NewtonSettings& settings) {
    const int n = circuit.size();
    NewtonResult result;
    // A linear circuit's operating point is one factorisation; a nonlinear circuit, or any
    // transient, factors its matrix again and again, and a linear transient (chord steps on
    // kept factorisations) solves many times on each.
    const Usage usage = !eq.linear() ? Usage::Newton : settings.context.dc ? Usage::Once : Usage::ManySolves;
    linear_.choose(options.solver);
    linear_.analyze(n, circuit.col_ptr(), circuit.row_idx(), usage);
    jacobian_.resize(circuit.nnz());
    residual_.resize(n);
    dx_.resize(n);
    badness_.assign(n, 0.0);
    auto& badness = badness_;
    bool refactor = !settings.reuse_factorization;
    double previous_worst = HUGE_VAL;

    for (int it = 1; it <= settings.max_iterations; ++it) {
        ++iterations_;
        result.iterations = it;
        models::LoadContext ctx = settings.context;
        ctx.x = x.data();
        circuit.history().attach(ctx);
        ctx.noncon = 0;
        ctx.init_junctions = settings.init_junctions && it == 1;
        eq.assemble(ctx, jacobian_, residual_);

        bool stale = false;
        if (!refactor && linear_.has_factorization()) {
            stale = !linear_.factored_values_equal(jacobian_) && !linear_.select_kept(jacobian_);
        } else {
            FactorResult fr = linear_.factor(jacobian_);
            if (!fr.ok) {
                result.status = NewtonStatus::Singular;
                result.singular_col = fr.singular_col;
                result.first_factor = it == 1;
                return result;
            }
        }
        for (int i = 0; i < n; ++i) dx_[i] = -residual_[i];
        linear_.solve(dx_);

        // Converged when every update is within its tolerance (SPICE's test), measured on the
        // step just taken, and no device had to limit.
        bool converged = ctx.noncon == 0;
        bool finite = true;
        for (int i = 0; i < n; ++i) {
            double xn = x[i] + dx_[i];
            if (!std::isfinite(xn)) {
                finite = false;
                badness[i] = HUGE_VAL;
                continue;
            }
            double tol = options.reltol * std::max(std::fabs(x[i]), std::fabs(xn)) + circuit.abs_tol(i, options);
            badness[i] = std::fabs(dx_[i]) / tol;
            if (badness[i] > 1) converged = false;
        }
        if (!finite) {
            result.status = NewtonStatus::NonFinite;
            result.nonfinite = find_nonfinite(circuit, ctx);
            break;
        }
        for (int i = 0; i < n; ++i) x[i] += dx_[i];
        const double worst = badness.empty() ? 0.0 : *std::max_element(badness.begin(), badness.end());
        if (stale) {
            // With an outdated matrix the iteration only contracts by some rho per step, and
            // whatever error it leaves is fed into the integration history (the trapezoidal
            // rule never damps it). So a chord solution must be as good as an exact solve: an
            // iteration contracting at least a hundredfold per step (a matrix that changed
            // little, as a crossbar's when only its small capacitances see the new step, or
            // one cell of it), whose remaining error, rho/(1 − rho) times the step just taken
            // (the simplified-Newton estimate), is 1e-7 of tolerance (the estimate, from the
            // first steps' rate, runs optimistic: measured 10x on a crossbar, hence the margin);
            // otherwise factor the current matrix.
            const bool contracting = it > 1 && worst <= 0.01 * previous_worst;
            const double rho = !contracting ? 1 : previous_worst > 0 ? worst / previous_worst : 0;
            converged = ctx.noncon == 0 && contracting && worst * rho / (1 - rho) <= 1e-7;
            if (it > 1 && !contracting) refactor = true;
        }
        // The rate is measured against the step before, whether or not that one was stale (a
        // chord step right after a fresh factorisation compares with that factorisation's step).
        previous_worst = worst;
        // A linear system is solved exactly by one step with its own matrix (up to rounding):
        // a second solve would only confirm it.
        if (converged || (eq.linear() && !stale)) {
            result.status = NewtonStatus::Converged;
            return result;
        }
    }
    if (result.status != NewtonStatus::NonFinite) result.status = NewtonStatus::NotConverged;
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    auto most = std::min<std::size_t>(order.size(), 8);
    std::partial_sort(order.begin(), order.begin() + most, order.end(),
                      [&](int a, int b) { return badness[a] > badness[b]; });
    for (std::size_t k = 0; k < most && badness[order[k]] > 1; ++k) result.worst.push_back(order[k]);
    return result;
}

std::string Newton::find_nonfinite(const Circuit& circuit, const models::LoadContext& ctx) const {
    std::vector<double> jf(static_cast<std::size_t>(circuit.nnz())), f(static_cast<std::size_t>(circuit.size()));
    for (auto* d : circuit.nonlinear()) {
        std::fill(jf.begin(), jf.end(), 0.0);
        std::fill(f.begin(), f.end(), 0.0);
        models::LoadContext c = ctx;
        d->load(c, models::Stamp{jf.data(), nullptr, f.data(), nullptr});
        for (std::size_t i = 0; i < f.size(); ++i)
            if (!std::isfinite(f[i]))
                return fmt::format("device '{}' at {}", d->name(), circuit.unknowns()[i].name);
        for (double v : jf)
            if (!std::isfinite(v)) return fmt::format("device '{}' (its derivatives)", d->name());
    }
    return {};
}

std::string describe_unknowns(const Circuit& circuit, const std::vector<int>& idx, const std::vector<double>& x,
                              std::size_t most) {
    std::string out;
    for (std::size_t k = 0; k < idx.size() && k < most; ++k) {
        if (k) out += ", ";
        out += fmt::format("{} = {:.6g}", circuit.unknowns()[idx[k]].name, x[idx[k]]);
    }
    if (idx.size() > most) out += fmt::format(" and {} more", idx.size() - most);
    return out;
}

}  // namespace ionspice::solver
