// Linear devices: resistor, capacitor, inductor, independent and controlled sources. Each one's
// f must equal J·x + b(t), with b(t) what load_source adds.

#include <doctest/doctest.h>

#include <cmath>

#include "models/Capacitor.hpp"
#include "models/Inductor.hpp"
#include "tests/DeviceHarness.hpp"

using namespace ionspice;
using namespace ionspice::test;
using models::DeviceError;
using models::LoadContext;
using models::SourceValue;
using models::Waveform;

namespace {

/// f − J·x must be what load_source adds (zero for devices without a source), and J, q, dq/dx
/// must be consistent for a linear device: q = Jq·x.
void check_linear(DeviceHarness& h, const std::vector<double>& x, LoadContext ctx = {}) {
    REQUIRE(h.device().is_linear());
    const Loaded l = h.load(x, ctx);
    std::vector<double> b(static_cast<std::size_t>(h.size()), 0.0);
    ctx.x = x.data();
    if (h.device().has_source()) h.device().load_source(ctx, b.data());
    for (int r = 0; r < h.size(); ++r) {
        double jx = 0, qx = 0;
        for (int c = 0; c < h.size(); ++c) {
            jx += l.Jf(r, c) * x[static_cast<std::size_t>(c)];
            qx += l.Jq(r, c) * x[static_cast<std::size_t>(c)];
        }
        CAPTURE(r);
        CHECK(l.f[static_cast<std::size_t>(r)] == doctest::Approx(jx + b[static_cast<std::size_t>(r)]).epsilon(1e-14));
        CHECK(l.q[static_cast<std::size_t>(r)] == doctest::Approx(qx).epsilon(1e-14));
    }
}

models::InstanceCard source_card(std::string name, SourceValue s) {
    models::InstanceCard c = card(std::move(name), {"p", "n"});
    c.source = std::move(s);
    return c;
}

template <typename F>
DeviceError error_of(F&& build) {
    try {
        build();
    } catch (const DeviceError& e) {
        return e;
    }
    FAIL("no DeviceError");
    return DeviceError(DeviceError::Where::Instance, "", "");
}

}  // namespace

TEST_CASE("resistor: current is (vp - vn)/R leaving p") {
    DeviceHarness h(card("r1", {"a", "b"}, {2e3}), {0, 1}, 2);
    const Loaded l = h.load({1.5, 0.3});
    CHECK(l.f[0] == doctest::Approx(1.2 / 2e3));
    CHECK(l.f[1] == doctest::Approx(-1.2 / 2e3));
    CHECK(l.Jf(0, 0) == doctest::Approx(1 / 2e3));
    CHECK(l.Jf(0, 1) == doctest::Approx(-1 / 2e3));
    check_linear(h, {1.5, 0.3});
    check_linear(h, {-7, 2});
}

TEST_CASE("resistor: named value, multiplier and temperature coefficients") {
    DeviceHarness named(card("r2", {"a", "0"}, {}, {{"r", 2e3}, {"m", 2}}), {0, kGround}, 1);
    CHECK(named.load({1}).Jf(0, 0) == doctest::Approx(2 / 2e3));
    DeviceHarness alias(card("r3", {"a", "0"}, {}, {{"resistance", 50}}), {0, kGround}, 1);
    CHECK(alias.load({1}).f[0] == doctest::Approx(1 / 50.0));
    models::InstanceCard hot = card("r4", {"a", "0"}, {100}, {{"tc1", 1e-3}, {"tc2", 1e-6}});
    hot.temp = 77;
    DeviceHarness h(hot, {0, kGround}, 1);
    CHECK(h.load({1}).Jf(0, 0) == doctest::Approx(1 / (100 * (1 + 50e-3 + 2500e-6))));
    DeviceHarness negative(card("r5", {"a", "0"}, {-10}), {0, kGround}, 1);
    CHECK(negative.load({1}).f[0] == doctest::Approx(-0.1));
}

