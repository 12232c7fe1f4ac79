// Device noise generators at an operating point: each family's densities against closed forms
// written out here (resistor 4kT/R; diode 2q·|Id| and 4kT/RS; MOS1 4kT·(2/3)·gm with gm from
// finite differences of the loaded drain current, its series resistances and its flicker forms;
// the smooth MOSFET; ECRAM and memristors as resistors at their state), the nodes each generator
// sits between, the 1/f slopes, and that nothing flickers unless kf is given.

#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "tests/DeviceHarness.hpp"

using namespace ionspice;
using namespace ionspice::test;
using models::ModelCard;
using models::NoiseSource;

namespace {

// ngspice's const.h (CODATA 2014), written out rather than taken from models/Physics.hpp so that a
// change of the constants there shows here.
constexpr double kBoltz = 1.38064852e-23;  // J/K
constexpr double kQ = 1.6021766208e-19;    // C
constexpr double kT27 = 300.15;            // K
constexpr double kGmin = 1e-12;            // S, LoadContext's default
constexpr double kEps0 = 8.854214871e-12;  // F/m, ngspice's MOS ε0

bool close(double a, double b, double rel) { return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)); }

std::vector<NoiseSource> noise_at(DeviceHarness& h, const std::vector<double>& x) {
    std::vector<NoiseSource> out;
    h.device().noise(x.data(), out);
    return out;
}

std::optional<NoiseSource> find(const std::vector<NoiseSource>& sources, const std::string& name) {
    for (const NoiseSource& s : sources)
        if (s.name == name) return s;
    return std::nullopt;
}

/// The generator called `name`, failing the test when there is none.
NoiseSource generator(const std::vector<NoiseSource>& sources, const std::string& name) {
    const std::optional<NoiseSource> s = find(sources, name);
    INFO("generator ", name);
    REQUIRE(s.has_value());
    return *s;
}

/// d ln S / d ln f of a density between two frequencies.
double log_slope(const NoiseSource& s, double f1, double f2) {
    return std::log(s.density(f2) / s.density(f1)) / std::log(f2 / f1);
}

