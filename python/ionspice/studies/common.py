"""What the studies share: where the source tree is, timed runs, the plots of a programming run,
values at the samples of ``samples=``, SPICE numbers and number formatting, markdown tables and
gnuplot figures (figures need gnuplot: apt-get install gnuplot-nox).

Circuits run in-process through ``ionspice.run``; nothing here starts ionspice or reads its
output files.
"""

from __future__ import annotations

import argparse
import bisect
import math
import os
import re
import subprocess
import sys
import time
from typing import Any, Callable, Sequence

from .. import Circuit, Plot
from .. import run as _run

_SCALE = {"f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "meg": 1e6, "g": 1e9, "t": 1e12}


# --- the source tree ------------------------------------------------------------------------

def source_dir(root: str | os.PathLike[str] | None = None) -> str:
    """The source tree the studies read netlists from and write docs to: ``root`` if given, else
    the environment's IONSPICE_SOURCE_DIR, else the current directory. (The package runs from
    build/python, so its own location says nothing about the source tree.) Raises
    FileNotFoundError when the directory has no netlists/ and docs/."""
    path = os.path.abspath(os.fspath(root or os.environ.get("IONSPICE_SOURCE_DIR") or os.getcwd()))
    if not (os.path.isdir(os.path.join(path, "netlists")) and os.path.isdir(os.path.join(path, "docs"))):
        raise FileNotFoundError(f"{path} is not the ionspice source tree (no netlists/ and docs/): "
                                "give --root or set IONSPICE_SOURCE_DIR")
    return path


def log(msg: str) -> None:
    """Progress and timings, to stderr."""
    print(msg, file=sys.stderr, flush=True)


# --- running ----------------------------------------------------------------------------------

def timed_run(netlist: Circuit | str | os.PathLike[str]) -> tuple[Plot, float]:
    """Runs a netlist of one analysis; returns its plot and the seconds ``ionspice.run`` took."""
    start = time.perf_counter()
    results = _run(netlist)
    seconds = time.perf_counter() - start
    if len(results) != 1:
        raise RuntimeError(f"expected one plot, got {len(results)}: {results!r}")
    return results[0], seconds


def with_saves(circuit: Circuit, vectors: Sequence[str]) -> Circuit:
    """Adds a ``.save`` of VECTORS, so that a large array keeps only what is needed (without any
    .save every node voltage and source current is kept)."""
    return circuit.line(".save " + " ".join(vectors))


def operating_point(plot: Plot) -> dict[str, float]:
    """The one point of an ``.op`` plot, name -> value."""
    return {name: float(v[0]) for name, v in plot.items()}


def rows(plot: Plot) -> list[dict[str, float]]:
    """The plot's points in order, each as name -> value (for grouping the points of nested
    sweeps by their swept parameters)."""
    names = plot.keys()
    columns = [plot[n].tolist() for n in names]
    return [dict(zip(names, point)) for point in zip(*columns)]


def program_map(generator: Callable[..., Circuit], g: Sequence[Sequence[float]],
                amounts: Sequence[Sequence[float]], **options: Any) -> tuple[Plot, float]:
    """One programming run of a map (``program=`` a rows x cols array): the cells start at
    conductances g, each gets its signed amount of pulses; ``generator`` is one of
    ``ionspice.arrays``' and ``options`` the rest of its options. Returns the transient's plot
    (time and every g()) and the seconds spent in ionspice."""
    circuit = generator(len(g), len(g[0]), g=g, program=amounts, print=True, **options)
    return timed_run(circuit)


def final_conductances(plot: Plot, n_rows: int, n_cols: int) -> list[list[float]]:
    """g(nx<i>_<j>) of every cell at a run's last point, as a matrix."""
    return [[float(plot[f"g(nx{i}_{j})"][-1]) for j in range(n_cols)] for i in range(n_rows)]


def at_sample_midpoints(plot: Plot, keys: Sequence[str], n: int, t_sample: float) -> list[list[float]]:
    """Values of KEYS at (k + 1/2)*t_sample, k = 0..n-1 (the samples of ``samples=``), by linear
    interpolation between a transient's accepted time points. Returns a list of n lists."""
    times = plot["time"].tolist()
    columns = [plot[key].tolist() for key in keys]
    out = []
    for k in range(n):
        t = (k + 0.5) * t_sample
        i = bisect.bisect_left(times, t)
        if i < len(times) and times[i] == t:
            out.append([c[i] for c in columns])
            continue
        if i == 0 or i >= len(times):
            raise ValueError(f"sample {k}: t = {t:g} s outside the transient ({times[0]:g} .. {times[-1]:g} s)")
        u = (t - times[i - 1]) / (times[i] - times[i - 1])
        out.append([c[i - 1] + u * (c[i] - c[i - 1]) for c in columns])
    return out


# --- numbers ----------------------------------------------------------------------------------

def spice_number(text: str) -> float:
    """A SPICE number with an engineering suffix: 700k, 1meg, 0.5u."""
    m = re.fullmatch(r"([-+]?[0-9.]+(?:e[-+]?[0-9]+)?)(meg|[fpnumkgt])?\w*", text.strip().lower())
    if not m:
        raise ValueError(f"not a number: {text}")
    return float(m.group(1)) * _SCALE.get(m.group(2), 1.0)


def line_fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float, float]:
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


