#include "solver/KluSolver.hpp"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include <klu.h>

namespace ionspice::solver {

struct KluSolver::Impl {
    klu_common common;
    klu_symbolic* symbolic = nullptr;
    klu_numeric* numeric = nullptr;
    int n = 0;
    std::vector<int> col_ptr, row_idx;
    std::vector<double> last;  ///< values of the current factorisation

    void free_numeric() {
        if (numeric) klu_free_numeric(&numeric, &common);
        numeric = nullptr;
    }
    void free_symbolic() {
        free_numeric();
        if (symbolic) klu_free_symbolic(&symbolic, &common);
        symbolic = nullptr;
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
    m.last.clear();
    m.symbolic = klu_analyze(n, m.col_ptr.data(), m.row_idx.data(), &m.common);
    if (!m.symbolic) throw std::runtime_error("KLU symbolic analysis failed (out of memory?)");
}

void KluSolver::invalidate() {
    impl_->free_numeric();
    impl_->last.clear();
}

bool KluSolver::has_factorization() const { return impl_->numeric != nullptr; }

bool KluSolver::factored_values_equal(const std::vector<double>& values) const {
    const auto& m = *impl_;
    return m.numeric && m.last.size() == values.size() &&
           std::memcmp(m.last.data(), values.data(), values.size() * sizeof(double)) == 0;
}

FactorResult KluSolver::factor(const std::vector<double>& values) {
    auto& m = *impl_;
    FactorResult r;
    if (factored_values_equal(values)) return r;
    r.factored = true;
    auto* ax = const_cast<double*>(values.data());
    if (m.numeric) {
        // Same pivot order as the last full factorisation; if a pivot became tiny or zero the
        // refactorisation is unreliable and a full factorisation (new pivots) takes over.
        bool ok = klu_refactor(m.col_ptr.data(), m.row_idx.data(), ax, m.symbolic, m.numeric, &m.common);
        if (ok && klu_rcond(m.symbolic, m.numeric, &m.common) && m.common.rcond > 1e-14) {
            ++refactors_;
            m.last = values;
            return r;
        }
        m.free_numeric();
    }
    m.numeric = klu_factor(m.col_ptr.data(), m.row_idx.data(), ax, m.symbolic, &m.common);
    ++factors_;
    if (!m.numeric || m.common.status == KLU_SINGULAR) {
        r.ok = false;
        r.singular_col = static_cast<int>(m.common.singular_col);
        if (r.singular_col >= m.n) r.singular_col = -1;
        m.free_numeric();
        m.last.clear();
        return r;
    }
    m.last = values;
    return r;
}

void KluSolver::solve(std::vector<double>& b) {
    auto& m = *impl_;
    if (!m.numeric) throw std::logic_error("KLU solve without a factorisation");
    klu_solve(m.symbolic, m.numeric, m.n, 1, b.data(), &m.common);
    ++solves_;
}

}  // namespace ionspice::solver
