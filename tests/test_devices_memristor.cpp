// Memristors (vteam, bulk, rram): level dispatch, I–V, state equations against their closed forms,
// calibrations and presets, read disturb, DC holding, Jacobians against finite differences,
// parameter errors, deterministic variability, and drives integrated by RK4 inside the test (the
// transient analysis will take these over; see the netlists under netlists/devices/).

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>

#include "parser/Netlist.hpp"
#include "solver/Simulator.hpp"
#include "tests/DeviceHarness.hpp"

using namespace ionspice;
using namespace ionspice::test;
using models::DeviceError;
using models::ModelCard;

namespace {

ModelCard memristor_model(std::string level, std::map<std::string, double> params = {},
                          std::map<std::string, std::string> words = {}) {
    if (!level.empty()) words["level"] = std::move(level);
    return ModelCard{"mem", "memristor", std::move(params), std::move(words)};
}

/// Terminals p, n at unknowns 0, 1; the state is unknown 2.
DeviceHarness memristor(const ModelCard& m, std::map<std::string, double> params = {}, std::string name = "n1",
                        std::uint64_t seed = 0) {
    models::InstanceCard c = card(std::move(name), {"p", "n"}, {}, std::move(params), &m);
    c.seed = c.device_seed = seed;  // one seed for both draws, as .options without devseed
    return DeviceHarness(c, {0, 1}, 2);
}

models::LoadContext transient() {
    models::LoadContext ctx;
    ctx.dc = false;
    return ctx;
}

double rate(DeviceHarness& h, double v, double s) { return -h.load({v, 0, s}, transient()).f[2]; }
double current(DeviceHarness& h, double v, double s) { return h.load({v, 0, s}, transient()).f[0]; }

double softplus(double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::fabs(z))); }
double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

/// VTEAM as documented in models/Memristor.cpp, with its defaults, written out independently.
struct VteamReference {
    double k_off = 200, k_on = -200, v_off = 0.3, v_on = -0.3, a_off = 3, a_on = 3, dv = 0.01;
    int qb = 8;
    double rate(double v, double s) const {
        const double p_off = dv * softplus((v - v_off) / dv) / v_off;
        const double p_on = dv * softplus((v_on - v) / dv) / -v_on;
        return k_off * std::pow(p_off, a_off) * (1 - std::pow(s, qb)) +
               k_on * std::pow(p_on, a_on) * (1 - std::pow(1 - s, qb));
    }
};

/// The soft-bound drift of level=bulk and level=rram with explicit parameters.
struct DriftReference {
    double vp, tp, vd, td, nsteps, vs, vtp, vtd, dv, gp, gd;
    int qb = 8;
    double fp(double s) const { return (1 - gp * s) * (1 - std::pow(s, qb)); }
    double fd(double s) const { return (1 - gd * (1 - s)) * (1 - std::pow(1 - s, qb)); }
    double rate(double v, double s) const {
        const double rp = 1 / (nsteps * tp * fp(0.5) * sigmoid((vp - vtp) / dv));
        const double rd = 1 / (nsteps * td * fd(0.5) * sigmoid((vd - vtd) / dv));
        return rp * std::exp((v - vp) / vs) * sigmoid((v - vtp) / dv) * fp(s) -
               rd * std::exp((-v - vd) / vs) * sigmoid((-v - vtd) / dv) * fd(s);
    }
};
const DriftReference kBulk{2, 0.8, 2, 0.8, 512, 0.5, 0.7, 0.7, 0.1, 0.02, 0.02};
const DriftReference kRram{1.5, 1e-6, 1.5, 1e-6, 16, 0.1, 1.0, 1.0, 0.05, 0.5, 0.5};

