// The small-signal analyses (.ac, .tf, .noise) and .four against closed forms: filters, an
// op-amp integrator, resonance, dividers and a common-source stage, memory devices with their
// state held, and an MTT unit's gain against the slope of its own DC transfer.

#include <algorithm>
#include <cmath>
#include <complex>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>

#include <vector>

#include <Eigen/Dense>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "solver/OutputWriters.hpp"
#include "tests/SimHelpers.hpp"

using namespace ionspice;
using test::netlist_error;
using test::simulate_text;
using Complex = std::complex<double>;

namespace {

constexpr double kPi = std::numbers::pi;

const solver::Plot& plot_of(const solver::SimulationResult& r, const std::string& analysis, int nth = 0) {
    for (const auto& p : r.plots)
        if (p.analysis == analysis && nth-- == 0) return p;
    FAIL("no plot for ." << analysis);
    return r.plots.front();
}

Complex cvalue(const solver::Plot& p, const std::string& name, std::size_t point) {
    const int v = p.find(name);
    INFO("vector " << name);
    REQUIRE(v >= 0);
    return p.complex_at(point, static_cast<std::size_t>(v));
}

double rvalue(const solver::Plot& p, const std::string& name, std::size_t point = 0) {
    const int v = p.find(name);
    INFO("vector " << name);
    REQUIRE(v >= 0);
    return p.at(point, static_cast<std::size_t>(v));
}

bool close(Complex a, Complex b, double rel) { return std::abs(a - b) <= rel * std::abs(b) + 1e-300; }

}  // namespace

TEST_CASE(".ac: an RC low-pass is 1/(1 + jωRC): -3 dB and -45 degrees at 1/(2πRC)") {
    const double r = 1e3, c = 1e-6, fc = 1 / (2 * kPi * r * c);
    auto res = simulate_text("rc\nV1 in 0 DC 0 AC 1\nR1 in out 1k\nC1 out 0 1u\n.ac dec 20 1 1meg\n"
                             ".ac lin 1 " + std::to_string(fc) + " " + std::to_string(fc) + "\n.end\n");
    const auto& p = plot_of(res, "ac");
    CHECK(p.name == "AC Analysis");
    CHECK(p.is_complex());
    CHECK(p.variables[0].name == "frequency");
    REQUIRE(p.points() == 121);  // 6 decades, 20 per decade, both ends
    for (std::size_t k = 0; k < p.points(); ++k) {
        const double f = p.at(k, 0);
        const Complex expected = 1.0 / Complex(1.0, 2 * kPi * f * r * c);
        CHECK(close(cvalue(p, "v(out)", k), expected, 1e-9));
        // The source's current: −(v(in) − v(out))/R flows into its + terminal.
        CHECK(close(cvalue(p, "i(v1)", k), -(1.0 - expected) / r, 1e-9));
    }
    CHECK(p.at(120, 0) == doctest::Approx(1e6).epsilon(1e-12));
    const auto& at_fc = plot_of(res, "ac", 1);
    REQUIRE(at_fc.points() == 1);
    const Complex h = cvalue(at_fc, "v(out)", 0);
    CHECK(20 * std::log10(std::abs(h)) == doctest::Approx(-10 * std::log10(2.0)).epsilon(1e-9));
    CHECK(std::arg(h) == doctest::Approx(-kPi / 4).epsilon(1e-9));
}

