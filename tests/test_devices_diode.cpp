// Diode: closed-form currents, agreement with ngspice-39, Jacobians against finite differences,
// Newton limiting, parameter errors.

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "models/Limiting.hpp"
#include "models/Physics.hpp"
#include "tests/DeviceHarness.hpp"

using namespace ionspice;
using namespace ionspice::test;
using models::DeviceError;
using models::ModelCard;

namespace {

const double kVt = models::physics::thermal_voltage(300.15);
constexpr double kGmin = 1e-12;

ModelCard diode_model(std::string name, std::map<std::string, double> params) {
    return ModelCard{std::move(name), "d", std::move(params)};
}

/// Anode at unknown 0, cathode grounded.
DeviceHarness grounded_diode(const ModelCard& m, std::map<std::string, double> params = {},
                             std::vector<double> values = {}) {
    return DeviceHarness(card("d1", {"a", "0"}, std::move(values), std::move(params), &m), {0, kGround}, 1);
}

/// Current into the anode at anode voltage v (cathode grounded), after settling.
double current_at(DeviceHarness& h, double v) {
    if (h.size() == 1) return h.settle({v}).f[0];
    std::vector<double> x = h.solve_internal({v, v}, 1);
    return h.settle(x).f[0];
}

bool close(double a, double b, double rel) { return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)); }

}  // namespace

TEST_CASE("diode: forward and reverse currents follow the SPICE closed form") {
    const ModelCard m = diode_model("dm", {{"is", 1e-14}, {"n", 1.5}});
    DeviceHarness h = grounded_diode(m);
    const double vte = 1.5 * kVt;
    for (double v : {0.8, 0.5, 0.1, 0.0, -0.05, -3 * vte + 1e-9}) {
        const double expected = 1e-14 * (std::exp(v / vte) - 1) + kGmin * v;
        CHECK(close(current_at(h, v), expected, 1e-12));
    }
    // Below −3·N·vt: −IS·(1 + (3·N·vt/(e·v))³), which joins the forward branch continuously.
    for (double v : {-0.2, -1.0, -40.0}) {
        const double a = 3 * vte / (v * std::numbers::e);
        const double expected = -1e-14 * (1 + a * a * a) + kGmin * v;
        CHECK(close(current_at(h, v), expected, 1e-12));
    }
}

TEST_CASE("diode: breakdown current reaches IBV at BV and grows exponentially beyond") {
    const ModelCard m = diode_model("dz", {{"is", 1e-14}, {"bv", 5.6}, {"ibv", 1e-3}});
    DeviceHarness h = grounded_diode(m);
    // ngspice's knee iteration stops at reltol 1e-3, so IBV is met to that tolerance.
    CHECK(close(-current_at(h, -5.6), 1e-3, 2e-3));
    const double i1 = -current_at(h, -5.7);
    const double i2 = -current_at(h, -5.8);
    CHECK(close(i2 / i1, std::exp(0.1 / kVt), 1e-6));
    // Just above the knee the reverse formula still holds.
    const double a = 3 * kVt / (-4.0 * std::numbers::e);
    CHECK(close(current_at(h, -4.0), -1e-14 * (1 + a * a * a) - kGmin * 4.0, 1e-12));
}

