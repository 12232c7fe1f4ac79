"""Crossbar reads: IR drop and sneak paths (docs/circuits.md §4), the study behind the
"Crossbar reads" section of docs/arrays.md and its figures (docs/figures/arrays_crossbar_*.png).

Generates every array with `ionspice.arrays` (the generators of `ionspice gen`), runs it with
`ionspice.run` (one at a time) and compares with closed forms:

  a. vector-matrix product (VMM) error of passive and 1T1R arrays, N = 8 ... 256, wire resistance
     0.5 ... 5 ohm per segment, against the ideal sum_i G_ij V_i;
  b. the IR-drop map: the voltage each cell sees, as a fraction of the row voltage;
  c. the sneak-current share of a one-cell read under the floating, V/2, V/3 and grounded schemes,
     passive against 1T1R.

Everything is deterministic (fixed seeds). About a minute on two cores; the 256x256 1T1R
arrays take most of it. Gnuplot for the figures.

    python3 -m ionspice.studies.crossbar_reads                   # writes docs/figures/ of the source tree
    python3 -m ionspice.studies.crossbar_reads --docs /tmp/docs
    python3 -m ionspice.studies.crossbar_reads --dump m.json     # also keep the measurements
    python3 -m ionspice.studies.crossbar_reads --from m.json     # redraw from them, no simulation

`--root` (default $IONSPICE_SOURCE_DIR, else .) is the source tree whose docs/ is the default.
The markdown section goes to stdout, progress and timings to stderr. `ionspice.studies.arrays`
calls study(docs_dir, root); measure() returns the measurements.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import time

from ..arrays import crossbar, one_t_one_r
from . import common
from .common import COLOURS, Figure, log, pct, q, with_saves

TITLE = "## Crossbar reads: IR drop and sneak paths"

SIZES = (8, 16, 32, 64, 128, 256)
RWIRES = (0.5, 1.0, 2.0, 5.0)
GMIN, GMAX = 1e-6, 50e-6          # S, random cells of the VMM study
VIN_MAX = 0.2                     # V, random row inputs in [0, VIN_MAX]
SEED_G, SEED_IN = 1, 2            # Python's random.Random seeds (conductances, inputs)
IR_SIZES, IR_RWIRE, IR_V = (64, 128), 2.0, 0.2
SNEAK_G, SNEAK_RWIRE, SNEAK_V = 20e-6, 1.0, 0.2
SCHEMES = ("floating", "v2", "v3", "ground")
SCHEME_NAME = {"floating": "floating", "v2": "V/2", "v3": "V/3", "ground": "grounded"}
HIST_N, HIST_RWIRE = 128, 2.0
# gen's default selector: level-1 NMOS, vto 0.5 V, kp 200 uA/V^2, W/L = 10u/1u, word line 1.8 V.
FET_KP, FET_VTO, FET_WL, VGATE = 200e-6, 0.5, 10.0, 1.8
RON = 1.0 / (FET_KP * FET_WL * (VGATE - FET_VTO))  # on-resistance at small V_DS, source at 0 V
# Its bulk junctions: level-1 default IS, with the simulator's gmin in parallel, at 27 °C.
JUNCTION_IS, SPICE_GMIN, VT = 1e-14, 1e-12, 1.380649e-23 * 300.15 / 1.602176634e-19


def sig(x, digits=2):
    return common.sig(x, digits)


# --- the arrays ---------------------------------------------------------------------------------

def master_arrays():
    """The 256x256 conductances and 256 inputs; an NxN study array is the top-left block (and the
    first N inputs), so that the arrays of different sizes are nested."""
    rg = random.Random(SEED_G)
    g = [[rg.uniform(GMIN, GMAX) for _ in range(max(SIZES))] for _ in range(max(SIZES))]
    rv = random.Random(SEED_IN)
    v = [rv.uniform(0.0, VIN_MAX) for _ in range(max(SIZES))]
    return g, v


def block(g, n):
    return [row[:n] for row in g[:n]]


GENERATORS = {"passive": crossbar, "1t1r": one_t_one_r}


def simulate(kind, n, saves, **options):
    """An NxN array ("passive" or "1t1r") with ``options`` and a ``.save`` of SAVES, run; returns
    its operating point (name -> value) and the seconds the run took."""
    circuit = with_saves(GENERATORS[kind](n, n, **options), saves)
    plot, dt = common.timed_run(circuit)
    return common.operating_point(plot), dt


def first_order_cell_voltages(g, v, r):
    """Cell voltages of a passive crossbar to first order in the wire resistance r (drivers at
    column 0's end of each row, sense at row N-1's end of each column): the ideal-wire currents
    flowing in each segment, times r, summed along the line. Returns v_cell[i][j]."""
    n_r, n_c = len(g), len(g[0])
    cell = [[0.0] * n_c for _ in range(n_r)]
    for i in range(n_r):
        suffix, s = [0.0] * n_c, 0.0
        for k in range(n_c - 1, -1, -1):
            s += g[i][k] * v[i]
            suffix[k] = s          # current in the row segment ending at r<i>_<k>
        drop = 0.0
        for j in range(n_c):
            drop += r * suffix[j]
            cell[i][j] = v[i] - drop
    for j in range(n_c):
        prefix, s = [0.0] * n_r, 0.0
        for k in range(n_r):
            s += g[k][j] * v[k]
            prefix[k] = s          # current in the column segment leaving c<k>_<j>
        rise = 0.0
        for i in range(n_r - 1, -1, -1):
            rise += r * prefix[i]
            cell[i][j] -= rise
    return cell


def column_errors(sim, ideal):
    errs = [(s - i) / i for s, i in zip(sim, ideal)]
    rms = math.sqrt(sum(e * e for e in errs) / len(errs))
    worst = max(range(len(errs)), key=lambda k: abs(errs[k]))
    return errs, rms, worst


# --- a. VMM error ---------------------------------------------------------------------------

def measure_vmm(g_all, v_all):
    out = {"passive": {}, "1t1r": {}, "hist": {}}
    for n in SIZES:
        g, v = block(g_all, n), v_all[:n]
        ideal = [sum(g[i][j] * v[i] for i in range(n)) for j in range(n)]
        # the ideal product with each cell in series with the selector's on-resistance
        ideal_sel = [sum(g[i][j] / (1 + g[i][j] * RON) * v[i] for i in range(n)) for j in range(n)]
        saves = [f"i(vcol{j})" for j in range(n)]
        for kind in ("passive", "1t1r"):
            for r in ((0.0,) + RWIRES):
                if kind == "passive" and r == 0.0 and n != max(SIZES):
                    continue  # ideal wires: exact; checked once, at the largest size
                row, dt = simulate(kind, n, saves, rwire=r, g=g, inputs=v)
                sim = [row[f"i(vcol{j})"] for j in range(n)]
                errs, rms, worst = column_errors(sim, ideal)
                rec = {"rms": rms, "worst": errs[worst], "worst_col": worst, "mean": sum(errs) / n,
                       "seconds": dt}
                if kind == "passive" and r > 0:
                    fo = first_order_cell_voltages(g, v, r)
                    fo_cols = [sum(g[i][j] * fo[i][j] for i in range(n)) for j in range(n)]
                    fo_errs, fo_rms, _ = column_errors(fo_cols, ideal)
                    rec["first_order_mean"] = sum(fo_errs) / n
                    rec["first_order_rms"] = fo_rms
                if kind == "1t1r":
                    e_sel, rms_sel, w_sel = column_errors(sim, ideal_sel)
                    rec["rms_vs_selector_product"] = rms_sel
                    sel_only = column_errors(ideal_sel, ideal)[0]
                    rec["selector_closed_form_rms"] = math.sqrt(sum(e * e for e in sel_only) / n)
                if n == HIST_N and r == HIST_RWIRE:
                    out["hist"][kind] = errs
                out[kind][f"{n} {r:g}"] = rec
                log(f"  vmm {kind:7s} N={n:3d} rwire={r:g}: rms {pct(rms)} %, worst {pct(errs[worst])} % "
                    f"(col {worst}), {dt:.2f} s")
    return out


# --- b. IR-drop map --------------------------------------------------------------------------

def measure_irdrop(g_all):
    out = {}
    for n in IR_SIZES:
        g = block(g_all, n)
        saves = [f"v(r{i}_{j})" for i in range(n) for j in range(n)] + \
                [f"v(c{i}_{j})" for i in range(n) for j in range(n)]
        row, dt = simulate("passive", n, saves, rwire=IR_RWIRE, g=g, vread=IR_V)
        frac = [[(row[f"v(r{i}_{j})"] - row[f"v(c{i}_{j})"]) / IR_V for j in range(n)] for i in range(n)]
        fo = first_order_cell_voltages(g, [IR_V] * n, IR_RWIRE)
        out[str(n)] = {"frac": frac, "first_order": [[x / IR_V for x in r] for r in fo], "seconds": dt}
        lo = min((frac[i][j], i, j) for i in range(n) for j in range(n))
        log(f"  ir-drop N={n}: worst cell ({lo[1]},{lo[2]}) at {lo[0]:.3f} of V, {dt:.2f} s")
    return out


# --- c. sneak currents -----------------------------------------------------------------------

def measure_sneak():
    """Reads the far-corner cell (0, N-1) of uniform arrays; returns per (kind, rwire, scheme, N)
    the column current, the selected cell's own current and the share of the column current that
    is not the selected cell's."""
    out = {}
    for n in SIZES:
        si, sj = 0, n - 1
        for kind, r in (("passive", 0.0), ("passive", SNEAK_RWIRE), ("1t1r", SNEAK_RWIRE)):
            for scheme in SCHEMES:
                if r > 0:
                    a, b = f"r{si}_{sj}", f"m{si}_{sj}" if kind == "1t1r" else f"c{si}_{sj}"
                else:
                    a, b = f"r{si}", f"c{sj}"
                saves = [f"i(vcol{sj})", f"v({a})", f"v({b})"]
                row, dt = simulate(kind, n, saves, rwire=r, g=SNEAK_G, vread=SNEAK_V, scheme=scheme,
                                   select=(si, sj))
                icol = row[f"i(vcol{sj})"]
                icell = (row[f"v({a})"] - row[f"v({b})"]) * SNEAK_G
                rec = {"icol": icol, "icell": icell, "sneak": icol - icell,
                       "share": (icol - icell) / icol, "seconds": dt}
                out[f"{kind} {r:g} {scheme} {n}"] = rec
                log(f"  sneak {kind:7s} rwire={r:g} {scheme:8s} N={n:3d}: i(vcol) {icol:.4g} A, "
                    f"cell {icell:.4g} A, share {rec['share']:.4g}, {dt:.2f} s")
    return out