/// The state after `duration` at a voltage v(t), by classical RK4 with n steps.
template <class Voltage>
double integrate(DeviceHarness& h, double s, Voltage v, double t0, double duration, int n) {
    const double dt = duration / n;
    for (int k = 0; k < n; ++k) {
        const double t = t0 + k * dt;
        const double k1 = rate(h, v(t), s);
        const double k2 = rate(h, v(t + 0.5 * dt), s + 0.5 * dt * k1);
        const double k3 = rate(h, v(t + 0.5 * dt), s + 0.5 * dt * k2);
        const double k4 = rate(h, v(t + dt), s + dt * k3);
        s += dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    return s;
}

double pulse(DeviceHarness& h, double s, double v, double width, int n = 50) {
    return integrate(
        h, s, [v](double) { return v; }, 0, width, n);
}

std::string model_error(const ModelCard& m) {
    try {
        DeviceHarness h = memristor(m);
    } catch (const DeviceError& e) {
        CHECK(e.where() == DeviceError::Where::Model);
        CHECK(std::string(e.what()).find("mem") != std::string::npos);
        return e.param();
    }
    return "";
}

}  // namespace

TEST_CASE("memristor: level is a word or a number, bulk by default") {
    const ModelCard by_word = memristor_model("rram");
    const ModelCard by_number{"mem", "memristor", {{"level", 3}}, {}};
    const ModelCard by_default = memristor_model("");
    DeviceHarness hw = memristor(by_word), hn = memristor(by_number), hd = memristor(by_default);
    CHECK(current(hw, 0.3, 0.4) == current(hn, 0.3, 0.4));
    DeviceHarness hb = memristor(memristor_model("bulk"));
    CHECK(current(hd, 0.3, 0.4) == current(hb, 0.3, 0.4));
    DeviceHarness h1 = memristor(ModelCard{"mem", "memristor", {{"level", 1}}, {}});
    DeviceHarness hv = memristor(memristor_model("vteam"));
    CHECK(current(h1, 0.3, 0.4) == current(hv, 0.3, 0.4));
    DeviceHarness h2 = memristor(ModelCard{"mem", "memristor", {{"level", 2}}, {}});
    CHECK(current(h2, 0.3, 0.4) == current(hb, 0.3, 0.4));
    CHECK(hv.device().output_quantities() == std::vector<std::string>{"g"});
    CHECK(hv.added().at(2) == "state");
}

TEST_CASE("memristor vteam: resistance between ron and roff, lin and exp mappings, ohmic current") {
    for (const char* mapping : {"lin", "exp"}) {
        DeviceHarness h = memristor(memristor_model("vteam", {{"ron", 100}, {"roff", 16e3}}, {{"mapping", mapping}}));
        for (double s : {0.0, 0.3, 1.0}) {
            const double r = std::string(mapping) == "lin" ? 100 + (16e3 - 100) * s : 100 * std::pow(160.0, s);
            CAPTURE(mapping);
            CAPTURE(s);
            CHECK(current(h, 0.05, s) == doctest::Approx(0.05 / r).epsilon(1e-12));
            double g = 0;
            const std::vector<double> x = {0.05, 0, s};
            h.device().outputs(x.data(), &g);
            CHECK(g == doctest::Approx(1 / r).epsilon(1e-12));
        }
    }
}

TEST_CASE("memristor vteam: the drift equals the closed form; nothing moves between the thresholds") {
    const VteamReference ref;
    DeviceHarness h = memristor(memristor_model("vteam"));
    for (double v : {-1.5, -0.5, -0.32, -0.3, -0.28, -0.1, 0.0, 0.1, 0.28, 0.3, 0.32, 0.5, 1.5}) {
        for (double s : {-0.02, 0.0, 0.5, 1.0, 1.02}) {
            CAPTURE(v);
            CAPTURE(s);
            CHECK(rate(h, v, s) == doctest::Approx(ref.rate(v, s)).epsilon(1e-10).scale(1e-300));
        }
    }
    // Kvatinsky's signs: above v_off the state rises (towards OFF), below v_on it falls.
    CHECK(rate(h, 1.0, 0.5) > 0);
    CHECK(rate(h, -1.0, 0.5) < 0);
    // Far from the (smoothed) thresholds the form is k·(V/v0 − 1)^α.
    CHECK(rate(h, 1.0, 0.0) == doctest::Approx(200 * std::pow(1.0 / 0.3 - 1, 3)).epsilon(1e-9));
    // Below the thresholds: less than 1e-6 per second.
    for (double v = -0.2; v <= 0.2; v += 0.01) CHECK(std::fabs(rate(h, v, 0.5)) < 1e-6);
    // Windows: zero at the bound moved towards, pulling back beyond it.
    CHECK(rate(h, 1.0, 1.0) == doctest::Approx(0).scale(1e-9));
    CHECK(rate(h, 1.0, 1.01) < 0);
    CHECK(rate(h, -1.0, -0.01) > 0);
}