TEST_CASE(".ac: a series RLC peaks at 1/(2π√(LC)) with Q = ω0·L/R") {
    const double r = 10, l = 1e-3, c = 1e-9;
    const double f0 = 1 / (2 * kPi * std::sqrt(l * c)), q = 2 * kPi * f0 * l / r;
    auto res = simulate_text("rlc\nV1 a 0 AC 1 0\nL1 a b 1m\nC1 b c 1n\nR1 c 0 10\n.ac dec 200 10k 1meg\n"
                             ".ac lin 4001 150k 170k\n.end\n");
    const auto& p = plot_of(res, "ac");
    std::size_t peak = 0;
    for (std::size_t k = 0; k < p.points(); ++k) {
        const double w = 2 * kPi * p.at(k, 0);
        const Complex expected = r / Complex(r, w * l - 1 / (w * c));
        CHECK(close(cvalue(p, "v(c)", k), expected, 1e-8));
        if (std::abs(cvalue(p, "v(c)", k)) > std::abs(cvalue(p, "v(c)", peak))) peak = k;
    }
    // The peak lies within one grid step (10^(1/200)) of f0; the -3 dB width is f0/Q.
    CHECK(std::fabs(std::log10(p.at(peak, 0) / f0)) <= 1.0 / 200);
    const auto& fine = plot_of(res, "ac", 1);  // 5 Hz steps around f0
    double lo = 0, hi = 0;
    for (std::size_t k = 1; k < fine.points(); ++k) {
        const double m0 = std::abs(cvalue(fine, "v(c)", k - 1)), m1 = std::abs(cvalue(fine, "v(c)", k));
        const double half = 1 / std::sqrt(2.0);
        if (m0 < half && m1 >= half) lo = fine.at(k, 0);
        if (m0 >= half && m1 < half) hi = fine.at(k, 0);
    }
    CHECK(fine.at(1, 0) - fine.at(0, 0) == doctest::Approx(5.0));
    CHECK((hi - lo) == doctest::Approx(f0 / q).epsilon(0.01));
    CHECK(q == doctest::Approx(100).epsilon(1e-9));
}

TEST_CASE(".ac: an op-amp integrator (E source, gain 1e6) is −1/(jωRC) within its finite gain") {
    const double a = 1e6, r = 10e3, c = 10e-9;
    auto res = simulate_text("integrator\nVin in 0 AC 1\nR1 in m 10k\nC1 m out 10n\nRl m 0 1e12\n"
                             "E1 out 0 0 m 1e6\n.ac dec 5 1 100k\n.end\n");
    const auto& p = plot_of(res, "ac");
    for (std::size_t k = 0; k < p.points(); ++k) {
        const double w = 2 * kPi * p.at(k, 0);
        const Complex zf = 1.0 / Complex(0, w * c), zin = r;
        // Exact for a finite gain A (the 1e12 Ω leak is far below what matters).
        const Complex expected = -(zf / zin) / (1.0 + (1.0 + zf / zin) / a);
        CHECK(close(cvalue(p, "v(out)", k), expected, 1e-5));
        if (p.at(k, 0) >= 100) CHECK(close(cvalue(p, "v(out)", k), -1.0 / Complex(0, w * r * c), 1e-3));
    }
}

TEST_CASE(".ac: the AC phase on a source is in degrees and shifts every response") {
    auto res = simulate_text("phase\nV1 in 0 AC 2 30\nR1 in out 1k\nR2 out 0 1k\n.ac lin 3 1 3\n.end\n");
    const auto& p = plot_of(res, "ac");
    REQUIRE(p.points() == 3);
    CHECK(close(cvalue(p, "v(out)", 1), std::polar(1.0, kPi / 6), 1e-12));
    CHECK(p.at(1, 0) == doctest::Approx(2.0));
}

TEST_CASE(".ac: memory devices linearise with their state held: an ECRAM channel is its conductance") {
    // The ECRAM's channel G(s) = g0 in series with 100 kΩ; its gate grounded; state held.
    auto res = simulate_text("ecram ac\nV1 d 0 DC 0.1 AC 1\nN1 0 d s ec g0=10u\nR1 s 0 100k\n"
                             ".model ec ecram (gmin=0.079u gmax=50u)\n.ac dec 1 1 1k\n.end\n");
    const auto& p = plot_of(res, "ac");
    REQUIRE(p.points() == 4);
    for (std::size_t k = 0; k < p.points(); ++k)
        CHECK(std::abs(cvalue(p, "v(s)", k)) == doctest::Approx(1e5 / (1e5 + 1e5)).epsilon(1e-3));
}

