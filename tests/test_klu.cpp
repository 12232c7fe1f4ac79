// solver/KluSolver: the choice of ordering and that both orderings solve the same system; complex
// factorisations (for .ac and .noise) on the same analysis, against dense Eigen solves.

#include <algorithm>
#include <cmath>
#include <complex>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <doctest/doctest.h>

#include "solver/KluSolver.hpp"

using ionspice::solver::KluSolver;
using Complex = std::complex<double>;

namespace {

/// The 5-point Laplacian of a k×k grid plus a small diagonal shift, in compressed columns: the
/// graph of a crossbar's wires, big enough at k = 300 for AMD's flop estimate to pass the
/// nested-dissection threshold.
struct Grid {
    int n = 0;
    std::vector<int> col_ptr, row_idx;
    std::vector<double> values;

    explicit Grid(int k) : n(k * k) {
        col_ptr.push_back(0);
        for (int c = 0; c < n; ++c) {
            const int i = c / k, j = c % k;
            auto add = [&](int r, double v) {
                row_idx.push_back(r);
                values.push_back(v);
            };
            if (i > 0) add(c - k, -1);
            if (j > 0) add(c - 1, -1);
            add(c, 4.001 + 1e-3 * (c % 7));  // not symmetric in value, so pivoting matters a little
            if (j < k - 1) add(c + 1, -1);
            if (i < k - 1) add(c + k, -1);
            col_ptr.push_back(static_cast<int>(row_idx.size()));
        }
    }

    /// A·x
    std::vector<double> times(const std::vector<double>& x) const {
        std::vector<double> y(n, 0.0);
        for (int c = 0; c < n; ++c)
            for (int p = col_ptr[c]; p < col_ptr[c + 1]; ++p) y[row_idx[p]] += values[p] * x[c];
        return y;
    }
};

/// The grid as an AC matrix G + jωC: a capacitance to ground on every node (not all equal, so
/// that frequencies differ in more than a scale) and a coupling capacitance on the horizontal
/// wires, which keeps the pattern and makes off-diagonal entries complex.
std::vector<Complex> ac_values(const Grid& g, double omega) {
    std::vector<Complex> v(g.values.size());
    for (int c = 0; c < g.n; ++c)
        for (int p = g.col_ptr[c]; p < g.col_ptr[c + 1]; ++p) {
            const int r = g.row_idx[p];
            double cap = 0;
            if (r == c) cap = 1.0 + 0.1 * (c % 5) + 0.2;
            else if (std::abs(r - c) == 1) cap = -0.1;
            v[p] = Complex(g.values[p], omega * cap);
        }
    return v;
}

template <class T>
using Dense = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using DenseVector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

template <class T>
Dense<T> dense(const Grid& g, const std::vector<T>& values) {
    Dense<T> a = Dense<T>::Zero(g.n, g.n);
    for (int c = 0; c < g.n; ++c)
        for (int p = g.col_ptr[c]; p < g.col_ptr[c + 1]; ++p) a(g.row_idx[p], c) = values[p];
    return a;
}

template <class T>
std::vector<T> dense_solve(const Dense<T>& a, const std::vector<T>& b) {
    const DenseVector<T> rhs = Eigen::Map<const DenseVector<T>>(b.data(), static_cast<Eigen::Index>(b.size()));
    const DenseVector<T> x = a.partialPivLu().solve(rhs);
    return {x.data(), x.data() + x.size()};
}

/// max |x - y| / max |y|
template <class T>
double relative_error(const std::vector<T>& x, const std::vector<T>& y) {
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        diff = std::max(diff, std::abs(x[i] - y[i]));
        scale = std::max(scale, std::abs(y[i]));
    }
    return diff / scale;
}

std::vector<Complex> complex_rhs(int n) {
    std::vector<Complex> b(n);
    for (int i = 0; i < n; ++i) b[i] = Complex(std::sin(0.3 * i) + 0.2, std::cos(0.7 * i));
    return b;
}

std::vector<double> solve(KluSolver& klu, const Grid& g, const std::vector<double>& b) {
    REQUIRE(klu.factor(g.values).ok);
    std::vector<double> x = b;
    klu.solve(x);
    return x;
}

}  // namespace

