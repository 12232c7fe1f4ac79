// `.meas`: every form on waveforms whose answers are exact (PWL sources are linear between their
// corners, and so is the interpolation), on a .dc sweep and in a .step run, plus its errors.

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include <doctest/doctest.h>

#include "tests/SimHelpers.hpp"

using ionspice::test::netlist_error;
using ionspice::test::simulate_text;

namespace {

/// name → value of every measurement (fails the test on a failed one).
std::map<std::string, double> measures(const std::string& text) {
    const auto r = simulate_text(text);
    std::map<std::string, double> out;
    for (const auto& m : r.measures) {
        INFO(m.name << ": " << m.failure);
        REQUIRE(m.value);
        out[m.name] = *m.value;
    }
    return out;
}

}  // namespace

TEST_CASE(".meas tran: FIND, WHEN, TRIG/TARG with edges, counts, LAST and TD") {
    // A triangle 0 → 2 V → 0 twice (period 4 µs) and a copy delayed by 0.5 µs.
    const auto m = measures(R"(meas
V1 a 0 PWL(0 0 2u 2 4u 0 6u 2 8u 0)
V2 b 0 PWL(0 0 0.5u 0 2.5u 2 4.5u 0 6.5u 2 8.5u 0)
R1 a 0 1k
R2 b 0 1k
.tran 0.1u 8u
.meas tran f1 FIND v(a) AT=1.5u
.meas tran w1 WHEN v(a)=1
.meas tran w2 WHEN v(a)=1 FALL=1
.meas tran w3 WHEN v(a)=1 CROSS=3
.meas tran w4 WHEN v(a)=1 RISE=LAST
.meas tran w5 WHEN v(a)=1 RISE=1 TD=3u
.meas tran f2 FIND v(b) WHEN v(a)=1.5 FALL=2
.meas tran d1 TRIG v(a) VAL=1 RISE=1 TARG v(b) VAL=1 RISE=1
.meas tran d2 TRIG v(a) VAL=0.5 RISE=2 TARG v(a,b) VAL=-0.5 FALL=2
.end
)");
    CHECK(m.at("f1") == doctest::Approx(1.5));
    CHECK(m.at("w1") == doctest::Approx(1e-6));
    CHECK(m.at("w2") == doctest::Approx(3e-6));
    CHECK(m.at("w3") == doctest::Approx(5e-6));
    CHECK(m.at("w4") == doctest::Approx(5e-6));
    CHECK(m.at("w5") == doctest::Approx(5e-6));
    // v(a) falls through 1.5 the second time at 6.5 µs, where v(b) has just peaked: 2 V.
    CHECK(m.at("f2") == doctest::Approx(2.0));
    CHECK(m.at("d1") == doctest::Approx(0.5e-6));
    // v(a) − v(b) is −1 on the rising slope after 0.5 µs: it falls through −0.5 at 0.25 µs
    // after each slope change upward (0.25, 4.25 µs); v(a) rises through 0.5 second at 4.5 µs.
    CHECK(m.at("d2") == doctest::Approx(4.25e-6 - 4.5e-6));
}

TEST_CASE(".meas tran: statistics over the whole run and over a window") {
    const auto m = measures(R"(stats
V1 a 0 PWL(0 0 2u 2 4u 0)
R1 a 0 1k
.tran 0.1u 4u
.meas tran mx MAX v(a)
.meas tran mn MIN v(a) FROM=1u TO=3u
.meas tran pp PP v(a) FROM=1u TO=3u
.meas tran av AVG v(a)
.meas tran rm RMS v(a)
.meas tran in INTEG v(a) FROM=1u TO=2u
.meas tran iq INTEG i(v1)
.end
)");
    CHECK(m.at("mx") == doctest::Approx(2.0));
    CHECK(m.at("mn") == doctest::Approx(1.0));
    CHECK(m.at("pp") == doctest::Approx(1.0));
    CHECK(m.at("av") == doctest::Approx(1.0));
    // A triangle of height 2: RMS = 2/√3.
    CHECK(m.at("rm") == doctest::Approx(2 / std::sqrt(3.0)));
    CHECK(m.at("in") == doctest::Approx(1.5e-6));
    // The source delivers ∫ v/1k dt = 4 µs·1 V/1 kΩ = 4 nC: i(v1) is negative (out of +).
    CHECK(m.at("iq") == doctest::Approx(-4e-9));
}

