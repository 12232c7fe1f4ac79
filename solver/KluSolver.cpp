#include "solver/KluSolver.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include <klu.h>
#include <metis.h>

#include "solver/FactorCache.hpp"
#include "solver/SimulationError.hpp"
#include "solver/SpdEngine.hpp"

namespace ionspice::solver {

namespace {

/// AMD's flop estimate above which nested dissection is worth its ordering time: when the
/// matrix is factored repeatedly, from about 0.3 s of factorisation on the development machine
/// (measured on 1T1R and passive crossbars of 128² and 256² cells: below it the two orderings
/// cost about the same over a Newton solve, above it METIS saves a third to a half); for a
/// single factorisation only when the matrix is so big that nested dissection's smaller fill
/// (it grows more slowly with a grid's size than AMD's) repays the ordering at once: a 512²
/// passive crossbar (2·10¹⁰ flops by AMD) is ordered and factored in 9.0–9.4 s with METIS
/// against 9.7 s with AMD, a 256² one (1.5·10⁹) in 1.35 s against 1.2 s.
constexpr double kNestedDissectionFlops = 5e8;
constexpr double kNestedDissectionFlopsOnce = 5e9;

/// KLU's user ordering (common.ordering = 3), called for every block of the BTF form: METIS
/// nested dissection of the pattern of A + Aᵀ. Returns 0 on failure (KLU then fails the
/// analysis and we fall back to AMD), else a positive number.
int metis_order(int n, int* ap, int* ai, int* perm, klu_common*) {
    // Adjacency without the diagonal, each edge both ways, then sorted and made unique.
    std::vector<idx_t> start(static_cast<std::size_t>(n) + 1, 0);
    for (int j = 0; j < n; ++j)
        for (int p = ap[j]; p < ap[j + 1]; ++p)
            if (ai[p] != j) ++start[ai[p] + 1], ++start[j + 1];
    for (int i = 0; i < n; ++i) start[i + 1] += start[i];
    std::vector<idx_t> adj(static_cast<std::size_t>(start[n]));
    std::vector<idx_t> next(start.begin(), start.end() - 1);
    for (int j = 0; j < n; ++j)
        for (int p = ap[j]; p < ap[j + 1]; ++p)
            if (ai[p] != j) adj[next[ai[p]]++] = j, adj[next[j]++] = ai[p];
    std::vector<idx_t> xadj(static_cast<std::size_t>(n) + 1, 0);
    idx_t kept = 0;
    for (int i = 0; i < n; ++i) {
        auto b = adj.begin() + start[i], e = adj.begin() + start[i + 1];
        std::sort(b, e);
        const auto last = std::unique(b, e);
        for (auto it = b; it != last; ++it) adj[kept++] = *it;  // kept <= start[i]: no overlap
        xadj[i + 1] = kept;
    }
    if (n < 3 || kept == 0) {  // nothing to order (METIS wants a graph with edges)
        for (int i = 0; i < n; ++i) perm[i] = i;
        return 1;
    }
    idx_t nv = n, options[METIS_NOPTIONS];
    METIS_SetDefaultOptions(options);
    std::vector<idx_t> p(static_cast<std::size_t>(n)), ip(static_cast<std::size_t>(n));
    if (METIS_NodeND(&nv, xadj.data(), adj.data(), nullptr, options, p.data(), ip.data()) != METIS_OK) return 0;
    // METIS: row k of the permuted matrix is row p[k] of A; KLU's Perm means the same.
    for (int k = 0; k < n; ++k) perm[k] = static_cast<int>(p[k]);
    return 1;
}

}  // namespace

struct KluSolver::Impl {
    klu_common common;
    /// Frees a real numeric factorisation with the common it was made with.
    struct FreeNumeric {
        klu_common* common = nullptr;
        void operator()(klu_numeric* p) const {
            if (p) klu_free_numeric(&p, common);
        }
    };
    using Numeric = std::unique_ptr<klu_numeric, FreeNumeric>;
    Numeric own(klu_numeric* p) { return Numeric(p, FreeNumeric{&common}); }

    klu_symbolic* symbolic = nullptr;
    double amd_entries = 0;  ///< L and U entries as AMD's analysis estimates them
    FactorCache<Numeric> kept;
    int n = 0;
    bool restarted = false;  ///< restart(): the next analyze() is judged as a new solver's
    bool repeated = false;  ///< the analysis was for repeated factorisations
    double weight = 1;      ///< of their flops: 4 once complex ones were asked for
    std::vector<int> col_ptr, row_idx;
    /// A column with no entries (an unknown no equation mentions, e.g. a voltage source with
    /// both terminals on ground), or −1: KLU cannot analyse such a pattern, and every
    /// factorisation of it is singular in that column.
    int empty_column = -1;
    FactorResult singular_in_empty_column() const {
        FactorResult r;
        r.ok = false;
        r.singular_col = empty_column;
        return r;
    }

    /// The complex factorisation, on the same symbolic object; its values are (re, im) pairs.
    klu_numeric* z_numeric = nullptr;
    std::vector<std::complex<double>> z_values;

