"""What the study scripts share (tools/mtt_figures.py, netlists/arrays/*.py, tools/array_figures.py):
running ionspice and `ionspice gen`, reading their CSV output, SPICE numbers, gnuplot figures and
markdown tables. Standard library only; figures need gnuplot (apt-get install gnuplot-nox).

Import from a script elsewhere in the tree with

    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import studylib
"""

import argparse
import bisect
import csv
import math
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_IONSPICE = os.path.join(ROOT, "build", "ionspice")

_SCALE = {"f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "meg": 1e6, "g": 1e9, "t": 1e12}


def spice_number(text):
    """A SPICE number with an engineering suffix: 700k, 1meg, 0.5u."""
    m = re.fullmatch(r"([-+]?[0-9.]+(?:e[-+]?[0-9]+)?)(meg|[fpnumkgt])?\w*", text.strip().lower())
    if not m:
        raise ValueError(f"not a number: {text}")
    return float(m.group(1)) * _SCALE.get(m.group(2), 1.0)


def read_csv(path):
    """Rows of an `ionspice --csv` file as dicts of floats (keys as in the header, lower case)."""
    with open(path) as f:
        return [{k.strip().lower(): float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def run(ionspice, netlist, csv_out, extra=()):
    """Runs one netlist quietly with CSV output; returns its rows. A failure stops the script
    with ionspice's own message."""
    cmd = [ionspice, "-q", "--csv", csv_out, *extra, netlist]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed (exit {res.returncode}):\n{res.stderr}")
    return read_csv(csv_out)


def gen(ionspice, args, out_path):
    """`ionspice gen ARGS -o OUT_PATH`; returns OUT_PATH."""
    cmd = [ionspice, "gen", *[str(a) for a in args], "-o", out_path]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed (exit {res.returncode}):\n{res.stderr}")
    return out_path


def program_map(ionspice, workdir, tag, g, amounts, gen_args):
    """One programming run of `ionspice gen … --program map:` (netlists/arrays/): the cells start
    at conductances g, each gets its signed amount of pulses; gen_args give the array and the
    rest. Files are TAG_g.csv, TAG_map.csv, TAG.cir and TAG.csv in workdir. Returns the CSV rows
    and the seconds spent in ionspice."""
    g_csv = write_matrix(os.path.join(workdir, f"{tag}_g.csv"), g)
    m_csv = write_matrix(os.path.join(workdir, f"{tag}_map.csv"), amounts)
    net = gen(ionspice, [*gen_args, "--g", f"csv:{g_csv}", "--program", f"map:{m_csv}", "--print"],
              os.path.join(workdir, f"{tag}.cir"))
    start = time.perf_counter()
    rows = run(ionspice, net, os.path.join(workdir, f"{tag}.csv"))
    return rows, time.perf_counter() - start


def final_conductances(rows, n_rows, n_cols):
    """g(nx<i>_<j>) of every cell at a run's last point, as a matrix."""
    return [[rows[-1][f"g(nx{i}_{j})"] for j in range(n_cols)] for i in range(n_rows)]


def write_matrix(path, rows):
    """A rows x cols matrix as CSV (the form `ionspice gen --g csv:FILE` reads)."""
    with open(path, "w") as f:
        for r in rows:
            f.write(", ".join(repr(float(v)) for v in r) + "\n")
    return path


def add_saves(netlist, vectors):
    """Adds `.save` of VECTORS before `.end` of a generated netlist, so that a large array writes
    only what is needed (without any .save every node voltage and source current is written)."""
    with open(netlist) as f:
        text = f.read()
    cut = text.lower().rfind("\n.end")
    save = "\n.save " + " ".join(vectors)
    text = text[:cut] + save + text[cut:] if cut >= 0 else text + save + "\n.end\n"
    with open(netlist, "w") as f:
        f.write(text)
    return netlist


def at_sample_midpoints(rows, keys, n, t_sample):
    """Values of KEYS at (k + 1/2)*t_sample, k = 0..n-1 (the samples of `gen --input-samples`), by
    linear interpolation in the time column of a transient's CSV rows (accepted time points).
    Returns a list of n lists."""
    times = [r["time"] for r in rows]
    out = []
    for k in range(n):
        t = (k + 0.5) * t_sample
        i = bisect.bisect_left(times, t)
        if i < len(times) and times[i] == t:
            out.append([rows[i][key] for key in keys])
            continue
        if i == 0 or i >= len(times):
            sys.exit(f"sample {k}: t = {t:g} s outside the transient ({times[0]:g} .. {times[-1]:g} s)")
        a, b = rows[i - 1], rows[i]
        u = (t - a["time"]) / (b["time"] - a["time"])
        out.append([a[key] + u * (b[key] - a[key]) for key in keys])
    return out


def line_fit(xs, ys):
    """Least-squares y = a*x + b; returns a, b, R^2 and the largest |residual|."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    a = sxy / sxx
    b = my - a * mx
    res = [y - (a * x + b) for x, y in zip(xs, ys)]
    syy = sum((y - my) ** 2 for y in ys)
    return a, b, 1 - sum(r * r for r in res) / syy, max(abs(r) for r in res)


def sig(x, digits=3):
    """x with DIGITS significant digits, plain notation where reasonable (0.0093, 12, 3.1e-08)."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    e = math.floor(math.log10(abs(x)))
    if e < -4 or e >= 6:
        return f"{x:.{digits - 1}e}"
    return f"{x:.{max(digits - 1 - e, 0)}f}"


def pct(x, digits=2):
    """A fraction as a percentage with DIGITS significant digits, no % sign."""
    return sig(100 * x, digits)


def study_main(doc, study, run_study, report):
    """The command line of a study script: `--ionspice`, and `--docs DIR` to write the figures
    and print the markdown section (`study(ionspice, docs_dir, workdir)`); without it the
    results of `run_study(ionspice, workdir)` are printed by `report(results)`."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ionspice", default=DEFAULT_IONSPICE)
    ap.add_argument("--docs", default=None, help="write the figures here (default: only print the tables)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as work:
        if a.docs:
            print(study(a.ionspice, a.docs, work))
        else:
            report(run_study(a.ionspice, work))


def md_table(headers, rows):
    """A markdown table; cells are written as given (format numbers before)."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# --- figures --------------------------------------------------------------------------------

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]


def q(text):
    """A gnuplot single-quoted string (enhanced text: W_h is W with subscript h)."""
    return "'" + text.replace("'", "''") + "'"


class Figure:
    """One gnuplot PNG: data blocks written inline, then whatever commands the caller adds
    (`plot`, `multiplot` panels, …)."""

    def __init__(self, path, size="800,560"):
        self.path = path
        self.lines = [f"set terminal pngcairo size {size} font 'DejaVu Sans,10' linewidth 1.3",
                      f"set output '{path}'", "set grid lc rgb '#dddddd'", "set key top left"]
        self.blocks = 0

    def data(self, rows):
        """An inline data block of rows of numbers; returns its name for `plot`. A row that is
        empty becomes a blank line (gnuplot's separator between scans, e.g. for heat maps)."""
        name = f"$d{self.blocks}"
        self.blocks += 1
        self.lines.append(f"{name} << EOD")
        self.lines += [" ".join(f"{v:.9g}" for v in row) for row in rows]
        self.lines.append("EOD")
        return name

    def cmd(self, text):
        self.lines.append(text)

    def render(self):
        script = "\n".join(self.lines) + "\nunset output\n"
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def heatmap(fig, matrix, title, cblabel, cbrange="[*:*]"):
    """A rows x cols matrix as a map, row 0 at the top, one square per cell."""
    rows = []
    for i, r in enumerate(matrix):
        for j, v in enumerate(r):
            rows.append((j, i, v))
        rows.append(())
    d = fig.data(rows)
    fig.cmd(f"set title {q(title)}")
    fig.cmd("set xlabel 'column j'")
    fig.cmd("set ylabel 'row i'")
    fig.cmd("set autoscale xfix")
    fig.cmd("set autoscale yfix")
    fig.cmd("set yrange [*:*] reverse")
    fig.cmd("set xrange [*:*]")
    fig.cmd("set size ratio -1")
    fig.cmd(f"set cbrange {cbrange}")
    fig.cmd(f"set cblabel {q(cblabel)}")
    fig.cmd("set palette viridis" if _has_viridis() else "set palette rgb 33,13,10")
    fig.cmd(f"plot {d} using 1:2:3 with image notitle")
    fig.cmd("set yrange [*:*] noreverse")
    fig.cmd("set size noratio")


def _has_viridis():
    # gnuplot 5.4 has no named palettes; a fixed formula palette works everywhere.
    return False


def histogram(fig, values, bins, title, xlabel, colour=COLOURS[0], label=None):
    """Counts of `values` in `bins` equal bins spanning their range, as boxes."""
    lo, hi = min(values), max(values)
    if hi == lo:
        hi = lo + 1
    width = (hi - lo) / bins
    counts = [0] * bins
    for v in values:
        counts[min(int((v - lo) / width), bins - 1)] += 1
    d = fig.data([(lo + (k + 0.5) * width, c) for k, c in enumerate(counts)])
    fig.cmd(f"set title {q(title)}")
    fig.cmd(f"set xlabel {q(xlabel)}")
    fig.cmd("set ylabel 'count'")
    fig.cmd("set style fill solid 0.6 border -1")
    fig.cmd(f"set boxwidth {width:.9g}")
    fig.cmd(f"plot {d} using 1:2 with boxes lc rgb '{colour}' " + (f"title {q(label)}" if label else "notitle"))
