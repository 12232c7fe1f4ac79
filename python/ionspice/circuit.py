"""Netlists built from Python. ``str(circuit)`` is plain netlist text, so whatever a Python user
builds runs in ``ionspice`` on the command line too, and in ngspice for the elements it has."""

from __future__ import annotations

import os
from typing import Any


def _value(v: Any) -> str:
    """A number as netlist text that reads back to the same double; anything else verbatim."""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    try:  # numpy scalars
        import numpy as np

        if isinstance(v, np.integer):
            return str(int(v))
        if isinstance(v, np.floating):
            return repr(float(v))
    except ImportError:  # pragma: no cover
        pass
    return str(v)


def _check_name(what: str, name: str) -> str:
    if not name or any(c.isspace() for c in name) or name[0] in ".*+":
        raise ValueError(f"{what} {name!r} is not a netlist name (no blanks, not starting with . * +)")
    return name


class Circuit:
    """A netlist under construction, card by card, in the order written.

        c = Circuit("divider")
        c.add("V1", "in", 0, 1.0)
        c.add("R1", "in", "out", 1e3)
        c.add("R2", "out", 0, 1e3)
        c.analysis(".op")
        ionspice.run(c)[0]["v(out)"]

    Positional arguments of ``add`` are written in order (nodes, model name, values, or text
    such as ``"PULSE(0 1 0 1n 1n 5n 10n)"``); keyword arguments become ``name=value``.
    """

    def __init__(self, title: str = "ionspice circuit") -> None:
        self.title = title
        self._lines: list[str] = []

    @classmethod
    def from_text(cls, text: str) -> "Circuit":
        """A circuit holding netlist ``text`` (its first line the title, a final ``.end``
        dropped), to add cards to: ``ionspice.arrays`` returns its netlists this way."""
        lines = text.splitlines()
        if not lines:
            raise ValueError("empty netlist text")
        body = lines[1:]
        while body and not body[-1].strip():
            body.pop()
        if body and body[-1].strip().lower() == ".end":
            body.pop()
        c = cls(lines[0])
        c._lines = body
        return c

    def add(self, name: str, *args: Any, model: str | None = None, **params: Any) -> "Circuit":
        """An element card: ``name`` (its first letter is the element type) then ``args``, the
        model name when given, then ``params`` as ``key=value``."""
        _check_name("element", name)
        if not name[0].isalpha():
            raise ValueError(f"element {name!r} must start with its type letter (R, C, V, M, N, ...)")
        words = [name, *(_value(a) for a in args)]
        if model is not None:
            words.append(_check_name("model", model))
        words += [f"{k}={_value(v)}" for k, v in params.items()]
        self._lines.append(" ".join(words))
        return self

    def model(self, name: str, type: str, **params: Any) -> "Circuit":
        """A ``.model name type (key=value ...)`` card."""
        _check_name("model", name)
        body = " ".join(f"{k}={_value(v)}" for k, v in params.items())
        self._lines.append(f".model {name} {type} ({body})" if body else f".model {name} {type}")
        return self

    def param(self, **values: Any) -> "Circuit":
        """A ``.param`` card."""
        self._lines.append(".param " + " ".join(f"{k}={_value(v)}" for k, v in values.items()))
        return self

    def options(self, **values: Any) -> "Circuit":
        """An ``.options`` card; ``True`` writes a bare flag."""
        self._lines.append(".options " + " ".join(k if v is True else f"{k}={_value(v)}" for k, v in values.items()))
        return self

    def include(self, path: str | os.PathLike[str]) -> "Circuit":
        """An ``.include`` card (a relative path is read relative to where the netlist is run
        from when the text is run directly, to the netlist file when written with ``write``)."""
        self._lines.append(f'.include "{os.fspath(path)}"')
        return self

    def analysis(self, card: str, *args: Any) -> "Circuit":
        """An analysis card: ``analysis(".tran", 1e-9, 1e-6)`` or ``analysis(".op")``."""
        if not card.startswith("."):
            card = "." + card
        self._lines.append(" ".join([card, *(_value(a) for a in args)]))
        return self

    def line(self, text: str) -> "Circuit":
        """Any other card, verbatim (``.save``, ``.print``, ``.meas``, ``.subckt`` ...)."""
        self._lines.append(text)
        return self

    def write(self, path: str | os.PathLike[str]) -> None:
        """Writes the netlist text to ``path``."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(str(self))

    def __str__(self) -> str:
        body = "\n".join(self._lines)
        return f"{self.title}\n{body}\n.end\n" if body else f"{self.title}\n.end\n"

    def __repr__(self) -> str:
        return f"<ionspice.Circuit {self.title!r}: {len(self._lines)} cards>"
