// The MTT transfer fit (tools/TransferFit.hpp) on synthetic data with known parameters.

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tools/TransferFit.hpp"

using namespace ionspice::tools;

namespace {

struct Truth {
    double a_p, b_p, r_p, a_n, b_n, r_n;
};

// W_b = sign(W_h)·A·u/(1 + B·u), u = max(|W_h| − r, 0): the rational form when r = 0.
double transfer(const Truth& t, double w_h) {
    if (w_h >= 0) {
        double u = std::max(w_h - t.r_p, 0.0);
        return t.a_p * u / (1 + t.b_p * u);
    }
    double u = std::max(-w_h - t.r_n, 0.0);
    return -t.a_n * u / (1 + t.b_n * u);
}

struct Data {
    std::vector<double> w_h, w_b;
};

/// W_h on [lo, hi] in n steps; W_b with additive Gaussian noise of `sigma` (fixed seed).
Data synthesise(const Truth& t, double lo, double hi, int n, double sigma = 0, unsigned seed = 12345) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0.0, 1.0);
    Data d;
    for (int k = 0; k <= n; ++k) {
        double w = lo + (hi - lo) * k / n;
        d.w_h.push_back(w);
        d.w_b.push_back(transfer(t, w) + sigma * noise(rng));
    }
    return d;
}

void check_relative(double got, double want, double tol) {
    INFO("got " << got << ", want " << want);
    CHECK(std::abs(got - want) <= tol * std::abs(want));
}

void check_within(const Estimate& e, double truth, double sigmas) {
    INFO("estimate " << e.value << " ± " << e.error << ", truth " << truth);
    REQUIRE(std::isfinite(e.error));
    CHECK(e.error > 0);
    CHECK(std::abs(e.value - truth) <= sigmas * e.error);
}

