#include "solver/SubgraphEngine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "solver/CholmodEngine.hpp"

namespace ionspice::solver {

using namespace strong_rules;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// How often a solve may restart from the true residual when the recurred one drifted.
constexpr int kMaxRestarts = 2;

double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

struct Record {
    int iterations = 0;
    double solve_seconds = 0;
};

/// A's values (the caller's are overwritten by the next matrix) and M's factor.
class SubgraphFactor final : public SpdFactor {
public:
    SubgraphFactor(const std::vector<std::int64_t>& cp, const std::vector<std::int64_t>& ri, std::vector<double> ax,
                   std::unique_ptr<SpdFactor> m, Record& record)
        : cp_(cp), ri_(ri), ax_(std::move(ax)), m_(std::move(m)), record_(record) {}

    void solve(double* b) override {
        const auto t0 = Clock::now();
        const std::size_t n = cp_.size() - 1;
        x_.assign(n, 0.0);
        r_.assign(b, b + n);
        z_.resize(n);
        p_.resize(n);
        q_.resize(n);
        const double bnorm = std::sqrt(dot(r_, r_));
        int total = 0;
        if (bnorm == 0) {
            record_ = {0, since(t0)};
            return;
        }
        const double goal = kRelativeResidual * bnorm;
        for (int restart = 0;; ++restart) {
            z_ = r_;
            m_->solve(z_.data());
            p_ = z_;
            double rz = dot(r_, z_), rnorm = bnorm;
            double window = std::sqrt(dot(r_, r_));  // the residual where the last stretch began
            for (int k = 1;; ++k) {
                multiply_nodal(cp_, ri_, ax_, nullptr, p_.data(), q_.data());
                const double alpha = rz / dot(p_, q_);
                for (std::size_t i = 0; i < n; ++i) {
                    x_[i] += alpha * p_[i];
                    r_[i] -= alpha * q_[i];
                }
                rnorm = std::sqrt(dot(r_, r_));
                ++total;
                if (!std::isfinite(rnorm)) fail(total, rnorm / bnorm);
                if (rnorm <= goal) break;
                if (total >= kMaxIterations) fail(total, rnorm / bnorm);
                if (k % kJudgeEvery == 0) {
                    if (converging_too_slowly(total, rnorm, window, goal)) fail(total, rnorm / bnorm);
                    window = rnorm;
                }
                z_ = r_;
                m_->solve(z_.data());
                const double rz_next = dot(r_, z_);
                const double beta = rz_next / rz;
                rz = rz_next;
                for (std::size_t i = 0; i < n; ++i) p_[i] = z_[i] + beta * p_[i];
            }
            // The recurred residual can drift from the true one: check it, and go on from the
            // true one if it is not accepted.
            double true_norm = 0;
            if (true_residual_accepted(cp_, ri_, ax_, nullptr, b, x_.data(), r_.data(), q_.data(), goal, true_norm))
                break;
            if (restart == kMaxRestarts) fail(total, true_norm / bnorm);
        }
        std::copy(x_.begin(), x_.end(), b);
        record_ = {total, since(t0)};
    }

    std::size_t bytes() const override { return ax_.size() * sizeof(double) + m_->bytes() + 5 * x_.size() * sizeof(double); }

private:
    [[noreturn]] void fail(int iterations, double relative) const {
        record_.iterations = iterations;
        throw SpdSolveFailed(fmt::format("CG preconditioned by the strong part stopped at relative residual {:.2g} "
                                         "after {} iterations",
                                         relative, iterations));
    }

    const std::vector<std::int64_t>& cp_;
    const std::vector<std::int64_t>& ri_;
    std::vector<double> ax_;
    std::unique_ptr<SpdFactor> m_;
    Record& record_;
    std::vector<double> x_, r_, z_, p_, q_;
};

}  // namespace

void multiply_nodal(const std::vector<std::int64_t>& cp, const std::vector<std::int64_t>& ri,
                    const std::vector<double>& lower, const std::vector<double>* upper, const double* x, double* y,
                    bool absolute) {
    const auto n = cp.size() - 1;
    std::fill(y, y + n, 0.0);
    auto val = [absolute](double v) { return absolute ? std::abs(v) : v; };
    const double* up = upper ? upper->data() : lower.data();
    for (std::size_t j = 0; j < n; ++j) {
        const double xj = val(x[j]);
        double yj = 0;
        for (auto k = cp[j]; k < cp[j + 1]; ++k) {
            const auto kk = static_cast<std::size_t>(k);
            const auto i = static_cast<std::size_t>(ri[kk]);
            if (i == j) {
                yj += val(lower[kk]) * xj;
            } else {
                y[i] += val(lower[kk]) * xj;  // (i, j)
                yj += val(up[kk]) * val(x[i]);  // (j, i)
            }
        }
        y[j] += yj;
    }
}