// Reference currents from ngspice-39 (Debian 39.3+ds-1), `.op` with each diode driven by its own
// voltage source, `set numdgt=17`, `print i(vX)`; the current into the anode is −i(vX):
//   .model mda d is=1e-14
//   .model mdb d is=2.5e-12 n=1.8 bv=6.2 ibv=5m nbv=1.2      (instances area=2)
//   .model mdc d is=1e-15 ikf=1e-3 ikr=1e-4 bv=10
//   .model mdd d is=1e-14 n=1.1 bv=5 ibv=1e-4                 (instances temp=75)
//   .model mdn d is=1e-14 n=2 bv=5
//   .model mde d is=1e-14 rs=5 n=1.05                         (instance area=3)
//   .model mdf d is=1e-14 tnom=50 xti=2 eg=1.2
//   .model mdg d is=1e-14 ikf=1e-3 ikr=1e-4 bv=10 ibv=1e-6    (instances area=2, and area=2 m=3)
// mde has an internal node, which ngspice solves only to its tolerances: that one was run with
// `.options reltol=1e-12 vntol=1e-15 abstol=1e-18`.
TEST_CASE("diode: DC current equals ngspice-39's within 1e-9") {
    struct Ref {
        ModelCard model;
        std::map<std::string, double> params;
        double v;
        double i_ngspice;  // i(vX) as printed
    };
    const ModelCard mda = diode_model("mda", {{"is", 1e-14}});
    const ModelCard mdb = diode_model("mdb", {{"is", 2.5e-12}, {"n", 1.8}, {"bv", 6.2}, {"ibv", 5e-3}, {"nbv", 1.2}});
    const ModelCard mdc = diode_model("mdc", {{"is", 1e-15}, {"ikf", 1e-3}, {"ikr", 1e-4}, {"bv", 10}});
    const ModelCard mdd = diode_model("mdd", {{"is", 1e-14}, {"n", 1.1}, {"bv", 5}, {"ibv", 1e-4}});
    const ModelCard mdn = diode_model("mdn", {{"is", 1e-14}, {"n", 2}, {"bv", 5}});
    const ModelCard mde = diode_model("mde", {{"is", 1e-14}, {"rs", 5}, {"n", 1.05}});
    const ModelCard mdf = diode_model("mdf", {{"is", 1e-14}, {"tnom", 50}, {"xti", 2}, {"eg", 1.2}});
    const ModelCard mdg = diode_model("mdg", {{"is", 1e-14}, {"ikf", 1e-3}, {"ikr", 1e-4}, {"bv", 10}, {"ibv", 1e-6}});
    const std::map<std::string, double> area2{{"area", 2}};
    const std::map<std::string, double> t75{{"temp", 75}};
    const std::vector<Ref> refs = {
        {mda, {}, 0.3, -1.0898753751253606e-09},
        {mda, {}, 0.6, -1.1871962955870745e-04},
        {mda, {}, 0.75, -3.9188005769676737e-02},
        {mda, {}, -0.05, 5.85530402325481506e-14},
        {mda, {}, -0.1, 1.09767397924220921e-13},
        {mda, {}, -5, 5.00999999813918275e-12},
        {mdb, area2, 0.5, -2.3072376777615206e-07},
        {mdb, area2, 0.8, -1.4507055539448796e-04},
        {mdb, area2, -4, 8.99998940206792403e-12},
        {mdb, area2, -6.0, 7.95228174369313513e-06},
        {mdb, area2, -6.3, 1.25374482047657665e-01},
        {mdb, area2, -6.5, 7.88292931937394314e+01},
        {mdc, {}, 0.8, -4.3653154874192801e-03},
        {mdc, {}, 0.9, -3.4993031863346125e-02},
        {mdc, {}, -10.2, 1.50044877235688823e-02},
        {mdd, t75, 0.5, -1.2350679744799214e-05},
        {mdd, t75, -3, 6.24894049055742161e-12},
        {mdd, t75, -5.1, 2.07008231868183179e-03},
        {mdn, {}, -5.3, 3.30088680822818503e-01},
        {mde, {{"area", 3}}, 0.9, -7.4855827289183829e-02},
        {mdf, {}, 0.65, -2.6051859460770699e-05},
        {mdg, area2, -10.05, 5.82769513163012426e-06},
        {mdg, {{"area", 2}, {"m", 3}}, 0.85, -2.5371564088924892e-01},
    };
    for (const auto& r : refs) {
        CAPTURE(r.model.name);
        CAPTURE(r.v);
        DeviceHarness h = grounded_diode(r.model, r.params);
        const double i = current_at(h, r.v);
        CHECK(close(i, -r.i_ngspice, 1e-9));
    }
}

TEST_CASE("diode: the positional value is the area") {
    const ModelCard m = diode_model("dm", {{"is", 1e-14}});
    DeviceHarness one = grounded_diode(m);
    DeviceHarness three = grounded_diode(m, {}, {3.0});
    const double v = 0.65;
    // gmin is across the junction once, whatever the area.
    CHECK(close(current_at(three, v) - kGmin * v, 3 * (current_at(one, v) - kGmin * v), 1e-12));
}

TEST_CASE("diode: Jacobians match finite differences in every region") {
    const ModelCard m = diode_model("dj", {{"is", 1e-13},
                                           {"n", 1.2},
                                           {"bv", 7},
                                           {"ibv", 1e-4},
                                           {"cjo", 2e-12},
                                           {"vj", 0.7},
                                           {"m", 0.4},
                                           {"tt", 5e-9},
                                           {"fc", 0.5}});
    SUBCASE("junction only") {
        DeviceHarness h = grounded_diode(m);
        for (double v : {0.75, 0.55, 0.2, 0.34, -0.02, -0.5, -6.0, -7.05, -7.2}) {
            CAPTURE(v);
            const JacobianCheck c = check_jacobian(h, {v}, 1e-7);
            CHECK(c.worst_f < 1e-6);
            CHECK(c.worst_q < 1e-6);
        }
    }
    SUBCASE("with series resistance and an internal node") {
        const ModelCard mr = diode_model("dr", {{"is", 1e-13}, {"rs", 20}, {"cjo", 1e-12}, {"tt", 1e-9}});
        DeviceHarness h(card("d1", {"a", "k"}, {}, {}, &mr), {0, 1}, 2);
        REQUIRE(h.size() == 3);
        for (std::vector<double> x : {std::vector<double>{0.9, 0.1, 0.75}, {-1.0, 0.5, -0.4}, {0.3, 0.0, 0.29}}) {
            const JacobianCheck c = check_jacobian(h, x, 1e-7);
            CHECK(c.worst_f < 1e-6);
            CHECK(c.worst_q < 1e-6);
        }
    }
    SUBCASE("with knee currents") {
        const ModelCard mk = diode_model("dk", {{"is", 1e-14}, {"ikf", 1e-3}, {"ikr", 1e-5}, {"bv", 10}});
        DeviceHarness h = grounded_diode(mk);
        for (double v : {0.6, 0.8, -0.3, -10.2}) {
            CAPTURE(v);
            CHECK(check_jacobian(h, {v}, 1e-7).worst_f < 1e-6);
        }
    }
}