TEST_CASE("memristor bulk: TiO2-x preset, sinh read, calibration of 512 levels under 0.8 s pulses") {
    DeviceHarness h = memristor(memristor_model("bulk"));
    const double span = 1 / 740.0 - 1 / 880.0;
    auto g = [&](double s) { return 1 / 880.0 + span * s; };
    // Ends of the window: HRS 880 Ω, LRS 740 Ω (ratio 1.19).
    CHECK(0.1 / current(h, 0.1, 0.0) == doctest::Approx(880 * 0.1 / std::sinh(0.1)).epsilon(1e-12));
    CHECK(0.1 / current(h, 0.1, 1.0) == doctest::Approx(740 * 0.1 / std::sinh(0.1)).epsilon(1e-12));
    // Ohmic at the read voltage: sinh(0.1)/0.1 − 1 = 0.17 %.
    CHECK(current(h, 0.1, 0.5) == doctest::Approx(g(0.5) * 0.1).epsilon(2e-3));
    CHECK(current(h, -0.7, 0.3) == doctest::Approx(-g(0.3) * std::sinh(0.7)).epsilon(1e-12));

    for (double v : {-6.0, -2.0, -0.7, -0.1, 0.0, 0.1, 0.7, 2.0, 6.0})
        for (double s : {0.0, 0.5, 1.0})
            CHECK(rate(h, v, s) == doctest::Approx(kBulk.rate(v, s)).epsilon(1e-12).scale(1e-300));
    // One 2 V, 0.8 s pulse moves s by 1/512 at mid-window: 0.27 Ω, inside the paper's 0.1–0.3 Ω.
    CHECK(rate(h, 2, 0.5) * 0.8 == doctest::Approx(1 / 512.0).epsilon(1e-9));
    CHECK(-rate(h, -2, 0.5) * 0.8 == doctest::Approx(1 / 512.0).epsilon(1e-9));
    const double dr = 1 / g(0.5) - 1 / g(0.5 + 1 / 512.0);
    CHECK(dr > 0.1);
    CHECK(dr < 0.3);
    // Read at 0.1 V: below 1e-6 per second.
    CHECK(std::fabs(rate(h, 0.1, 0.5)) < 1e-6);
}

TEST_CASE("memristor bulk (RK4 in the test): 0.8 s write pulses give about 512 distinguishable levels") {
    DeviceHarness h = memristor(memristor_model("bulk"));
    auto r = [](double s) { return 1 / (1 / 880.0 + (1 / 740.0 - 1 / 880.0) * s); };
    double s = 0;
    int distinguishable = 0;
    for (int k = 0; k < 600; ++k) {
        const double next = pulse(h, s, 2.0, 0.8, 4);
        if (r(s) - r(next) >= 0.1) ++distinguishable;
        s = next;
    }
    MESSAGE("potentiation: " << distinguishable << " pulses of at least 0.1 ohm, R after 600 pulses " << r(s));
    CHECK(distinguishable >= 480);
    CHECK(r(s) < 745);
    CHECK(s <= 1.0);
}

