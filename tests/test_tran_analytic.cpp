// Transient analysis against closed-form answers, and the order of each integration method.

#include <cmath>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "models/Registry.hpp"
#include "solver/Integrator.hpp"
#include "solver/SimulationError.hpp"
#include "tests/SimHelpers.hpp"

using ionspice::test::simulate_text;
using namespace ionspice;

namespace {

/// Largest |simulated − exact| of a vector over all accepted points of the first plot.
double max_error(const solver::SimulationResult& r, const std::string& vec, const std::function<double(double)>& exact,
                 std::size_t plot = 0) {
    const auto& p = r.plots.at(plot);
    int iv = p.find(vec), it = p.find("time");
    REQUIRE(iv >= 0);
    REQUIRE(it == 0);
    double worst = 0;
    for (std::size_t k = 0; k < p.points(); ++k)
        worst = std::max(worst, std::fabs(p.at(k, static_cast<std::size_t>(iv)) - exact(p.at(k, 0))));
    return worst;
}

double final_value(const solver::SimulationResult& r, const std::string& vec) {
    const auto& p = r.plots.at(0);
    return p.at(p.points() - 1, static_cast<std::size_t>(p.find(vec)));
}

/// Response of an RC low-pass (time constant tau) to a unit ramp starting at 0.
double ramp_response(double u, double tau) { return u <= 0 ? 0 : u - tau * (1 - std::exp(-u / tau)); }

// A device built only from the DAE interface: one state with ds/dt = −s/tau, held at s0 in DC.
struct DecayParams final : models::ModelParams {
    double tau = 1e-3, s0 = 1;
};

class Decay final : public models::Device {
public:
    Decay(std::string name, const DecayParams& p) : Device(std::move(name)), p_(p) {}
    void declare(models::Declarer& d) override { s_ = d.add_state(); }
    void pattern(models::PatternBuilder& p) override { ss_ = p.entry(s_, s_); }
    void load(models::LoadContext& ctx, const models::Stamp& st) override {
        const double s = ctx.x[s_];
        if (ctx.dc) {
            st.F(s_, s - p_.s0);
            st.G(ss_, 1);
            return;
        }
        // f = s/tau, q = s: f + dq/dt = 0 is ds/dt = −s/tau.
        st.F(s_, s / p_.tau);
        st.G(ss_, 1 / p_.tau);
        st.Q(s_, s);
        st.C(ss_, 1);
    }

private:
    DecayParams p_;
    models::Index s_ = -1;
    models::Slot ss_ = -1;
};

const models::Registrar decay_registrar{models::Registration{
    .letter = 'n',
    .types = {"testdecay"},
    .levels = {},
    .description = "test decay state",
    .prepare =
        [](const models::ModelCard& card) {
            auto p = std::make_shared<DecayParams>();
            if (auto it = card.params.find("tau"); it != card.params.end()) p->tau = it->second;
            if (auto it = card.params.find("s0"); it != card.params.end()) p->s0 = it->second;
            return std::shared_ptr<const models::ModelParams>(p);
        },
    .create = [](const models::InstanceCard& card, const models::ModelParams* p) -> std::unique_ptr<models::Device> {
        return std::make_unique<Decay>(card.name, static_cast<const DecayParams&>(*p));
    },
}};

}  // namespace

TEST_CASE("tran: RC step response follows 1 - exp(-t/RC)") {
    auto r = simulate_text("rc\nV1 in 0 1\nR1 in out 1k\nC1 out 0 1u ic=0\n.tran 10u 5m uic\n.end\n");
    REQUIRE(r.plots.at(0).name == "Transient Analysis");
    double err = max_error(r, "v(out)", [](double t) { return 1 - std::exp(-t / 1e-3); });
    CHECK(err < 2e-3);
    CHECK(final_value(r, "v(out)") == doctest::Approx(1 - std::exp(-5.0)).epsilon(1e-3));
}

