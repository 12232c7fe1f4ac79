// MOSFET level 1: Shichman–Hodges closed forms, agreement with ngspice-39, Jacobians against
// finite differences, Newton limiting, parameter errors.

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

constexpr double kGmin = 1e-12;

/// Terminals d, g, s, b at unknowns 0..3; internal drain/source nodes (RD, RS) after them.
DeviceHarness mosfet(const ModelCard& m, std::map<std::string, double> params = {}) {
    return DeviceHarness(card("m1", {"d", "g", "s", "b"}, {}, std::move(params), &m), {0, 1, 2, 3}, 4);
}

/// Currents into d, g, s, b at the given terminal voltages (internal nodes solved for).
std::vector<double> terminal_currents(DeviceHarness& h, std::vector<double> v) {
    std::vector<double> x = v;
    x.resize(static_cast<std::size_t>(h.size()));
    if (h.size() > 4) {
        // Start the internal drain and source nodes at their terminals.
        for (const auto& [index, name] : h.added())
            x[static_cast<std::size_t>(index)] = name == "node drain" ? v[0] : v[2];
        h.settle(x);
        x = h.solve_internal(x, 4);
    }
    const Loaded l = h.settle(x);
    return {l.f[0], l.f[1], l.f[2], l.f[3]};
}

bool close(double a, double b, double rel, double abs = 0) {
    return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)) + abs;
}

/// Shichman–Hodges drain current of an n-channel device (vds ≥ 0), no junctions.
double sh_current(double kp, double w, double l, double vto, double gamma, double phi, double lambda, double vgs,
                  double vds, double vbs) {
    const double vth = vto + gamma * (std::sqrt(phi - vbs) - std::sqrt(phi));
    const double vgst = vgs - vth;
    if (vgst <= 0) return 0;
    const double beta = kp * w / l * (1 + lambda * vds);
    if (vds >= vgst) return beta / 2 * vgst * vgst;
    return beta * vds * (vgst - vds / 2);
}

/// Bulk junction current (bulk to the other terminal) with gmin, as MOS1 computes it.
double junction(double v, double isat) {
    const double vt = models::physics::thermal_voltage(300.15);
    if (v <= -3 * vt) return kGmin * v - isat;
    return isat * (std::exp(v / vt) - 1) + kGmin * v;
}

}  // namespace

TEST_CASE("MOS1: NMOS drain current follows Shichman-Hodges in cutoff, linear and saturation") {
    const ModelCard m{
        "mn", "nmos", {{"level", 1}, {"vto", 0.7}, {"kp", 110e-6}, {"gamma", 0.45}, {"phi", 0.7}, {"lambda", 0.05}}};
    DeviceHarness h = mosfet(m, {{"w", 10e-6}, {"l", 2e-6}});
    struct Bias {
        double vd, vg, vs, vb;
    };
    for (Bias b : {Bias{1, 0.5, 0, 0}, Bias{0.2, 2, 0, 0}, Bias{3, 1.5, 0, 0}, Bias{3, 2, 0.5, 0},
                   Bias{1.5, 3, 0.2, -2}, Bias{0.1, 1.2, 0, -1}}) {
        CAPTURE(b.vd);
        CAPTURE(b.vg);
        const double id = sh_current(110e-6, 10e-6, 2e-6, 0.7, 0.45, 0.7, 0.05, b.vg - b.vs, b.vd - b.vs, b.vb - b.vs);
        const double ibd = junction(b.vb - b.vd, 1e-14);
        const double ibs = junction(b.vb - b.vs, 1e-14);
        const std::vector<double> i = terminal_currents(h, {b.vd, b.vg, b.vs, b.vb});
        CHECK(close(i[0], id - ibd, 1e-12, 1e-24));
        CHECK(i[1] == 0);
        CHECK(close(i[2], -id - ibs, 1e-12, 1e-24));
        CHECK(close(i[3], ibd + ibs, 1e-12, 1e-24));
    }
}

