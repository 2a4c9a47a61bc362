"""Scaling of the critical sample size with the number of active groups and the group size."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .columns import require_columns

__all__ = ["scaling", "ols_fit", "SCALING_COLUMNS"]

#: Output columns of :func:`scaling`, in order.
SCALING_COLUMNS: tuple[str, ...] = (
    "method",
    "n_points",
    "a",
    "b",
    "b_low",
    "b_high",
    "c",
    "c_low",
    "c_high",
    "r2",
    "a_entries",
    "b_entries",
    "b_entries_low",
    "b_entries_high",
    "note",
)


def ols_fit(X: np.ndarray, y: np.ndarray, confidence: float = 0.95) -> dict[str, np.ndarray | float]:
    r"""Ordinary least squares with t confidence intervals.

    .. math::

        \hat\beta = (X^\top X)^{-1} X^\top y, \qquad
        \hat\sigma^2 = \frac{\lVert y - X\hat\beta\rVert^2}{n - k}, \qquad
        \mathrm{se}(\hat\beta_j) = \hat\sigma \sqrt{[(X^\top X)^{-1}]_{jj}},

    interval :math:`\hat\beta_j \pm t_{n-k,\,(1+\gamma)/2}\,\mathrm{se}(\hat\beta_j)` and
    :math:`R^2 = 1 - \mathrm{RSS}/\mathrm{TSS}` (NaN when :math:`\mathrm{TSS} = 0`).
    Requires :math:`n > k` and a full-column-rank :math:`X`.

    Returns
    -------
    dict
        ``beta``, ``low``, ``high`` (arrays of length k) and ``r2`` (float).
    """
    n, p = X.shape
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    dof = n - p
    rss = float(resid @ resid)
    cov = rss / dof * np.linalg.inv(X.T @ X)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    t = stats.t.ppf(0.5 + 0.5 * confidence, dof)
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - rss / tss if tss > 0 else np.nan
    return {"beta": beta, "low": beta - t * se, "high": beta + t * se, "r2": r2}


def _fit_method(sub: pd.DataFrame, confidence: float) -> dict:
    row: dict = {c: np.nan for c in SCALING_COLUMNS}
    n = len(sub)
    row["n_points"] = n
    notes: list[str] = []
    y = np.log(sub["n_star"].to_numpy(dtype=float))
    log_s = np.log(sub["active_groups"].to_numpy(dtype=float))
    log_g = np.log(sub["group_size"].to_numpy(dtype=float))
    regressors = {"b": log_s, "c": log_g}

    # Main model log n* = a + b log s + c log g, dropping terms whose regressor is constant.
    terms = [t for t in ("b", "c") if np.unique(regressors[t]).size > 1]
    if "b" not in terms:
        notes.append("one active_groups value: b not identifiable")
    if "c" not in terms:
        model = "a + b log s" if "b" in terms else "a"
        notes.append(f"one group size: c not identifiable, fitted log n* = {model}")
    X = np.column_stack([np.ones(n)] + [regressors[t] for t in terms])
    collinear = len(terms) == 2 and np.linalg.matrix_rank(X) < 3
    if collinear:
        notes.append("log s and log g collinear: b and c not separately identifiable")
        terms = []
    k = 1 + len(terms)
    if n < k + 1:
        notes.insert(0, f"too few points: {n} < {k + 1} (parameters + 1); no fit")
        row["note"] = "; ".join(notes)
        return row
    if terms:
        fit = ols_fit(X, y, confidence)
        row["a"] = fit["beta"][0]
        row["r2"] = fit["r2"]
        for j, t in enumerate(terms, start=1):
            row[t] = fit["beta"][j]
            row[f"{t}_low"] = fit["low"][j]
            row[f"{t}_high"] = fit["high"][j]

    # Entries model log n* = a_e + b_e log(s g).
    log_e = log_s + log_g
    if np.unique(log_e).size < 2:
        notes.append("one value of s*g: b_entries not identifiable")
    elif n < 3:
        notes.append(f"too few points for b_entries: {n} < 3")
    else:
        fit = ols_fit(np.column_stack([np.ones(n), log_e]), y, confidence)
        row["a_entries"] = fit["beta"][0]
        row["b_entries"] = fit["beta"][1]
        row["b_entries_low"] = fit["low"][1]
        row["b_entries_high"] = fit["high"][1]

    context = [c for c in ("p", "sigma", "design") if c in sub.columns and sub[c].nunique() > 1]
    if context:
        notes.append(f"pooled over several {'/'.join(context)} values")
    row["note"] = "; ".join(notes) if notes else "ok"
    return row


def scaling(transitions_df: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    r"""Fit how the critical sample size scales with active groups and group size.

    Per method, over the rows with ``transition == "ok"`` (and finite positive
    ``n_star``), two OLS fits on the log scale:

    .. math::

        \log n^\star &= a + b \log s + c \log g, \\
        \log n^\star &= a_e + b_e \log(s g),

    where :math:`s` = ``active_groups`` (non-zero groups) and :math:`g` = ``group_size``,
    so :math:`s g` = ``entries`` (non-zero coefficients).  Intervals are
    :math:`\hat\beta \pm t_{n-k,0.975}\,\mathrm{se}` from the OLS standard errors
    (:func:`ols_fit`); ``r2`` belongs to the first model.

    Interpretation.  The DGLNN paper (implicit group sparsity) claims that DGLNN's sample
    requirement grows with the number of non-zero *groups* :math:`s`, not with the
    number of non-zero *entries* :math:`s g`: for DGLNN one expects :math:`c \approx 0`
    (interval covering 0) with :math:`b > 0`, whereas a method blind to the group
    structure (e.g. an entrywise sparse method) needs
    :math:`n^\star \propto s g \log(\cdot)`, i.e. :math:`c \approx b`.  Standard theory
    for the group lasso, :math:`n \gtrsim s g + s\log(G)`, lies in between.  Compare
    the ``c`` intervals across methods; ``b_entries`` is the slope when only the number
    of entries is used as a predictor (close to 1 for an entrywise method and below 1
    when :math:`g` barely matters).

    Degenerate cases (reported in ``note``; ``"ok"`` when none applies): with a single
    group size, :math:`c` is not identifiable, the model :math:`a + b\log s` is fitted
    and ``c``, ``c_low``, ``c_high`` are NaN (likewise ``b`` with a single ``s``); when
    :math:`\log s` and :math:`\log g` are collinear only the entries fit is made; a
    model with :math:`k` parameters needs at least :math:`k + 1` points, otherwise all
    coefficients (including the entries fit) are NaN and the note starts with
    "too few points".  The fit pools all
    ``p``, ``sigma`` and ``design`` values of a method; the note says so when there
    are several.

    Parameters
    ----------
    transitions_df : pandas.DataFrame
        Output of :func:`transitions` (needs ``method, group_size, active_groups,
        n_star, transition``).
    confidence : float, default 0.95
        Level of the t intervals.

    Returns
    -------
    pandas.DataFrame
        One row per method (sorted), columns ``method, n_points, a, b, b_low, b_high,
        c, c_low, c_high, r2, a_entries, b_entries, b_entries_low, b_entries_high,
        note``; ``n_points`` is the number of rows used.

    Raises
    ------
    ValueError
        If required columns are missing (named in the message).
    """
    require_columns(
        transitions_df, ["method", "group_size", "active_groups", "n_star", "transition"], "scaling"
    )
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"scaling: confidence={confidence!r} must lie in (0, 1)")
    df = transitions_df
    n_star = pd.to_numeric(df["n_star"], errors="coerce")
    usable = (
        (df["transition"].astype("string") == "ok").fillna(False).to_numpy(dtype=bool)
        & np.isfinite(n_star.to_numpy(dtype=float))
        & (n_star.to_numpy(dtype=float) > 0)
        # a real design's unequal groups (group_size 0) have no one g to scale with
        & (pd.to_numeric(df["group_size"], errors="coerce").to_numpy(dtype=float) >= 1)
    )
    rows = []
    for method in sorted(df["method"].dropna().unique(), key=str):
        sub = df.loc[usable & (df["method"] == method).to_numpy(dtype=bool)]
        if sub.empty:
            row = {c: np.nan for c in SCALING_COLUMNS}
            row["n_points"] = 0
            row["note"] = "too few points: no transition inside the grid"
        else:
            row = _fit_method(sub, float(confidence))
        row["method"] = method
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(SCALING_COLUMNS))
    out["n_points"] = out["n_points"].astype(np.int64)
    for col in SCALING_COLUMNS[2:-1]:
        out[col] = out[col].astype(float)
    out["note"] = out["note"].astype(str)
    return out
