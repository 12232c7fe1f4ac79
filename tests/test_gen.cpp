// `ionspice gen`: array netlists run as written and give the currents of the network they
// describe. The netlists come from the executable; they are simulated in-process and checked
// against nodal solutions this file builds itself (Eigen) and against closed forms.

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "parser/Netlist.hpp"
#include "solver/Simulator.hpp"
#include "tests/CommandRun.hpp"

namespace fs = std::filesystem;
using ionspice::test::CommandRun;

namespace {

fs::path dir() {
    static fs::path d = ionspice::test::scratch_dir("gen");
    return d;
}

CommandRun gen(const std::string& args) { return ionspice::test::run_ionspice(dir(), "gen " + args); }

/// Generates FILE from `args` (which must succeed) and returns its path.
fs::path generate(const std::string& file, const std::string& args) {
    const fs::path p = dir() / file;
    CommandRun r = gen(args + " -o " + p.string());
    INFO("ionspice gen " << args << "\n" << r.err);
    REQUIRE(r.status == 0);
    return p;
}

ionspice::solver::SimulationResult simulate(const fs::path& netlist) {
    return ionspice::solver::simulate(ionspice::parser::read_deck(netlist.string()));
}

double value(const ionspice::solver::SimulationResult& r, const std::string& name, std::size_t plot = 0,
             bool last = false) {
    REQUIRE(plot < r.plots.size());
    const auto& p = r.plots[plot];
    const int v = p.find(name);
    INFO("vector " << name);
    REQUIRE(v >= 0);
    return p.at(last ? p.points() - 1 : 0, static_cast<std::size_t>(v));
}

std::vector<double> column_currents(const ionspice::solver::SimulationResult& r, int cols) {
    std::vector<double> out;
    for (int j = 0; j < cols; ++j) out.push_back(value(r, fmt::format("i(vcol{})", j)));
    return out;
}

/// Row-major rows×cols conductances, uniform in [lo, hi).
std::vector<double> random_g(int rows, int cols, double lo, double hi, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(lo, hi);
    std::vector<double> g(static_cast<std::size_t>(rows) * cols);
    for (auto& v : g) v = u(rng);
    return g;
}

fs::path write_csv(const std::string& name, const std::vector<double>& v, int cols) {
    const fs::path p = dir() / name;
    std::ofstream out(p);
    for (std::size_t k = 0; k < v.size(); ++k) out << fmt::format("{:.17g}", v[k]) << ((k + 1) % cols ? "," : "\n");
    return p;
}

/// The ideal vector–matrix product: I_j = Σ_i G_ij·V_i.
std::vector<double> ideal_vmm(const std::vector<double>& g, const std::vector<double>& v, int cols) {
    std::vector<double> out(cols, 0.0);
    for (std::size_t i = 0; i < v.size(); ++i)
        for (int j = 0; j < cols; ++j) out[j] += g[i * cols + j] * v[i];
    return out;
}

/// Column currents of a resistive crossbar, all rows driven, solved by nodal analysis: row i's
/// source V_i behind r_drv feeds node rin_i; row segments rin_i–r_i0–…–r_i,C−1 and column
/// segments c_0j–…–c_R−1,j–cout_j are r_wire each; cout_j is held at 0 V; cell (i,j) joins
/// r_ij and c_ij. The current of column j is the one in its last segment.
std::vector<double> nodal_crossbar(const std::vector<double>& g, const std::vector<double>& v, int rows, int cols,
                                   double rwire, double rdrv) {
    const int cells = rows * cols;
    const int n = 2 * cells + rows;  // r_ij, c_ij, rin_i
    auto r_node = [&](int i, int j) { return i * cols + j; };
    auto c_node = [&](int i, int j) { return cells + i * cols + j; };
    auto in_node = [&](int i) { return 2 * cells + i; };
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n);
    Eigen::VectorXd b = Eigen::VectorXd::Zero(n);
    auto between = [&](int p, int q, double gc) {
        a(p, p) += gc, a(q, q) += gc, a(p, q) -= gc, a(q, p) -= gc;
    };
    auto to_fixed = [&](int p, double gc, double volts) { a(p, p) += gc, b(p) += gc * volts; };
    const double gw = 1 / rwire;
    for (int i = 0; i < rows; ++i) {
        to_fixed(in_node(i), 1 / rdrv, v[i]);
        between(in_node(i), r_node(i, 0), gw);
        for (int j = 1; j < cols; ++j) between(r_node(i, j - 1), r_node(i, j), gw);
    }
    for (int j = 0; j < cols; ++j) {
        for (int i = 1; i < rows; ++i) between(c_node(i - 1, j), c_node(i, j), gw);
        to_fixed(c_node(rows - 1, j), gw, 0.0);
    }
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) between(r_node(i, j), c_node(i, j), g[i * cols + j]);
    const Eigen::VectorXd x = a.partialPivLu().solve(b);
    std::vector<double> out;
    for (int j = 0; j < cols; ++j) out.push_back(x(c_node(rows - 1, j)) * gw);
    return out;
}