TEST_CASE("MOS1: drain and source swap roles when vds < 0") {
    const ModelCard m{"mn", "nmos", {{"vto", 0.6}, {"kp", 100e-6}, {"gamma", 0.3}, {"lambda", 0.02}}};
    DeviceHarness h = mosfet(m, {{"w", 4e-6}, {"l", 1e-6}});
    // d at −0.8 V, s at 0: the device conducts from s to d with the roles of d and s exchanged.
    const std::vector<double> i = terminal_currents(h, {-0.8, 2, 0, -1});
    const double id_rev = sh_current(100e-6, 4e-6, 1e-6, 0.6, 0.3, 0.6, 0.02, 2 + 0.8, 0.8, -1 + 0.8);
    CHECK(close(i[0], -id_rev - junction(-1 + 0.8, 1e-14), 1e-12));
    CHECK(close(i[2], id_rev - junction(-1, 1e-14), 1e-12));
}

TEST_CASE("MOS1: PMOS is the mirror image of NMOS") {
    const ModelCard mp{"mp", "pmos", {{"vto", -0.8}, {"kp", 40e-6}, {"gamma", 0.5}, {"phi", 0.7}, {"lambda", 0.05}}};
    DeviceHarness h = mosfet(mp, {{"w", 20e-6}, {"l", 1e-6}});
    struct Bias {
        double vd, vg, vs, vb;
    };
    for (Bias b :
         {Bias{3.2, 1.0, 3.3, 3.3}, Bias{0, 1.5, 3.3, 3.3}, Bias{0.5, 3.0, 3.3, 3.3}, Bias{1.0, 0, 2.5, 4.0}}) {
        CAPTURE(b.vd);
        const double id = -sh_current(40e-6, 20e-6, 1e-6, 0.8, 0.5, 0.7, 0.05, b.vs - b.vg, b.vs - b.vd, b.vs - b.vb);
        const double ibd = -junction(b.vd - b.vb, 1e-14);
        const double ibs = -junction(b.vs - b.vb, 1e-14);
        const std::vector<double> i = terminal_currents(h, {b.vd, b.vg, b.vs, b.vb});
        CHECK(close(i[0], id - ibd, 1e-12, 1e-24));
        CHECK(close(i[2], -id - ibs, 1e-12, 1e-24));
        CHECK(close(i[3], ibd + ibs, 1e-12, 1e-24));
    }
}

