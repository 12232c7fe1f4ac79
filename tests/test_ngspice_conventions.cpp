// Conventions ngspice users rely on without writing them down: a source without a DC value has
// its waveform's t = 0 value in DC (SIN's phase included), `.ic` without uic holds a node as
// firmly as ngspice (1e10 S), with uic the first transient point is consistent (sources' nodes
// at their values), rshunt/gshunt tie every node to ground in every analysis, and device
// currents are outputs (`@r1[i]`, `@d1[id]`, `@m1[id]`, `i(n1)` of a memory device,
// `.options savecurrents`).

#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "tests/SimHelpers.hpp"

using ionspice::test::netlist_error;
using ionspice::test::simulate_text;
using ionspice::test::value;

TEST_CASE("a source without a DC value takes its waveform's t = 0 value in DC, SIN's phase included") {
    const auto r = simulate_text(
        "sin\nV1 a 0 SIN(0.1 0.5 1k 0 0 90)\nR1 a 0 1k\nV2 b 0 PULSE(1 0 1u 1n 1n 1u 2u)\nR2 b 0 1k\n"
        "V3 c 0 PWL(0 0.3 1m 1)\nR3 c 0 1k\nV4 d 0 DC 2 SIN(0 1 1k)\nR4 d 0 1k\n.op\n.end\n");
    CHECK(value(r, "v(a)") == doctest::Approx(0.6).epsilon(1e-12));  // ngspice: 0.6, not vo = 0.1
    CHECK(value(r, "v(b)") == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(value(r, "v(c)") == doctest::Approx(0.3).epsilon(1e-12));
    CHECK(value(r, "v(d)") == doctest::Approx(2.0).epsilon(1e-12));  // a written DC value wins
}

TEST_CASE(".ic without uic holds its node to 1e-10 of the current driven into it") {
    // 1 mA into a with 1 kΩ to ground would make 1 V; .ic holds 0.5 V at the operating point:
    // the hold takes the 0.5 mA left over, so v(a) − 0.5 = 0.5 mA / 1e10 S.
    const auto r = simulate_text("ic\nI1 0 a 1m\nR1 a 0 1k\nC1 a 0 1n\n.ic v(a)=0.5\n.tran 1n 2n\n.end\n");
    CHECK(std::abs(value(r, "v(a)", 0) - 0.5) < 1e-12);
}

TEST_CASE("uic: the t = 0 point is consistent (source nodes at their values, capacitors at their ic)") {
    const auto r = simulate_text(
        "uic\nV1 a 0 1\nR1 a b 1k\nC1 b 0 1u ic=0.25\nL1 a c 1m ic=2m\nR2 c 0 1k\n.tran 1u 1m uic\n"
        ".meas tran vmin MIN v(a)\n.end\n");
    CHECK(value(r, "v(a)", 0) == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(value(r, "v(b)", 0) == doctest::Approx(0.25).epsilon(1e-9));
    CHECK(value(r, "i(l1)", 0) == doctest::Approx(2e-3).epsilon(1e-9));
    // The inductor's current set by its ic flows through R2: v(c) = 2 V at t = 0.
    CHECK(value(r, "v(c)", 0) == doctest::Approx(2.0).epsilon(1e-9));
    // The source's current at t = 0: the capacitor branch (1 − 0.25)/1k and the inductor's 2 mA.
    CHECK(value(r, "i(v1)", 0) == doctest::Approx(-(0.75e-3 + 2e-3)).epsilon(1e-9));
    REQUIRE(!r.measures.empty());
    CHECK(r.measures.front().value == doctest::Approx(1.0).epsilon(1e-12));
}

TEST_CASE("rshunt and gshunt tie every node to ground in DC, transient and AC") {
    // A current source alone on a node: only the shunt carries it.
    const auto r = simulate_text("shunt\n.options rshunt=1k\nI1 0 a 1m AC 1\nC1 a 0 1n\n.op\n.tran 1u 20u\n.ac lin 1 1 1\n.end\n");
    CHECK(value(r, "v(a)", 0, 0) == doctest::Approx(1.0).epsilon(1e-9));
    const auto& tran = r.plots.at(1);
    CHECK(tran.at(tran.points() - 1, static_cast<std::size_t>(tran.find("v(a)"))) == doctest::Approx(1.0).epsilon(1e-6));
    // At 1 Hz the capacitor is negligible: |v(a)| = 1 A · 1 kΩ.
    const auto& ac = r.plots.at(2);
    CHECK(std::abs(ac.complex_at(0, static_cast<std::size_t>(ac.find("v(a)")))) == doctest::Approx(1e3).epsilon(1e-6));
    // gshunt and rshunt add up.
    const auto both = simulate_text("shunt\n.options rshunt=1k gshunt=1m\nI1 0 a 1m\n.op\n.end\n");
    CHECK(value(both, "v(a)") == doctest::Approx(0.5).epsilon(1e-9));
    CHECK(netlist_error("t\n.options rshunt=0\nR1 a 0 1\n.op\n").find("option 'rshunt' must be positive") !=
          std::string::npos);
}

TEST_CASE("device currents: @r1[i], @d1[id], @m1[id], i(n1) of a memory device, and .options savecurrents") {
    const std::string deck = R"(currents
V1 in 0 2
R1 in a 1k
D1 a 0 dm
.model dm d is=1e-14
Vd dd 0 1
Vg g 0 1.5
M1 dd g 0 0 nm w=10u l=1u
.model nm nmos level=1 vto=0.5 kp=100u
Vm m 0 0.2
N1 0 m 0 mem g0=20u
.model mem ecram (gmin=10u gmax=50u)
)";
    const auto r = simulate_text(deck + ".options savecurrents\n.op\n.end\n");
    const double ir = (2 - value(r, "v(a)")) / 1e3;
    CHECK(value(r, "@r1[i]") == doctest::Approx(ir).epsilon(1e-9));
    CHECK(value(r, "@d1[id]") == doctest::Approx(ir).epsilon(1e-6));  // all of R1's current
    // Saturation: id = kp/2·W/L·(vgs − vto)² = 50µ·10·1 = 0.5 mA, into the drain.
    CHECK(value(r, "@m1[id]") == doctest::Approx(0.5e-3).epsilon(1e-9));
    CHECK(value(r, "@m1[id]") == doctest::Approx(-value(r, "i(vd)")).epsilon(1e-9));
    CHECK(value(r, "@n1[i]") == doctest::Approx(20e-6 * 0.2).epsilon(1e-9));
    // Asked for by name, without savecurrents.
    const auto named = simulate_text(deck + ".op\n.print op i(n1) @m1[id] i(r1)\n.end\n");
    CHECK(value(named, "i(n1)") == doctest::Approx(20e-6 * 0.2).epsilon(1e-9));
    CHECK(value(named, "i(r1)") == doctest::Approx(ir).epsilon(1e-9));
}

TEST_CASE("savecurrents: a BJT's ic, ib, ie, is and a JFET's id, ig, is as ngspice 47 prints them") {
    // The reference: ngspice 47 (bench/build_ngspice.sh) on this deck, `ngspice -b`, its .op
    // listing of the @ vectors (6 digits); @q1[is], 3.403e-12 there, is a gmin-level current
    // on which the two programs' substrate junctions differ by 1e-12 A.
    const auto r = simulate_text(R"(savecurrents
.options savecurrents
VCC vcc 0 5
VB b 0 0.7
RC vcc c 1k
Q1 c b 0 qn
.model qn npn (is=1e-15 bf=100 vaf=50 rb=10 re=1 rc=5 cjs=1p iss=1e-16)
VG g 0 -0.5
RD vcc d 2k
J1 d g 0 jn
.model jn njf (vto=-2 beta=1e-3 lambda=0.02 is=1e-14)
C1 c 0 1p
.op
.end
)");
    CHECK(value(r, "@q1[ic]") == doctest::Approx(5.938115e-04).epsilon(2e-6));
    CHECK(value(r, "@q1[ib]") == doctest::Approx(5.528631e-06).epsilon(2e-6));
    CHECK(value(r, "@q1[ie]") == doctest::Approx(-5.99340e-04).epsilon(2e-6));
    CHECK(std::fabs(value(r, "@q1[is]")) < 1e-11);
    CHECK(value(r, "@j1[id]") == doctest::Approx(2.012617e-03).epsilon(2e-6));
    CHECK(value(r, "@j1[ig]") == doctest::Approx(-1.99476e-12).epsilon(2e-5));
    CHECK(value(r, "@j1[is]") == doctest::Approx(-2.01262e-03).epsilon(2e-6));
    CHECK(value(r, "@c1[i]") == 0);
    // Kirchhoff at each device: what enters leaves.
    CHECK(value(r, "@q1[ic]") + value(r, "@q1[ib]") + value(r, "@q1[ie]") + value(r, "@q1[is]") ==
          doctest::Approx(0).scale(1e-3).epsilon(1e-12));
    CHECK(value(r, "@j1[id]") + value(r, "@j1[ig]") + value(r, "@j1[is]") == doctest::Approx(0).scale(1e-3).epsilon(1e-9));
}

TEST_CASE("i(c1) in a transient is C·dv/dt by the integration formula: an RC's charging current") {
    const auto r = simulate_text("rc\nV1 in 0 PULSE(0 1 0 1n 1n 1 2)\nR1 in out 1k\nC1 out 0 1u\n"
                                 ".tran 10u 5m\n.print tran i(c1) i(v1)\n.end\n");
    const auto& p = r.plots.at(0);
    const int t = p.find("time"), ic = p.find("i(c1)"), iv = p.find("i(v1)");
    REQUIRE(ic >= 0);
    REQUIRE(iv >= 0);
    CHECK(p.at(0, static_cast<std::size_t>(ic)) == 0);  // the operating point: no current
    for (std::size_t k = 1; k < p.points(); ++k) {
        const double time = p.at(k, static_cast<std::size_t>(t)), i = p.at(k, static_cast<std::size_t>(ic));
        // The capacitor carries what the source delivers (nothing else is charged) ...
        CHECK(i == doctest::Approx(-p.at(k, static_cast<std::size_t>(iv))).epsilon(1e-9));
        // ... which is the RC's (1 − e^(−t/RC))' = e^(−t/RC)/R after the 1 ns edge.
        if (time > 1e-5) CHECK(i == doctest::Approx(std::exp(-(time - 0.5e-9) / 1e-3) / 1e3).epsilon(2e-3));
    }
}

TEST_CASE("a netlist without elements runs its analyses, as ngspice's (a zero-by-zero system)") {
    const auto r = simulate_text("empty\n.op\n.tran 0.1m 1m\n.ac lin 3 1k 2k\n.end\n");
    REQUIRE(r.plots.size() == 3);
    CHECK(r.plots[1].points() > 1);   // time points, no vectors but the scale
    CHECK(r.plots[2].points() == 3);  // frequencies
}

TEST_CASE("model names that start like numbers (1N4002, 2N2222) are models where a model is due") {
    const auto r = simulate_text(
        "names\nI1 0 a 100u\nD1 a 0 1n4002\n.model 1n4002 d(is=1.3f)\nVc c 0 5\nRb c b 100k\nQ1 c b 0 2n2222\n"
        "Q2 c b 0 2n2222 2\n.model 2n2222 npn(is=1e-14 bf=100)\n.op\n.end\n");
    // 100 µA through the diode: v = n·Vt·ln(1 + I/IS).
    const double vt = 1.380649e-23 * 300.15 / 1.602176634e-19;
    // (to 1e-5: gmin and the constants of the thermal voltage move the sixth digit)
    CHECK(value(r, "v(a)") == doctest::Approx(vt * std::log(1 + 100e-6 / 1.3e-15)).epsilon(1e-5));
    CHECK(value(r, "v(b)") > 0.5);
}

TEST_CASE("TRNOISE in a netlist: around its DC value, reproducible from .options seed, the same at any -j") {
    const std::string deck = ".options seed=3\nV1 a 0 DC 0.5 TRNOISE(1m 1n)\nR1 a 0 1k\n.param r=1k\nR2 a b {r}\n"
                             "R3 b 0 1k\n.step param r list 1k 2k 3k 4k\n.tran 1n 200n\n.end\n";
    auto run = [&](int threads, const std::string& seed) {
        ionspice::solver::SimulateSettings s;
        s.threads = threads;
        std::string d = "trnoise\n" + deck;
        if (!seed.empty()) d.replace(d.find("seed=3"), 6, seed);
        return ionspice::solver::simulate(ionspice::parser::parse_deck(d, "test.cir"), s);
    };
    const auto one = run(1, ""), three = run(3, ""), other = run(1, "seed=4");
    REQUIRE(one.plots.size() == 4);
    for (std::size_t k = 0; k < one.plots.size(); ++k) CHECK(one.plots[k].values == three.plots[k].values);
    CHECK(one.plots[0].values != other.plots[0].values);
    // Every step point draws the same noise (the source's name and the seed choose it).
    const auto& p = one.plots[0];
    const int a = p.find("v(a)");
    double sum = 0;
    for (std::size_t k = 0; k < p.points(); ++k) sum += p.at(k, static_cast<std::size_t>(a));
    CHECK(sum / static_cast<double>(p.points()) == doctest::Approx(0.5).epsilon(1e-3));
    CHECK(value(one, "v(a)", 0) == 0.5);  // 0 noise at t = 0
}

TEST_CASE("instance parameters on a .model line are defaults for its instances, as ngspice's") {
    // ngspice's tests/regression/model/instance-defaults.cir, and an instance that sets its own.
    const auto r = simulate_text("t\nv1 1 0 dc=1\nr1 1 0 myres\nv2 2 0 dc=1\nr2 2 0 myres r=1k\nv3 3 0 dc=1\n"
                                 "r3 3 0 myres 4k\n.model myres r(resistance=2k)\n.op\n.end\n");
    CHECK(value(r, "i(v1)") == doctest::Approx(-0.5e-3).epsilon(1e-12));
    CHECK(value(r, "i(v2)") == doctest::Approx(-1e-3).epsilon(1e-12));
    CHECK(value(r, "i(v3)") == doctest::Approx(-0.25e-3).epsilon(1e-12));
    // A name neither the model nor its instances know is still an error, at the model line.
    CHECK(netlist_error("t\nv1 1 0 1\nr1 1 0 myres\n.model myres r(rsh=1 bogus=3)\n.op\n.end\n")
              .find("test.cir:4:28: error: resistor r1: unknown parameter 'bogus'") == 0);
}

TEST_CASE("savecurrents in a transient: a BJT's and a JFET's terminal currents carry their charges' currents") {
    // Each terminal's node is reached by one source (or resistor) alone, so Kirchhoff gives the
    // whole terminal current at every point: junction and diffusion charges included, as
    // ngspice's @q1[ic] and @j1[ig] are (ngspice 47 on this deck: @q1[ic] = −i(vcc) while the
    // base is charging, −1.01e-6 A at 1.005 ns, where the static collector current is 5e-12 A;
    // @j1[ig] about −1.5 mA on the gate ramp, 2 pF at 1 V/ns).
    const auto r = simulate_text(R"(charges
vcc c 0 5
vin b0 0 pulse(0 1 1n 1n 1n 5n 20n)
rb b0 b 1k
q1 c b 0 qn
.model qn npn (is=1e-15 bf=100 cje=1p cjc=0.5p tf=0.1n rb=20 rc=5 re=2)
vd d 0 2
vj g 0 pulse(0 -1 1n 1n 1n 5n 20n)
j1 d g 0 jm
.model jm njf (beta=1m vto=-2 cgs=1p cgd=1p)
.options savecurrents
.tran 0.05n 4n
.print tran @q1[ic] @q1[ib] @q1[ie] i(vcc) v(b0) v(b) @j1[id] @j1[ig] @j1[is] i(vd) i(vj)
.end
)");
    const auto& p = r.plots.at(0);
    auto col = [&](const char* name) {
        const int k = p.find(name);
        REQUIRE_MESSAGE(k >= 0, name);
        return static_cast<std::size_t>(k);
    };
    double peak_ic = 0, peak_ig = 0;
    for (std::size_t k = 1; k < p.points(); ++k) {
        const double ic = p.at(k, col("@q1[ic]")), ib = p.at(k, col("@q1[ib]")), ie = p.at(k, col("@q1[ie]"));
        CHECK(ic == doctest::Approx(-p.at(k, col("i(vcc)"))).scale(1e-6).epsilon(1e-9));
        CHECK(ib == doctest::Approx((p.at(k, col("v(b0)")) - p.at(k, col("v(b)"))) / 1e3).scale(1e-6).epsilon(1e-9));
        CHECK(ie == doctest::Approx(-(ic + ib)).scale(1e-6).epsilon(1e-9));  // the grounded emitter
        // The JFET's charges are nonlinear in the gate voltages: C(v)·dv/dt at the point, with
        // the integrator's dv/dt, differs from the integrated charge's rate by the truncation
        // error (about 0.1 % on this ramp).
        CHECK(p.at(k, col("@j1[id]")) == doctest::Approx(-p.at(k, col("i(vd)"))).scale(1e-5).epsilon(5e-3));
        CHECK(p.at(k, col("@j1[ig]")) == doctest::Approx(-p.at(k, col("i(vj)"))).scale(1e-5).epsilon(5e-3));
        peak_ic = std::max(peak_ic, std::fabs(ic));
        peak_ig = std::max(peak_ig, std::fabs(p.at(k, col("@j1[ig]"))));
    }
    // The charges' currents are there: far above the static leakage the .op gives.
    CHECK(peak_ic > 1e-5);
    CHECK(peak_ig > 1e-3);
}

TEST_CASE("vendors' PSpice-style models as ngspice reads them: AKO models, T_ABS, temp and vt, | & ~, v(vc+)") {
    // Q2's model is a kind of Q1's with bf doubled (is and vaf from qbase): at equal biases its
    // base current is half Q1's. temp and vt are the circuit temperature and kT/q
    // there; `|`, `&` and `~` are ||, && and !; a node name may hold '+'.
    const auto r = simulate_text(R"(pspice
.model qbase npn (is=1e-15 bf=100 vaf=50)
.model qako ako:qbase npn (bf=200)
.model rquiet res (t_abs=-273.15)
VB1 b1 0 0.65
VB2 b2 0 0.65
VC c 0 2
Q1 c b1 0 qbase
Q2 c b2 0 qako
Rsense vc+ 0 rquiet 1k
Isense 0 vc+ 1m
E1 t 0 value = {temp + 1000*vt}
E2 l 0 value = {(V(VC+) > 0.5 | 0) + 2*(V(VC+, 0) > 0.5 & 0) + 4*~(V(VC+) > 2)}
.op
.end
)");
    CHECK(value(r, "i(vb1)") / value(r, "i(vb2)") == doctest::Approx(2.0).epsilon(1e-6));
    CHECK(value(r, "v(t)") == doctest::Approx(27 + 1000 * 1.380649e-23 * 300.15 / 1.602176634e-19).epsilon(1e-6));
    CHECK(value(r, "v(l)") == doctest::Approx(5.0));
    CHECK(value(r, "v(vc+)") == doctest::Approx(1.0));
    CHECK(netlist_error("t\n.model q2 ako:nothere npn (bf=2)\n.op\n.end\n").find("no model 'nothere' is defined before it") !=
          std::string::npos);
}

TEST_CASE("ngspice's forgiving source and card forms: SINE, DC before a waveform, DISTOF, .ends name, unknown options") {
    const auto r = simulate_text(R"(forms
.options frobnicate=1
V1 a 0 SINE(0.5 1 1k 0 0 90)
V2 b 0 DC PWL(0 0.25 1m 1)
V3 c 0 dc 1 ac 1 distof1 0.1 distof2 0.1 45
R1 a 0 1k
R2 b 0 1k
XR c 0 half
.subckt halfres p n
R1 p n 2k
.ends half
.subckt half p n
R1 p n 1k
.ends halfres
.op
.end
)");
    CHECK(value(r, "v(a)") == doctest::Approx(1.5).epsilon(1e-12));   // SIN's value at t = 0
    CHECK(value(r, "v(b)") == doctest::Approx(0.25).epsilon(1e-12));
    CHECK(value(r, "i(v3)") == doctest::Approx(-1e-3).epsilon(1e-12));  // half is the 1k one
    // Each is said: the unknown option, DC without a value, DISTOF1/2 and both .ends names.
    CHECK(r.warnings.size() == 6);
}

TEST_CASE("a transient starts from its sources' waveforms at t = 0, even where a DC value is written (ngspice)") {
    // ngspice's MODETRANOP: DC 2 SIN(0 1 1k) starts at 0 V, DC 0 PULSE(-0.5 …) at −0.5 V; the
    // .op of the same deck takes the written DC values.
    const std::string deck = "t\nV1 a 0 DC 2 SIN(0 1 1k)\nR1 a 0 1k\nV2 b 0 dc 0 pulse(-0.5 0.5 2u 1n 1n 1u 2u)\nR2 b 0 1k\n";
    const auto tran = simulate_text(deck + ".tran 1u 3u\n.end\n");
    CHECK(value(tran, "v(a)", 0) == doctest::Approx(0.0));
    CHECK(value(tran, "v(b)", 0) == doctest::Approx(-0.5));
    const auto op = simulate_text(deck + ".op\n.end\n");
    CHECK(value(op, "v(a)") == doctest::Approx(2.0));
    CHECK(value(op, "v(b)") == doctest::Approx(0.0));
}

TEST_CASE("PSpice's smooth switches (vswitch, iswitch): ln R linear between the off and on controls, as ngspice runs them") {
    // Halfway between voff and von the resistance is √(ron·roff); beyond, ron or roff. A W switch
    // reads the current of its sense source; @v1[i] is that source's current.
    const auto r = simulate_text(R"(smooth
.model vsw vswitch (von=2 voff=0 ron=10 roff=1e5)
.model isw iswitch (ion=2m ioff=0 ron=10 roff=1e5)
V1 a 0 1
S1 a 0 c1 0 vsw
VC1 c1 0 1
S2 a 0 c2 0 vsw
VC2 c2 0 3
Vs d 0 1
W1 d 0 vsense isw
I1 0 e 1m
Vsense e 0 0
.save i(v1) @vs[i] i(vs)
.op
.end
)");
    const double half = 1 / std::sqrt(10 * 1e5), on = 1 / 10.0;
    CHECK(-value(r, "i(v1)") == doctest::Approx(half + on).epsilon(1e-9));
    CHECK(-value(r, "i(vs)") == doctest::Approx(half).epsilon(1e-9));
    CHECK(value(r, "@vs[i]") == doctest::Approx(value(r, "i(vs)")).epsilon(1e-12));
    CHECK(netlist_error("t\n.model vsw vswitch (von=1 voff=1)\nV1 a 0 1\nS1 a 0 a 0 vsw\n.op\n.end\n")
              .find("the on and off controls must differ") != std::string::npos);
}
