// Element cards by letter, independent sources and their waveforms, and the dot cards.

#include "test_parser_helpers.hpp"

using namespace ptest;
using doctest::Approx;

TEST_CASE("elements: R, C and L take two nodes and a value, positional or named") {
    Netlist n = flat(
        "t\n"
        "R1 a b 1k\n"
        "R2 a b r=2k\n"
        "R3 a b resistance=3k tc1=0.01\n"
        "C1 a 0 1p ic=0.5\n"
        "C2 a 0 c={2*1p}\n"
        "L1 a b 1u ic=1m\n"
        "R4 a b rmod l=10u w=1u\n"
        ".model rmod r rsh=100\n");
    CHECK(element(n, "r1").values.at(0).value == 1e3);
    CHECK(element(n, "r2").values.at(0).value == 2e3);
    CHECK(element(n, "r2").params.empty());
    CHECK(element(n, "r3").values.at(0).value == 3e3);
    CHECK(named(element(n, "r3").params, "tc1") == Approx(0.01));
    CHECK(named(element(n, "c1").params, "ic") == 0.5);
    CHECK(element(n, "c2").values.at(0).value == Approx(2e-12));
    CHECK(named(element(n, "l1").params, "ic") == Approx(1e-3));
    CHECK(element(n, "r4").model == "rmod");
    CHECK(element(n, "r4").values.empty());
    CHECK(element(n, "r1").values.at(0).loc.col == 8);
}

TEST_CASE("elements: controlled sources E G F H") {
    Netlist n = flat("t\nE1 p n cp cn 2\nG1 p n cp cn 1m\nF1 p n vs 3\nH1 p n vs 1k\nVs cp 0 0\n");
    CHECK(element(n, "e1").nodes == std::vector<std::string>{"p", "n", "cp", "cn"});
    CHECK(element(n, "e1").values.at(0).value == 2);
    CHECK(element(n, "g1").values.at(0).value == Approx(1e-3));
    CHECK(element(n, "f1").nodes == std::vector<std::string>{"p", "n"});
    CHECK(element(n, "f1").refs == std::vector<std::string>{"vs"});
    CHECK(element(n, "f1").ref_locs.at(0).col == 8);
    CHECK(element(n, "h1").values.at(0).value == 1e3);
}

TEST_CASE("elements: D M Q J take nodes, a model, then area, flags and parameters") {
    Netlist n = flat(
        "t\n"
        ".model dm d is=1e-14\n.model nm nmos\n.model qm npn\n.model jm njf\n"
        "D1 a k dm 2 off ic=0.6\n"
        "M1 d g s b nm w=1u l=180n m=2 off\n"
        "Q1 c b e qm 1.5\n"
        "J1 d g s jm\n");
    const Element& d = element(n, "d1");
    CHECK(d.nodes.size() == 2);
    CHECK(d.model == "dm");
    CHECK(d.values.at(0).value == 2);
    CHECK(d.flags == std::vector<std::string>{"off"});
    CHECK(named(d.params, "ic") == Approx(0.6));
    const Element& m = element(n, "m1");
    CHECK(m.nodes == std::vector<std::string>{"d", "g", "s", "b"});
    CHECK(named(m.params, "l") == Approx(180e-9));
    CHECK(m.flags == std::vector<std::string>{"off"});
    CHECK(element(n, "q1").nodes.size() == 3);
    CHECK(element(n, "q1").values.at(0).value == 1.5);
    CHECK(element(n, "j1").model == "jm");
}

TEST_CASE("elements: B sources resolve their expression: inputs named flat, parameters folded") {
    Netlist n = flat("t\n.param k=2\nB1 s 0 V = V(a, b) * k + I(Vx) + v(c)\n"
                     ".subckt sub p\nB2 p 0 I={v(p, q)}\n.ends\nX1 n1 sub\n");
    const Element& b = element(n, "b1");
    // The terminals, then the voltage inputs' node pairs; the current inputs are references.
    CHECK(b.nodes == std::vector<std::string>{"s", "0", "a", "b", "c", "0"});
    CHECK(b.refs == std::vector<std::string>{"vx"});
    REQUIRE(b.behavioural);
    CHECK(b.behavioural->voltage);
    const auto& e = b.behavioural->expr;
    CHECK(e.voltages.size() == 2);
    CHECK(e.currents == std::vector<std::string>{"vx"});
    bool folded = false;
    for (const auto& node : e.nodes) folded = folded || (node.op == BehaviouralExpr::Op::Number && node.number == 2);
    CHECK(folded);
    // Inside a subcircuit: its port maps to the actual node, its local node is flattened.
    const Element& b2 = element(n, "b.x1.b2");
    CHECK(b2.nodes == std::vector<std::string>{"n1", "0", "n1", "x1.q"});
    CHECK_FALSE(b2.behavioural->voltage);
}

