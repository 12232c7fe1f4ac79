"""The in-situ training study (ionspice.studies.training) on a short run: the circuit network
learns, stays close to its float64 twin, and programs its cells with small errors."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from ionspice.studies import training  # noqa: E402


def test_reads_are_the_vector_matrix_product_with_ideal_wires_and_lower_with_ir_drop() -> None:
    rng = np.random.default_rng(3)
    w = rng.normal(0, 0.6, (11, 5))
    x = training.with_bias(rng.normal(0, 1, (9, 10)))
    ideal = training.Layer("ideal", w, 0.0, 1, training.V_FULL / training.X_CLIP)
    assert ideal.read(x) == pytest.approx(x @ ideal.weights, abs=1e-9)
    wired = training.Layer("wired", w, 5.0, 1, training.V_FULL / training.X_CLIP)
    err = np.abs(wired.read(x) - x @ wired.weights)
    assert 1e-4 < err.max() < 0.2


def test_a_short_run_learns_and_programs_with_small_errors() -> None:
    r = training.train(epochs=2, train_limit=64, batch=16)
    # Learns: from chance to well above it, on the held-out test set too.
    assert r.circuit_test[-1] > r.circuit_test[0] + 0.15
    assert r.circuit_test[-1] > 0.75
    # Within a few points of the float64 twin trained on the same batches.
    assert abs(r.circuit_test[-1] - r.float_test[-1]) < 0.05
    # The calibration: both directions positive, the same order (the device is symmetric).
    assert r.k_up > 0 and r.k_down > 0 and 0.5 < r.k_up / r.k_down < 2
    # Every pulse moved its cell the requested way, with an error far below the change
    # (and the paper's 1 uS); cells given no pulse barely moved (V/2 below threshold).
    req, err = np.array(r.requested), np.array(r.errors)
    assert r.pulses == len(req) > 100
    assert np.all(np.sign(req + err) == np.sign(req))
    assert np.median(np.abs(err) / np.abs(req)) < 0.1
    assert np.max(np.abs(err)) < 1e-6
    assert np.max(np.abs(r.disturb)) < 1e-3 * np.mean(np.abs(req))
