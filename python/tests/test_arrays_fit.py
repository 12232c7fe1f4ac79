"""ionspice.arrays and ionspice.fit: the same generators and fitter as `ionspice gen` and
`ionspice fit`, checked against the command line and against known answers."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import ionspice

SOURCE = Path(os.environ.get("IONSPICE_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY = os.environ.get("IONSPICE_BINARY", str(SOURCE / "build" / "ionspice"))


def cli_gen(*args: str) -> str:
    r = subprocess.run([BINARY, "gen", *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def cards(text: str) -> list[str]:
    """The netlist without its comments (the header records the command that made it)."""
    return [line for line in text.splitlines() if not line.startswith("*")]


def test_crossbar_with_a_table_is_what_gen_writes_from_the_csv(tmp_path: Path) -> None:
    g = np.random.default_rng(7).uniform(5e-6, 45e-6, (5, 6))
    np.savetxt(tmp_path / "g.csv", g, delimiter=",", fmt="%.17g")
    py = ionspice.arrays.crossbar(5, 6, cell="ecram", g=g, rwire=2.0, print=True)
    cli = cli_gen("crossbar", "--rows", "5", "--cols", "6", "--cell", "ecram", "--g", f"csv:{tmp_path / 'g.csv'}",
                  "--rwire", "2.0", "--print")
    assert cards(str(py)) == cards(cli)
    # And it runs: with ideal wires the column currents would be G^T v; 2 ohm wires lower them.
    r = ionspice.run(py)[0]
    currents = np.array([-r[f"i(vcol{j})"][0] for j in range(6)])
    ideal = g.T @ np.full(5, 0.1)
    assert np.all(np.abs(currents) < np.abs(ideal) * 1.0000001)
    assert np.allclose(np.abs(currents), ideal, rtol=1e-2)


def test_programming_map_inputs_and_every_kind_match_the_command_line(tmp_path: Path) -> None:
    amounts = np.array([[1, 0, -2], [0, 3, 0]], dtype=float)
    np.savetxt(tmp_path / "map.csv", amounts, delimiter=",", fmt="%g")
    py = ionspice.arrays.h1e1t(2, 3, program=amounts, order="cols")
    cli = cli_gen("h1e1t", "--rows", "2", "--cols", "3", "--program", f"map:{tmp_path / 'map.csv'}", "--order", "cols")
    assert cards(str(py)) == cards(cli)

    np.savetxt(tmp_path / "in.csv", [[0.1, 0.2, 0.3]], delimiter=",", fmt="%g")
    py = ionspice.arrays.mtt_array(3, 2, inputs=[0.1, 0.2, 0.3], vreadh=1.2)
    cli = cli_gen("mtt-array", "--rows", "3", "--cols", "2", "--inputs", str(tmp_path / "in.csv"), "--vreadh", "1.2")
    assert cards(str(py)) == cards(cli)

    py = ionspice.arrays.one_t_one_r(3, 3, scheme="v2", select=(1, 2), g="random:1u:9u", seed=4)
    cli = cli_gen("1t1r", "--rows", "3", "--cols", "3", "--scheme", "v2", "--select", "1,2", "--g", "random:1u:9u",
                  "--seed", "4")
    assert cards(str(py)) == cards(cli)


def test_array_mistakes_are_value_errors_with_gen_s_message() -> None:
    with pytest.raises(ValueError, match="--scheme 'diagonal'"):
        ionspice.arrays.crossbar(2, 2, scheme="diagonal")
    with pytest.raises(ValueError, match=r"shape \(2, 2\), expected \(3, 3\)"):
        ionspice.arrays.crossbar(3, 3, g=np.ones((2, 2)) * 1e-5)
    with pytest.raises(ValueError, match="outside"):
        ionspice.arrays.crossbar(2, 2, cell="ecram", g=np.full((2, 2), 1.0))
    with pytest.raises(ValueError, match="either as --g or as a table"):
        ionspice.arrays._core.gen(["crossbar", "--rows", "1", "--cols", "1", "--g", "uniform:1u"], g=[1e-5])


def test_fit_recovers_the_parameters_of_both_forms() -> None:
    w = np.linspace(-1, 1, 81)
    rational = np.where(w >= 0, 0.8 * w / (1 + 0.3 * w), 0.6 * w / (1 - 0.2 * w))
    f = ionspice.fit.mtt(w, rational)
    assert (f.A_p, f.B_p, f.A_n, f.B_n) == pytest.approx((0.8, 0.3, 0.6, 0.2), rel=1e-8)
    assert f.r2 == pytest.approx(1.0)
    assert f(w) == pytest.approx(rational, abs=1e-10)

    u = np.maximum(np.abs(w) - 0.25, 0)
    ternary = np.sign(w) * 0.9 * u / (1 + 0.5 * u)
    t = ionspice.fit.mtt(w, ternary, form="ternary")
    assert t.positive is not None and t.negative is not None
    assert (t.positive.r, t.negative.r) == pytest.approx((0.25, 0.25), abs=1e-6)
    assert (t.A_p, t.B_p) == pytest.approx((0.9, 0.5), rel=1e-6)

    one_sided = ionspice.fit.mtt(w[w >= 0], rational[w >= 0])
    assert one_sided.negative is None and np.isnan(one_sided.A_n)


def test_fit_agrees_with_the_command_line(tmp_path: Path) -> None:
    w = np.linspace(-1, 1, 21)
    wb = np.where(w >= 0, 0.7 * w / (1 + 0.4 * w), 0.5 * w / (1 - 0.1 * w)) + 0.003 * np.sin(17 * w)
    f = ionspice.fit.mtt(w, wb)
    csv = tmp_path / "t.csv"
    csv.write_text("wh,wb\n" + "".join(f"{a!r},{b!r}\n" for a, b in zip(w, wb)))
    r = subprocess.run([BINARY, "fit", str(csv), "--wh", "wh", "--wb", "wb", "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    cli = json.loads(r.stdout)[0]
    for name in ("A_p", "B_p", "A_n", "B_n"):
        assert getattr(f, name) == pytest.approx(cli[name], rel=1e-12), name
    assert f.positive is not None and f.positive.a_error == pytest.approx(cli["A_p_err"], rel=1e-9)
    assert f.r2 == pytest.approx(cli["R2"], rel=1e-12)


def test_fit_mistakes_are_value_errors() -> None:
    with pytest.raises(ValueError, match="too few points"):
        ionspice.fit.mtt([0.5], [0.4])
    with pytest.raises(ValueError, match="form"):
        ionspice.fit.mtt([0.1, 0.5, 0.9], [0.1, 0.4, 0.6], form="cubic")
    with pytest.raises(ValueError, match="differ in length"):
        ionspice.fit.mtt([0.1, 0.5], [0.1])