TEST_CASE("memristor rram: on/off 75, about 16 levels, read visibly nonlinear in HRS") {
    DeviceHarness h = memristor(memristor_model("rram"));
    const double g_hrs = current(h, 1e-4, 0.0) / 1e-4, g_lrs = current(h, 1e-4, 1.0) / 1e-4;
    CHECK(g_lrs / g_hrs == doctest::Approx(75).epsilon(1e-6));
    // At 0.8 V the HRS current is far above the ohmic one.
    CHECK(current(h, 0.8, 0.0) / (0.8 * g_hrs) > 2.0);
    for (double v : {-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0})
        for (double s : {0.0, 0.5, 1.0})
            CHECK(rate(h, v, s) == doctest::Approx(kRram.rate(v, s)).epsilon(1e-12).scale(1e-300));
    CHECK(rate(h, 1.5, 0.5) * 1e-6 == doctest::Approx(1 / 16.0).epsilon(1e-9));
    // Read disturb at small voltages.
    CHECK(std::fabs(rate(h, 0.2, 0.0)) < 1e-6);

    // RK4 in the test: 16 set pulses of 1.5 V / 1 µs take HRS most of the way to LRS, each one a
    // distinct level, with the decreasing steps of a filamentary device.
    double s = 0;
    std::vector<double> levels{s};
    for (int k = 0; k < 16; ++k) {
        s = pulse(h, s, 1.5, 1e-6);
        levels.push_back(s);
    }
    MESSAGE("rram after 16 pulses: s = " << s);
    CHECK(s > 0.8);
    CHECK(s <= 1.0);
    const double first = levels[1] - levels[0], last = levels[16] - levels[15];
    CHECK(last > 0.15 * first);
    CHECK(last < 0.7 * first);
    for (std::size_t k = 1; k < levels.size(); ++k) CHECK(levels[k] - levels[k - 1] > 0.005);
}

TEST_CASE("memristor: DC holds the state at x0") {
    for (const char* level : {"vteam", "bulk", "rram"}) {
        DeviceHarness h = memristor(memristor_model(level), {{"x0", 0.3}});
        const Loaded l = h.load({5.0, 0.0, 0.45});
        CAPTURE(level);
        CHECK(l.f[2] == doctest::Approx(0.15));
        CHECK(l.Jf(2, 2) == 1);
        CHECK(l.Jf(2, 0) == 0);
        CHECK(l.q[2] == 0.45);
        CHECK(l.Jq(2, 2) == 1);
        DeviceHarness d = memristor(memristor_model(level));
        CHECK(d.load({1.0, 0.0, 0.0}).f[2] == 0);
        // uic starts the transient from the held state.
        std::vector<double> x(3, 0.0);
        h.device().initial_conditions(x.data());
        CHECK(x[2] == 0.3);
    }
}

TEST_CASE("memristor: Jacobians match finite differences across thresholds and bounds") {
    const std::vector<ModelCard> models = {
        memristor_model("vteam"),
        memristor_model("vteam", {{"alpha_off", 1}, {"alpha_on", 5}, {"dv", 0.05}}, {{"mapping", "exp"}}),
        memristor_model("bulk"),
        memristor_model("rram"),
        memristor_model("bulk", {{"vnl", 0.2}, {"qb", 2}, {"dtod", 0.1}}),
    };
    const std::vector<double> voltages = {-6.0, -2.0, -1.5, -1.0, -0.7, -0.3, -0.29, -0.1, 0.0,
                                          0.05, 0.29, 0.3,  0.31, 0.7,  1.0,  1.5,   2.0,  6.0};
    for (std::size_t k = 0; k < models.size(); ++k) {
        DeviceHarness h = memristor(models[k]);
        for (double v : voltages) {
            for (double s : {-0.02, 0.0, 0.3, 0.99, 1.0, 1.02}) {
                CAPTURE(k);
                CAPTURE(v);
                CAPTURE(s);
                const std::vector<double> x = {v + 0.01, 0.01, s};
                const JacobianCheck c = check_jacobian(h, x, 1e-6, 1e-18, transient());
                CHECK(c.worst_f < 1e-6);
                CHECK(c.worst_q < 1e-7);
                CHECK(check_jacobian(h, x, 1e-6, 1e-18).worst_f < 1e-6);
            }
        }
        // Nothing overflows far outside the operating range.
        for (double v : {-1e4, 1e4})
            for (double s : {-50.0, 50.0}) {
                const Loaded l = h.load({v, 0, s}, transient());
                for (double j : l.jf) CHECK(std::isfinite(j));
                for (double f : l.f) CHECK(std::isfinite(f));
            }
    }
}

