// solver/KluSolver: the choice of ordering and that both orderings solve the same system.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "solver/KluSolver.hpp"

using ionspice::solver::KluSolver;

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
