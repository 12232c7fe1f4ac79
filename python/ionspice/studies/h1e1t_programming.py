"""H-1E1T programming (docs/circuits.md §2): the four stages of one cell, and a 4x4 array
programmed row by row and column by column in separate potentiation and depression phases.

Every run is a netlist from `ionspice.arrays.h1e1t(..., program=MAP)` (V_EG = V_P = 10 V,
V_ED = V_D = 6 V, 5 ms pulses every 10 ms, selectors at V_SS = 9 V when on), run by
`ionspice.run`; the map gives each cell a signed number of pulses. What it shows:

1. Stages: in a 2x2 array, cell (0,0) gets 20 potentiation pulses (its row's other cell is
   half-selected: "remain"; the other row idles), then 60 depression pulses: G per pulse in each
   stage, with the signs of docs/circuits.md §2.
2. Array: a 4x4 pattern of signed pulse counts programmed row by row and, from the same start,
   column by column: every cell moves by its own count times the stage's step, and cells with a
   count of 0 do not move.

    python3 -m ionspice.studies.h1e1t_programming                     # prints the tables
    python3 -m ionspice.studies.h1e1t_programming --docs /tmp/docs    # and writes the figures

`--root` (default $IONSPICE_SOURCE_DIR, else .) is the source tree, where the pattern is read
from (netlists/arrays/h1e1t_pattern.csv). `study(docs_dir, root)` returns the markdown section of
docs/arrays.md and writes docs_dir/figures/arrays_h1e1t_*.png; `run_study(root)` returns the
measurements.
"""

from __future__ import annotations

import os
import statistics

from ..arrays import h1e1t
from . import common
from .common import COLOURS, Figure, q

G0 = 10e-6  # S, every cell at the start (assumed, as in h1e1t_4x4_*.cir)
# Signed pulse counts of the 4x4 pattern (and why they are what they are), under the source tree.
PATTERN_CSV = os.path.join("netlists", "arrays", "h1e1t_pattern.csv")


def read_pattern(root=None):
    """The 4x4 pattern of signed pulse counts (netlists/arrays/h1e1t_pattern.csv)."""
    with open(os.path.join(common.source_dir(root), PATTERN_CSV)) as f:
        return [[int(v) for v in line.split(",")] for line in f if line.strip() and not line.startswith("#")]


class Runner:
    def __init__(self):
        self.n, self.wall = 0, 0.0

    def program(self, g, amounts, order="rows"):
        """Runs one map from conductances g; returns the transient's plot (time and every g())."""
        self.n += 1
        plot, seconds = common.program_map(h1e1t, g, amounts, order=order)
        self.wall += seconds
        return plot


final = common.final_conductances


def g_trace(plot, cells):
    """(time, g of each cell) at every time point of a run."""
    return list(zip(plot["time"].tolist(), *(plot[f"g(nx{i}_{j})"].tolist() for i, j in cells)))


def stages(run):
    """Cell (0,0) potentiated 20 times then depressed 60 times in a 2x2 array."""
    up = run.program([[G0, G0], [G0, G0]], [[20, 0], [0, 0]])
    g1 = final(up, 2, 2)
    down = run.program(g1, [[-60, 0], [0, 0]])
    g2 = final(down, 2, 2)
    cells = [(0, 0), (0, 1), (1, 0)]
    trace = g_trace(up, cells)
    t_off = trace[-1][0]
    trace += [(t_off + t, *g) for t, *g in g_trace(down, cells)]
    table = [
        ("potentiation", "(0,0)", "V_P = 10 V, selector off", (g1[0][0] - G0) / 20),
        ("remain (half-selected)", "(0,1)", "V_P on its gate, selector on: V_gc ~ V_P - V_D", (g1[0][1] - G0) / 20),
        ("depression", "(0,0)", "V_D on the drain line, selector on", (g2[0][0] - g1[0][0]) / 60),
        ("idle", "(1,0), (1,1)", "0 V on its lines", max(abs(g2[1][0] - G0), abs(g2[1][1] - G0)) / 80),
    ]
    return table, trace


TRACED = [(0, 0), (0, 2), (1, 1), (2, 0), (3, 1), (3, 3), (0, 1)]  # the cells of the trace figure


