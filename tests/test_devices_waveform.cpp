// Independent-source waveforms with ngspice-39's semantics, and their breakpoints.

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "models/Waveform.hpp"

using namespace ionspice::models;

namespace {

Waveform wave(Waveform::Kind k, std::vector<double> args) {
    Waveform w;
    w.kind = k;
    w.args = std::move(args);
    return w;
}

std::vector<double> breakpoints(const Waveform& w, double t0, double t1, TransientDefaults d = {}) {
    std::vector<double> out;
    waveform_breakpoints(w, t0, t1, d, out);
    return out;
}

void check_times(const std::vector<double>& got, const std::vector<double>& expected) {
    REQUIRE(got.size() == expected.size());
    for (std::size_t k = 0; k < got.size(); ++k) {
        CAPTURE(k);
        CHECK(got[k] == doctest::Approx(expected[k]).epsilon(1e-12));
    }
}

constexpr double n = 1e-9;

}  // namespace

TEST_CASE("PULSE: rise, width, fall and period as ngspice evaluates them") {
    const Waveform w = wave(Waveform::Kind::Pulse, {0, 1, 1 * n, 2 * n, 3 * n, 10 * n, 20 * n});
    const TransientDefaults d{0.1 * n, 1000 * n};
    CHECK(waveform_value(w, 0, d) == 0);
    CHECK(waveform_value(w, 1 * n, d) == 0);
    CHECK(waveform_value(w, 2 * n, d) == doctest::Approx(0.5));
    CHECK(waveform_value(w, 3 * n, d) == 1);
    CHECK(waveform_value(w, 13 * n, d) == 1);
    CHECK(waveform_value(w, 14.5 * n, d) == doctest::Approx(0.5));
    CHECK(waveform_value(w, 16 * n, d) == 0);
    CHECK(waveform_value(w, 20.5 * n, d) == 0);
    CHECK(waveform_value(w, 22 * n, d) == doctest::Approx(0.5));  // second period
    CHECK(waveform_value(w, 1e-3, d) == doctest::Approx(waveform_value(w, 1e-3 - 20 * n * 10000, d)));
}

TEST_CASE("PULSE: the eighth argument limits the number of pulses") {
    const Waveform w = wave(Waveform::Kind::Pulse, {0, 1, 0, 1 * n, 1 * n, 5 * n, 10 * n, 2});
    CHECK(waveform_value(w, 12 * n, {}) == 1);
    CHECK(waveform_value(w, 22 * n, {}) == 0);
    CHECK(waveform_value(w, 32 * n, {}) == 0);
    check_times(breakpoints(w, 0, 100 * n), {1 * n, 6 * n, 7 * n, 10 * n, 11 * n, 16 * n, 17 * n});
}

TEST_CASE("PULSE: left-out or zero edges and width take tstep and tstop") {
    const Waveform w = wave(Waveform::Kind::Pulse, {0, 2, 0, 0});
    const TransientDefaults d{1 * n, 100 * n};
    CHECK(waveform_value(w, 0.5 * n, d) == doctest::Approx(1));
    CHECK(waveform_value(w, 50 * n, d) == 2);
    // Without defaults the edges are ideal and the pulse never ends.
    CHECK(waveform_value(w, 0.5 * n, {}) == 2);
    CHECK(waveform_value(w, 1.0, {}) == 2);
}

TEST_CASE("PULSE: breakpoints at every corner of every period in (t0, t1]") {
    const Waveform w = wave(Waveform::Kind::Pulse, {0, 1, 1 * n, 2 * n, 3 * n, 10 * n, 20 * n});
    check_times(breakpoints(w, 0, 45 * n),
                {1 * n, 3 * n, 13 * n, 16 * n, 21 * n, 23 * n, 33 * n, 36 * n, 41 * n, 43 * n});
    check_times(breakpoints(w, 13 * n, 23 * n), {16 * n, 21 * n, 23 * n});
    CHECK(breakpoints(w, 1e-3, 1e-3 + 0.5 * n).empty());
}

TEST_CASE("PWL: interpolation, td= delay and r= repetition") {
    Waveform w = wave(Waveform::Kind::Pwl, {0, 0, 1 * n, 1, 2 * n, 1, 3 * n, 0});
    w.repeat = 1 * n;
    w.delay = 0.5 * n;
    CHECK(waveform_value(w, 0.25 * n, {}) == 0);
    CHECK(waveform_value(w, 1 * n, {}) == doctest::Approx(0.5));
    CHECK(waveform_value(w, 2 * n, {}) == doctest::Approx(1));
    CHECK(waveform_value(w, 3 * n, {}) == doctest::Approx(0.5));
    CHECK(waveform_value(w, 3.5 * n, {}) == doctest::Approx(0));
    // Repeats the part from 1 ns to 3 ns: period 2 ns.
    CHECK(waveform_value(w, 4.5 * n, {}) == doctest::Approx(1));
    CHECK(waveform_value(w, 5.0 * n, {}) == doctest::Approx(0.5));
    CHECK(waveform_value(w, 5.25 * n, {}) == doctest::Approx(0.25));
    check_times(breakpoints(w, 0, 8 * n), {0.5 * n, 1.5 * n, 2.5 * n, 3.5 * n, 4.5 * n, 5.5 * n, 6.5 * n, 7.5 * n});
    check_times(breakpoints(w, 5 * n, 7 * n), {5.5 * n, 6.5 * n});

    Waveform once = wave(Waveform::Kind::Pwl, {1 * n, 2, 2 * n, 4});
    CHECK(waveform_value(once, 0, {}) == 2);
    CHECK(waveform_value(once, 1.25 * n, {}) == doctest::Approx(2.5));
    CHECK(waveform_value(once, 5 * n, {}) == 4);

    Waveform from_zero = wave(Waveform::Kind::Pwl, {0, 0, 1 * n, 1});
    from_zero.repeat = 0;
    CHECK(waveform_value(from_zero, 1.5 * n, {}) == doctest::Approx(0.5));
    from_zero.repeat = -1;  // ngspice: r=-1 switches repetition off
    CHECK(waveform_value(from_zero, 1.5 * n, {}) == 1);
}