TEST_CASE("elements: wrong node counts and missing values are errors at the card") {
    check_error("t\nR1 a 1k\n", 2, 1, "resistor r1 needs 2 nodes and a value");
    check_error("t\nR1 a b\n", 2, 1, "resistor r1 needs 2 nodes and a value");
    check_error("t\nC5 a\n", 2, 1, "capacitor c5 needs 2 nodes and a value");
    check_error("t\nL1 a b\n", 2, 1, "inductor l1 needs 2 nodes and a value");
    check_error("t\nE1 a b c 2\n", 2, 1, "e1 needs 4 nodes and a gain");
    check_error("t\nG1 a b c d\n", 2, 1, "g1 needs 4 nodes and a transconductance");
    check_error("t\nF1 a b vs\n", 2, 1, "f1 needs 2 nodes, a controlling source and a gain");
    check_error("t\nH1 a b\n", 2, 1, "h1 needs 2 nodes, a controlling source and a transresistance");
    check_error("t\nD1 a b\n", 2, 1, "diode d1 needs 2 nodes and a model");
    check_error("t\nM1 d g s nm\n", 2, 1, "mosfet m1 needs 4 nodes and a model");
    check_error("t\nQ1 c b 1\n", 2, 1, "q1 needs 3 nodes and a model");
    check_error("t\nK1 l1 0.9\n", 2, 1, "k1 needs two inductors and a coupling factor");
    check_error("t\nN1 ecmod\n", 2, 1, "n1 needs nodes and a model");
    check_error("t\nV1 a\n", 2, 1, "voltage source v1 needs 2 nodes");
    check_error("t\nB1 a b 2\n", 2, 1, "needs 2 nodes and v= or i=");
    check_error("t\nR1 a {b} 1\n", 2, 6, "expected a node name");
    check_error("t\nR1 a b w= \n", 2, 9, "missing value after 'w='");
}

TEST_CASE("elements: an unknown letter is an error at the name") {
    check_error("t\nR1 a 0 1\n  Z1 a b 1\n", 3, 3, "unknown element type 'z' (z1)");
}

TEST_CASE("elements: an unknown model is an error at the model name") {
    check_error("t\nD1 a 0 nomodel\n", 2, 8, "unknown model 'nomodel'");
}

TEST_CASE("sources: plain, DC and AC values") {
    Netlist n = flat("t\nV1 a 0 5\nV2 a 0 DC 3 AC 1 90\nV3 a 0 ac 2\nI1 a 0 dc=1m\nV4 a 0\n");
    const SourceSpec& v1 = *element(n, "v1").source;
    CHECK(v1.dc == 5);
    CHECK(v1.has_dc);
    CHECK(v1.wave.kind == Waveform::Kind::None);
    const SourceSpec& v2 = *element(n, "v2").source;
    CHECK(v2.dc == 3);
    CHECK(v2.ac_mag == 1);
    CHECK(v2.ac_phase == 90);
    const SourceSpec& v3 = *element(n, "v3").source;
    CHECK_FALSE(v3.has_dc);
    CHECK(v3.ac_mag == 2);
    CHECK(element(n, "i1").source->dc == Approx(1e-3));
    CHECK_FALSE(element(n, "v4").source->has_dc);
    CHECK(element(n, "v4").source->dc == 0);
}