// Reference currents from ngspice-39 (Debian 39.3+ds-1): each transistor driven by four voltage
// sources vd vg vs vb, `.op` with `.options reltol=1e-12 vntol=1e-15 abstol=1e-18` (so that
// internal RD/RS nodes are solved to the last digits), `set numdgt=17`, `print i(vX)`. The
// current into a terminal is −i(vX). Models:
//   .model mn1 nmos (level=1 vto=0.7 kp=110u gamma=0.4 phi=0.65 lambda=0.04)
//   .model mp1 pmos (level=1 vto=-0.8 kp=40u gamma=0.5 phi=0.7 lambda=0.05)
//   .model mn2 nmos (level=1 tox=20n u0=500 nsub=1e16 ld=0.2u is=1e-15 lambda=0.02)
//   .model mp2 pmos (level=1 tox=25n nsub=2e15 tpg=-1 nss=1e10 lambda=0.03)
//   .model mn3 nmos (level=1 vto=0.7 kp=110u gamma=0.4 phi=0.65 lambda=0.04 tnom=20)
//   .model mn4 nmos (level=1 vto=0.5 kp=80u gamma=0.3 js=1e-4 is=1e-16)
//   .model mn5 nmos (level=1 vto=0.6 kp=100u gamma=0.35 lambda=0.03 rd=50 rs=30)
//   .model mn6 nmos (level=1 vto=0.6 kp=100u lambda=0.03 rsh=20)
TEST_CASE("MOS1: DC terminal currents equal ngspice-39's within 1e-9") {
    const std::map<std::string, ModelCard> models = {
        {"mn1",
         {"mn1",
          "nmos",
          {{"level", 1}, {"vto", 0.7}, {"kp", 110e-6}, {"gamma", 0.4}, {"phi", 0.65}, {"lambda", 0.04}}}},
        {"mp1",
         {"mp1", "pmos", {{"level", 1}, {"vto", -0.8}, {"kp", 40e-6}, {"gamma", 0.5}, {"phi", 0.7}, {"lambda", 0.05}}}},
        {"mn2",
         {"mn2",
          "nmos",
          {{"level", 1},
           {"tox", 20e-9},
           {"u0", 500},
           {"nsub", 1e16},
           {"ld", 0.2e-6},
           {"is", 1e-15},
           {"lambda", 0.02}}}},
        {"mp2",
         {"mp2", "pmos", {{"level", 1}, {"tox", 25e-9}, {"nsub", 2e15}, {"tpg", -1}, {"nss", 1e10}, {"lambda", 0.03}}}},
        {"mn3",
         {"mn3",
          "nmos",
          {{"level", 1}, {"vto", 0.7}, {"kp", 110e-6}, {"gamma", 0.4}, {"phi", 0.65}, {"lambda", 0.04}, {"tnom", 20}}}},
        {"mn4",
         {"mn4", "nmos", {{"level", 1}, {"vto", 0.5}, {"kp", 80e-6}, {"gamma", 0.3}, {"js", 1e-4}, {"is", 1e-16}}}},
        {"mn5",
         {"mn5",
          "nmos",
          {{"level", 1}, {"vto", 0.6}, {"kp", 100e-6}, {"gamma", 0.35}, {"lambda", 0.03}, {"rd", 50}, {"rs", 30}}}},
        {"mn6", {"mn6", "nmos", {{"level", 1}, {"vto", 0.6}, {"kp", 100e-6}, {"lambda", 0.03}, {"rsh", 20}}}},
    };
    struct Ref {
        std::string model;
        std::map<std::string, double> params;
        std::vector<double> v;          // vd vg vs vb
        std::vector<double> i_ngspice;  // i(vd) i(vg) i(vs) i(vb)
    };
    const std::vector<Ref> refs = {
        {"mn1",
         {{"w", 10e-6}, {"l", 2e-6}},
         {1, 0.3, 0, 0},
         {-1.0099999999999999e-12, 0.00000000000000000e+00, 0.00000000000000000e+00, 1.00999999999999994e-12}},
        {"mn1",
         {{"w", 10e-6}, {"l", 2e-6}},
         {0.1, 2, 0, 0},
         {-6.9025000109999978e-05, 0.00000000000000000e+00, 6.90249999999999837e-05, 1.09999999999999998e-13}},
        {"mn1",
         {{"w", 10e-6}, {"l", 2e-6}},
         {3, 1.5, 0, 0},
         {-1.9712000300999997e-04, 0.00000000000000000e+00, 1.97119999999999956e-04, 3.01000000000000030e-12}},
        {"mn1",
         {{"w", 10e-6}, {"l", 2e-6}},
         {3, 2, 0.5, 0},
         {-1.4550101881600998e-04, 0.00000000000000000e+00, 1.45501015296010039e-04, 3.52000000000000035e-12}},
        {"mn1",
         {{"w", 10e-6}, {"l", 2e-6}},
         {1.0, 2.5, 0.3, -1},
         {-3.6171153989394917e-04, 0.00000000000000000e+00, 3.61711536573949193e-04, 3.31999999999999959e-12}},
        {"mn1",
         {{"w", 10e-6}, {"l", 2e-6}},
         {0, 2, 0.4, 0},
         {2.45871999999999953e-04, 0.00000000000000000e+00, -2.4587200040999989e-04, 4.10000000000000020e-13}},
        {"mn1",
         {{"w", 10e-6}, {"l", 2e-6}},
         {-2, 1.5, 0, -2.5},
         {2.01192326008197992e-03, 0.00000000000000000e+00, -2.0119232631019795e-03, 3.02000000000000006e-12}},
        {"mn1",
         {{"w", 10e-6}, {"l", 2e-6}},
         {1, 2, 0, 0.3},
         {-5.0016872162101647e-04, 0.00000000000000000e+00, 5.00169810786391545e-04, -1.0891653751253620e-09}},
        {"mn1",
         {{"w", 10e-6}, {"l", 2e-6}, {"m", 3}},
         {0.5, 1.2, 0, -0.7},
         {-1.0768877958639615e-04, 0.00000000000000000e+00, 1.07688777626396276e-04, 1.96000000000000013e-12}},
        {"mn1",
         {},
         {2, 1.8, 0, 0},
         {-7.1874002010000019e-05, 0.00000000000000000e+00, 7.18740000000000237e-05, 2.01000000000000012e-12}},
        {"mp1",
         {{"w", 20e-6}, {"l", 1e-6}},
         {3.2, 1.0, 3.3, 3.3},
         {1.16580000110000359e-04, 0.00000000000000000e+00, -1.1657999999999981e-04, -1.1000000000000094e-13}},
        {"mp1",
         {{"w", 20e-6}, {"l", 1e-6}},
         {0, 1.5, 3.3, 3.3},
         {4.66000003310000546e-04, 0.00000000000000000e+00, -4.6600000000000027e-04, -3.3100000000000010e-12}},
        {"mp1",
         {{"w", 20e-6}, {"l", 1e-6}},
         {0.5, 3.0, 3.3, 3.3},
         {2.81000000000000035e-12, 0.00000000000000000e+00, 0.00000000000000000e+00, -2.8100000000000012e-12}},
        {"mp1",
         {{"w", 20e-6}, {"l", 1e-6}},
         {3.3, 0.5, 2.9, 3.5},
         {-5.6923780187851779e-04, 0.00000000000000000e+00, 5.69237802698518112e-04, -8.2000000000000014e-13}},
        {"mp1",
         {{"w", 20e-6}, {"l", 1e-6}},
         {1.0, 0.0, 2.5, 4.0},
         {8.14992280204219371e-04, 0.00000000000000000e+00, -8.1499227568421965e-04, -4.5200000000000009e-12}},
        {"mn2",
         {{"w", 5e-6}, {"l", 1e-6}},
         {2, 2, 0, -1},
         {-1.1790317770582761e-03, 0.00000000000000000e+00, 1.17903177305627598e-03, 4.00200000000000011e-12}},
        {"mn2",
         {{"w", 5e-6}, {"l", 1e-6}},
         {0.2, 3, 0, 0},
         {-4.0903350968439923e-04, 0.00000000000000000e+00, 4.09033509483399207e-04, 2.01000000000000002e-13}},
        {"mp2",
         {{"w", 5e-6}, {"l", 1e-6}},
         {-2, -3, 0, 0},
         {8.59955923720262202e-04, 0.00000000000000000e+00, -8.5995592171026218e-04, -2.0100000000000001e-12}},
        {"mp2",
         {{"w", 5e-6}, {"l", 1e-6}},
         {-0.3, -2.5, 0, 1},
         {1.55272317477544633e-04, 0.00000000000000000e+00, -1.5527231515754467e-04, -2.3199999999999998e-12}},
        {"mn3",
         {{"w", 10e-6}, {"l", 2e-6}, {"temp", 80}},
         {3, 2, 0.5, 0},
         {-1.3729990452921706e-04, 0.00000000000000000e+00, 1.37299837329873936e-04, 6.71993429743861197e-11}},
        {"mn3",
         {{"w", 10e-6}, {"l", 2e-6}, {"temp", 80}},
         {0.2, 2, 0, -1},
         {-9.1031481687528179e-05, 0.00000000000000000e+00, 9.10314157881851621e-05, 6.58993429743861216e-11}},
        {"mn4",
         {{"w", 10e-6}, {"l", 1e-6}, {"ad", 20e-12}, {"as", 15e-12}},
         {1, 2, 0, 0.5},
         {-8.7745966742614802e-04, 0.00000000000000000e+00, 8.77832511030030515e-04, -3.7284360388242811e-07}},
        {"mn4",
         {{"w", 10e-6}, {"l", 1e-6}, {"ad", 20e-12}, {"as", 15e-12}},
         {-0.3, 2, 0, 0.45},
         {8.26845800465121628e-03, 0.00000000000000000e+00, -4.3080290069742342e-04, -7.8376551039538028e-03}},
        {"mn4",
         {{"w", 10e-6}, {"l", 1e-6}, {"ad", 20e-12}},
         {1, 2, 0, 0.5},
         {-8.7745966742424806e-04, 0.00000000000000000e+00, 8.77484523664540214e-04, -2.4856240292161904e-08}},
        {"mn5",
         {{"w", 10e-6}, {"l", 1e-6}},
         {2, 2, 0, 0},
         {-9.8372368777519675e-04, 0.00000000000000000e+00, 9.83723685778062958e-04, 1.99713051282695716e-12}},
        {"mn5",
         {{"w", 10e-6}, {"l", 1e-6}},
         {0.3, 3, 0, -0.5},
         {-5.5543219098688409e-04, 0.00000000000000000e+00, 5.55432189677993490e-04, 1.30889135614099559e-12}},
        {"mn5",
         {{"w", 10e-6}, {"l", 1e-6}},
         {-1, 2, 0, -1.5},
         {1.58988610652906204e-03, 0.00000000000000000e+00, -1.5898861085808643e-03, 2.05179772206902697e-12}},
        {"mn6",
         {{"w", 10e-6}, {"l", 1e-6}, {"nrd", 2}, {"nrs", 1.5}},
         {2, 2, 0, 0},
         {-9.9309989653843106e-04, 0.00000000000000000e+00, 9.93099894531521447e-04, 2.00690854578634312e-12}},
        {"mn6",
         {{"w", 10e-6}, {"l", 1e-6}, {"nrd", 2}, {"nrs", 1.5}},
         {0.2, 3, 0, 0},
         {-3.9826761162547932e-04, 0.00000000000000000e+00, 3.98267611415761933e-04, 2.09716719671463615e-13}},
    };
    for (const auto& r : refs) {
        CAPTURE(r.model);
        CAPTURE(r.v[0]);
        CAPTURE(r.v[1]);
        CAPTURE(r.v[2]);
        CAPTURE(r.v[3]);
        DeviceHarness h = mosfet(models.at(r.model), r.params);
        const std::vector<double> i = terminal_currents(h, r.v);
        for (std::size_t t = 0; t < 4; ++t) {
            CAPTURE(t);
            CHECK(close(i[t], -r.i_ngspice[t], 1e-9, 1e-24));
        }
    }
}

