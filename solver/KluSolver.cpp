#include "solver/KluSolver.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <klu.h>

namespace ionspice::solver {

struct KluSolver::Impl {
    /// One numeric factorisation and the values it factors.
    struct Kept {
        klu_numeric* numeric = nullptr;
        std::vector<double> values;
        long used = 0;  ///< when it was last made current (for dropping the oldest)
    };

    klu_common common;
    klu_symbolic* symbolic = nullptr;
    std::vector<Kept> kept;
    int current = -1;  ///< index into kept
    int capacity = 1;
    std::size_t max_bytes = std::size_t(512) << 20;
    long clock = 0;
    int n = 0;
    std::vector<int> col_ptr, row_idx;

    klu_numeric* numeric() const { return current >= 0 ? kept[current].numeric : nullptr; }
    const std::vector<double>* values() const { return current >= 0 ? &kept[current].values : nullptr; }
    void free_numeric() {
        for (auto& k : kept)
            if (k.numeric) klu_free_numeric(&k.numeric, &common);
        kept.clear();
        current = -1;
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

void KluSolver::analyze(int n, const std::vector<int>& col_ptr, const std::vector<int>& row_idx) {
    auto& m = *impl_;
    if (m.symbolic && n == m.n && col_ptr == m.col_ptr && row_idx == m.row_idx) return;
    m.free_symbolic();
    m.n = n;
    m.col_ptr = col_ptr;
    m.row_idx = row_idx;
    m.symbolic = klu_analyze(n, m.col_ptr.data(), m.row_idx.data(), &m.common);
    if (!m.symbolic) throw std::runtime_error("KLU symbolic analysis failed (out of memory?)");
}

void KluSolver::invalidate() { impl_->free_numeric(); }

bool KluSolver::has_factorization() const { return impl_->numeric() != nullptr; }

bool KluSolver::factored_values_equal(const std::vector<double>& values) const {
    const std::vector<double>* v = impl_->values();
    return v && v->size() == values.size() && std::memcmp(v->data(), values.data(), values.size() * sizeof(double)) == 0;
}

bool KluSolver::select_kept(const std::vector<double>& values) {
    auto& m = *impl_;
    for (std::size_t k = 0; k < m.kept.size(); ++k) {
        const auto& v = m.kept[k].values;
        if (m.kept[k].numeric && v.size() == values.size() &&
            std::memcmp(v.data(), values.data(), values.size() * sizeof(double)) == 0) {
            m.current = static_cast<int>(k);
            m.kept[k].used = ++m.clock;
            return true;
        }
    }
    return false;
}

void KluSolver::keep(int count, std::size_t max_bytes) {
    auto& m = *impl_;
    m.capacity = std::max(1, count);
    m.max_bytes = max_bytes;
    // Drop the oldest beyond the new capacity, never the current one.
    while (static_cast<int>(m.kept.size()) > m.capacity) {
        int oldest = -1;
        for (std::size_t k = 0; k < m.kept.size(); ++k)
            if (static_cast<int>(k) != m.current && (oldest < 0 || m.kept[k].used < m.kept[oldest].used))
                oldest = static_cast<int>(k);
        if (m.kept[oldest].numeric) klu_free_numeric(&m.kept[oldest].numeric, &m.common);
        m.kept.erase(m.kept.begin() + oldest);
        if (m.current > oldest) --m.current;
    }
}

FactorResult KluSolver::factor(const std::vector<double>& values) {
    auto& m = *impl_;
    FactorResult r;
    if (factored_values_equal(values) || (m.capacity > 1 && select_kept(values))) return r;
    r.factored = true;
    auto* ax = const_cast<double*>(values.data());

    // The slot for the new factorisation: a free one while there is room (and memory), else
    // the one used longest ago, whose numeric object a refactorisation can reuse.
    const std::size_t per = m.bytes_per_factor();
    const bool room = static_cast<int>(m.kept.size()) < m.capacity &&
                      (per == 0 || per * (m.kept.size() + 1) <= m.max_bytes);
    int slot;
    if (room || m.kept.empty()) {
        m.kept.emplace_back();
        slot = static_cast<int>(m.kept.size()) - 1;
    } else {
        slot = 0;
        for (std::size_t k = 1; k < m.kept.size(); ++k)
            if (m.kept[k].used < m.kept[slot].used) slot = static_cast<int>(k);
    }
    auto& kp = m.kept[slot];
    m.current = slot;
    kp.used = ++m.clock;
    if (kp.numeric) {
        // Same pivot order as that factorisation; if a pivot became tiny or zero the
        // refactorisation is unreliable and a full factorisation (new pivots) takes over.
        bool ok = klu_refactor(m.col_ptr.data(), m.row_idx.data(), ax, m.symbolic, kp.numeric, &m.common);
        if (ok && klu_rcond(m.symbolic, kp.numeric, &m.common) && m.common.rcond > 1e-14) {
            ++refactors_;
            kp.values = values;
            return r;
        }
        klu_free_numeric(&kp.numeric, &m.common);
    }
    kp.numeric = klu_factor(m.col_ptr.data(), m.row_idx.data(), ax, m.symbolic, &m.common);
    ++factors_;
    if (!kp.numeric || m.common.status == KLU_SINGULAR) {
        r.ok = false;
        r.singular_col = static_cast<int>(m.common.singular_col);
        if (r.singular_col >= m.n) r.singular_col = -1;
        if (kp.numeric) klu_free_numeric(&kp.numeric, &m.common);
        m.kept.erase(m.kept.begin() + slot);
        m.current = -1;
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

}  // namespace ionspice::solver
