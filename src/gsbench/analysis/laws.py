r"""Competing sample-complexity laws for the critical sample size n*, fitted per method.

Each law is a model of :math:`n^\star` as a function of the cell :math:`(p, g, s)`
(:math:`s` non-zero groups of size :math:`g`, :math:`k = s g` non-zero entries,
:math:`L = p/g` groups):

========== ================================================== ==============================
name       law                                                origin
========== ================================================== ==============================
entry      :math:`A\,k\log(e p/k)`                            ℓ1 / entrywise sparsity
group      :math:`A\,s g + B\,s\log(e L/s)`                   group ℓ1,2 (group lasso)
incoh_grp  :math:`A\,s^2 g`                                   Theorem 3, :math:`\delta_{out}\lesssim 1/s`
incoh_ent  :math:`A\,(s g)^2`                                 unstructured :math:`\mu\lesssim 1/(sg)`
power      :math:`\log n^\star = a + b\log s + c\log g\,(+\,d\log p)` free power law
========== ================================================== ==============================

All laws are fitted by least squares on the log scale,
:math:`\min_\theta \sum_i (\log n^\star_i - \log f_\theta(x_i))^2` (multiplicative noise;
the group law with :math:`A, B \ge 0`), so they share one Gaussian likelihood and their
AIC, :math:`m\log(\mathrm{RSS}/m) + 2(q + 1)` for :math:`m` cells and :math:`q`
constants, is comparable; with few cells the small-sample correction
:math:`\mathrm{AICc} = \mathrm{AIC} + 2k(k+1)/(m-k-1)`, :math:`k = q + 1`, is the one
used to rank them (a law with :math:`m \le k + 1` gets :math:`+\infty`).  Out-of-sample
error is the leave-one-cell-out root mean square error of :math:`\log n^\star`.

Intervals are percentile bootstrap intervals over cells that also carry each cell's own
uncertainty: a replicate resamples the cells with replacement and draws each drawn
cell's :math:`\log n^\star` from :math:`N(\log n^\star_i, \tau_i^2)`, with
:math:`\tau_i = (\log n^{hi}_i - \log n^{lo}_i)/(2 \cdot 1.96)` from the cell's own 95%
interval, before every law is refitted.  Replicates whose cells do not determine a law's
constants are counted (``boot_failed``), not silently dropped.

Two laws are *separable on the grid* only if their fitted predictions differ, in root
mean square over the fitted cells, by more than the residual standard deviation of the
best law, :math:`\sqrt{\mathrm{RSS}/(m-q)}` (:func:`law_distances`).  The free power
law's exponents are tested jointly, :math:`H_0: (b, c) = (b_0, c_0)`, by the Wald F test
:math:`F = \Delta^\top \widehat{\mathrm{Cov}}^{-1}\Delta / 2` on :math:`(2, m - q)`
degrees of freedom (:func:`power_wald_test`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import optimize

from .columns import require_columns
from .intervals import percentile_interval, resample_indices, tail_percent

__all__ = ["LAWS", "Law", "fit_laws", "law_table", "LAW_COLUMNS", "usable_transitions",
           "aicc", "law_distances", "power_wald_test", "implied_power_exponents",
           "log_n_sd", "laws_for"]


@dataclass(frozen=True)
class Law:
    """A sample-size law: its name, formula text, constant names and a fitter.

    ``fit(s, g, p, log_n) -> params`` returns the constants; ``predict(params, s, g, p)``
    returns :math:`\\log n^\\star`.
    """

    name: str
    formula: str
    params: tuple[str, ...]
    fit: Callable
    predict: Callable


def _one_constant(shape: Callable) -> tuple[Callable, Callable]:
    """Fit log n = log A + log shape(s, g, p): log A is the mean residual."""

    def fit(s, g, p, log_n):
        return np.array([np.exp(np.mean(log_n - np.log(shape(s, g, p))))])

    def predict(theta, s, g, p):
        return np.log(theta[0]) + np.log(shape(s, g, p))

    return fit, predict


def _entry_shape(s, g, p):
    k = s * g
    return k * np.log(np.e * p / k)


def _group_terms(s, g, p):
    return s * g, s * np.log(np.e * (p / g) / s)


def _group_fit(s, g, p, log_n):
    t1, t2 = _group_terms(s, g, p)
    n = np.exp(log_n)
    # Start from the linear least-squares fit on the natural scale, then refine on logs.
    start, *_ = np.linalg.lstsq(np.column_stack([t1, t2]), n, rcond=None)
    start = np.clip(start, 1e-3 * n.mean() / t1.mean(), None)

    def resid(theta):
        return log_n - np.log(theta[0] * t1 + theta[1] * t2)

    res = optimize.least_squares(resid, start, bounds=([1e-12, 0.0], [np.inf, np.inf]),
                                 xtol=1e-12, ftol=1e-12)
    return res.x


def _group_predict(theta, s, g, p):
    t1, t2 = _group_terms(s, g, p)
    return np.log(theta[0] * t1 + theta[1] * t2)


def _power_design(s, g, p, with_p: bool):
    cols = [np.ones_like(s), np.log(s), np.log(g)]
    if with_p:
        cols.append(np.log(p))
    return np.column_stack(cols)


def _power_law(with_p: bool) -> tuple[Callable, Callable]:
    def fit(s, g, p, log_n):
        beta, *_ = np.linalg.lstsq(_power_design(s, g, p, with_p), log_n, rcond=None)
        return beta

    def predict(theta, s, g, p):
        return _power_design(s, g, p, with_p) @ theta

    return fit, predict


def _laws(with_p: bool) -> dict[str, Law]:
    entry = _one_constant(_entry_shape)
    incoh_g = _one_constant(lambda s, g, p: s**2 * g)
    incoh_e = _one_constant(lambda s, g, p: (s * g) ** 2)
    power = _power_law(with_p)
    return {
        "entry": Law("entry", "A k log(e p/k)", ("A",), *entry),
        "group": Law("group", "A s g + B s log(e L/s)", ("A", "B"), _group_fit, _group_predict),
        "incoh_grp": Law("incoh_grp", "A s^2 g", ("A",), *incoh_g),
        "incoh_ent": Law("incoh_ent", "A (s g)^2", ("A",), *incoh_e),
        "power": Law("power", "log n* = a + b log s + c log g" + (" + d log p" if with_p else ""),
                     ("a", "b", "c", "d") if with_p else ("a", "b", "c"), *power),
    }


#: The laws (with the free power law's ``d log p`` term, used when p varies).
LAWS: dict[str, Law] = _laws(with_p=True)

#: Output columns of :func:`law_table`, in order.
LAW_COLUMNS: tuple[str, ...] = (
    "method", "law", "formula", "n_cells", "n_params", "rss", "aic", "aicc", "loo_rmse",
    "best_aic", "best_loo", "boot_failed", "param", "estimate", "low", "high",
)  # fmt: skip


def usable_transitions(transitions_df: pd.DataFrame, *, equal_groups: bool = True) -> pd.DataFrame:
    """Rows with ``transition == "ok"``, a finite positive ``n_star`` and (``equal_groups``)
    equal groups: a real design's unequal groups (``group_size`` 0) have no one :math:`g` for
    the laws in :math:`s g` (their n* is read against its convex references instead)."""
    require_columns(transitions_df, ["method", "p", "group_size", "active_groups", "n_star",
                                     "transition"], "laws")
    n_star = pd.to_numeric(transitions_df["n_star"], errors="coerce").to_numpy(dtype=float)
    ok = (transitions_df["transition"].astype("string") == "ok").fillna(False).to_numpy(dtype=bool)
    equal = pd.to_numeric(transitions_df["group_size"], errors="coerce").to_numpy(dtype=float) >= 1
    equal |= not equal_groups
    return transitions_df.loc[ok & np.isfinite(n_star) & (n_star > 0) & equal]


def _identifiable(law: Law, s, g, p) -> bool:
    """Whether the law's constants are determined by these cells."""
    if law.name == "power":
        X = _power_design(s, g, p, with_p=len(law.params) == 4)
        return np.linalg.matrix_rank(X) == X.shape[1]
    if law.name == "group":
        t1, t2 = _group_terms(s, g, p)
        return np.linalg.matrix_rank(np.column_stack([t1, t2])) == 2
    return True


