#include "solver/GmresEngine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "solver/KluSolver.hpp"
#include "solver/SpdEngine.hpp"
#include "solver/SubgraphEngine.hpp"

namespace ionspice::solver {

using namespace strong_rules;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double dot(const double* a, const double* b, std::size_t n) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
}

}  // namespace

struct GmresEngine::Impl {
    const std::vector<std::int64_t>* cp = nullptr;
    const std::vector<std::int64_t>* ri = nullptr;
    std::vector<double> lower, upper;  ///< the factored matrix (the caller's are overwritten)
    /// The strong part, whole (KLU's compressed columns), and where each entry's value comes
    /// from: the k-th lower entry, or its mirror when `mirrored`.
    std::vector<int> m_cp, m_ri;
    std::vector<std::size_t> m_from;
    std::vector<char> m_mirrored;
    std::vector<double> m_values;
    KluSolver klu;
    bool analysed = false;
    long couplings = 0, kept = 0;
    std::string why_not;
    int iterations = 0;
    double setup_seconds = 0, solve_seconds = 0;
    /// GMRES's work: the Krylov basis, Hessenberg matrix, rotations, vectors.
    std::vector<std::vector<double>> basis;
    std::vector<double> h, cs, sn, g, y, x, r, z;
};

GmresEngine::GmresEngine() : impl_(std::make_unique<Impl>()) {}
GmresEngine::~GmresEngine() = default;

void GmresEngine::analyze(const std::vector<std::int64_t>& col_ptr, const std::vector<std::int64_t>& row_idx) {
    auto& m = *impl_;
    m.cp = &col_ptr;
    m.ri = &row_idx;
    m.analysed = false;
    m.m_cp.clear();
    m.m_ri.clear();
    m.why_not.clear();
}

bool GmresEngine::factor(const std::vector<double>& lower, const std::vector<double>& upper) {
    auto& m = *impl_;
    const auto t0 = Clock::now();
    const auto& cp = *m.cp;
    const auto& ri = *m.ri;
    const std::size_t n = cp.size() - 1;
    const auto strong = strong_part(cp, ri, lower, &upper, kStrength, m.couplings, m.kept);
    if (m.couplings == 0 || static_cast<double>(m.kept) > kMaxKeptFraction * static_cast<double>(m.couplings)) {
        m.why_not = fmt::format("the strong part keeps {} of {} couplings", m.kept, m.couplings);
        return false;
    }
    // The strong part as whole columns, rows ascending: column c holds the mirrors (c, r) of
    // the lower entries of the earlier columns r, then its own lower entries.
    std::vector<int> above(n, 0), count(n + 1, 0);
    for (std::size_t j = 0; j < n; ++j)
        for (auto k = cp[j]; k < cp[j + 1]; ++k) {
            if (!strong[static_cast<std::size_t>(k)]) continue;
            const auto i = static_cast<std::size_t>(ri[static_cast<std::size_t>(k)]);
            ++count[j + 1];
            if (i != j) ++count[i + 1], ++above[i];
        }
    for (std::size_t c = 0; c < n; ++c) count[c + 1] += count[c];
    std::vector<int> mri(static_cast<std::size_t>(count[n]));
    std::vector<std::size_t> from(mri.size());
    std::vector<char> mirrored(mri.size(), 0);
    std::vector<int> next_above(count.begin(), count.end() - 1), next_own(n);
    for (std::size_t c = 0; c < n; ++c) next_own[c] = count[c] + above[c];
    for (std::size_t j = 0; j < n; ++j)
        for (auto k = cp[j]; k < cp[j + 1]; ++k) {
            if (!strong[static_cast<std::size_t>(k)]) continue;
            const auto i = static_cast<std::size_t>(ri[static_cast<std::size_t>(k)]);
            auto at = static_cast<std::size_t>(next_own[j]++);
            mri[at] = static_cast<int>(i);  // (i, j) in column j
            from[at] = static_cast<std::size_t>(k);
            if (i != j) {
                at = static_cast<std::size_t>(next_above[i]++);
                mri[at] = static_cast<int>(j);  // (j, i) in column i
                from[at] = static_cast<std::size_t>(k);
                mirrored[at] = 1;
            }
        }
    if (!m.analysed || count != m.m_cp || mri != m.m_ri) {
        m.m_cp = std::move(count);
        m.m_ri = std::move(mri);
        // As a single factorisation: AMD, which leaves a forest without fill (METIS would only
        // cost time here, and a strong part that fills is refused below).
        m.klu.analyze(static_cast<int>(n), m.m_cp, m.m_ri, false);
        m.analysed = true;
        if (m.klu.estimated_entries() > kMaxFill * static_cast<double>(m.m_ri.size())) {
            m.why_not = fmt::format("the strong part's LU fills ({:.3g} entries for {})", m.klu.estimated_entries(),
                                    m.m_ri.size());
            return false;
        }
    }
    m.m_from = std::move(from);
    m.m_mirrored = std::move(mirrored);
    m.m_values.resize(m.m_from.size());
    for (std::size_t e = 0; e < m.m_from.size(); ++e)
        m.m_values[e] = (m.m_mirrored[e] ? upper : lower)[m.m_from[e]];
    if (!m.klu.factor(m.m_values).ok) {
        m.why_not = "the strong part is singular";
        return false;
    }
    m.lower = lower;
    m.upper = upper;
    m.setup_seconds = since(t0);
    return true;
}