double max_relative_error(const std::vector<double>& got, const std::vector<double>& want) {
    double e = 0;
    for (std::size_t k = 0; k < got.size(); ++k) e = std::max(e, std::abs(got[k] - want[k]) / std::abs(want[k]));
    return e;
}

/// ||I − I_ideal|| / ||I_ideal|| of a rows×cols crossbar with random cells (1–50 µS), 0.2 V on
/// every row and `rwire` per segment.
double vmm_error(int n, double rwire) {
    const auto g = random_g(n, n, 1e-6, 50e-6, 7);
    const auto csv = write_csv(fmt::format("vmm_g{}.csv", n), g, n);
    const auto net = generate(fmt::format("vmm{}_{}.cir", n, rwire),
                              fmt::format("crossbar --rows {0} --cols {0} --rwire {1} --vread 0.2 --g csv:{2}", n, rwire,
                                          csv.string()));
    const auto got = column_currents(simulate(net), n);
    const auto want = ideal_vmm(g, std::vector<double>(n, 0.2), n);
    double num = 0, den = 0;
    for (int j = 0; j < n; ++j) num += std::pow(got[j] - want[j], 2), den += want[j] * want[j];
    return std::sqrt(num / den);
}

}  // namespace

TEST_CASE("gen crossbar: column currents equal a nodal solution of the same network") {
    const int R = 6, C = 5;
    const auto g = random_g(R, C, 1e-6, 50e-6, 1);
    const std::vector<double> v{0.1, 0.25, -0.05, 0.2, 0.15, 0.3};
    const auto gcsv = write_csv("nodal_g.csv", g, C);
    const auto vcsv = write_csv("nodal_v.csv", v, 1);
    const auto net = generate("nodal.cir", fmt::format("crossbar --rows 6 --cols 5 --rwire 2 --rdrv 50 --cwire 1f "
                                                       "--g csv:{} --inputs {} --print",
                                                       gcsv.string(), vcsv.string()));
    const auto got = column_currents(simulate(net), C);
    const auto want = nodal_crossbar(g, v, R, C, 2.0, 50.0);
    for (int j = 0; j < C; ++j) {
        INFO("column " << j);
        CHECK(got[j] == doctest::Approx(want[j]).epsilon(1e-9));
    }
    // The wires matter at this level: the ideal product is off by more than the tolerance.
    CHECK(max_relative_error(got, ideal_vmm(g, v, C)) > 1e-6);
}

TEST_CASE("gen crossbar: a sense resistor in series with each column's source") {
    // One row at V over cells G into columns ending in R_s: I_j = V·G_j/(1 + G_j·R_s).
    const std::vector<double> g = {10e-6, 40e-6, 100e-6};
    const auto csv = write_csv("rsense_g.csv", g, 3);
    auto r = simulate(generate("rsense.cir", fmt::format("crossbar --rows 1 --cols 3 --vread 0.3 --rsense 2k --g csv:{}",
                                                         csv.string())));
    for (int j = 0; j < 3; ++j) {
        const double want = 0.3 * g[j] / (1 + g[j] * 2e3);
        CHECK(value(r, fmt::format("i(vcol{})", j)) == doctest::Approx(want).epsilon(1e-9));
        CHECK(value(r, fmt::format("v(cs{})", j)) == doctest::Approx(want * 2e3).epsilon(1e-9));
    }
}