TEST_CASE(".ac: an MTT unit's small-signal gain is the slope of its DC transfer") {
    std::ifstream in(std::string(IONSPICE_SOURCE_DIR) + "/netlists/mtt/ecram_unit.inc");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string unit = ss.str();
    const std::string src = "Vread rh 0 {vrh}";
    REQUIRE(unit.find(src) != std::string::npos);
    unit.replace(unit.find(src), src.size(), "Vread rh 0 {vrh} AC 1");
    const std::string head = "mtt\n.param ge=10u vrh=1.4 vref=0.6 vr=0.01 rref=700k\n" + unit;
    auto ac = simulate_text(head + ".ac lin 1 1 1\n.tf i(vsp) vread\n.end\n");
    const double dv = 1e-4;
    auto dc = simulate_text(head + ".dc vread " + std::to_string(1.4 - dv) + " " + std::to_string(1.4 + dv) + " " +
                            std::to_string(dv) + "\n.end\n");
    const auto& d = plot_of(dc, "dc");
    REQUIRE(d.points() == 3);
    const double slope = (rvalue(d, "i(vsp)", 2) - rvalue(d, "i(vsp)", 0)) / (2 * dv);
    CHECK(slope != 0);
    const Complex g = cvalue(plot_of(ac, "ac"), "i(vsp)", 0);
    CHECK(g.real() == doctest::Approx(slope).epsilon(1e-4));
    CHECK(std::fabs(g.imag()) < 1e-6 * std::fabs(g.real()));  // 1 Hz: no capacitance to speak of
    CHECK(rvalue(plot_of(ac, "tf"), "transfer_function") == doctest::Approx(slope).epsilon(1e-4));
}

TEST_CASE(".tf: a divider's gain, input and output resistance") {
    auto res = simulate_text("divider\nV1 in 0 5\nR1 in out 1k\nR2 out 0 3k\n.tf v(out) v1\n.end\n");
    const auto& p = plot_of(res, "tf");
    CHECK(p.name == "Transfer Function");
    CHECK(rvalue(p, "transfer_function") == doctest::Approx(0.75));
    CHECK(rvalue(p, "v1#input_impedance") == doctest::Approx(4e3));
    CHECK(rvalue(p, "output_impedance_at_v(out)") == doctest::Approx(750));

    // A current input: the transfer is a transresistance, the input resistance R1 + R2 ‖ ... here R2.
    auto ri = simulate_text("divider\nI1 0 out 1m\nR2 out 0 3k\nR3 out x 1k\nR4 x 0 1k\n.tf v(x) i1\n.end\n");
    const auto& q = plot_of(ri, "tf");
    // 1 A into node out sees 3k ‖ 2k = 1.2 kΩ; v(x) is half of v(out).
    CHECK(rvalue(q, "transfer_function") == doctest::Approx(600));
    CHECK(rvalue(q, "i1#input_impedance") == doctest::Approx(1.2e3));
    CHECK(rvalue(q, "output_impedance_at_v(x)") == doctest::Approx(1 / (1 / 1e3 + 1 / 4e3)));  // R4 ‖ (R3 + R2), the source open
}

TEST_CASE(".tf: a level-1 common-source stage: −gm·(RD ‖ ro), output resistance RD ‖ ro") {
    // Saturated: Id = KP/2·(W/L)·(Vgs − VT)²·(1 + λ·Vds); gm = KP·(W/L)·(Vgs − VT)·(1 + λ·Vds),
    // go = KP/2·(W/L)·(Vgs − VT)²·λ.
    const double kp = 100e-6, wl = 10, vt = 0.7, lambda = 0.02, rd = 10e3, vdd = 5, vgs = 1.2;
    // Vds from Vds = Vdd − RD·Id(Vds): solved by fixed point.
    double vds = 3;
    for (int k = 0; k < 200; ++k) vds = vdd - rd * kp / 2 * wl * std::pow(vgs - vt, 2) * (1 + lambda * vds);
    const double gm = kp * wl * (vgs - vt) * (1 + lambda * vds);
    const double go = kp / 2 * wl * std::pow(vgs - vt, 2) * lambda;
    auto res = simulate_text("cs\nVdd vdd 0 5\nVg g 0 1.2\nRd vdd d 10k\nM1 d g 0 0 nm W=10u L=1u\n"
                             ".model nm nmos (level=1 vto=0.7 kp=100u lambda=0.02)\n.tf v(d) vg\n.end\n");
    const auto& p = plot_of(res, "tf");
    const double rout = 1 / (1 / rd + go);
    CHECK(rvalue(p, "transfer_function") == doctest::Approx(-gm * rout).epsilon(1e-6));
    CHECK(rvalue(p, "output_impedance_at_v(d)") == doctest::Approx(rout).epsilon(1e-6));
    CHECK(rvalue(p, "vg#input_impedance") == doctest::Approx(1e20));  // an insulated gate
}

