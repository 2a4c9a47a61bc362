"""Per-cell summaries of the per-trial results: success counts, Wilson intervals, quartiles."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import (
    CELL_KEYS,
    STAT_COLUMNS,
    STATUS_DIVERGED,
    STATUS_FAILED,
    STATUS_OK,
    check_metric,
    check_threshold,
    require_columns,
    success_indicator,
)
from .intervals import wilson_interval

__all__ = ["summarize", "SUMMARY_REQUIRED"]

#: Input columns :func:`summarize` needs.
SUMMARY_REQUIRED: tuple[str, ...] = (*CELL_KEYS, "cell_id", "status", *STAT_COLUMNS)


def summarize(
    trials_df: pd.DataFrame,
    metric: str = "rel_error_oracle",
    threshold: float = 0.05,
) -> pd.DataFrame:
    r"""Summarise per-trial results into one row per (method, cell).

    For every ``(method, p, group_size, active_groups, sigma, design, n)`` with
    :math:`m` trials, of which :math:`k` are successes,

    .. math::

        \mathrm{success}_i = [\mathrm{status}_i = \texttt{ok}] \wedge
                             [\mathrm{metric}_i \le \tau], \qquad
        k = \sum_i \mathrm{success}_i, \qquad
        \hat p = k / m ,

    so diverged and failed trials count as failures.  ``success_low``/``success_high``
    are the 95% Wilson bounds of :math:`\hat p` (see :func:`wilson_interval`).
    For each of ``rel_error_oracle``, ``rel_error_validation``, ``rel_error_final`` and
    ``seconds`` the median and the quartiles :math:`Q_{0.25}, Q_{0.75}` are taken over
    the trials with status ``ok`` only (NaN values skipped; linear interpolation between
    order statistics, numpy's default); they are NaN when a cell has no usable ok trial.

    Parameters
    ----------
    trials_df : pandas.DataFrame
        Per-trial rows; needs the columns ``method, p, group_size, active_groups, sigma,
        design, n, cell_id, status, rel_error_oracle, rel_error_validation,
        rel_error_final, seconds``.  Extra columns are ignored.
    metric : {"rel_error_oracle", "rel_error_validation", "rel_error_final"}
        Error column that defines success.
    threshold : float, default 0.05
        Success threshold :math:`\tau`; any finite positive number.

    Returns
    -------
    pandas.DataFrame
        Columns ``method, p, group_size, active_groups, sigma, design, n, cell_id,
        trials, n_ok, n_diverged, n_failed, n_converged, successes, success_rate,
        success_low, success_high`` followed by ``<col>_median, <col>_q25, <col>_q75`` for each
        ``<col>`` above.  Rows sorted by ``method, p, group_size, active_groups, sigma,
        design, n``; index ``0..len-1``.  ``cell_id`` is the first id (after sorting
        by ``trial`` when present) of the cell's rows.  ``attrs`` records ``metric`` and
        ``threshold``.  Statuses other than ok/diverged/failed are counted in ``trials``
        only (and are failures).  ``n_converged`` counts the trials whose ``converged``
        is true (the fit met its stopping criterion rather than its iteration budget; see
        ``gsbench.methods.FitResult``); it is NA when the input has no ``converged``
        column (results written before it existed).

    Raises
    ------
    ValueError
        If required columns are missing (the message names them), `metric` is not an
        error column, or `threshold` is not a finite positive number.
    """
    where = "summarize"
    require_columns(trials_df, SUMMARY_REQUIRED, where)
    check_metric(metric, where)
    tau = check_threshold(threshold, where)
    keys = list(CELL_KEYS)

    df = trials_df
    if "trial" in df.columns:
        df = df.sort_values([*keys, "trial"], kind="mergesort")
    status = df["status"].astype("string").fillna("").to_numpy(dtype=object)
    work = df[[*keys, "cell_id"]].copy()
    work["_ok"] = status == STATUS_OK
    work["_div"] = status == STATUS_DIVERGED
    work["_fail"] = status == STATUS_FAILED
    work["_succ"] = success_indicator(df, metric, tau)
    has_converged = "converged" in df.columns
    if has_converged:
        work["_conv"] = df["converged"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    for col in STAT_COLUMNS:
        work[col] = pd.to_numeric(df[col], errors="coerce").astype(float)

    grouped = work.groupby(keys, sort=True, dropna=False, observed=True)
    out = grouped.agg(
        cell_id=("cell_id", "first"),
        trials=("_ok", "size"),
        n_ok=("_ok", "sum"),
        n_diverged=("_div", "sum"),
        n_failed=("_fail", "sum"),
        successes=("_succ", "sum"),
    )
    for col in ("trials", "n_ok", "n_diverged", "n_failed", "successes"):
        out[col] = out[col].astype(np.int64)
    if has_converged:
        n_conv = grouped["_conv"].sum().astype("Int64")
    else:  # results written before the column existed: unknown, not zero
        n_conv = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out.insert(out.columns.get_loc("n_failed") + 1, "n_converged", n_conv)
    out["success_rate"] = out["successes"] / out["trials"]
    low, high = wilson_interval(out["successes"].to_numpy(), out["trials"].to_numpy())
    out["success_low"] = low
    out["success_high"] = high

    ok = work.loc[work["_ok"], [*keys, *STAT_COLUMNS]]
    ok_grouped = ok.groupby(keys, sort=True, dropna=False, observed=True)[list(STAT_COLUMNS)]
    stats = {
        "median": ok_grouped.median(),
        "q25": ok_grouped.quantile(0.25),
        "q75": ok_grouped.quantile(0.75),
    }
    for col in STAT_COLUMNS:
        for name, table in stats.items():
            out[f"{col}_{name}"] = table[col].reindex(out.index).astype(float)

    out = out.reset_index()
    out.attrs = {"metric": metric, "threshold": tau}
    return out