TEST_CASE("tran: RC under PULSE matches the piecewise ramp response") {
    // PULSE(0 1 td=0.5m tr=0.2m tf=0.3m pw=1m per=3m): corners at .5, .7, 1.7, 2.0 ms (+3 ms).
    auto r = simulate_text(
        "rcp\nV1 in 0 PULSE(0 1 0.5m 0.2m 0.3m 1m 3m)\nR1 in out 1k\nC1 out 0 0.5u\n.tran 10u 6m\n.end\n");
    const double tau = 0.5e-3;
    auto exact = [&](double t) {
        double v = 0;
        for (int k = 0; k < 3; ++k) {
            double t0 = 0.5e-3 + 3e-3 * k;
            v += (ramp_response(t - t0, tau) - ramp_response(t - t0 - 0.2e-3, tau)) / 0.2e-3;
            v -= (ramp_response(t - t0 - 1.2e-3, tau) - ramp_response(t - t0 - 1.5e-3, tau)) / 0.3e-3;
        }
        return v;
    };
    CHECK(max_error(r, "v(out)", exact) < 5e-3);
    // Every corner is a time point.
    const auto& p = r.plots[0];
    for (double corner : {0.5e-3, 0.7e-3, 1.7e-3, 2.0e-3, 3.5e-3, 3.7e-3, 4.7e-3, 5.0e-3}) {
        bool found = false;
        for (std::size_t k = 0; k < p.points(); ++k) found |= std::fabs(p.at(k, 0) - corner) < 1e-12;
        CHECK_MESSAGE(found, "no time point at " << corner);
    }
}

TEST_CASE("tran: RL current rises as (V/R)(1 - exp(-tR/L))") {
    auto r = simulate_text("rl\nV1 in 0 1\nR1 in a 10\nL1 a 0 1m\n.tran 5u 1m uic\n.end\n");
    double err = max_error(r, "i(l1)", [](double t) { return 0.1 * (1 - std::exp(-t * 10 / 1e-3)); });
    CHECK(err < 2e-4);  // 0.2 % of the 100 mA final current
}

TEST_CASE("tran: underdamped series RLC rings at its damped frequency and decays") {
    const double R = 20, L = 1e-3, C = 1e-6;
    auto r = simulate_text(fmt::format(
        "rlc\nV1 in 0 1\nR1 in a {}\nL1 a b {}\nC1 b 0 {} ic=0\n.tran 1u 2m uic\n.end\n", R, L, C));
    const double a = R / (2 * L), wd = std::sqrt(1 / (L * C) - a * a);
    double err = max_error(r, "v(b)", [&](double t) {
        return 1 - std::exp(-a * t) * (std::cos(wd * t) + a / wd * std::sin(wd * t));
    });
    CHECK(err < 0.01);
}

TEST_CASE("tran: lossless LC keeps its energy over 100 periods with the trapezoidal rule") {
    const double L = 1e-3, C = 1e-6;
    const double period = 2 * M_PI * std::sqrt(L * C);
    auto r = simulate_text(fmt::format("lc\nL1 a 0 {}\nC1 a 0 {} ic=1\n.tran {} {} uic\n.end\n", L, C, period / 50,
                                       100 * period));
    const auto& p = r.plots[0];
    int iv = p.find("v(a)"), ii = p.find("i(l1)");
    REQUIRE(iv >= 0);
    REQUIRE(ii >= 0);
    const double e0 = 0.5 * C * 1.0;
    double worst = 0;
    for (std::size_t k = 0; k < p.points(); ++k) {
        double v = p.at(k, static_cast<std::size_t>(iv)), i = p.at(k, static_cast<std::size_t>(ii));
        worst = std::max(worst, std::fabs(0.5 * C * v * v + 0.5 * L * i * i - e0) / e0);
    }
    CHECK(worst < 0.01);
}