TEST_CASE(".four: a clipped sine has the closed-form fundamental and no even harmonics") {
    // A unit sine clipped at ±c: fundamental (2/π)·(asin c + c·√(1 − c²)).
    auto res = simulate_text("clip\nV1 in 0 SIN(0 1 1k)\nB1 out 0 V={max(min(v(in), 0.5), -0.5)}\nR1 out 0 1k\n"
                             ".tran 1u 3m 0 1u\n.four 1k v(out) v(in)\n.end\n");
    REQUIRE(res.reports.size() == 1);
    const std::string& text = res.reports[0].text;
    CHECK(text.find("Fourier analysis for v(out):") != std::string::npos);
    CHECK(text.find("Fourier analysis for v(in):") != std::string::npos);
    CHECK(text.find("No. Harmonics: 10") != std::string::npos);
    // Row of harmonic 1 of v(out): " 1       1000        <mag> ..."
    const auto out_at = text.find("Fourier analysis for v(out):");
    const auto row = text.find("\n 1       1000", out_at);
    REQUIRE(row != std::string::npos);
    std::istringstream line(text.substr(row + 1, 80));
    int h;
    double f, mag, phase;
    line >> h >> f >> mag >> phase;
    const double c = 0.5;
    CHECK(mag == doctest::Approx(2 / kPi * (std::asin(c) + c * std::sqrt(1 - c * c))).epsilon(2e-3));
    CHECK(std::fabs(phase) < 0.5);  // a sine has phase 0
    const auto row2 = text.find("\n 2       2000", out_at);
    std::istringstream line2(text.substr(row2 + 1, 80));
    double mag2;
    line2 >> h >> f >> mag2;
    CHECK(mag2 < 1e-3 * mag);
    const auto thd_at = text.find("THD: ", out_at);
    CHECK(std::stod(text.substr(thd_at + 5)) > 5);  // clipping distorts: a few tens of percent
}

TEST_CASE("small-signal analyses: bad input is a located error; a failing operating point is reported") {
    const std::string rc = "rc\nV1 in 0 AC 1\nR1 in out 1k\nC1 out 0 1u\n";
    CHECK(netlist_error(rc + ".tf v(nowhere) v1\n").find("no node named 'nowhere'") != std::string::npos);
    CHECK(netlist_error(rc + ".tf v(out) r1\n").find("independent") != std::string::npos);
    CHECK(netlist_error(rc + ".tf v(out) vx\n").find("no element named 'vx'") != std::string::npos);
    CHECK(netlist_error(rc + ".noise v(out) vx dec 1 1 10\n").find("no element named 'vx'") != std::string::npos);
    CHECK(netlist_error("rc\nV1 in 0 1\nR1 in out 1k\nC1 out 0 1u\n.noise v(out) v1 dec 1 1 10\n")
              .find("has no AC value") != std::string::npos);
    CHECK(netlist_error(rc + ".four 1k v(out)\n").find("needs a '.tran'") != std::string::npos);
    try {
        simulate_text("float\nV1 in 0 AC 1\nR1 in out 1k\nC1 out x 1u\nR2 x y 1k\nC2 y 0 1n\n.ac dec 1 1 10\n.end\n");
        FAIL("expected a singular matrix");
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()).find("operating point of the .ac") != std::string::npos);
        CHECK(std::string(e.what()).find("floating") != std::string::npos);
    }
}