TEST_CASE("SIN: offset before the delay, damped sine after it") {
    const Waveform w = wave(Waveform::Kind::Sin, {0.5, 2, 1e6, 1e-6, 1e5, 30});
    CHECK(waveform_value(w, 0.5e-6, {}) == doctest::Approx(1.5));
    const double expected = 0.5 + 2 * std::sin(std::numbers::pi / 2 + std::numbers::pi / 6) * std::exp(-0.025);
    CHECK(waveform_value(w, 1.25e-6, {}) == doctest::Approx(expected));
    check_times(breakpoints(w, 0, 1e-5), {1e-6});
    // FREQ defaults to 1/tstop.
    const Waveform slow = wave(Waveform::Kind::Sin, {0, 1});
    CHECK(waveform_value(slow, 0.25, {0, 1.0}) == doctest::Approx(1));
}

TEST_CASE("EXP: rise after td1, fall after td2") {
    const Waveform w = wave(Waveform::Kind::Exp, {0, 1, 1e-6, 0.2e-6, 3e-6, 0.5e-6});
    CHECK(waveform_value(w, 0.5e-6, {}) == 0);
    CHECK(waveform_value(w, 2e-6, {}) == doctest::Approx(1 - std::exp(-5)));
    CHECK(waveform_value(w, 4e-6, {}) == doctest::Approx((1 - std::exp(-15)) - (1 - std::exp(-2))));
    check_times(breakpoints(w, 0, 1e-5), {1e-6, 3e-6});
    check_times(breakpoints(w, 1e-6, 1e-5), {3e-6});
}

TEST_CASE("waveforms: wrong argument counts and ranges are errors naming the waveform") {
    auto param_of = [](Waveform w) -> std::string {
        try {
            check_waveform(w, "voltage source v1");
        } catch (const DeviceError& e) {
            CHECK(e.where() == DeviceError::Where::Instance);
            CHECK(std::string(e.what()).find("v1") != std::string::npos);
            return e.param();
        }
        return "";
    };
    CHECK(param_of(wave(Waveform::Kind::Pulse, {1})) == "pulse");
    CHECK(param_of(wave(Waveform::Kind::Pulse, {0, 1, 0, -1e-9})) == "pulse");
    CHECK(param_of(wave(Waveform::Kind::Pwl, {0, 1, 1e-9})) == "pwl");
    CHECK(param_of(wave(Waveform::Kind::Pwl, {0, 1, 2e-9, 0, 1e-9, 1})) == "pwl");
    CHECK(param_of(wave(Waveform::Kind::Sin, {0, 1, 1e3, 0, 0, 0, 7})) == "sin");
    CHECK(param_of(wave(Waveform::Kind::Exp, {0, 1, 0, -1})) == "exp");
    Waveform r = wave(Waveform::Kind::Pwl, {0, 0, 1e-9, 1, 2e-9, 0});
    r.repeat = 0.5e-9;
    CHECK(param_of(r) == "pwl");
    r.repeat = 2e-9;
    CHECK(param_of(r) == "pwl");
    r.repeat = 1e-9;
    CHECK(param_of(r).empty());
}

TEST_CASE("SFFM and AM as ngspice 47 evaluates them: zero before td, defaults from tstop, MDI limited") {
    const double pi = std::numbers::pi;
    const TransientDefaults d{1e-6, 1e-3};
    const Waveform fm = wave(Waveform::Kind::Sffm, {0.5, 2, 10e3, 3, 1e3, 1e-4, 30, 60});
    for (double t : {0.0, 0.5e-4, 1.0e-4, 2.3e-4, 7.7e-4}) {
        const double tau = t - 1e-4;
        const double want =
            tau <= 0 ? 0 : 0.5 + 2 * std::sin(2 * pi * 10e3 * tau + pi / 3 + 3 * std::sin(2 * pi * 1e3 * tau + pi / 6));
        CHECK(waveform_value(fm, t, d) == doctest::Approx(want).epsilon(1e-12));
    }
    // MDI 90 (the default) is more than fc/fm = 5/500: limited to 0.01.
    const Waveform limited = wave(Waveform::Kind::Sffm, {0, 1});
    const double t = 3.3e-4, fc = 5 / 1e-3, fmod = 500 / 1e-3;
    CHECK(waveform_value(limited, t, d) ==
          doctest::Approx(std::sin(2 * pi * fc * t + 0.01 * std::sin(2 * pi * fmod * t))).epsilon(1e-12));

    const Waveform am = wave(Waveform::Kind::Am, {0.1, 1, 0.5, 2e3, 50e3, 2e-4, 90, 0});
    for (double tt : {1e-4, 2e-4, 3.1e-4, 9e-4}) {
        const double tau = tt - 2e-4;
        const double want =
            tau <= 0 ? 0 : 0.1 + (1 + 0.5 * std::sin(2 * pi * 2e3 * tau + pi / 2)) * std::sin(2 * pi * 50e3 * tau);
        CHECK(waveform_value(am, tt, d) == doctest::Approx(want).epsilon(1e-12));
    }
    check_times(breakpoints(am, 0, 1e-3, d), {2e-4});
    CHECK_THROWS(check_waveform(wave(Waveform::Kind::Am, {0, 1, 1, -1}), "voltage source v1"));
}