bool converging_too_slowly(int total, double residual, double window, double goal) {
    // The rate over the last stretch, not since the start: the first iterations remove the
    // components M already catches, and the rate can fall after them.
    const double rate = std::pow(residual / window, 1.0 / kJudgeEvery);
    return rate >= 1 || total + std::log(goal / residual) / std::log(rate) > kMaxIterations;
}

bool true_residual_accepted(const std::vector<std::int64_t>& cp, const std::vector<std::int64_t>& ri,
                            const std::vector<double>& lower, const std::vector<double>* upper, const double* b,
                            const double* x, double* r, double* scratch, double goal, double& norm) {
    const std::size_t n = cp.size() - 1;
    multiply_nodal(cp, ri, lower, upper, x, scratch);
    double rr = 0, ss = 0;
    for (std::size_t i = 0; i < n; ++i) {
        r[i] = b[i] - scratch[i];
        rr += r[i] * r[i];
    }
    norm = std::sqrt(rr);
    multiply_nodal(cp, ri, lower, upper, x, scratch, true);
    for (std::size_t i = 0; i < n; ++i) ss += scratch[i] * scratch[i];
    const double rounding = kRoundingSlack * std::numeric_limits<double>::epsilon() * std::sqrt(ss);
    return norm <= std::max(kTrueResidualSlack * goal, rounding);
}

std::vector<char> strong_part(const std::vector<std::int64_t>& cp, const std::vector<std::int64_t>& ri,
                              const std::vector<double>& lower, const std::vector<double>* upper, double strength,
                              long& couplings, long& kept) {
    const std::size_t n = cp.size() - 1;
    auto size = [&](std::size_t k) {
        return upper ? std::max(std::abs(lower[k]), std::abs((*upper)[k])) : std::abs(lower[k]);
    };
    // Each coupling against its two unknowns' diagonals: |a_ij| / √(|a_ii|·|a_jj|), the entry of
    // D^-½·A·D^-½. That measure does not depend on the units of either unknown (a cell's state
    // beside its node voltages), and what is dropped by it is what bounds M⁻¹A's spread.
    std::vector<double> diagonal(n, 0.0);
    for (std::size_t j = 0; j < n; ++j)
        for (auto k = cp[j]; k < cp[j + 1]; ++k)
            if (static_cast<std::size_t>(ri[static_cast<std::size_t>(k)]) == j)
                diagonal[j] = std::abs(lower[static_cast<std::size_t>(k)]);
    std::vector<char> keep(ri.size(), 0);
    couplings = kept = 0;
    for (std::size_t j = 0; j < n; ++j)
        for (auto k = cp[j]; k < cp[j + 1]; ++k) {
            const auto i = static_cast<std::size_t>(ri[static_cast<std::size_t>(k)]);
            if (i != j) {
                ++couplings;
                // An unknown without a diagonal keeps its couplings: nothing else holds it.
                const double scale = std::sqrt(diagonal[i] * diagonal[j]);
                if (scale > 0 && size(static_cast<std::size_t>(k)) < strength * scale) continue;
                ++kept;
            }
            keep[static_cast<std::size_t>(k)] = 1;
        }
    return keep;
}

struct SubgraphEngine::Impl {
    const std::vector<std::int64_t>* cp = nullptr;
    const std::vector<std::int64_t>* ri = nullptr;
    Usage usage = Usage::Once;
    int threads = 0;
    /// The strong part's pattern (M's lower triangle) and, per entry, its slot in A's.
    std::vector<std::int64_t> m_cp, m_ri;
    std::vector<std::size_t> m_from;
    std::vector<double> m_values;
    std::unique_ptr<CholmodEngine> m_engine;  ///< analysed for m_cp/m_ri
    std::function<std::unique_ptr<SpdEngine>()> make_other;
    std::unique_ptr<SpdEngine> other;  ///< solves A where the strong part does not pay
    std::string why_other;
    long couplings = 0, kept = 0;
    double setup_seconds = 0;
    Record record;
};

