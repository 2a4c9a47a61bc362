r"""Convex phase-transition references joined to the transitions table, and ratios to them."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .columns import require_columns
from .intervals import bootstrap_interval, tail_percent
from .theory import cell_references, expected_group_references

__all__ = ["add_references", "median_ratio", "real_design_references", "REFERENCE_COLUMNS"]

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

    A row of a real design (a non-empty ``design_spec``, :mod:`gsbench.study.grid_designs`)
    has unequal groups: its references are :func:`real_design_references`, each group with
    its own size, averaged over the draw of the active groups.

    Parameters
    ----------
    transitions_df : pandas.DataFrame
        Needs ``p, group_size, active_groups, n_star``; ``design_spec`` where a real design is.

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
    spec = (out["design_spec"].fillna("").astype(str) if "design_spec" in out.columns
            else pd.Series("", index=out.index))
    real = (spec != "").to_numpy()
    l1, grp = np.full(len(out), np.nan), np.full(len(out), np.nan)
    if (~real).any():
        l1[~real], grp[~real] = cell_references(out["p"].to_numpy()[~real],
                                                out["group_size"].to_numpy()[~real],
                                                out["active_groups"].to_numpy()[~real])
    for idx in np.flatnonzero(real):
        l1[idx], grp[idx] = real_design_references(spec.iloc[idx], int(out["active_groups"].iloc[idx]))
    n_star = pd.to_numeric(out["n_star"], errors="coerce").to_numpy(dtype=float)
    out["n_ref_l1"] = l1
    out["n_ref_group"] = grp
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio_l1"] = np.where(l1 > 0, n_star / l1, np.nan)
        out["ratio_group"] = np.where(grp > 0, n_star / grp, np.nan)
    return out


@functools.lru_cache(maxsize=256)
def real_design_references(design_spec: str, s: int) -> tuple[float, float]:
    r"""``(n_ref_l1, n_ref_group)`` of a real design with ``s`` active groups: its curated
    groups' sizes and the groups below its coherence cap, from which the study draws the
    active set (:func:`gsbench.analysis.theory.expected_group_references`)."""
    from ..study.grid_designs import real_design, spec_parts

    design = real_design(design_spec)
    return expected_group_references(design.sizes, design.eligible_groups(spec_parts(design_spec)[1]), s)


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
