// MOSFET level 44 (smooth all-region, EKV-style): closed forms below and above threshold,
// subthreshold slope, continuity of gm across threshold, drain–source symmetry, PMOS mirror,
// Jacobians against finite differences, limiting, parameter errors.

#include <doctest/doctest.h>

#include <cmath>

#include "models/Limiting.hpp"
#include "models/Physics.hpp"
#include "tests/DeviceHarness.hpp"

using namespace ionspice;
using namespace ionspice::test;
using models::DeviceError;
using models::ModelCard;

namespace {

const double kUt = models::physics::thermal_voltage(300.15);  // 27 °C

/// Terminals d, g, s, b at unknowns 0..3.
DeviceHarness mosfet(const ModelCard& m, std::map<std::string, double> params = {{"w", 2e-6}, {"l", 1e-6}}) {
    return DeviceHarness(card("m1", {"d", "g", "s", "b"}, {}, std::move(params), &m), {0, 1, 2, 3}, 4);
}

const ModelCard kNmos{"nek", "nmos", {{"level", 44}}, {}};
const ModelCard kPmos{"pek", "pmos", {{"level", 44}}, {}};

/// Drain current (into the drain) at the given terminal voltages, without gmin.
double drain_current(DeviceHarness& h, double vd, double vg, double vs, double vb) {
    models::LoadContext ctx;
    ctx.gmin = 0;
    return h.settle({vd, vg, vs, vb}, ctx).f[0];
}

/// The model's closed form (defaults, W/L = 2), n-channel, for cross-checking the code.
double closed_form(double vd, double vg, double vs, double vb) {
    const double n = 1.3, vto = 0.45, kp = 200e-6, lambda = 0.05, wl = 2;
    auto F = [](double v) {
        const double sp = std::log1p(std::exp(v / 2));
        return sp * sp;
    };
    const double vp = (vg - vb - vto) / n;
    const double ispec = 2 * n * kp * wl * kUt * kUt;
    const double vds = vd - vs;
    return ispec * (F((vp - (vs - vb)) / kUt) - F((vp - (vd - vb)) / kUt)) * (1 + lambda * std::fabs(vds));
}

}  // namespace

TEST_CASE("EKV: registered as level 44 and evaluates the documented equations") {
    DeviceHarness h = mosfet(kNmos);
    for (const auto& bias :
         {std::array{0.1, 0.3, 0.0, 0.0}, std::array{1.0, 1.2, 0.0, 0.0}, std::array{0.5, 2.0, 0.2, -0.5},
          std::array{-0.4, 1.0, 0.3, 0.0}, std::array{1.5, 0.0, 0.0, 0.0}}) {
        // Plain variables: doctest's CAPTURE is a lambda, and clang 14 cannot capture bindings.
        const double vd = bias[0], vg = bias[1], vs = bias[2], vb = bias[3];
        CAPTURE(vd);
        CAPTURE(vg);
        const double i = drain_current(h, vd, vg, vs, vb);
        // Only the |V_DS| smoothing (ε = 0.1 mV) separates the code from the closed form.
        CHECK(i == doctest::Approx(closed_form(vd, vg, vs, vb)).epsilon(1e-5));
    }
}

TEST_CASE("EKV: below threshold I = I_spec·e^((V_P−V_S)/U_T)·(1 − e^(−V_DS/U_T))") {
    DeviceHarness h = mosfet(kNmos);
    const double n = 1.3, vto = 0.45, ispec = 2 * n * 200e-6 * 2 * kUt * kUt;
    for (double vgs : {-0.2, -0.1, 0.0}) {
        for (double vds : {0.01, 0.03, 0.1, 0.5}) {
            CAPTURE(vgs);
            CAPTURE(vds);
            const double vp = (vgs - vto) / n;
            const double expected = ispec * std::exp(vp / kUt) * (1 - std::exp(-vds / kUt)) * (1 + 0.05 * vds);
            // F(v) = e^v·(1 − O(e^(v/2))): within e^((V_P)/(2·U_T)) ≈ 0.2 % at V_GS = 0.
            CHECK(drain_current(h, vds, vgs, 0, 0) == doctest::Approx(expected).epsilon(3e-3));
        }
    }
}

TEST_CASE("EKV: subthreshold slope is N·U_T·ln10 per decade") {
    for (double n : {1.0, 1.3, 1.6}) {
        const ModelCard m{"nek", "nmos", {{"level", 44}, {"n", n}}, {}};
        DeviceHarness h = mosfet(m);
        const double i1 = drain_current(h, 0.5, -0.1, 0, 0);
        const double i2 = drain_current(h, 0.5, 0.0, 0, 0);
        const double slope = 0.1 / std::log10(i2 / i1);  // V per decade
        CAPTURE(n);
        CHECK(slope == doctest::Approx(n * kUt * std::log(10.0)).epsilon(2e-3));
    }
}