TEST_CASE("sources: PULSE with and without parentheses, commas and expressions") {
    Netlist n = flat(
        "t\n.param vdd=1.8\n"
        "V1 a 0 PULSE(0 {vdd} 1n 2n 3n 4n 10n 5)\n"
        "V2 a 0 pulse 1, 2, 3n\n"
        "V3 a 0 dc 0.5 pulse(0 1)\n");
    const SourceSpec& s = *element(n, "v1").source;
    CHECK(s.wave.kind == Waveform::Kind::Pulse);
    CHECK(s.wave.args == std::vector<double>{0, 1.8, 1e-9, 2e-9, 3e-9, 4e-9, 10e-9, 5});
    CHECK(s.dc == 0);
    CHECK_FALSE(s.has_dc);
    CHECK(s.wave.loc.col == 8);
    const SourceSpec& s2 = *element(n, "v2").source;
    CHECK(s2.wave.args == std::vector<double>{1, 2, 3e-9});
    // No DC value written: the source's DC value is its waveform at t = 0, which the model
    // computes (tests/test_ngspice_conventions.cpp), not the parser.
    CHECK_FALSE(s2.has_dc);
    CHECK(element(n, "v3").source->dc == 0.5);
    CHECK(element(n, "v3").source->has_dc);
}

TEST_CASE("sources: PWL with r= and td= after the parentheses") {
    Netlist n = flat("t\nV1 a 0 PWL(0 1 1m 2 2m 0) r=0 td=1u\nV2 a 0 pwl(0, 0, 1, 1)\n");
    const Waveform& w = element(n, "v1").source->wave;
    CHECK(w.kind == Waveform::Kind::Pwl);
    CHECK(w.args == std::vector<double>{0, 1, 1e-3, 2, 2e-3, 0});
    REQUIRE(w.repeat);
    CHECK(*w.repeat == 0);
    REQUIRE(w.delay);
    CHECK(*w.delay == Approx(1e-6));
    CHECK_FALSE(element(n, "v1").source->has_dc);
    CHECK_FALSE(element(n, "v2").source->wave.repeat);
}

TEST_CASE("sources: SIN and EXP") {
    Netlist n = flat("t\nV1 a 0 SIN(0.5 1 1k 1m 10 90)\nI1 a 0 EXP(1 2 1n 2n 3n 4n)\nV2 a 0 sin 0 1 50\n");
    const SourceSpec& s = *element(n, "v1").source;
    CHECK(s.wave.kind == Waveform::Kind::Sin);
    CHECK(s.wave.args.size() == 6);
    CHECK_FALSE(s.has_dc);
    const SourceSpec& e = *element(n, "i1").source;
    CHECK(e.wave.kind == Waveform::Kind::Exp);
    CHECK(e.wave.args.at(5) == Approx(4e-9));
    CHECK_FALSE(e.has_dc);
    CHECK(element(n, "v2").source->wave.args == std::vector<double>{0, 1, 50});
}

TEST_CASE("sources: malformed waveforms are errors") {
    check_error("t\nV1 a 0 PWL(0 1 1m)\n", 2, 8, "time-value pairs");
    check_error("t\nV1 a 0 PULSE(0 1 2 3 4 5 6 7 8)\n", 2, 8, "at most 8");
    check_error("t\nV1 a 0 SIN(0 1\n", 2, 8, "missing ')'");
    check_error("t\nV1 a 0 PAT(1 0 0 1n 1n 1n b0101 1)\n", 2, 8, "waveform 'pat' is not supported");
    check_error("t\nV1 a 0 5 6\n", 2, 10, "unexpected '6'");
    check_error("t\nV1 a 0 dc\n", 2, 8, "missing value after 'dc'");
    check_error("t\nV1 a 0 sin(0 1) pulse(0 1)\n", 2, 17, "already has a waveform");
}

TEST_CASE("model: with or without parentheses, types lower-cased, expressions allowed") {
    Netlist n = flat(
        "t\n.param vt=0.4\n"
        ".MODEL NCH NMOS (LEVEL=1 VTO={vt+0.1} KP=200u)\n"
        ".model d1n d is=1e-14, n=1.5\n"
        ".model em ECRAM\n");
    const Model& m = model(n, "nch");
    CHECK(m.type == "nmos");
    CHECK(named(m.params, "level") == 1);
    CHECK(named(m.params, "vto") == Approx(0.5));
    CHECK(named(m.params, "kp") == Approx(200e-6));
    CHECK(m.loc.line == 3);
    CHECK(named(model(n, "d1n").params, "n") == 1.5);
    CHECK(model(n, "em").params.empty());
    check_error("t\n.model onlyname\n", 2, 1, "needs a name and a type");
    check_error("t\n.model m d (is 1)\n", 2, 13, "expected 'name=value'");
    check_error("t\n.model m d\n.model M nmos\n", 3, 8, "already defined");
}