TEST_CASE("memristor: parameter errors name the parameter") {
    CHECK(model_error(memristor_model("filament")) == "level");
    CHECK(model_error(ModelCard{"mem", "memristor", {{"level", 4}}, {}}) == "level");
    CHECK(model_error(ModelCard{"mem", "memristor", {{"level", 2}}, {{"level", "bulk"}}}) == "level");
    CHECK(model_error(memristor_model("bulk", {{"ron", 900}})) == "roff");
    CHECK(model_error(memristor_model("bulk", {{"ron", 0}})) == "ron");
    CHECK(model_error(memristor_model("bulk", {{"vnl", 0}})) == "vnl");
    CHECK(model_error(memristor_model("bulk", {{"qb", 3}})) == "qb");
    CHECK(model_error(memristor_model("bulk", {{"tp", 0}})) == "tp");
    CHECK(model_error(memristor_model("bulk", {{"nsteps", -5}})) == "nsteps");
    CHECK(model_error(memristor_model("rram", {{"vs", 0}})) == "vs");
    CHECK(model_error(memristor_model("rram", {{"dv", 0}})) == "dv");
    CHECK(model_error(memristor_model("bulk", {}, {{"mapping", "lin"}})) == "mapping");
    CHECK(model_error(memristor_model("vteam", {}, {{"mapping", "log"}})) == "mapping");
    CHECK(model_error(memristor_model("vteam", {{"k_on", 10}})) == "k_on");
    CHECK(model_error(memristor_model("vteam", {{"v_on", 0.3}})) == "v_on");
    CHECK(model_error(memristor_model("vteam", {{"v_off", -0.3}})) == "v_off");
    CHECK(model_error(memristor_model("vteam", {{"alpha_off", 0}})) == "alpha_off");
    CHECK(model_error(memristor_model("vteam", {{"qb", 5}})) == "qb");
    CHECK(model_error(memristor_model("vteam", {{"vp", 1}})) == "vp");  // a bulk parameter
    CHECK(model_error(memristor_model("bulk", {{"k_off", 1}})) == "k_off");
    CHECK(model_error(memristor_model("bulk", {{"ctoc", -0.1}})) == "ctoc");
    CHECK(model_error(memristor_model("rram", {{"ron", 1e3}, {"roff", 75e3}, {"vnl", 0.25}, {"ctoc", 0.05}})).empty());

    const ModelCard m = memristor_model("bulk");
    auto instance_error = [&](std::map<std::string, double> params) -> std::string {
        try {
            DeviceHarness h = memristor(m, std::move(params));
        } catch (const DeviceError& e) {
            CHECK(e.where() == DeviceError::Where::Instance);
            return e.param();
        }
        return "";
    };
    CHECK(instance_error({{"x0", -0.1}}) == "x0");
    CHECK(instance_error({{"x0", 1.1}}) == "x0");
    CHECK(instance_error({{"g0", 1e-3}}) == "g0");
    CHECK(instance_error({{"x0", 1}}).empty());
}

TEST_CASE("memristor: variability is a pure function of seed and name, redrawn per pulse") {
    const ModelCard m = memristor_model("bulk", {{"dtod", 0.1}, {"ctoc", 0.05}});
    auto programmed = [&](const std::string& name, std::uint64_t seed) {
        DeviceHarness h = memristor(m, {}, name, seed);
        std::vector<double> rates;
        for (int k = 0; k < 3; ++k) {
            const std::vector<double> rest = {0, 0, 0.5}, on = {2, 0, 0.5};
            h.accept(rest, 0);
            h.accept(on, 0);
            rates.push_back(rate(h, 2, 0.5));
        }
        return rates;
    };
    CHECK(programmed("n1", 5) == programmed("n1", 5));
    CHECK(programmed("n1", 5) != programmed("n2", 5));
    CHECK(programmed("n1", 5) != programmed("n1", 6));
    const std::vector<double> r = programmed("n1", 5);
    CHECK(r[0] != r[1]);
    CHECK(r[1] != r[2]);
}