TEST_CASE("MOS1: Jacobians match finite differences in every region") {
    const ModelCard mn{"mn",
                       "nmos",
                       {{"vto", 0.7},
                        {"kp", 110e-6},
                        {"gamma", 0.4},
                        {"phi", 0.65},
                        {"lambda", 0.04},
                        {"cgso", 2e-10},
                        {"cgdo", 3e-10},
                        {"cgbo", 1e-10},
                        {"cj", 2e-4},
                        {"cjsw", 1e-9},
                        {"mj", 0.45},
                        {"mjsw", 0.3},
                        {"pb", 0.75},
                        {"is", 1e-15}}};
    const ModelCard mp{"mp",
                       "pmos",
                       {{"vto", -0.8},
                        {"kp", 40e-6},
                        {"gamma", 0.5},
                        {"phi", 0.7},
                        {"lambda", 0.05},
                        {"cbd", 5e-15},
                        {"cbs", 6e-15},
                        {"cgso", 2e-10},
                        {"rd", 20},
                        {"rs", 10}}};
    const std::map<std::string, double> geometry{{"w", 10e-6},   {"l", 2e-6},   {"ad", 20e-12},
                                                 {"as", 20e-12}, {"pd", 24e-6}, {"ps", 24e-6}};
    const std::vector<std::vector<double>> n_points = {
        {1, 0.3, 0, 0},       // cutoff
        {0.1, 2, 0, 0},       // linear
        {3, 1.5, 0, 0},       // saturation
        {3, 2, 0.5, 0},       // saturation, body effect
        {1.0, 2.5, 0.3, -1},  // linear, body effect
        {0, 2, 0.4, 0},       // reverse, linear
        {-2, 1.5, 0, -2.5},   // reverse, saturation
        {1, 2, 0, 0.3},       // forward-biased source junction (vbs > 0)
        {2, 2, 0, 0.5},       // strongly forward-biased source junction
    };
    SUBCASE("NMOS") {
        DeviceHarness h = mosfet(mn, geometry);
        for (const auto& x : n_points) {
            CAPTURE(x[0]);
            CAPTURE(x[1]);
            CAPTURE(x[2]);
            CAPTURE(x[3]);
            const JacobianCheck c = check_jacobian(h, x, 1e-7);
            CHECK(c.worst_f < 1e-6);
            CHECK(c.worst_q < 1e-6);
        }
    }
    SUBCASE("PMOS with drain and source resistances") {
        DeviceHarness h = mosfet(mp, geometry);
        REQUIRE(h.size() == 6);
        for (const auto& p : n_points) {
            // Mirror the NMOS points; internal nodes start at their terminals.
            std::vector<double> x = {-p[0], -p[1], -p[2], -p[3], -p[0] * 0.99, -p[2] * 0.99};
            CAPTURE(x[0]);
            CAPTURE(x[1]);
            const JacobianCheck c = check_jacobian(h, x, 1e-7);
            CHECK(c.worst_f < 1e-6);
            CHECK(c.worst_q < 1e-6);
        }
    }
}