TEST_CASE("resistor: zero, missing or doubly given resistance and unknown parameters are errors") {
    DeviceError e = error_of([] { DeviceHarness h(card("r1", {"a", "b"}, {0.0}), {0, 1}, 2); });
    CHECK(e.where() == DeviceError::Where::Value);
    CHECK(e.param() == "0");
    CHECK(std::string(e.what()).find("r1") != std::string::npos);
    e = error_of([] { DeviceHarness h(card("r1", {"a", "b"}, {}, {{"r", 0}}), {0, 1}, 2); });
    CHECK(e.where() == DeviceError::Where::Instance);
    CHECK(e.param() == "r");
    e = error_of([] { DeviceHarness h(card("r1", {"a", "b"}), {0, 1}, 2); });
    CHECK(e.where() == DeviceError::Where::Value);
    e = error_of([] { DeviceHarness h(card("r1", {"a", "b"}, {1e3}, {{"r", 2e3}}), {0, 1}, 2); });
    CHECK(e.param() == "r");
    e = error_of([] { DeviceHarness h(card("r1", {"a", "b"}, {1e3}, {{"rr", 2e3}}), {0, 1}, 2); });
    CHECK(e.where() == DeviceError::Where::Instance);
    CHECK(e.param() == "rr");
    e = error_of([] { DeviceHarness h(card("r1", {"a", "b"}, {1e3, 5}), {0, 1}, 2); });
    CHECK(e.param() == "1");
}

TEST_CASE("resistor: a grounded terminal requests no entries in its row or column") {
    DeviceHarness h(card("r1", {"0", "b"}, {10}), {kGround, 0}, 1);
    const Loaded l = h.load({2});
    CHECK(l.f[0] == doctest::Approx(0.2));
    CHECK(l.Jf(0, 0) == doctest::Approx(0.1));
}

TEST_CASE("capacitor: q = C(vp - vn), no current in f, and ic= is kept") {
    DeviceHarness h(card("c1", {"a", "b"}, {1e-9}, {{"ic", 0.25}, {"m", 3}}), {0, 1}, 2);
    const Loaded l = h.load({2, 0.5});
    CHECK(l.q[0] == doctest::Approx(3e-9 * 1.5));
    CHECK(l.q[1] == doctest::Approx(-3e-9 * 1.5));
    CHECK(l.f[0] == 0);
    CHECK(l.Jq(0, 1) == doctest::Approx(-3e-9));
    CHECK(l.Jf(0, 0) == 0);
    check_linear(h, {2, 0.5});
    auto* c = dynamic_cast<models::Capacitor*>(&h.device());
    REQUIRE(c);
    REQUIRE(c->initial_condition());
    CHECK(*c->initial_condition() == 0.25);
    DeviceHarness no_ic(card("c2", {"a", "0"}, {}, {{"c", 1e-12}}), {0, kGround}, 1);
    CHECK_FALSE(dynamic_cast<models::Capacitor&>(no_ic.device()).initial_condition());
}

TEST_CASE("inductor: branch row is vp - vn = L di/dt, branch current leaves p") {
    DeviceHarness h(card("l1", {"a", "b"}, {2e-6}, {{"ic", 1e-3}}), {0, 1}, 2);
    REQUIRE(h.size() == 3);
    const Loaded l = h.load({1.0, 0.25, 0.5});
    CHECK(l.f[0] == doctest::Approx(0.5));
    CHECK(l.f[1] == doctest::Approx(-0.5));
    CHECK(l.f[2] == doctest::Approx(0.75));
    CHECK(l.q[2] == doctest::Approx(-2e-6 * 0.5));
    CHECK(l.Jq(2, 2) == doctest::Approx(-2e-6));
    check_linear(h, {1.0, 0.25, 0.5});
    auto& ind = dynamic_cast<models::Inductor&>(h.device());
    CHECK(*ind.initial_condition() == 1e-3);
    CHECK(ind.branch() == 2);
}