void GmresEngine::solve(double* b, bool transposed) {
    auto& m = *impl_;
    const auto t0 = Clock::now();
    const auto& cp = *m.cp;
    const auto& ri = *m.ri;
    const std::size_t n = cp.size() - 1;
    const int mk = kRestart;
    // Aᵀ is the same lower triangle with the two sides exchanged.
    const auto& lo = transposed ? m.upper : m.lower;
    const auto& up = transposed ? m.lower : m.upper;
    auto precondition = [&](std::vector<double>& v) {
        if (transposed)
            m.klu.solve_transposed(v);
        else
            m.klu.solve(v);
    };
    auto fail = [&](int iterations, double relative) {
        m.iterations = iterations;
        throw SpdSolveFailed(fmt::format("GMRES preconditioned by the strong part stopped at relative residual "
                                         "{:.2g} after {} iterations",
                                         relative, iterations));
    };

    m.basis.resize(static_cast<std::size_t>(mk) + 1);
    for (auto& v : m.basis) v.resize(n);
    m.h.assign(static_cast<std::size_t>((mk + 1) * mk), 0.0);
    m.cs.assign(static_cast<std::size_t>(mk), 0.0);
    m.sn.assign(static_cast<std::size_t>(mk), 0.0);
    m.g.assign(static_cast<std::size_t>(mk) + 1, 0.0);
    m.y.assign(static_cast<std::size_t>(mk), 0.0);
    m.x.assign(n, 0.0);
    m.r.assign(b, b + n);
    m.z.resize(n);
    auto H = [&](int i, int k) -> double& { return m.h[static_cast<std::size_t>(i * mk + k)]; };

    const double bnorm = std::sqrt(dot(b, b, n));
    if (bnorm == 0) {
        m.iterations = 0;
        return;
    }
    const double goal = kRelativeResidual * bnorm;
    int total = 0;
    double window = bnorm;
    for (;;) {
        const double beta = std::sqrt(dot(m.r.data(), m.r.data(), n));
        for (std::size_t i = 0; i < n; ++i) m.basis[0][i] = m.r[i] / beta;
        std::fill(m.g.begin(), m.g.end(), 0.0);
        m.g[0] = beta;
        int k = 0;
        double res = beta;
        while (k < mk) {
            m.z = m.basis[static_cast<std::size_t>(k)];
            precondition(m.z);
            auto& w = m.basis[static_cast<std::size_t>(k) + 1];
            multiply_nodal(cp, ri, lo, &up, m.z.data(), w.data());
            for (int i = 0; i <= k; ++i) {  // modified Gram–Schmidt
                const auto& v = m.basis[static_cast<std::size_t>(i)];
                const double hik = dot(w.data(), v.data(), n);
                H(i, k) = hik;
                for (std::size_t e = 0; e < n; ++e) w[e] -= hik * v[e];
            }
            const double norm = std::sqrt(dot(w.data(), w.data(), n));
            H(k + 1, k) = norm;
            if (norm > 0)
                for (std::size_t e = 0; e < n; ++e) w[e] /= norm;
            for (int i = 0; i < k; ++i) {  // the earlier rotations, then this column's own
                const double a = H(i, k), c = H(i + 1, k);
                H(i, k) = m.cs[static_cast<std::size_t>(i)] * a + m.sn[static_cast<std::size_t>(i)] * c;
                H(i + 1, k) = -m.sn[static_cast<std::size_t>(i)] * a + m.cs[static_cast<std::size_t>(i)] * c;
            }
            const double a = H(k, k), c = H(k + 1, k), rho = std::hypot(a, c);
            const auto kk = static_cast<std::size_t>(k);
            m.cs[kk] = rho > 0 ? a / rho : 1;
            m.sn[kk] = rho > 0 ? c / rho : 0;
            H(k, k) = rho;
            H(k + 1, k) = 0;
            m.g[kk + 1] = -m.sn[kk] * m.g[kk];
            m.g[kk] = m.cs[kk] * m.g[kk];
            res = std::abs(m.g[kk + 1]);
            ++k;
            ++total;
            if (!std::isfinite(res) || rho == 0) fail(total, res / bnorm);
            if (res <= goal) break;
            if (total >= kMaxIterations) break;
            if (total % kJudgeEvery == 0) {
                if (converging_too_slowly(total, res, window, goal)) fail(total, res / bnorm);
                window = res;
            }
        }
        // x += M⁻¹·(V·y), y from the rotated Hessenberg system.
        for (int i = k - 1; i >= 0; --i) {
            double s = m.g[static_cast<std::size_t>(i)];
            for (int j = i + 1; j < k; ++j) s -= H(i, j) * m.y[static_cast<std::size_t>(j)];
            m.y[static_cast<std::size_t>(i)] = s / H(i, i);
        }
        std::fill(m.z.begin(), m.z.end(), 0.0);
        for (int i = 0; i < k; ++i) {
            const double yi = m.y[static_cast<std::size_t>(i)];
            const auto& v = m.basis[static_cast<std::size_t>(i)];
            for (std::size_t e = 0; e < n; ++e) m.z[e] += yi * v[e];
        }
        precondition(m.z);
        for (std::size_t e = 0; e < n; ++e) m.x[e] += m.z[e];
        // The true residual: done when accepted, else the next cycle starts from it.
        double true_norm = 0;
        if (true_residual_accepted(cp, ri, lo, &up, b, m.x.data(), m.r.data(), m.z.data(), goal, true_norm)) break;
        if (total >= kMaxIterations) fail(total, true_norm / bnorm);
    }
    std::copy(m.x.begin(), m.x.end(), b);
    m.iterations = total;
    m.solve_seconds = since(t0);
}

std::string GmresEngine::describe() const {
    const auto& m = *impl_;
    return fmt::format("GMRES({}) preconditioned by the strong part's LU (keeps {} of {} couplings, {:.3g} entries in "
                       "its factors; setup {:.3f} s), {} iterations to a relative residual of {:g} ({:.3f} s the "
                       "last solve)",
                       kRestart, m.kept, m.couplings, m.klu.estimated_entries(), m.setup_seconds, m.iterations,
                       kRelativeResidual, m.solve_seconds);
}

const std::string& GmresEngine::why_not() const { return impl_->why_not; }

}  // namespace ionspice::solver