TEST_CASE(".meas dc, .meas with .save, and .meas in a .step run") {
    const auto m = measures(R"(dc meas
V1 in 0 0
R1 in out 1k
R2 out 0 3k
.save v(in)
.dc V1 0 4 0.5
.meas dc vo FIND v(out) AT=2
.meas dc vin WHEN v(out)=1.5
.end
)");
    CHECK(m.at("vo") == doctest::Approx(1.5));
    CHECK(m.at("vin") == doctest::Approx(2.0));

    const auto r = simulate_text(R"(stepped
.param rl=1k
V1 in 0 1
R1 in out 1k
R2 out 0 {rl}
.step param rl list 1k 3k
.dc V1 0 2 1
.meas dc vo FIND v(out) AT=1
.end
)");
    REQUIRE(r.measures.size() == 2);
    CHECK(*r.measures[0].value == doctest::Approx(0.5));
    CHECK(*r.measures[1].value == doctest::Approx(0.75));
    CHECK(r.measures[1].plot == 1);
}

TEST_CASE(".meas PARAM: an expression of .params and the analysis' earlier measurements") {
    const std::string deck = R"(param
.param k=2
V1 a 0 PWL(0 0 2u 2 4u 0)
R1 a 0 1k
.tran 0.1u 4u
.dc V1 0 1 0.5
.meas tran top MAX v(a)
.meas tran bottom MIN v(a)
.meas tran swing PARAM='top-bottom'
.meas tran scaled param={k*swing + 1}
.meas tran copy param=top
.meas tran number param=3
.meas dc top FIND v(a) AT=0.5
.meas dc half param='top/2'
)";
    const auto r = simulate_text(deck + ".end\n");
    std::map<std::string, double> tran, dc;
    for (const auto& m : r.measures) {
        INFO(m.name << ": " << m.failure);
        REQUIRE(m.value);
        (r.plots[m.plot].analysis == "tran" ? tran : dc)[m.name] = *m.value;
    }
    CHECK(tran.at("swing") == doctest::Approx(2.0));
    CHECK(tran.at("scaled") == doctest::Approx(5.0));
    CHECK(tran.at("copy") == tran.at("top"));
    CHECK(tran.at("number") == 3.0);
    // Each analysis reads its own measurements: the dc `top` is 0.5 V.
    CHECK(dc.at("half") == doctest::Approx(0.25));
    // A measurement that failed fails the expressions that read it, with the reason.
    const auto f = simulate_text(deck + ".meas tran never WHEN v(a)=7\n.meas tran after param='never+1'\n.end\n");
    const auto after = std::find_if(f.measures.begin(), f.measures.end(), [](auto& m) { return m.name == "after"; });
    REQUIRE(after != f.measures.end());
    CHECK(ionspice::solver::format_measure(*after).find("failed ('never' failed)") != std::string::npos);
    // What it cannot read is a located error.
    CHECK(netlist_error(deck + ".meas tran x param='v(a)'\n").find("test.cir:15:23: error: a '.meas … param' "
                                                                    "expression reads .params and earlier "
                                                                    "measurements") != std::string::npos);
    CHECK(netlist_error(deck + ".meas tran x param='later'\n.meas tran later MAX v(a)\n")
              .find("test.cir:15:21: error: undefined parameter 'later'") != std::string::npos);
}