def sig(x: float, digits: int = 3) -> str:
    """x with DIGITS significant digits, plain notation where reasonable (0.0093, 12, 3.1e-08)."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    e = math.floor(math.log10(abs(x)))
    if e < -4 or e >= 6:
        return f"{x:.{digits - 1}e}"
    return f"{x:.{max(digits - 1 - e, 0)}f}"


def pct(x: float, digits: int = 2) -> str:
    """A fraction as a percentage with DIGITS significant digits, no % sign."""
    return sig(100 * x, digits)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A markdown table; cells are written as given (format numbers before)."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# --- command lines ----------------------------------------------------------------------------

def study_main(doc: str, study: Callable[..., str], run_study: Callable[..., Any],
               report: Callable[[Any], None]) -> None:
    """The command line of a study module: ``--root`` (the source tree), and ``--docs DIR`` to
    write the figures and print the markdown section (``study(docs_dir, root)``); without it the
    results of ``run_study(root)`` are printed by ``report(results)``."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=None, help="the source tree (default: $IONSPICE_SOURCE_DIR or .)")
    ap.add_argument("--docs", default=None, help="write the figures here (default: only print the tables)")
    a = ap.parse_args()
    try:
        root = source_dir(a.root)
    except FileNotFoundError as e:
        sys.exit(str(e))
    if a.docs:
        print(study(a.docs, root))
    else:
        report(run_study(root))


# --- figures --------------------------------------------------------------------------------

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]


def q(text: str) -> str:
    """A gnuplot single-quoted string (enhanced text: W_h is W with subscript h)."""
    return "'" + text.replace("'", "''") + "'"


class Figure:
    """One gnuplot PNG: data blocks written inline, then whatever commands the caller adds
    (``plot``, ``multiplot`` panels, ...)."""

    def __init__(self, path: str, size: str = "800,560") -> None:
        self.path = path
        self.lines = [f"set terminal pngcairo size {size} font 'DejaVu Sans,10' linewidth 1.3",
                      f"set output '{path}'", "set grid lc rgb '#dddddd'", "set key top left"]
        self.blocks = 0

    def data(self, rows: Sequence[Sequence[float]]) -> str:
        """An inline data block of rows of numbers; returns its name for ``plot``. A row that is
        empty becomes a blank line (gnuplot's separator between scans, e.g. for heat maps)."""
        name = f"$d{self.blocks}"
        self.blocks += 1
        self.lines.append(f"{name} << EOD")
        self.lines += [" ".join(f"{v:.9g}" for v in row) for row in rows]
        self.lines.append("EOD")
        return name

    def cmd(self, text: str) -> None:
        self.lines.append(text)

    def render(self) -> None:
        script = "\n".join(self.lines) + "\nunset output\n"
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def heatmap(fig: Figure, matrix: Sequence[Sequence[float]], title: str, cblabel: str, cbrange: str = "[*:*]") -> None:
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
    # gnuplot 5.4 has no named palettes; a fixed formula palette works everywhere.
    fig.cmd("set palette rgb 33,13,10")
    fig.cmd(f"plot {d} using 1:2:3 with image notitle")
    fig.cmd("set yrange [*:*] noreverse")
    fig.cmd("set size noratio")


def histogram(fig: Figure, values: Sequence[float], bins: int, title: str, xlabel: str,
              colour: str = COLOURS[0], label: str | None = None) -> None:
    """Counts of ``values`` in ``bins`` equal bins spanning their range, as boxes."""
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