TEST_CASE("gen crossbar: ideal wires give the ideal vector-matrix product") {
    const int R = 7, C = 4;
    const auto g = random_g(R, C, 2e-6, 40e-6, 2);
    const std::vector<double> v{0.1, 0.2, 0.3, 0.05, 0.15, 0.25, 0.12};
    const auto net = generate("ideal.cir", fmt::format("crossbar --rows 7 --cols 4 --g csv:{} --inputs {}",
                                                       write_csv("ideal_g.csv", g, C).string(),
                                                       write_csv("ideal_v.csv", v, R).string()));
    CHECK(max_relative_error(column_currents(simulate(net), C), ideal_vmm(g, v, C)) < 1e-12);
}

TEST_CASE("gen crossbar: memory cells hold the conductance they were given") {
    const int R = 3, C = 4;
    const auto g = random_g(R, C, 5e-6, 45e-6, 3);
    const auto gcsv = write_csv("cells_g.csv", g, C).string();
    const std::vector<double> v(R, 0.1);
    // ECRAM: g0 = G; with kch = 1 and the gate lines at 0 V the read adds no gate current.
    auto ecram = simulate(generate("cells_ecram.cir", fmt::format("crossbar --rows 3 --cols 4 --cell ecram --g csv:{}", gcsv)));
    CHECK(max_relative_error(column_currents(ecram, C), ideal_vmm(g, v, C)) < 1e-9);
    // VTEAM memristors are ohmic: x0 maps back to G exactly, for either mapping.
    for (const char* mapping : {"lin", "exp"}) {
        auto net = generate(fmt::format("cells_vteam_{}.cir", mapping),
                            fmt::format("crossbar --rows 3 --cols 4 --model 'mv memristor (level=vteam ron=10k "
                                        "roff=500k mapping={})' --g csv:{}",
                                        mapping, gcsv));
        INFO("mapping " << std::string(mapping));
        CHECK(max_relative_error(column_currents(simulate(net), C), ideal_vmm(g, v, C)) < 1e-9);
    }
}

TEST_CASE("gen crossbar: the VMM error grows with array size and wire resistance") {
    const double e8 = vmm_error(8, 2), e16 = vmm_error(16, 2), e32 = vmm_error(32, 2);
    const double lo = vmm_error(16, 0.5), hi = vmm_error(16, 5);
    MESSAGE(fmt::format("VMM error at 2 ohm: 8x8 {:.3g}, 16x16 {:.3g}, 32x32 {:.3g}; 16x16 at 0.5 ohm {:.3g}, 5 ohm {:.3g}",
                        e8, e16, e32, lo, hi));
    CHECK(e8 < e16);
    CHECK(e16 < e32);
    CHECK(lo < hi);
    CHECK(e8 > 0);
}

TEST_CASE("gen crossbar: single-cell read schemes give the closed-form sneak currents") {
    // Uniform cells G, ideal wires, selected row at V, selected column sensed at 0 V. Into the
    // selected column flows G·V from the selected cell plus, from the R−1 other rows at u,
    // (R−1)·G·u: u = V/2 (V/2 scheme), V/3 (V/3 scheme), 0 (grounded lines) and, with the other
    // lines floating, u = V·(C−1)/(R+C−1) (the unselected rows and columns settle at common
    // levels by symmetry).
    const int R = 8, C = 6;
    const double G = 20e-6, V = 0.2;
    std::map<std::string, double> share;
    for (const char* scheme : {"floating", "v2", "v3", "ground"}) {
        auto r = simulate(generate(fmt::format("sneak_{}.cir", scheme),
                                   fmt::format("crossbar --rows 8 --cols 6 --g uniform:20u --vread 0.2 --scheme {} "
                                               "--select 3,4",
                                               scheme)));
        const double u = std::string(scheme) == "floating" ? V * (C - 1) / (R + C - 1)
                         : std::string(scheme) == "v2"     ? V / 2
                         : std::string(scheme) == "v3"     ? V / 3
                                                           : 0.0;
        const double i_col = value(r, "i(vcol4)");
        INFO("scheme " << std::string(scheme));
        CHECK(i_col == doctest::Approx(G * V + (R - 1) * G * u).epsilon(1e-9));
        share[scheme] = std::abs(i_col - G * V) / i_col;
    }
    MESSAGE(fmt::format("sneak share of the column current, 8x6: floating {:.3f}, V/2 {:.3f}, V/3 {:.3f}, ground {:.2g}",
                        share["floating"], share["v2"], share["v3"], share["ground"]));
    CHECK(share["v3"] < share["floating"]);
    CHECK(share["v3"] < share["v2"]);
    CHECK(share["ground"] < 1e-9);
}

