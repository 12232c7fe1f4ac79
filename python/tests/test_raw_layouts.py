"""ionspice.read_raw on another simulator's raw file: an LTspice transient (UTF-16 header, the
time a double and the other vectors floats, a time stored negative), one of the hand-made
samples of tests/data/raw/ (make_samples.py there; tests/test_raw_layouts.cpp checks them all)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

import ionspice

SOURCE = Path(os.environ.get("IONSPICE_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def test_read_raw_reads_an_ltspice_file() -> None:
    plots = ionspice.read_raw(SOURCE / "tests" / "data" / "raw" / "ltspice_tran.raw")
    assert len(plots) == 1
    p = plots[0]
    assert p.analysis == "tran" and p.kind == "real" and p.points == 4
    assert p.names == ["time", "v(in)", "v(out)", "i(r1)"]
    assert p.types["i(r1)"] == "current"
    assert np.array_equal(p["time"], [0.0, 1e-6, 2e-6, 3e-6])
    assert np.array_equal(p["V(out)"], [0.0, 0.5, 0.75, 0.875])
    # LTspice stored the current as floats: exactly those, not the doubles they round.
    assert np.array_equal(p["i(r1)"], np.array([1e-3, 5e-4, 2.5e-4, 1.25e-4], dtype=np.float32).astype(float))
