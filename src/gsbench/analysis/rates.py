r"""Error rates in the noisy regime: competing rate laws, fitted with the n* laws' machinery.

A rate law says the squared error of a method decays as

.. math::

    \mathbb E\lVert\hat w - w^\star\rVert^2 \approx \sigma^2 f(s, g, p) / n,

so the *effective sample size* :math:`n_{\mathrm{eff}} = n\,\lVert\hat w - w^\star\rVert^2/\sigma^2`
(median over the trials of a cell) estimates :math:`f(s, g, p)`, and the laws of
:mod:`gsbench.analysis.laws` compete for it exactly as they compete for :math:`n^\star`
(log-scale least squares, AIC, leave-one-cell-out error, bootstrap over cells):

* ``group``: :math:`f = A\,s g + B\,s\log(e L/s)` (group sparsity, :math:`L = p/g`);
* ``entry``: :math:`f = A\,k\log(e p/k)`, :math:`k = s g` (entrywise sparsity).

:func:`loglog_slope` is the rate exponent of one factor (claim 6 uses it too).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .laws import LAWS, law_table

__all__ = ["RATE_LAWS", "loglog_slope", "rate_cells", "rate_laws"]

#: The competing rate laws (the n* laws of the same names).
RATE_LAWS = {name: LAWS[name] for name in ("group", "entry")}
_CELL = ["method", "p", "group_size", "active_groups", "snr", "n"]


def loglog_fit(x, y) -> tuple[float, int, float]:
    """OLS fit of ``log y = a + b log x`` over the positive finite pairs: ``(b, points,
    largest absolute residual)``; ``b`` and the residual NaN with fewer than two distinct x."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = (x > 0) & (y > 0) & np.isfinite(x) & np.isfinite(y)
    if np.unique(x[ok]).size < 2:
        return float("nan"), int(ok.sum()), float("nan")
    lx, ly = np.log(x[ok]), np.log(y[ok])
    b, a = np.polyfit(lx, ly, 1)
    return float(b), int(ok.sum()), float(np.max(np.abs(ly - (a + b * lx))))


def loglog_slope(x, y) -> float:
    """The slope ``b`` of :func:`loglog_fit`."""
    return loglog_fit(x, y)[0]


def rate_cells(trials: pd.DataFrame, error: str = "sq_error_validation") -> pd.DataFrame:
    """Per cell (method, p, group_size, active_groups, snr, n): the median squared error, the
    median sigma^2 and ``n_eff = n * median(error / sigma^2)``.  ``trials`` needs those columns,
    ``sigma`` and ``error``, and ``status``: only ``ok`` rows count."""
    ok = trials[trials["status"] == "ok"].assign(_scaled=lambda f: f[error] / f["sigma"] ** 2)
    cells = ok.groupby(_CELL, as_index=False).agg(
        error=(error, "median"), sigma2=("sigma", lambda s: float(np.median(s**2))),
        scaled=("_scaled", "median"), trials=(error, "size"))
    return cells.assign(n_eff=cells["n"] * cells["scaled"]).drop(columns="scaled")


def rate_laws(trials: pd.DataFrame, *, error: str = "sq_error_validation", n_boot: int = 200,
              seed: int = 0) -> pd.DataFrame:
    """The rate laws fitted per method to :func:`rate_cells`' ``n_eff`` (columns of
    :func:`gsbench.analysis.laws.law_table`; ``best_aic`` marks the law each method follows)."""
    cells = rate_cells(trials, error)
    table = cells.assign(n_star=cells["n_eff"], transition="ok")
    return law_table(table, n_boot=n_boot, seed=seed, laws=RATE_LAWS)
