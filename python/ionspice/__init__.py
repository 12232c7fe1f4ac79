"""ionspice from Python: run netlists in-process and get numpy arrays back.

    import ionspice
    r = ionspice.run("netlists/examples/divider.cir")
    r[0]["v(out)"]            # numpy array (complex for .ac plots)

``run`` reads a netlist file (or netlist text), runs every analysis in it and returns the plots;
``Simulator`` keeps a circuit bound between runs for loops that change a state or a parameter
and run again; ``Circuit`` writes netlists from Python; ``read_raw``/``read_csv`` load results
files. See docs/python.md for the whole API.
"""

from __future__ import annotations

import os
import warnings as _warnings
from typing import Any, Mapping

from . import _core
from ._errors import ConvergenceError, Error, NetlistError
from ._results import Measure, Plot, Results, Statistics
from .circuit import Circuit
from . import arrays, fit

__all__ = ["run", "read_raw", "read_csv", "Simulator", "Circuit", "Results", "Plot", "Measure", "Statistics",
           "Error", "NetlistError", "ConvergenceError", "IonspiceWarning", "arrays", "fit"]




class IonspiceWarning(UserWarning):
    """What the simulator accepted but did not act on, or would have printed as a warning."""


def _source(netlist: Any) -> tuple[str, bool]:
    """(text or path, is_text). A str with a line break, or a Circuit, is netlist text; any
    other str or path-like is a file name."""
    if isinstance(netlist, Circuit):
        return str(netlist), True
    if isinstance(netlist, os.PathLike):
        return os.fspath(netlist), False
    if isinstance(netlist, str):
        return netlist, "\n" in netlist
    raise TypeError(f"netlist must be a path, netlist text or a Circuit, not {type(netlist).__name__}")


def _format_value(v: Any) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, float)):
        return repr(v) if isinstance(v, int) else repr(float(v))
    return str(v)


def _options_text(options: Mapping[str, Any] | None) -> str:
    """The options as an ``.options`` card's text: ``name=value``, or a bare name for True."""
    if not options:
        return ""
    parts = []
    for k, v in options.items():
        parts.append(str(k) if v is True else f"{k}={_format_value(v)}")
    return " ".join(parts)


def _params(params: Mapping[str, float] | None) -> dict[str, float]:
    return {str(k): float(v) for k, v in (params or {}).items()}


def _warn(text: str) -> None:
    for line in text.splitlines():
        if "warning:" in line:
            _warnings.warn(line.split("warning:", 1)[1].strip(), IonspiceWarning, stacklevel=3)


def run(netlist: str | os.PathLike[str] | Circuit, *, params: Mapping[str, float] | None = None,
        options: Mapping[str, Any] | None = None, jobs: int | None = None) -> Results:
    """Runs every analysis of ``netlist`` and returns its plots.

    ``netlist``: a file name (str or path), netlist text (a str with a line break) or a
    ``Circuit``. ``params`` replace top-level ``.param`` values (as ``.step`` would set them);
    ``options`` apply after the netlist's own ``.options`` (``{"reltol": 1e-4, "method":
    "gear"}``); ``jobs`` is the number of threads for ``.step`` points (default: one per core;
    the results do not depend on it). The solve runs without the GIL, so threads may run
    simulations side by side. Raises NetlistError (located) or ConvergenceError.
    """
    text, is_text = _source(netlist)
    out = _core.run(text, is_text, _params(params), _options_text(options), int(jobs or 0))
    _warn(out.warnings)
    return Results(out)


def read_raw(path: str | os.PathLike[str]) -> Results:
    """The plots of a raw file (ASCII or binary, real or complex, any number of plots): ngspice's
    batch ``-r`` files and its ``write`` command's, LTspice's (UTF-16 or UTF-8 header, float data,
    fastaccess, stepped runs split per run) and Xyce's, as ``run`` returns them. Raises Error for
    a file that is not one."""
    return Results(_Loaded(_core.read_raw(os.fspath(path))))