TEST_CASE("dc: ngspice form with a second, outer source") {
    Netlist n = flat("t\nV1 a 0 0\nV2 b 0 0\n.dc V1 0 1 0.1 V2 0 5 1\n");
    const Analysis& a = n.analyses.at(0);
    CHECK(a.card == "dc");
    REQUIRE(a.sweeps.size() == 2);
    CHECK(a.sweeps[0].name == "v1");
    CHECK(a.sweeps[0].kind == SweepSpec::Kind::Lin);
    CHECK(a.sweeps[0].start == 0);
    CHECK(a.sweeps[0].stop == 1);
    CHECK(a.sweeps[0].step == Approx(0.1));
    CHECK(a.sweeps[0].loc.col == 5);
    CHECK(a.sweeps[1].name == "v2");
    CHECK(a.sweeps[1].stop == 5);
}

TEST_CASE("dc: lin, dec, oct, param and list forms") {
    Netlist n = flat(
        "t\n.param ge=1u\n"
        ".dc lin v1 0 1 0.5\n"
        ".dc dec v1 1m 1 10\n"
        ".dc oct param ge 1u 8u 2\n"
        ".dc param ge list 1u 2u 5u v1 0 1 0.25\n"
        ".dc vread_h list 0.7, 1.4 param vref_g 0.2 0.6 0.2\n");
    const auto& a = n.analyses;
    REQUIRE(a.size() == 5);
    CHECK(a[0].sweeps[0].kind == SweepSpec::Kind::Lin);
    CHECK(a[1].sweeps[0].kind == SweepSpec::Kind::Dec);
    CHECK(a[1].sweeps[0].step == 10);
    CHECK(a[2].sweeps[0].kind == SweepSpec::Kind::Oct);
    CHECK(a[2].sweeps[0].param_keyword);
    CHECK(a[2].sweeps[0].name == "ge");
    CHECK(a[3].sweeps[0].kind == SweepSpec::Kind::List);
    CHECK(a[3].sweeps[0].list == std::vector<double>{1e-6, 2e-6, 5e-6});
    CHECK(a[3].sweeps[1].name == "v1");
    CHECK(a[3].sweeps[1].step == 0.25);
    CHECK(a[4].sweeps[0].list == std::vector<double>{0.7, 1.4});
    CHECK(a[4].sweeps[1].param_keyword);
    CHECK(a[4].sweeps[1].stop == Approx(0.6));
}

TEST_CASE("dc: bad increments and bounds are errors") {
    check_error("t\n.dc v1 0 1 0\n", 2, 12, "increment is zero");
    check_error("t\n.dc v1 0 1 -0.1\n", 2, 12, "cannot go from 0 to 1");
    check_error("t\n.dc v1 1 0 0.1\n", 2, 12, "cannot go from 1 to 0");
    check_error("t\n.dc dec v1 0 1 10\n", 2, 12, "positive start");
    check_error("t\n.dc oct v1 1 -1 10\n", 2, 14, "positive stop");
    check_error("t\n.dc dec v1 1 10 0\n", 2, 17, "points per decade");
    check_error("t\n.dc v1 0 1\n", 2, 5, "needs start, stop and increment");
    check_error("t\n.dc\n", 2, 1, "needs a source or parameter");
    CHECK(flat("t\n.dc v1 1 0 -0.5\n").analyses.at(0).sweeps.at(0).step == -0.5);
}