TEST_CASE("voltage source: branch row is vp - vn - value, i flows from p through the source to n") {
    SourceValue s;
    s.dc = 1.5;
    s.has_dc = true;
    DeviceHarness h(source_card("v1", s), {0, 1}, 2);
    REQUIRE(h.size() == 3);
    REQUIRE(h.device().has_source());
    const Loaded l = h.load({2.0, 0.25, 1e-3});
    CHECK(l.f[0] == doctest::Approx(1e-3));
    CHECK(l.f[1] == doctest::Approx(-1e-3));
    CHECK(l.f[2] == doctest::Approx(2.0 - 0.25 - 1.5));
    check_linear(h, {2.0, 0.25, 1e-3});
    LoadContext half;
    half.source_scale = 0.5;
    CHECK(h.load({2.0, 0.25, 0}, half).f[2] == doctest::Approx(2.0 - 0.25 - 0.75));
    check_linear(h, {2.0, 0.25, 1e-3}, half);

    auto& src = dynamic_cast<models::IndependentSource&>(h.device());
    CHECK(src.is_voltage());
    CHECK(src.dc_value() == 1.5);
    src.set_dc_value(-3);
    CHECK(h.load({0, 0, 0}).f[2] == doctest::Approx(3));
}

TEST_CASE("voltage source: DC analyses use the DC value, transient the waveform at ctx.time") {
    SourceValue s;
    s.dc = 0.1;
    s.has_dc = true;
    s.wave.kind = Waveform::Kind::Pulse;
    s.wave.args = {0, 1, 1e-9, 2e-9, 2e-9, 5e-9, 20e-9};
    DeviceHarness h(source_card("v1", s), {0, kGround}, 1);
    LoadContext dc;
    CHECK(h.load({0, 0}, dc).f[1] == doctest::Approx(-0.1));
    LoadContext tran;
    tran.dc = false;
    tran.time = 2e-9;
    CHECK(h.load({0, 0}, tran).f[1] == doctest::Approx(-0.5));
    tran.time = 5e-9;
    CHECK(h.load({0, 0}, tran).f[1] == doctest::Approx(-1));
    check_linear(h, {0.3, 1e-3}, tran);
    std::vector<double> bp;
    h.device().breakpoints(0, 20e-9, bp);
    REQUIRE(bp.size() == 4);
    CHECK(bp[0] == doctest::Approx(1e-9));
    CHECK(bp[3] == doctest::Approx(10e-9));
}

TEST_CASE("voltage source: left-out PULSE edges take tstep once the transient sets its defaults") {
    SourceValue s;
    s.wave.kind = Waveform::Kind::Pulse;
    s.wave.args = {0, 1};
    DeviceHarness h(source_card("v1", s), {0, kGround}, 1);
    LoadContext tran;
    tran.dc = false;
    tran.time = 0.5e-9;
    // Ideal edge until defaults are known.
    CHECK(h.load({0, 0}, tran).f[1] == doctest::Approx(-1));
    h.device().set_transient_defaults(1e-9, 100e-9);
    CHECK(h.load({0, 0}, tran).f[1] == doctest::Approx(-0.5));
}

TEST_CASE("current source: the value flows from p through the source to n") {
    SourceValue s;
    s.dc = 2e-3;
    s.has_dc = true;
    DeviceHarness h(source_card("i1", s), {0, 1}, 2);
    const Loaded l = h.load({5, 1});
    CHECK(l.f[0] == doctest::Approx(2e-3));
    CHECK(l.f[1] == doctest::Approx(-2e-3));
    CHECK(l.Jf(0, 0) == 0);
    check_linear(h, {5, 1});
    CHECK_FALSE(dynamic_cast<models::IndependentSource&>(h.device()).is_voltage());
    models::InstanceCard twice = source_card("i2", s);
    twice.params = {{"m", 2}};
    DeviceHarness h2(twice, {0, 1}, 2);
    CHECK(h2.load({0, 0}).f[0] == doctest::Approx(4e-3));
}

