#!/usr/bin/env python3
"""The array studies of docs/arrays.md (netlists/arrays/*.py) run end to end and still show what
the page says: the chains of `ionspice gen` and `ionspice` runs are tested as users run them.
The crossbar study (80 s) is left to tools/array_figures.py; its claims are tested in
tests/test_gen.cpp. Registered with ctest (tests/CMakeLists.txt); by hand:

    python3 tests/test_array_studies.py --ionspice build/ionspice
"""

import argparse
import importlib.util
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
failures = []


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "netlists", "arrays", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(condition, what):
    print(f"{'ok  ' if condition else 'FAIL'} {what}")
    if not condition:
        failures.append(what)


def h1e1t(ionspice, work):
    res = load("h1e1t_programming").run_study(ionspice, work)
    step = {name.split()[0]: v for name, _, _, v in res["stages"]}
    check(step["potentiation"] > 0.5e-6, f"H-1E1T potentiation step {step['potentiation']:.3g} S > 0.5 uS")
    check(abs(step["remain"]) < 1e-4 * step["potentiation"], f"H-1E1T remain step {step['remain']:.3g} S holds")
    check(step["depression"] < -0.03e-6, f"H-1E1T depression step {step['depression']:.3g} S < 0")
    check(step["idle"] == 0, f"H-1E1T idle cells move {step['idle']:.3g} S")
    for order, c in res["check"].items():
        check(c["still"] < 1e-3, f"H-1E1T {order}: cells with no pulses move {c['still']:.2g} steps")
        check(c["up_spread"] < 0.01, f"H-1E1T {order}: potentiation step spread {c['up_spread']:.2g}")
        check(c["down"] < 0 and c["down_spread"] < 0.1, f"H-1E1T {order}: depression step spread {c['down_spread']:.2g}")
    g_rows, g_cols = res["array"]["rows"]["g"], res["array"]["cols"]["g"]
    diff = max(abs(a - b) for ra, rb in zip(g_rows, g_cols) for a, b in zip(ra, rb))
    # The orders differ only in how long the unselected cells wait in "remain" or "idle".
    check(diff < 1e-3 * step["potentiation"], f"H-1E1T rows and columns orders agree within {diff:.2g} S")


def open_loop(ionspice, work):
    res = load("open_loop_programming").run_study(ionspice, work)
    # docs/models.md: 100 ms at 5 V moves about 1/200 of the 25 uS window at mid-range.
    for k in ("k_up", "k_down"):
        check(abs(res[k] / 1.25e-9 - 1) < 0.05, f"open loop: {k} = {res[k] * 1e9:.4g} nS/ms, about 1.25")
    means = [c["mean_rel"] for c in res["cycles"]]
    check(all(0.2 < m < 2 for m in means), f"open loop: mean write errors {means} % near the paper's 1 %")
    verify = [c["mean_rel"] for c in res["verify"]]
    check(all(b < a for a, b in zip([means[-1]] + verify, verify)), f"write-and-verify errors fall: {verify} %")
    check(verify[-1] < 0.5, f"write-and-verify ends below 0.5 %: {verify[-1]:.3g} %")


def mtt(ionspice, work):
    m = load("mtt_inference")
    data = m.measure(ionspice, work)
    fits = data["lin"]["fits"]
    check(all(f["r2"] > 0.999 for f in fits), f"MTT inference linear: R^2 {[round(f['r2'], 5) for f in fits]}")
    slopes = [f["slope"] for f in sorted(fits, key=lambda f: f["g"])]
    check(all(b > a for a, b in zip(slopes, slopes[1:])), "MTT inference: the slope rises with the hidden weight")
    net = data["net"]
    check(net["acc_hw"] >= 0.95, f"XOR network accuracy {net['acc_hw']:.3f} >= 0.95")
    check(abs(net["acc_hw"] - net["acc_bin"]) <= 0.02, "XOR network as accurate as the ideal binary network")
    check(net["acc_ana"] < net["acc_hw"], "the same weights used linearly do worse (the MTT binarises them)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ionspice", default=os.path.join(ROOT, "build", "ionspice"))
    a = ap.parse_args()
    for study in (h1e1t, open_loop, mtt):
        with tempfile.TemporaryDirectory() as work:
            study(os.path.abspath(a.ionspice), work)
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    print("all checks passed")


if __name__ == "__main__":
    main()