std::string error_of(const Data& d, TransferForm form) {
    try {
        fit_transfer(d.w_h, d.w_b, form);
    } catch (const FitError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("fit: the rational form recovers A_p, B_p, A_n, B_n from noise-free data to 1e-6") {
    const Truth t{5.0, 4.0, 0, 3.0, 2.5, 0};
    Data d = synthesise(t, -1, 1, 80);
    auto fit = fit_transfer(d.w_h, d.w_b, TransferForm::rational);
    REQUIRE(fit.positive);
    REQUIRE(fit.negative);
    check_relative(fit.positive->a.value, t.a_p, 1e-6);
    check_relative(fit.positive->b.value, t.b_p, 1e-6);
    check_relative(fit.negative->a.value, t.a_n, 1e-6);
    check_relative(fit.negative->b.value, t.b_n, 1e-6);
    CHECK(fit.r2 == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(fit(0.5) == doctest::Approx(transfer(t, 0.5)));
    CHECK(fit(-0.5) == doctest::Approx(transfer(t, -0.5)));
}

TEST_CASE("fit: the ternary form recovers A, B and the dead-zone radius r per sign from noise-free data") {
    // Radii between grid points, so the fit has to move r off its starting grid.
    const Truth t{6.0, 3.0, 0.173, 4.0, 2.0, 0.231};
    Data d = synthesise(t, -1, 1, 100);
    auto fit = fit_transfer(d.w_h, d.w_b, TransferForm::ternary);
    REQUIRE(fit.positive);
    REQUIRE(fit.negative);
    check_relative(fit.positive->a.value, t.a_p, 1e-6);
    check_relative(fit.positive->b.value, t.b_p, 1e-6);
    check_relative(fit.positive->r.value, t.r_p, 1e-6);
    check_relative(fit.negative->a.value, t.a_n, 1e-6);
    check_relative(fit.negative->b.value, t.b_n, 1e-6);
    check_relative(fit.negative->r.value, t.r_n, 1e-6);
}

TEST_CASE("fit: with 1 % Gaussian noise the rational fit lies within 3 standard errors of the truth") {
    const Truth t{5.0, 4.0, 0, 3.0, 2.5, 0};
    Data d = synthesise(t, -1, 1, 200, 0.01);
    auto fit = fit_transfer(d.w_h, d.w_b, TransferForm::rational);
    REQUIRE(fit.positive);
    REQUIRE(fit.negative);
    check_within(fit.positive->a, t.a_p, 3);
    check_within(fit.positive->b, t.b_p, 3);
    check_within(fit.negative->a, t.a_n, 3);
    check_within(fit.negative->b, t.b_n, 3);
    CHECK(fit.r2 > 0.999);
}

TEST_CASE("fit: with 1 % Gaussian noise the ternary fit lies within 3 standard errors of the truth") {
    const Truth t{6.0, 3.0, 0.173, 4.0, 2.0, 0.231};
    Data d = synthesise(t, -1, 1, 200, 0.01, 777);
    auto fit = fit_transfer(d.w_h, d.w_b, TransferForm::ternary);
    REQUIRE(fit.positive);
    REQUIRE(fit.negative);
    check_within(fit.positive->a, t.a_p, 3);
    check_within(fit.positive->b, t.b_p, 3);
    check_within(fit.positive->r, t.r_p, 3);
    check_within(fit.negative->a, t.a_n, 3);
    check_within(fit.negative->b, t.b_n, 3);
    check_within(fit.negative->r, t.r_n, 3);
}

TEST_CASE("fit: only the signs present in the data are fitted") {
    const Truth t{5.0, 4.0, 0, 3.0, 2.5, 0};
    Data d = synthesise(t, 0, 1, 40);
    auto fit = fit_transfer(d.w_h, d.w_b, TransferForm::rational);
    CHECK(fit.positive);
    CHECK_FALSE(fit.negative);
    CHECK(std::isnan(fit(-0.5)));

    Data n = synthesise(t, -1, 0, 40);
    auto neg = fit_transfer(n.w_h, n.w_b, TransferForm::rational);
    CHECK_FALSE(neg.positive);
    REQUIRE(neg.negative);
    check_relative(neg.negative->a.value, t.a_n, 1e-6);
    CHECK(neg.negative->points == 41);  // W_h = 0 joins the only branch there is
}

TEST_CASE("fit: too few points on one side is an error naming the side and the need") {
    Data d{{-1.0, -0.5, 0.0, 0.5}, {-0.8, -0.5, 0.0, 0.4}};
    std::string e = error_of(d, TransferForm::rational);
    CHECK(e.find("too few points with W_h > 0: 1") != std::string::npos);
    CHECK(e.find("at least 2") != std::string::npos);

    Data t2{{0.5, 1.0, -0.5, -1.0, -0.7}, {0.5, 0.8, -0.5, -0.8, -0.6}};
    e = error_of(t2, TransferForm::ternary);
    CHECK(e.find("too few points with W_h > 0: 2 (the ternary form needs at least 3)") != std::string::npos);
}

TEST_CASE("fit: non-finite data and data with a pole are errors, not results") {
    Data d{{0.1, 0.5, 1.0}, {0.1, NAN, 0.8}};
    CHECK(error_of(d, TransferForm::rational).find("non-finite") != std::string::npos);

    // Alternating signs: the best rational fit puts its pole among the data.
    Data alt;
    for (int k = 1; k <= 20; ++k) {
        alt.w_h.push_back(k / 20.0);
        alt.w_b.push_back(k % 2 ? -1.0 : 1.0);
    }
    CHECK(error_of(alt, TransferForm::rational).find("did not converge") != std::string::npos);
}

TEST_CASE("fit: as many points as parameters give the values but no standard errors") {
    const Truth t{5.0, 4.0, 0, 3.0, 2.5, 0};
    Data d{{0.5, 1.0}, {transfer(t, 0.5), transfer(t, 1.0)}};
    auto fit = fit_transfer(d.w_h, d.w_b, TransferForm::rational);
    REQUIRE(fit.positive);
    check_relative(fit.positive->a.value, t.a_p, 1e-9);
    CHECK(std::isnan(fit.positive->a.error));
}
