"""Phase-transition estimates: the sample size at which recovery succeeds half of the time."""

from __future__ import annotations

import hashlib
import numbers

import numpy as np
import pandas as pd

from .columns import (
    SETTING_KEYS,
    check_metric,
    check_threshold,
    require_columns,
    success_indicator,
)
from .intervals import percentile_interval, tail_percent
from .logistic import fit_logistic_batch

__all__ = ["transitions", "TRANSITION_COLUMNS", "TRANSITION_LABELS", "ALL_FAILED_TEXT"]

#: Output columns of :func:`transitions`, in order.
TRANSITION_COLUMNS: tuple[str, ...] = (
    *SETTING_KEYS,
    "entries",
    "n_star",
    "n_star_low",
    "n_star_high",
    "n_min",
    "n_max",
    "n_points",
    "transition",
)
#: Possible values of the ``transition`` column.
TRANSITION_LABELS: tuple[str, ...] = ("ok", "below_grid", "above_grid", "not_monotone", "all_failed")

#: How tables and figures describe a setting labelled ``"all_failed"``.
ALL_FAILED_TEXT = "all trials diverged / failed"


def _canonical(value) -> str:
    """Type-independent text of a key value (100, 100.0 and np.int64(100) agree)."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        return str(int(v)) if v.is_integer() else repr(v)
    return str(value)


def _setting_rng(seed: int, key: tuple) -> np.random.Generator:
    """Generator seeded by `seed` and the setting key, so a setting's bootstrap does not
    depend on which other settings are present or on their order."""
    text = "\x1f".join(_canonical(v) for v in key).encode()
    digest = int.from_bytes(hashlib.sha256(text).digest()[:8], "little")
    return np.random.default_rng(np.random.SeedSequence([seed, digest]))


def _crossing(a, b, center, scale, n_min, n_max):
    """n at which the fitted probability is 1/2: exp(center + scale * (-a / b)); NaN if b <= 0."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = np.where(b > 0, -a / np.where(b > 0, b, 1.0), np.nan)
        log_n = center + scale * z
        # Keep exp finite; values far outside the grid are only compared or clipped.
        log_n = np.clip(log_n, np.log(n_min) - 50.0, np.log(n_max) + 50.0)
        return np.exp(log_n)