def array(run, pattern):
    n = len(pattern)
    start = [[G0] * n for _ in range(n)]
    res = {}
    for order in ("rows", "cols"):
        plot = run.program(start, pattern, order)
        res[order] = {"g": final(plot, n, n), "trace": g_trace(plot, TRACED)}
    return res


def per_pulse(stage_table):
    return {name.split()[0]: v for name, _, _, v in stage_table}


def figures(stage_trace, arr, pattern, docs_dir):
    fig_dir = os.path.join(docs_dir, "figures")
    os.makedirs(fig_dir, exist_ok=True)
    out = {}
    path = os.path.join(fig_dir, "arrays_h1e1t_stages.png")
    f = Figure(path, size="900,480")
    d = f.data([(t, a * 1e6, b * 1e6, c * 1e6) for t, a, b, c in stage_trace])
    f.cmd("set title 'H-1E1T stages: 20 potentiation pulses, then 60 depression pulses (5 ms, V_P 10 V, V_D 6 V)'")
    f.cmd("set xlabel 'time (s)'")
    f.cmd("set ylabel 'G (uS)'")
    f.cmd("set key bottom right")
    f.cmd(f"plot {d} using 1:2 with lines lw 2 lc rgb '{COLOURS[0]}' title 'selected (0,0): potentiation, then depression', "
          f"{d} using 1:3 with lines lw 2 lc rgb '{COLOURS[1]}' title '(0,1): remain, then idle', "
          f"{d} using 1:4 with lines lw 2 dt 2 lc rgb '{COLOURS[2]}' title '(1,0): idle'")
    f.render()
    out["stages"] = "figures/arrays_h1e1t_stages.png"

    path = os.path.join(fig_dir, "arrays_h1e1t_array.png")
    f = Figure(path, size="1200,420")
    f.cmd("set multiplot layout 1,3")
    common.heatmap(f, pattern, "pulse counts (+ potentiate, - depress)", "pulses")
    for order, title in (("rows", "row by row"), ("cols", "column by column")):
        dg = [[(v - G0) * 1e6 for v in r] for r in arr[order]["g"]]
        common.heatmap(f, dg, f"G - G_0 after programming {title}", "dG (uS)", cbrange="[-3:3]")
    f.cmd("unset multiplot")
    f.render()
    out["array"] = "figures/arrays_h1e1t_array.png"

    path = os.path.join(fig_dir, "arrays_h1e1t_trace.png")
    f = Figure(path, size="1000,520")
    f.cmd("set multiplot layout 1,2")
    for order, title in (("rows", "row by row"), ("cols", "column by column")):
        trace = arr[order]["trace"]
        parts = []
        for k, (i, j) in enumerate(TRACED):
            d = f.data([(r[0], (r[k + 1] - G0) * 1e6) for r in trace])
            parts.append(f"{d} using 1:2 with lines lw 1.6 lc rgb '{COLOURS[k % len(COLOURS)]}' "
                         f"title {q(f'({i},{j}): {pattern[i][j]:+d}')}")
        f.cmd(f"set title {q('programming ' + title)}")
        f.cmd("set xlabel 'time (s)'")
        f.cmd("set ylabel 'G - G_0 (uS)'")
        f.cmd("set key below maxcols 4")
        f.cmd("plot " + ", ".join(parts))
    f.cmd("unset multiplot")
    f.render()
    out["trace"] = "figures/arrays_h1e1t_trace.png"
    return out


def check_array(arr, pattern, steps):
    """Per order: the step per pulse of the potentiated and of the depressed cells (each cell's
    change over its count: the mean and the relative spread across cells), and the largest move
    of a cell with count 0 in potentiation steps."""
    out = {}
    for order in ("rows", "cols"):
        g = arr[order]["g"]
        up, down, still = [], [], 0.0
        for i, r in enumerate(pattern):
            for j, a in enumerate(r):
                moved = g[i][j] - G0
                if a == 0:
                    still = max(still, abs(moved) / steps["potentiation"])
                else:
                    (up if a > 0 else down).append(moved / abs(a))
        spread = lambda v: (max(v) - min(v)) / abs(statistics.mean(v))  # noqa: E731
        out[order] = {"up": statistics.mean(up), "up_spread": spread(up), "down": statistics.mean(down),
                      "down_spread": spread(down), "still": still}
    return out