TEST_CASE("gen 1t1r: selectors off on unselected rows remove the sneak current") {
    const std::string common = "--rows 8 --cols 8 --g random:5u:50u --seed 5 --vread 0.2 --rwire 1 --select 2,5";
    for (const char* scheme : {"floating", "v2"}) {
        INFO("scheme " << std::string(scheme));
        auto passive = simulate(generate(fmt::format("p_{}.cir", scheme), fmt::format("crossbar {} --scheme {}", common, scheme)));
        auto onet = simulate(generate(fmt::format("t_{}.cir", scheme), fmt::format("1t1r {} --scheme {}", common, scheme)));
        // The selected cell's own current, from its terminal voltages (the netlist gives G).
        std::ifstream in(dir() / fmt::format("p_{}.cir", scheme));
        std::string line, r_text;
        while (std::getline(in, line))
            if (line.rfind("rx2_5 ", 0) == 0) r_text = line.substr(line.find_last_of(' ') + 1);
        REQUIRE(!r_text.empty());
        const double g = 1 / std::stod(r_text);
        const double sneak_passive = value(passive, "i(vcol5)") - g * (value(passive, "v(r2_5)") - value(passive, "v(c2_5)"));
        const double sneak_1t1r = value(onet, "i(vcol5)") - g * (value(onet, "v(r2_5)") - value(onet, "v(m2_5)"));
        MESSAGE(fmt::format("{}: sneak current passive {:.3g} A, 1T1R {:.3g} A", scheme, sneak_passive, sneak_1t1r));
        CHECK(std::abs(sneak_passive) > 1e-6);
        CHECK(std::abs(sneak_1t1r) < 0.01 * std::abs(sneak_passive));
    }
}

TEST_CASE("gen crossbar: V/2 programming moves the selected ECRAM, half-selected cells far less") {
    auto r = simulate(generate("prog_ecram.cir", "crossbar --rows 4 --cols 5 --cell ecram --g uniform:20u --scheme v2 "
                                                 "--select 1,2 --program potentiate --pulses 2"));
    const double g0 = 20e-6;
    const double step = value(r, "g(nx1_2)", 0, true) - g0;
    CHECK(step > 0.1e-6);
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 5; ++j) {
            if (i == 1 && j == 2) continue;
            INFO("cell " << i << "," << j);
            CHECK(std::abs(value(r, fmt::format("g(nx{}_{})", i, j), 0, true) - g0) < 1e-3 * step);
        }
    auto d = simulate(generate("prog_ecram_d.cir", "crossbar --rows 3 --cols 3 --cell ecram --g uniform:20u --scheme v3 "
                                                   "--select 0,0 --program depress"));
    const double down = value(d, "g(nx0_0)", 0, true) - g0;
    CHECK(down < -0.05e-6);
    CHECK(std::abs(value(d, "g(nx0_1)", 0, true) - g0) < 1e-3 * std::abs(down));
    CHECK(std::abs(value(d, "g(nx1_1)", 0, true) - g0) < 1e-3 * std::abs(down));
}

TEST_CASE("gen crossbar: V/3 programming of RRAM cells moves the selected cell only") {
    auto r = simulate(generate("prog_rram.cir", "crossbar --rows 3 --cols 3 --cell memristor --g uniform:50u --scheme v3 "
                                                "--select 2,1 --program potentiate --pulses 3"));
    const double step = value(r, "g(nx2_1)", 0, true) - 50e-6;
    CHECK(step > 1e-6);
    for (const char* other : {"g(nx2_0)", "g(nx0_1)", "g(nx0_0)"}) CHECK(std::abs(value(r, other, 0, true) - 50e-6) < 1e-3 * step);
}

