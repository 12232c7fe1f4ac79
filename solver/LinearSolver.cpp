#include "solver/LinearSolver.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <unistd.h>

#include "solver/AmgEngine.hpp"
#include "solver/CholmodEngine.hpp"
#include "solver/FactorCache.hpp"
#include "solver/GmresEngine.hpp"
#include "solver/NodalReduction.hpp"
#include "solver/SimulationError.hpp"
#include "solver/SubgraphEngine.hpp"

namespace ionspice::solver {

void check_factor_memory(double bytes, double entries, int n, const char* what) {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return;
    const double have = static_cast<double>(pages) * static_cast<double>(page);
    if (bytes > have)
        throw SimulationError(fmt::format("the matrix's {} would need about {:.1f} GB ({:.3g} entries for {} "
                                          "unknowns), more than this machine's {:.1f} GB of memory",
                                          what, bytes / 1e9, entries, n, have / 1e9));
}

namespace {

/// Nodal unknowns from which a matrix factored once goes to AMG-preconditioned CG, where CG
/// on its strong part does not pay: measured in bench/README.md ("Direct or iterative"), where
/// AMG overtakes CHOLMOD (its ordering included) and needs a fraction of its memory.
constexpr int kAmgUnknowns = 1'000'000;
/// Nodal unknowns from which a matrix factored once, or once per Newton iteration, is first
/// tried with CG preconditioned by its strong part (SubgraphEngine, which gives way where that
/// would not pay), and unsymmetric values with GMRES on it (GmresEngine). Below, a Cholesky
/// takes a few milliseconds and answers to rounding (bench/README.md, "Subgraph
/// preconditioner").
constexpr int kSubgraphUnknowns = 20'000;
/// Solves of one matrix on an iterative engine after which it is factored directly instead: a
/// solve costs a good part of a direct factorisation (a linear circuit's .dc sweep solves one
/// matrix once per point; a transient's chord steps solve a kept one again and again).
constexpr int kIterativeSolves = 4;

/// The engine for the nodal matrix when CG on its strong part is not tried, or gave way.
std::unique_ptr<SpdEngine> engine_without_subgraph(SolverChoice choice, Usage usage, int unknowns) {
    const bool amg = AmgEngine::available() &&
                     (choice == SolverChoice::Amg ||
                      (choice != SolverChoice::Cholmod && usage == Usage::Once && unknowns >= kAmgUnknowns));
    if (amg) return std::make_unique<AmgEngine>();
    return std::make_unique<CholmodEngine>();
}

/// The engine chosen for a pattern's nodal matrix (each iterative one knows its successor).
std::unique_ptr<SpdEngine> make_engine(SolverChoice choice, Usage usage, int unknowns) {
    // Not for many solves per factorisation (a linear transient): there a factor's solves are
    // what counts. Newton's matrices (factored anew each iteration) are tried: a nonlinear
    // array's are conductance networks too, whose strong part changes little with the devices.
    if (choice == SolverChoice::Subgraph ||
        (choice == SolverChoice::Auto && usage != Usage::ManySolves && unknowns >= kSubgraphUnknowns))
        return std::make_unique<SubgraphEngine>(
            [=] { return engine_without_subgraph(SolverChoice::Auto, usage, unknowns); });
    return engine_without_subgraph(choice, usage, unknowns);
}

}  // namespace

struct LinearSolver::Nodal {
    explicit Nodal(NodalReduction r) : reduction(std::move(r)) {}
    NodalReduction reduction;
    std::unique_ptr<SpdEngine> engine;  ///< null until the first factorisation analyses
    FactorCache<std::unique_ptr<SpdFactor>> cache;
    std::vector<double> lower;
    /// The engine is not the one make_engine chose (an iterative one gave way): a restart()
    /// goes back to that choice, as a new solver would.
    bool replaced = false;
    int solves_of_current = 0;  ///< solves of the current factorisation (kIterativeSolves)
    /// Values that are not symmetric (a 1T1R array's conducting selectors): GMRES on the
    /// strong part, made when first needed; the mirrored entries and the full values of its
    /// current factorisation.
    std::unique_ptr<GmresEngine> gmres;
    std::vector<double> upper, gmres_values;
    int gmres_solves = 0;  ///< solves of its current factorisation (kIterativeSolves)
};

LinearSolver::LinearSolver() = default;
LinearSolver::~LinearSolver() = default;

void LinearSolver::analyze(int n, const std::vector<int>& col_ptr, const std::vector<int>& row_idx, Usage usage,
                           bool complex_values) {
    const bool same = n == n_ && col_ptr == col_ptr_ && row_idx == row_idx_ && (nodal_ || !refused_.empty() || klu_analysed_);
    if (same) {
        // A pattern's usage only grows (a linear circuit's .op, then its transient): the engine
        // and ordering chosen for fewer factorisations, or fewer solves, are chosen again.
        // After a restart() it is this call's, as for a new pattern.
        const Usage want = restarted_ ? usage : std::max(usage_, usage);
        if (want != usage_ && nodal_) {
            nodal_->cache.clear();
            nodal_->engine.reset();
            if (current_ == Path::Nodal) current_ = Path::None;
        }
        usage_ = want;
        complex_ = restarted_ ? complex_values : complex_ || complex_values;
        restarted_ = false;
        if (klu_analysed_) klu_.analyze(n_, col_ptr_, row_idx_, usage_ != Usage::Once, complex_);
        return;
    }
    n_ = n;
    col_ptr_ = col_ptr;
    row_idx_ = row_idx;
    usage_ = usage;
    complex_ = complex_values;
    klu_analysed_ = false;
    restarted_ = false;
    refused_by_values_ = false;
    klu_.invalidate();
    nodal_.reset();
    refused_.clear();
    note_.clear();
    current_ = Path::None;
    if (choice_ == SolverChoice::Klu) {
        refused_ = "KLU asked for (.options solver=klu)";
        return;
    }
    find_nodal();
}

void LinearSolver::find_nodal() {
    if (auto red = NodalReduction::find(n_, col_ptr_, row_idx_))
        nodal_ = std::make_unique<Nodal>(std::move(*red));
    else
        refused_ = "no nodal form (a source not grounded, a controlled source, a transistor or an inductor's current)";
}

KluSolver& LinearSolver::klu() {
    if (!klu_analysed_) {
        klu_.analyze(n_, col_ptr_, row_idx_, usage_ != Usage::Once, complex_);
        klu_analysed_ = true;
    }
    return klu_;
}

void LinearSolver::refuse(std::string why, bool by_values) {
    refused_ = std::move(why);
    refused_by_values_ = by_values;
    nodal_.reset();
    if (current_ == Path::Nodal || current_ == Path::Gmres) current_ = Path::None;
}

bool LinearSolver::factor_unsymmetric(const std::vector<double>& values) {
    auto& nd = *nodal_;
    const bool wanted = choice_ == SolverChoice::Subgraph ||
                        (choice_ == SolverChoice::Auto && nd.reduction.size() >= kSubgraphUnknowns);
    if (!wanted || !nd.reduction.gather_unsymmetric(values, nd.lower, nd.upper)) return false;
    if (!nd.gmres) {
        nd.gmres = std::make_unique<GmresEngine>();
        nd.gmres->analyze(nd.reduction.lower_col_ptr(), nd.reduction.lower_row_idx());
        ++analyses_;
    }
    nd.gmres_values.clear();
    if (!nd.gmres->factor(nd.lower, nd.upper)) return false;
    nd.gmres_values = values;
    nd.gmres_solves = 0;
    return true;
}

FactorResult LinearSolver::factor(const std::vector<double>& values) {
    if (n_ == 0) {
        current_ = Path::Empty;
        return {};
    }
    if (nodal_) {
        auto& nd = *nodal_;
        FactorResult r;
        if (current_ == Path::Gmres && nd.gmres_values == values) return r;
        if (nd.cache.current_equals(values)) {
            current_ = Path::Nodal;
            return r;
        }
        if (nd.cache.capacity() > 1 && nd.cache.select(values)) {
            nd.solves_of_current = 0;
            current_ = Path::Nodal;
            return r;
        }
        if (nd.reduction.gather(values, nd.lower)) {
            if (!nd.engine) {
                nd.engine = make_engine(choice_, usage_, nd.reduction.size());
                nd.engine->analyze(nd.reduction.lower_col_ptr(), nd.reduction.lower_row_idx(), usage_, threads_);
                ++analyses_;
            }
            const auto* cur = nd.cache.current();
            const std::size_t per = cur && cur->numeric ? cur->numeric->bytes() : 0;
            auto& slot = nd.cache.slot(per);
            if (auto f = nd.engine->factor(nd.lower, std::move(slot.numeric))) {
                slot.numeric = std::move(f);
                slot.values = values;
                nd.solves_of_current = 0;
                ++factors_;
                current_ = Path::Nodal;
                r.factored = true;
                return r;
            }
            nd.cache.drop_current();
            refuse("not positive definite", true);
        } else if (factor_unsymmetric(values)) {
            ++factors_;
            current_ = Path::Gmres;
            r.factored = true;
            return r;
        } else {
            refuse(nd.gmres && !nd.gmres->why_not().empty()
                       ? fmt::format("not symmetric, and GMRES on the strong part would not pay: {}", nd.gmres->why_not())
                       : "not symmetric",
                   true);
        }
    }
    current_ = Path::Klu;
    return klu().factor(values);
}

void LinearSolver::solve(std::vector<double>& b, bool transposed) {
    if (current_ == Path::Empty) return;
    if (current_ == Path::Nodal) {
        auto& nd = *nodal_;
        if (nd.engine->iterative() && nd.solves_of_current >= kIterativeSolves) {
            replace_engine(std::make_unique<CholmodEngine>(),
                           fmt::format("{} solves of one matrix: CHOLMOD took over", nd.solves_of_current));
            solve(b, transposed);
            return;
        }
        try {
            auto* e = nd.cache.current();
            nd.reduction.solve(e->values, b, transposed, [&](double* rhs) { e->numeric->solve(rhs); });
            ++nd.solves_of_current;
            ++solves_;
            return;
        } catch (const SpdSolveFailed& failed) {
            // The iterative path missed its criterion (b is untouched): the next engine takes
            // over for this pattern, from the same values.
            auto next = nd.engine->successor();
            if (!next) next = std::make_unique<CholmodEngine>();
            const bool direct = !next->iterative();
            replace_engine(std::move(next), fmt::format("{}: {} took over", failed.what(), direct ? "CHOLMOD" : "AMG"));
            solve(b, transposed);
            return;
        }
    }
    if (current_ == Path::Gmres) {
        auto& nd = *nodal_;
        if (nd.gmres_solves < kIterativeSolves) {
            try {
                nd.reduction.solve(nd.gmres_values, b, transposed,
                                   [&](double* rhs) { nd.gmres->solve(rhs, transposed); });
                ++nd.gmres_solves;
                ++solves_;
                return;
            } catch (const SpdSolveFailed& failed) {
                // KLU takes over for this pattern, from the same values (b is untouched).
                const std::vector<double> values = nd.gmres_values;
                refuse(fmt::format("not symmetric, and {}: KLU took over", failed.what()), true);
                factor_by_klu(values, refused_);
            }
        } else {
            // This matrix goes to KLU; the next one to GMRES again.
            note_ = fmt::format("{} GMRES solves of one matrix: KLU factored it", nd.gmres_solves);
            factor_by_klu(nd.gmres_values, note_);
        }
    }
    if (current_ != Path::Klu) throw std::logic_error("solve without a factorisation");
    if (transposed)
        klu_.solve_transposed(b);
    else
        klu_.solve(b);
}

void LinearSolver::factor_by_klu(const std::vector<double>& values, const std::string& why) {
    current_ = Path::Klu;
    if (!klu().factor(values).ok) throw SimulationError(fmt::format("{}, and the matrix is singular", why));
}

void LinearSolver::replace_engine(std::unique_ptr<SpdEngine> engine, std::string why) {
    auto& nd = *nodal_;
    const std::vector<double> values = nd.cache.current()->values;
    note_ = std::move(why);
    nd.cache.clear();
    nd.engine = std::move(engine);
    nd.replaced = true;
    nd.engine->analyze(nd.reduction.lower_col_ptr(), nd.reduction.lower_row_idx(), usage_, threads_);
    ++analyses_;
    const FactorResult r = factor(values);
    if (!r.ok) throw SimulationError(fmt::format("{}, and the matrix is singular", note_));
}

void LinearSolver::solve(std::vector<double>& b) { solve(b, false); }

void LinearSolver::solve_transposed(std::vector<double>& b) { solve(b, true); }

void LinearSolver::invalidate() {
    if (nodal_) {
        nodal_->cache.clear();
        nodal_->gmres_values.clear();
    }
    klu_.invalidate();
    current_ = Path::None;
}

void LinearSolver::restart() {
    invalidate();
    if (n_ == 0 && col_ptr_.empty()) return;  // nothing analysed yet
    // KLU is analysed again when a new solver would be: lazily, for the usage then.
    klu_.restart();
    klu_analysed_ = false;
    restarted_ = true;
    note_.clear();
    if (nodal_ && nodal_->replaced) {
        nodal_->engine.reset();
        nodal_->replaced = false;
    }
    if (refused_by_values_) {
        // A new solver would try the nodal path on the next values.
        refused_.clear();
        refused_by_values_ = false;
        find_nodal();
    }
}

bool LinearSolver::has_factorization() const {
    if (current_ == Path::Empty) return true;
    if (current_ == Path::Nodal) return nodal_->cache.current() != nullptr;
    if (current_ == Path::Gmres) return !nodal_->gmres_values.empty();
    return current_ == Path::Klu && klu_.has_factorization();
}

bool LinearSolver::factored_values_equal(const std::vector<double>& values) const {
    if (current_ == Path::Empty) return true;
    if (current_ == Path::Nodal) return nodal_->cache.current_equals(values);
    if (current_ == Path::Gmres) return nodal_->gmres_values == values;
    return current_ == Path::Klu && klu_.factored_values_equal(values);
}

bool LinearSolver::select_kept(const std::vector<double>& values) {
    if (current_ == Path::Nodal) return nodal_->cache.select(values);
    return current_ == Path::Klu && klu_.select_kept(values);
}

void LinearSolver::keep(int count, std::size_t max_bytes) {
    klu_.keep(count, max_bytes);
    if (nodal_) nodal_->cache.set_capacity(count, max_bytes);
}

FactorResult LinearSolver::factor(const std::vector<std::complex<double>>& values) {
    if (n_ == 0) return {};
    return klu().factor(values);
}

void LinearSolver::solve(std::vector<std::complex<double>>& b) {
    if (n_ > 0) klu_.solve(b);
}

void LinearSolver::solve_transposed(std::vector<std::complex<double>>& b) {
    if (n_ > 0) klu_.solve_transposed(b);
}

bool LinearSolver::has_complex_factorization() const { return n_ == 0 || klu_.has_complex_factorization(); }

std::string LinearSolver::path() const {
    if (current_ == Path::Empty) return "nothing to solve: no unknowns";
    if (current_ == Path::Gmres)
        return fmt::format("nodal, values not symmetric: {}; {} unknowns, {} grounded sources eliminated{}{}",
                           nodal_->gmres->describe(), nodal_->reduction.size(), nodal_->reduction.sources(),
                           note_.empty() ? "" : "; ", note_);
    if (current_ == Path::Nodal && nodal_->engine)
        return fmt::format("nodal: {}; {} unknowns, {} grounded sources eliminated{}{}", nodal_->engine->describe(),
                           nodal_->reduction.size(), nodal_->reduction.sources(), note_.empty() ? "" : "; ", note_);
    return fmt::format("klu, {} ordering{}{}{}{}", klu_.ordering(), refused_.empty() ? "" : "; nodal path not taken: ",
                       refused_, note_.empty() ? "" : "; ", note_);
}

LinearSolver::Counts LinearSolver::counts() const {
    return {analyses_ + klu_.analysis_count(), factors_ + klu_.factor_count(), klu_.refactor_count(),
            solves_ + klu_.solve_count()};
}

}  // namespace ionspice::solver
