"""Array netlists: the generators of ``ionspice gen``, called from Python.

Each function takes the array's size and the command line's options as keyword arguments
(``--rwire`` is ``rwire=``, ``--fet-model`` is ``fet_model=``) and returns a ``Circuit``; the
text is what ``ionspice gen`` writes for the same options, because both call the same C++
code (tools/GenCommand.cpp, tools/GenArray.cpp). Options that name a CSV file on the command
line take arrays here instead::

    import numpy as np, ionspice
    g = np.random.default_rng(1).uniform(5e-6, 45e-6, (64, 64))
    c = ionspice.arrays.crossbar(64, 64, cell="ecram", g=g, rwire=1.0, print=True)
    r = ionspice.run(c)

``g``: a number (uniform), a ``"random:GMIN:GMAX"`` / ``"uniform:G"`` string, or a rows x cols
array (S). ``program``: ``"potentiate"``, ``"depress"`` or a rows x cols array of signed amounts in
pulses (a programming map). ``inputs``: one voltage per row. ``samples``: an array of input
vectors, one per sample. ``select``: ``(row, col)``. ``analyses``: one card or a list of cards.
``print``/``pwm``: booleans. Every other option is passed as ``--name value``. Mistakes raise
``ValueError`` with the message ``ionspice gen`` prints.
"""

from __future__ import annotations

from typing import Any, Sequence

from . import _core
from .circuit import Circuit

__all__ = ["crossbar", "one_t_one_r", "h1e1t", "mtt_array", "generate"]


def _matrix(value: Any, rows: int, cols: int, what: str) -> list[float]:
    import numpy as np

    a = np.asarray(value, dtype=float)
    if a.shape != (rows, cols):
        raise ValueError(f"{what}: shape {a.shape}, expected ({rows}, {cols})")
    return a.ravel().tolist()


def _format(v: Any) -> str:
    if isinstance(v, float):
        return repr(v)
    return str(v)


def generate(kind: str, rows: int, cols: int, **options: Any) -> Circuit:
    """The netlist of ``ionspice gen KIND --rows ROWS --cols COLS ...`` as a Circuit; ``kind`` is
    crossbar, 1t1r, h1e1t or mtt-array."""
    import numpy as np

    args = [kind, "--rows", str(int(rows)), "--cols", str(int(cols))]
    tables: dict[str, Any] = {}
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if key == "g" and not isinstance(value, (str, int, float)):
            tables["g"] = _matrix(value, rows, cols, "g")
        elif key == "g" and not isinstance(value, str):
            args += [flag, f"uniform:{float(value)!r}"]
        elif key == "program" and not isinstance(value, str):
            tables["program"] = _matrix(value, rows, cols, "program")
        elif key == "inputs":
            tables["inputs"] = np.asarray(value, dtype=float).ravel().tolist()
        elif key == "samples":
            s = np.asarray(value, dtype=float)
            if s.ndim != 2:
                raise ValueError(f"samples: a 2-D array (samples x rows), got shape {s.shape}")
            tables["samples"] = s.tolist()
        elif key == "select":
            row, col = value
            args += [flag, f"{int(row)},{int(col)}"]
        elif key == "analyses" or key == "analysis":
            for card in [value] if isinstance(value, str) else value:
                args += ["--analysis", str(card)]
        elif key == "options" and isinstance(value, dict):
            args += [flag, " ".join(k if v is True else f"{k}={_format(v)}" for k, v in value.items())]
        elif value is True:
            args.append(flag)
        else:
            args += [flag, _format(value)]
    return Circuit.from_text(_core.gen(args, **tables))


def crossbar(rows: int, cols: int, **options: Any) -> Circuit:
    """A passive crossbar: resistor, ECRAM (``cell="ecram"``) or memristor cells at the
    crossings, ``rwire`` ohms per wire segment, read by ``scheme`` ("all", "floating", "v2",
    "v3", "ground") or programmed with ``program`` under the V/2 or V/3 scheme."""
    return generate("crossbar", rows, cols, **options)


def one_t_one_r(rows: int, cols: int, **options: Any) -> Circuit:
    """A 1T1R array: each cell in series with an NMOS selector on its row's word line."""
    return generate("1t1r", rows, cols, **options)


def h1e1t(rows: int, cols: int, **options: Any) -> Circuit:
    """An H-1E1T array: ECRAM cells with a selector on the drain, programmed by rows or columns
    through the four stages (potentiate, remain, depress, idle)."""
    return generate("h1e1t", rows, cols, **options)


def mtt_array(rows: int, cols: int, **options: Any) -> Circuit:
    """An array of memory-transistor transfer units (ECRAM divider driving an inference FET),
    biased by ``vreadh`` and ``vrefg``; inputs on the inference drains."""
    return generate("mtt-array", rows, cols, **options)