def aicc(rss: float, m: int, q: int) -> float:
    r"""Small-sample AIC of a least-squares fit on the log scale: :math:`m\log(\mathrm{RSS}/m)
    + 2k + 2k(k+1)/(m-k-1)` with :math:`k = q + 1` (the constants and the residual variance);
    :math:`+\infty` when :math:`m \le k + 1`."""
    k = q + 1
    if m <= k + 1:
        return float("inf")
    return float(m * np.log(max(rss, 1e-300) / m) + 2 * k + 2 * k * (k + 1) / (m - k - 1))


def log_n_sd(n_star, low, high) -> np.ndarray:
    r"""Standard deviation of each :math:`\log n^\star` read off its 95% interval,
    :math:`(\log n^{hi} - \log n^{lo}) / (2 \cdot 1.96)`; 0 where the interval is missing."""
    n_star, low, high = (np.asarray(v, dtype=float) for v in (n_star, low, high))
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = (np.log(high) - np.log(low)) / (2 * 1.959963984540054)
    return np.where(np.isfinite(sd) & (sd > 0), sd, 0.0)


def laws_for(p) -> dict[str, Law]:
    """:data:`LAWS`, with the power law's log p term only when p takes several values."""
    return _laws(with_p=np.unique(np.asarray(p, dtype=float)).size > 1)