TEST_CASE("gen crossbar: without --vp and --pulse-width a pulse is the model's own calibration pulse") {
    // The calibration: one pulse of vp for tp moves s by 1/nsteps at s = 0.5. The cards leave vp,
    // tp, vd and td to the family's defaults: whatever they are, gen must pulse with them.
    for (const char* kind : {"bulk", "rram"}) {
        const std::string model = fmt::format("mb memristor (level={} ron=1k roff=3k nsteps=100)", kind);
        const double gmid = 0.5 * (1 / 1e3 + 1 / 3e3);
        for (const char* phase : {"potentiate", "depress"}) {
            auto r = simulate(generate(fmt::format("cal_{}_{}.cir", kind, phase),
                                       fmt::format("crossbar --rows 2 --cols 2 --model '{}' --g uniform:{} --scheme v2 "
                                                   "--select 0,1 --program {} --print",
                                                   model, gmid, phase)));
            // G is linear in s for these levels.
            const double ds = (value(r, "g(nx0_1)", 0, true) - value(r, "g(nx0_1)", 0, false)) / (1 / 1e3 - 1 / 3e3);
            INFO(kind << " " << phase << ": ds = " << ds);
            CHECK(std::abs(std::abs(ds) - 0.01) < 0.1 * 0.01);
            CHECK((std::string(phase) == "potentiate" ? ds > 0 : ds < 0));
        }
    }
}

TEST_CASE("gen h1e1t: potentiation, remain and depression have the signs of docs/circuits.md §2") {
    const double g0 = 10e-6;
    auto p = simulate(generate("h1e1t_p.cir", "h1e1t --rows 2 --cols 3 --g uniform:10u --select 0,1 --program potentiate "
                                              "--pulses 2"));
    const double up = value(p, "g(nx0_1)", 0, true) - g0;
    CHECK(up > 0.5e-6);  // about 0.7 uS per 5 ms pulse
    for (const char* remain : {"g(nx0_0)", "g(nx0_2)"}) CHECK(std::abs(value(p, remain, 0, true) - g0) < 1e-2 * up);
    for (const char* idle : {"g(nx1_0)", "g(nx1_1)", "g(nx1_2)"}) CHECK(std::abs(value(p, idle, 0, true) - g0) < 1e-4 * up);

    auto d = simulate(generate("h1e1t_d.cir", "h1e1t --rows 2 --cols 3 --g uniform:10u --select 1,2 --program depress "
                                              "--pulses 2"));
    const double down = value(d, "g(nx1_2)", 0, true) - g0;
    CHECK(down < -0.05e-6);
    for (const char* idle : {"g(nx1_0)", "g(nx1_1)", "g(nx0_2)", "g(nx0_0)"})
        CHECK(std::abs(value(d, idle, 0, true) - g0) < 1e-3 * std::abs(down));

    // Read: every drain line at V_read, every selector on: the columns sum their cells.
    auto read = simulate(generate("h1e1t_r.cir", "h1e1t --rows 2 --cols 3 --g uniform:10u --rwire 1"));
    CHECK(value(read, "i(vcol0)") == doctest::Approx(2 * 10e-6 * 0.1).epsilon(0.02));
}

TEST_CASE("gen mtt-array: column current linear in the input, slope set by the hidden weight") {
    // Inputs of ±20 mV on the inference drain (the paper measures at ±10 mV), where the
    // transistor is in its linear region.
    const auto gcsv = write_csv("mtt_g.csv", {4e-6, 35e-6}, 2);
    auto r = simulate(generate("mtt.cir", fmt::format("mtt-array --rows 1 --cols 2 --g csv:{} --analysis '.dc vrow0 -0.02 0.02 0.002'",
                                                      gcsv.string())));
    const auto& plot = r.plots.at(0);
    REQUIRE(plot.points() == 21);
    double slope[2];
    for (int j = 0; j < 2; ++j) {
        const int v = plot.find(fmt::format("i(vcol{})", j));
        REQUIRE(v >= 0);
        const double i_lo = plot.at(0, v), i_hi = plot.at(20, v);
        slope[j] = (i_hi - i_lo) / 0.04;
        // Within 5 % of the range of the straight line through the end points.
        double worst = 0;
        for (std::size_t k = 0; k <= 20; ++k) {
            const double line = i_lo + (i_hi - i_lo) * static_cast<double>(k) / 20;
            worst = std::max(worst, std::abs(plot.at(k, v) - line));
        }
        INFO("column " << j);
        CHECK(worst < 0.05 * std::abs(i_hi - i_lo));
    }
    CHECK(slope[1] > 1.5 * slope[0]);
    CHECK(slope[0] > 0);
    // A larger array with wires, a resistor reference and RRAM weights runs too.
    auto big = simulate(generate("mtt_big.cir", "mtt-array --rows 3 --cols 4 --cell memristor --rref 20k --rwire 1 "
                                                "--g random:10u:200u --print"));
    CHECK(value(big, "i(vcol3)") > 0);
}