TEST_CASE("diode: charge is depletion plus TT times the current") {
    const ModelCard m = diode_model("dq", {{"is", 1e-14}, {"cjo", 1e-12}, {"vj", 0.8}, {"m", 0.5}, {"tt", 1e-8}});
    DeviceHarness h = grounded_diode(m);
    const double v = -2.0;
    const Loaded l = h.settle({v});
    const double dep = 0.8 * 1e-12 * (1 - std::sqrt(1 - v / 0.8)) / 0.5;
    const double i_ideal = l.f[0] - kGmin * v;
    CHECK(close(l.q[0], dep + 1e-8 * i_ideal, 1e-12));
    CHECK(close(l.Jq(0, 0), 1e-12 / std::sqrt(1 - v / 0.8) + 1e-8 * (l.Jf(0, 0) - kGmin), 1e-9));
}

TEST_CASE("diode: first iteration starts at vcrit, or at 0 when off") {
    const ModelCard m = diode_model("dm", {{"is", 1e-14}});
    models::LoadContext init;
    init.init_junctions = true;
    const double vcrit = kVt * std::log(kVt / (std::sqrt(2.0) * 1e-14));
    {
        DeviceHarness h = grounded_diode(m);
        const Loaded l = h.load({0.0}, init);
        CHECK(l.noncon == 1);
        // Linearised at vcrit, evaluated at x = 0: f = I(vcrit) + G(vcrit)·(0 − vcrit).
        const double ic = 1e-14 * (std::exp(vcrit / kVt) - 1) + kGmin * vcrit;
        const double g = 1e-14 * std::exp(vcrit / kVt) / kVt + kGmin;
        CHECK(close(l.Jf(0, 0), g, 1e-12));
        CHECK(close(l.f[0], ic - g * vcrit, 1e-9));
    }
    {
        models::InstanceCard c = card("d2", {"a", "0"}, {}, {}, &m);
        c.flags = {"off"};
        DeviceHarness h(c, {0, kGround}, 1);
        const Loaded l = h.load({0.5}, init);
        CHECK(close(l.f[0], (1e-14 / kVt + kGmin) * 0.5, 1e-9));
    }
}

TEST_CASE("diode: a large forward step is limited with pnjlim and linearised at the limited voltage") {
    const ModelCard m = diode_model("dm", {{"is", 1e-14}});
    DeviceHarness h = grounded_diode(m);
    h.settle({0.6});
    const double vcrit = kVt * std::log(kVt / (std::sqrt(2.0) * 1e-14));
    const models::Limited lim = models::pnjlim(1.5, 0.6, kVt, vcrit);
    REQUIRE(lim.limited);
    const Loaded l = h.load({1.5});
    CHECK(l.noncon == 1);
    DeviceHarness ref = grounded_diode(m);
    const Loaded at = ref.settle({lim.v});
    CHECK(close(l.Jf(0, 0), at.Jf(0, 0), 1e-12));
    CHECK(close(l.f[0], at.f[0] + at.Jf(0, 0) * (1.5 - lim.v), 1e-12));
    // Small steps are not limited.
    h.settle({0.6});
    CHECK(h.load({0.61}).noncon == 0);
}

TEST_CASE("diode: parameter errors name the parameter") {
    auto model_error = [](std::map<std::string, double> params) -> std::string {
        const ModelCard m = diode_model("bad", std::move(params));
        try {
            DeviceHarness h = grounded_diode(m);
        } catch (const DeviceError& e) {
            CHECK(e.where() == DeviceError::Where::Model);
            CHECK(std::string(e.what()).find("bad") != std::string::npos);
            return e.param();
        }
        return "";
    };
    CHECK(model_error({{"iss", 1e-14}}) == "iss");
    CHECK(model_error({{"is", -1e-14}}) == "is");
    CHECK(model_error({{"n", 0}}) == "n");
    CHECK(model_error({{"fc", 1.0}}) == "fc");
    CHECK(model_error({{"bv", -3}}) == "bv");
    CHECK(model_error({{"jsw", 1e-15}}) == "jsw");
    CHECK(model_error({{"kf", 1e-20}, {"af", 1}, {"level", 1}}).empty());

    const ModelCard m = diode_model("dm", {});
    try {
        DeviceHarness h = grounded_diode(m, {}, {-1.0});
        FAIL("negative area accepted");
    } catch (const DeviceError& e) {
        CHECK(e.where() == DeviceError::Where::Value);
        CHECK(e.param() == "0");
    }
    try {
        DeviceHarness h = grounded_diode(m, {{"perimeter", 1}});
        FAIL("unknown instance parameter accepted");
    } catch (const DeviceError& e) {
        CHECK(e.where() == DeviceError::Where::Instance);
        CHECK(e.param() == "perimeter");
    }
}