TEST_CASE(".print ac prints ngspice's vector functions; .meas ac measures on them") {
    auto res = simulate_text("rc\nV1 in 0 AC 1\nR1 in out 1k\nC1 out 0 1u\n.ac dec 10 1 10k\n"
                             ".print ac vdb(out) vp(out)\n.meas ac f3db WHEN vdb(out)=-3.0103\n"
                             ".meas ac gmax MAX vm(out)\n.meas ac re1 FIND v(out) AT=159.15494\n"
                             ".meas ac lo MAX vm(out) FROM=0.01 TO=1\n.end\n");
    REQUIRE(res.prints.size() == 1);
    const auto& cols = res.prints[0].columns;
    REQUIRE(cols.size() == 3);
    CHECK(cols[1].fn == "db");
    CHECK(cols[2].fn == "p");
    REQUIRE(res.measures.size() == 4);
    // A bare complex vector is measured by its real part (ngspice): at 1/(2πRC) it is ½.
    REQUIRE(res.measures[2].value);
    CHECK(*res.measures[2].value == doctest::Approx(0.5).epsilon(1e-3));  // linear between grid points
    // A window reaching below the first frequency is cut to it.
    REQUIRE(res.measures[3].value);
    CHECK(*res.measures[3].value == doctest::Approx(1 / std::abs(Complex(1, 2 * kPi * 1e-3))).epsilon(1e-9));
    REQUIRE(res.measures[0].value);
    // Interpolated linearly in frequency between grid points, as ngspice does.
    CHECK(*res.measures[0].value == doctest::Approx(1 / (2 * kPi * 1e-3)).epsilon(0.02));
    CHECK(*res.measures[1].value == doctest::Approx(1 / std::abs(Complex(1, 2 * kPi * 1e-3))).epsilon(1e-9));
}

TEST_CASE(".noise: a resistor divider's output noise is √(4kT·R1‖R2), flat, and integrates over the band") {
    const double k = 1.38064852e-23, t = 300.15, r1 = 1e3, r2 = 3e3;
    auto res = simulate_text("div\nV1 in 0 DC 0 AC 1\nR1 in out 1k\nR2 out 0 3k\n.noise v(out) v1 dec 10 1 1meg\n.end\n");
    const auto& d = plot_of(res, "noise");
    CHECK(d.name == "Noise Spectral Density Curves");
    REQUIRE(d.points() == 61);
    const double onoise = std::sqrt(4 * k * t * r1 * r2 / (r1 + r2));
    for (std::size_t p = 0; p < d.points(); ++p) {
        CHECK(rvalue(d, "onoise_spectrum", p) == doctest::Approx(onoise).epsilon(1e-9));
        CHECK(rvalue(d, "inoise_spectrum", p) == doctest::Approx(onoise / 0.75).epsilon(1e-9));
    }
    const auto& tot = plot_of(res, "noise", 1);
    CHECK(tot.name == "Integrated Noise");
    CHECK(rvalue(tot, "onoise_total") == doctest::Approx(onoise * std::sqrt(1e6 - 1)).epsilon(1e-9));
    CHECK(rvalue(tot, "inoise_total") == doctest::Approx(onoise / 0.75 * std::sqrt(1e6 - 1)).epsilon(1e-9));
}

TEST_CASE(".noise: a diode fed by a current source shows its shot noise √(2qI) at the input") {
    const double q = 1.6021766208e-19, i = 1e-3;
    auto res = simulate_text("shot\nI1 0 d DC 1m AC 1\nD1 d 0 dm\n.model dm d (is=1e-14)\n"
                             ".noise v(d) i1 lin 3 1 1k 1\n.end\n");
    const auto& d = plot_of(res, "noise");
    REQUIRE(d.points() == 3);
    // The diode current is I less what gmin takes (1e-12 S at ~0.6 V): negligible here.
    for (std::size_t p = 0; p < d.points(); ++p) {
        CHECK(rvalue(d, "inoise_spectrum", p) == doctest::Approx(std::sqrt(2 * q * i)).epsilon(1e-6));
        CHECK(rvalue(d, "onoise_d1_id", p) == doctest::Approx(rvalue(d, "onoise_spectrum", p)).epsilon(1e-12));
    }
    CHECK(d.variables.back().type == "current-density");
}

TEST_CASE(".ac under .step: one complex plot per step, each with the step's values") {
    auto res = simulate_text("rc\n.param rv=1k\nV1 in 0 AC 1\nR1 in out {rv}\nC1 out 0 1u\n.ac lin 1 159.15494 159.15494\n"
                             ".step param rv list 1k 2k\n.end\n");
    REQUIRE(res.plots.size() == 2);
    for (std::size_t s = 0; s < 2; ++s) {
        const auto& p = res.plots[s];
        CHECK(p.is_complex());
        const double rc = (s + 1) * 1e-3, w = 2 * kPi * 159.15494;
        CHECK(close(cvalue(p, "v(out)", 0), 1.0 / Complex(1, w * rc), 1e-9));
        CHECK(p.step.at(0).second == doctest::Approx((s + 1) * 1e3));
    }
}