def read_csv(path: str | os.PathLike[str]) -> Results:
    """The plot of a CSV file as ionspice writes it (a header of vector names, a row per point;
    a raw file is read as ``read_raw`` does). Raises Error, naming the line, when it cannot."""
    return Results(_Loaded(_core.read_table(os.fspath(path))))


class _Loaded:
    """A file's plots in the shape Results is built from."""

    def __init__(self, plots: list[Plot]) -> None:
        self.plots = plots
        self.steps = 0
        self.log: list[str] = []
        self.measures: list[Any] = []
        self.reports: list[Any] = []
        self.monte_carlo_runs = 0
        self.statistics: list[Any] = []


class Simulator:
    """A netlist kept bound between runs: for loops that change a memory device's state or a
    parameter and run again, thousands of times (in-situ training).

    The netlist is read once. ``set_state`` changes one device and rebuilds nothing;
    ``set_param`` re-elaborates the netlist already read and rebinds it. The solver stays, so
    the matrix pattern and its ordering are reused, and each operating point starts from the
    previous run's solution. A netlist with ``.step`` lines is refused (``run`` it instead).
    """

    def __init__(self, netlist: str | os.PathLike[str] | Circuit, *,
                 params: Mapping[str, float] | None = None, options: Mapping[str, Any] | None = None) -> None:
        text, is_text = _source(netlist)
        self._session = _core.Session(text, is_text, _params(params), _options_text(options))

    def set_param(self, name: str, value: float) -> None:
        """Sets top-level ``.param`` ``name`` (adding it when absent) and rebinds the netlist.
        States set with ``set_state`` are kept."""
        self._session.set_param(name, float(value))

    def set_state(self, device: str, state: float) -> None:
        """Holds memory device ``device`` (its flat name: ``"n1"``, ``"n.x1.n1"``) at normalised
        state ``state`` in [0, 1]: what the next operating point holds and a transient starts
        from."""
        self._session.set_state(device, float(state))

    def set_states(self, states: Mapping[str, float]) -> None:
        """``set_state`` for every (device, state) of ``states``."""
        self._session.set_states({str(k): float(v) for k, v in states.items()})

    def state(self, device: str) -> float:
        """The state ``device`` is held at."""
        return self._session.state(device)

    def hold_states(self) -> int:
        """Every memory device holds the state the last run ended with (after ``tran``: where its
        pulses left it). Returns how many changed."""
        return self._session.hold_states()

    def run(self, card: str | None = None) -> Results:
        """Runs the netlist's own analyses, or the one analysis ``card`` (".op", ".tran 1n 1u",
        numbers only)."""
        out = self._session.run(card or "")
        _warn(out.warnings)
        return Results(out)

    def _one(self, card: str) -> Plot:
        return self.run(card)[0]

    def op(self) -> Plot:
        """The operating point."""
        return self._one(".op")

    def dc(self, source: str, start: float, stop: float, step: float) -> Plot:
        """A DC sweep of ``source`` (an independent source, or a ``.param`` name)."""
        return self._one(f".dc {source} {start!r} {stop!r} {step!r}")

    def tran(self, tstep: float, tstop: float, tstart: float = 0.0, tmax: float | None = None,
             uic: bool = False, hold: bool = False) -> Plot:
        """A transient from 0 to ``tstop``. ``hold``: afterwards every memory device holds the
        state the transient left it in (a programming pulse's effect kept for the next run)."""
        card = f".tran {float(tstep)!r} {float(tstop)!r}"
        if tstart or tmax is not None:
            card += f" {float(tstart)!r}"
        if tmax is not None:
            card += f" {float(tmax)!r}"
        if uic:
            card += " uic"
        plot = self._one(card)
        if hold:
            self.hold_states()
        return plot

    def ac(self, variation: str, points: int, fstart: float, fstop: float) -> Plot:
        """A small-signal sweep: ``variation`` "dec", "oct" or "lin"."""
        return self._one(f".ac {variation} {int(points)} {float(fstart)!r} {float(fstop)!r}")