TEST_CASE("gen h1e1t: a programming map moves each cell by its amount, by rows and by columns") {
    // Signed pulse counts: each cell moves by its own count in its own direction, the rest hold.
    const std::vector<double> map = {1, 0, -2, 0, 3, 0};  // 2x3
    const fs::path csv = write_csv("h1e1t_map.csv", map, 3);
    const double g0 = 10e-6;
    // One 5 ms pulse each way, alone (the single-cell programming above).
    const double up1 = value(simulate(generate("h1e1t_up1.cir", "h1e1t --rows 1 --cols 1 --g uniform:10u --select 0,0 "
                                                               "--program potentiate")),
                             "g(nx0_0)", 0, true) - g0;
    const double down1 = value(simulate(generate("h1e1t_down1.cir", "h1e1t --rows 1 --cols 1 --g uniform:10u --select 0,0 "
                                                                   "--program depress")),
                               "g(nx0_0)", 0, true) - g0;
    REQUIRE(up1 > 0.5e-6);
    REQUIRE(down1 < -0.05e-6);
    for (const char* order : {"rows", "cols"}) {
        INFO("--order " << order);
        auto r = simulate(generate(fmt::format("h1e1t_map_{}.cir", order),
                                   fmt::format("h1e1t --rows 2 --cols 3 --g uniform:10u --program map:{} --order {}",
                                               csv.string(), order)));
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 3; ++j) {
                const double a = map[static_cast<std::size_t>(i) * 3 + j];
                const double moved = value(r, fmt::format("g(nx{}_{})", i, j), 0, true) - g0;
                INFO("cell " << i << "," << j << " amount " << a << " moved " << moved);
                if (a == 0)
                    CHECK(std::abs(moved) < 1e-4 * up1);
                else  // k pulses do k times what one does, to the soft bounds' curvature
                    CHECK(moved == doctest::Approx(a * (a > 0 ? up1 : -down1)).epsilon(0.03));
            }
    }
}

TEST_CASE("gen crossbar: a PWM map programs ECRAM cells one at a time by the V/2 scheme") {
    const std::vector<double> map = {0.5, 0, -1.5, 0, 2.25, 0};  // in pulses of 1 ms
    const fs::path csv = write_csv("pwm_map.csv", map, 3);
    auto r = simulate(generate("pwm_map.cir", fmt::format("crossbar --cell ecram --rows 2 --cols 3 --g uniform:25u "
                                                          "--scheme v2 --program map:{} --pwm --pulse-width 1m",
                                                          csv.string())));
    // The model's calibration (docs/models.md): a pulse of tp = 2 ms at vp (vd) moves s by 1/nsteps
    // at s = 0.5, G by (gmax − gmin)/180; PWM width scales it linearly.
    const double per_ms = (50e-6 - 0.079e-6) / 180 / 2;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j) {
            const double a = map[static_cast<std::size_t>(i) * 3 + j];
            const double moved = value(r, fmt::format("g(nx{}_{})", i, j), 0, true) - 25e-6;
            INFO("cell " << i << "," << j << " amount " << a << " moved " << moved);
            if (a == 0)  // (0,1) and (1,2) are half-selected by (0,2)'s depression, 1.5·per_ms
                CHECK(std::abs(moved) < 1e-3 * 1.5 * per_ms);
            else
                CHECK(moved == doctest::Approx(a * per_ms).epsilon(0.05));
        }
}

TEST_CASE("gen crossbar: input samples give, sample by sample, the DC column currents") {
    const int rows = 3, cols = 4;
    const auto g = random_g(rows, cols, 1e-6, 50e-6, 11);
    const auto gcsv = write_csv("samples_g.csv", g, cols);
    const std::vector<double> samples = {0.1, 0.2, 0.0, -0.05, 0.15, 0.2, 0.3, -0.1, 0.05};  // 3 samples x 3 rows
    const auto scsv = write_csv("samples.csv", samples, rows);
    auto r = simulate(generate("samples.cir", fmt::format("crossbar --rows {} --cols {} --rwire 1 --g csv:{} "
                                                          "--input-samples {} --sample-time 1u --print",
                                                          rows, cols, gcsv.string(), scsv.string())));
    const auto& p = r.plots.at(0);
    const int t = p.find("time");
    REQUIRE(t >= 0);
    for (int k = 0; k < 3; ++k) {
        // The sample's flat part, away from the ramp at its start.
        const double mid = (k + 0.5) * 1e-6;
        std::size_t at = 0;
        while (at + 1 < p.points() && p.at(at, static_cast<std::size_t>(t)) < mid) ++at;
        const std::vector<double> v(samples.begin() + 3 * k, samples.begin() + 3 * k + 3);
        const auto want = nodal_crossbar(g, v, rows, cols, 1.0, 1e-9);
        for (int j = 0; j < cols; ++j) {
            INFO("sample " << k << " column " << j << " at t = " << p.at(at, static_cast<std::size_t>(t)));
            const int c = p.find(fmt::format("i(vcol{})", j));
            REQUIRE(c >= 0);
            CHECK(p.at(at, static_cast<std::size_t>(c)) == doctest::Approx(want[j]).epsilon(1e-9));
        }
    }
}