SubgraphEngine::SubgraphEngine(std::function<std::unique_ptr<SpdEngine>()> other) : impl_(std::make_unique<Impl>()) {
    impl_->make_other = std::move(other);
}
SubgraphEngine::~SubgraphEngine() = default;

void SubgraphEngine::analyze(const std::vector<std::int64_t>& col_ptr, const std::vector<std::int64_t>& row_idx,
                             Usage usage, int threads) {
    auto& m = *impl_;
    m.cp = &col_ptr;
    m.ri = &row_idx;
    m.usage = usage;
    m.threads = threads;
    m.m_cp.clear();
    m.m_ri.clear();
    m.m_engine.reset();
    m.other.reset();
    m.why_other.clear();
}

std::unique_ptr<SpdFactor> SubgraphEngine::factor(const std::vector<double>& lower, std::unique_ptr<SpdFactor> reuse) {
    auto& m = *impl_;
    const auto& cp = *m.cp;
    const auto& ri = *m.ri;
    const std::size_t n = cp.size() - 1;
    const auto t0 = Clock::now();
    auto direct = [&](std::string why) -> std::unique_ptr<SpdFactor> {
        if (!m.other) {
            m.why_other = std::move(why);
            m.other = m.make_other();
            m.other->analyze(cp, ri, m.usage, m.threads);
        }
        auto f = m.other->factor(lower, std::move(reuse));
        m.setup_seconds = since(t0);
        return f;
    };
    if (m.other) return direct(m.why_other);

    long couplings = 0, kept = 0;
    const auto strong = strong_part(cp, ri, lower, nullptr, strong_rules::kStrength, couplings, kept);
    std::vector<std::int64_t> mcp(n + 1, 0), mri;
    std::vector<std::size_t> from;
    mri.reserve(n * 2);
    from.reserve(n * 2);
    for (std::size_t j = 0; j < n; ++j) {
        for (auto k = cp[j]; k < cp[j + 1]; ++k) {
            if (!strong[static_cast<std::size_t>(k)]) continue;
            mri.push_back(ri[static_cast<std::size_t>(k)]);
            from.push_back(static_cast<std::size_t>(k));
        }
        mcp[j + 1] = static_cast<std::int64_t>(mri.size());
    }
    m.couplings = couplings;
    m.kept = kept;
    if (couplings == 0 || static_cast<double>(kept) > kMaxKeptFraction * static_cast<double>(couplings))
        return direct(fmt::format("the strong part keeps {} of {} couplings", kept, couplings));

    if (!m.m_engine || mcp != m.m_cp || mri != m.m_ri) {
        m.m_cp = std::move(mcp);
        m.m_ri = std::move(mri);
        m.m_engine = std::make_unique<CholmodEngine>();
        // Many solves with one factorisation: simplicial (CholmodEngine.hpp).
        m.m_engine->analyze(m.m_cp, m.m_ri, Usage::ManySolves, 1);
    }
    m.m_from = std::move(from);
    if (m.m_engine->entries() > kMaxFill * static_cast<double>(m.m_ri.size()))
        return direct(fmt::format("the strong part's factor fills ({:.3g} entries for {})", m.m_engine->entries(),
                                  m.m_ri.size()));
    m.m_values.resize(m.m_from.size());
    for (std::size_t k = 0; k < m.m_from.size(); ++k) m.m_values[k] = lower[m.m_from[k]];
    auto mf = m.m_engine->factor(m.m_values, nullptr);
    if (!mf) return direct("the strong part is not positive definite");
    auto f = std::make_unique<SubgraphFactor>(cp, ri, lower, std::move(mf), m.record);
    m.setup_seconds = since(t0);
    return f;
}

bool SubgraphEngine::iterative() const { return !impl_->other; }

std::unique_ptr<SpdEngine> SubgraphEngine::successor() const { return impl_->make_other(); }

std::string SubgraphEngine::describe() const {
    const auto& m = *impl_;
    if (m.other)
        return fmt::format("{} (CG on the strong part would not pay: {})", m.other->describe(), m.why_other);
    return fmt::format("CG preconditioned by the strong part's Cholesky (keeps {} of {} couplings, {:.3g} entries "
                       "in its factor; setup {:.3f} s), {} iterations to a relative residual of {:g} ({:.3f} s the "
                       "last solve)",
                       m.kept, m.couplings, m.m_engine ? m.m_engine->entries() : 0.0, m.setup_seconds,
                       m.record.iterations, kRelativeResidual, m.record.solve_seconds);
}

}  // namespace ionspice::solver