TEST_CASE("KLU: nested dissection for a big matrix factored repeatedly, AMD otherwise; the same solution") {
    const Grid g(300);
    std::vector<double> truth(g.n);
    for (int i = 0; i < g.n; ++i) truth[i] = std::sin(0.001 * i) + 0.5;
    const std::vector<double> b = g.times(truth);

    KluSolver once, repeated, small;
    once.analyze(g.n, g.col_ptr, g.row_idx, false);
    repeated.analyze(g.n, g.col_ptr, g.row_idx, true);
    CHECK(std::string(once.ordering()) == "amd");
    CHECK(std::string(repeated.ordering()) == "metis");
    const Grid tiny(10);
    small.analyze(tiny.n, tiny.col_ptr, tiny.row_idx, true);
    CHECK(std::string(small.ordering()) == "amd");  // too small to pay for METIS

    const auto a = solve(once, g, b), m = solve(repeated, g, b);
    double worst = 0;
    for (int i = 0; i < g.n; ++i) worst = std::max({worst, std::fabs(a[i] - truth[i]), std::fabs(m[i] - truth[i])});
    CHECK(worst < 1e-10);

    // The same pattern asked again for repeated use: analysed anew with nested dissection.
    once.analyze(g.n, g.col_ptr, g.row_idx, true);
    CHECK(std::string(once.ordering()) == "metis");
    const auto again = solve(once, g, b);
    for (int i = 0; i < g.n; i += 997) CHECK(again[i] == doctest::Approx(truth[i]).epsilon(1e-12));
    // A refactorisation with new values on the METIS ordering.
    Grid h = g;
    for (auto& v : h.values) v *= 2;
    REQUIRE(repeated.factor(h.values).ok);
    std::vector<double> x = b;
    repeated.solve(x);
    for (int i = 0; i < g.n; i += 997) CHECK(x[i] == doctest::Approx(truth[i] / 2).epsilon(1e-12));
}

TEST_CASE("KLU complex: a G + jωC grid solves as the dense LU does") {
    const Grid g(12);
    const auto a = ac_values(g, 2.0);
    const auto b = complex_rhs(g.n);
    KluSolver klu;
    klu.analyze(g.n, g.col_ptr, g.row_idx);
    CHECK_FALSE(klu.has_complex_factorization());
    const auto r = klu.factor(a);
    REQUIRE(r.ok);
    CHECK(r.factored);
    CHECK(klu.has_complex_factorization());
    CHECK_FALSE(klu.has_factorization());  // the real side is untouched
    CHECK(klu.factor_count() == 1);
    std::vector<Complex> x = b;
    klu.solve(x);
    CHECK(klu.solve_count() == 1);
    CHECK(relative_error(x, dense_solve(dense(g, a), b)) < 1e-10);
}

TEST_CASE("KLU complex: another frequency refactors with the same pivots; the same values are not factored again") {
    const Grid g(12);
    const auto a1 = ac_values(g, 0.5), a2 = ac_values(g, 3.0);
    const auto b = complex_rhs(g.n);
    KluSolver klu;
    klu.analyze(g.n, g.col_ptr, g.row_idx);
    REQUIRE(klu.factor(a1).ok);
    CHECK(klu.factor_count() == 1);
    CHECK(klu.refactor_count() == 0);

    const auto r = klu.factor(a2);
    REQUIRE(r.ok);
    CHECK(r.factored);
    CHECK(klu.factor_count() == 1);
    CHECK(klu.refactor_count() == 1);
    std::vector<Complex> x = b;
    klu.solve(x);
    CHECK(relative_error(x, dense_solve(dense(g, a2), b)) < 1e-10);

    const auto again = klu.factor(a2);
    CHECK(again.ok);
    CHECK_FALSE(again.factored);
    CHECK(klu.factor_count() == 1);
    CHECK(klu.refactor_count() == 1);

    // Back to the first frequency: a refactorisation again (only one complex one is kept).
    REQUIRE(klu.factor(a1).factored);
    CHECK(klu.refactor_count() == 2);
    x = b;
    klu.solve(x);
    CHECK(relative_error(x, dense_solve(dense(g, a1), b)) < 1e-10);

    // invalidate() drops the complex factorisation: the next one is full.
    klu.invalidate();
    CHECK_FALSE(klu.has_complex_factorization());
    REQUIRE(klu.factor(a2).factored);
    CHECK(klu.factor_count() == 2);
}