TEST_CASE("tran: step, stop, optional start, max step and uic") {
    Netlist n = flat("t\n.param tend=1m\n.op\n.tran 1n {tend}\n.tran 1n 10u 1u 5n uic\n");
    REQUIRE(n.analyses.size() == 3);
    CHECK(n.analyses[0].card == "op");
    const Analysis& t = n.analyses[1];
    CHECK(t.card == "tran");
    CHECK(t.tstep == Approx(1e-9));
    CHECK(t.tstop == Approx(1e-3));
    CHECK(t.tstart == 0);
    CHECK_FALSE(t.tmax);
    CHECK_FALSE(t.uic);
    const Analysis& u = n.analyses[2];
    CHECK(u.tstart == Approx(1e-6));
    CHECK(*u.tmax == Approx(5e-9));
    CHECK(u.uic);
    check_error("t\n.tran 1n\n", 2, 1, "needs a time step and a stop time");
    check_error("t\n.tran 0 1u\n", 2, 7, "time step must be positive");
    check_error("t\n.tran 1n 1u 2u\n", 2, 13, "start time");
}

TEST_CASE("tran: more than 10^9 time points is an error at tstep, or at tmax when it is given") {
    check_error("t\n.tran 1p 10m\n", 2, 7, "would take more than 10^9 time points");
    check_error("t\n.tran 1p 10m\n", 2, 7, "steps of at most 1e-12 s");
    check_error("t\n.tran 1n 2 1 1f\n", 2, 14, "1 s in steps of at most 1e-15 s");
    // tmax, not tstep, bounds the steps when it is given; tstart shortens the span.
    CHECK(*flat("t\n.tran 1p 10m 0 1u\n").analyses.at(0).tmax == Approx(1e-6));
    CHECK(flat("t\n.tran 1p 10m 9.9995m\n").analyses.at(0).tstart == Approx(9.9995e-3));
    CHECK(flat("t\n.tran 2n 1\n").analyses.at(0).tstep == Approx(2e-9));
}

TEST_CASE("sweeps: too many points and fewer than one point per decade, for .dc and .step") {
    // The limit is 10^8 points, counted as the solver counts them.
    CHECK(flat("t\n.dc v1 1 1e8 1\n").analyses.at(0).sweeps.at(0).stop == 1e8);
    check_error("t\n.dc v1 0 1e8 1\n", 2, 14, "'.dc v1' sweep has too many points (more than 10^8)");
    check_error("t\n.dc v1 0 1 1e-9\n", 2, 12, "sweep has too many points");
    check_error("t\n.dc dec v1 1 1e300 1e7\n", 2, 20, "sweep has too many points");
    check_error("t\n.dc v1 0 1 0.1 v2 0 1 1e-9\n", 2, 23, "'.dc v2' sweep has too many points");
    check_error("t\n.dc dec v1 1 10 0.5\n", 2, 17, "logarithmic sweep needs at least one point per decade");
    check_error("t\n.dc oct v1 1 10 0.99\n", 2, 17, "logarithmic sweep needs at least one point per octave");
    CHECK(flat("t\n.dc oct v1 1 10 1\n").analyses.at(0).sweeps.at(0).step == 1);

    const std::string head = "t\n.param x=1\n";
    check_error(head + ".step param x 0 1 1e-9\n", 3, 19, "'.step x' sweep has too many points");
    check_error(head + ".step dec param x 1 10 0.5\n", 3, 24, "at least one point per decade");
    // read_steps, which a .step run calls before elaborating, checks the same.
    auto steps_error = [](const std::string& text) -> std::string {
        try {
            read_steps(parse_deck(text, "t.cir"));
        } catch (const NetlistError& e) {
            return e.what();
        }
        return "no error";
    };
    CHECK(steps_error(head + ".step param x 0 1 1e-9\n").find("t.cir:3:19: error: '.step x' sweep has too many") == 0);
    CHECK(steps_error(head + ".step oct param x 1 2 0.5\n").find("at least one point per octave") !=
          std::string::npos);
    CHECK(steps_error(head + ".step param x 1 2 0\n").find("increment is zero") != std::string::npos);
    CHECK(read_steps(parse_deck(head + ".step param x 1 1e8 1\n")).at(0).stop == 1e8);
}