TEST_CASE("MOS1: overlap capacitances are fixed and scale with W and Leff") {
    const ModelCard m{"mn", "nmos", {{"vto", 0.7}, {"cgso", 2e-10}, {"cgdo", 3e-10}, {"cgbo", 1e-10}, {"ld", 0.1e-6}}};
    DeviceHarness h = mosfet(m, {{"w", 10e-6}, {"l", 2e-6}, {"m", 2}});
    const Loaded l = h.settle({1.0, 2.0, 0.0, 0.0});
    const double cgs = 2e-10 * 10e-6 * 2, cgd = 3e-10 * 10e-6 * 2, cgb = 1e-10 * 1.8e-6 * 2;
    CHECK(close(l.Jq(1, 1), cgs + cgd + cgb, 1e-12));
    CHECK(close(l.Jq(1, 2), -cgs, 1e-12));
    CHECK(close(l.Jq(1, 0), -cgd, 1e-12));
    CHECK(close(l.Jq(1, 3), -cgb, 1e-12));
    CHECK(close(l.q[1], cgs * 2.0 + cgd * 1.0 + cgb * 2.0, 1e-12));
}

TEST_CASE("MOS1: Meyer gate capacitances with TOX, integrated from the accepted point as SPICE does") {
    // Terminals d, g, s, b = unknowns 0..3; gate row 1.
    const double tox = 20e-9, w = 10e-6, l = 2e-6;
    const double cox = 3.9 * 8.854214871e-12 / tox * w * l;  // F, εox/tox·W·Leff (LD = 0)
    const ModelCard m{"mn", "nmos", {{"vto", 0.7}, {"kp", 110e-6}, {"phi", 0.6}, {"tox", tox}}};
    DeviceHarness h = mosfet(m, {{"w", w}, {"l", l}});
    models::LoadContext tran;
    tran.dc = false;
    // Before a transient's first point the charges are C·v with both halves at the present v.
    SUBCASE("saturation: 2/3 Cox to the source") {
        const Loaded s = h.settle({2.5, 3.0, 0.0, 0.0}, tran);
        CHECK(close(s.Jq(1, 2), -2.0 / 3.0 * cox, 1e-12));
        CHECK(close(s.Jq(1, 0), 0.0, 1e-12, 1e-27));
        CHECK(close(s.Jq(1, 3), 0.0, 1e-12, 1e-27));
        CHECK(close(s.q[1], 2.0 / 3.0 * cox * 3.0, 1e-12));
    }
    SUBCASE("vds = 0 in strong inversion: Cox/2 to source and drain each") {
        const Loaded s = h.settle({0.0, 3.0, 0.0, 0.0}, tran);
        CHECK(close(s.Jq(1, 2), -cox / 2, 1e-12));
        CHECK(close(s.Jq(1, 0), -cox / 2, 1e-12));
    }
    SUBCASE("accumulation: Cox to the bulk") {
        const Loaded s = h.settle({1.0, -2.0, 0.0, 0.0}, tran);
        CHECK(close(s.Jq(1, 3), -cox, 1e-12));
        CHECK(close(s.Jq(1, 2), 0.0, 1e-12, 1e-27));
    }
    SUBCASE("after an accepted point: q = q1 + (C/2 at v + C/2 at v1)·(v - v1), continuous at v1") {
        const std::vector<double> x1 = {2.5, 3.0, 0.0, 0.0}, x2 = {0.0, 3.0, 0.0, 0.0};
        const double q1 = h.settle(x1, tran).q[1];
        h.accept(x1, 0.0);  // a transient starts here
        CHECK(close(h.settle(x1, tran).q[1], q1, 1e-12));
        const Loaded s = h.settle(x2, tran);
        // gate-drain: half 0 at x1 (saturation), Cox/4 at x2; vgd goes from 0.5 V to 3 V.
        const double cgd = cox / 4;
        CHECK(close(s.Jq(1, 0), -cgd, 1e-12));
        // gate-source: Cox/3 at x1, Cox/4 at x2; vgs stays at 3 V, so its charge does not move.
        CHECK(close(s.Jq(1, 2), -(cox / 3 + cox / 4), 1e-12));
        CHECK(close(s.q[1], q1 + cgd * (3.0 - 0.5), 1e-12));
    }
}