TEST_CASE("memristor vteam (RK4 in the test): a sine drive traces a pinched hysteresis loop") {
    DeviceHarness h = memristor(memristor_model("vteam"));
    const double f = 1e3, amplitude = 1.0;
    auto v = [&](double t) { return amplitude * std::sin(2 * std::numbers::pi * f * t); };
    // Start ON (s = 0); sample the current at the same voltage on the way up and down.
    const int per_quarter = 500;
    const double quarter = 0.25 / f;
    double s = 0;
    double t = 0;
    std::vector<double> s_at_quarter;
    for (int q = 0; q < 8; ++q) {
        s = integrate(h, s, v, t, quarter, per_quarter);
        t += quarter;
        s_at_quarter.push_back(s);
    }
    // Positive half-cycles push towards OFF, negative ones back towards ON.
    CHECK(s_at_quarter[1] > 0.2);
    CHECK(s_at_quarter[3] < s_at_quarter[1]);
    CHECK(s_at_quarter[5] > s_at_quarter[3]);
    // The loop: at V = +0.5 V, the current on the rising edge (t = T/12, before the switching)
    // exceeds the one on the falling edge (t = 5T/12, after it); at V = 0 both are zero.
    double s_up = integrate(h, 0.0, v, 0, 1.0 / (12 * f), 200);
    double s_down = integrate(h, s_up, v, 1.0 / (12 * f), 4.0 / (12 * f), 800);
    const double i_up = current(h, 0.5, s_up), i_down = current(h, 0.5, s_down);
    MESSAGE("vteam loop at 0.5 V: I rising " << i_up << " A, falling " << i_down << " A");
    CHECK(i_up > 1.5 * i_down);
    CHECK(current(h, 0.0, s_down) == 0);
}

// ---- Through the transient analysis: the example netlists under netlists/devices/ ----

namespace {

solver::Plot run_example(const std::string& file) {
    const auto path = std::filesystem::path(IONSPICE_SOURCE_DIR) / "netlists" / "devices" / file;
    solver::SimulationResult r = solver::simulate(parser::read_deck(path.string()));
    REQUIRE(r.plots.size() == 1);
    return r.plots[0];
}

/// A vector of a transient plot at time t, interpolated linearly.
double at(const solver::Plot& p, const std::string& name, double t) {
    const int v = p.find(name);
    INFO("vector " << name);
    REQUIRE(v >= 0);
    const auto var = static_cast<std::size_t>(v);
    std::size_t lo = 0, hi = p.points() - 1;
    if (t <= p.at(0, 0)) return p.at(0, var);
    if (t >= p.at(hi, 0)) return p.at(hi, var);
    while (hi - lo > 1) {
        const std::size_t mid = (lo + hi) / 2;
        (p.at(mid, 0) <= t ? lo : hi) = mid;
    }
    const double w = (t - p.at(lo, 0)) / (p.at(hi, 0) - p.at(lo, 0));
    return p.at(lo, var) * (1 - w) + p.at(hi, var) * w;
}

}  // namespace

TEST_CASE("memristor vteam (.tran): a 1 kHz sine traces a loop pinched at the origin") {
    const solver::Plot p = run_example("vteam_hysteresis.cir");
    // First cycle: the same +0.5 V on the rising edge (t = T/12, still ON) and on the falling
    // edge (t = 5T/12, after switching towards OFF) gives different currents.
    const double T = 1e-3;
    const double i_up = -at(p, "i(v1)", T / 12), i_down = -at(p, "i(v1)", 5 * T / 12);
    MESSAGE(".tran vteam at +0.5 V: rising " << i_up << " A, falling " << i_down << " A");
    CHECK(at(p, "v(p)", T / 12) == doctest::Approx(0.5).epsilon(1e-3));
    CHECK(i_up > 1.5 * i_down);
    // Pinched: at the zero crossings the current is zero whatever the state.
    for (double t : {T / 2, T, 1.5 * T, 2 * T}) CHECK(std::fabs(at(p, "i(v1)", t)) < 1e-3 * std::fabs(i_up) + 1e-9);
    // The state stays inside its window.
    const int x = p.find("x(n1)");
    for (std::size_t k = 0; k < p.points(); ++k) {
        CHECK(p.at(k, static_cast<std::size_t>(x)) >= -1e-6);
        CHECK(p.at(k, static_cast<std::size_t>(x)) <= 1 + 1e-6);
    }
}

