r"""Convex phase-transition references joined to the transitions table, and ratios to them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import require_columns
from .intervals import bootstrap_interval, tail_percent
from .theory import cell_references

__all__ = ["add_references", "median_ratio", "REFERENCE_COLUMNS"]

#: Columns :func:`add_references` appends to ``transitions.csv``.
REFERENCE_COLUMNS: tuple[str, ...] = ("n_ref_l1", "n_ref_group", "ratio_l1", "ratio_group")


def add_references(transitions_df: pd.DataFrame) -> pd.DataFrame:
    r"""Append the convex references of each row's cell and :math:`n^\star` relative to them.

    ``n_ref_l1`` :math:`= D_{\ell_1}(s g, p)` and ``n_ref_group``
    :math:`= D_{\mathrm{group}}` (:func:`gsbench.analysis.theory.cell_references`), the
    sample sizes at which basis pursuit and group basis pursuit switch from failure to
    success on noiseless Gaussian measurements; ``ratio_l1 = n_star / n_ref_l1`` and
    ``ratio_group = n_star / n_ref_group`` (NaN where ``n_star`` is NaN).  A ratio below 1
    means the method needs fewer samples than the convex program.

    Parameters
    ----------
    transitions_df : pandas.DataFrame
        Needs ``p, group_size, active_groups, n_star``.

    Returns
    -------
    pandas.DataFrame
        A copy with the four :data:`REFERENCE_COLUMNS` appended (replaced if present).
    """
    require_columns(transitions_df, ["p", "group_size", "active_groups", "n_star"], "add_references")
    out = transitions_df.drop(columns=[c for c in REFERENCE_COLUMNS if c in transitions_df.columns])
    if out.empty:
        for col in REFERENCE_COLUMNS:
            out[col] = pd.Series(dtype=float)
        return out
    l1, grp = cell_references(out["p"].to_numpy(), out["group_size"].to_numpy(),
                              out["active_groups"].to_numpy())
    n_star = pd.to_numeric(out["n_star"], errors="coerce").to_numpy(dtype=float)
    out["n_ref_l1"] = l1
    out["n_ref_group"] = grp
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio_l1"] = np.where(l1 > 0, n_star / l1, np.nan)
        out["ratio_group"] = np.where(grp > 0, n_star / grp, np.nan)
    return out


def median_ratio(ratios, *, n_boot: int = 200, seed: int = 0, confidence: float = 0.95):
    r"""Median of finite ratios with a percentile bootstrap interval over cells.

    Returns
    -------
    (median, low, high, m) : (float, float, float, int)
        NaN when no ratio is finite; ``m`` is the number of cells used.
    """
    r = np.asarray(ratios, dtype=float)
    r = r[np.isfinite(r)]
    if r.size == 0:
        return np.nan, np.nan, np.nan, 0
    if n_boot <= 0:
        return float(np.median(r)), np.nan, np.nan, int(r.size)
    low, high = bootstrap_interval(r, lambda x: np.median(x, axis=1), n_boot, seed,
                                   tail_percent(confidence))
    return float(np.median(r)), float(low), float(high), int(r.size)
