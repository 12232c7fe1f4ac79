#include "solver/CholmodEngine.hpp"

#include <chrono>
#include <cstring>
#include <stdexcept>

#include <cholmod.h>
#include <fmt/format.h>

// OpenBLAS's thread count (libopenblas-dev; CHOLMOD's BLAS is the same library), and the
// OpenMP runtime CHOLMOD is built with.
extern "C" {
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
void omp_set_max_active_levels(int);
}

namespace ionspice::solver {

namespace {

static_assert(sizeof(SuiteSparse_long) == sizeof(std::int64_t), "CHOLMOD's long indices are 64-bit");

/// AMD flop counts above which METIS's ordering is computed too: for a matrix factored
/// repeatedly, and for one factored once. Measured in bench/README.md ("Orderings").
constexpr double kMetisFlopsRepeated = 2e9;
constexpr double kMetisFlopsOnce = 5e10;
/// Flops of a supernodal factorisation from which the BLAS gets more than one thread.
constexpr double kParallelFlops = 1e9;

/// OpenBLAS's thread count when the process started: OPENBLAS_NUM_THREADS, else the cores.
/// Also, once: CHOLMOD's own OpenMP loops (zeroing and copying each supernode, four threads
/// each, a fork and join per supernode) are made inactive. On the development VM those
/// fork/joins took 80 % of a 256² crossbar's factorisation (0.45 s of wall time for 0.09 s of
/// work); the work that matters runs in the BLAS, on its own threads.
int default_blas_threads() {
    static const int n = [] {
        omp_set_max_active_levels(0);
        const int t = openblas_get_num_threads();
        openblas_set_num_threads(1);
        return t > 0 ? t : 1;
    }();
    return n;
}

/// The BLAS on `n` threads for a scope, on one thread after it.
struct BlasThreads {
    explicit BlasThreads(int n) {
        if (n > 1) openblas_set_num_threads(n);
        parallel = n > 1;
    }
    ~BlasThreads() {
        if (parallel) openblas_set_num_threads(1);
    }
    bool parallel = false;
};

}  // namespace

struct CholmodEngine::Impl {
    cholmod_common common;
    cholmod_factor* symbolic = nullptr;  ///< the analysis every numeric factor is copied from
    cholmod_sparse a{};                  ///< a shallow view of the caller's pattern and values
    bool metis = false;
    int threads = 1;
    double fl = 0, lnz = 0;
    double analyse_seconds = 0, factor_seconds = 0;  ///< the analysis, the last factorisation

