#include "solver/Transient.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <limits>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "solver/DcEquations.hpp"
#include "solver/Integrator.hpp"
#include "solver/OperatingPoint.hpp"
#include "solver/SimulationError.hpp"

namespace ionspice::solver {

namespace {

/// f(x,t) + alpha·q(x) + beta = 0 at one time point; J = df/dx + alpha·dq/dx.
class TranEquations final : public Equations {
public:
    explicit TranEquations(const Circuit& c)
        : circuit_(c), jq_(c.nnz()), q_(c.size()), linear_j_(c.nnz()) {}

    double alpha = 0;
    const std::vector<double>* beta = nullptr;

    void assemble(models::LoadContext& ctx, std::vector<double>& jacobian, std::vector<double>& residual) override {
        const auto& jf0 = circuit_.base_jf();
        const auto& jq0 = circuit_.base_jq();
        const std::size_t nnz = jf0.size();
        std::fill(residual.begin(), residual.end(), 0.0);
        std::fill(q_.begin(), q_.end(), 0.0);
        add_product(circuit_, jf0, ctx.x, residual.data());
        add_product(circuit_, jq0, ctx.x, q_.data());
        for (const auto* d : circuit_.sourced()) d->load_source(ctx, residual.data());
        if (circuit_.nonlinear().empty()) {
            // The Jacobian only changes with alpha: build it once per step size.
            if (alpha != linear_alpha_) {
                for (std::size_t k = 0; k < nnz; ++k) linear_j_[k] = jf0[k] + alpha * jq0[k];
                linear_alpha_ = alpha;
            }
            std::copy(linear_j_.begin(), linear_j_.end(), jacobian.begin());
        } else {
            std::copy(jf0.begin(), jf0.end(), jacobian.begin());
            std::copy(jq0.begin(), jq0.end(), jq_.begin());
            const models::Stamp stamp{jacobian.data(), jq_.data(), residual.data(), q_.data()};
            for (auto* d : circuit_.nonlinear()) d->load(ctx, stamp);
            for (std::size_t k = 0; k < nnz; ++k) jacobian[k] += alpha * jq_[k];
            x_loaded_.assign(ctx.x, ctx.x + circuit_.size());
        }
        const std::size_t n = residual.size();
        for (std::size_t i = 0; i < n; ++i) residual[i] += alpha * q_[i] + (*beta)[i];
    }
    bool linear() const override { return circuit_.nonlinear().empty(); }