TEST_CASE("ac: dec, oct and lin frequencies, values may be expressions") {
    Netlist n = flat("t\n.param n=5 fmax=1meg\n.ac dec {n} 1 {fmax}\n.ac oct 3, 10, 1k\n.AC LIN 101 0 'fmax/1k'\n");
    REQUIRE(n.analyses.size() == 3);
    const Analysis& d = n.analyses[0];
    CHECK(d.card == "ac");
    CHECK(d.loc.line == 3);
    REQUIRE(d.frequencies);
    CHECK(d.frequencies->kind == FrequencySweep::Kind::Dec);
    CHECK(d.frequencies->points == 5);
    CHECK(d.frequencies->fstart == 1);
    CHECK(d.frequencies->fstop == Approx(1e6));
    CHECK(d.frequencies->loc.line == 3);
    CHECK(d.frequencies->loc.col == 5);
    CHECK(d.output.empty());
    CHECK(d.input.empty());
    CHECK(d.vectors.empty());
    CHECK(d.sweeps.empty());
    const FrequencySweep& o = *n.analyses[1].frequencies;
    CHECK(o.kind == FrequencySweep::Kind::Oct);
    CHECK(o.points == 3);
    CHECK(o.fstart == 10);
    CHECK(o.fstop == Approx(1e3));
    const FrequencySweep& l = *n.analyses[2].frequencies;
    CHECK(l.kind == FrequencySweep::Kind::Lin);
    CHECK(l.points == 101);
    CHECK(l.fstart == 0);
    CHECK(l.fstop == Approx(1e3));
    // A single frequency is a sweep too.
    CHECK(flat("t\n.ac dec 1 1k 1k\n").analyses.at(0).frequencies->fstop == 1e3);
    CHECK_FALSE(flat("t\n.op\n").analyses.at(0).frequencies);
}

TEST_CASE("noise: output v(out) or v(out,ref), input source, frequencies, points per summary") {
    Netlist n = flat(
        "t\n.param n=4\n"
        ".noise v(out) v1 dec 10 1 1k\n"
        ".noise V(Out, Ref) Vin oct {n} 1 100 {n*2}\n"
        ".noise v (out ,ref) IIN lin 10 0 1k 0\n");
    REQUIRE(n.analyses.size() == 3);
    const Analysis& a = n.analyses[0];
    CHECK(a.card == "noise");
    CHECK(a.output == "v(out)");
    CHECK(a.output_loc.line == 3);
    CHECK(a.output_loc.col == 8);
    CHECK(a.input == "v1");
    CHECK(a.input_loc.col == 15);
    REQUIRE(a.frequencies);
    CHECK(a.frequencies->kind == FrequencySweep::Kind::Dec);
    CHECK(a.frequencies->points == 10);
    CHECK(a.frequencies->fstart == 1);
    CHECK(a.frequencies->fstop == Approx(1e3));
    CHECK(a.frequencies->loc.col == 18);
    CHECK(a.points_per_summary == 0);
    const Analysis& b = n.analyses[1];
    CHECK(b.output == "v(out,ref)");
    CHECK(b.input == "vin");
    CHECK(b.input_loc.col == 20);
    CHECK(b.frequencies->kind == FrequencySweep::Kind::Oct);
    CHECK(b.frequencies->points == 4);
    CHECK(b.frequencies->fstop == 100);
    CHECK(b.points_per_summary == 8);
    const Analysis& c = n.analyses[2];
    CHECK(c.output == "v(out,ref)");
    CHECK(c.input == "iin");
    CHECK(c.frequencies->kind == FrequencySweep::Kind::Lin);
    CHECK(c.frequencies->fstart == 0);
    CHECK(c.points_per_summary == 0);
}

TEST_CASE("tf: output v(a), v(a,b) or i(vx) and an input source") {
    Netlist n = flat("t\n.tf v(out) v1\n.TF V(A, B) Iin\n.tf I (Vx) v1\n");
    REQUIRE(n.analyses.size() == 3);
    CHECK(n.analyses[0].card == "tf");
    CHECK(n.analyses[0].output == "v(out)");
    CHECK(n.analyses[0].output_loc.col == 5);
    CHECK(n.analyses[0].input == "v1");
    CHECK(n.analyses[0].input_loc.line == 2);
    CHECK(n.analyses[0].input_loc.col == 12);
    CHECK(n.analyses[1].output == "v(a,b)");
    CHECK(n.analyses[1].input == "iin");
    CHECK(n.analyses[2].output == "i(vx)");
    CHECK(n.analyses[2].input == "v1");
    CHECK_FALSE(n.analyses[0].frequencies);
}