TEST_CASE("gen: header, names and output") {
    CommandRun r = gen("crossbar --rows 2 --cols 3 --rwire 1 --g random:1u:2u --seed 9 --print");
    REQUIRE(r.status == 0);
    CHECK(r.out.find("* Generated by: ionspice gen crossbar --rows 2 --cols 3 --rwire 1 --g random:1u:2u --seed 9 --print") !=
          std::string::npos);
    for (const char* name : {"\nvrow1 rin1 0 dc 0.1", "\nvcol2 cout2 0 dc 0", "\nrwr1_2 r1_1 r1_2 1", "\nrwc1_0 c1_0 cout0 1",
                             "\nrx1_2 r1_2 c1_2 ", ".save i(vcol0) i(vcol1) i(vcol2)", "\n.op\n", "\n.end\n"})
        CHECK(r.out.find(name) != std::string::npos);
    // The same seed gives the same array, another seed another one.
    CHECK(gen("crossbar --rows 2 --cols 3 --rwire 1 --g random:1u:2u --seed 9 --print").out == r.out);
    CHECK(gen("crossbar --rows 2 --cols 3 --rwire 1 --g random:1u:2u --seed 10 --print").out != r.out);
    // -o writes the same text (the header records -o too).
    const fs::path p = generate("out.cir", "crossbar --rows 2 --cols 3 --rwire 1 --g random:1u:2u --seed 9 --print");
    const std::string file = ionspice::test::slurp(p);
    CHECK(file.substr(file.find("\n*\n")) == r.out.substr(r.out.find("\n*\n")));
    // --options becomes an .options card before the analyses.
    CommandRun o = gen("crossbar --rows 2 --cols 2 --options '.options seed=3 devseed=1'");
    REQUIRE(o.status == 0);
    CHECK(o.out.find("\n.options seed=3 devseed=1\n.op\n") != std::string::npos);
}

