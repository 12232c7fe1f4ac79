"""The Python module against the command line, against analytic answers and against ngspice.

Run by ctest (test_python) with PYTHONPATH at the build's package and IONSPICE_BINARY at the
command line built with it.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

import ionspice

SOURCE = Path(os.environ.get("IONSPICE_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY = os.environ.get("IONSPICE_BINARY", str(SOURCE / "build" / "ionspice"))
NGSPICE = shutil.which("ngspice")

AC_DECK = """rc low-pass
v1 in 0 dc 0 ac 1
r1 in out 1k
c1 out 0 1n
.ac dec 10 1k 10meg
.end
"""

STEP_DECK = """stepped divider
.param r=1k
v1 in 0 1
r1 in out {r}
r2 out 0 1k
.step param r list 1k 3k
.op
.end
"""

# One ECRAM read through a 0.1 V drain source, and a programming pulse on its gate.
ECRAM_DECK = """ecram read
.model wox ecram (gmin=0.079u gmax=50u vp=10 tp=2m vd=7 td=2m nsteps=180)
vg g 0 pwl(0 0 1m 0 1.01m 10 9m 10 9.01m 0)
vd d 0 0.1
n1 g d 0 wox x0=0.2
.op
.end
"""


def cli(*args: str, cwd: Path | None = None) -> None:
    subprocess.run([BINARY, "-q", *args], check=True, cwd=cwd)


def assert_same(a: ionspice.Plot, b: ionspice.Plot) -> None:
    assert a.name == b.name
    assert a.kind == b.kind
    assert a.names == b.names
    for n in a.names:
        assert np.array_equal(a[n], b[n]), n


@pytest.mark.parametrize("netlist", ["netlists/examples/divider.cir", "netlists/examples/rc_ladder_pulse.cir",
                                     AC_DECK, STEP_DECK])
def test_results_equal_the_command_lines_raw_file_bit_for_bit(netlist: str, tmp_path: Path) -> None:
    if "\n" in netlist:
        path = tmp_path / "deck.cir"
        path.write_text(netlist)
        netlist = str(path)
    else:
        netlist = str(SOURCE / netlist)
    raw = tmp_path / "out.raw"
    cli("-r", str(raw), netlist)
    from_file = ionspice.read_raw(raw)
    ran = ionspice.run(netlist)
    assert len(ran) == len(from_file) > 0
    for a, b in zip(ran, from_file):
        assert_same(a, b)


def test_a_plot_is_numpy_views_real_or_complex() -> None:
    r = ionspice.run(AC_DECK)
    ac = r.plot("ac")
    assert ac.kind == "complex" and ac.analysis == "ac"
    f, v = ac.scale, ac["v(out)"]
    assert v.dtype == np.complex128 and f.dtype == np.complex128
    rc = 1e3 * 1e-9
    expected = 1 / (1 + 2j * math.pi * f.real * rc)
    assert np.allclose(v, expected, rtol=1e-9, atol=0)
    assert not v.flags.writeable  # the plot is shared: views are read-only
    assert "V(OUT)" in ac  # names are case-insensitive, as in a netlist
    with pytest.raises(KeyError):
        ac["v(nowhere)"]
    d = ac.to_dict()
    assert list(d) == ac.names


def test_pole_zero_plot_has_the_roots_as_complex_vectors_without_a_scale() -> None:
    # Series R-L into C||R: LC s^2 + (R1 C + L/R2) s + (1 + R1/R2) = 0.
    r = ionspice.run("rlc\nV1 1 0 DC 0 AC 1\nR1 1 2 10\nL1 2 3 1u\nC1 3 0 1n\nR2 3 0 1k\n"
                     ".pz 1 0 3 0 vol pol\n.end\n")
    pz = r.plot("pz")
    assert pz.name == "Pole-Zero Analysis" and pz.kind == "complex" and pz.scale is None
    assert pz.names == ["pole(1)", "pole(2)"]
    roots = np.roots([1e-6 * 1e-9, 10 * 1e-9 + 1e-6 / 1e3, 1 + 10 / 1e3])
    expected = sorted(roots, key=lambda z: -z.imag)  # the root, then its conjugate
    assert np.allclose([pz["pole(1)"][0], pz["pole(2)"][0]], expected, rtol=1e-10, atol=0)


def test_params_and_options_apply_to_the_run() -> None:
    deck = "divider\n.param r=1k\nv1 in 0 1\nr1 in out {r}\nr2 out 0 1k\n.op\n.end\n"
    assert ionspice.run(deck)[0]["v(out)"][0] == pytest.approx(0.5, rel=1e-12)
    assert ionspice.run(deck, params={"R": 3e3})[0]["v(out)"][0] == pytest.approx(0.25, rel=1e-12)
    with pytest.raises(ionspice.NetlistError) as e:
        ionspice.run(deck, options={"reltl": 1e-4})
    assert e.value.file == "<options>" and "unknown option 'reltl'" in e.value.message


def test_step_plots_carry_their_step_values() -> None:
    r = ionspice.run(STEP_DECK, jobs=1)
    assert r.steps == 2
    assert [p.step for p in r] == [{"r": 1e3}, {"r": 3e3}]
    assert [p["v(out)"][0] for p in r] == pytest.approx([0.5, 0.25], rel=1e-12)


def test_a_netlist_error_is_located() -> None:
    with pytest.raises(ionspice.NetlistError) as e:
        ionspice.run("title\nv1 a 0 1\nr1 a 0 1k\nq1 a b\n.op\n.end\n")
    err = e.value
    assert (err.file, err.line, err.column) == ("<netlist>", 4, 1)
    assert str(err).startswith("<netlist>:4:1: error: ")
    assert err.message in str(err)
    assert isinstance(err, ionspice.Error)


def test_a_missing_file_is_a_netlist_error(tmp_path: Path) -> None:
    with pytest.raises(ionspice.NetlistError):
        ionspice.run(tmp_path / "none.cir")


def test_an_unsolvable_circuit_is_a_convergence_error() -> None:
    # Two voltage sources in parallel: a singular matrix, reported with the unknowns involved.
    with pytest.raises(ionspice.ConvergenceError) as e:
        ionspice.run("loop\nv1 a 0 1\nv2 a 0 2\nr1 a 0 1k\n.op\n.end\n")
    assert "v1" in str(e.value) or "v2" in str(e.value)


def test_read_csv_gives_the_plot_the_cli_wrote(tmp_path: Path) -> None:
    netlist = str(SOURCE / "netlists/examples/rc_ladder_pulse.cir")
    csv = tmp_path / "out.csv"
    cli("--csv", str(csv), netlist)
    loaded = ionspice.read_csv(csv)[0]
    ran = ionspice.run(netlist)[0]
    assert loaded.names == ran.names
    for n in ran.names:
        assert np.allclose(loaded[n], ran[n], rtol=1e-15, atol=0), n


def test_a_bad_results_file_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.raw"
    bad.write_text("Title: x\nPlotname: y\nFlags: real\nNo. Variables: 2\n")
    with pytest.raises(ionspice.Error):
        ionspice.read_raw(bad)


def divider_circuit() -> ionspice.Circuit:
    c = ionspice.Circuit("divider built in Python")
    c.add("V1", "in", 0, "DC", 5.0)
    c.add("R1", "in", "out", 1e3)
    c.add("R2", "out", 0, 2.2e3)
    c.add("D1", "out", 0, "dclamp")
    c.model("dclamp", "d", **{"is": 1e-14, "n": 1.0})
    c.analysis(".op")
    return c


def test_a_circuit_built_in_python_runs_and_prints_as_a_netlist(tmp_path: Path) -> None:
    c = divider_circuit()
    text = str(c)
    assert text.splitlines()[0] == "divider built in Python"
    assert "R2 out 0 2200.0" in text and text.endswith(".end\n")
    direct = ionspice.run(c)[0]
    path = tmp_path / "divider.cir"
    c.write(path)
    raw = tmp_path / "divider.raw"
    cli("-r", str(raw), str(path))
    assert_same(direct, ionspice.read_raw(raw)[0])


@pytest.mark.skipif(NGSPICE is None, reason="ngspice is not installed")
def test_a_circuit_built_in_python_gives_ngspices_numbers(tmp_path: Path) -> None:
    path = tmp_path / "divider.cir"
    divider_circuit().write(path)
    raw = tmp_path / "ngspice.raw"
    subprocess.run([NGSPICE, "-b", "-r", str(raw), str(path)], check=True, capture_output=True)
    ng = ionspice.read_raw(raw)[0]
    ours = ionspice.run(path)[0]
    for n in ("v(in)", "v(out)", "i(v1)"):
        assert ours[n][0] == pytest.approx(ng[n][0], rel=1e-6), n


def test_simulator_set_state_equals_a_fresh_run() -> None:
    sim = ionspice.Simulator(ECRAM_DECK)
    assert sim.state("n1") == 0.2
    first = sim.op()["i(vd)"][0]
    assert first == ionspice.run(ECRAM_DECK)[0]["i(vd)"][0]
    for s in (0.7, 0.05, 0.5):
        sim.set_state("N1", s)
        again = sim.op()["i(vd)"][0]
        fresh = ionspice.run(ECRAM_DECK.replace("x0=0.2", f"x0={s!r}"))[0]["i(vd)"][0]
        assert again == pytest.approx(fresh, rel=1e-12, abs=0)
    with pytest.raises(ionspice.ConvergenceError):
        sim.set_state("vd", 0.5)  # no state to hold
    with pytest.raises(ionspice.ConvergenceError):
        sim.set_state("n1", 1.5)  # out of [0, 1]
    with pytest.raises(ionspice.ConvergenceError):
        sim.set_state("n9", 0.5)  # no such device


def test_simulator_set_param_equals_a_fresh_run_and_keeps_states() -> None:
    deck = ECRAM_DECK.replace("vd d 0 0.1", ".param vread=0.1\nvd d 0 {vread}")
    sim = ionspice.Simulator(deck)
    sim.set_state("n1", 0.6)
    sim.set_param("vread", 0.2)
    assert sim.state("n1") == 0.6
    fresh = ionspice.run(deck.replace("x0=0.2", "x0=0.6"), params={"vread": 0.2})[0]["i(vd)"][0]
    assert sim.op()["i(vd)"][0] == pytest.approx(fresh, rel=1e-12, abs=0)


def test_simulator_tran_hold_keeps_what_the_pulse_did() -> None:
    sim = ionspice.Simulator(ECRAM_DECK)
    read_before = abs(sim.op()["i(vd)"][0])
    plot = sim.tran(1e-4, 10e-3, hold=True)
    end = plot["x(n1)"][-1]
    assert end > 0.2  # a potentiating pulse
    assert sim.state("n1") == end
    assert abs(sim.op()["i(vd)"][0]) > read_before  # the read sees the new conductance
    # the same pulse from the new state moves it on again
    assert sim.tran(1e-4, 10e-3)["x(n1)"][-1] > end


def test_two_threads_run_two_simulations_with_the_same_results() -> None:
    netlist = str(SOURCE / "netlists/examples/rc_ladder_pulse.cir")
    alone = ionspice.run(netlist)[0]
    results: list[ionspice.Results] = []
    threads = [threading.Thread(target=lambda: results.append(ionspice.run(netlist))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2
    for r in results:
        assert_same(r[0], alone)


def test_to_pandas_when_pandas_is_installed() -> None:
    pd = pytest.importorskip("pandas")
    frame = ionspice.run(str(SOURCE / "netlists/examples/rc_ladder_pulse.cir"))[0].to_pandas()
    assert isinstance(frame, pd.DataFrame) and frame.index.name == "time"


def test_monte_carlo_statistics_match_numpy_over_the_runs() -> None:
    deck = """mc divider
