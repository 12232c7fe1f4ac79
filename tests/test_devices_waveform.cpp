// Independent-source waveforms with ngspice's semantics, their breakpoints, and the statistics of
// TRNOISE and TRRANDOM.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include <unsupported/Eigen/FFT>

#include "models/TransientNoise.hpp"
#include "models/Variability.hpp"
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

namespace {

/// TRNOISE/TRRANDOM of a source named "v1" with .options seed `seed`, prepared for `tstop`.
ionspice::models::TransientNoise noise(Waveform::Kind k, std::vector<double> args, double tstop, std::uint64_t seed = 1) {
    ionspice::models::TransientNoise n(wave(k, std::move(args)), ionspice::models::variability_key(seed, "v1"), "v1");
    n.prepare(tstop);
    return n;
}

}  // namespace

TEST_CASE("TRNOISE: white samples every nt with the asked RMS, linear between them, 0 at t = 0") {
    const double na = 1e-3, nt = 1e-9;
    const auto n = noise(Waveform::Kind::Trnoise, {na, nt}, 2e-5);
    const int count = 20000;
    double sum = 0, squares = 0;
    for (int k = 1; k <= count; ++k) {
        const double v = n.value(k * nt);
        sum += v;
        squares += v * v;
    }
    const double mean = sum / count, rms = std::sqrt(squares / count);
    CHECK(std::abs(mean) < 4 * na / std::sqrt(count));  // four standard errors
    CHECK(rms == doctest::Approx(na).epsilon(0.03));     // sampling error of the RMS: 0.5 %
    CHECK(n.value(0) == 0);
    CHECK(n.value(10.5 * nt) == doctest::Approx(0.5 * (n.value(10 * nt) + n.value(11 * nt))).epsilon(1e-12));
    // The same seed draws the same waveform; another seed another one.
    const auto again = noise(Waveform::Kind::Trnoise, {na, nt}, 2e-5);
    const auto other = noise(Waveform::Kind::Trnoise, {na, nt}, 2e-5, 7);
    CHECK(again.value(123 * nt) == n.value(123 * nt));
    CHECK(other.value(123 * nt) != n.value(123 * nt));
    std::vector<double> bps;
    n.breakpoints(0, 3.5 * nt, bps);
    check_times(bps, {nt, 2 * nt, 3 * nt});
}

TEST_CASE("TRNOISE: the 1/f part has a spectrum falling as 1/f^nalpha") {
    // Welch's estimate over 16 segments of 1024 samples; the slope of log S against log f
    // between the 8th and the 128th bin should be −nalpha.
    const double nt = 1e-6;
    const std::size_t seg = 1024, segments = 16;
    for (const double alpha : {1.0, 1.6}) {
        const auto n = noise(Waveform::Kind::Trnoise, {0, nt, alpha, 1}, seg * segments * nt);
        std::vector<double> power(seg / 2, 0.0);
        Eigen::FFT<double> fft;
        for (std::size_t s = 0; s < segments; ++s) {
            std::vector<double> x(seg);
            double mean = 0;
            for (std::size_t k = 0; k < seg; ++k) mean += x[k] = n.value(static_cast<double>(s * seg + k + 1) * nt);
            mean /= static_cast<double>(seg);
            for (std::size_t k = 0; k < seg; ++k)  // Hann window, mean removed
                x[k] = (x[k] - mean) * (0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(k) / seg));
            std::vector<std::complex<double>> X;
            fft.fwd(X, x);
            for (std::size_t k = 1; k < seg / 2; ++k) power[k] += std::norm(X[k]);
        }
        double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
        for (std::size_t k = 8; k <= 128; ++k) {
            const double lx = std::log(static_cast<double>(k)), ly = std::log(power[k]);
            sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly, m += 1;
        }
        const double slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
        INFO("nalpha " << alpha);
        CHECK(slope == doctest::Approx(-alpha).epsilon(0.15));
    }
}

TEST_CASE("TRNOISE: random telegraph noise is captured for the fraction rtsemt/(rtscapt + rtsemt)") {
    const double capt = 2e-6, emt = 1e-6, tstop = 2e-2;  // about 6700 switches
    const auto n = noise(Waveform::Kind::Trnoise, {0, 0, 0, 0, 1e-3, capt, emt}, tstop);
    int captured = 0, other = 0;
    const int probes = 200000;
    for (int k = 0; k < probes; ++k) {
        const double v = n.value((k + 0.5) * tstop / probes);
        other += v != 0 && v != 1e-3;
        captured += v > 0;
    }
    CHECK(other == 0);  // two levels only
    CHECK(static_cast<double>(captured) / probes == doctest::Approx(emt / (capt + emt)).epsilon(0.06));
    std::vector<double> bps;
    n.breakpoints(0, tstop, bps);
    CHECK(bps.size() > 6000);  // every switch
}

TEST_CASE("TRRANDOM: param2 before td, then a held draw every ts, of each distribution") {
    const double ts = 1e-6, td = 5e-6;
    auto draws = [&](double type, double p1, double p2) {
        const auto n = noise(Waveform::Kind::Trrandom, {type, ts, td, p1, p2}, 1);
        CHECK(n.value(td / 2) == p2);
        CHECK(n.value(td + 0.2 * ts) == n.value(td + 0.9 * ts));  // held within a step
        std::vector<double> v;
        for (int k = 0; k < 20000; ++k) v.push_back(n.value(td + (k + 0.5) * ts));
        return v;
    };
    auto mean = [](const std::vector<double>& v) {
        double s = 0;
        for (double x : v) s += x;
        return s / static_cast<double>(v.size());
    };
    const auto uniform = draws(1, 2, 0.5);
    CHECK(*std::min_element(uniform.begin(), uniform.end()) >= -1.5);
    CHECK(*std::max_element(uniform.begin(), uniform.end()) < 2.5);
    CHECK(mean(uniform) == doctest::Approx(0.5).epsilon(0.03));
    const auto normal = draws(2, 0.1, 1);
    double var = 0;
    for (double x : normal) var += (x - 1) * (x - 1);
    CHECK(std::sqrt(var / static_cast<double>(normal.size())) == doctest::Approx(0.1).epsilon(0.03));
    CHECK(mean(draws(3, 2, 1)) == doctest::Approx(3).epsilon(0.03));
    const auto poisson = draws(4, 3, 0);
    CHECK(mean(poisson) == doctest::Approx(3).epsilon(0.03));
    CHECK(std::all_of(poisson.begin(), poisson.end(), [](double x) { return x == std::floor(x) && x >= 0; }));
    CHECK_THROWS(noise(Waveform::Kind::Trrandom, {5, ts}, 1));
    CHECK_THROWS(noise(Waveform::Kind::Trrandom, {1, 0}, 1));
}