TEST_CASE("gen: usage errors are messages with exit status 2") {
    struct Case {
        std::string args;
        const char* message;
    };
    const fs::path bad = write_csv("bad_shape.csv", {1e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6}, 3);  // 2x3
    const std::string shape = "crossbar --rows 3 --cols 3 --g csv:" + bad.string();
    const fs::path map_file = write_csv("map_ok.csv", {1, 0, -1, 0, 2, 0}, 3);     // 2x3
    const fs::path half_file = write_csv("map_half.csv", {1.5, 0, 0, 0, 0, 0}, 3);  // 2x3
    const fs::path zero_file = write_csv("map_zero.csv", {0, 0, 0, 0}, 2);          // 2x2
    const Case cases[] = {
        {"xbar --rows 2 --cols 2", "unknown array type 'xbar'"},
        {"crossbar --rows 2", "--cols is required"},
        {"crossbar --rows 0 --cols 2", "at least 1"},
        {"crossbar --rows 2 --cols 2 --g random:1u", "random takes GMIN:GMAX"},
        {"crossbar --rows 2 --cols 2 --g gauss:1u", "unknown kind 'gauss'"},
        {"crossbar --rows 2 --cols 2 --g uniform:abc", "'abc' is not a number"},
        {"crossbar --rows 2 --cols 2 --g random:5u:1u", "GMAX must not be below GMIN"},
        {shape, "2 rows of values, expected 3"},
        {"crossbar --rows 2 --cols 2 --g csv:/nonexistent/g.csv", "cannot read"},
        {"crossbar --rows 2 --cols 2 --scheme v2 --select 2,0", "outside the 2x2 array"},
        {"crossbar --rows 2 --cols 2 --scheme v2 --select 1", "give ROW,COL"},
        {"crossbar --rows 2 --cols 2 --scheme v2", "give --select"},
        {"crossbar --rows 2 --cols 2 --scheme v4 --select 0,0", "--scheme 'v4'"},
        {"crossbar --rows 2 --cols 2 --cell ecram --g uniform:60u", "outside ecram model ecell's range"},
        {"crossbar --rows 2 --cols 2 --cell ecram --model 'm1 memristor (level=bulk)'", "is a memristor model"},
        {"crossbar --rows 2 --cols 2 --model 'm1 memristor (level=bulk ron=2k roff=1k)'", "roff"},
        {"crossbar --rows 2 --cols 2 --program potentiate --scheme v2 --select 0,0", "resistor cells do not program"},
        {"crossbar --rows 2 --cols 2 --cell ecram --program potentiate --scheme floating --select 0,0", "v2 or v3"},
        {"1t1r --rows 2 --cols 2 --fet-model 'p1 pmos (level=1)'", "NMOS"},
        {"crossbar --rows 2 --cols 2 --vgate 2", "--vgate goes with 1t1r"},
        {"crossbar --rows 2 --cols 2 --rwire -1", "must not be negative"},
        {"crossbar --rows 2 --cols 2 --cell ecram --scheme v2 --program map:/nonexistent.csv", "cannot read"},
        {("h1e1t --rows 2 --cols 3 --program map:" + map_file.string() + " --select 0,0"), "not a map"},
        {("h1e1t --rows 2 --cols 3 --program map:" + half_file.string()), "not a whole number of pulses"},
        {("h1e1t --rows 3 --cols 3 --program map:" + map_file.string()), "2 rows of values, expected 3"},
        {("h1e1t --rows 2 --cols 3 --program map:" + map_file.string() + " --order diag"), "--order 'diag'"},
        {"crossbar --rows 2 --cols 2 --order cols", "--order goes with --program map:FILE"},
        {"crossbar --rows 2 --cols 2 --cell ecram --scheme v2 --program map:" + zero_file.string(), "every amount is 0"},
        {"crossbar --rows 2 --cols 2 --cell ecram --scheme v2 --select 0,0 --program potentiate --pwm", "--pwm goes with"},
        {("crossbar --rows 2 --cols 2 --input-samples " + bad.string()), "expected one per row (2)"},
        {"crossbar --rows 2 --cols 2 --sample-time 1u", "--sample-time goes with --input-samples"},
    };
    for (const auto& c : cases) {
        CommandRun r = gen(c.args);
        INFO("ionspice gen " << std::string(c.args) << "\nstderr: " << r.err);
        CHECK(r.status == 2);
        CHECK(r.err.find("ionspice gen: error: ") == 0);
        CHECK(r.err.find(c.message) != std::string::npos);
    }
}

TEST_CASE("gen: the example netlists under netlists/arrays/ run and are what their command generates") {
    const fs::path source = IONSPICE_SOURCE_DIR;
    int examples = 0;
    for (const auto& entry : fs::directory_iterator(source / "netlists" / "arrays")) {
        if (entry.path().extension() != ".cir") continue;
        ++examples;
        const std::string name = entry.path().filename().string();
        INFO("example " << name);
        const std::string text = ionspice::test::slurp(entry.path());
        const std::string marker = "* Generated by: ionspice gen ";
        const auto at = text.find(marker);
        REQUIRE(at != std::string::npos);
        std::string args = text.substr(at + marker.size(), text.find('\n', at) - at - marker.size());
        const std::string out = "-o netlists/arrays/" + name;
        REQUIRE(args.size() > out.size());
        REQUIRE(args.substr(args.size() - out.size()) == out);
        args.replace(args.size() - out.size(), out.size(), "-o " + (dir() / name).string());
        // The recorded command names files relative to the project root.
        CommandRun r = ionspice::test::run_ionspice(dir(), "gen " + args, "cd " + source.string() + " &&");
        INFO(r.err);
        REQUIRE(r.status == 0);
        const std::string again = ionspice::test::slurp(dir() / name);
        CHECK(again.substr(again.find("\n*\n")) == text.substr(text.find("\n*\n")));
        CHECK_NOTHROW(simulate(entry.path()));
    }
    CHECK(examples >= 5);
}