TEST_CASE("EKV: linear region above threshold gives KP(W/L)(V_GS − VTO − N·V_DS/2)·V_DS") {
    DeviceHarness h = mosfet(kNmos);
    const double kp = 200e-6, wl = 2, vto = 0.45, n = 1.3;
    for (double vgs : {1.0, 1.45, 2.0}) {
        for (double vds : {0.01, 0.05, -0.01}) {
            CAPTURE(vgs);
            CAPTURE(vds);
            const double i = drain_current(h, vds, vgs, 0, 0);
            // With the source at the bulk, for either sign of V_DS.
            const double expected = kp * wl * (vgs - vto - n * vds / 2) * vds * (1 + 0.05 * std::fabs(vds));
            CHECK(i == doctest::Approx(expected).epsilon(0.01));
            // And the plain linear-region law within a few per cent.
            CHECK(i == doctest::Approx(kp * wl * (vgs - vto) * vds).epsilon(0.05));
        }
    }
}

TEST_CASE("EKV: swapping drain and source negates the current") {
    DeviceHarness h = mosfet(kNmos);
    for (auto [va, vb_, vg, vbulk] : {std::array{0.3, 0.1, 1.0, 0.0}, std::array{1.2, 0.2, 0.8, -0.3},
                                      std::array{0.05, 0.0, 0.2, 0.0}, std::array{2.0, 1.0, 3.0, 0.0}}) {
        const double i_ab = drain_current(h, va, vg, vb_, vbulk);
        const double i_ba = drain_current(h, vb_, vg, va, vbulk);
        CHECK(i_ba == doctest::Approx(-i_ab).epsilon(1e-12));
    }
}

TEST_CASE("EKV: PMOS is the NMOS with every voltage and current negated") {
    DeviceHarness hn = mosfet(kNmos);
    DeviceHarness hp = mosfet(kPmos);
    for (auto [vd, vg, vs, vb] : {std::array{0.1, 0.3, 0.0, 0.0}, std::array{1.0, 1.2, 0.0, 0.0},
                                  std::array{0.5, 2.0, 0.2, -0.5}, std::array{-0.4, 1.0, 0.3, 0.0}}) {
        CHECK(drain_current(hp, -vd, -vg, -vs, -vb) ==
              doctest::Approx(-drain_current(hn, vd, vg, vs, vb)).epsilon(1e-12));
    }
}

TEST_CASE("EKV: gm is continuous across threshold") {
    DeviceHarness h = mosfet(kNmos);
    const double vds = 0.5;
    auto gm_stamped = [&](double vgs) { return h.settle({vds, vgs, 0, 0}).Jf(0, 1); };
    auto gm_numeric = [&](double vgs) {
        const double dv = 1e-6;
        return (drain_current(h, vds, vgs + dv, 0, 0) - drain_current(h, vds, vgs - dv, 0, 0)) / (2 * dv);
    };
    const double vto = 0.45;
    for (double delta : {1e-3, 1e-4, 1e-5}) {
        const double below = gm_numeric(vto - delta), above = gm_numeric(vto + delta);
        CAPTURE(delta);
        // A jump would leave a finite gap as delta → 0; a continuous gm closes it in proportion.
        // gm itself grows as e^(V_GS/(N·U_T)) there, so the gap may be up to 2·delta/(N·U_T).
        CHECK(std::fabs(above - below) / above < 2 * delta / (1.3 * kUt) * 1.5);
        CHECK(gm_stamped(vto - delta) == doctest::Approx(below).epsilon(1e-6));
        CHECK(gm_stamped(vto + delta) == doctest::Approx(above).epsilon(1e-6));
    }
    // The same for the output conductance through V_DS = 0.
    auto gds = [&](double v) { return h.settle({v, 1.0, 0, 0}).Jf(0, 0); };
    CHECK(gds(-1e-6) == doctest::Approx(gds(1e-6)).epsilon(1e-4));
}

TEST_CASE("EKV: Jacobians match finite differences from deep subthreshold to strong inversion") {
    const ModelCard mn{"nek", "nmos", {{"level", 44}, {"cgso", 3e-10}, {"cgdo", 2e-10}, {"lambda", 0.1}}, {}};
    const ModelCard mp{"pek", "pmos", {{"level", 44}, {"vto", -0.5}, {"kp", 80e-6}, {"n", 1.4}, {"cgso", 1e-10}}, {}};
    const std::vector<std::array<double, 4>> points = {
        {0.5, -0.3, 0, 0},                                        // deep subthreshold
        {0.05, 0.2, 0, 0},                                        // weak inversion, small vds
        {0.5, 0.45, 0, 0},                                        // at threshold
        {0.05, 1.5, 0, 0},                                        // linear region
        {2.0, 1.5, 0, 0},                                         // saturation
        {1.0, 1.2, 0.3, -0.5},                                    // body bias
        {-0.5, 1.0, 0.2, 0},                                      // reverse
        {-2.0, 1.0, 0, 0},                                        // reverse saturation
        {1e-5, 1.0, 0, 0},                                        // through vds = 0
        {-1e-5, 1.0, 0, 0},    {0, 1.0, 0, 0}, {3.0, 3.0, 0, 0},  // strong inversion
    };
    for (const ModelCard* m : {&mn, &mp}) {
        DeviceHarness h = mosfet(*m);
        const double sign = m->type == "pmos" ? -1 : 1;
        for (const auto& p : points) {
            const std::vector<double> x = {sign * p[0], sign * p[1], sign * p[2], sign * p[3]};
            CAPTURE(m->type);
            CAPTURE(x[0]);
            CAPTURE(x[1]);
            CAPTURE(x[2]);
            CAPTURE(x[3]);
            const JacobianCheck c = check_jacobian(h, x, 1e-7, 1e-18);
            CHECK(c.worst_f < 1e-5);
            CHECK(c.worst_q < 1e-6);
        }
    }
}

