"""The MTT transfer-function fitter of ``ionspice fit``, on arrays.

    fit = ionspice.fit.mtt(w_h, w_b, form="rational")
    fit.A_p, fit.B_p, fit.A_n, fit.B_n, fit.r2
    fit(np.linspace(-1, 1, 101))      # the fitted W_b

Forms, one branch per sign of W_h, each fitted on its own (Levenberg-Marquardt):

    rational:  W_b = A_p*W_h/(1 + B_p*W_h)  (W_h >= 0),   W_b = A_n*W_h/(1 - B_n*W_h)  (W_h < 0)
    ternary:   W_b = sign(W_h)*A*u/(1 + B*u),  u = max(|W_h| - r, 0),  A, B, r per sign

A branch is ``None`` when the data has no W_h of its sign. Bad data (too few points,
non-finite values, no convergence) raises ``ValueError``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from . import _core

__all__ = ["mtt", "Branch", "TransferFit"]


@dataclass(frozen=True)
class Branch:
    """One sign's fit: W_b = A*u/(1 + B*u) in |W_h|, u = max(|W_h| - r, 0); each value with
    its standard error (NaN where the data cannot give one)."""

    a: float
    b: float
    r: float
    a_error: float
    b_error: float
    r_error: float
    r2: float
    sse: float
    points: int
    evaluations: int

    def __call__(self, abs_w_h: float) -> float:
        u = max(abs_w_h - self.r, 0.0)
        return self.a * u / (1 + self.b * u)


@dataclass(frozen=True)
class TransferFit:
    form: str
    positive: Branch | None
    negative: Branch | None
    r2: float
    points: int

    @property
    def A_p(self) -> float:
        return self.positive.a if self.positive else math.nan

    @property
    def B_p(self) -> float:
        return self.positive.b if self.positive else math.nan

    @property
    def A_n(self) -> float:
        return self.negative.a if self.negative else math.nan

    @property
    def B_n(self) -> float:
        return self.negative.b if self.negative else math.nan

    def __call__(self, w_h: Any) -> Any:
        """W_b at ``w_h`` (a number or an array); NaN on a side the data did not cover."""
        import numpy as np

        x = np.asarray(w_h, dtype=float)
        out = np.full(x.shape, np.nan)
        for branch, mask, sign in ((self.positive, x >= 0, 1.0), (self.negative, x < 0, -1.0)):
            if branch is not None:
                u = np.maximum(np.abs(x[mask]) - branch.r, 0.0)
                out[mask] = sign * branch.a * u / (1 + branch.b * u)
        return out if out.ndim else float(out)


def _branch(d: dict | None) -> Branch | None:
    if d is None:
        return None
    return Branch(a=d["a"][0], b=d["b"][0], r=d["r"][0], a_error=d["a"][1], b_error=d["b"][1],
                  r_error=d["r"][1], r2=d["r2"], sse=d["sse"], points=d["points"],
                  evaluations=d["evaluations"])


def mtt(w_h: Any, w_b: Any, form: str = "rational") -> TransferFit:
    """Fits the MTT transfer function to normalised data (W_h in [-1, 1], W_b = I/|I_ts,max|)."""
    import numpy as np

    x = np.asarray(w_h, dtype=float).ravel()
    y = np.asarray(w_b, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"w_h and w_b differ in length: {x.size} and {y.size}")
    d = _core.fit_transfer(x.tolist(), y.tolist(), form)
    return TransferFit(form=d["form"], positive=_branch(d["positive"]), negative=_branch(d["negative"]),
                       r2=d["r2"], points=d["points"])
