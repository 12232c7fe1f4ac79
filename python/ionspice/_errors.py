"""The exceptions ionspice raises. Every failure of a run is one of these: never a crash, never
``sys.exit``."""

from __future__ import annotations


class Error(RuntimeError):
    """Something ionspice could not do: an unreadable results file, a device that cannot take a
    value. The base of the other two."""


class NetlistError(Error):
    """A mistake in the netlist (or in ``params``/``options``, or in an analysis card), located.

    ``str(e)`` is the diagnostic the command line prints (``file:line:col: error: ...``, the
    line and a caret); ``file``, ``line`` and ``column`` say where (``None`` when the mistake has
    no place in the text) and ``message`` what, without the location.
    """

    def __init__(self, text: str, file: str | None = None, line: int | None = None,
                 column: int | None = None, message: str | None = None) -> None:
        super().__init__(text)
        self.file = file
        self.line = line
        self.column = column
        self.message = message if message is not None else text


class ConvergenceError(Error):
    """The circuit could not be solved: Newton did not converge (the message names the unknowns
    that did not), the matrix is singular (it names the floating nodes), or the time step became
    too small."""