TEST_CASE("four: the fundamental and vectors read like .print items") {
    Netlist n = flat("t\n.param f0=2k\n.four 1k v(out) V(a, b) I(Vx) out\n.four {f0/2} v (x1.mid), vm(out)\n"
                     ".fourier 50 v(a)\n");
    REQUIRE(n.analyses.size() == 3);
    const Analysis& a = n.analyses[0];
    CHECK(a.card == "four");
    CHECK(a.fundamental == Approx(1e3));
    CHECK(a.vectors == std::vector<std::string>{"v(out)", "v(a,b)", "i(vx)", "out"});
    REQUIRE(a.vector_locs.size() == 4);
    CHECK(a.vector_locs[0].line == 3);
    CHECK(a.vector_locs[0].col == 10);
    CHECK(a.vector_locs[1].col == 17);
    CHECK(a.vector_locs[3].col == 31);
    const Analysis& b = n.analyses[1];
    CHECK(b.fundamental == Approx(1e3));
    CHECK(b.vectors == std::vector<std::string>{"v(x1.mid)", "vm(out)"});
    CHECK(b.vector_locs.at(0).col == 14);
    CHECK(n.analyses[2].card == "four");
    CHECK(n.analyses[2].fundamental == 50);
    CHECK(n.analyses[2].vectors == std::vector<std::string>{"v(a)"});
}

TEST_CASE("print: ac, noise and tf items, ngspice's vector functions kept as text") {
    Netlist n = flat(
        "t\n.print ac vm(out) VDB(a, b) vp(out) vr(x) vi (x) v(out)\n.print noise onoise_spectrum inoise_spectrum\n"
        ".print tf all\n.print AC v(out)\n");
    REQUIRE(n.prints.size() == 4);
    CHECK(n.prints[0].analysis == "ac");
    CHECK(n.prints[0].items == std::vector<std::string>{"vm(out)", "vdb(a,b)", "vp(out)", "vr(x)", "vi(x)", "v(out)"});
    CHECK(n.prints[0].item_locs.at(1).col == 19);
    CHECK(n.prints[1].analysis == "noise");
    CHECK(n.prints[1].items == std::vector<std::string>{"onoise_spectrum", "inoise_spectrum"});
    CHECK(n.prints[2].analysis == "tf");
    CHECK(n.prints[2].items == std::vector<std::string>{"all"});
    CHECK(n.prints[3].analysis == "ac");
}

TEST_CASE("meas: ac measurements") {
    Netlist n = flat(
        "t\n.param f1=1meg\n.meas ac bw WHEN vdb(out)=-3 FALL=1\n.MEAS AC peak MAX vm(out) FROM=1k TO={f1}\n");
    REQUIRE(n.measures.size() == 2);
    const Measure& bw = n.measures[0];
    CHECK(bw.analysis == "ac");
    CHECK(bw.name == "bw");
    CHECK(bw.kind == Measure::Kind::When);
    REQUIRE(bw.when);
    CHECK(bw.when->vector == "vdb(out)");
    CHECK(bw.when->value == -3);
    CHECK(bw.when->edge == Measure::Cross::Edge::Fall);
    const Measure& pk = n.measures[1];
    CHECK(pk.analysis == "ac");
    CHECK(pk.kind == Measure::Kind::Max);
    CHECK(pk.vector == "vm(out)");
    CHECK(*pk.from == Approx(1e3));
    CHECK(*pk.to == Approx(1e6));
    check_error("t\n.meas sp x MAX v(a)\n", 2, 7, "'.meas sp' is not supported (tran, dc and ac are)");
    check_error("t\n.meas noise x MAX v(a)\n", 2, 7, "needs an analysis, tran, dc or ac, got 'noise'");
}