TEST_CASE("MOS1: first iteration starts at vgs = VTO, vds = 0, vbs = -1, or at zero when off") {
    const ModelCard m{"mn", "nmos", {{"vto", 0.7}, {"kp", 110e-6}, {"gamma", 0.4}}};
    models::LoadContext init;
    init.init_junctions = true;
    {
        DeviceHarness h = mosfet(m);
        const Loaded l = h.load({0, 0, 0, 0}, init);
        CHECK(l.noncon == 1);
        // Evaluated at vbs = −1: the bulk junctions conduct gmin·vbs − IS; the channel is at the
        // threshold of vbs = 0, below the threshold of vbs = −1, so it is off.
        CHECK(close(l.Jf(3, 3), 2 * kGmin, 1e-12));
        CHECK(close(l.f[3], 2 * (kGmin * -1 - 1e-14) + 2 * kGmin * (0 - -1), 1e-9));
        CHECK(l.f[0] == doctest::Approx(-(kGmin * -1 - 1e-14) - kGmin * 1).epsilon(1e-9));
    }
    {
        models::InstanceCard c = card("m2", {"d", "g", "s", "b"}, {}, {}, &m);
        c.flags = {"off"};
        DeviceHarness h(c, {0, 1, 2, 3}, 4);
        const Loaded l = h.load({1, 2, 0, 0}, init);
        CHECK(l.noncon == 1);
        // Evaluated at all-zero voltages: no channel current, only gmin·v through the junctions.
        CHECK(l.Jf(0, 1) == 0);
    }
}