TEST_CASE("tran: the ringing filter takes out an alternating dq/dt and leaves a smooth one alone") {
    // Row 0: q constant, qdot alternating ±1 mA (a supply node after its edges: pure ringing).
    // Row 1: q = t³ with its exact derivative, on uneven steps: the parabola's error in e
    // changes smoothly and must not be mistaken for ringing. Row 2: the same ringing below the
    // tolerance (1 pA + reltol·|qdot|) is left as it is.
    solver::RingingFilter filter;
    std::deque<solver::HistoryPoint> hist;
    const double times[] = {0, 1e-9, 2.5e-9, 3e-9, 4.5e-9, 5e-9, 7e-9, 8e-9};
    const std::vector<double> tol = {1e-12, 1e-12, 1e-12};
    int k = 0;
    for (double t : times) {
        solver::HistoryPoint p;
        p.time = t;
        const double sign = k % 2 ? -1 : 1;
        const double ts = t * 1e9;  // ns, so that q stays of order one
        p.q = {2.0, ts * ts * ts, 2.0};
        p.qdot = {sign * 1e-3, 3 * ts * ts, sign * 1e-13};
        const auto before = p.qdot;
        const int corrected = hist.size() >= 2 ? filter.apply(p, hist, tol, 1e-3) : 0;
        INFO("point " << k << " at " << t);
        CHECK(p.qdot[1] == before[1]);
        CHECK(p.qdot[2] == before[2]);
        if (k >= 4) {
            // Two points of e before this one: the alternation is seen and taken out.
            CHECK(corrected == 1);
            CHECK(std::fabs(p.qdot[0]) < 1e-15);
            break;
        }
        CHECK(corrected == 0);
        hist.push_back(std::move(p));
        ++k;
    }
    CHECK(k == 4);
}

TEST_CASE("tran: the solution test's estimate is each formula's local error on a cubic") {
    // x = t³ at t = 0, 1, 2 (s) and the candidate at 3: the quadratic through the three misses
    // by x⁽³⁾/3!·(3·2·1) = 6, and the local errors are C·h³·x⁽³⁾ with x⁽³⁾ = 6: trapezoidal
    // (C = 1/12) 0.5, BDF2 (C = 2/9) 4/3.
    std::deque<solver::HistoryPoint> hist;
    std::deque<std::vector<double>> xs;
    for (double t : {0.0, 1.0, 2.0}) {
        solver::HistoryPoint p;
        p.time = t;
        hist.push_back(p);
        xs.push_back({t * t * t, 5.0});
    }
    const std::vector<double> x = {27.0, 5.0};
    // Only the first unknown is checked, at an absolute tolerance of 1 and no relative one.
    const std::vector<double> tol = {1.0, HUGE_VAL};
    const solver::Integrator trap(solver::IntegrationMethod::Trapezoidal, 2);
    const solver::Integrator gear(solver::IntegrationMethod::Gear, 2);
    CHECK(trap.solution_error_ratio(2, 3.0, x, xs, hist, 3, tol, 0.0) == doctest::Approx(0.5));
    CHECK(gear.solution_error_ratio(2, 3.0, x, xs, hist, 3, tol, 0.0) == doctest::Approx(4.0 / 3.0));
    // Order 1: the line through t = 1 and 2 predicts 15 at 3, off by 12 = x''(ξ)/2·(1·2); the
    // local error h²/2·x'' is then 12·h²/(h·(h + 1)) = 6.
    CHECK(trap.solution_error_ratio(1, 3.0, x, xs, hist, 2, tol, 0.0) == doctest::Approx(6.0));
    // The relative tolerance scales with the larger of |x| and the prediction (27 here).
    CHECK(trap.solution_error_ratio(2, 3.0, x, xs, hist, 3, tol, 1.0 / 27) == doctest::Approx(0.25));
    // Too few points since the last breakpoint: nothing to predict from.
    CHECK(trap.solution_error_ratio(2, 3.0, x, xs, hist, 2, tol, 0.0) == 0);
    // An unknown that follows the polynomial exactly (the constant second one) has no error.
    CHECK(trap.solution_error_ratio(2, 3.0, x, xs, hist, 3, {HUGE_VAL, 1e-12}, 0.0) == 0);
}