    Impl() {
        cholmod_l_start(&common);
        common.supernodal = CHOLMOD_AUTO;  // analyze() decides (CholmodEngine.hpp)
        // LLᵀ also when simplicial (CHOLMOD's default there is LDLᵀ, which goes through an
        // indefinite matrix without a word): a pivot that is not positive is the answer
        // "not positive definite", and KLU takes over.
        common.final_ll = 1;
        common.print = 0;  // not positive definite is an answer here, not a message
        common.quick_return_if_not_posdef = 1;
        common.nmethods = 1;
        common.postorder = 1;
    }
    ~Impl() {
        if (symbolic) cholmod_l_free_factor(&symbolic, &common);
        cholmod_l_finish(&common);
    }
    /// Symbolic analysis with one ordering method.
    cholmod_factor* analyse_with(int method) {
        common.method[0].ordering = method;
        return cholmod_l_analyze(&a, &common);
    }
};

namespace {

class CholmodFactor final : public SpdFactor {
public:
    CholmodFactor(cholmod_common& c, cholmod_factor* l) : c_(c), l_(l) {}
    ~CholmodFactor() override {
        if (x_) cholmod_l_free_dense(&x_, &c_);
        if (y_) cholmod_l_free_dense(&y_, &c_);
        if (e_) cholmod_l_free_dense(&e_, &c_);
        if (l_) cholmod_l_free_factor(&l_, &c_);
    }
    void solve(double* b) override {
        // b viewed as a dense column; solve2 reuses its workspace from solve to solve.
        cholmod_dense rhs{};
        rhs.nrow = rhs.d = l_->n;
        rhs.ncol = 1;
        rhs.nzmax = l_->n;
        rhs.x = b;
        rhs.xtype = CHOLMOD_REAL;
        rhs.dtype = CHOLMOD_DOUBLE;
        if (!cholmod_l_solve2(CHOLMOD_A, l_, &rhs, nullptr, &x_, nullptr, &y_, &e_, &c_))
            throw std::runtime_error("CHOLMOD solve failed (out of memory?)");
        std::memcpy(b, x_->x, l_->n * sizeof(double));
    }
    std::size_t bytes() const override {
        return static_cast<std::size_t>(l_->is_super ? l_->xsize : l_->nzmax) * sizeof(double) +
               static_cast<std::size_t>(l_->is_super ? l_->ssize : l_->nzmax) * sizeof(SuiteSparse_long);
    }
    cholmod_factor* get() { return l_; }

private:
    cholmod_common& c_;
    cholmod_factor* l_;
    cholmod_dense *x_ = nullptr, *y_ = nullptr, *e_ = nullptr;
};

}  // namespace

CholmodEngine::CholmodEngine() : impl_(std::make_unique<Impl>()) { default_blas_threads(); }
CholmodEngine::~CholmodEngine() = default;

void CholmodEngine::analyze(const std::vector<std::int64_t>& col_ptr, const std::vector<std::int64_t>& row_idx,
                            Usage usage, int threads) {
    auto& m = *impl_;
    if (m.symbolic) cholmod_l_free_factor(&m.symbolic, &m.common);
    const auto n = col_ptr.size() - 1;
    m.a = cholmod_sparse{};
    m.a.nrow = m.a.ncol = n;
    m.a.nzmax = row_idx.size();
    m.a.p = const_cast<std::int64_t*>(col_ptr.data());
    m.a.i = const_cast<std::int64_t*>(row_idx.data());
    m.a.stype = -1;  // the lower triangle stands for the whole symmetric matrix
    m.a.itype = CHOLMOD_LONG;
    m.a.xtype = CHOLMOD_PATTERN;
    m.a.dtype = CHOLMOD_DOUBLE;
    m.a.sorted = 1;
    m.a.packed = 1;

    const auto t0 = std::chrono::steady_clock::now();
    m.threads = threads > 0 ? threads : default_blas_threads();
    m.common.supernodal = usage == Usage::ManySolves ? CHOLMOD_SIMPLICIAL : CHOLMOD_AUTO;
    const bool repeated = usage != Usage::Once;
    m.symbolic = m.analyse_with(CHOLMOD_AMD);
    if (!m.symbolic) throw std::runtime_error("CHOLMOD symbolic analysis failed (out of memory?)");
    m.metis = false;
    m.fl = m.common.fl;
    m.lnz = m.common.lnz;
    if (m.fl > (repeated ? kMetisFlopsRepeated : kMetisFlopsOnce)) {
        if (cholmod_factor* nd = m.analyse_with(CHOLMOD_METIS)) {
            if (m.common.fl < m.fl) {
                cholmod_l_free_factor(&m.symbolic, &m.common);
                m.symbolic = nd;
                m.metis = true;
                m.fl = m.common.fl;
                m.lnz = m.common.lnz;
            } else {
                cholmod_l_free_factor(&nd, &m.common);
            }
        }
    }
    m.analyse_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    check_factor_memory(m.lnz * (sizeof(double) + sizeof(SuiteSparse_long)), m.lnz, static_cast<int>(n),
                        "Cholesky factor");
}

std::unique_ptr<SpdFactor> CholmodEngine::factor(const std::vector<double>& lower, std::unique_ptr<SpdFactor> reuse) {
    auto& m = *impl_;
    if (!m.symbolic) throw std::logic_error("CHOLMOD factor before analyze");
    m.a.xtype = CHOLMOD_REAL;
    m.a.x = const_cast<double*>(lower.data());
    // A numeric factor of its own, so that several can be kept (a transient's step sizes):
    // the previous one's memory when given, else a copy of the analysis.
    std::unique_ptr<CholmodFactor> f(dynamic_cast<CholmodFactor*>(reuse.release()));
    if (!f) {
        cholmod_factor* l = cholmod_l_copy_factor(m.symbolic, &m.common);
        if (!l) throw std::runtime_error("CHOLMOD: out of memory copying the analysis");
        f = std::make_unique<CholmodFactor>(m.common, l);
    }
    int ok = 0;
    const auto t0 = std::chrono::steady_clock::now();
    {
        BlasThreads blas(f->get()->is_super && m.fl > kParallelFlops ? m.threads : 1);
        ok = cholmod_l_factorize(&m.a, f->get(), &m.common);
    }
    m.factor_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m.a.xtype = CHOLMOD_PATTERN;
    m.a.x = nullptr;
    if (m.common.status == CHOLMOD_OUT_OF_MEMORY) throw std::bad_alloc();
    if (!ok || m.common.status == CHOLMOD_NOT_POSDEF || f->get()->minor < f->get()->n) return nullptr;
    return f;
}

std::string CholmodEngine::describe() const {
    const auto& m = *impl_;
    const bool super = m.symbolic && m.symbolic->is_super;
    return fmt::format("cholmod {}, {} ordering ({:.3f} s), {:.3g} entries in L, {:.3g} flops ({:.3f} s the last)",
                       super ? "supernodal" : "simplicial", ordering(), m.analyse_seconds, m.lnz, m.fl,
                       m.factor_seconds);
}

const char* CholmodEngine::ordering() const { return impl_->metis ? "metis" : "amd"; }

double CholmodEngine::flops() const { return impl_->fl; }

double CholmodEngine::entries() const { return impl_->lnz; }

}  // namespace ionspice::solver