namespace {

/// The poles (or zeros) of a .pz plot, in its order.
std::vector<Complex> pz_roots(const solver::Plot& p, const std::string& kind) {
    std::vector<Complex> out;
    for (int k = 1;; ++k) {
        const int v = p.find(kind + "(" + std::to_string(k) + ")");
        if (v < 0) return out;
        out.push_back(p.complex_at(0, static_cast<std::size_t>(v)));
    }
}

}  // namespace

TEST_CASE(".pz: an RC low-pass (vol) has one pole at -1/RC and no finite zero") {
    auto res = simulate_text("rc\nV1 in 0 DC 0 AC 1\nR1 in out 1k\nC1 out 0 10p\n.pz in 0 out 0 vol pz\n.end\n");
    const auto& p = plot_of(res, "pz");
    CHECK(p.name == "Pole-Zero Analysis");
    CHECK(p.scalar);
    const auto poles = pz_roots(p, "pole");
    REQUIRE(poles.size() == 1);
    CHECK(close(poles[0], -1e8, 1e-12));
    CHECK(pz_roots(p, "zero").empty());
}

TEST_CASE(".pz: a voltage source written `ac 0` is the input all the same (ngspice's acGiven)") {
    // Two RC sections: with V1 taken out, the poles of v(out)/v(in) are the ladder's, −2.07284e6
    // and −627158 s⁻¹ as ngspice 47 prints them for both `ac 0` and `ac 1`; without `ac` the
    // source is a short across the input port and the input impedance is undefined (ngspice
    // fails too).
    const std::string deck = "pz ac\nV1 in 0 dc 0 {}\nR1 in mid 1k\nC1 mid 0 1n\nR2 mid out 2k\nC2 out 0 0.5n\n"
                             "R3 out 0 10k\n.pz in 0 out 0 vol pz\n.end\n";
    for (const char* ac : {"ac 0", "ac 1"}) {
        INFO(ac);
        const auto poles = pz_roots(plot_of(simulate_text(fmt::format(fmt::runtime(deck), ac)), "pz"), "pole");
        REQUIRE(poles.size() == 2);
        CHECK(close(poles[0], -2.07284e6, 1e-5));
        CHECK(close(poles[1], -627158, 1e-5));
    }
    CHECK_THROWS_AS(simulate_text(fmt::format(fmt::runtime(deck), "")), parser::NetlistError);
}

TEST_CASE(".pz: a bridged-T notch: poles -(3±√5)/2 /RC, a double zero at -1/RC") {
    // H(s) = (s²R²C² + 2sRC + 1)/(s²R²C² + 3sRC + 1) with R = 1k, C = 1 µF.
    auto res = simulate_text("bridge-T\nV1 1 0 12 AC 1\nC1 1 2 1U\nC2 2 3 1U\nR3 2 0 1K\nR4 1 3 1K\n"
                             ".pz 1 0 3 0 vol pz\n.end\n");
    const auto& p = plot_of(res, "pz");
    const auto poles = pz_roots(p, "pole"), zeros = pz_roots(p, "zero");
    REQUIRE(poles.size() == 2);
    CHECK(close(poles[0], -(3 + std::sqrt(5.0)) / 2 * 1e3, 1e-10));  // real part rising, as ngspice lists
    CHECK(close(poles[1], -(3 - std::sqrt(5.0)) / 2 * 1e3, 1e-10));
    REQUIRE(zeros.size() == 2);  // a double root, merged from the two that rounding splits it into
    for (const auto& z : zeros) {
        CHECK(close(z, -1e3, 1e-12));
        CHECK(z.imag() == 0);  // not a pair of complex roots rounding split it into
    }
}

