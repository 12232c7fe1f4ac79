#!/usr/bin/env python3
"""Crossbar .op (or .tran) side by side: ionspice and ngspice-47 built with KLU, in one run.

    bench/run_crossbar.py 64 128 256 512 1024      # .op
    bench/run_crossbar.py --tran 32 64 128         # .tran, 200 ns
    NGSPICE47=path NGSPICE_MAX=512 RUNS=3 bench/run_crossbar.py ...

For each size N it writes bench/out/xbar<N>_<op|tran>.cir with bench/gen_crossbar.py --klu (the
`.options klu` line makes ngspice 47 use KLU; ionspice warns that it has no effect there) and
measures, each as the whole process writing a binary raw file:

  - ionspice as a user runs it (the solver chosen by structure): best wall time of RUNS runs
    (default 3), its peak memory and the solver path (from --stats);
  - ionspice with `.options solver=klu` (the path before the solver layer): best of RUNS up to
    256², one run above;
  - ngspice 47 + KLU (bench/build_ngspice.sh builds it; NGSPICE47 for another binary), best of
    RUNS, up to N = NGSPICE_MAX (default 1024), peak memory from /usr/bin/time;
  - the largest difference between ionspice's vectors on the two paths, relative to the
    largest |v| (node voltages) or |i| (source currents) of the KLU path's, and the same
    against ngspice's (for .tran on ngspice's time points, interpolating ionspice's).

It prints a markdown table (the one in bench/README.md), and needs the Python module
(PYTHONPATH=build/python, as tools/bootstrap.sh sets up) to compare raw files.
"""
import os
import re
import subprocess
import sys
import time

import numpy as np

from ngspice_reference import ROOT, ngspice47

sys.path.insert(0, os.path.join(ROOT, "build", "python"))
import ionspice  # noqa: E402

OUT = os.path.join(ROOT, "bench", "out")
IONSPICE = os.environ.get("IONSPICE", os.path.join(ROOT, "build", "ionspice"))
RUNS = int(os.environ.get("RUNS", "3"))
NG_MAX = int(os.environ.get("NGSPICE_MAX", "1024"))


def timed(cmd, runs):
    """Best wall time of `runs` runs, the peak resident memory (MB) and stderr of the best."""
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
        t = time.perf_counter() - start
        if p.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
        lines = p.stderr.strip().splitlines()
        peak = int(lines[-1]) / 1024
        if best is None or t < best[0]:
            best = (t, peak, "\n".join(lines[:-1]))
    return best


def plot_of(raw):
    return ionspice.read_raw(raw)[0]


def difference(ref, other, transient):
    """max |other − ref| over all vectors of ref (by name), relative to the largest |v| or |i|."""
    a_all, b_all = ref.to_dict(), other.to_dict()
    scale = {"v": 0.0, "i": 0.0}
    for name, a in a_all.items():
        if name[:2] in ("v(", "i("):
            scale[name[0]] = max(scale[name[0]], float(np.max(np.abs(a))))
    worst = 0.0
    t_ref = np.asarray(ref.scale) if transient else None
    t_other = np.asarray(other.scale) if transient else None
    for name, a in a_all.items():
        b = b_all.get(name)
        if name[:2] not in ("v(", "i(") or b is None:
            continue
        if transient:
            b = np.interp(t_ref, t_other, b)
        worst = max(worst, float(np.max(np.abs(np.asarray(a) - b))) / (scale[name[0]] or 1.0))
    return worst


def main():
    args = sys.argv[1:]
    transient = args[:1] == ["--tran"]
    sizes = [int(a) for a in (args[1:] if transient else args)] or ([32, 64, 128] if transient else [64, 128, 256])
    mode = "tran" if transient else "op"
    os.makedirs(OUT, exist_ok=True)
    ng = ngspice47()
    print(f"| N | unknowns | ionspice (s) | peak (MB) | ionspice, KLU path (s) | ngspice-47 + KLU (s) | ngspice peak (MB) "
          f"| ngspice / ionspice | difference to the KLU path | to ngspice | solver path |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        cir = os.path.join(OUT, f"xbar{n}_{mode}.cir")
        with open(cir, "w") as f:
            subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_crossbar.py"), str(n), "--klu"]
                           + (["--tran"] if transient else []), stdout=f, check=True)
        raw = os.path.join(OUT, "ionspice.raw")
        t, peak, err = timed([IONSPICE, "--stats", "-r", raw, cir], RUNS)
        unknowns = re.search(r"(\d+) unknowns, \d+ matrix entries", err).group(1)
        path = re.search(r"analyses \((.*)\)$", err, re.M).group(1)
        path = re.sub(r" \([0-9.]+ s[^)]*\)", "", path)  # keep the method, drop the timings
        auto = plot_of(raw)
        klu_cir = os.path.join(OUT, f"xbar{n}_{mode}_klu.cir")
        with open(cir) as f, open(klu_cir, "w") as g:
            g.write(f.read().replace(".options klu\n", ".options klu solver=klu\n"))
        klu_raw = os.path.join(OUT, "ionspice_klu.raw")
        t_klu, _, _ = timed([IONSPICE, "-r", klu_raw, klu_cir], RUNS if n <= 256 else 1)
        diff_klu = difference(plot_of(klu_raw), auto, transient)
        t_ng = peak_ng = diff_ng = None
        if ng and n <= NG_MAX:
            ng_raw = os.path.join(OUT, "ngspice.raw")
            t_ng, peak_ng, _ = timed([ng, "-b", "-r", ng_raw, cir], RUNS if n <= 256 else 1)
            diff_ng = difference(plot_of(ng_raw), auto, transient)
        fmt = lambda v, f: "—" if v is None else f.format(v)  # noqa: E731
        print(f"| {n}² | {unknowns} | {t:.3f} | {peak:.0f} | {t_klu:.3f} | {fmt(t_ng, '{:.3f}')} | {fmt(peak_ng, '{:.0f}')} "
              f"| {fmt(t_ng and t_ng / t, '{:.1f}×')} | {diff_klu:.1e} | {fmt(diff_ng, '{:.1e}')} | {path} |", flush=True)


if __name__ == "__main__":
    main()