TEST_CASE("EKV: GMIN sits across drain and source") {
    DeviceHarness h = mosfet(kNmos);
    models::LoadContext ctx;
    ctx.gmin = 1e-9;
    // Deep off and vds = 1 V: the channel carries ~1e-17 A, gmin 1 nA.
    const Loaded l = h.settle({1.0, -1.0, 0, 0}, ctx);
    CHECK(l.f[0] == doctest::Approx(1e-9).epsilon(1e-6));
    CHECK(l.f[2] == doctest::Approx(-1e-9).epsilon(1e-6));
    CHECK(l.Jf(0, 0) == doctest::Approx(1e-9).epsilon(1e-6));
}

TEST_CASE("EKV: a large gate step is limited and linearised at the limited point") {
    DeviceHarness h = mosfet(kNmos);
    h.settle({1.0, 0.2, 0, 0});
    const Loaded l = h.load({1.0, 5.0, 0, 0});
    CHECK(l.noncon == 1);
    // From V_GS = 0.2 (off) fetlim stops at VTO + 0.5; V_GD = 4 is kept, so V_DS would be −3.05,
    // which limvds raises to −0.5 coming from 1 V.
    const models::Limited lg = models::fetlim(5.0, 0.2, 0.45);
    REQUIRE(lg.limited);
    const models::Limited ld = models::limvds(lg.v - 4.0, 1.0);
    CHECK(ld.v == doctest::Approx(-0.5));
    DeviceHarness ref = mosfet(kNmos);
    const std::vector<double> xlim = {ld.v, lg.v, 0, 0};
    const Loaded at = ref.settle(xlim);
    CHECK(l.f[0] == doctest::Approx(at.f[0] + at.Jf(0, 1) * (5.0 - lg.v) + at.Jf(0, 0) * (1.0 - ld.v)).epsilon(1e-12));
    CHECK(l.Jf(0, 1) == doctest::Approx(at.Jf(0, 1)).epsilon(1e-12));
    // And the first iteration starts at the threshold with no drain bias.
    models::LoadContext init;
    init.init_junctions = true;
    DeviceHarness fresh = mosfet(kNmos);
    const Loaded first = fresh.load({2.0, 3.0, 0, 0}, init);
    CHECK(first.noncon == 1);
}

TEST_CASE("EKV: unknown and out-of-range parameters are errors that name them") {
    auto model_error = [](std::map<std::string, double> params) -> std::string {
        params["level"] = 44;
        const ModelCard bad{"bad", "nmos", std::move(params), {}};
        try {
            DeviceHarness h = mosfet(bad);
        } catch (const DeviceError& e) {
            CHECK(e.where() == DeviceError::Where::Model);
            CHECK(std::string(e.what()).find("bad") != std::string::npos);
            return e.param();
        }
        return "";
    };
    // An ngspice EKV 2.6 deck fails loudly rather than running without its body effect.
    CHECK(model_error({{"gamma", 0.5}}) == "gamma");
    CHECK(model_error({{"phi", 0.7}}) == "phi");
    CHECK(model_error({{"ucrit", 2e6}}) == "ucrit");
    CHECK(model_error({{"kp", 0}}) == "kp");
    CHECK(model_error({{"n", -1}}) == "n");
    CHECK(model_error({{"lambda", -0.1}}) == "lambda");
    CHECK(model_error({{"vto", 0.3}, {"kp", 1e-4}, {"n", 1.5}, {"lambda", 0}, {"cgso", 1e-10}}).empty());

    auto instance_error = [](std::map<std::string, double> params) -> std::string {
        try {
            DeviceHarness h = mosfet(kNmos, std::move(params));
        } catch (const DeviceError& e) {
            CHECK(e.where() == DeviceError::Where::Instance);
            return e.param();
        }
        return "";
    };
    CHECK(instance_error({{"w", -1e-6}}) == "w");
    CHECK(instance_error({{"l", 0}}) == "l");
    CHECK(instance_error({{"ad", 1e-12}}) == "ad");
    CHECK(instance_error({{"w", 1e-6}, {"l", 1e-6}, {"m", 2}, {"temp", 50}}).empty());
}