def fit_laws(s, g, p, n_star, *, n_boot: int = 200, seed: int = 0, confidence: float = 0.95,
             laws: dict[str, Law] | None = None, log_sd=None) -> dict[str, dict]:
    r"""Fit every law to one method's :math:`n^\star` values and compare them.

    Parameters
    ----------
    s, g, p : array_like of shape (m,)
        Active groups, group size and dimension of each cell.
    n_star : array_like of shape (m,)
        Critical sample sizes (positive).
    n_boot : int, default 200
        Bootstrap replicates (cells resampled with replacement, each drawn cell's log n*
        perturbed by its own uncertainty `log_sd`); 0 gives NaN intervals.
    seed : int, default 0
        Seed of the bootstrap.
    confidence : float, default 0.95
        Level of the percentile intervals.
    laws : dict, optional
        Laws to fit; default :func:`laws_for` of `p`.
    log_sd : array_like of shape (m,), optional
        Standard deviation of each cell's :math:`\log n^\star` (:func:`log_n_sd`); default 0.

    Returns
    -------
    dict
        law name -> ``{"params": {name: (estimate, low, high)}, "rss", "aic", "aicc",
        "loo_rmse", "n_params", "formula", "n_cells", "boot_failed", "theta", "fitted",
        "ratio_b_c": (estimate, low, high) (power law only)}``; ``fitted`` is the law's
        log n* on the cells, ``boot_failed`` the replicates whose cells did not determine
        the constants.  Laws whose constants the cells do not determine, or with fewer
        than ``n_params + 2`` cells, are left out.
    """
    s, g, p = (np.asarray(v, dtype=float) for v in (s, g, p))
    log_n = np.log(np.asarray(n_star, dtype=float))
    m = log_n.size
    sd = np.zeros(m) if log_sd is None else np.asarray(log_sd, dtype=float)
    if sd.shape != (m,):
        raise ValueError(f"fit_laws: log_sd has shape {sd.shape}, expected ({m},)")
    if laws is None:
        laws = laws_for(p)
    rng = np.random.default_rng(seed)
    boot_idx = resample_indices(rng, m, n_boot) if m else np.zeros((0, 0), int)
    boot_noise = rng.standard_normal((n_boot, m)) if m else np.zeros((0, 0))
    tail = tail_percent(confidence)
    out: dict[str, dict] = {}
    for name, law in laws.items():
        q = len(law.params)
        if m < q + 2 or not _identifiable(law, s, g, p):
            continue
        theta = law.fit(s, g, p, log_n)
        fitted = law.predict(theta, s, g, p)
        resid = log_n - fitted
        rss = float(resid @ resid)
        aic = m * np.log(max(rss, 1e-300) / m) + 2 * (q + 1)
        loo = np.empty(m)
        for i in range(m):
            keep = np.arange(m) != i
            if not _identifiable(law, s[keep], g[keep], p[keep]):
                loo[i] = np.nan
                continue
            th = law.fit(s[keep], g[keep], p[keep], log_n[keep])
            loo[i] = log_n[i] - law.predict(th, s[i:i + 1], g[i:i + 1], p[i:i + 1])[0]
        reps, failed = [], 0
        for idx, z in zip(boot_idx, boot_noise):
            if _identifiable(law, s[idx], g[idx], p[idx]):
                reps.append(law.fit(s[idx], g[idx], p[idx], log_n[idx] + sd[idx] * z))
            else:
                failed += 1
        reps = np.array(reps) if reps else np.full((0, q), np.nan)
        if len(reps):
            low, high = percentile_interval(reps, tail, axis=0)
        else:
            low = high = np.full(q, np.nan)
        entry = {
            "params": {k: (float(theta[j]), float(low[j]), float(high[j]))
                       for j, k in enumerate(law.params)},
            "rss": rss, "aic": float(aic), "aicc": aicc(rss, m, q),
            "loo_rmse": float(np.sqrt(np.nanmean(loo**2))),
            "n_params": q, "formula": law.formula, "n_cells": m, "boot_failed": failed,
            "theta": np.asarray(theta, dtype=float), "fitted": fitted,
        }
        if name == "power":
            ratio = reps[:, 1] / reps[:, 2] if len(reps) else np.array([np.nan])
            lo_r, hi_r = percentile_interval(ratio, tail) if len(reps) else (np.nan, np.nan)
            entry["ratio_b_c"] = (float(theta[1] / theta[2]), float(lo_r), float(hi_r))
        out[name] = entry
    return out


