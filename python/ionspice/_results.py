"""Results of a run: a list of plots, each a set of named numpy vectors over a common scale."""

from __future__ import annotations

from typing import Any, Iterator, NamedTuple

import numpy as np

from . import _core

Plot = _core.Plot


class Measure(NamedTuple):
    """One ``.meas`` result: the plot it was measured on, its name, its value (``None`` when the
    measurement failed) and why it failed."""

    plot: int
    name: str
    value: float | None
    failure: str


class Statistics(NamedTuple):
    """One ``.meas`` over the runs of a ``.step mc`` series, for one combination of the other
    stepped variables (``group``, empty without them): how many runs gave a value and how many
    did not, their mean, sample standard deviation (n - 1), min, max and the 5/25/50/75/95 %
    quantiles (linear between order statistics, numpy's default)."""

    group: dict[str, float]
    name: str
    values: int
    missing: int
    mean: float
    sigma: float
    min: float
    max: float
    quantiles: list[float]


def _scale(self: Plot) -> np.ndarray | None:
    """The scale (vector 0: ``time``, ``frequency``, the swept source), or ``None`` for a plot of
    one point without one (``.op``, ``.tf``, the integrated noise)."""
    if self.scalar or len(self) == 0:
        return None
    return self[self.names[0]]


def _keys(self: Plot) -> list[str]:
    """The vectors' names, the scale first."""
    return list(self.names)


def _iter(self: Plot) -> Iterator[str]:
    return iter(self.names)


def _items(self: Plot) -> Iterator[tuple[str, np.ndarray]]:
    return ((n, self[n]) for n in self.names)


def _to_dict(self: Plot) -> dict[str, np.ndarray]:
    """Every vector by name (read-only views of the plot's data; ``np.array(v)`` copies one)."""
    return {n: self[n] for n in self.names}


def _to_pandas(self: Plot) -> Any:
    """A ``pandas.DataFrame`` of the vectors, indexed by the scale when the plot has one.
    pandas is optional: this raises ImportError when it is not installed."""
    import pandas as pd  # optional dependency

    data = {n: np.array(v) for n, v in self.items()}
    frame = pd.DataFrame(data)
    if not self.scalar and self.names:
        frame = frame.set_index(self.names[0])
    return frame


def _repr(self: Plot) -> str:
    step = f", step={self.step}" if self.step else ""
    return (f"<ionspice.Plot {self.name!r} ({self.analysis or 'unknown analysis'}, {self.kind}): "
            f"{len(self)} vectors x {self.points} points{step}>")


Plot.scale = property(_scale)
Plot.keys = _keys
Plot.__iter__ = _iter
Plot.items = _items
Plot.to_dict = _to_dict
Plot.to_pandas = _to_pandas
Plot.__repr__ = _repr


class Results(list):
    """The plots of a run, in the order the analyses ran (with ``.step``: every analysis of step
    0, then of step 1, ...), with what the run reported beside them."""

    def __init__(self, out: Any) -> None:
        super().__init__(out.plots)
        #: Number of ``.step`` points (0 without ``.step``).
        self.steps: int = out.steps
        #: One line per analysis: points, iterations, how the operating point was found.
        self.log: list[str] = list(out.log)
        #: ``.meas`` results, in plot order.
        self.measures: list[Measure] = [Measure(*m) for m in out.measures]
        #: Text an analysis printed for a plot (``.four``'s harmonics), by plot index.
        self.reports: dict[int, str] = {p: t for p, t in out.reports}
        #: ``.step mc N``: N (0 without).
        self.monte_carlo_runs: int = out.monte_carlo_runs
        #: With ``.step mc``: each measurement's statistics over the runs.
        self.statistics: list[Statistics] = [Statistics(*s) for s in out.statistics]

    def plot(self, analysis: str, step: int = 0) -> Plot:
        """The ``step``-th plot made by ``analysis`` ("op", "dc", "tran", "ac", "noise", "tf", "pz")."""
        found = [p for p in self if p.analysis == analysis]
        if step >= len(found):
            raise KeyError(f"no plot {step} of analysis {analysis!r} (have {len(found)})")
        return found[step]

    def measure(self, name: str) -> float | None:
        """The value of ``.meas`` ``name`` (of the first plot it was measured on)."""
        for m in self.measures:
            if m.name == name.lower():
                return m.value
        raise KeyError(name)

    def __repr__(self) -> str:
        return f"<ionspice.Results: {len(self)} plots: {[p.name for p in self]}>"
