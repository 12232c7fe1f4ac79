#include "solver/AmgEngine.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#ifdef IONSPICE_HAVE_HYPRE
#include <HYPRE.h>
#include <HYPRE_krylov.h>
#include <HYPRE_parcsr_ls.h>
#include <mpi.h>
#endif

#ifdef IONSPICE_HAVE_HYPRE
// The OpenMP runtime hypre is built with (Debian's libhypre uses it in its kernels).
extern "C" void omp_set_num_threads(int);
#endif

namespace ionspice::solver {

#ifdef IONSPICE_HAVE_HYPRE

namespace {

/// share_over_ranks(): solves span MPI_COMM_WORLD (set once, before any solve).
std::atomic<bool> g_world{false};
std::atomic<long> g_distributed_solves{0};

/// The rows [first, last) of n a rank owns: contiguous blocks, sizes differing by at most one.
std::pair<HYPRE_Int, HYPRE_Int> owned_rows(HYPRE_Int n, int rank, int size) {
    auto edge = [&](int r) { return static_cast<HYPRE_Int>(static_cast<long long>(n) * r / size); };
    return {edge(rank), edge(rank + 1)};
}

/// hypre keeps global state (its error flag, memory pools): one call sequence at a time.
std::mutex& hypre_mutex() {
    static std::mutex m;
    return m;
}

/// MPI and hypre, initialised once per process (MPI only if nobody did, then finalised at exit).
void ensure_hypre() {
    static std::once_flag once;
    std::call_once(once, [] {
        int initialised = 0;
        MPI_Initialized(&initialised);
        if (!initialised) {
            int provided = 0;
            MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
            std::atexit([] {
                int finalised = 0;
                MPI_Finalized(&finalised);
                if (!finalised) MPI_Finalize();
            });
        }
        HYPRE_Init();
    });
}

/// hypre's objects of one matrix: the matrix, its multigrid hierarchy inside PCG, two vectors.
class AmgFactor final : public SpdFactor {
public:
    AmgFactor(int n, std::size_t nnz, int& iterations, double& solve_seconds)
        : n_(n), nnz_(nnz), iterations_(iterations), solve_seconds_(solve_seconds) {}
    ~AmgFactor() override {
        std::lock_guard lock(hypre_mutex());
        if (pcg_) HYPRE_ParCSRPCGDestroy(pcg_);
        if (amg_) HYPRE_BoomerAMGDestroy(amg_);
        if (a_) HYPRE_IJMatrixDestroy(a_);
        if (b_) HYPRE_IJVectorDestroy(b_);
        if (x_) HYPRE_IJVectorDestroy(x_);
    }