def law_distances(fits: dict[str, dict]) -> dict[tuple[str, str], float]:
    r"""Root mean square distance of every pair of fitted laws' :math:`\log n^\star` over
    the fitted cells, :math:`\big(\frac1m\sum_i (f_1(x_i) - f_2(x_i))^2\big)^{1/2}`."""
    names = list(fits)
    return {(a, b): float(np.sqrt(np.mean((fits[a]["fitted"] - fits[b]["fitted"]) ** 2)))
            for i, a in enumerate(names) for b in names[i + 1:]}  # fmt: skip


def power_wald_test(s, g, p, n_star, b0: float, c0: float) -> tuple[float, float, float]:
    r"""Wald F test of :math:`H_0: (b, c) = (b_0, c_0)` in the OLS fit
    :math:`\log n^\star = a + b\log s + c\log g\,(+\,d\log p)`.

    With :math:`\hat\beta`, :math:`\hat\sigma^2 = \mathrm{RSS}/(m - q)` and
    :math:`V = \hat\sigma^2 (X^\top X)^{-1}` restricted to :math:`(b, c)`,
    :math:`F = \Delta^\top V^{-1} \Delta / 2` with :math:`\Delta = (\hat b - b_0, \hat c - c_0)`,
    and :math:`p = \Pr[F_{2, m-q} > F]`.

    Returns
    -------
    (F, p_value, dof) : (float, float, float)
        NaN when the design is rank deficient or has no residual degree of freedom.
    """
    from scipy import stats

    s, g, p = (np.asarray(v, dtype=float) for v in (s, g, p))
    y = np.log(np.asarray(n_star, dtype=float))
    X = _power_design(s, g, p, with_p=np.unique(p).size > 1)
    m, q = X.shape
    if m <= q or np.linalg.matrix_rank(X) < q:
        return np.nan, np.nan, np.nan
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    sigma2 = float(resid @ resid) / (m - q)
    cov = sigma2 * np.linalg.inv(X.T @ X)[1:3, 1:3]
    delta = beta[1:3] - np.array([b0, c0])
    if sigma2 <= 0:
        return (np.inf, 0.0, float(m - q)) if np.any(delta != 0) else (0.0, 1.0, float(m - q))
    f = float(delta @ np.linalg.solve(cov, delta) / 2.0)
    return f, float(stats.f.sf(f, 2, m - q)), float(m - q)