def closed_form_share(scheme, n):
    """Uniform G, ideal wires, NxN, one cell read: the part of the sensed column current that is
    not the selected cell's (README 'What the read schemes do')."""
    if scheme == "floating":
        return ((n - 1) / n) ** 2          # rows float to V(N-1)/(2N-1)
    if scheme == "v2":
        return (n - 1) / (n + 1)
    if scheme == "v3":
        return (n - 1) / (n + 2)
    return 0.0


# --- the section -----------------------------------------------------------------------------

def measure():
    g_all, v_all = master_arrays()
    t = {}
    t0 = time.perf_counter()
    log("a. VMM error")
    vmm = measure_vmm(g_all, v_all)
    t["vmm"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    log("b. IR-drop map")
    ir = measure_irdrop(g_all)
    t["irdrop"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    log("c. sneak currents")
    sneak = measure_sneak()
    t["sneak"] = time.perf_counter() - t0
    gbar = sum(map(sum, g_all)) / len(g_all) ** 2
    return {"vmm": vmm, "ir": ir, "sneak": sneak, "timing": t, "gbar": gbar}


def study(docs_dir, root=None, data=None):
    """Runs the study (or redraws DATA from measure()), writes the figures to
    DOCS_DIR/figures/arrays_crossbar_*.png and returns the markdown section. (``root`` is not
    needed: every input is generated here.)"""
    if data is None:
        data = measure()
    figdir = os.path.join(docs_dir, "figures")
    os.makedirs(figdir, exist_ok=True)
    return render(data, figdir)


def keyed(d, *parts):
    return d[" ".join(p if isinstance(p, str) else f"{p:g}" for p in parts)]


def render(data, figdir):
    md = [TITLE, ""]
    md += render_vmm(data, figdir)
    md += render_irdrop(data, figdir)
    md += render_sneak(data, figdir)
    return "\n".join(md).rstrip() + "\n"


def render_vmm(data, figdir):
    vmm, gbar = data["vmm"], data["gbar"]
    p, t = vmm["passive"], vmm["1t1r"]

    fig = Figure(os.path.join(figdir, "arrays_crossbar_vmm_error.png"), size="1100,460")
    fig.cmd("set multiplot layout 1,2")
    fig.cmd("set logscale xy")
    fig.cmd("set xtics (8, 16, 32, 64, 128, 256)")
    fig.cmd("set xrange [7:290]")
    fig.cmd("set yrange [1e-4:2]")
    fig.cmd("set format y '10^{%T}'")
    fig.cmd("set xlabel 'array size N (N×N)'")
    fig.cmd("set ylabel 'RMS relative error of the column currents'")
    fig.cmd("set key top left")
    for kind, title in (("passive", "Passive crossbar (dashed: first order in r_{wire})"),
                        ("1t1r", "1T1R, all word lines on (black: selectors only, ideal wires)")):
        fig.cmd(f"set title {q(title)}")
        parts = []
        if kind == "1t1r":
            d = fig.data([(n, keyed(t, n, 0.0)["rms"]) for n in SIZES])
            parts.append(f"{d} using 1:2 with linespoints pt 7 ps 0.7 lc rgb 'black' title 'r_{{wire}} = 0'")
        for k, r in enumerate(RWIRES):
            c = COLOURS[k]
            d = fig.data([(n, keyed(vmm[kind], n, r)["rms"]) for n in SIZES])
            parts.append(f"{d} using 1:2 with linespoints pt 7 ps 0.7 lc rgb '{c}' title 'r_{{wire}} = {r:g} Ω'")
            if kind == "passive":
                f = fig.data([(n, keyed(p, n, r)["first_order_rms"]) for n in SIZES])
                parts.append(f"{f} using 1:2 with lines dt 2 lc rgb '{c}' notitle")
        fig.cmd("plot " + ", \\\n  ".join(parts))
    fig.cmd("unset multiplot")
    fig.render()

    hn, hr = HIST_N, HIST_RWIRE
    fig = Figure(os.path.join(figdir, "arrays_crossbar_column_errors.png"), size="1200,420")
    fig.cmd("set multiplot layout 1,3")
    fig.cmd(f"set title {q(f'Column errors, {hn}×{hn}, {hr:g} Ω per segment')}")
    fig.cmd("set xlabel 'column j (distance from the row drivers)'")
    fig.cmd("set ylabel 'relative error of i(vcol_j) (%)'")
    fig.cmd("set key bottom left")
    fig.cmd(f"set xrange [0:{hn - 1}]")
    dp = fig.data([(j, 100 * e) for j, e in enumerate(vmm["hist"]["passive"])])
    dt = fig.data([(j, 100 * e) for j, e in enumerate(vmm["hist"]["1t1r"])])
    fig.cmd(f"plot {dp} using 1:2 with lines lc rgb '{COLOURS[0]}' title 'passive', "
            f"{dt} using 1:2 with lines lc rgb '{COLOURS[1]}' title '1T1R'")
    lo = 100 * min(vmm["hist"]["passive"] + vmm["hist"]["1t1r"])
    hi = 100 * max(vmm["hist"]["passive"] + vmm["hist"]["1t1r"])
    fig.cmd(f"set xrange [{lo - 1:.3g}:{hi + 1:.3g}]")
    fig.cmd("set yrange [0:*]")
    common.histogram(fig, [100 * e for e in vmm["hist"]["passive"]], 20,
                     f"Passive {hn}×{hn}: column errors", "relative error (%)", COLOURS[0])
    common.histogram(fig, [100 * e for e in vmm["hist"]["1t1r"]], 20,
                     f"1T1R {hn}×{hn}: column errors", "relative error (%)", COLOURS[1])
    fig.cmd("unset multiplot")
    fig.render()

    def cell(rec):
        return f"{pct(rec['rms'])} ({pct(abs(rec['worst']))})"

    md = ["### Vector–matrix product error", ""]
    md.append(
        f"N×N arrays of resistor cells, G uniformly random in [{sig(GMIN * 1e6)}, {sig(GMAX * 1e6)}] µS "
        f"(Python `random.Random({SEED_G})`, mean Ḡ = {sig(gbar * 1e6, 3)} µS), row inputs uniformly random "
        f"in [0, {VIN_MAX:g}] V (`random.Random({SEED_IN})`); a smaller array is the top-left block of the "
        f"256×256 one, so the sizes are nested. Drivers at the column-0 end of each row, virtual-ground "
        f"sense sources at the row-{max(SIZES) - 1} end of each column, r_wire per segment on both. The "
        f"error of column j is (i(vcol_j) − Σ_i G_ij·V_i) / Σ_i G_ij·V_i; the tables give its RMS over "
        f"the columns and, in brackets, the largest |error|, both in %. Every error is negative: the "
        f"wires only lose voltage.")
    md.append("")
    md.append("Passive crossbar:")
    md.append("")
    md.append(common.md_table(["N"] + [f"{r:g} Ω" for r in RWIRES],
                              [[n] + [cell(keyed(p, n, r)) for r in RWIRES] for n in SIZES]))
    md.append("")
    small = [(n, r) for n in SIZES for r in RWIRES if abs(keyed(p, n, r)["mean"]) < 0.01]
    dev = max(abs(keyed(p, n, r)["first_order_mean"] / keyed(p, n, r)["mean"] - 1) for n, r in small)
    n1, big = max(SIZES), keyed(p, max(SIZES), 1.0)
    md.append(
        f"To first order in r_wire each segment carries the current of the ideal-wire array and the "
        f"losses add along the lines; for uniform cells and inputs the mean column error is then "
        f"−r·Ḡ·(N+1)(2N+1)/3 ≈ −(2/3)·r·Ḡ·N², linear in r and quadratic in N (slope 2 in the figure). "
        f"The same first-order sum evaluated on the actual G and V (dashed lines) matches the simulated "
        f"mean column error within {pct(dev, 1)} % of itself wherever that error is below 1 % (the "
        f"dashed lines are its RMS); above a "
        f"few per cent the simulated error falls behind it, because the lost voltage also lowers the "
        f"currents that cause the loss (at {n1}×{n1} and 1 Ω the first order predicts "
        f"{pct(abs(big['first_order_mean']))} %, the array loses {pct(abs(big['mean']))} %). A "
        f"check: with ideal wires the simulated product equals the ideal one to "
        f"{sig(keyed(p, max(SIZES), 0.0)['rms'], 1)} (RMS, {max(SIZES)}×{max(SIZES)}). The largest "
        f"array that keeps the RMS error below 1 %: " +
        ", ".join(f"{max([n for n in SIZES if keyed(p, n, r)['rms'] < 0.01], default='none')}×"
                  f"{max([n for n in SIZES if keyed(p, n, r)['rms'] < 0.01], default='none')} at {r:g} Ω"
                  for r in RWIRES) + ".")
    md.append("")
    md.append("![VMM error against size and wire resistance](figures/arrays_crossbar_vmm_error.png)")
    md.append("")
    md.append(
        f"1T1R arrays (the same cells, each in series with gen's default selector: level-1 NMOS, "
        f"W/L = 10, kp = {sig(FET_KP * 1e6, 3)} µA/V², V_T0 = {FET_VTO:g} V, every word line at "
        f"{VGATE:g} V), with ideal wires in the first column:")
    md.append("")
    md.append(common.md_table(["N", "0 Ω"] + [f"{r:g} Ω" for r in RWIRES],
                              [[n] + [cell(keyed(t, n, r)) for r in (0.0,) + RWIRES] for n in SIZES]))
    md.append("")
    sel_sim = [keyed(t, n, 0.0)["rms"] for n in SIZES]
    sel_cf = [keyed(t, n, 0.0)["selector_closed_form_rms"] for n in SIZES]
    n_wires = min([n for n in SIZES if keyed(p, n, 1.0)["rms"] > keyed(t, n, 0.0)["rms"]], default=None)
    gap = max(abs(keyed(t, n, r)["rms_vs_selector_product"] - keyed(p, n, r)["rms"]) / keyed(p, n, r)["rms"]
              for n in SIZES for r in RWIRES)
    md.append(
        f"The ideal product ignores the selectors. Switched on, each is a resistance "
        f"R_on = 1/(kp·W/L·(V_WL − V_T0)) = {sig(RON, 3)} Ω in series with its cell (V_DS is a few mV), "
        f"so cell (i,j) passes G_ij/(1 + G_ij·R_on) instead of G_ij: 0.04 % less at 1 µS, "
        f"{pct(GMAX * RON / (1 + GMAX * RON))} % less at 50 µS. Weighted by the currents, that is "
        f"{pct(min(sel_cf))}–{pct(max(sel_cf))} % RMS over the columns, the simulated ideal-wire error "
        f"({pct(min(sel_sim))}–{pct(max(sel_sim))} %), independent of N: a floor that calibration "
        f"(or a wider selector) removes, not a growth. Against the product with G/(1 + G·R_on) the "
        f"1T1R errors with wires are those of the passive array within {pct(gap, 1)} % of their value: "
        f"the wires do the same thing to both. At small N the selector floor dominates; from "
        f"N = {n_wires} on (at 1 Ω) the wires do, and at 256×256 the two array types lose the same "
        f"{pct(keyed(t, max(SIZES), 1.0)['rms'])} % at 1 Ω.")
    md.append("")
    worst_cols = sorted({keyed(p, max(SIZES), r)["worst_col"] for r in RWIRES})
    where = (f"column {worst_cols[0]} for every r_wire" if len(worst_cols) == 1
             else "columns " + ", ".join(map(str, worst_cols)))
    md.append(
        f"Which columns lose most ({hn}×{hn}, {hr:g} Ω): the error grows with the distance of the column "
        f"from the row drivers (each row's current has to pass more segments) and scatters with the "
        f"column's own conductances; the worst column is not the last one (at {max(SIZES)}×{max(SIZES)} "
        f"it is {where}), because a column whose "
        f"cells are large draws more current down its own wire. 1T1R's columns are the passive "
        f"ones shifted by about the selector floor.")
    md.append("")
    md.append("![column errors and their histograms](figures/arrays_crossbar_column_errors.png)")
    md.append("")
    return md


def render_irdrop(data, figdir):
    ir = data["ir"]
    fig = Figure(os.path.join(figdir, "arrays_crossbar_irdrop.png"), size="1100,500")
    fig.cmd("set multiplot layout 1,2")
    fig.cmd("set autoscale xfix")   # the map fills the frame (heatmap sets xrange [*:*])
    fig.cmd("set autoscale yfix")
    for n in IR_SIZES:
        common.heatmap(fig, ir[str(n)]["frac"],
                       f"{n}×{n}, {IR_RWIRE:g} Ω/segment: cell voltage / V_{{row}}", "v(r_{ij}) − v(c_{ij}) over 0.2 V")
    fig.cmd("unset multiplot")
    fig.render()

    rows = []
    for n in IR_SIZES:
        f, fo = ir[str(n)]["frac"], ir[str(n)]["first_order"]
        lo = min((f[i][j], i, j) for i in range(n) for j in range(n))
        lo_fo = min((fo[i][j], i, j) for i in range(n) for j in range(n))
        mean = sum(map(sum, f)) / n / n
        rows.append([f"{n}×{n}", f"({lo[1]}, {lo[2]})", f"{lo[0]:.3f}", f"{fo[lo[1]][lo[2]]:.3f}",
                     f"({lo_fo[1]}, {lo_fo[2]})", f"{f[0][n - 1]:.3f}", f"{f[n - 1][0]:.3f}", f"{mean:.3f}"])
    first = ir[str(IR_SIZES[0])]
    n0 = IR_SIZES[0]
    lo0 = min((first["frac"][i][j], i, j) for i in range(n0) for j in range(n0))
    md = ["### IR-drop map", ""]
    md.append(
        f"All rows at {IR_V:g} V, the random cells of the VMM study (top-left blocks), {IR_RWIRE:g} Ω per "
        f"segment: the voltage each cell sees, v(r<i>_<j>) − v(c<i>_<j>), as a fraction of the row "
        f"voltage. The row lines lose voltage towards high j (far from the drivers), the column lines "
        f"rise towards low i (far from the sense amplifiers), so the cells near the top-right corner "
        f"(row 0, column N−1) see least.")
    md.append("")
    md.append(common.md_table(
        ["array", "worst cell (i, j)", "its voltage / V", "first order", "first order's worst cell",
         "corner (0, N−1)", "cell (N−1, 0)", "mean over cells"], rows))
    md.append("")
    md.append(
        f"The worst {n0}×{n0} cell is ({lo0[1]}, {lo0[2]}) at {lo0[0]:.3f} of the row voltage, not the "
        f"corner: with random G the rows and columns carrying more current than average lose more, "
        f"and the first-order sum (segment currents of the ideal-wire array, as above) picks the same "
        f"cell. For uniform cells the first-order loss at the corner is r·Ḡ·N(N+1) "
        f"({pct(IR_RWIRE * data['gbar'] * n0 * (n0 + 1))} % at {n0}×{n0}, "
        f"{pct(IR_RWIRE * data['gbar'] * IR_SIZES[-1] * (IR_SIZES[-1] + 1))} % at "
        f"{IR_SIZES[-1]}×{IR_SIZES[-1]}; the random array's first-order sum gives "
        f"{pct(1 - first['first_order'][0][n0 - 1])} % and "
        f"{pct(1 - ir[str(IR_SIZES[-1])]['first_order'][0][IR_SIZES[-1] - 1])} %). At "
        f"{IR_SIZES[-1]}×{IR_SIZES[-1]} the first order is far off: smaller cell voltages carry "
        f"smaller currents and the array settles with its corner cell at "
        f"{ir[str(IR_SIZES[-1])]['frac'][0][IR_SIZES[-1] - 1]:.2f} of the input, the average cell at "
        f"{sum(map(sum, ir[str(IR_SIZES[-1])]['frac'])) / IR_SIZES[-1] ** 2:.2f}. The bands in the maps "
        f"are rows and columns with more conductance than average.")
    md.append("")
    md.append("![IR-drop maps](figures/arrays_crossbar_irdrop.png)")
    md.append("")
    return md


def render_sneak(data, figdir):
    s = data["sneak"]
    r1 = SNEAK_RWIRE
    gv = SNEAK_G * SNEAK_V

    fig = Figure(os.path.join(figdir, "arrays_crossbar_sneak.png"), size="1300,440")
    fig.cmd("set multiplot layout 1,3")
    fig.cmd("set logscale x 2")
    fig.cmd("set xtics (8, 16, 32, 64, 128, 256)")
    fig.cmd("set xrange [7:290]")
    fig.cmd("set xlabel 'array size N (N×N)'")
    # panel 1: share, passive, with the closed forms
    fig.cmd(f"set title {q(f'Passive, {r1:g} Ω/segment (dashed: ideal-wire closed form)')}")
    fig.cmd("set ylabel 'sneak share of i(vcol): (i(vcol) − I_{cell}) / i(vcol)'")
    fig.cmd("set yrange [-0.45:1.05]")
    fig.cmd("set key bottom left")
    parts = []
    for k, sc in enumerate(SCHEMES):
        c = COLOURS[k]
        d = fig.data([(n, keyed(s, "passive", r1, sc, n)["share"]) for n in SIZES])
        f = fig.data([(n, closed_form_share(sc, n)) for n in SIZES])
        parts.append(f"{d} using 1:2 with linespoints pt 7 ps 0.7 lc rgb '{c}' title {q(SCHEME_NAME[sc])}")
        parts.append(f"{f} using 1:2 with lines dt 2 lc rgb '{c}' notitle")
    fig.cmd("plot " + ", \\\n  ".join(parts))
    # panel 2: |sneak current|, passive against 1T1R
    fig.cmd("set title 'Sneak current: passive (solid) against 1T1R (dashed)'")
    fig.cmd("set ylabel '|i(vcol) − I_{cell}| (A)'")
    fig.cmd("set logscale y")
    fig.cmd("set format y '10^{%T}'")
    fig.cmd("set yrange [1e-18:1e-2]")
    fig.cmd("set key bottom right")
    parts = []
    for k, sc in enumerate(SCHEMES):
        c = COLOURS[k]
        d = fig.data([(n, abs(keyed(s, "passive", r1, sc, n)["sneak"])) for n in SIZES])
        e = fig.data([(n, abs(keyed(s, "1t1r", r1, sc, n)["sneak"])) for n in SIZES])
        label = "passive " + SCHEME_NAME[sc] + (" (negative)" if sc == "ground" else "")
        parts.append(f"{d} using 1:2 with linespoints pt 7 ps 0.7 lc rgb '{c}' title {q(label)}")
        parts.append(f"{e} using 1:2 with linespoints dt 2 pt 6 ps 0.7 lc rgb '{c}' "
                     + (f"title {q('1T1R, each scheme (negative)')}" if k == len(SCHEMES) - 1 else "notitle"))
    fig.cmd("plot " + ", \\\n  ".join(parts))
    # panel 3: the read signal
    fig.cmd("set title 'Read signal: the selected cell''s own current'")
    fig.cmd("set ylabel 'I_{cell} / (G·V)'")
    fig.cmd("unset logscale y")
    fig.cmd("set format y '%g'")
    fig.cmd("set yrange [0.5:1.02]")
    fig.cmd("set key bottom left")
    parts = []
    for k, sc in enumerate(SCHEMES):
        c = COLOURS[k]
        d = fig.data([(n, keyed(s, "passive", r1, sc, n)["icell"] / gv) for n in SIZES])
        e = fig.data([(n, keyed(s, "1t1r", r1, sc, n)["icell"] / gv) for n in SIZES])
        parts.append(f"{d} using 1:2 with linespoints pt 7 ps 0.7 lc rgb '{c}' title {q('passive ' + SCHEME_NAME[sc])}")
        parts.append(f"{e} using 1:2 with linespoints dt 2 pt 6 ps 0.7 lc rgb '{c}' title {q('1T1R ' + SCHEME_NAME[sc])}")
    fig.cmd("plot " + ", \\\n  ".join(parts))
    fig.cmd("unset multiplot")
    fig.render()

    nmax = max(SIZES)
    cf_dev = max(abs(keyed(s, "passive", 0.0, sc, n)["share"] - closed_form_share(sc, n))
                 for sc in SCHEMES for n in SIZES)
    md = ["### Sneak currents in a one-cell read", ""]
    md.append(
        f"N×N arrays of equal cells, G = {sig(SNEAK_G * 1e6)} µS, read voltage V = {SNEAK_V:g} V, "
        f"{r1:g} Ω per wire segment. The cell read is the far corner (0, N−1): its row current passes "
        f"every row segment and its column current every column segment, so it sees the most IR drop "
        f"and gives the smallest signal: the worst case a read has to cope with (the ideal-wire "
        f"closed forms below do not depend on the position). Selected row at V, selected column's sense "
        f"source at 0 V; the other lines floating, at V/2, at V/3 (rows) and 2V/3 (columns), or at 0 V. "
        f"The selected cell's own current is I_cell = G·(v(r0_<N−1>) − v(c0_<N−1>)) (1T1R: "
        f"G·(v(r0_<N−1>) − v(m0_<N−1>)), the current through the cell's resistor and hence its "
        f"selector); the **sneak share** is the part of the sensed current that does not come through "
        f"the selected cell, (i(vcol<N−1>) − I_cell) / i(vcol<N−1>).")
    md.append("")
    md.append(f"Passive crossbar, {r1:g} Ω per segment (in brackets: the ideal-wire closed form):")
    md.append("")
    md.append(common.md_table(
        ["N"] + [SCHEME_NAME[sc] for sc in SCHEMES],
        [[n] + [f"{keyed(s, 'passive', r1, sc, n)['share']:.4f} ({closed_form_share(sc, n):.4f})"
                for sc in SCHEMES] for n in SIZES]))
    md.append("")
    md.append(
        f"Closed forms for equal cells and ideal wires (the half-selected cells of the selected column "
        f"each pass G·u, with u the voltage of the unselected rows): V/2 gives (N−1)·G·V/2 of sneak "
        f"current and a share (N−1)/(N+1); V/3 (N−1)·G·V/3 and (N−1)/(N+2); floating lines settle at "
        f"u = V·(N−1)/(2N−1), so (N−1)²/N²; grounded lines 0. The simulated ideal-wire arrays match "
        f"them within {sig(cf_dev, 1)}. With linear cells no scheme helps a passive read: the share "
        f"tends to 1 as N grows in every scheme but the grounded one, and the sneak current grows "
        f"linearly with N while the cell's own current does not. Floating lines do **not** give the "
        f"largest share: for square arrays of equal cells the floating share is (N²−1)/N² of the V/2 "
        f"one, always slightly smaller ({closed_form_share('floating', 8):.4f} against "
        f"{closed_form_share('v2', 8):.4f} at 8×8), because the floating rows settle "
        f"just below V/2. V/2 and V/3 pay off when programming (a half-selected cell sees at most V/2), "
        f"not in reading linear cells.")
    md.append("")
    gr = keyed(s, "passive", r1, "ground", nmax)
    md.append(
        f"With wires the grounded scheme's share turns negative ({gr['share']:.3f} at {nmax}×{nmax}): "
        f"the selected column's own current raises its wire above 0 V, the other rows are at 0 V, so "
        f"the half-selected cells of that column pull current out of it and the sense source sees "
        f"{sig(gr['icol'] * 1e6, 3)} µA of the cell's {sig(gr['icell'] * 1e6, 3)} µA. The wires also "
        f"cut the cell's own current (last table): the selected row feeds its N−1 other cells too "
        f"(into columns at V/2, 2V/3, 0 V or floating) and the selected column carries the sneak "
        f"current, and at {nmax}×{nmax} the corner cell passes "
        f"{sig(keyed(s, 'passive', r1, 'floating', nmax)['icell'] / gv, 2)} of G·V.")
    md.append("")
    ratio_rows = []
    for n in SIZES:
        t1 = [keyed(s, "1t1r", r1, sc, n) for sc in SCHEMES]
        ratio = max(abs(keyed(s, "1t1r", r1, sc, n)["sneak"]) / abs(keyed(s, "passive", r1, sc, n)["sneak"])
                    for sc in ("floating", "v2", "v3"))
        # Junction leakage off the selected column: its N selectors' sources sit at v(c<i>_<N-1>) =
        # I·r·(N−i) above the grounded bulk, the selected drain at I·(r·N + R_on), each junction a
        # conductance IS/V_t + gmin near 0 V.
        leak = [-(JUNCTION_IS / VT + SPICE_GMIN) * x["icell"] * (r1 * n * (n + 1) / 2 + r1 * n + RON) for x in t1]
        ratio_rows.append([n,
                           f"{sig(keyed(s, 'passive', r1, 'floating', n)['sneak'] * 1e6, 3)}",
                           f"{sig(keyed(s, 'passive', r1, 'v2', n)['sneak'] * 1e6, 3)}",
                           f"{sig(keyed(s, 'passive', r1, 'v3', n)['sneak'] * 1e6, 3)}",
                           f"{sig(min(x['sneak'] for x in t1) * 1e12, 2)} … {sig(max(x['sneak'] for x in t1) * 1e12, 2)}",
                           f"{sig(min(leak) * 1e12, 2)} … {sig(max(leak) * 1e12, 2)}",
                           f"{sig(max((x['share'] for x in t1), key=abs), 2)}",
                           sig(ratio, 2)])
    md.append(f"1T1R against passive, {r1:g} Ω per segment: sneak current i(vcol) − I_cell")
    md.append("")
    md.append(common.md_table(
        ["N", "passive floating (µA)", "passive V/2 (µA)", "passive V/3 (µA)",
         "1T1R, the four schemes (pA)", "junction leakage estimate (pA)", "1T1R share",
         "1T1R / passive (largest)"], ratio_rows))
    md.append("")
    worst_ratio = max(float(r[-1]) for r in ratio_rows)
    md.append(
        f"The selector removes the sneak current: the unselected word lines are at 0 V, so every "
        f"half-selected and unselected cell is cut off and the sensed current is the selected cell's. "
        f"What is left is a fraction of a picoampere, negative (current lost from the column, not "
        f"gained) and the same share of the column current in all four schemes: not a path through "
        f"other cells but the bulk junctions of the column's own selectors. Their sources sit a few "
        f"millivolts above the grounded bulk (the column wire's IR drop, proportional to the read "
        f"current), and each junction conducts IS/V_t + gmin = {sig(JUNCTION_IS / VT + SPICE_GMIN, 3)} S "
        f"there (level-1 IS = 1e-14 A, gmin = 1e-12 S in parallel); summed down the column, with the "
        f"selected drain, that is the estimate in the table. 1T1R's sneak current is at most "
        f"{sig(worst_ratio, 1)} of the passive array's (floating, V/2, V/3), far below the issue's 1 %.")
    md.append("")
    md.append(
        f"Read signal, I_cell/(G·V), corner cell, {r1:g} Ω per segment:")
    md.append("")
    md.append(common.md_table(
        ["N"] + [f"passive {SCHEME_NAME[sc]}" for sc in SCHEMES] + [f"1T1R {SCHEME_NAME[sc]}" for sc in SCHEMES],
        [[n] + [f"{keyed(s, kind, r1, sc, n)['icell'] / gv:.3f}" for kind in ("passive", "1t1r") for sc in SCHEMES]
         for n in SIZES]))
    md.append("")
    tf, tv, tg = (keyed(s, "1t1r", r1, sc, nmax)["icell"] / gv for sc in ("floating", "v2", "ground"))
    sym = max(abs(keyed(s, "passive", r1, "v2", n)["icell"] / keyed(s, "passive", r1, "ground", n)["icell"] - 1)
              for n in SIZES)
    md.append(
        f"In the passive array the corner cell's current is the same under V/2 and grounded lines "
        f"(within {sig(sym, 1)} of itself), by symmetry: the two schemes differ by V/2 on every "
        f"unselected line and 0 on the selected ones, and that difference is symmetric under the map "
        f"row i ↔ column N−1−i (drivers at one end of the rows, sense sources at the far end of the "
        f"columns, equal cells), which takes the corner cell to itself with its two ends swapped, so "
        f"it puts no voltage across that cell. Floating lines give nearly the same current.")
    md.append("")
    md.append(
        f"1T1R's read signal starts at 1/(1 + G·R_on) = {1 / (1 + SNEAK_G * RON):.3f} of G·V (the "
        f"selector) and then depends on the scheme: with the other lines floating the selected row "
        f"carries only the selected cell's current and the signal stays at {tf:.3f} at {nmax}×{nmax}; "
        f"with V/2 or grounded columns the N−1 other cells of the selected row (their selectors on, "
        f"since they share the word line) drive current into those columns and the row droops "
        f"({tv:.3f} at V/2, {tg:.3f} grounded). So for 1T1R the floating scheme is the best read: "
        f"no sneak current, the least IR drop and the least power. Passive arrays lose the signal "
        f"to the same row droop, and the column's sneak current adds its own drop on the column wire.")
    md.append("")
    md.append("![sneak current share, sneak current and read signal](figures/arrays_crossbar_sneak.png)")
    md.append("")
    return md


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=None, help="the source tree (default: $IONSPICE_SOURCE_DIR or .)")
    ap.add_argument("--docs", default=None, help="where the figures go (default: ROOT/docs)")
    ap.add_argument("--dump", metavar="FILE", help="also write the measurements as JSON")
    ap.add_argument("--from", dest="load", metavar="FILE", help="redraw from measurements saved by --dump")
    args = ap.parse_args()
    docs = args.docs
    if docs is None:
        try:
            docs = os.path.join(common.source_dir(args.root), "docs")
        except FileNotFoundError as e:
            ap.exit(1, f"{e}\n")
    t0 = time.perf_counter()
    data = None
    if args.load:
        with open(args.load) as f:
            data = json.load(f)
    if data is None:
        data = measure()
        if args.dump:
            with open(args.dump, "w") as f:
                json.dump(data, f)
    section = study(docs, data=data)
    print(section)
    log(f"crossbar_reads: {time.perf_counter() - t0:.1f} s in all")


if __name__ == "__main__":
    main()