TEST_CASE("options: name=value, bare flags, words and .temp") {
    Netlist n = flat("t\n.options reltol=1e-4 klu method=gear\n.opt abstol = 1p\n.temp 27\n");
    REQUIRE(n.options.size() == 5);
    CHECK(n.options[0].name == "reltol");
    CHECK(*n.options[0].value == Approx(1e-4));
    CHECK(n.options[1].name == "klu");
    CHECK_FALSE(n.options[1].value);
    CHECK(n.options[2].name == "method");
    CHECK_FALSE(n.options[2].value);
    CHECK(n.options[2].text == "gear");
    CHECK(*n.options[3].value == Approx(1e-12));
    CHECK(n.options[4].name == "temp");
    CHECK(*n.options[4].value == 27);
}

TEST_CASE("print and save: items lower-cased with spaces removed") {
    Netlist n = flat("t\n.print tran V(out) v(a, b) I(V1) v(x1.mid)\n.PRINT dc v (in)\n.save all v(out)\n.print i(vdd)\n");
    REQUIRE(n.prints.size() == 3);
    CHECK(n.prints[0].analysis == "tran");
    CHECK(n.prints[0].items == std::vector<std::string>{"v(out)", "v(a,b)", "i(v1)", "v(x1.mid)"});
    CHECK(n.prints[0].item_locs.at(1).col == 20);
    CHECK(n.prints[1].analysis == "dc");
    CHECK(n.prints[1].items == std::vector<std::string>{"v(in)"});
    CHECK(n.prints[2].analysis.empty());
    REQUIRE(n.saves.size() == 1);
    CHECK(n.saves[0].items == std::vector<std::string>{"all", "v(out)"});
}

TEST_CASE("nodeset and ic: v(node)=value pairs") {
    Netlist n = flat("t\n.param v0=0.3\n.nodeset v(a)=1 V(B) = 0.5\n.ic v(out)={v0*2} v(gnd)=0\n");
    REQUIRE(n.nodesets.size() == 2);
    CHECK(n.nodesets[0].node == "a");
    CHECK(n.nodesets[0].value == 1);
    CHECK(n.nodesets[1].node == "b");
    CHECK(n.nodesets[1].value == 0.5);
    REQUIRE(n.ics.size() == 2);
    CHECK(n.ics[0].value == Approx(0.6));
    CHECK(n.ics[1].node == "0");
    check_error("t\n.ic out=1\n", 2, 5, "expected 'v(node)=value'");
}

TEST_CASE("control cards: unknown ones and unsupported analyses are errors") {
    check_error("t\nR1 a 0 1\n.foo bar\n", 3, 1, "unknown control card '.foo'");
    check_error("t\n.sens v(out)\n", 2, 1, "analysis '.sens' is not supported");
    check_error("t\n.pz in 0 out 0 volt pz\n", 2, 16, "'.pz' expects cur or vol here, got 'volt'");
    check_error("t\n.disto dec 10 1 1k\n", 2, 1, "analysis '.disto' is not supported");
    check_error("t\n.print disto v(out)\n", 2, 8, "analysis '.disto' is not supported");
    check_error("t\n.op 1\n", 2, 5, "takes no arguments");
}

TEST_CASE("global: .global names several nodes") {
    Netlist n = flat("t\n.global vdd vss\n.subckt c a\nR1 vdd vss 1\n.ends\nX1 q c\n");
    CHECK(element(n, "r.x1.r1").nodes == std::vector<std::string>{"vdd", "vss"});
}

TEST_CASE("models: a bare word value is kept as a word unless it names a parameter") {
    auto n = ptest::flat("t\n.param lv=2\n.model m1 memristor (level=bulk mapping=Log ron=740)\n"
                         ".model m2 memristor level=lv\n.end\n");
    const auto& m1 = ptest::model(n, "m1");
    REQUIRE(m1.words.size() == 2);
    CHECK(m1.words[0].name == "level");
    CHECK(m1.words[0].text == "bulk");
    CHECK(m1.words[1].text == "log");
    CHECK(m1.words[0].loc.line == 3);
    CHECK(m1.params.size() == 1);
    const auto& m2 = ptest::model(n, "m2");
    CHECK(m2.words.empty());
    REQUIRE(m2.params.size() == 1);
    CHECK(m2.params[0].value == 2);
}