def implied_power_exponents(fitted_log_n, s, g, p) -> tuple[float, float]:
    r"""The :math:`(b, c)` a fitted law implies on the given cells: the OLS power-law fit
    to the law's own predictions :math:`\log f(x_i)` (so the exponents of a law that is not
    a power law, e.g. :math:`A s g + B s \log(eL/s)`, are read on the same grid)."""
    s, g, p = (np.asarray(v, dtype=float) for v in (s, g, p))
    X = _power_design(s, g, p, with_p=np.unique(p).size > 1)
    beta, *_ = np.linalg.lstsq(X, np.asarray(fitted_log_n, dtype=float), rcond=None)
    return float(beta[1]), float(beta[2])


def law_table(transitions_df: pd.DataFrame, *, n_boot: int = 200, seed: int = 0,
              confidence: float = 0.95, laws: dict[str, Law] | None = None) -> pd.DataFrame:
    """Fit :func:`fit_laws` per method to the usable rows of `transitions_df` (``laws``: the
    laws to compare, default :func:`fit_laws`'s).

    Each cell's own n* interval (``n_star_low``, ``n_star_high``, when present) enters the
    bootstrap (:func:`log_n_sd`).  Returns a long table, one row per (method, law,
    constant) with columns :data:`LAW_COLUMNS`; the power law adds a row ``param = "b/c"``.
    ``best_aic`` / ``best_loo`` mark the law with the lowest AICc / leave-one-cell-out error
    of its method.
    """
    df = usable_transitions(transitions_df)
    rows = []
    for method in sorted(df["method"].unique(), key=str):
        sub = df[df["method"] == method]
        fits = fit_laws(sub["active_groups"], sub["group_size"], sub["p"], sub["n_star"],
                        n_boot=n_boot, seed=seed, confidence=confidence,
                        log_sd=_cell_sd(sub), laws=laws)
        if not fits:
            continue
        best_aic = min(fits, key=lambda k: (fits[k]["aicc"], fits[k]["aic"]))
        loo = {k: v["loo_rmse"] for k, v in fits.items() if np.isfinite(v["loo_rmse"])}
        best_loo = min(loo, key=loo.get) if loo else ""
        for name, f in fits.items():
            params = dict(f["params"])
            if "ratio_b_c" in f:
                params["b/c"] = f["ratio_b_c"]
            for param, (est, lo, hi) in params.items():
                rows.append({
                    "method": method, "law": name, "formula": f["formula"], "n_cells": f["n_cells"],
                    "n_params": f["n_params"], "rss": f["rss"], "aic": f["aic"], "aicc": f["aicc"],
                    "loo_rmse": f["loo_rmse"], "best_aic": name == best_aic,
                    "best_loo": name == best_loo, "boot_failed": f["boot_failed"], "param": param,
                    "estimate": est, "low": lo, "high": hi,
                })
    return pd.DataFrame(rows, columns=list(LAW_COLUMNS))


def _cell_sd(sub: pd.DataFrame) -> np.ndarray:
    if {"n_star_low", "n_star_high"} <= set(sub.columns):
        return log_n_sd(sub["n_star"], sub["n_star_low"], sub["n_star_high"])
    return np.zeros(len(sub))