    void build(const std::vector<HYPRE_Int>& row_ptr, const std::vector<HYPRE_Int>& cols,
               const std::vector<double>& values) {
        std::lock_guard lock(hypre_mutex());
        // Alone, every row; across ranks, this rank's block of rows (hypre numbers rows
        // globally, so the columns stay as they are).
        comm_ = MPI_COMM_SELF;
        first_ = 0;
        end_ = n_;
        if (g_world) {
            comm_ = MPI_COMM_WORLD;
            int rank = 0, size = 1;
            MPI_Comm_rank(comm_, &rank);
            MPI_Comm_size(comm_, &size);
            std::tie(first_, end_) = owned_rows(n_, rank, size);
            counts_.resize(static_cast<std::size_t>(size));
            offsets_.resize(static_cast<std::size_t>(size));
            for (int r = 0; r < size; ++r) {
                const auto [a, b] = owned_rows(n_, r, size);
                offsets_[static_cast<std::size_t>(r)] = a;
                counts_[static_cast<std::size_t>(r)] = b - a;
            }
        }
        const HYPRE_Int mine = end_ - first_;
        HYPRE_IJMatrixCreate(comm_, first_, end_ - 1, first_, end_ - 1, &a_);
        HYPRE_IJMatrixSetObjectType(a_, HYPRE_PARCSR);
        std::vector<HYPRE_Int> sizes(static_cast<std::size_t>(mine));
        rows_.resize(static_cast<std::size_t>(mine));
        for (HYPRE_Int i = first_; i < end_; ++i) {
            sizes[static_cast<std::size_t>(i - first_)] =
                row_ptr[static_cast<std::size_t>(i) + 1] - row_ptr[static_cast<std::size_t>(i)];
            rows_[static_cast<std::size_t>(i - first_)] = i;
        }
        const auto from = static_cast<std::size_t>(row_ptr[static_cast<std::size_t>(first_)]);
        HYPRE_IJMatrixSetRowSizes(a_, sizes.data());
        HYPRE_IJMatrixInitialize(a_);
        HYPRE_IJMatrixSetValues(a_, mine, sizes.data(), rows_.data(), cols.data() + from, values.data() + from);
        HYPRE_IJMatrixAssemble(a_);
        HYPRE_IJMatrixGetObject(a_, reinterpret_cast<void**>(&par_a_));
        for (auto* v : {&b_, &x_}) {
            HYPRE_IJVectorCreate(comm_, first_, end_ - 1, v);
            HYPRE_IJVectorSetObjectType(*v, HYPRE_PARCSR);
            HYPRE_IJVectorInitialize(*v);
            HYPRE_IJVectorAssemble(*v);
        }
        HYPRE_IJVectorGetObject(b_, reinterpret_cast<void**>(&par_b_));
        HYPRE_IJVectorGetObject(x_, reinterpret_cast<void**>(&par_x_));

        // BoomerAMG as one V-cycle per CG iteration: HMIS coarsening and extended+i
        // interpolation (truncated to 4 entries a row) keep the coarse levels sparse; the
        // hybrid symmetric Gauss–Seidel smoother keeps the preconditioner symmetric, as CG needs.
        // On a crossbar the cells are weak next to the wires, so it coarsens along the wires
        // (operator complexity about 7.6 at 512²); PMIS, aggressive coarsening, a higher
        // strength threshold, l1-Gauss–Seidel, non-Galerkin sparsification and 2 entries per
        // interpolation row were each measured slower in total (bench/README.md).
        HYPRE_BoomerAMGCreate(&amg_);
        HYPRE_BoomerAMGSetPrintLevel(amg_, 0);
        HYPRE_BoomerAMGSetCoarsenType(amg_, 10);
        HYPRE_BoomerAMGSetInterpType(amg_, 6);
        HYPRE_BoomerAMGSetPMaxElmts(amg_, 4);
        HYPRE_BoomerAMGSetStrongThreshold(amg_, 0.25);
        HYPRE_BoomerAMGSetRelaxType(amg_, 6);
        HYPRE_BoomerAMGSetNumSweeps(amg_, 1);
        HYPRE_BoomerAMGSetTol(amg_, 0.0);
        HYPRE_BoomerAMGSetMaxIter(amg_, 1);
        HYPRE_ParCSRPCGCreate(comm_, &pcg_);
        HYPRE_PCGSetMaxIter(pcg_, AmgEngine::kMaxIterations);
        HYPRE_PCGSetTol(pcg_, AmgEngine::kRelativeResidual);
        HYPRE_PCGSetTwoNorm(pcg_, 1);
        HYPRE_PCGSetPrintLevel(pcg_, 0);
        HYPRE_PCGSetLogging(pcg_, 1);
        HYPRE_PCGSetPrecond(pcg_, reinterpret_cast<HYPRE_PtrToSolverFcn>(HYPRE_BoomerAMGSolve),
                            reinterpret_cast<HYPRE_PtrToSolverFcn>(HYPRE_BoomerAMGSetup), amg_);
        HYPRE_ParCSRPCGSetup(pcg_, par_a_, par_b_, par_x_);
    }