TEST_CASE(".pz: cur poles of stages coupled one way are each stage's -R/L, even a triple one") {
    // ngspice's tests/polezero/pz2.cir and pzt.cir: parallel R‖L stages driven by VCCSs.
    std::string four = "pz2\niin 1 0 ac\n";
    const double r[] = {1.019524e9, 8.296965e8, 8.652054e7, 1.060594e7};
    for (int k = 1; k <= 4; ++k) {
        four += fmt::format("r{0} {0} 0 {1}\nl{0} {0} 0 1\n", k, r[k - 1]);
        if (k > 1) four += fmt::format("g{0} {0} 0 {1} 0 1\n", k, k - 1);
    }
    auto res = simulate_text(four + ".pz 1 0 4 0 cur pol\n.end\n");
    auto poles = pz_roots(plot_of(res, "pz"), "pole");
    REQUIRE(poles.size() == 4);
    for (int k = 0; k < 4; ++k) CHECK(close(poles[k], -r[k], 1e-9));
    std::string three = "pzt\niin 1 0 ac\n";
    for (int k = 1; k <= 3; ++k) {
        three += fmt::format("r{0} {0} 0 1\nl{0} {0} 0 0.05\n", k);
        if (k > 1) three += fmt::format("g{0} {0} 0 {1} 0 1\n", k, k - 1);
    }
    res = simulate_text(three + ".pz 1 0 3 0 cur pol\n.end\n");
    poles = pz_roots(plot_of(res, "pz"), "pole");
    REQUIRE(poles.size() == 3);
    for (const auto& s : poles) CHECK(s == Complex(-20, 0));
}

TEST_CASE(".pz: a complex pair comes as the root, then its conjugate; a zero at the origin is exactly 0") {
    // Series RLC into C‖R: the characteristic polynomial's roots, by its own coefficients.
    auto res = simulate_text("rlc\nV1 1 0 DC 0 AC 1\nR1 1 2 10\nL1 2 3 1u\nC1 3 0 1n\nR2 3 0 1k\n"
                             ".pz 1 0 3 0 vol pol\n.end\n");
    const auto poles = pz_roots(plot_of(res, "pz"), "pole");
    REQUIRE(poles.size() == 2);
    // (R1 + sL)(1/R2 + sC) + 1 = 0  →  LC s² + (R1C + L/R2) s + (1 + R1/R2) = 0
    const double a = 1e-6 * 1e-9, b = 10 * 1e-9 + 1e-6 / 1e3, c = 1 + 10.0 / 1e3;
    const Complex root = (-b + std::sqrt(Complex(b * b - 4 * a * c))) / (2 * a);
    CHECK(root.imag() > 0);
    CHECK(close(poles[0], root, 1e-10));
    CHECK(close(poles[1], std::conj(root), 1e-10));
    // A high-pass: v(2)/i(1) = R2·sC·R1/(1 + sC(R1 + R2)): a zero at s = 0, a pole at -1/(C(R1+R2)).
    res = simulate_text("hp\nr1 1 0 1k\nr2 2 0 1k\nc1 1 2 1.0e-12\n.pz 1 0 2 0 cur pz\n.end\n");
    const auto& p = plot_of(res, "pz");
    REQUIRE(pz_roots(p, "pole").size() == 1);
    CHECK(close(pz_roots(p, "pole")[0], -5e8, 1e-12));
    REQUIRE(pz_roots(p, "zero").size() == 1);
    CHECK(pz_roots(p, "zero")[0] == Complex(0, 0));
}

TEST_CASE(".pz: a capacitor straight across a voltage input leaves no pole at infinity behind") {
    // The input port shorted (vol) puts Cin in a loop with it: an infinite root of index 2,
    // which rounding turns into a huge spurious one unless it is recognised.
    auto res = simulate_text("idx2\niin in 0 ac 1\ncin in 0 1p\nr1 in out 1k\nc2 out 0 2p\nr2 out 0 3k\n"
                             "e1 o2 0 out 0 2\nr3 o2 o3 1k\nc3 o3 0 1p\n.pz in 0 o3 0 vol pol\n.end\n");
    const auto poles = pz_roots(plot_of(res, "pz"), "pole");
    REQUIRE(poles.size() == 2);
    CHECK(close(poles[0], -1e9, 1e-12));      // r3·c3
    CHECK(close(poles[1], -2e9 / 3, 1e-12));  // c2 with r1‖r2 (the input shorted)
}

