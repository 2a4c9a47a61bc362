"""Column names of the per-trial table and the validation helpers shared by the analysis.

The per-trial table has one row per ``(method, cell, trial)``.  A *cell* is a point
``(n, p, group_size, active_groups, sigma, design)`` of the study grid; a *setting* is a
cell without its sample size ``n``, i.e. one phase-transition curve per method.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..results_schema import (  # statuses re-exported for the analysis modules
    ERROR_FIELDS,
    SETTING_FIELDS,
    STATUS_DIVERGED,
    STATUS_FAILED,
    STATUS_OK,
)

__all__ = [
    "SETTING_KEYS",
    "CELL_KEYS",
    "ERROR_COLUMNS",
    "STAT_COLUMNS",
    "STATUS_OK",
    "STATUS_DIVERGED",
    "STATUS_FAILED",
    "require_columns",
    "check_metric",
    "check_threshold",
    "success_indicator",
]

#: Keys of one phase-transition curve (everything but the sample size).
SETTING_KEYS: tuple[str, ...] = ("method", *SETTING_FIELDS)
#: Keys of one row of the summary: a setting plus the sample size ``n``.
CELL_KEYS: tuple[str, ...] = (*SETTING_KEYS, "n")
#: Relative-error columns that can serve as success metric.
ERROR_COLUMNS: tuple[str, ...] = ERROR_FIELDS
#: Columns summarised by median and quartiles over the ``ok`` trials.
STAT_COLUMNS: tuple[str, ...] = (*ERROR_COLUMNS, "seconds")


def require_columns(df: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    """Raise ``ValueError`` naming every column of `columns` that `df` lacks.

    Parameters
    ----------
    df : pandas.DataFrame
        Table to check.
    columns : iterable of str
        Required column names.
    where : str
        Name of the calling function, used in the message.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{where}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise ValueError(f"{where}: missing required column(s): {names}")


def check_metric(metric: str, where: str) -> str:
    """Return `metric` if it is one of :data:`ERROR_COLUMNS`, else raise ``ValueError``."""
    if metric not in ERROR_COLUMNS:
        allowed = ", ".join(repr(c) for c in ERROR_COLUMNS)
        raise ValueError(f"{where}: metric={metric!r} is not one of {allowed}")
    return metric


def check_threshold(threshold: float, where: str) -> float:
    """Return `threshold` as float if it is a finite number ``> 0``, else raise ``ValueError``."""
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: threshold={threshold!r} is not a number") from None
    if isinstance(threshold, bool) or not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"{where}: threshold={threshold!r} must be a finite number > 0")
    return value


def success_indicator(df: pd.DataFrame, metric: str, threshold: float) -> np.ndarray:
    r"""Per-trial success indicator.

    .. math::  \mathrm{success}_i = [\,\mathrm{status}_i = \texttt{ok}\,]
               \wedge [\,\mathrm{metric}_i \le \tau\,]

    A diverged or failed trial, or a trial whose metric is NaN, is a failure.

    Parameters
    ----------
    df : pandas.DataFrame
        Per-trial rows with columns ``status`` and `metric`.
    metric : str
        One of :data:`ERROR_COLUMNS`.
    threshold : float
        Success threshold :math:`\tau > 0` on the relative error.

    Returns
    -------
    numpy.ndarray of bool, shape (len(df),)
    """
    status = df["status"].astype("string").fillna("").to_numpy(dtype=object) == STATUS_OK
    values = pd.to_numeric(df[metric], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        below = values <= threshold  # NaN compares False
    return np.asarray(status & below, dtype=bool)