    void solve(double* b) override {
        std::lock_guard lock(hypre_mutex());
        const auto t0 = std::chrono::steady_clock::now();
        const HYPRE_Int mine = end_ - first_;
        std::vector<double> zero(static_cast<std::size_t>(mine), 0.0);
        HYPRE_IJVectorSetValues(b_, mine, rows_.data(), b + first_);
        HYPRE_IJVectorSetValues(x_, mine, rows_.data(), zero.data());
        HYPRE_ParCSRPCGSolve(pcg_, par_a_, par_b_, par_x_);
        HYPRE_Int converged = 0, iterations = 0;
        HYPRE_PCGGetConverged(pcg_, &converged);
        HYPRE_PCGGetNumIterations(pcg_, &iterations);
        iterations_ = iterations;
        HYPRE_ClearAllErrors();
        if (!converged) {
            double res = 0;
            HYPRE_PCGGetFinalRelativeResidualNorm(pcg_, &res);
            throw SpdSolveFailed(fmt::format("AMG-preconditioned CG stopped at relative residual {:.2g} after {} "
                                           "iterations", res, iterations));
        }
        HYPRE_IJVectorGetValues(x_, mine, rows_.data(), b + first_);
        if (comm_ != MPI_COMM_SELF) {
            // Every rank goes on with the whole solution, as it would alone.
            MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, b, counts_.data(), offsets_.data(), MPI_DOUBLE, comm_);
            ++g_distributed_solves;
        }
        solve_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    /// The matrix and its hierarchy (about twice the matrix, for these settings).
    std::size_t bytes() const override { return nnz_ * 3 * (sizeof(double) + sizeof(HYPRE_Int)); }

private:
    HYPRE_Int n_;
    std::size_t nnz_;
    MPI_Comm comm_ = MPI_COMM_SELF;
    HYPRE_Int first_ = 0, end_ = 0;  ///< the rows this rank owns
    std::vector<HYPRE_Int> rows_;    ///< their numbers
    std::vector<int> counts_, offsets_;  ///< every rank's rows, for the gather
    HYPRE_IJMatrix a_ = nullptr;
    HYPRE_IJVector b_ = nullptr, x_ = nullptr;
    HYPRE_ParCSRMatrix par_a_ = nullptr;
    HYPRE_ParVector par_b_ = nullptr, par_x_ = nullptr;
    HYPRE_Solver amg_ = nullptr, pcg_ = nullptr;
    int& iterations_;  ///< the engine's record of the last solve
    double& solve_seconds_;
};

}  // namespace

struct AmgEngine::Impl {
    /// The whole symmetric matrix by rows (hypre's layout), and where each entry's value is
    /// in the lower triangle the caller gives.
    std::vector<HYPRE_Int> row_ptr, cols;
    std::vector<std::size_t> from_lower;
    std::vector<double> values;
    int n = 0;
    int last_iterations = 0;
    double setup_seconds = 0, solve_seconds = 0;
};

AmgEngine::AmgEngine() : impl_(std::make_unique<Impl>()) {
    // MPI's start (a singleton: about 0.4 s) is the first use's, not a setup's.
    ensure_hypre();
}
AmgEngine::~AmgEngine() = default;

bool AmgEngine::available() { return true; }

bool AmgEngine::share_over_ranks(int threads) {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) return false;
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size < 2) return false;
    ensure_hypre();
    // hypre's OpenMP loops would take every core in every rank: ranks sharing a machine
    // would then run several threads per core (measured 1.3–1.5× slower at 512²).
    if (threads > 0) omp_set_num_threads(threads);
    g_world = true;
    return true;
}

long AmgEngine::distributed_solves() { return g_distributed_solves; }