    /// q(x) at a converged point. `after_newton`: x is where Newton's last solve ended. Its last
    /// assembly was at the iterate before the final update, so q there plus dq/dx times that
    /// update is q(x) to first order in an update already within tolerance (exactly, for linear
    /// charges), and the devices need not be loaded a second time per point.
    void charges(const double* x, double time, std::vector<double>& q, bool after_newton) {
        const int n = circuit_.size();
        if (after_newton && !circuit_.nonlinear().empty() && static_cast<int>(x_loaded_.size()) == n) {
            q = q_;
            dx_.resize(n);
            for (int i = 0; i < n; ++i) dx_[i] = x[i] - x_loaded_[i];
            add_product(circuit_, jq_, dx_.data(), q.data());
            return;
        }
        q.assign(circuit_.size(), 0.0);
        add_product(circuit_, circuit_.base_jq(), x, q.data());
        if (circuit_.nonlinear().empty()) return;
        scratch_j_.assign(circuit_.nnz(), 0.0);
        scratch_jq_.assign(circuit_.nnz(), 0.0);
        scratch_f_.assign(circuit_.size(), 0.0);
        models::LoadContext ctx;
        ctx.x = x;
        ctx.time = time;
        ctx.dc = false;
        // An evaluation outside Newton's sequence: it must not leave its voltages behind.
        DeviceHistory scratch = circuit_.history();
        scratch.attach(ctx);
        const models::Stamp stamp{scratch_j_.data(), scratch_jq_.data(), scratch_f_.data(), q.data()};
        for (auto* d : circuit_.nonlinear()) d->load(ctx, stamp);
    }

private:
    const Circuit& circuit_;
    std::vector<double> jq_, q_, linear_j_;
    double linear_alpha_ = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> scratch_j_, scratch_jq_, scratch_f_;
    std::vector<double> x_loaded_, dx_;  ///< the iterate of the last nonlinear assembly; x − it
};

/// Breakpoints of all sources and nonlinear devices, collected window by window so that a
/// long run of short pulses never holds all of its corners at once.
class Breakpoints {
public:
    Breakpoints(const Circuit& c, double tstop) : tstop_(tstop), window_(tstop / 16) {
        for (auto* d : c.sourced()) devices_.push_back(d);
        for (auto* d : c.nonlinear()) devices_.push_back(d);
    }
    /// First breakpoint later than t + eps (tstop at the latest).
    double next_after(double t, double eps) {
        while (true) {
            while (pos_ < list_.size() && list_[pos_] <= t + eps) ++pos_;
            if (pos_ < list_.size()) return list_[pos_];
            if (filled_to_ >= tstop_) return tstop_;
            refill();
        }
    }

private:
    void refill() {
        double from = filled_to_, to = std::min(tstop_, filled_to_ + window_);
        list_.clear();
        pos_ = 0;
        for (auto* d : devices_) d->breakpoints(from, to, list_);
        std::sort(list_.begin(), list_.end());
        list_.erase(std::unique(list_.begin(), list_.end()), list_.end());
        filled_to_ = to;
    }
    double tstop_, window_;
    double filled_to_ = 0;
    std::vector<const models::Device*> devices_;
    std::vector<double> list_;
    std::size_t pos_ = 0;
};

/// Absolute tolerances of each row's rate (dq/dt) and charge, by what the row is: a node's
/// KCL (A, C), a branch equation (V, Wb) or a state equation (dimensionless).
void row_tolerances(const Circuit& c, const SimOptions& o, std::vector<double>& rate, std::vector<double>& q) {
    rate.resize(c.size());
    q.resize(c.size());
    for (int i = 0; i < c.size(); ++i) {
        switch (c.unknowns()[i].kind) {
        case UnknownKind::Voltage: rate[i] = o.abstol, q[i] = o.chgtol; break;
        case UnknownKind::Current: rate[i] = o.vntol, q[i] = 0; break;
        case UnknownKind::State: rate[i] = o.stol, q[i] = o.stol; break;
        }
    }
}

/// The solution test's absolute tolerance of each unknown, by what it is: a node voltage
/// (lteabstol, else vntol), a branch current (abstol); infinite (not looked at) for a device
/// state, which the charge test holds to stol. Of these the test looks only at the unknowns the
/// formula integrates, those whose own row carries charge at the step (`integrated_only`): a
/// node without capacitance may jump (a latch flipping), and a voltage source's current is the
/// sum of its node's dq/dt, which carries the trapezoidal rule's ringing until the filter takes
/// it out; no step resolves either (tried: the source currents at reltol 1e-6 drove the steps
/// to 1e-15 s).
std::vector<double> solution_tolerances(const Circuit& c, const SimOptions& o) {
    std::vector<double> tol(static_cast<std::size_t>(c.size()), HUGE_VAL);
    for (int i = 0; i < c.size(); ++i) {
        switch (c.unknowns()[i].kind) {
        case UnknownKind::Voltage: tol[i] = o.lteabstol > 0 ? o.lteabstol : o.vntol; break;
        case UnknownKind::Current: tol[i] = o.abstol; break;
        case UnknownKind::State: break;
        }
    }
    return tol;
}

/// `tol` with the unknowns whose row carries no charge at either end of the step (q_old, q_new)
/// left out, into `out`.
void integrated_only(const std::vector<double>& tol, const std::vector<double>& q_new, const std::vector<double>& q_old,
                     std::vector<double>& out) {
    out.resize(tol.size());
    for (std::size_t i = 0; i < tol.size(); ++i) out[i] = q_new[i] != 0 || q_old[i] != 0 ? tol[i] : HUGE_VAL;
}

class Progress {
public:
    explicit Progress(std::ostream* out, double tstop) : out_(out), tstop_(tstop), start_(clock::now()) {}
    void update(double t, long steps) {
        if (!out_) return;
        auto now = clock::now();
        double elapsed = std::chrono::duration<double>(now - start_).count();
        if (elapsed < 2.0 || std::chrono::duration<double>(now - last_).count() < 0.25) return;
        last_ = now;
        shown_ = true;
        fmt::print(*out_, "\rtran: t = {:.4g} s ({:.0f} %), {:.0f} steps/s   ", t, 100 * t / tstop_, steps / elapsed);
        out_->flush();
    }
    ~Progress() {
        if (shown_) fmt::print(*out_, "\r{:60}\r", "");
    }

private:
    using clock = std::chrono::steady_clock;
    std::ostream* out_;
    double tstop_;
    clock::time_point start_, last_;
    bool shown_ = false;
};

/// With uic, the t = 0 point as ngspice's first transient load makes it: every charge (a
/// capacitor's, an inductor's flux, a device state) keeps the value its initial condition
/// gives, and the rest of the circuit obeys its equations at t = 0 (a source's node at the
/// source's value, branch currents what the charges leave them). Solved as a backward-Euler
/// step from those charges of the shortest length the run may take, hmin: f(x, 0) + (q(x) −
/// q0)/hmin = 0, in which no charge moves measurably. Not converging leaves the initial values
/// as they were.
void consistent_start(const Circuit& circuit, const SimOptions& options, Newton& newton, TranEquations& eq,
                      std::vector<double>& x, double hmin) {
    const int n = circuit.size();
    std::vector<double> q0, beta(static_cast<std::size_t>(n));
    eq.charges(x.data(), 0.0, q0, false);
    eq.alpha = 1 / hmin;
    for (int i = 0; i < n; ++i) beta[static_cast<std::size_t>(i)] = -eq.alpha * q0[static_cast<std::size_t>(i)];
    eq.beta = &beta;
    NewtonSettings ns;
    ns.max_iterations = options.itl1;
    ns.context.dc = false;
    ns.context.time = 0;
    ns.context.gmin = options.gmin;
    std::vector<double> start = x;
    if (newton.solve(circuit, options, eq, start, ns).status == NewtonStatus::Converged) x = std::move(start);
}

}  // namespace

TranStats run_transient(
    const Circuit& circuit, const SimOptions& options, Newton& newton, const TranSettings& s,
    const std::function<void(double, const std::vector<double>&, const std::vector<double>*)>& on_point,
    TranPause* pause) {
    const int n = circuit.size();
    const bool resuming = pause && pause->paused;
    if (resuming && (pause->xs.empty() || pause->xs.back().size() != static_cast<std::size_t>(n) ||
                     pause->devices.now.size() != circuit.history().now.size()))
        throw SimulationError("cannot resume the transient: the circuit has other unknowns than when it stopped");
    TranStats stats;
    const double tmax = s.tmax > 0 ? s.tmax : std::min(s.tstep, (s.tstop - s.tstart) / 50);
    const double hmin = std::max(tmax * 1e-11, s.tstop * 1e-15);

    // The starting point: an operating point with the .ic nodes held, or with uic the devices'
    // own initial values and the .ic nodes, without solving anything.
    std::vector<double> x(n, 0.0);
    TranEquations eq(circuit);
    if (resuming) {
        x = pause->xs.back();
        circuit.history() = pause->devices;
    } else if (s.uic) {
        for (const auto& d : circuit.devices()) d->initial_conditions(x.data());
        for (const auto& [i, v] : s.ics) x[i] = v;
        consistent_start(circuit, options, newton, eq, x, hmin);
    } else {
        OpSettings os;
        os.max_iterations = options.itl1;
        os.nodesets = s.nodesets;
        os.holds = s.ics;
        os.where = "the transient's initial operating point";
        os.transient_start = true;
        stats.iterations += solve_operating_point(circuit, options, newton, x, os).iterations;
    }
    if (!resuming) circuit.accept(x.data(), 0.0);

    Integrator integ(options.method, options.maxord);
    Breakpoints bps(circuit, s.tstop);
    std::vector<double> tol_rate, tol_q;
    row_tolerances(circuit, options, tol_rate, tol_q);
    // The solution test (ngspice's newtrunc) by default where a device integrates a charge
    // along the path (Meyer's gate capacitances): the charge test cannot see the error of that
    // integration, and on level-1 inverter chains at default tolerances it left the edges
    // 0.7–17 % of range off a tight reference (tests/golden/tran_corners*), the error growing
    // through each gain stage. Where every charge is a function of the unknowns the charge test
    // bounds the error, and the steps (a linear circuit's factorisations too) stay what it allows
    // (`.options newtrunc` asks for the solution test anywhere: it holds gain stages' edges
    // tighter still, at a cost, e.g. a bipolar adder's 2.1 % → 0.08 % of range for 10× the
    // points).
    bool path_charges = false;
    for (const auto* d : circuit.nonlinear()) path_charges = path_charges || d->charge_along_path();
    const bool solution_test = options.newtrunc == Toggle::Auto ? path_charges : options.newtrunc == Toggle::On;
    const double reltol_x = options.ltereltol > 0 ? options.ltereltol : options.reltol;
    const std::vector<double> tol_x = solution_tolerances(circuit, options);
    std::vector<double> tol_x_step;

    std::deque<HistoryPoint> hist;
    std::deque<std::vector<double>> xs;  // accepted solutions, newest last (predictors), aligned with hist
    if (resuming) {
        hist = std::move(pause->hist);
        xs = std::move(pause->xs);
    } else {
        HistoryPoint p0;
        p0.time = 0;
        eq.charges(x.data(), 0.0, p0.q, false);
        p0.qdot.assign(n, 0.0);
        hist.push_back(std::move(p0));
        xs.push_back(x);
    }
    // With want_rates, the unknowns themselves integrated like charges (q = x): their history
    // gives dx/dt at each point by the step's own formula, for outputs such as i(c1).
    std::deque<HistoryPoint> xhist;
    std::vector<double> beta_x, tol_rate_x;
    const std::vector<double>* rates = nullptr;  // the newest xhist point's qdot, with want_rates
    if (s.want_rates) {
        if (resuming && !pause->xhist.empty()) {
            xhist = std::move(pause->xhist);
        } else {
            HistoryPoint p0;
            p0.time = resuming ? hist.back().time : 0;
            p0.q = x;
            p0.qdot.assign(n, 0.0);
            xhist.push_back(std::move(p0));
        }
        rates = &xhist.back().qdot;
    }
    if (!resuming && s.tstart <= 0) on_point(0.0, x, rates);

    double t = resuming ? pause->t : 0;
    // Resumed: from the step it had, shortened as after a corner (below, by after_bp).
    double h = resuming ? std::min(pause->h, tmax) / 10 : std::min(tmax, s.tstep) / 10;
    bool after_bp = true;
    if (pause) pause->paused = false;
    std::vector<double> beta, xt(n);
    Progress progress(s.progress, s.tstop);
    HistoryPoint cand;
    // For the solution test: how many accepted points lie since the last breakpoint (it
    // included; after resuming, only the last); the step the charge test alone would take next;
    // and whether the next step goes without the solution test (below).
    std::size_t since_bp = 1;
    double h_charge = tmax;
    bool skip_solution_test = false;
    double failed_end = 0;  // the end of the step Newton last failed on, until a point passes it
    // Below this fraction of the charge test's step, the solution test gives way (see below).
    constexpr double kSingularBelow = 1e-3;
    RingingFilter ringing, ringing_x;
    NewtonSettings ns;
    ns.max_iterations = options.itl4;
    ns.context.dc = false;
    ns.context.gmin = options.gmin;
    // A linear circuit's matrix changes only with the step size: chord steps with its last
    // factorisation. A nonlinear one factors its own Jacobian at every iteration.
    ns.reuse_factorization = circuit.nonlinear().empty();
    // A linear circuit's matrix depends only on the step size, and the same few step sizes
    // come back after every breakpoint: keep their factorisations (within 512 MiB).
    struct KeepFactorizations {
        LinearSolver& solver;
        explicit KeepFactorizations(LinearSolver& k, bool linear) : solver(k) { solver.keep(linear ? 8 : 1); }
        ~KeepFactorizations() { solver.keep(1); }
    } keep_factorizations(newton.linear(), circuit.nonlinear().empty());

    // A linear circuit's first step after a corner is taken from tmax·2^-k: doubling from there
    // comes back to tmax, and the few sizes of that lattice recur at every corner, so their
    // factorisations are found kept. (A nonlinear circuit factors at every iteration anyway.)
    const bool linear = circuit.nonlinear().empty();
    auto on_lattice = [tmax, linear](double limit) {
        if (!linear) return limit;
        double step = tmax;
        for (int k = 0; k < 60 && step > limit; ++k) step *= 0.5;
        return step;
    };
    while (t < s.tstop * (1 - 1e-12)) {
        const double eps = std::max(hmin, t * 1e-13);
        double bp = bps.next_after(t, eps);
        if (s.stop_at > t + eps && s.stop_at < bp) bp = s.stop_at;
        h = std::min(h, tmax);
        const double h_wanted = h;  // before a breakpoint cuts it: what the error allowed
        bool hits_bp = false;
        if (t + h >= bp - eps) {
            h = bp - t;
            hits_bp = true;
        } else if (t + 2 * h > bp) {
            // Two roughly equal steps rather than a long one and a sliver.
            h = (bp - t) / 2;
        }
        const int order = integ.order(after_bp, hist.size());
        eq.alpha = integ.coefficients(order, h, hist, beta);
        eq.beta = &beta;

        // Predictor: the line through the last two accepted solutions.
        xt = xs.back();
        if (xs.size() >= 2 && !after_bp) {
            const auto& x1 = xs[xs.size() - 2];
            const double r = h / (hist.back().time - hist[hist.size() - 2].time);
            for (int i = 0; i < n; ++i) xt[i] += r * (xt[i] - x1[i]);
        }
        ns.context.time = t + h;
        NewtonResult nr = newton.solve(circuit, options, eq, xt, ns);
        stats.iterations += nr.iterations;
        if (nr.status != NewtonStatus::Converged) {
            ++stats.rejected_newton;
            if (solution_test && !skip_solution_test && t + h <= failed_end && h_charge > 8 * h) {
                // Newton fails again on a step that ends before the end of the one it failed on
                // last, while the solution test holds the steps far below what the charge test
                // allows: the solution cannot pass a point in time. An unknown jumps there (a
                // latch flips), and shorter steps only come closer to where its branch ends.
                // Crossing it takes the charge test's step, without the solution test; the
                // polynomial restarts after the jump.
                skip_solution_test = true;
                failed_end = 0;
                h = h_charge;
                continue;
            }
            failed_end = t + h;
            h /= 8;
            if (h < hmin) {
                std::string culprits = nr.worst.empty() ? std::string("(none identified)")
                                                        : describe_unknowns(circuit, nr.worst, xt);
                if (nr.status == NewtonStatus::Singular)
                    throw_singular(circuit, nr.singular_col, fmt::format("t = {:g} s", t));
                throw SimulationError(fmt::format(
                    "time step too small at t = {:.9g} s (step {:.3g} s): Newton does not converge; furthest "
                    "from converging: {}{}",
                    t, h * 8, culprits,
                    nr.nonfinite.empty() ? "" : fmt::format("; the equations became infinite or NaN in {}", nr.nonfinite)));
            }
            continue;
        }

        cand.time = t + h;
        eq.charges(xt.data(), t + h, cand.q, true);
        cand.qdot.resize(n);
        for (int i = 0; i < n; ++i) cand.qdot[i] = eq.alpha * cand.q[i] + beta[i];
        const double ratio_q = integ.error_ratio(order, cand, hist, tol_rate, tol_q, options);
        double ratio = ratio_q;
        // The step each test allows, as a multiple of h: the charge test's error is one in dq/dt
        // (∝ h^order), the solution test's one in x itself (∝ h^(order+1)).
        const double allowed_q = ratio_q > 0 ? std::pow(ratio_q, -1.0 / order) : HUGE_VAL;
        double allowed = allowed_q;
        if (solution_test && !skip_solution_test) {
            integrated_only(tol_x, cand.q, hist.back().q, tol_x_step);
            const double ratio_x =
                integ.solution_error_ratio(order, t + h, xt, xs, hist, since_bp, tol_x_step, reltol_x);
            const double allowed_x = ratio_x > 0 ? std::pow(ratio_x, -1.0 / (order + 1)) : HUGE_VAL;
            if (ratio_x > 1 && 0.9 * allowed_x * h < kSingularBelow * h_charge) {
                // The solution test asks for a step a thousand times below the charge test's:
                // the waveform ends in a point no step resolves (a fold, or a junction running
                // away into a jump). Taken like a jump: this step without the test, and the
                // polynomial restarts after it.
                skip_solution_test = true;
            } else {
                ratio = std::max(ratio, ratio_x);
                allowed = std::min(allowed, allowed_x);
            }
        }
        if (ratio > 1 && h > hmin * 10) {
            ++stats.rejected_error;
            h *= std::max(0.1, 0.9 * allowed);
            continue;
        }
        h_charge = std::min(tmax, h * 0.9 * allowed_q);

        // Accepted. The oldest history entries are recycled as the next candidate's storage.
        // A trapezoidal point's dq/dt loses any ringing before the next step builds on it.
        const bool trapezoidal = order == 2 && integ.method() == IntegrationMethod::Trapezoidal;
        if (trapezoidal) ringing.apply(cand, hist, tol_rate, options.reltol);
        else ringing.reset();
        t = cand.time;
        if (hits_bp) t = bp;
        ++stats.accepted;
        hist.push_back(std::move(cand));
        xs.push_back(xt);
        since_bp = hits_bp || skip_solution_test ? 1 : since_bp + 1;
        skip_solution_test = false;
        if (t >= failed_end) failed_end = 0;
        if (hist.size() > 3) {
            cand = std::move(hist.front());
            hist.pop_front();
        }
        if (xs.size() > 3) xs.pop_front();
        circuit.accept(xt.data(), t);
        if (s.want_rates) {
            const double ax = integ.coefficients(order, h, xhist, beta_x);  // the step's alpha
            HistoryPoint px;
            px.time = t;
            px.q = xt;
            px.qdot.resize(n);
            for (int i = 0; i < n; ++i) px.qdot[i] = ax * xt[i] + beta_x[i];
            if (trapezoidal) {
                // A rate of an unknown is resolved to the unknown's own tolerance over the step.
                tol_rate_x.resize(n);
                for (int i = 0; i < n; ++i) tol_rate_x[i] = circuit.abs_tol(i, options) / h;
                ringing_x.apply(px, xhist, tol_rate_x, options.reltol);
            } else {
                ringing_x.reset();
            }
            xhist.push_back(std::move(px));
            if (xhist.size() > 3) xhist.pop_front();
            rates = &xhist.back().qdot;
        }
        if (t >= s.tstart * (1 - 1e-12)) on_point(t, xt, rates);
        progress.update(t, stats.accepted);
        if (pause && s.stop_at > 0 && t >= s.stop_at * (1 - 1e-12) && t < s.tstop * (1 - 1e-12)) {
            // `stop when time = t`: everything the next step would need, for resume.
            pause->paused = true;
            pause->t = t;
            pause->h = h;
            pause->hist = std::move(hist);
            pause->xs = std::move(xs);
            pause->xhist = std::move(xhist);
            pause->devices = circuit.history();
            return stats;
        }

        // Next step: grow by 2 when the error allows it, shrink when it demands it, and
        // otherwise keep the step, so that a linear circuit's matrix stays factored.
        double next = ratio > 0 ? h * 0.9 * allowed : 2 * h;
        if (next >= 2 * h) next = 2 * h;
        else if (next >= h) next = h;
        // Devices that see what no truncation error does (a switch nearing its threshold).
        if (xs.size() >= 2) next = std::min(next, circuit.max_step(xs.back().data(), xs[xs.size() - 2].data(), h));
        if (hits_bp) {
            // Inputs have a corner here: the next step is first order, does not extrapolate
            // across it, and is a tenth of the shorter of the step the error allowed before the
            // corner and the gap to the next one (as SPICE's): the error test cannot see a
            // slope that starts at the corner until a step has crossed it, so a full step would
            // be accepted on the old slope's history. Doubling from there resolves the new slope
            // in a few steps, whose sizes recur at every corner (their factorisations are kept).
            after_bp = true;
            const double gap = bps.next_after(t, eps) - t;
            next = std::min(next, std::max(on_lattice(0.1 * std::min(h_wanted, gap)), hmin * 10));
        } else {
            after_bp = false;
        }
        h = std::max(next, hmin);
    }
    return stats;
}

}  // namespace ionspice::solver