std::vector<std::string> names(const std::vector<NoiseSource>& sources) {
    std::vector<std::string> out;
    for (const NoiseSource& s : sources) out.push_back(s.name);
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Resistor

TEST_CASE("noise: a resistor is a thermal current generator 4kT/R between its nodes") {
    DeviceHarness h(card("r1", {"a", "b"}, {1e3}), {0, 1}, 2);
    const std::vector<NoiseSource> n = noise_at(h, {0.3, -0.2});
    CHECK(names(n) == std::vector<std::string>{"thermal", "1overf"});
    const NoiseSource th = generator(n, "thermal");
    CHECK(th.plus == 0);
    CHECK(th.minus == 1);
    CHECK(close(th.white, 4 * kBoltz * kT27 / 1e3, 1e-14));
    CHECK(th.flicker == 0);
    CHECK(close(th.density(1), th.density(1e9), 1e-15));  // white
    // Without a .model card there is no flicker noise: the generator ngspice names is zero.
    const NoiseSource fl = generator(n, "1overf");
    CHECK(fl.density(10) == 0);
}

TEST_CASE("noise: the resistor's conductance and temperature set its thermal noise") {
    SUBCASE("m resistors in parallel, grounded terminal") {
        DeviceHarness h(card("r1", {"a", "0"}, {2e3}, {{"m", 4}}), {0, kGround}, 1);
        const NoiseSource th = generator(noise_at(h, {1}), "thermal");
        CHECK(th.minus == kGround);
        CHECK(close(th.white, 4 * kBoltz * kT27 * 4 / 2e3, 1e-14));
    }
    SUBCASE("dtemp and tc1: T and R(T) are the device's") {
        DeviceHarness h(card("r1", {"a", "b"}, {1e3}, {{"dtemp", 50}, {"tc1", 2e-3}}), {0, 1}, 2);
        const double r = 1e3 * (1 + 2e-3 * 50);
        CHECK(close(generator(noise_at(h, {0, 0}), "thermal").white, 4 * kBoltz * (kT27 + 50) / r, 1e-14));
    }
    SUBCASE("circuit temperature") {
        models::InstanceCard c = card("r1", {"a", "b"}, {1e3});
        c.temp = -40;
        DeviceHarness h(c, {0, 1}, 2);
        CHECK(close(generator(noise_at(h, {0, 0}), "thermal").white, 4 * kBoltz * 233.15 / 1e3, 1e-14));
    }
    SUBCASE("noisy=0 is noiseless") {
        DeviceHarness h(card("r1", {"a", "b"}, {1e3}, {{"noisy", 0}}), {0, 1}, 2);
        CHECK(noise_at(h, {0, 0}).empty());
    }
}

// ---------------------------------------------------------------------------------------------
// Diode

namespace {

/// Anode at unknown 0, cathode grounded; with RS an internal node 1, solved for at anode voltage v.
struct DiodeAt {
    std::vector<double> x;
    std::vector<NoiseSource> noise;
};

DiodeAt diode_at(DeviceHarness& h, double v, models::LoadContext ctx = {}) {
    std::vector<double> x(static_cast<std::size_t>(h.size()), v);
    if (h.size() > 1) x = h.solve_internal(x, 1);
    h.settle(x, ctx);
    return {x, noise_at(h, x)};
}

}  // namespace

TEST_CASE("noise: diode shot noise is 2q·|Id| of the junction current, gmin included") {
    const ModelCard m{"dm", "d", {{"is", 1e-14}, {"n", 1.2}}};
    DeviceHarness h(card("d1", {"a", "0"}, {}, {}, &m), {0, kGround}, 1);
    const double vte = 1.2 * kBoltz * kT27 / kQ;
    for (double v : {0.65, 0.3, 0.0, -0.01}) {
        CAPTURE(v);
        const DiodeAt d = diode_at(h, v);
        CHECK(names(d.noise) == std::vector<std::string>{"rs", "id", "1overf"});
        const NoiseSource shot = generator(d.noise, "id");
        CHECK(shot.plus == 0);
        CHECK(shot.minus == kGround);
        const double id = 1e-14 * (std::exp(v / vte) - 1) + kGmin * v;
        CHECK(close(shot.white, 2 * kQ * std::fabs(id), 1e-12));
        // No RS: its generator is zero; no KF: no flicker.
        CHECK(generator(d.noise, "rs").white == 0);
        CHECK(generator(d.noise, "1overf").density(1) == 0);
    }
    // Reverse bias, where the current is gmin's: the generator follows the gmin of the last load.
    models::LoadContext ctx;
    ctx.gmin = 1e-9;
    const DiodeAt d = diode_at(h, -2, ctx);
    const double a = 3 * vte / (-2 * std::exp(1.0));
    const double id = -1e-14 * (1 + a * a * a) - 2e-9;
    CHECK(close(generator(d.noise, "id").white, 2 * kQ * std::fabs(id), 1e-12));
}

TEST_CASE("noise: diode series resistance noise 4kT·area/RS sits between the anode and the internal node") {
    const ModelCard m{"dm", "d", {{"is", 1e-14}, {"rs", 10}}};
    DeviceHarness h(card("d1", {"a", "0"}, {2}, {{"dtemp", 30}}, &m), {0, kGround}, 1);
    REQUIRE(h.size() == 2);
    const DiodeAt d = diode_at(h, 0.7);
    const NoiseSource rs = generator(d.noise, "rs");
    CHECK(rs.plus == 1);
    CHECK(rs.minus == 0);
    CHECK(close(rs.white, 4 * kBoltz * (kT27 + 30) * 2 / 10, 1e-14));
    // The junction generators are across the junction: internal node to cathode, at its current,
    // which is the current through RS.
    const NoiseSource shot = generator(d.noise, "id");
    CHECK(shot.plus == 1);
    CHECK(shot.minus == kGround);
    const double i_rs = (d.x[0] - d.x[1]) * 2 / 10;
    CHECK(close(shot.white, 2 * kQ * i_rs, 1e-9));
}

TEST_CASE("noise: diode flicker noise m·KF·(|Id|/m)^AF/f") {
    const ModelCard m{"dm", "d", {{"is", 1e-14}, {"kf", 1e-16}, {"af", 1.3}}};
    DeviceHarness h(card("d1", {"a", "0"}, {}, {{"m", 3}}, &m), {0, kGround}, 1);
    const double v = 0.62;
    const DiodeAt d = diode_at(h, v);
    const double id = 3 * 1e-14 * (std::exp(v / (kBoltz * kT27 / kQ)) - 1) + kGmin * v;
    const NoiseSource fl = generator(d.noise, "1overf");
    CHECK(fl.plus == 0);
    CHECK(fl.minus == kGround);
    CHECK(fl.white == 0);
    CHECK(close(fl.density(1), 3 * 1e-16 * std::pow(id / 3, 1.3), 1e-12));
    CHECK(close(fl.density(1e3), 3 * 1e-16 * std::pow(id / 3, 1.3) / 1e3, 1e-12));
    CHECK(log_slope(fl, 10, 1e4) == doctest::Approx(-1).epsilon(1e-12));
    // The shot noise is unaffected by the multiplier's split.
    CHECK(close(generator(d.noise, "id").white, 2 * kQ * id, 1e-12));
}

// ---------------------------------------------------------------------------------------------
// MOSFET level 1

namespace {

/// Terminals d, g, s, b at unknowns 0..3; internal drain/source nodes after them.
DeviceHarness mos1(const ModelCard& m, std::map<std::string, double> params = {{"w", 10e-6}, {"l", 2e-6}}) {
    return DeviceHarness(card("m1", {"d", "g", "s", "b"}, {}, std::move(params), &m), {0, 1, 2, 3}, 4);
}

/// The current into the drain terminal at terminal voltages v (no series resistances).
double drain_current(DeviceHarness& h, std::vector<double> v) { return h.settle(v).f[0]; }

/// gm = ∂Id/∂Vg by central differences of the loaded drain current.
double gm_fd(DeviceHarness& h, std::vector<double> v, double step = 1e-5) {
    std::vector<double> up = v, down = v;
    up[1] += step;
    down[1] -= step;
    return (drain_current(h, up) - drain_current(h, down)) / (2 * step);
}

const ModelCard kNmos1{"mn", "nmos", {{"level", 1}, {"vto", 0.7}, {"kp", 110e-6}, {"gamma", 0.4}, {"phi", 0.65},
                                      {"lambda", 0.04}}};
const ModelCard kPmos1{"mp", "pmos", {{"level", 1}, {"vto", -0.8}, {"kp", 40e-6}, {"gamma", 0.5}, {"phi", 0.7},
                                      {"lambda", 0.06}}};

}  // namespace

TEST_CASE("noise: MOS1 channel thermal noise is 4kT·(2/3)·|gm| between drain and source") {
    struct Bias {
        const ModelCard* model;
        std::vector<double> v;  // d, g, s, b
        const char* what;
    };
    for (const Bias& b : {Bias{&kNmos1, {3, 1.5, 0, 0}, "nmos saturation"},
                          Bias{&kNmos1, {0.2, 2, 0, -1}, "nmos linear, body bias"},
                          Bias{&kNmos1, {0, 2, 1.2, 0}, "nmos reversed (vds < 0)"},
                          Bias{&kNmos1, {0.4, 1.8, 2.5, 0}, "nmos reversed, saturated"},
                          Bias{&kPmos1, {-3, -1.6, 0, 0}, "pmos saturation"},
                          Bias{&kPmos1, {-0.3, -2.5, 0, 0}, "pmos linear"},
                          Bias{&kPmos1, {0, -2.5, -0.3, 0}, "pmos reversed"}}) {
        CAPTURE(b.what);
        DeviceHarness h = mos1(*b.model);
        const double gm = std::fabs(gm_fd(h, b.v));
        REQUIRE(gm > 1e-6);
        const std::vector<NoiseSource> n = noise_at(h, b.v);
        CHECK(names(n) == std::vector<std::string>{"rd", "rs", "id", "1overf"});
        const NoiseSource ch = generator(n, "id");
        CHECK(ch.plus == 0);
        CHECK(ch.minus == 2);
        CHECK(close(ch.white, 4 * kBoltz * kT27 * 2.0 / 3.0 * gm, 1e-6));
        CHECK(generator(n, "rd").white == 0);
        CHECK(generator(n, "rs").white == 0);
        CHECK(generator(n, "1overf").density(1) == 0);
    }
    // Cut off: no channel noise.
    DeviceHarness h = mos1(kNmos1);
    CHECK(generator(noise_at(h, {2, 0.3, 0, 0}), "id").white == 0);
}

TEST_CASE("noise: MOS1 saturation thermal noise closed form, and the device temperature") {
    // Saturation, vbs = 0: gm = KP·W/Leff·(1 + λ·vds)·(vgs − VTO). KP scales as (T/Tnom)^−1.5 and
    // VTO moves with temperature, so the hot device is checked against its own finite difference.
    DeviceHarness h = mos1(kNmos1, {{"w", 10e-6}, {"l", 2e-6}});
    const double gm = 110e-6 * 5 * (1 + 0.04 * 3) * (1.5 - 0.7);
    CHECK(close(generator(noise_at(h, {3, 1.5, 0, 0}), "id").white, 4 * kBoltz * kT27 * 2.0 / 3.0 * gm, 1e-12));

    DeviceHarness hot = mos1(kNmos1, {{"w", 10e-6}, {"l", 2e-6}, {"dtemp", 60}});
    const double gm_hot = gm_fd(hot, {3, 1.5, 0, 0});
    CHECK(!close(gm_hot, gm, 1e-2));
    CHECK(close(generator(noise_at(hot, {3, 1.5, 0, 0}), "id").white, 4 * kBoltz * (kT27 + 60) * 2.0 / 3.0 * gm_hot,
                1e-6));
}

TEST_CASE("noise: MOS1 drain and source resistances are thermal generators at d–d' and s–s'") {
    SUBCASE("RD, RS and m") {
        const ModelCard m{"mn", "nmos", {{"level", 1}, {"vto", 0.7}, {"kp", 110e-6}, {"rd", 10}, {"rs", 20}}};
        DeviceHarness h = mos1(m, {{"w", 10e-6}, {"l", 2e-6}, {"m", 2}});
        REQUIRE(h.size() == 6);
        const std::vector<NoiseSource> n = noise_at(h, {1, 2, 0, 0, 0.99, 0.01});
        const NoiseSource rd = generator(n, "rd"), rs = generator(n, "rs"), ch = generator(n, "id");
        CHECK(rd.plus == 4);
        CHECK(rd.minus == 0);
        CHECK(rs.plus == 5);
        CHECK(rs.minus == 2);
        CHECK(ch.plus == 4);
        CHECK(ch.minus == 5);
        CHECK(close(rd.white, 4 * kBoltz * kT27 * 2 / 10, 1e-14));
        CHECK(close(rs.white, 4 * kBoltz * kT27 * 2 / 20, 1e-14));
        // The channel sees the internal nodes: linear region at vgs = 1.99, vds = 0.98.
        const double gm = 2 * 110e-6 * 5 * 0.98;
        CHECK(close(ch.white, 4 * kBoltz * kT27 * 2.0 / 3.0 * gm, 1e-12));
    }
    SUBCASE("RSH times NRD, NRS squares") {
        const ModelCard m{"mn", "nmos", {{"level", 1}, {"rsh", 5}}};
        DeviceHarness h = mos1(m, {{"nrd", 3}, {"nrs", 0.5}});
        REQUIRE(h.size() == 6);
        const std::vector<NoiseSource> n = noise_at(h, {1, 2, 0, 0, 1, 0});
        CHECK(close(generator(n, "rd").white, 4 * kBoltz * kT27 / 15, 1e-14));
        CHECK(close(generator(n, "rs").white, 4 * kBoltz * kT27 / 2.5, 1e-14));
    }
}

TEST_CASE("noise: MOS1 flicker noise follows ngspice's forms") {
    const double w = 10e-6, l = 2e-6, ld = 0.1e-6, leff = l - 2 * ld, tox = 20e-9;
    const double kf = 1e-24, af = 1.3, m = 2;
    const std::vector<double> v = {2.5, 1.6, 0, 0};
    auto model = [&](std::map<std::string, double> extra) {
        std::map<std::string, double> p{{"level", 1}, {"vto", 0.7}, {"kp", 110e-6}, {"lambda", 0.04},
                                        {"ld", ld},   {"kf", kf},   {"af", af}};
        p.insert(extra.begin(), extra.end());
        return ModelCard{"mn", "nmos", p};
    };
    const std::map<std::string, double> geometry{{"w", w}, {"l", l}, {"m", m}};
    const double cox = 3.9 * kEps0 / tox;

    SUBCASE("no NLEV: m·KF·(|Id|/m)^AF/(f·W·Leff·Cox²), and TOX = 1e-7 m when not given") {
        for (bool with_tox : {true, false}) {
            CAPTURE(with_tox);
            const ModelCard mc = with_tox ? model({{"tox", tox}}) : model({});
            DeviceHarness h = mos1(mc, geometry);
            const double id = drain_current(h, v);
            REQUIRE(id > 1e-5);
            const double c = with_tox ? cox : 3.9 * kEps0 / 1e-7;
            const NoiseSource fl = generator(noise_at(h, v), "1overf");
            CHECK(fl.plus == 0);
            CHECK(fl.minus == 2);
            CHECK(fl.white == 0);
            CHECK(fl.exponent == 1);
            const double expected = m * kf * std::pow(id / m, af) / (w * leff * c * c);
            CHECK(close(fl.density(1), expected, 1e-12));
            CHECK(log_slope(fl, 1, 1e5) == doctest::Approx(-1).epsilon(1e-12));
        }
    }
    SUBCASE("NLEV 0 and 1") {
        const ModelCard m0 = model({{"tox", tox}, {"nlev", 0}}), m1 = model({{"tox", tox}, {"nlev", 1}});
        DeviceHarness h0 = mos1(m0, geometry);
        DeviceHarness h1 = mos1(m1, geometry);
        const double id = drain_current(h0, v);
        CHECK(close(generator(noise_at(h0, v), "1overf").density(100),
                    m * kf * std::pow(id / m, af) / (100 * leff * leff * cox), 1e-12));
        CHECK(close(generator(noise_at(h1, v), "1overf").density(100),
                    m * kf * std::pow(id / m, af) / (100 * w * leff * cox), 1e-12));
    }
    SUBCASE("NLEV 2: KF·gm²/(m·f^AF·W·Leff·Cox)") {
        const ModelCard mc = model({{"tox", tox}, {"nlev", 2}});
        DeviceHarness h = mos1(mc, geometry);
        const double gm = gm_fd(h, v);
        const NoiseSource fl = generator(noise_at(h, v), "1overf");
        CHECK(fl.exponent == af);
        CHECK(close(fl.density(1), kf * gm * gm / (m * w * leff * cox), 1e-6));
        CHECK(log_slope(fl, 1, 1e5) == doctest::Approx(-af).epsilon(1e-12));
    }
    SUBCASE("the drain current includes the bulk–drain junction (forward biased here)") {
        const ModelCard mc = model({{"tox", tox}});
        DeviceHarness h = mos1(mc, geometry);
        const std::vector<double> vb = {-0.5, 1.6, 0, 0};  // reversed mode, bulk–drain junction at 0.5 V
        const double id = drain_current(h, vb);
        const double channel_only = id + (2 * 1e-14 * (std::exp(0.5 / (kBoltz * kT27 / kQ)) - 1) + kGmin * 0.5);
        CHECK(!close(id, channel_only, 1e-3));
        CHECK(close(generator(noise_at(h, vb), "1overf").density(1),
                    m * kf * std::pow(std::fabs(id) / m, af) / (w * leff * cox * cox), 1e-12));
    }
}

TEST_CASE("noise: MOS1 NLEV 3 channel noise 4kT·(2/3)·β·vgst·(1 + α + α²)/(1 + α)·GDSNOI") {
    const ModelCard m{"mn", "nmos", {{"level", 1}, {"vto", 0.7}, {"kp", 110e-6}, {"lambda", 0.1}, {"nlev", 3},
                                     {"gdsnoi", 1.5}}};
    DeviceHarness h = mos1(m);
    const double beta = 110e-6 * 5;  // KP·W/Leff, no channel-length modulation
    // Saturation: α = 0.
    CHECK(close(generator(noise_at(h, {3, 1.5, 0, 0}), "id").white,
                4 * kBoltz * kT27 * 2.0 / 3.0 * beta * 0.8 * 1.5, 1e-12));
    // Linear, vgst = 1.3, vds = 0.52: α = 0.6; and the same reversed.
    const double alpha = 0.6;
    const double expected =
        4 * kBoltz * kT27 * 2.0 / 3.0 * beta * 1.3 * (1 + alpha + alpha * alpha) / (1 + alpha) * 1.5;
    CHECK(close(generator(noise_at(h, {0.52, 2, 0, 0}), "id").white, expected, 1e-12));
    CHECK(close(generator(noise_at(h, {0, 2, 0.52, 0.52}), "id").white, expected, 1e-12));
    // Below threshold: none.
    CHECK(generator(noise_at(h, {1, 0.5, 0, 0}), "id").white == 0);
}

TEST_CASE("noise: MOS1 noise parameters are checked") {
    auto error = [](std::map<std::string, double> p) {
        p["level"] = 1;
        const ModelCard m{"bad", "nmos", p};
        try {
            mos1(m);
        } catch (const models::DeviceError& e) {
            return e.param();
        }
        return std::string();
    };
    CHECK(error({{"nlev", 4}}) == "nlev");
    CHECK(error({{"kf", -1}}) == "kf");
    CHECK(error({{"nlev", 2}, {"gdsnoi", 2}}).empty());
}

// ---------------------------------------------------------------------------------------------
// Smooth MOSFET (level 44)

TEST_CASE("noise: level 44 channel noise 4kT·(2/3)·|gm|, flicker only with KF") {
    const ModelCard plain{"nek", "nmos", {{"level", 44}}};
    const ModelCard flicker{"nek", "nmos", {{"level", 44}, {"kf", 1e-20}, {"af", 1.4}}};
    const ModelCard pmos{"pek", "pmos", {{"level", 44}}};
    struct Bias {
        const ModelCard* model;
        std::vector<double> v;
        const char* what;
    };
    for (const Bias& b : {Bias{&plain, {1, 1.2, 0, 0}, "strong inversion, saturation"},
                          Bias{&plain, {1, 0.2, 0, 0}, "weak inversion"}, Bias{&plain, {0.05, 1.2, 0, 0}, "linear"},
                          Bias{&plain, {0, 1.2, 0.6, 0}, "reversed"}, Bias{&pmos, {-1, -1.2, 0, 0}, "pmos"}}) {
        CAPTURE(b.what);
        DeviceHarness h(card("m1", {"d", "g", "s", "b"}, {}, {{"w", 2e-6}, {"l", 1e-6}}, b.model), {0, 1, 2, 3}, 4);
        const double gm = std::fabs(gm_fd(h, b.v, 1e-6));
        REQUIRE(gm > 0);
        const std::vector<NoiseSource> n = noise_at(h, b.v);
        CHECK(names(n) == std::vector<std::string>{"id"});
        const NoiseSource ch = generator(n, "id");
        CHECK(ch.plus == 0);
        CHECK(ch.minus == 2);
        CHECK(close(ch.white, 4 * kBoltz * kT27 * 2.0 / 3.0 * gm, 1e-6));
    }
    DeviceHarness h(card("m1", {"d", "g", "s", "b"}, {}, {{"w", 2e-6}, {"l", 1e-6}, {"m", 3}}, &flicker),
                    {0, 1, 2, 3}, 4);
    models::LoadContext no_gmin;
    no_gmin.gmin = 0;
    const std::vector<double> v = {1, 1.2, 0, 0};
    const double id = h.settle(v, no_gmin).f[0];
    const NoiseSource fl = generator(noise_at(h, v), "1overf");
    CHECK(close(fl.density(1), 3 * 1e-20 * std::pow(id / 3, 1.4), 1e-12));
    CHECK(log_slope(fl, 1, 1e6) == doctest::Approx(-1).epsilon(1e-12));
}

// ---------------------------------------------------------------------------------------------
// ECRAM and memristors

namespace {

DeviceHarness ecram(const ModelCard& m, std::map<std::string, double> params, double temp_c = 27) {
    models::InstanceCard c = card("n1", {"g", "d", "s"}, {}, std::move(params), &m);
    c.temp = temp_c;
    return DeviceHarness(c, {0, 1, 2}, 3);
}

DeviceHarness memristor(const ModelCard& m, std::map<std::string, double> params, double temp_c = 27) {
    models::InstanceCard c = card("n1", {"p", "n"}, {}, std::move(params), &m);
    c.temp = temp_c;
    return DeviceHarness(c, {0, 1}, 2);
}

}  // namespace

TEST_CASE("noise: ECRAM channel thermal noise 4kT·G(s) between drain and source, no flicker by default") {
    const ModelCard m{"ecmod", "ecram", {}, {}};
    DeviceHarness h = ecram(m, {{"g0", 30e-6}});
    // Gate, drain, source, state: the state is the one held in DC.
    const std::vector<double> x = {2, 0.1, 0, (30e-6 - 0.079e-6) / (50e-6 - 0.079e-6)};
    const std::vector<NoiseSource> n = noise_at(h, x);
    CHECK(names(n) == std::vector<std::string>{"thermal"});
    const NoiseSource th = generator(n, "thermal");
    CHECK(th.plus == 1);
    CHECK(th.minus == 2);
    CHECK(close(th.white, 4 * kBoltz * kT27 * 30e-6, 1e-12));
    // The conductance is the state's, whatever the bias.
    CHECK(close(generator(noise_at(h, {0, -1, 0.5, 1}), "thermal").white, 4 * kBoltz * kT27 * 50e-6, 1e-12));
    // Log mapping at s = 0.5: G = √(gmin·gmax); and the circuit temperature.
    const ModelCard lg{"ecmod", "ecram", {}, {{"mapping", "log"}}};
    DeviceHarness hl = ecram(lg, {}, 85);
    CHECK(close(generator(noise_at(hl, {0, 0, 0, 0.5}), "thermal").white,
                4 * kBoltz * (85 + 273.15) * std::sqrt(0.079e-6 * 50e-6), 1e-12));
}

TEST_CASE("noise: ECRAM flicker noise KF·|I_DS|^AF/f, AF = 2 by default") {
    const ModelCard m{"ecmod", "ecram", {{"kf", 1e-3}}, {}};
    DeviceHarness h = ecram(m, {});
    const std::vector<double> x = {1, 0.3, -0.1, 0.25};
    const double g = 0.079e-6 + (50e-6 - 0.079e-6) * 0.25;
    const NoiseSource fl = generator(noise_at(h, x), "1overf");
    CHECK(fl.plus == 1);
    CHECK(fl.minus == 2);
    CHECK(close(fl.density(1), 1e-3 * std::pow(g * 0.4, 2), 1e-12));
    CHECK(log_slope(fl, 1, 1e4) == doctest::Approx(-1).epsilon(1e-12));
    const ModelCard m15{"ecmod", "ecram", {{"kf", 1e-3}, {"af", 1.5}}, {}};
    DeviceHarness h15 = ecram(m15, {});
    CHECK(close(generator(noise_at(h15, x), "1overf").density(10), 1e-3 * std::pow(g * 0.4, 1.5) / 10, 1e-12));
}

TEST_CASE("noise: memristor thermal noise 4kT·dI/dV at its state and bias") {
    SUBCASE("bulk: G(s)·cosh(V/vnl), the small-signal conductance") {
        const ModelCard m{"mem", "memristor", {{"vnl", 0.8}}, {{"level", "bulk"}}};
        DeviceHarness h = memristor(m, {{"x0", 0.3}});
        const double g = 1 / 880.0 + (1 / 740.0 - 1 / 880.0) * 0.3;
        for (double v : {0.0, 0.5, -1.2}) {
            CAPTURE(v);
            const std::vector<NoiseSource> n = noise_at(h, {v, 0, 0.3});
            CHECK(names(n) == std::vector<std::string>{"thermal"});
            const NoiseSource th = generator(n, "thermal");
            CHECK(th.plus == 0);
            CHECK(th.minus == 1);
            CHECK(close(th.white, 4 * kBoltz * kT27 * g * std::cosh(v / 0.8), 1e-12));
            // and it is the slope of the loaded current
            const double dv = 1e-6;
            const double slope = (h.load({v + dv, 0, 0.3}).f[0] - h.load({v - dv, 0, 0.3}).f[0]) / (2 * dv);
            CHECK(close(th.white, 4 * kBoltz * kT27 * slope, 1e-7));
        }
    }
    SUBCASE("vteam: 1/R(s), at the circuit temperature") {
        const ModelCard m{"mem", "memristor", {}, {{"level", "vteam"}}};
        DeviceHarness h = memristor(m, {}, 0);
        const double r = 1e3 + (10e3 - 1e3) * 0.4;
        CHECK(close(generator(noise_at(h, {0.2, 0, 0.4}), "thermal").white, 4 * kBoltz * 273.15 / r, 1e-12));
    }
    SUBCASE("flicker with kf: KF·|I|^AF/f") {
        const ModelCard m{"mem", "memristor", {{"kf", 1e-9}}, {{"level", "rram"}}};
        DeviceHarness h = memristor(m, {});
        const double v = 0.4, s = 0.7;
        const double i = h.load({v, 0, s}).f[0];
        const double g = 1 / 300e3 + (1 / 4e3 - 1 / 300e3) * s;
        CHECK(close(i, g * 0.3 * std::sinh(v / 0.3), 1e-12));
        const NoiseSource fl = generator(noise_at(h, {v, 0, s}), "1overf");
        CHECK(close(fl.density(1), 1e-9 * i * i, 1e-12));
        CHECK(log_slope(fl, 1, 1e4) == doctest::Approx(-1).epsilon(1e-12));
    }
}

TEST_CASE("noise: ECRAM read noise I_DS²·(rnw² + rnf²/f^rnalpha) between drain and source") {
    const ModelCard m{"ecmod", "ecram", {{"rnw", 2e-4}, {"rnf", 3e-3}, {"rnalpha", 1.2}}, {}};
    DeviceHarness h = ecram(m, {});
    const std::vector<double> x = {1, 0.3, -0.1, 0.25};
    const double ids = (0.079e-6 + (50e-6 - 0.079e-6) * 0.25) * 0.4;
    const std::vector<NoiseSource> n = noise_at(h, x);
    CHECK(names(n) == std::vector<std::string>{"thermal", "read", "read1overf"});
    const NoiseSource w = generator(n, "read"), f = generator(n, "read1overf");
    CHECK(w.plus == 1);
    CHECK(f.minus == 2);
    CHECK(close(w.density(1e3), ids * ids * 4e-8, 1e-12));
    CHECK(close(f.density(10), ids * ids * 9e-6 / std::pow(10.0, 1.2), 1e-12));
    CHECK(log_slope(f, 1, 1e4) == doctest::Approx(-1.2).epsilon(1e-12));
    // With no current there is no read noise; off by default.
    CHECK(generator(noise_at(h, {1, 0, 0, 0.25}), "read").white == 0);
    const ModelCard plain{"ecmod", "ecram", {}, {}};
    DeviceHarness hp = ecram(plain, {});
    CHECK(names(noise_at(hp, x)) == std::vector<std::string>{"thermal"});
}

TEST_CASE("noise: a memristor's read noise I²·(rnw² + rnf²/f^rnalpha), as the ECRAM's") {
    const ModelCard m{"mem", "memristor", {{"rnw", 1e-4}, {"rnf", 2e-3}}, {{"level", "bulk"}}};
    DeviceHarness h = memristor(m, {{"x0", 0.3}});
    const std::vector<double> x = {0.2, 0, 0.3};
    const std::vector<NoiseSource> n = noise_at(h, x);
    CHECK(names(n) == std::vector<std::string>{"thermal", "read", "read1overf"});
    const NoiseSource th = generator(n, "thermal"), w = generator(n, "read"), f = generator(n, "read1overf");
    // The thermal generator is the one without read noise; the read ones scale with I².
    const ModelCard plain{"mem", "memristor", {}, {{"level", "bulk"}}};
    DeviceHarness hp = memristor(plain, {{"x0", 0.3}});
    CHECK(generator(noise_at(hp, x), "thermal").white == th.white);
    const double i = *h.device().quantity("i", x.data(), nullptr);
    CHECK(i > 0);
    CHECK(close(w.white, i * i * 1e-8, 1e-12));
    CHECK(close(f.density(100), i * i * 4e-6 / 100, 1e-12));
    CHECK(log_slope(f, 1, 1e4) == doctest::Approx(-1).epsilon(1e-12));
}