TEST_CASE("source: a bad waveform is an error naming the waveform") {
    SourceValue s;
    s.wave.kind = Waveform::Kind::Pwl;
    s.wave.args = {0, 0, 1e-9};
    DeviceError e = error_of([&] { DeviceHarness h(source_card("v9", s), {0, 1}, 2); });
    CHECK(e.param() == "pwl");
    CHECK(std::string(e.what()).find("v9") != std::string::npos);
}

TEST_CASE("VCVS: vp - vn = gain (vcp - vcn)") {
    DeviceHarness h(card("e1", {"p", "n", "cp", "cn"}, {10}), {0, 1, 2, 3}, 4);
    const Loaded l = h.load({3, 1, 0.5, 0.3, 2e-3});
    CHECK(l.f[4] == doctest::Approx(2 - 10 * 0.2));
    CHECK(l.f[0] == doctest::Approx(2e-3));
    CHECK(l.f[1] == doctest::Approx(-2e-3));
    check_linear(h, {3, 1, 0.5, 0.3, 2e-3});
}

TEST_CASE("VCCS: gm (vcp - vcn) flows from p through the source to n") {
    DeviceHarness h(card("g1", {"p", "n", "cp", "cn"}, {1e-3}), {0, 1, 2, kGround}, 3);
    const Loaded l = h.load({3, 1, 0.5});
    CHECK(l.f[0] == doctest::Approx(0.5e-3));
    CHECK(l.f[1] == doctest::Approx(-0.5e-3));
    CHECK(l.f[2] == 0);
    CHECK(l.Jf(0, 2) == doctest::Approx(1e-3));
    check_linear(h, {3, 1, 0.5});
}

TEST_CASE("CCCS: gain times the controlling branch current flows from p to n") {
    models::InstanceCard c = card("f1", {"p", "n"}, {5});
    c.refs = {"vsense"};
    DeviceHarness h(c, {0, 1}, 3, {{"vsense", 2}});
    const Loaded l = h.load({1, 2, 1e-3});
    CHECK(l.f[0] == doctest::Approx(5e-3));
    CHECK(l.f[1] == doctest::Approx(-5e-3));
    CHECK(l.Jf(0, 2) == doctest::Approx(5));
    check_linear(h, {1, 2, 1e-3});
    models::InstanceCard missing = card("f2", {"p", "n"}, {5});
    missing.refs = {"vnone"};
    DeviceError e = error_of([&] { DeviceHarness h2(missing, {0, 1}, 3, {{"vsense", 2}}); });
    CHECK(e.param() == "vnone");
}

TEST_CASE("CCVS: vp - vn = r times the controlling branch current") {
    models::InstanceCard c = card("h1", {"p", "0"}, {1e3});
    c.refs = {"vsense"};
    DeviceHarness h(c, {0, kGround}, 2, {{"vsense", 1}});
    REQUIRE(h.size() == 3);
    const Loaded l = h.load({2.5, 2e-3, 7e-3});
    CHECK(l.f[2] == doctest::Approx(2.5 - 2));
    CHECK(l.f[0] == doctest::Approx(7e-3));
    check_linear(h, {2.5, 2e-3, 7e-3});
}

TEST_CASE("controlled sources: wrong node counts and missing controls are errors") {
    DeviceError e = error_of([] { DeviceHarness h(card("e1", {"p", "n", "cp"}, {10}), {0, 1, 2}, 3); });
    CHECK(e.where() == DeviceError::Where::Instance);
    e = error_of([] { DeviceHarness h(card("h1", {"p", "n"}, {10}), {0, 1}, 2); });
    CHECK(std::string(e.what()).find("h1") != std::string::npos);
    e = error_of([] { DeviceHarness h(card("g1", {"p", "n", "a", "b"}, {}), {0, 1, 2, 3}, 4); });
    CHECK(e.where() == DeviceError::Where::Value);
}