TEST_CASE(".pz: bad ports and forms are located errors") {
    const std::string rc = "rc\nV1 in 0 AC 1\nR1 in out 1k\nC1 out 0 1u\n";
    CHECK(netlist_error(rc + ".pz in 0 nowhere 0 vol pz\n").find("no node named 'nowhere'") != std::string::npos);
    CHECK(netlist_error(rc + ".pz in in out 0 vol pz\n").find("input is shorted") != std::string::npos);
    CHECK(netlist_error(rc + ".pz in 0 in 0 vol pz\n").find("transfer function is 1") != std::string::npos);
    CHECK(netlist_error(rc + ".pz in 0 out 0 volt pz\n").find("cur or vol") != std::string::npos);
    CHECK(netlist_error(rc + ".pz in 0 out 0 vol\n").find("'.pz' takes") != std::string::npos);
    CHECK(netlist_error(rc + ".pz in 0 out 0 cur poles\n").find("pol, zer or pz") != std::string::npos);
    // An output nothing connects to the input: v(x)/i(in) is zero at every s, located at the card.
    CHECK(netlist_error(rc + "R2 x 0 1k\n.pz in 0 x 0 cur zer\n")
              .find("test.cir:6:1: error: '.pz': the transimpedance v(x,0)/i(v(in,0)) is undefined") != std::string::npos);
}

TEST_CASE("a resistor's ac= resistance is what .ac and .pz see; .op and .tf keep the DC one (ngspice)") {
    // ngspice's tests/regression/pz/ac-resistance.cir: R1 1k for DC, 4k in small signal.
    const std::string deck = "acres\nVin 1 0 dc 5.0 ac 3.0\nR1 1 2 1k ac=4k\nC2 2 0 1n\nR2 2 0 4k\n";
    auto res = simulate_text(deck + ".op\n.tf v(2) vin\n.ac lin 3 100k 200k\n.pz 1 0 2 0 vol pz\n.end\n");
    CHECK(rvalue(plot_of(res, "op"), "v(2)") == doctest::Approx(5.0 * 0.8).epsilon(1e-12));
    CHECK(rvalue(plot_of(res, "tf"), "transfer_function") == doctest::Approx(0.8).epsilon(1e-12));
    const auto& ac = plot_of(res, "ac");
    const double tau = 2e3 * 1e-9;  // (4k ‖ 4k)·1n
    for (std::size_t k = 0; k < ac.points(); ++k) {
        const Complex s(0, 2 * kPi * ac.at(k, 0));
        CHECK(close(cvalue(ac, "v(2)", k), 3.0 * 0.5 / (1.0 + s * tau), 1e-12));
    }
    const auto poles = pz_roots(plot_of(res, "pz"), "pole");
    REQUIRE(poles.size() == 1);
    CHECK(close(poles[0], -1 / tau, 1e-12));
}

TEST_CASE(".pz: all 150 poles of an RC ladder, some of them 1e-7 apart, against its own eigenvalues") {
    // Input shorted (vol): the poles are the eigenvalues of -C^-1 G of the ladder's nodes, C
    // cycling 1..7 pF so that modes localise at equal capacitors and crowd together. ngspice 47
    // finds 138 of them.
    const int n = 150;
    std::string deck = "ladder\nV1 n0 0 dc 0 ac 1\n";
    Eigen::MatrixXd g = Eigen::MatrixXd::Zero(n, n);
    Eigen::VectorXd cap(n);
    for (int k = 0; k < n; ++k) {
        deck += fmt::format("R{0} n{0} n{1} 1k\nC{0} n{1} 0 {2}p\n", k, k + 1, 1 + k % 7);
        g(k, k) += 1e-3;
        if (k > 0) g(k - 1, k - 1) += 1e-3, g(k - 1, k) -= 1e-3, g(k, k - 1) -= 1e-3;
        cap[k] = (1 + k % 7) * 1e-12;
    }
    auto res = simulate_text(deck + fmt::format(".pz n0 0 n{} 0 vol pol\n.end\n", n));
    const auto poles = pz_roots(plot_of(res, "pz"), "pole");
    REQUIRE(poles.size() == static_cast<std::size_t>(n));
    const Eigen::VectorXd scale = cap.cwiseSqrt().cwiseInverse();
    const Eigen::MatrixXd sym = scale.asDiagonal() * g * scale.asDiagonal();
    Eigen::VectorXd expected = -Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(sym).eigenvalues();
    std::sort(expected.begin(), expected.end());
    double worst = 0;
    for (int k = 0; k < n; ++k) {
        CHECK(poles[k].imag() == 0);
        worst = std::max(worst, std::fabs(poles[k].real() - expected[k]) / std::fabs(expected[k]));
    }
    CHECK(worst < 1e-9);
}