.param r=agauss(1k, 100, 1) vin=1
V1 in 0 {vin}
R1 in out {r}
R2 out 0 1k
.dc V1 {vin} {vin} 1
.meas dc vout find v(out) at={vin}
.meas dc half param='vout/2'
.step mc 30 seed=4
.step param vin list 1 2
"""
    r = ionspice.run(deck)
    assert r.monte_carlo_runs == 30
    assert len(r.statistics) == 4  # two measurements at each vin
    for s in r.statistics:
        assert isinstance(s, ionspice.Statistics)
        plots = [k for k, p in enumerate(r) if dict(p.step)["vin"] == s.group["vin"]]
        v = np.array([m.value for m in r.measures if m.name == s.name and m.plot in plots])
        assert s.values == len(v) == 30 and s.missing == 0
        assert s.mean == pytest.approx(v.mean(), rel=1e-12)
        assert s.sigma == pytest.approx(v.std(ddof=1), rel=1e-12)
        assert (s.min, s.max) == (v.min(), v.max())
        assert s.quantiles == pytest.approx(list(np.percentile(v, [5, 25, 50, 75, 95])), rel=1e-12)
    # Without .step mc there are none.
    assert ionspice.run("d\nV1 a 0 1\nR1 a 0 1\n.op\n").statistics == []