TEST_CASE("KLU: the transposed solve (plain transpose for complex values) is the dense solve with Aᵀ") {
    const Grid g(10);
    // Make A far from symmetric, in value, so that A and Aᵀ solves differ clearly.
    std::vector<double> real = g.values;
    for (int c = 0; c < g.n; ++c)
        for (int p = g.col_ptr[c]; p < g.col_ptr[c + 1]; ++p)
            if (g.row_idx[p] > c) real[p] *= 0.3;
    auto cplx = ac_values(g, 1.5);
    for (int c = 0; c < g.n; ++c)
        for (int p = g.col_ptr[c]; p < g.col_ptr[c + 1]; ++p)
            if (g.row_idx[p] > c) cplx[p] = Complex(real[p], 0.7 * cplx[p].imag() + 0.2);
    KluSolver klu;
    klu.analyze(g.n, g.col_ptr, g.row_idx);
    REQUIRE(klu.factor(real).ok);
    REQUIRE(klu.factor(cplx).ok);

    std::vector<double> br(g.n);
    for (int i = 0; i < g.n; ++i) br[i] = std::cos(0.2 * i) - 0.1;
    std::vector<double> xr = br;
    klu.solve_transposed(xr);
    const Eigen::MatrixXd ar = dense(g, real);
    CHECK(relative_error(xr, dense_solve<double>(ar.transpose(), br)) < 1e-10);
    CHECK(relative_error(xr, dense_solve<double>(ar, br)) > 1e-3);

    const auto bc = complex_rhs(g.n);
    std::vector<Complex> xc = bc;
    klu.solve_transposed(xc);
    const Eigen::MatrixXcd ac = dense(g, cplx);
    CHECK(relative_error(xc, dense_solve<Complex>(ac.transpose(), bc)) < 1e-10);
    CHECK(relative_error(xc, dense_solve<Complex>(ac.adjoint(), bc)) > 1e-3);  // not the conjugate transpose
    CHECK(klu.solve_count() == 2);
}

TEST_CASE("KLU complex: a zero column is reported as singular") {
    const Grid g(6);
    const int dead = 17;
    auto a = ac_values(g, 1.0);
    for (int p = g.col_ptr[dead]; p < g.col_ptr[dead + 1]; ++p) a[p] = 0;
    KluSolver klu;
    klu.analyze(g.n, g.col_ptr, g.row_idx);
    const auto r = klu.factor(a);
    CHECK_FALSE(r.ok);
    CHECK(r.singular_col == dead);
    CHECK_FALSE(klu.has_complex_factorization());

    // After a good factorisation, the refactorisation of a singular matrix fails over to a full
    // factorisation, which reports the column.
    REQUIRE(klu.factor(ac_values(g, 1.0)).ok);
    const auto again = klu.factor(a);
    CHECK_FALSE(again.ok);
    CHECK(again.singular_col == dead);
    CHECK_FALSE(klu.has_complex_factorization());
}

TEST_CASE("KLU: real and complex factorisations of one analysis coexist") {
    const Grid g(300);  // big enough for METIS: both value types use its ordering
    KluSolver klu;
    klu.analyze(g.n, g.col_ptr, g.row_idx, true);
    CHECK(std::string(klu.ordering()) == "metis");

    std::vector<double> truth(g.n);
    for (int i = 0; i < g.n; ++i) truth[i] = std::sin(0.001 * i) + 0.5;
    const std::vector<double> b = g.times(truth);
    REQUIRE(klu.factor(g.values).ok);

    // A complex factorisation of the same pattern, checked against A·x = b computed directly.
    const auto a = ac_values(g, 0.8);
    std::vector<Complex> ztruth(g.n), zb(g.n, 0.0);
    for (int i = 0; i < g.n; ++i) ztruth[i] = Complex(truth[i], std::cos(0.002 * i));
    for (int c = 0; c < g.n; ++c)
        for (int p = g.col_ptr[c]; p < g.col_ptr[c + 1]; ++p) zb[g.row_idx[p]] += a[p] * ztruth[c];
    REQUIRE(klu.factor(a).ok);
    std::vector<Complex> z = zb;
    klu.solve(z);
    CHECK(relative_error(z, ztruth) < 1e-10);

    // The real factorisation is still there and still right, and unchanged values are not refactored.
    CHECK(klu.has_factorization());
    CHECK_FALSE(klu.factor(g.values).factored);
    std::vector<double> x = b;
    klu.solve(x);
    CHECK(relative_error(x, truth) < 1e-10);
    CHECK(klu.factor_count() == 2);
    CHECK(klu.refactor_count() == 0);

    // A new pattern drops both.
    const Grid small(5);
    klu.analyze(small.n, small.col_ptr, small.row_idx);
    CHECK_FALSE(klu.has_factorization());
    CHECK_FALSE(klu.has_complex_factorization());
}