def transitions(
    trials_df: pd.DataFrame,
    metric: str = "rel_error_oracle",
    threshold: float = 0.05,
    n_boot: int = 200,
    seed: int = 0,
    *,
    confidence: float = 0.95,
    ridge: float = 1e-3,
) -> pd.DataFrame:
    r"""Estimate the critical sample size :math:`n^\star` of each phase-transition curve.

    For every setting ``(method, p, group_size, active_groups, sigma, design)`` the
    per-trial success indicator
    :math:`y_i = [\mathrm{status}_i=\texttt{ok}] \wedge [\mathrm{metric}_i \le \tau]`
    is regressed on :math:`\log n_i` by logistic regression,

    .. math::

        \Pr(y_i = 1) = \sigma\big(a + b\,x_i\big), \qquad
        x_i = \frac{\log n_i - \mu}{s_x}, \qquad
        n^\star = \exp\!\Big(\mu - s_x \frac{a}{b}\Big),

    i.e. :math:`n^\star` is where the fitted success probability crosses 1/2
    (:math:`\mu`, :math:`s_x`: mean and standard deviation of :math:`\log n` over the
    grid; the standardisation only fixes the scale of the ridge).  The fit maximises the
    Bernoulli log-likelihood minus :math:`\tfrac{\lambda}{2}(a^2+b^2)` with a tiny
    :math:`\lambda` (`ridge`), so perfectly separated data give a finite slope and a
    crossing between the last failing and the first succeeding :math:`n`
    (see :func:`gsbench.analysis.logistic.fit_logistic_batch`).

    Labels (``transition``), decided from the trials' status, then from the empirical
    success rates :math:`\hat p(n) = k(n)/m(n)`, then from the fit:

    * ``"all_failed"``: no trial of the setting has status ``ok`` (every one diverged or
      failed), so nothing is known about its recovery -- not the same as ``above_grid``;
    * ``"below_grid"``: :math:`\hat p(n_{\min}) \ge 1/2` -- already successful on the
      whole grid, or the fitted crossing lies below :math:`n_{\min}`;
    * ``"above_grid"``: :math:`\hat p(n_{\max}) < 1/2`, or the fitted crossing lies above
      :math:`n_{\max}`;
    * ``"not_monotone"``: the fitted slope is :math:`b \le 0` although
      :math:`\hat p(n_{\min}) < 1/2 \le \hat p(n_{\max})`;
    * ``"ok"``: :math:`n_{\min} \le n^\star \le n_{\max}`.

    Only ``"ok"`` rows carry numbers; the others have NaN ``n_star``, ``n_star_low``,
    ``n_star_high`` (never extrapolated).

    The interval is a percentile bootstrap: trials are resampled with replacement within
    each :math:`n` -- which is the same as drawing
    :math:`k^{(r)}(n) \sim \mathrm{Binomial}\big(m(n), \hat p(n)\big)` -- the model is
    refitted for :math:`r = 1..B` and the :math:`(1\mp\gamma)/2` percentiles of
    :math:`n^{\star(r)}` are reported.  A replicate whose crossing falls outside the grid
    (or whose slope is :math:`\le 0`; its side is then given by its pooled success rate)
    is clipped to :math:`n_{\min}` or :math:`n_{\max}`, so a bound equal to a grid edge
    means "at or beyond the edge".  The interval is then widened, if needed, to the grid
    gap :math:`[n_j, n_{j+1}]` that holds :math:`n^\star`: the grid cannot locate the
    crossing more finely (with separated rates every replicate is separated too and the
    percentile interval alone would have zero width).  All replicates of all settings are fitted together in
    one vectorised Newton solve.  Each setting's random stream is seeded from `seed` and
    the setting's key, so results are deterministic and do not depend on which other
    settings are in the table.

    Parameters
    ----------
    trials_df : pandas.DataFrame
        Per-trial rows; needs ``method, p, group_size, active_groups, sigma, design, n,
        status`` and the `metric` column.  ``n`` must be positive.
    metric : {"rel_error_oracle", "rel_error_validation", "rel_error_final"}
        Error column that defines success.
    threshold : float, default 0.05
        Success threshold :math:`\tau > 0`.
    n_boot : int, default 200
        Number of bootstrap replicates :math:`B`; 0 gives NaN bounds.
    seed : int, default 0
        Non-negative seed of the bootstrap.
    confidence : float, default 0.95
        Level :math:`\gamma` of the bootstrap interval.
    ridge : float, default 1e-3
        Ridge penalty :math:`\lambda` of the logistic fit.

    Returns
    -------
    pandas.DataFrame
        One row per setting, sorted by the setting keys, with columns ``method, p,
        group_size, active_groups, sigma, design, entries, n_star, n_star_low,
        n_star_high, n_min, n_max, n_points, transition`` where ``entries =
        active_groups * group_size`` (non-zero coefficients), ``n_min``/``n_max`` the
        grid range and ``n_points`` the number of distinct ``n``.

    Raises
    ------
    ValueError
        On missing columns (named in the message), a bad `metric`, `threshold`, `n_boot`,
        `seed` or `confidence`, or non-positive ``n``.
    """
    where = "transitions"
    keys = list(SETTING_KEYS)
    check_metric(metric, where)
    require_columns(trials_df, [*keys, "n", "status", metric], where)
    tau = check_threshold(threshold, where)
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 0:
        raise ValueError(f"{where}: n_boot={n_boot!r} must be a non-negative integer")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"{where}: seed={seed!r} must be a non-negative integer")
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"{where}: confidence={confidence!r} must lie in (0, 1)")
    n_boot = int(n_boot)

    work = trials_df[[*keys, "n"]].copy()
    work["n"] = pd.to_numeric(work["n"], errors="coerce")
    if work["n"].isna().any() or (work["n"] <= 0).any():
        raise ValueError(f"{where}: column 'n' must hold positive numbers")
    work["_y"] = success_indicator(trials_df, metric, tau).astype(np.int64)
    work["_ok"] = (trials_df["status"].astype("string") == "ok").fillna(False).astype(np.int64)

    if work.empty:
        out = pd.DataFrame({c: pd.Series(dtype=float) for c in TRANSITION_COLUMNS})
        out["transition"] = out["transition"].astype(object)
        return out

    counts = (
        work.groupby([*keys, "n"], sort=True, dropna=False, observed=True)
        .agg(k=("_y", "sum"), m=("_y", "size"), ok=("_ok", "sum"))
        .reset_index()
    )
    by_setting = counts.groupby(keys, sort=True, dropna=False, observed=True)
    gid = by_setting.ngroup().to_numpy()
    pos = by_setting.cumcount().to_numpy()
    settings = by_setting.agg(
        n_min=("n", "min"), n_max=("n", "max"), n_points=("n", "size"), n_ok=("ok", "sum")
    ).reset_index()
    n_settings, width = len(settings), int(pos.max()) + 1

    log_n = np.zeros((n_settings, width))
    k = np.zeros((n_settings, width))
    m = np.zeros((n_settings, width))
    log_n[gid, pos] = np.log(counts["n"].to_numpy(dtype=float))
    k[gid, pos] = counts["k"].to_numpy(dtype=float)
    m[gid, pos] = counts["m"].to_numpy(dtype=float)
    valid = m > 0
    n_points = settings["n_points"].to_numpy()
    n_min = settings["n_min"].to_numpy(dtype=float)
    n_max = settings["n_max"].to_numpy(dtype=float)

    rows = np.arange(n_settings)
    rate_first = k[:, 0] / m[:, 0]
    rate_last = k[rows, n_points - 1] / m[rows, n_points - 1]
    label = np.full(n_settings, "ok", dtype=object)
    label[rate_first >= 0.5] = "below_grid"
    label[(rate_first < 0.5) & (rate_last < 0.5)] = "above_grid"
    label[settings["n_ok"].to_numpy() == 0] = "all_failed"

    n_star = np.full(n_settings, np.nan)
    n_low = np.full(n_settings, np.nan)
    n_high = np.full(n_settings, np.nan)

    cand = np.flatnonzero(label == "ok")  # p(n_min) < 1/2 <= p(n_max): needs >= 2 points
    if cand.size:
        center = np.array([log_n[i, valid[i]].mean() for i in cand])
        scale = np.array([log_n[i, valid[i]].std() for i in cand])
        scale = np.where(scale > 0, scale, 1.0)
        x = np.where(valid[cand], (log_n[cand] - center[:, None]) / scale[:, None], 0.0)
        a, b, _ = fit_logistic_batch(x, k[cand], m[cand], ridge=ridge)
        est = _crossing(a, b, center, scale, n_min[cand], n_max[cand])
        lab = np.full(cand.size, "ok", dtype=object)
        lab[~(b > 0)] = "not_monotone"
        lab[(b > 0) & (est < n_min[cand])] = "below_grid"
        lab[(b > 0) & (est > n_max[cand])] = "above_grid"
        label[cand] = lab
        good = lab == "ok"
        n_star[cand[good]] = est[good]

        if n_boot > 0 and good.any():
            sel = cand[good]
            c_sel, s_sel, x_sel = center[good], scale[good], x[good]
            kb = np.empty((sel.size, n_boot, width))
            for j, i in enumerate(sel):
                rng = _setting_rng(int(seed), tuple(settings.loc[i, keys]))
                prob = np.where(valid[i], k[i] / np.where(valid[i], m[i], 1.0), 0.0)
                kb[j] = rng.binomial(m[i].astype(np.int64), prob, size=(n_boot, width))
            mb = np.broadcast_to(m[sel][:, None, :], kb.shape).reshape(-1, width)
            xb = np.broadcast_to(x_sel[:, None, :], kb.shape).reshape(-1, width)
            kb = kb.reshape(-1, width)
            ab, bb, _ = fit_logistic_batch(xb, kb, mb, ridge=ridge)
            lo_edge = np.repeat(n_min[sel], n_boot)
            hi_edge = np.repeat(n_max[sel], n_boot)
            reps = _crossing(ab, bb, np.repeat(c_sel, n_boot), np.repeat(s_sel, n_boot),
                             lo_edge, hi_edge)
            pooled = kb.sum(axis=1) / mb.sum(axis=1)
            reps = np.where(bb > 0, reps, np.where(pooled >= 0.5, lo_edge, hi_edge))
            reps = np.clip(reps, lo_edge, hi_edge).reshape(sel.size, n_boot)
            n_low[sel], n_high[sel] = percentile_interval(reps, tail_percent(confidence), axis=1)
            # Never claim more precision than the grid: the interval covers at least the grid
            # gap [n_j, n_{j+1}] holding n*. (With perfectly separated rates every bootstrap
            # replicate is separated too, and the percentile interval would have zero width.)
            for i in cand[good]:
                grid = np.exp(log_n[i, valid[i]])
                below, above = grid[grid <= n_star[i]], grid[grid >= n_star[i]]
                if below.size and above.size:
                    n_low[i] = np.fmin(n_low[i], below.max())
                    n_high[i] = np.fmax(n_high[i], above.min())

    out = settings[keys].copy()
    out["entries"] = (
        pd.to_numeric(out["active_groups"]) * pd.to_numeric(out["group_size"])
    ).to_numpy()
    out["n_star"] = n_star
    out["n_star_low"] = n_low
    out["n_star_high"] = n_high
    out["n_min"] = settings["n_min"].to_numpy()
    out["n_max"] = settings["n_max"].to_numpy()
    out["n_points"] = n_points.astype(np.int64)
    out["transition"] = label.astype(str)
    out.attrs = {"metric": metric, "threshold": tau, "n_boot": n_boot, "seed": int(seed)}
    return out[list(TRANSITION_COLUMNS)].reset_index(drop=True)
