// ECRAM: channel and gate stack, the state equation against its closed form, calibration, read
// disturb and half-selection, DC holding, soft bounds, Jacobians against finite differences,
// parameter errors, deterministic variability, and pulse trains integrated by RK4 inside the test
// (the transient analysis will take these over; see the netlists under netlists/devices/).

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <set>

#include "parser/Netlist.hpp"
#include "solver/Simulator.hpp"
#include "tests/DeviceHarness.hpp"

using namespace ionspice;
using namespace ionspice::test;
using models::DeviceError;
using models::ModelCard;

namespace {

ModelCard ecram_model(std::map<std::string, double> params = {}, std::map<std::string, std::string> words = {}) {
    return ModelCard{"ecmod", "ecram", std::move(params), std::move(words)};
}

/// Terminals g, d, s at unknowns 0..2; the state is unknown 3.
DeviceHarness ecram(const ModelCard& m, std::map<std::string, double> params = {}, std::string name = "n1",
                    std::uint64_t seed = 0) {
    models::InstanceCard c = card(std::move(name), {"g", "d", "s"}, {}, std::move(params), &m);
    c.seed = c.device_seed = seed;  // one seed for both draws, as .options without devseed
    return DeviceHarness(c, {0, 1, 2}, 3);
}

models::LoadContext transient() {
    models::LoadContext ctx;
    ctx.dc = false;
    return ctx;
}

/// ṡ at gate voltage vg (drain and source grounded, so V_gc = vg) and state s.
double rate(DeviceHarness& h, double vg, double s, double vd = 0, double vs = 0) {
    return -h.load({vg, vd, vs, s}, transient()).f[3];
}

double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

/// docs/models.md's state equation, written out independently of the model code (defaults unless given).
struct Reference {
    double vp = 10, tp = 2e-3, vd = 7, td = 2e-3, nsteps = 180, vs = 0.5, dv = 0.1, gp = 0.02, gd = 0.02;
    int qb = 8;
    double vtp() const { return 0.35 * vp; }
    double vtd() const { return 0.35 * vd; }
    double fp(double s) const { return (1 - gp * s) * (1 - std::pow(s, qb)); }
    double fd(double s) const { return (1 - gd * (1 - s)) * (1 - std::pow(1 - s, qb)); }
    double rp() const { return 1 / (nsteps * tp * fp(0.5) * sigmoid((vp - vtp()) / dv)); }
    double rd() const { return 1 / (nsteps * td * fd(0.5) * sigmoid((vd - vtd()) / dv)); }
    double rate(double v, double s) const {
        const double p = rp() * std::exp((v - vp) / vs) * sigmoid((v - vtp()) / dv);
        const double d = rd() * std::exp((-v - vd) / vs) * sigmoid((-v - vtd()) / dv);
        return p * fp(s) - d * fd(s);
    }
};

/// The state after `duration` seconds at fixed terminal voltages, by classical RK4 on the device's
/// own rate (steps of at most `h_max`).
double integrate(DeviceHarness& h, double s, double vg, double duration, double h_max = 1e-4, double vd = 0) {
    const int n = std::max(1, static_cast<int>(std::ceil(duration / h_max)));
    const double dt = duration / n;
    for (int k = 0; k < n; ++k) {
        const double k1 = rate(h, vg, s, vd);
        const double k2 = rate(h, vg, s + 0.5 * dt * k1, vd);
        const double k3 = rate(h, vg, s + 0.5 * dt * k2, vd);
        const double k4 = rate(h, vg, s + dt * k3, vd);
        s += dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    return s;
}

std::string model_error(std::map<std::string, double> params, std::map<std::string, std::string> words = {}) {
    const ModelCard m{"bad", "ecram", std::move(params), std::move(words)};
    try {
        DeviceHarness h = ecram(m);
    } catch (const DeviceError& e) {
        CHECK(e.where() == DeviceError::Where::Model);
        CHECK(std::string(e.what()).find("bad") != std::string::npos);
        CHECK(std::string(e.what()).find(e.param()) != std::string::npos);
        return e.param();
    }
    return "";
}

std::string instance_error(std::map<std::string, double> params, const ModelCard& m = ecram_model()) {
    try {
        DeviceHarness h = ecram(m, std::move(params));
    } catch (const DeviceError& e) {
        CHECK(e.where() == DeviceError::Where::Instance);
        CHECK(std::string(e.what()).find("n1") != std::string::npos);
        return e.param();
    }
    return "";
}

}  // namespace

TEST_CASE("ECRAM: channel current is G(s)·V_DS with the lin and log mappings") {
    const double gmin = 0.079e-6, gmax = 50e-6;
    for (const char* mapping : {"lin", "log"}) {
        const ModelCard m = ecram_model({}, {{"mapping", mapping}});
        DeviceHarness h = ecram(m);
        for (double s : {0.0, 0.25, 0.5, 1.0}) {
            const double g = std::string(mapping) == "lin" ? gmin + (gmax - gmin) * s : gmin * std::pow(gmax / gmin, s);
            const Loaded l = h.load({0.0, 0.1, -0.05, s});
            CAPTURE(mapping);
            CAPTURE(s);
            // Gate leakage (1e-12 S·V_gc) is in the drain and source rows too.
            const double ig = 1e-12 * (0 - 0.5 * 0.1 - 0.5 * -0.05);
            CHECK(l.f[1] == doctest::Approx(g * 0.15 - 0.5 * ig).epsilon(1e-12));
            CHECK(l.f[2] == doctest::Approx(-g * 0.15 - 0.5 * ig).epsilon(1e-12));
            CHECK(l.f[0] == doctest::Approx(ig).epsilon(1e-12));
            double out = 0;
            const std::vector<double> x = {0.0, 0.1, -0.05, s};
            h.device().outputs(x.data(), &out);
            CHECK(out == doctest::Approx(g).epsilon(1e-12));
        }
    }
    DeviceHarness h = ecram(ecram_model());
    CHECK(h.device().output_quantities() == std::vector<std::string>{"g"});
    CHECK(h.added().at(3) == "state");
}

TEST_CASE("ECRAM: gate leakage follows V_gc and the gate capacitance is split to drain and source") {
    const ModelCard m = ecram_model({{"ggate", 1e-6}, {"cgate", 2e-12}, {"kch", 1}});
    DeviceHarness h = ecram(m);
    const Loaded l = h.load({3.0, 1.0, 0.0, 0.5});
    // kch = 1: V_gc = V_G − V_D = 2 V, and the leakage returns through the drain only.
    CHECK(l.f[0] == doctest::Approx(2e-6));
    CHECK(l.f[1] == doctest::Approx(-2e-6 + (0.079e-6 + (50e-6 - 0.079e-6) * 0.5) * 1.0));
    CHECK(l.q[0] == doctest::Approx(1e-12 * 2.0 + 1e-12 * 3.0));
    CHECK(l.q[1] == doctest::Approx(-1e-12 * 2.0));
    CHECK(l.q[2] == doctest::Approx(-1e-12 * 3.0));
    CHECK(l.Jq(0, 0) == doctest::Approx(2e-12));
    CHECK(l.Jq(1, 0) == doctest::Approx(-1e-12));
}

TEST_CASE("ECRAM: the state rate equals the closed form across thresholds and bounds") {
    const Reference ref;
    DeviceHarness h = ecram(ecram_model());
    for (double v : {-12.0, -7.0, -5.0, -2.6, -2.45, -2.3, -1.0, 0.0, 1.0, 3.3, 3.5, 3.7, 5.0, 10.0, 12.0}) {
        for (double s : {-0.05, 0.0, 0.3, 0.5, 0.9, 1.0, 1.05}) {
            CAPTURE(v);
            CAPTURE(s);
            const double expected = ref.rate(v, s);
            CHECK(rate(h, v, s) == doctest::Approx(expected).epsilon(1e-12).scale(1e-300));
        }
    }
    // The state row's q is s itself.
    const Loaded l = h.load({10.0, 0, 0, 0.4}, transient());
    CHECK(l.q[3] == 0.4);
    CHECK(l.Jq(3, 3) == 1);
}

TEST_CASE("ECRAM: one calibration pulse moves s by 1/nsteps at s = 0.5") {
    for (auto params :
         {std::map<std::string, double>{},
          std::map<std::string, double>{
              {"vp", 5}, {"vd", 5}, {"tp", 0.1}, {"td", 0.1}, {"nsteps", 200}, {"vtp", 3.5}, {"vtd", 3.5}},
          std::map<std::string, double>{{"vtp", 9.9}, {"gp", 0.3}, {"gd", 0.5}, {"qb", 4}}}) {
        const ModelCard m = ecram_model(params);
        DeviceHarness h = ecram(m);
        const double vp = params.count("vp") ? params["vp"] : 10, vd = params.count("vd") ? params["vd"] : 7;
        const double tp = params.count("tp") ? params["tp"] : 2e-3, td = params.count("td") ? params["td"] : 2e-3;
        const double nsteps = params.count("nsteps") ? params["nsteps"] : 180;
        CHECK(rate(h, vp, 0.5) * tp == doctest::Approx(1 / nsteps).epsilon(1e-9));
        CHECK(-rate(h, -vd, 0.5) * td == doctest::Approx(1 / nsteps).epsilon(1e-9));
    }
}

TEST_CASE("ECRAM: reads do not disturb the state and half-selected cells hold") {
    DeviceHarness h = ecram(ecram_model());
    for (double v = -1.0; v <= 1.0; v += 0.05)
        for (double s : {0.0, 0.5, 1.0}) CHECK(std::fabs(rate(h, v, s)) < 1e-6);
    // MTT read at Vread_H = 1.4 V for a second: far below 1e-4 of the window.
    CHECK(std::fabs(rate(h, 1.4, 0.5)) * 1.0 < 1e-4);

    // W/YSZ/WOx open-loop set, 1/2-V scheme: a half-selected cell sees 2.5 V.
    const ModelCard open_loop = ecram_model({{"gmin", 25e-6},
                                             {"gmax", 50e-6},
                                             {"vp", 5},
                                             {"vd", 5},
                                             {"tp", 0.1},
                                             {"td", 0.1},
                                             {"nsteps", 200},
                                             {"vtp", 3.5},
                                             {"vtd", 3.5}});
    DeviceHarness ho = ecram(open_loop);
    CHECK(std::fabs(rate(ho, 2.5, 0.5) / rate(ho, 5.0, 0.5)) < 1e-5);
    CHECK(std::fabs(rate(ho, -2.5, 0.5) / rate(ho, -5.0, 0.5)) < 1e-5);

    // H-1E1T with kch = 1: remain (V_G = 10, V_D = 6) moves G by far less than 1 % of the
    // potentiation step; depression (V_G = 0, V_D = 6) moves it down.
    const ModelCard h1e1t = ecram_model({{"kch", 1}});
    DeviceHarness hh = ecram(h1e1t);
    const double potentiation = rate(hh, 10, 0.5, 0, 0);
    const double remain = rate(hh, 10, 0.5, 6, 0);
    const double depression = rate(hh, 0, 0.5, 6, 0);
    CHECK(potentiation > 0);
    CHECK(std::fabs(remain) < 0.01 * potentiation);
    CHECK(depression < 0);
}

TEST_CASE("ECRAM: DC holds the state at the value given by g0 or x0") {
    const double gmin = 0.079e-6, gmax = 50e-6;
    models::LoadContext dc;  // dc = true by default
    SUBCASE("g0 through the lin mapping") {
        DeviceHarness h = ecram(ecram_model(), {{"g0", 30e-6}});
        const double s0 = (30e-6 - gmin) / (gmax - gmin);
        const Loaded l = h.load({10.0, 0.1, 0.0, 0.2}, dc);
        CHECK(l.f[3] == doctest::Approx(0.2 - s0).epsilon(1e-12));
        CHECK(l.Jf(3, 3) == 1);
        CHECK(l.Jf(3, 0) == 0);
        CHECK(l.Jf(3, 1) == 0);
    }
    SUBCASE("g0 through the log mapping") {
        DeviceHarness h = ecram(ecram_model({}, {{"mapping", "log"}}), {{"g0", 1e-6}});
        const double s0 = std::log(1e-6 / gmin) / std::log(gmax / gmin);
        CHECK(h.load({0, 0, 0, 0}, dc).f[3] == doctest::Approx(-s0).epsilon(1e-12));
    }
    SUBCASE("uic starts the transient from the held state") {
        DeviceHarness h = ecram(ecram_model(), {{"g0", 30e-6}});
        std::vector<double> x(4, 0.0);
        h.device().initial_conditions(x.data());
        CHECK(x[3] == doctest::Approx((30e-6 - gmin) / (gmax - gmin)).epsilon(1e-12));
        CHECK(x[0] == 0);
    }
    SUBCASE("x0, and the default g0 = gmin") {
        DeviceHarness hx = ecram(ecram_model(), {{"x0", 0.7}});
        CHECK(hx.load({0, 0, 0, 0.7}, dc).f[3] == 0);
        DeviceHarness hd = ecram(ecram_model());
        CHECK(hd.load({0, 0, 0, 0.25}, dc).f[3] == 0.25);
    }
}

TEST_CASE("ECRAM: the soft bounds pull the state back into [0, 1]") {
    DeviceHarness h = ecram(ecram_model());
    CHECK(rate(h, 10, 1.0) == doctest::Approx(0).scale(1e-9));
    CHECK(rate(h, 10, 1.02) < 0);
    CHECK(rate(h, -7, 0.0) == doctest::Approx(0).scale(1e-9));
    CHECK(rate(h, -7, -0.02) > 0);
    // Far beyond the window and voltage range nothing overflows.
    for (double v : {-1e4, 1e4})
        for (double s : {-50.0, 50.0}) {
            const Loaded l = h.load({v, 0, 0, s}, transient());
            for (double j : l.jf) CHECK(std::isfinite(j));
            CHECK(std::isfinite(l.f[3]));
        }
}

TEST_CASE("ECRAM: Jacobians match finite differences around thresholds and bounds") {
    struct Variant {
        ModelCard model;
        const char* what;
    };
    const std::vector<Variant> variants = {
        {ecram_model(), "defaults"},
        {ecram_model({{"kch", 0.3}, {"ggate", 1e-6}, {"cgate", 1e-12}}, {{"mapping", "log"}}), "log, kch, gate stack"},
        {ecram_model({{"vp", 5}, {"vd", 5}, {"vtp", 3.5}, {"vtd", 3.5}, {"dv", 0.05}, {"qb", 2}}), "open-loop set"},
    };
    for (const auto& var : variants) {
        DeviceHarness h = ecram(var.model);
        for (double vgc : {-8.0, -7.0, -2.5, -2.45, -2.4, -0.5, 0.0, 0.1, 1.0, 3.45, 3.5, 3.55, 5.0, 10.0, 11.0}) {
            for (double s : {-0.02, 0.0, 0.01, 0.5, 0.99, 1.0, 1.02}) {
                const std::vector<double> x = {vgc + 0.05, 0.1, 0.0, s};
                CAPTURE(std::string(var.what));
                CAPTURE(vgc);
                CAPTURE(s);
                const JacobianCheck c = check_jacobian(h, x, 1e-6, 1e-18, transient());
                CHECK(c.worst_f < 1e-6);
                CHECK(c.worst_q < 1e-7);
                const JacobianCheck d = check_jacobian(h, x, 1e-6, 1e-18);
                CHECK(d.worst_f < 1e-6);
            }
        }
    }
}

TEST_CASE("ECRAM: out-of-range parameters are errors that name the parameter") {
    CHECK(model_error({{"gmin", 50e-6}, {"gmax", 50e-6}}) == "gmax");
    CHECK(model_error({{"gmax", 1e-8}}) == "gmax");
    CHECK(model_error({{"gmin", 0}}) == "gmin");
    CHECK(model_error({{"qb", 7}}) == "qb");
    CHECK(model_error({{"qb", 0}}) == "qb");
    CHECK(model_error({{"qb", 2.5}}) == "qb");
    CHECK(model_error({{"tp", 0}}) == "tp");
    CHECK(model_error({{"td", -2e-3}}) == "td");
    CHECK(model_error({{"nsteps", 0}}) == "nsteps");
    CHECK(model_error({{"vs", 0}}) == "vs");
    CHECK(model_error({{"dv", -0.1}}) == "dv");
    CHECK(model_error({{"vp", 0}}) == "vp");
    CHECK(model_error({{"vtp", -1}}) == "vtp");
    CHECK(model_error({{"gp", 1}}) == "gp");
    CHECK(model_error({{"gd", -0.1}}) == "gd");
    CHECK(model_error({{"kch", 1.5}}) == "kch");
    CHECK(model_error({{"ggate", -1e-12}}) == "ggate");
    CHECK(model_error({{"dtod", -0.01}}) == "dtod");
    CHECK(model_error({{"vtp", 1000}}) == "vtp");
    CHECK(model_error({{"level", 2}}) == "level");
    CHECK(model_error({{"gmax_typo", 1}}) == "gmax_typo");
    CHECK(model_error({}, {{"mapping", "exp"}}) == "mapping");
    CHECK(model_error({}, {{"level", "bulk"}}) == "level");
    CHECK(model_error({{"gmin", 0.1e-6}, {"gmax", 40e-6}, {"qb", 10}, {"kch", 1}, {"dtod", 0.02}, {"ctoc", 0.01}},
                      {{"mapping", "log"}})
              .empty());

    CHECK(instance_error({{"g0", 60e-6}}) == "g0");
    CHECK(instance_error({{"g0", 1e-9}}) == "g0");
    CHECK(instance_error({{"x0", 1.5}}) == "x0");
    CHECK(instance_error({{"x0", 0.5}, {"g0", 30e-6}}) == "x0");
    CHECK(instance_error({{"w", 1e-6}}) == "w");
    CHECK(instance_error({{"g0", 50e-6}}).empty());
    try {
        const ModelCard m = ecram_model();
        DeviceHarness h(card("n2", {"g", "d"}, {}, {}, &m), {0, 1}, 2);
        FAIL("two nodes accepted");
    } catch (const DeviceError& e) {
        CHECK(std::string(e.what()).find("3 nodes") != std::string::npos);
    }
}

TEST_CASE("ECRAM: variability is a pure function of seed and instance name") {
    const ModelCard m = ecram_model({{"dtod", 0.05}, {"ctoc", 0.02}});
    const double nominal = Reference{}.rate(10, 0.5);
    auto factor = [&](const std::string& name, std::uint64_t seed) {
        DeviceHarness h = ecram(m, {}, name, seed);
        return rate(h, 10, 0.5) / nominal;
    };
    CHECK(factor("n1", 7) == factor("n1", 7));
    CHECK(factor("n1", 7) != factor("n2", 7));
    CHECK(factor("n1", 7) != factor("n1", 8));
    CHECK(factor("n.x1.n1", 7) != factor("n.x2.n1", 7));

    // Without variability the factor is exactly 1.
    DeviceHarness plain = ecram(ecram_model(), {}, "n1", 7);
    CHECK(rate(plain, 10, 0.5) == doctest::Approx(nominal).epsilon(1e-14));

    // Device-to-device factors over many names: mean 1, relative σ = dtod.
    const ModelCard dtod_only = ecram_model({{"dtod", 0.05}});
    double sum = 0, sum2 = 0;
    const int count = 2000;
    std::set<double> distinct;
    for (int k = 0; k < count; ++k) {
        std::string name = "n";  // built in two steps: GCC 12 warns falsely about "n" + to_string
        name += std::to_string(k);
        DeviceHarness h = ecram(dtod_only, {}, name, 1);
        const double f = rate(h, 10, 0.5) / nominal;
        sum += f;
        sum2 += f * f;
        distinct.insert(f);
    }
    const double mean = sum / count, sigma = std::sqrt(sum2 / count - mean * mean);
    CHECK(std::fabs(mean - 1) < 4 * 0.05 / std::sqrt(count));
    CHECK(sigma == doctest::Approx(0.05).epsilon(0.08));
    CHECK(distinct.size() == count);
}

TEST_CASE("ECRAM: cycle-to-cycle factors are drawn when a pulse starts and held through it") {
    const ModelCard m = ecram_model({{"ctoc", 0.05}});
    auto run = [&](std::uint64_t seed) {
        DeviceHarness h = ecram(m, {}, "n1", seed);
        std::vector<double> per_pulse;
        auto at = [&](double vg) {
            const std::vector<double> x = {vg, 0.1, 0, 0.5};
            h.accept(x, 0);
        };
        at(0);  // operating point
        CHECK(rate(h, 10, 0.5) == doctest::Approx(Reference{}.rate(10, 0.5)).epsilon(1e-14));
        for (int pulse = 0; pulse < 5; ++pulse) {
            at(0.1);
            at(5);  // rising edge crosses vtp = 3.5 V: new draw
            const double first = rate(h, 10, 0.5);
            at(10);
            at(10);
            CHECK(rate(h, 10, 0.5) == first);  // held during the pulse
            at(-1);                            // back to rest
            per_pulse.push_back(first);
        }
        // A depression pulse is a pulse too.
        at(-7);
        per_pulse.push_back(rate(h, 10, 0.5));
        return per_pulse;
    };
    const std::vector<double> a = run(3), b = run(3), c = run(4);
    CHECK(a == b);
    CHECK(a != c);
    CHECK(std::set<double>(a.begin(), a.end()).size() == a.size());
}

TEST_CASE("ECRAM (RK4 in the test): 180 potentiation then 180 depression pulses are nearly linear, ANL <= 0.25") {
    DeviceHarness h = ecram(ecram_model());
    const double gmin = 0.079e-6, gmax = 50e-6;
    auto g = [&](double s) { return gmin + (gmax - gmin) * s; };
    const int n = 180;
    double s = 0;
    std::vector<double> gp{g(s)}, gd;
    for (int k = 0; k < n; ++k) {
        s = integrate(h, s, 10, 2e-3, 1e-4);
        s = integrate(h, s, 0, 2e-3, 1e-3);  // rest between pulses: nothing moves
        gp.push_back(g(s));
    }
    gd.push_back(g(s));
    for (int k = 0; k < n; ++k) {
        s = integrate(h, s, -7, 2e-3, 1e-4);
        gd.push_back(g(s));
    }
    // Monotonic up, then down, and back close to the start.
    for (int k = 0; k < n; ++k) {
        CHECK(gp[static_cast<std::size_t>(k) + 1] > gp[static_cast<std::size_t>(k)]);
        CHECK(gd[static_cast<std::size_t>(k) + 1] < gd[static_cast<std::size_t>(k)]);
    }
    const double anl = std::fabs(gp[n / 2] - gd[n / 2]) / (gmax - gmin);
    MESSAGE("ANL = " << anl << ", G after 180 potentiation pulses = " << gp[n] << " S");
    CHECK(anl <= 0.25);
    // Nearly linear: the first half of the pulses does about half of the rise.
    CHECK((gp[n / 2] - gp[0]) / (gp[n] - gp[0]) == doctest::Approx(0.5).epsilon(0.2));
    CHECK(gp[n] > gmin + 0.8 * (gmax - gmin));
}

TEST_CASE("ECRAM (RK4 in the test): one PWM pulse of k*tp moves G as k pulses do, within 1 %") {
    DeviceHarness h = ecram(ecram_model());
    for (int k : {1, 5, 20, 60}) {
        for (double s_start : {0.1, 0.5}) {
            double separate = s_start;
            for (int i = 0; i < k; ++i) {
                separate = integrate(h, separate, 10, 2e-3, 5e-5);
                separate = integrate(h, separate, 0, 5e-3, 1e-3);
            }
            const double pwm = integrate(h, s_start, 10, k * 2e-3, 5e-5);
            CAPTURE(k);
            CAPTURE(s_start);
            CHECK(std::fabs(pwm - separate) <= 0.01 * std::fabs(separate - s_start));
        }
    }
}

TEST_CASE("ECRAM (RK4 in the test): 10^4 strong pulses keep the state inside [0, 1]") {
    DeviceHarness h = ecram(ecram_model());
    double s = 0.5, highest = s, lowest = s;
    // 12 V pulses are e^4 ≈ 55 times stronger than the calibration pulse.
    for (int k = 0; k < 10000; ++k) {
        s = integrate(h, s, 12, 2e-3, 2e-4);
        highest = std::max(highest, s);
    }
    CHECK(highest <= 1.0 + 1e-9);
    for (int k = 0; k < 10000; ++k) {
        s = integrate(h, s, -9, 2e-3, 2e-4);
        lowest = std::min(lowest, s);
    }
    CHECK(lowest >= -1e-9);
}

// ---- Through the transient analysis: the example netlists under netlists/devices/ ----

namespace {

solver::Plot run_tran(const std::string& text_or_file, bool is_file = true) {
    const parser::Deck deck =
        is_file ? parser::read_deck(
                      (std::filesystem::path(IONSPICE_SOURCE_DIR) / "netlists" / "devices" / text_or_file).string())
                : parser::parse_deck(text_or_file, "test.cir");
    solver::SimulationResult r = solver::simulate(deck);
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

TEST_CASE("ECRAM (.tran): 180 potentiation then 180 depression pulses, ANL <= 0.25") {
    const solver::Plot p = run_tran("ecram_potentiation_depression.cir");
    const double gmin = 0.079e-6, gmax = 50e-6;
    // Sample 1 ms after each pulse (pulse k occupies [4k, 4k + 2] ms of its train).
    std::vector<double> gp{at(p, "g(n1)", 0)}, gd;
    for (int k = 0; k < 180; ++k) gp.push_back(at(p, "g(n1)", k * 4e-3 + 3e-3));
    gd.push_back(gp.back());
    for (int k = 0; k < 180; ++k) gd.push_back(at(p, "g(n1)", 0.72 + k * 4e-3 + 3e-3));
    for (std::size_t k = 0; k < 180; ++k) {
        CHECK(gp[k + 1] > gp[k]);
        CHECK(gd[k + 1] < gd[k]);
    }
    const double anl = std::fabs(gp[90] - gd[90]) / (gmax - gmin);
    MESSAGE(".tran: ANL = " << anl << ", G after potentiation " << gp[180] << " S, after depression " << gd[180]
                            << " S");
    CHECK(anl <= 0.25);
    CHECK((gp[90] - gp[0]) / (gp[180] - gp[0]) == doctest::Approx(0.5).epsilon(0.2));
    CHECK(gp[180] > gmin + 0.8 * (gmax - gmin));
    CHECK(gd[180] < gmin + 0.05 * (gmax - gmin));
}

TEST_CASE("ECRAM (.tran): one 40 ms PWM pulse moves G as 20 pulses of 2 ms do, within 1 %") {
    const solver::Plot p = run_tran("ecram_pwm.cir");
    const double g0 = 0.079e-6, t_end = 0.1;
    const double ga = at(p, "g(na)", t_end), gb = at(p, "g(nb)", t_end);
    MESSAGE(".tran: PWM " << ga << " S, pulse train " << gb << " S");
    CHECK(gb > 2 * g0);
    CHECK(std::fabs(ga - gb) <= 0.01 * (gb - g0));
}

TEST_CASE("ECRAM (.tran): a 1 s read at 0.1 V, or at V_gc = 1.4 V, changes the state by less than 1e-4") {
    const solver::Plot p = run_tran("ecram_read_disturb.cir");
    CHECK(std::fabs(at(p, "x(n1)", 1.0) - 0.5) < 1e-4);
    CHECK(std::fabs(at(p, "x(n2)", 1.0) - 0.5) < 1e-4);
}

TEST_CASE("ECRAM (.tran): H-1E1T stages potentiate, hold when half-selected, and depress") {
    const solver::Plot p = run_tran("ecram_h1e1t.cir");
    // Pulse k occupies [10k, 10k + 5] ms; G before it is sampled 2 ms ahead of its start.
    // Stages of 20 pulses each: potentiation, remain, depression.
    std::vector<double> g;
    for (int k = 0; k <= 60; ++k) g.push_back(at(p, "g(n1)", k == 0 ? 0.0 : k * 10e-3 - 2e-3));
    auto step = [&](int k) { return g[static_cast<std::size_t>(k) + 1] - g[static_cast<std::size_t>(k)]; };
    const double potentiation = step(5);
    for (int k = 0; k < 20; ++k) CHECK(step(k) > 0);
    for (int k = 20; k < 40; ++k) CHECK(std::fabs(step(k)) < 0.01 * potentiation);
    for (int k = 40; k < 60; ++k) CHECK(step(k) < 0);
}

TEST_CASE("ECRAM (.tran): 10^4 strong pulses each way keep the state inside [0, 1]") {
    const solver::Plot p = run_tran(R"(10^4 pulses
.model wox ecram (gmin=0.079u gmax=50u)
Vpot g mid PULSE(0 12 0 10u 10u 2m 4m 10000)
Vdep mid 0 PULSE(0 -9 40 10u 10u 2m 4m 10000)
N1 g 0 0 wox x0=0.5
.tran 4m 80
.end
)",
                                    false);
    const int x = p.find("x(n1)");
    REQUIRE(x >= 0);
    double highest = -1, lowest = 2;
    for (std::size_t k = 0; k < p.points(); ++k) {
        highest = std::max(highest, p.at(k, static_cast<std::size_t>(x)));
        lowest = std::min(lowest, p.at(k, static_cast<std::size_t>(x)));
    }
    MESSAGE(".tran: " << p.points() << " points, state within [" << lowest << ", " << highest << "]");
    CHECK(highest <= 1.0 + 1e-6);
    CHECK(highest > 0.99);
    CHECK(lowest >= -1e-6);
    CHECK(lowest < 0.01);
}

TEST_CASE("ECRAM (.tran): variability follows .options seed and the instance names") {
    auto run = [](int seed) {
        const std::string text = "variability\n.options seed=" + std::to_string(seed) +
                                 "\n.model wox ecram (dtod=0.023 ctoc=0.008 vp=5 vd=5 tp=0.1 td=0.1 nsteps=200 "
                                 "vtp=3.5 vtd=3.5)\n"
                                 "Vg g 0 PULSE(0 5 0 100u 100u 100m 200m 5)\n"
                                 "N1 g 0 0 wox x0=0.3\nN2 g 0 0 wox x0=0.3\n.tran 10m 1\n.end\n";
        const solver::Plot p = run_tran(text, false);
        return std::array<double, 2>{at(p, "x(n1)", 1.0), at(p, "x(n2)", 1.0)};
    };
    const auto a = run(1), b = run(1), c = run(2);
    MESSAGE(".tran: after 5 pulses x(n1) = " << a[0] << ", x(n2) = " << a[1]);
    CHECK(a == b);
    CHECK(a[0] != a[1]);
    CHECK(a != c);
    // 5 pulses of 1/200 each, within a few σ of the nominal 0.025 step.
    CHECK(a[0] - 0.3 == doctest::Approx(0.025).epsilon(0.15));
}

TEST_CASE("ECRAM (.tran): .options devseed keeps the device-to-device draws while seed changes the pulses'") {
    // x(n1) after 5 pulses, with the model's variability `params` and the options given.
    auto run = [](const std::string& params, const std::string& options) {
        const std::string text = "devseed\n.options " + options + "\n.model wox ecram (" + params +
                                 " vp=5 vd=5 tp=0.1 td=0.1 nsteps=200 vtp=3.5 vtd=3.5)\n"
                                 "Vg g 0 PULSE(0 5 0 100u 100u 100m 200m 5)\n"
                                 "N1 g 0 0 wox x0=0.3\n.tran 10m 1\n.end\n";
        return at(run_tran(text, false), "x(n1)", 1.0);
    };
    const std::string dtod = "dtod=0.05", ctoc = "ctoc=0.05", both = "dtod=0.05 ctoc=0.05";
    // One chip (devseed 5) in two runs: the same device factor, whatever the run's seed.
    CHECK(run(dtod, "seed=1 devseed=5") == run(dtod, "seed=2 devseed=5"));
    CHECK(run(dtod, "seed=1 devseed=5") != run(dtod, "seed=1 devseed=6"));
    // The pulses' factors follow seed alone.
    CHECK(run(ctoc, "seed=1 devseed=5") != run(ctoc, "seed=2 devseed=5"));
    CHECK(run(ctoc, "seed=1 devseed=5") == run(ctoc, "seed=1 devseed=6"));
    // Without devseed both come from seed, as before the option existed.
    CHECK(run(both, "seed=3") == run(both, "seed=3 devseed=3"));
    CHECK(run(both, "seed=3") != run(both, "seed=3 devseed=4"));
}

TEST_CASE("ECRAM (.tran): matches the behavioural ngspice netlist of the same equations within 1e-3") {
    // ngspice 39.3 on netlists/devices/ngspice_ecram_behavioural.cir (v(xs), linearly interpolated
    // from its ASCII raw file at these times, all in the rests between pulses where s is constant):
    // t = 0, 3 ms + 4 ms·k (k < 20), 83 ms + 4 ms·k (k < 20).
    const std::vector<double> ngspice = {
        0.2,          0.2050820207, 0.2101627582, 0.2152429736, 0.2203226662, 0.2254018353, 0.23048048,
        0.2355585994, 0.2406361924, 0.2457132576, 0.2507897936, 0.2558657988, 0.2609412713, 0.2660162089,
        0.2710906092, 0.2761644696, 0.2812377871, 0.2863105583, 0.2913827794, 0.2964544462, 0.3015255541,
        0.2957403469, 0.2899802041, 0.2842464325, 0.2785403832, 0.2728634506, 0.2672170716, 0.2616027247,
        0.2560219283, 0.2504762389, 0.2449672497, 0.2394965878, 0.2340659119, 0.2286769094, 0.2233312933,
        0.2180307985, 0.2127771783, 0.2075722001, 0.202417641,  0.1973152832, 0.1922669093};
    const solver::Plot p = run_tran(R"(ECRAM pulses, built-in model
.model wox ecram (gmin=0.079u gmax=50u vp=10 tp=2m vd=7 td=2m nsteps=180 ggate=0)
Vpot g mid PULSE(0 10 0 10u 10u 2m 4m 20)
Vdep mid 0 PULSE(0 -7 0.08 10u 10u 2m 4m 20)
Vread d 0 0.1
N1 g d 0 wox x0=0.2
.options reltol=1e-6 abstol=1e-15 vntol=1e-9 chgtol=1e-18
.tran 0.1m 0.16 0 10u
.end
)",
                                    false);
    std::vector<double> times{0};
    for (int k = 0; k < 20; ++k) times.push_back(3e-3 + 4e-3 * k);
    for (int k = 0; k < 20; ++k) times.push_back(83e-3 + 4e-3 * k);
    double worst = 0;
    for (std::size_t k = 0; k < times.size(); ++k)
        worst = std::max(worst, std::fabs(at(p, "x(n1)", times[k]) - ngspice[k]));
    MESSAGE(".tran vs ngspice behavioural: worst |x - x_ngspice| = " << worst);
    CHECK(worst < 1e-3 * 0.3);
}

TEST_CASE("ECRAM (.tran): with relaxation the volatile part of a pulse's update decays as e^(-t/trelax)") {
    const std::string body =
        "Vg g 0 PULSE(0 10 1m 1u 1u 2m 1)\nVd d 0 0.1\nN1 g d 0 wox g0=10u\n.tran 0.1m 30m 0 20u\n.end\n";
    const solver::Plot p = run_tran(
        "relaxation\n.model wox ecram (frelax=0.3 trelax=5m)\n" + body, false);
    // After the pulse (it ends at 3.002 ms) nothing drives the states: the volatile one decays
    // by itself, the kept one stays, and G returns to G(s) of the kept state.
    const double t0 = 4e-3, sv0 = at(p, "x(n1#volatile)", t0), s_kept = at(p, "x(n1)", t0);
    CHECK(sv0 > 5e-4);  // one pulse moves the state by about 1/180, 30 % of it volatile
    for (double dt : {2e-3, 5e-3, 10e-3, 20e-3}) {
        INFO("t = " << t0 + dt);
        CHECK(at(p, "x(n1#volatile)", t0 + dt) == doctest::Approx(sv0 * std::exp(-dt / 5e-3)).epsilon(0.01));
        CHECK(at(p, "x(n1)", t0 + dt) == doctest::Approx(s_kept).epsilon(1e-9));
    }
    const double gmin = 0.079e-6, gmax = 50e-6;
    CHECK(at(p, "g(n1)", t0) == doctest::Approx(gmin + (gmax - gmin) * (s_kept + sv0)).epsilon(1e-9));
    CHECK(at(p, "g(n1)", 30e-3) == doctest::Approx(gmin + (gmax - gmin) * s_kept).epsilon(2e-3));
    // Each update is split 70:30; the volatile share decays during the 2 ms pulse already, so
    // what is left of it at the pulse's end is a little under 0.3/0.7 of the kept increase.
    const double kept_increase = s_kept - (10e-6 - gmin) / (gmax - gmin);
    const double end = at(p, "x(n1#volatile)", 3.002e-3);
    CHECK(end < 0.3 / 0.7 * kept_increase);
    CHECK(end > 0.7 * 0.3 / 0.7 * kept_increase);

    // Off (frelax = 0, the default) the model is the one-state model, point for point.
    const solver::Plot off = run_tran("no relaxation\n.model wox ecram (frelax=0)\n" + body, false);
    const solver::Plot plain = run_tran("plain\n.model wox ecram\n" + body, false);
    CHECK(off.find("x(n1#volatile)") < 0);
    REQUIRE(off.points() == plain.points());
    REQUIRE(off.values.size() == plain.values.size());
    CHECK(off.values == plain.values);
}

TEST_CASE("ECRAM (.tran): read noise scales the channel current by 1 + n(t) with the density it is given") {
    // A 0.1 V read of 25 µS for 20 ms, the read noise sampled every 10 µs: 2000 samples of a
    // white process whose one-sided density is rnw² relative, so each sample's relative
    // deviation is rnw/√(2·rnt) = 1e-3·/√(2e-5) = 0.2236.
    const std::string model = ".model wox ecram (rnw=1e-3 rnt=10u)\n";
    const std::string body = "Vd d 0 0.1\nN1 0 d 0 wox g0=25u\n.tran 10u 20m\n.end\n";
    const solver::Plot p = run_tran("read noise\n" + model + body, false);
    const int iv = p.find("i(vd)");
    REQUIRE(iv >= 0);
    const double mean_i = -25e-6 * 0.1;  // current into the source's + terminal
    double sum = 0, sum2 = 0;
    int count = 0;
    for (int k = 1; k <= 2000; ++k) {
        const double n = at(p, "i(vd)", k * 10e-6) / mean_i - 1;
        sum += n, sum2 += n * n, ++count;
    }
    const double mean = sum / count, sd = std::sqrt(sum2 / count - mean * mean);
    MESSAGE("read noise: mean " << mean << ", deviation " << sd << " (expected 0, 0.2236)");
    CHECK(std::fabs(mean) < 0.02);                                     // 4 standard errors
    CHECK(sd == doctest::Approx(1e-3 / std::sqrt(2 * 10e-6)).epsilon(0.05));
    // The state does not see it, g(n1) is the noiseless conductance, and the draws are a
    // function of the seed and the instance name: the same run twice gives the same waveform.
    CHECK(at(p, "g(n1)", 0.01) == doctest::Approx(25e-6).epsilon(1e-9));
    const solver::Plot again = run_tran("read noise again\n" + model + body, false);
    CHECK(again.values == p.values);
    const solver::Plot other = run_tran("another seed\n.options seed=7\n" + model + body, false);
    CHECK(other.values != p.values);
}
