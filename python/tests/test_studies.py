"""The array studies of docs/arrays.md (ionspice.studies) run end to end and still show what the
page says. The crossbar study (about a minute) is left to `python3 -m ionspice.studies.arrays`;
its claims are tested in tests/test_gen.cpp.

Run by ctest (test_python) with PYTHONPATH at the build's package and IONSPICE_SOURCE_DIR at the
source tree (the studies read their inputs from netlists/arrays/).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ionspice.studies import common, h1e1t_programming, mtt_inference, open_loop_programming

SOURCE = Path(os.environ.get("IONSPICE_SOURCE_DIR", Path(__file__).resolve().parents[2]))


@pytest.fixture(scope="module")
def h1e1t():
    return h1e1t_programming.run_study(SOURCE)


@pytest.fixture(scope="module")
def open_loop():
    return open_loop_programming.run_study(SOURCE)


@pytest.fixture(scope="module")
def mtt():
    return mtt_inference.measure(SOURCE)


def test_source_dir_is_found_from_root_environment_or_cwd(tmp_path, monkeypatch):
    assert os.path.samefile(common.source_dir(SOURCE), SOURCE)
    monkeypatch.setenv("IONSPICE_SOURCE_DIR", str(SOURCE))
    assert os.path.samefile(common.source_dir(), SOURCE)
    monkeypatch.delenv("IONSPICE_SOURCE_DIR")
    monkeypatch.chdir(SOURCE)
    assert os.path.samefile(common.source_dir(), SOURCE)
    with pytest.raises(FileNotFoundError, match="not the ionspice source tree"):
        common.source_dir(tmp_path)


def test_h1e1t_stages_have_their_signs(h1e1t):
    step = {name.split()[0]: v for name, _, _, v in h1e1t["stages"]}
    assert step["potentiation"] > 0.5e-6, "H-1E1T potentiation step > 0.5 uS"
    assert abs(step["remain"]) < 1e-4 * step["potentiation"], "H-1E1T remain holds"
    assert step["depression"] < -0.03e-6, "H-1E1T depression step < 0"
    assert step["idle"] == 0, "H-1E1T idle cells do not move"


@pytest.mark.parametrize("order", ["rows", "cols"])
def test_h1e1t_array_cells_move_by_their_counts(h1e1t, order):
    c = h1e1t["check"][order]
    assert c["still"] < 1e-3, f"cells with no pulses move {c['still']:.2g} steps"
    assert c["up_spread"] < 0.01, f"potentiation step spread {c['up_spread']:.2g}"
    assert c["down"] < 0 and c["down_spread"] < 0.1, f"depression step spread {c['down_spread']:.2g}"


def test_h1e1t_rows_and_columns_orders_agree(h1e1t):
    step = {name.split()[0]: v for name, _, _, v in h1e1t["stages"]}
    g_rows, g_cols = h1e1t["array"]["rows"]["g"], h1e1t["array"]["cols"]["g"]
    diff = max(abs(a - b) for ra, rb in zip(g_rows, g_cols) for a, b in zip(ra, rb))
    # The orders differ only in how long the unselected cells wait in "remain" or "idle".
    assert diff < 1e-3 * step["potentiation"], f"rows and columns orders differ by {diff:.2g} S"


def test_open_loop_calibration_is_the_model_rate(open_loop):
    # docs/models.md: 100 ms at 5 V moves about 1/200 of the 25 uS window at mid-range.
    for k in ("k_up", "k_down"):
        assert abs(open_loop[k] / 1.25e-9 - 1) < 0.05, f"{k} = {open_loop[k] * 1e9:.4g} nS/ms, about 1.25"


def test_open_loop_errors_near_the_paper_and_write_and_verify_shrinks_them(open_loop):
    means = [c["mean_rel"] for c in open_loop["cycles"]]
    assert all(0.2 < m < 2 for m in means), f"mean write errors {means} % near the paper's 1 %"
    verify = [c["mean_rel"] for c in open_loop["verify"]]
    assert all(b < a for a, b in zip([means[-1]] + verify, verify)), f"write-and-verify errors fall: {verify} %"
    assert verify[-1] < 0.5, f"write-and-verify ends below 0.5 %: {verify[-1]:.3g} %"


def test_mtt_linear_inference(mtt):
    fits = mtt["lin"]["fits"]
    assert all(f["r2"] > 0.999 for f in fits), f"R^2 {[round(f['r2'], 5) for f in fits]}"
    slopes = [f["slope"] for f in sorted(fits, key=lambda f: f["g"])]
    assert all(b > a for a, b in zip(slopes, slopes[1:])), "the slope rises with the hidden weight"


def test_mtt_xor_network(mtt):
    net = mtt["net"]
    assert net["acc_hw"] >= 0.95, f"XOR network accuracy {net['acc_hw']:.3f}"
    assert abs(net["acc_hw"] - net["acc_bin"]) <= 0.02, "as accurate as the ideal binary network"
    assert net["acc_ana"] < net["acc_hw"], "the same weights used linearly do worse (the MTT binarises them)"