TEST_CASE("MOS1: a large gate step is limited as ngspice limits it and linearised at the limited point") {
    const ModelCard m{"mn", "nmos", {{"vto", 0.7}, {"kp", 110e-6}}};
    DeviceHarness h = mosfet(m);
    h.settle({2, 0.5, 0, 0});  // off: vgs below VTO
    const std::vector<double> x = {2, 5, 0, 0};
    const Loaded l = h.load(x);
    CHECK(l.noncon == 1);
    // From vgs = 0.5 (off, von = 0.7) fetlim stops vgs at von + 0.5. vgd = 3 is kept, so vds
    // would be −1.8, which limvds raises to −0.5 coming from 2 V; vbd = −2 is kept.
    const models::Limited lg = models::fetlim(5, 0.5, 0.7);
    CHECK(lg.v == doctest::Approx(1.2));
    const models::Limited ld = models::limvds(lg.v - 3, 2);
    CHECK(ld.v == doctest::Approx(-0.5));
    const std::vector<double> xlim = {ld.v, lg.v, 0, -2 + ld.v};
    DeviceHarness ref = mosfet(m);
    const Loaded at = ref.settle(xlim);
    for (int r = 0; r < 4; ++r) {
        CAPTURE(r);
        double expected = at.f[static_cast<std::size_t>(r)];
        for (int c = 0; c < 4; ++c) {
            CHECK(close(l.Jf(r, c), at.Jf(r, c), 1e-12, 1e-30));
            expected += at.Jf(r, c) * (x[static_cast<std::size_t>(c)] - xlim[static_cast<std::size_t>(c)]);
        }
        CHECK(close(l.f[static_cast<std::size_t>(r)], expected, 1e-12, 1e-24));
    }
}