TEST_CASE("tran: the solution test runs where Meyer capacitances are, and the options switch it") {
    // An inverter with Meyer gate capacitances (TOX) under a 1 ns edge, 100 ps step limit: the
    // node voltages' own error asks for more points than the charge test alone; newtrunc=0
    // takes it away. Without TOX (every charge a function of the voltages) and in a linear RC
    // the charge test runs alone unless newtrunc asks for the other.
    const std::string inv =
        "inv\n{}\nVdd vdd 0 3\nVin in 0 PULSE(0 3 1n 1n 1n 5n 20n)\nMp out in vdd vdd pm W=4u L=1u\n"
        "Mn out in 0 0 nm W=2u L=1u\nCl out 0 20f\n"
        ".model nm nmos level=1 vto=0.7 kp=110u tox=20n cgso=0.3n cgdo=0.3n\n"
        ".model pm pmos level=1 vto=-0.7 kp=40u tox=20n cgso=0.3n cgdo=0.3n\n.tran 100p 10n\n.end\n";
    auto points = [](const std::string& text) { return simulate_text(text).plots.at(0).points(); };
    const auto with = points(fmt::format(fmt::runtime(inv), "* default"));
    const auto without = points(fmt::format(fmt::runtime(inv), ".options newtrunc=0"));
    CHECK(with > without);
    const std::string rc =
        "rc\n{}\nV1 in 0 PULSE(0 1 1n 1n 1n 5n 20n)\nR1 in out 1k\nC1 out 0 1p\n.tran 100p 10n\n.end\n";
    const auto rc_default = points(fmt::format(fmt::runtime(rc), "* default"));
    CHECK(rc_default == points(fmt::format(fmt::runtime(rc), ".options newtrunc=0")));
    CHECK(points(fmt::format(fmt::runtime(rc), ".options newtrunc")) > rc_default);
    // A tighter ltereltol asks for more points still.
    CHECK(points(fmt::format(fmt::runtime(inv), ".options ltereltol=1e-5")) > with);
    std::string no_tox = inv;
    for (std::size_t at; (at = no_tox.find(" tox=20n")) != std::string::npos;) no_tox.erase(at, 8);
    const auto plain = points(fmt::format(fmt::runtime(no_tox), "* default"));
    CHECK(plain == points(fmt::format(fmt::runtime(no_tox), ".options newtrunc=0")));
    CHECK(points(fmt::format(fmt::runtime(no_tox), ".options newtrunc")) > plain);
}

namespace {

/// Error at t = 1 ms of an RC charging curve with a fixed step h (trtol so large that the
/// truncation-error control never shortens a step).
double fixed_step_error(const std::string& method, double h) {
    auto r = simulate_text(fmt::format(
        "order\n.options method={} trtol=1e12\nV1 in 0 1\nR1 in out 1k\nC1 out 0 1u ic=0\n.tran {} 1m 0 {} uic\n.end\n",
        method, h, h));
    return std::fabs(final_value(r, "v(out)") - (1 - std::exp(-1.0)));
}

}  // namespace

TEST_CASE("tran: halving the step divides the error by 2^order for each method") {
    struct Case {
        const char* method;
        double ratio;
    };
    for (Case c : {Case{"euler", 2.0}, Case{"trap", 4.0}, Case{"gear", 4.0}}) {
        double e1 = fixed_step_error(c.method, 20e-6);
        double e2 = fixed_step_error(c.method, 10e-6);
        double e3 = fixed_step_error(c.method, 5e-6);
        INFO(c.method << ": errors " << e1 << " " << e2 << " " << e3);
        CHECK(e1 / e2 == doctest::Approx(c.ratio).epsilon(0.15));
        CHECK(e2 / e3 == doctest::Approx(c.ratio).epsilon(0.15));
    }
}

TEST_CASE("tran: a state declared through the DAE interface integrates as accurately as an RC") {
    auto r = simulate_text(
        "decay\nN1 a dm\nR0 a 0 1k\n.model dm testdecay (tau=1m s0=1)\n"
        "C1 b 0 1u\nR1 b 0 1k\n.ic v(b)=1\n.tran 10u 5m\n.end\n");
    auto exact = [](double t) { return std::exp(-t / 1e-3); };
    double state_err = max_error(r, "x(n1)", exact);
    double rc_err = max_error(r, "v(b)", exact);
    INFO("state error " << state_err << ", RC error " << rc_err);
    CHECK(rc_err < 2e-3);
    CHECK(state_err < 2e-3);
    CHECK(state_err <= 2 * rc_err + 1e-4);
}