TEST_CASE("memristor bulk (.tran): TiO2-x, 0.8 s pulses step R by 0.1-0.3 ohm through about 512 levels") {
    const solver::Plot p = run_example("tio2_feedforward.cir");
    // Read 50 ms before each pulse (pulse k starts at k + 0.1 s).
    std::vector<double> r;
    for (int k = 0; k < 1040; ++k) r.push_back(1 / at(p, "g(n1)", k + 0.05));
    int up = 0, down = 0;
    double largest = 0;
    for (std::size_t k = 0; k + 1 < 520; ++k) {
        const double d = r[k] - r[k + 1];
        if (d >= 0.1) ++up;
        largest = std::max(largest, d);
    }
    for (std::size_t k = 520; k + 1 < r.size(); ++k)
        if (r[k + 1] - r[k] >= 0.1) ++down;
    MESSAGE(".tran TiO2: " << up << " set and " << down << " reset steps of at least 0.1 ohm; R " << r[0] << " -> "
                           << r[520] << " -> " << r.back() << " ohm; largest step " << largest << " ohm");
    CHECK(r[0] == doctest::Approx(880).epsilon(1e-6));
    CHECK(r[520] < 750);
    CHECK(r.back() > 870);
    CHECK(up >= 500);
    CHECK(down >= 500);
    CHECK(largest < 0.35);
}

TEST_CASE("memristor rram (.tran): 16 set pulses give 16 distinct, shrinking conductance steps") {
    const solver::Plot p = run_example("rram_levels.cir");
    // Read in the middle of each rest (period 3 us, pulse k starts at 1 us + 3k us).
    std::vector<double> g{at(p, "g(n1)", 0.5e-6)};
    for (int k = 0; k < 16; ++k) g.push_back(at(p, "g(n1)", 3.5e-6 + 3e-6 * k));
    for (std::size_t k = 0; k + 1 < g.size(); ++k) CHECK(g[k + 1] - g[k] > 0.02 * (g[1] - g[0]));
    CHECK(g[16] - g[15] < 0.7 * (g[1] - g[0]));
    CHECK(1 / g[0] == doctest::Approx(300e3).epsilon(1e-6));
    CHECK(1 / g[16] < 5e3);
    // The resets bring it most of the way back.
    CHECK(1 / at(p, "g(n1)", 99e-6) > 30e3);
}

namespace {

solver::Plot run_text(const std::string& text) {
    solver::SimulationResult r = solver::simulate(parser::parse_deck(text, "test.cir"));
    REQUIRE(r.plots.size() == 1);
    return r.plots[0];
}

}  // namespace

TEST_CASE("memristor vteam (.tran): matches the behavioural ngspice netlist of the same equations within 1e-3") {
    // ngspice 39.3 on netlists/devices/ngspice_vteam_behavioural.cir, v(xs) at the zero crossings
    // of the drive t = 0.5 ms·k, k = 1..6 (between the thresholds, where s is still).
    const std::vector<double> ngspice = {0.446561987,  0.07731946596, 0.5236288605,
                                         0.1206271635, 0.5665935188,  0.1501550775};
    const solver::Plot p = run_text(R"(VTEAM, built-in model
.model vt memristor (level=vteam ron=1k roff=10k k_off=200 k_on=-200 v_off=0.3 v_on=-0.3 alpha_off=3 alpha_on=3)
V1 p 0 SIN(0 1 1k)
N1 p 0 vt x0=0
.options reltol=1e-6 abstol=1e-15 vntol=1e-9 chgtol=1e-18
.tran 1u 3m 0 1u
.end
)");
    double worst = 0;
    for (std::size_t k = 0; k < ngspice.size(); ++k)
        worst = std::max(worst, std::fabs(at(p, "x(n1)", 0.5e-3 * static_cast<double>(k + 1)) - ngspice[k]));
    MESSAGE(".tran vteam vs ngspice behavioural: worst |x - x_ngspice| = " << worst);
    CHECK(worst < 1e-3 * 0.5);
}