def run_study(root=None):
    pattern = read_pattern(root)
    run = Runner()
    stage_table, stage_trace = stages(run)
    arr = array(run, pattern)
    steps = {"potentiation": stage_table[0][3], "depression": abs(stage_table[2][3])}
    return {"stages": stage_table, "trace": stage_trace, "array": arr, "pattern": pattern,
            "check": check_array(arr, pattern, steps), "runs": run.n, "wall": run.wall}


def markdown(res, paths):
    stage_rows = [[name, cell, how, f"{v * 1e9:+.3g} nS"] for name, cell, how, v in res["stages"]]
    n = len(res["pattern"])
    diff = max(abs(res["array"]["rows"]["g"][i][j] - res["array"]["cols"]["g"][i][j]) for i in range(n) for j in range(n))
    checks = [[order, f"{c['up'] * 1e9:+.1f} nS ({c['up_spread'] * 100:.1f} %)",
               f"{c['down'] * 1e9:+.1f} nS ({c['down_spread'] * 100:.1f} %)", f"{c['still']:.1e}"]
              for order, c in res["check"].items()]
    return f"""## H-1E1T programming: stages and a 4x4 array

docs/circuits.md §2, by `ionspice.studies.h1e1t_programming`. Each run is one netlist from
`ionspice.arrays.h1e1t(R, C, g=G, program=COUNTS, order="rows"|"cols")` (what
`ionspice gen h1e1t --rows R --cols C --g csv:G.csv --program map:COUNTS.csv --order rows|cols` writes):
V_EG = V_P = 10 V, V_ED = V_D = 6 V, 5 ms pulses every 10 ms, selectors (level-1 NMOS, W/L = 10)
at V_SS = 9 V when on, ECRAM of the WOx/LiPON set with kch = 1; every cell starts at 10 uS (assumed).
The map gives each cell a signed pulse count; a row (column) is programmed in a potentiation
phase and then a depression phase, and a cell whose count is done is switched to "remain" by its
selector (row order) or to "idle" by its row lines (column order).

**The four stages** (2x2 array: (0,0) gets 20 potentiation then 60 depression pulses), G per pulse:

{common.md_table(["stage", "cell", "bias", "dG per pulse"], stage_rows)}

Potentiation and depression have the signs of docs/circuits.md §2, remain and idle hold. Depression
is about a tenth of potentiation because the selector passes about 5.9 V of V_D = 6 V, short of
the model's calibration voltage vd = 7 V (the step falls as e^(dV/vs), vs = 0.5 V).

![stages]({paths['stages']})

**A 4x4 array**, the pattern of pulse counts below (`netlists/arrays/h1e1t_pattern.csv`; the
example netlist `h1e1t_4x4_pattern.cir` is its row-order run) programmed row by row and, from the same start,
column by column. Each programmed cell's change divided by its count (mean over the cells, and
in brackets the spread, max - min over the mean), and the largest move of a cell with count 0, in
potentiation steps:

{common.md_table(["order", "potentiated cells: dG per pulse", "depressed cells: dG per pulse", "largest move of a cell with count 0"], checks)}

The two orders end within {diff * 1e9:.2g} nS of each other. The depression step here (cells near
10 uS) is smaller than in the stage run above (a cell near 24 uS): the soft bound F_d(s) slows
depression towards the bottom of the window.

![array]({paths['array']})

![trace]({paths['trace']})

{res['runs']} runs, {res['wall']:.1f} s in `ionspice.run`.
"""


def study(docs_dir, root=None):
    res = run_study(root)
    return markdown(res, figures(res["trace"], res["array"], res["pattern"], docs_dir))


def report(res):
    for name, cell, how, v in res["stages"]:
        print(f"{name:24s} {cell:14s} {v * 1e9:+10.4g} nS per pulse   ({how})")
    for order, c in res["check"].items():
        print(f"order {order}: up {c['up'] * 1e9:.2f} nS/pulse (spread {c['up_spread'] * 100:.2f} %), down "
              f"{c['down'] * 1e9:.2f} nS/pulse (spread {c['down_spread'] * 100:.2f} %), largest unselected move "
              f"{c['still']:.2e} steps")
    print(f"{res['runs']} runs, {res['wall']:.2f} s in ionspice")


def main():
    common.study_main(__doc__, study, run_study, report)


if __name__ == "__main__":
    main()