TEST_CASE("MOS1: parameter errors name the parameter") {
    const ModelCard m{"mn", "nmos", {{"vto", 0.7}}};
    auto instance_error = [&](std::map<std::string, double> params) -> std::string {
        try {
            DeviceHarness h = mosfet(m, std::move(params));
        } catch (const DeviceError& e) {
            CHECK(e.where() == DeviceError::Where::Instance);
            CHECK(std::string(e.what()).find("m1") != std::string::npos);
            return e.param();
        }
        return "";
    };
    CHECK(instance_error({{"l", -1e-6}}) == "l");
    CHECK(instance_error({{"w", -1e-6}}) == "w");
    CHECK(instance_error({{"w", 0}}) == "w");
    CHECK(instance_error({{"ad", -1e-12}}) == "ad");
    CHECK(instance_error({{"wl", 1e-6}}) == "wl");
    CHECK(instance_error({{"ad", 1e-12}, {"as", 1e-12}, {"pd", 1e-6}, {"ps", 1e-6}, {"nrd", 1}, {"nrs", 1}}).empty());

    auto model_error = [](std::map<std::string, double> params) -> std::string {
        const ModelCard bad{"bad", "nmos", std::move(params)};
        try {
            DeviceHarness h = mosfet(bad);
        } catch (const DeviceError& e) {
            CHECK(e.where() == DeviceError::Where::Model);
            CHECK(std::string(e.what()).find("bad") != std::string::npos);
            return e.param();
        }
        return "";
    };
    CHECK(model_error({{"vtoo", 1}}) == "vtoo");
    CHECK(model_error({{"phi", 0}}) == "phi");
    CHECK(model_error({{"mj", 1.0}}) == "mj");
    CHECK(model_error({{"tox", 10e-9}, {"nsub", 1e9}}) == "nsub");
    CHECK(model_error({{"level", 1}, {"kf", 1e-25}, {"af", 1}, {"uo", 450}}).empty());

    // Leff = L − 2·LD must stay positive.
    const ModelCard ld{"mld", "nmos", {{"ld", 1e-6}}};
    try {
        DeviceHarness h = mosfet(ld, {{"l", 1.5e-6}});
        FAIL("Leff <= 0 accepted");
    } catch (const DeviceError& e) {
        CHECK(e.param() == "l");
    }
    try {
        DeviceHarness h(card("m3", {"d", "g", "s"}, {}, {}, &m), {0, 1, 2}, 3);
        FAIL("three nodes accepted");
    } catch (const DeviceError& e) {
        CHECK(e.where() == DeviceError::Where::Instance);
    }
}