TEST_CASE("memristor bulk (.tran): matches the behavioural ngspice netlist of the same equations within 1e-3") {
    // ngspice 39.3 on netlists/devices/ngspice_bulk_behavioural.cir, v(xs) at t = 0.05 s and
    // 1.05 s + k (k < 60), in the rests between the pulses.
    const std::vector<double> ngspice = {
        0.3000000062, 0.3145506849, 0.3290965838, 0.3436375122, 0.3581732211, 0.3727033899, 0.3872276101, 0.4017453661,
        0.4162560133, 0.430758752,  0.4452525987, 0.4597363522, 0.4742085559, 0.488667455,  0.5031109488, 0.5175365378,
        0.5319412653, 0.5463216538, 0.5606736355, 0.5749924785, 0.5892727079, 0.6035080241, 0.6176912177, 0.6318140844,
        0.6458673413, 0.6598405465, 0.6737220273, 0.6874988193, 0.7011566207, 0.7146797693, 0.7280512451, 0.7134921646,
        0.6989376178, 0.6843877153, 0.6698426046, 0.6553024804, 0.6407675964, 0.6262382788, 0.6117149432, 0.5971981139,
        0.5826884457, 0.5681867506, 0.5536940266, 0.539211492,  0.5247406236, 0.5102831994, 0.495841347,  0.4814175969,
        0.467014941,  0.4526368971, 0.4382875781, 0.4239717667, 0.4096949941, 0.3954636226, 0.38128493,   0.3671671952,
        0.3531197815, 0.3391532164, 0.3252792631, 0.3115109804, 0.29786276};
    const solver::Plot p = run_text(R"(bulk memristor, built-in model
.model tio2 memristor (level=bulk)
Vset p mid PULSE(0.1 3 0.1 1m 1m 0.8 1 30)
Vreset mid 0 PULSE(0 -3.1 30.1 1m 1m 0.8 1 30)
N1 p 0 tio2 x0=0.3
.options reltol=1e-6 abstol=1e-15 vntol=1e-9 chgtol=1e-18
.tran 10m 60 0 10m
.end
)");
    double worst = 0;
    for (std::size_t k = 0; k < ngspice.size(); ++k) {
        const double t = k == 0 ? 0.05 : 0.05 + static_cast<double>(k);
        worst = std::max(worst, std::fabs(at(p, "x(n1)", t) - ngspice[k]));
    }
    MESSAGE(".tran bulk vs ngspice behavioural: worst |x - x_ngspice| = " << worst);
    CHECK(worst < 1e-3 * 0.3);
}

TEST_CASE("memristor (.tran): read noise scales the current by 1 + n(t), the state untouched") {
    // A bulk memristor read at 0.1 V for 20 ms, the read noise sampled every 10 µs: the relative
    // deviation of each sample is rnw/√(2·rnt) = 2e-4/√(2e-5) = 0.0447.
    const std::string text = "read noise\n.model mem memristor (level=bulk rnw=2e-4 rnt=10u)\n"
                             "V1 p 0 0.1\nN1 p 0 mem x0=0.5\n.tran 10u 20m\n.end\n";
    const auto r = solver::simulate(parser::parse_deck(text, "test.cir"));
    const auto& p = r.plots.at(0);
    const int iv = p.find("i(v1)"), ix = p.find("x(n1)");
    REQUIRE(iv >= 0);
    REQUIRE(ix >= 0);
    const double mean_i = p.at(0, static_cast<std::size_t>(iv));  // the operating point: no noise
    double sum = 0, sum2 = 0;
    for (std::size_t k = 1; k < p.points(); ++k) {
        const double n = p.at(k, static_cast<std::size_t>(iv)) / mean_i - 1;
        sum += n, sum2 += n * n;
        CHECK(p.at(k, static_cast<std::size_t>(ix)) == doctest::Approx(0.5).epsilon(1e-6));
    }
    const double count = static_cast<double>(p.points() - 1), mean = sum / count;
    const double sd = std::sqrt(sum2 / count - mean * mean);
    MESSAGE("memristor read noise: deviation " << sd << " (expected 0.0447)");
    CHECK(sd == doctest::Approx(2e-4 / std::sqrt(2 * 10e-6)).epsilon(0.08));
}