TEST_CASE(".meas: a measurement that cannot be made fails with the reason; bad cards are located errors") {
    const auto r = simulate_text("t\nV1 a 0 PWL(0 0 1u 1)\nR1 a 0 1\n.tran 0.1u 1u\n"
                                 ".meas tran w WHEN v(a)=2\n.meas tran f FIND v(a) AT=2u\n.end\n");
    REQUIRE(r.measures.size() == 2);
    CHECK_FALSE(r.measures[0].value);
    CHECK(r.measures[0].failure.find("0 crossings") != std::string::npos);
    CHECK(ionspice::solver::format_measure(r.measures[1]).find("outside the analysis") != std::string::npos);

    const std::string head = "t\nV1 a 0 1\nR1 a 0 1\n.tran 1u 2u\n";
    CHECK(netlist_error(head + ".meas sp x MAX v(a)\n").find("not supported") != std::string::npos);
    CHECK(netlist_error(head + ".meas tran x TRIG v(a) VAL=1\n").find("needs TARG") != std::string::npos);
    CHECK(netlist_error(head + ".meas tran x MEDIAN v(a)\n").find("unknown measurement 'median'") != std::string::npos);
    CHECK(netlist_error(head + ".meas tran x MAX v(zz)\n").find("test.cir:5:18: error: no node named 'zz'") != std::string::npos);
    CHECK(netlist_error(head + ".meas tran x WHEN v(a)=1 RISE=0\n").find("count of 1 or more") != std::string::npos);
}

TEST_CASE("a .control block: its op, tran, dc, ac, noise, tf and meas commands run as the dot cards") {
    const auto r = simulate_text(R"(control
V1 a 0 PWL(0 0 1u 1)
R1 a 0 1k
.control
set filetype=ascii
tran 0.1u 1u
meas tran w WHEN v(a)=0.25
plot v(a)
.endc
.end
)");
    REQUIRE(r.plots.size() == 1);
    CHECK(r.plots[0].name == "Transient Analysis");
    REQUIRE(r.measures.size() == 1);
    CHECK(r.measures[0].plot == 0);
    CHECK(*r.measures[0].value == doctest::Approx(0.25e-6));
    // plot is accepted, not run: a warning names it and its line.
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("test.cir:8:1: warning: 'plot' is not run here") != std::string::npos);
    // ac, noise and tf too.
    const auto s = simulate_text("c\nV1 a 0 AC 1\nR1 a b 1k\nC1 b 0 1u\n.control\nac dec 1 1 10\ntf v(b) v1\n.endc\n.end\n");
    REQUIRE(s.plots.size() == 2);
    CHECK(s.plots[0].analysis == "ac");
    CHECK(s.plots[1].analysis == "tf");
    // A mistake in such a command is located where it stands in the block.
    CHECK(netlist_error("t\nR1 a 0 1\n.control\n  tran 1u\n.endc\n.end\n").find("test.cir:4:") != std::string::npos);
}

TEST_CASE(".meas WHEN v(a)=v(b): where two vectors cross, as ngspice measures it") {
    // Two ramps, 0→1 and 1→0 over 1 ms, cross at 0.5 ms and 0.5 V (ngspice 47 gives the same).
    // v(b) never rises through v(a): that measurement fails with the reason.
    const std::string deck = "x\nV1 a 0 PWL(0 0 1m 1)\nV2 b 0 PWL(0 1 1m 0)\nR1 a 0 1k\nR2 b 0 1k\n"
                             ".save v(a)\n.tran 10u 1m\n.meas tran tx WHEN v(a)=v(b)\n"
                             ".meas tran vx FIND v(a) WHEN v(a)=v(b) RISE=1\n";
    const auto m = measures(deck + ".end\n");
    CHECK(m.at("tx") == doctest::Approx(0.5e-3).epsilon(1e-9));
    CHECK(m.at("vx") == doctest::Approx(0.5).epsilon(1e-9));
    const auto r = simulate_text(deck + ".meas tran tno WHEN v(b)=v(a) RISE=1\n.end\n");
    REQUIRE(r.measures.size() == 3);
    CHECK_FALSE(r.measures[2].value);
    CHECK(r.measures[2].failure == "v(b) has 0 rises through v(a), not 1");
}