TEST_CASE("tran: every sample of a long pulse train is a time point and the step never jumps one") {
    auto r = simulate_text(
        "train\nV1 in 0 PULSE(0 1 1u 10n 10n 1u 3u 5)\nR1 in out 1k\nC1 out 0 10p\n.tran 10n 20u\n.end\n");
    const auto& p = r.plots[0];
    // Five pulses, then the source stays at its initial value: v(out) decays to 0.
    CHECK(final_value(r, "v(out)") == doctest::Approx(0).epsilon(1e-3));
    int highs = 0;
    double prev = 0;
    int iv = p.find("v(out)");
    for (std::size_t k = 0; k < p.points(); ++k) {
        double v = p.at(k, static_cast<std::size_t>(iv));
        if (prev < 0.5 && v >= 0.5) ++highs;
        prev = v;
    }
    CHECK(highs == 5);
}

TEST_CASE("tran: a Newton failure that never recovers reports the time and the unknowns") {
    // A latch without node capacitance flips discontinuously when M3 pulls q low: with one
    // Newton iteration per step allowed, no step is small enough.
    const char* latch =
        "latch\n.options itl4=1\nVdd vdd 0 3\nR1 vdd q 10k\nR2 vdd qb 10k\nM1 q qb 0 0 nm W=10u L=1u\n"
        "M2 qb q 0 0 nm W=10u L=1u\nM3 q s 0 0 nm W=20u L=1u\nVs s 0 PULSE(0 3 1u 1n 1n 1u 10u)\n"
        ".model nm nmos (level=1 vto=0.7 kp=100u)\n.nodeset v(q)=3 v(qb)=0\n.tran 10n 3u\n.end\n";
    try {
        simulate_text(latch);
        FAIL("expected an error");
    } catch (const solver::SimulationError& e) {
        std::string msg = e.what();
        CHECK(msg.find("time step too small at t = 1.0") != std::string::npos);
        CHECK(msg.find("furthest from converging: v(q") != std::string::npos);
    }
    // With SPICE's default iteration limit the same latch flips and the run completes.
    std::string normal(latch);
    normal.replace(normal.find(".options itl4=1"), 15, "* default itl4");
    auto r = simulate_text(normal);
    CHECK(final_value(r, "v(q)") < 0.5);
    CHECK(final_value(r, "v(qb)") > 2.0);
}

TEST_CASE("tran: a latch without capacitance flips inside a circuit the solution test watches") {
    // The latch's nodes have no capacitance, but its supply is decoupled and it drives an RC:
    // the solution test (asked for: the transistors have no Meyer capacitances) watches v(out)
    // and holds the steps short as the latch nears the point where its branch ends, where
    // Newton cannot cross at such steps. The transient takes that as a jump, crosses it at the
    // charge test's step and completes.
    auto r = simulate_text(
        "latch2\n.options newtrunc\nVdd vdd 0 3\nCd vdd 0 1p\nR1 vdd q 10k\nR2 vdd qb 10k\nM1 q qb 0 0 nm W=10u L=1u\n"
        "M2 qb q 0 0 nm W=10u L=1u\nM3 q s 0 0 nm W=20u L=1u\nVs s 0 PULSE(0 3 1u 1n 1n 1u 10u)\n"
        "Rl q out 1k\nCl out 0 1p\n.model nm nmos (level=1 vto=0.7 kp=100u)\n.nodeset v(q)=3 v(qb)=0\n"
        ".tran 10n 3u\n.end\n");
    CHECK(final_value(r, "v(q)") < 0.5);
    CHECK(final_value(r, "v(qb)") > 2.0);
    CHECK(final_value(r, "v(out)") == doctest::Approx(final_value(r, "v(q)")).epsilon(1e-3));
}