    klu_numeric* numeric() const {
        const auto* e = kept.current();
        return e ? e->numeric.get() : nullptr;
    }
    void free_numeric() {
        kept.clear();
        free_z_numeric();
    }
    void free_z_numeric() {
        if (z_numeric) klu_z_free_numeric(&z_numeric, &common);
        z_numeric = nullptr;
        z_values.clear();
    }
    void free_symbolic() {
        free_numeric();
        if (symbolic) klu_free_symbolic(&symbolic, &common);
        symbolic = nullptr;
    }
    /// Memory of one kept factorisation: L and U (values and row indices) and its values.
    std::size_t bytes_per_factor() const {
        const klu_numeric* num = numeric();
        if (!num) return 0;
        return static_cast<std::size_t>(num->lnz + num->unz + 2 * n) * (sizeof(double) + sizeof(int)) +
               row_idx.size() * sizeof(double);
    }
};

KluSolver::KluSolver() : impl_(new Impl) { klu_defaults(&impl_->common); }

KluSolver::~KluSolver() {
    impl_->free_symbolic();
    delete impl_;
}

void KluSolver::analyze(int n, const std::vector<int>& col_ptr, const std::vector<int>& row_idx, bool repeated,
                        bool complex_values) {
    auto& m = *impl_;
    const bool same = m.symbolic && n == m.n && col_ptr == m.col_ptr && row_idx == m.row_idx;
    // A complex multiply-add costs four real ones: AMD's (real) flop estimate, so weighted,
    // says what complex factorisations will cost.
    const double weight = complex_values ? 4.0 : 1.0;
    if (std::exchange(m.restarted, false) && same) {
        // A new solver would analyse for exactly these needs: keep the analysis if it is that.
        if (m.repeated == repeated && m.weight == (repeated ? weight : 1.0)) return;
        m.free_symbolic();
        m.n = -1;  // analysed below as a new pattern
        return analyze(n, col_ptr, row_idx, repeated, complex_values);
    }
    if (same) {
        // The same pattern: only a first need for repeated (or repeated complex) factorisations
        // of a big matrix makes a new (nested-dissection) analysis worth dropping the
        // factorisations.
        const bool seen = m.repeated && m.weight >= weight;
        const bool upgrade = repeated && !seen && m.common.ordering == 0 &&
                             m.symbolic->est_flops * weight > kNestedDissectionFlops;
        if (repeated) {
            m.repeated = true;
            m.weight = std::max(m.weight, weight);
        }
        if (!upgrade) return;
    }
    m.free_symbolic();
    m.n = n;
    m.col_ptr = col_ptr;
    m.row_idx = row_idx;
    if (!same) {
        m.repeated = repeated;
        m.weight = repeated ? weight : 1.0;
    }
    m.empty_column = -1;
    for (int c = 0; c < n && m.empty_column < 0; ++c)
        if (m.col_ptr[c] == m.col_ptr[c + 1]) m.empty_column = c;
    if (m.empty_column >= 0) return;
    m.common.ordering = 0;  // AMD, whose flop estimate decides
    ++analyses_;
    m.symbolic = klu_analyze(n, m.col_ptr.data(), m.row_idx.data(), &m.common);
    if (!m.symbolic) throw std::runtime_error("KLU symbolic analysis failed (out of memory?)");
    // AMD's estimate (a user ordering's analysis carries none: KLU takes its return value).
    m.amd_entries = m.symbolic->lnz + m.symbolic->unz;
    if (m.symbolic->est_flops * weight > (repeated ? kNestedDissectionFlops : kNestedDissectionFlopsOnce)) {
        m.common.ordering = 3;
        m.common.user_order = metis_order;
        if (klu_symbolic* nd = klu_analyze(n, m.col_ptr.data(), m.row_idx.data(), &m.common)) {
            klu_free_symbolic(&m.symbolic, &m.common);
            m.symbolic = nd;
        } else {
            m.common.ordering = 0;  // METIS failed: AMD's analysis stands
        }
    }
    // KLU's estimate of the factors' entries (before pivoting, which may add some).
    const double entries = m.amd_entries;
    check_factor_memory(entries * ((complex_values ? 2 : 1) * sizeof(double) + sizeof(int)), entries, n, "LU factors");
}

double KluSolver::estimated_entries() const { return impl_->symbolic ? impl_->amd_entries : 0.0; }

const char* KluSolver::ordering() const { return impl_->common.ordering == 3 ? "metis" : "amd"; }

void KluSolver::invalidate() { impl_->free_numeric(); }

void KluSolver::restart() {
    impl_->free_numeric();
    impl_->restarted = true;
}

bool KluSolver::has_factorization() const { return impl_->numeric() != nullptr; }

bool KluSolver::factored_values_equal(const std::vector<double>& values) const {
    return impl_->kept.current_equals(values);
}

bool KluSolver::select_kept(const std::vector<double>& values) { return impl_->kept.select(values); }

void KluSolver::keep(int count, std::size_t max_bytes) { impl_->kept.set_capacity(count, max_bytes); }

FactorResult KluSolver::factor(const std::vector<double>& values) {
    auto& m = *impl_;
    if (m.empty_column >= 0) return m.singular_in_empty_column();
    FactorResult r;
    if (m.kept.current_equals(values) || (m.kept.capacity() > 1 && m.kept.select(values))) return r;
    r.factored = true;
    auto* ax = const_cast<double*>(values.data());

    auto& kp = m.kept.slot(m.bytes_per_factor());
    if (kp.numeric) {
        // Same pivot order as that factorisation; if a pivot became tiny or zero the
        // refactorisation is unreliable and a full factorisation (new pivots) takes over.
        bool ok = klu_refactor(m.col_ptr.data(), m.row_idx.data(), ax, m.symbolic, kp.numeric.get(), &m.common);
        if (ok && klu_rcond(m.symbolic, kp.numeric.get(), &m.common) && m.common.rcond > 1e-14) {
            ++refactors_;
            kp.values = values;
            return r;
        }
        kp.numeric.reset();
    }
    kp.numeric = m.own(klu_factor(m.col_ptr.data(), m.row_idx.data(), ax, m.symbolic, &m.common));
    ++factors_;
    if (!kp.numeric || m.common.status == KLU_SINGULAR) {
        r.ok = false;
        r.singular_col = static_cast<int>(m.common.singular_col);
        if (r.singular_col >= m.n) r.singular_col = -1;
        m.kept.drop_current();
        return r;
    }
    kp.values = values;
    return r;
}

void KluSolver::solve(std::vector<double>& b) {
    auto& m = *impl_;
    if (!m.numeric()) throw std::logic_error("KLU solve without a factorisation");
    klu_solve(m.symbolic, m.numeric(), m.n, 1, b.data(), &m.common);
    ++solves_;
}

void KluSolver::solve_transposed(std::vector<double>& b) {
    auto& m = *impl_;
    if (!m.numeric()) throw std::logic_error("KLU solve without a factorisation");
    if (b.size() < static_cast<std::size_t>(m.n)) throw std::invalid_argument("KLU solve: right-hand side too short");
    klu_tsolve(m.symbolic, m.numeric(), m.n, 1, b.data(), &m.common);
    ++solves_;
}

bool KluSolver::has_complex_factorization() const { return impl_->z_numeric != nullptr; }

FactorResult KluSolver::factor(const std::vector<std::complex<double>>& values) {
    auto& m = *impl_;
    if (m.empty_column >= 0) return m.singular_in_empty_column();
    FactorResult r;
    if (!m.symbolic) throw std::logic_error("KLU factor before analyze");
    // KLU reads 2·nnz doubles: a short vector would be read past its end.
    if (values.size() != m.row_idx.size()) throw std::invalid_argument("KLU factor: values do not fit the pattern");
    if (m.z_numeric && m.z_values.size() == values.size() &&
        std::memcmp(m.z_values.data(), values.data(), values.size() * sizeof(std::complex<double>)) == 0)
        return r;
    r.factored = true;
    // std::complex<double> is laid out as KLU's (re, im) pairs.
    auto* ax = reinterpret_cast<double*>(const_cast<std::complex<double>*>(values.data()));
    if (m.z_numeric) {
        // As for real values: the last pivots while they stay sound, new ones otherwise.
        bool ok = klu_z_refactor(m.col_ptr.data(), m.row_idx.data(), ax, m.symbolic, m.z_numeric, &m.common);
        if (ok && klu_z_rcond(m.symbolic, m.z_numeric, &m.common) && m.common.rcond > 1e-14) {
            ++refactors_;
            m.z_values = values;
            return r;
        }
        m.free_z_numeric();
    }
    m.z_numeric = klu_z_factor(m.col_ptr.data(), m.row_idx.data(), ax, m.symbolic, &m.common);
    ++factors_;
    if (!m.z_numeric || m.common.status == KLU_SINGULAR) {
        r.ok = false;
        r.singular_col = static_cast<int>(m.common.singular_col);
        if (r.singular_col >= m.n) r.singular_col = -1;
        m.free_z_numeric();
        return r;
    }
    m.z_values = values;
    return r;
}

void KluSolver::solve(std::vector<std::complex<double>>& b) {
    auto& m = *impl_;
    if (!m.z_numeric) throw std::logic_error("KLU solve without a complex factorisation");
    if (b.size() < static_cast<std::size_t>(m.n)) throw std::invalid_argument("KLU solve: right-hand side too short");
    klu_z_solve(m.symbolic, m.z_numeric, m.n, 1, reinterpret_cast<double*>(b.data()), &m.common);
    ++solves_;
}

void KluSolver::solve_transposed(std::vector<std::complex<double>>& b) {
    auto& m = *impl_;
    if (!m.z_numeric) throw std::logic_error("KLU solve without a complex factorisation");
    if (b.size() < static_cast<std::size_t>(m.n)) throw std::invalid_argument("KLU solve: right-hand side too short");
    klu_z_tsolve(m.symbolic, m.z_numeric, m.n, 1, reinterpret_cast<double*>(b.data()), /*conj_solve=*/0, &m.common);
    ++solves_;
}

}  // namespace ionspice::solver