void AmgEngine::analyze(const std::vector<std::int64_t>& col_ptr, const std::vector<std::int64_t>& row_idx, Usage,
                        int) {
    auto& m = *impl_;
    const auto n = col_ptr.size() - 1;
    if (row_idx.size() * 2 > static_cast<std::size_t>(std::numeric_limits<HYPRE_Int>::max()))
        throw std::length_error("matrix too large for hypre's 32-bit indices");
    m.n = static_cast<int>(n);
    // Row i of the whole matrix: the lower triangle's column i (entries (k, i), k ≥ i) and, as
    // their mirrors, the entries (i, j) with j < i of the lower columns j.
    std::vector<HYPRE_Int> count(n + 1, 0);
    for (std::size_t j = 0; j < n; ++j)
        for (auto k = col_ptr[j]; k < col_ptr[j + 1]; ++k) {
            const auto i = static_cast<std::size_t>(row_idx[static_cast<std::size_t>(k)]);
            ++count[j + 1];
            if (i != j) ++count[i + 1];
        }
    for (std::size_t i = 0; i < n; ++i) count[i + 1] += count[i];
    m.row_ptr = count;
    m.cols.assign(static_cast<std::size_t>(count[n]), 0);
    m.from_lower.assign(static_cast<std::size_t>(count[n]), 0);
    std::vector<HYPRE_Int> next(count.begin(), count.end() - 1);
    for (std::size_t j = 0; j < n; ++j)
        for (auto k = col_ptr[j]; k < col_ptr[j + 1]; ++k) {
            const auto i = static_cast<std::size_t>(row_idx[static_cast<std::size_t>(k)]);
            auto put = [&](std::size_t row, std::size_t col) {
                const auto at = static_cast<std::size_t>(next[row]++);
                m.cols[at] = static_cast<HYPRE_Int>(col);
                m.from_lower[at] = static_cast<std::size_t>(k);
            };
            put(j, i);
            if (i != j) put(i, j);
        }
}

std::unique_ptr<SpdFactor> AmgEngine::factor(const std::vector<double>& lower, std::unique_ptr<SpdFactor>) {
    auto& m = *impl_;
    m.values.resize(m.from_lower.size());
    for (std::size_t k = 0; k < m.values.size(); ++k) m.values[k] = lower[m.from_lower[k]];
    // Ranks arrive after their own front ends: they meet first, so that the setup's time (in
    // --stats) is the setup's, not a wait for the slowest rank.
    if (g_world) MPI_Barrier(MPI_COMM_WORLD);
    const auto t0 = std::chrono::steady_clock::now();
    auto f = std::make_unique<AmgFactor>(m.n, m.values.size(), m.last_iterations, m.solve_seconds);
    f->build(m.row_ptr, m.cols, m.values);
    m.setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return f;
}

std::string AmgEngine::describe() const {
    const auto& m = *impl_;
    int size = 1;
    if (g_world) MPI_Comm_size(MPI_COMM_WORLD, &size);
    return fmt::format("hypre BoomerAMG-preconditioned CG{} (setup {:.3f} s), {} iterations to a relative residual "
                       "of {:g} ({:.3f} s the last solve)",
                       size > 1 ? fmt::format(" over {} MPI ranks", size) : "", m.setup_seconds, m.last_iterations,
                       kRelativeResidual, m.solve_seconds);
}

#else  // no hypre in this build

struct AmgEngine::Impl {};
AmgEngine::AmgEngine() = default;
AmgEngine::~AmgEngine() = default;
bool AmgEngine::available() { return false; }
bool AmgEngine::share_over_ranks(int threads) { return false; }
long AmgEngine::distributed_solves() { return 0; }
void AmgEngine::analyze(const std::vector<std::int64_t>&, const std::vector<std::int64_t>&, Usage, int) {}
std::unique_ptr<SpdFactor> AmgEngine::factor(const std::vector<double>&, std::unique_ptr<SpdFactor>) { return nullptr; }
std::string AmgEngine::describe() const { return "AMG (not built)"; }

#endif

}  // namespace ionspice::solver
