r"""The tolerated coherence :math:`\rho^\star` of decoy designs and its scaling in s and g.

In the decoy design (:func:`gsbench.problems.add_decoys`) a weight :math:`\rho` of the
signal direction is mixed into inactive columns.  Recovery succeeds for small
:math:`\rho` and fails beyond a tolerated coherence :math:`\rho^\star`.  Predictions (from
comparing gradients at the start):

* entrywise methods (``w = u^2 - v^2``, lasso) fail from :math:`\rho \approx 1/\sqrt{sg}`
  in both layouts: :math:`\rho^\star \propto s^{-1/2} g^{-1/2}`;
* group methods fail from :math:`\rho \approx 1/\sqrt{s}` with scattered decoys
  (:math:`\rho^\star \propto s^{-1/2} g^{0}`, the paper's :math:`\delta_{out} \lesssim 1/s`)
  but from :math:`1/\sqrt{sg}` with an aligned decoy group.

:func:`tolerated_coherence` estimates :math:`\rho^\star` per setting and
:func:`coherence_scaling` fits :math:`\log\rho^\star = a - b'\log s - c'\log g`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .columns import require_columns
from .intervals import format_interval
from .scaling import ols_fit
from .transitions import transitions

__all__ = [
    "RHO_KEYS",
    "RHO_STAR_COLUMNS",
    "PREDICTIONS",
    "tolerated_coherence",
    "coherence_scaling",
    "method_kind",
    "verdict_section",
    "bound_section",
    "difference_section",
    "incoherence_report",
]

#: Keys of one success-versus-rho curve.
RHO_KEYS: tuple[str, ...] = ("method", "decoy_layout", "p", "group_size", "active_groups", "sigma")
RHO_STAR_COLUMNS: tuple[str, ...] = (
    *RHO_KEYS, "n", "rho_star", "rho_star_low", "rho_star_high", "rho_min", "rho_max",
    "rho_points", "transition", "rho_entry", "rho_group",
)  # fmt: skip
SCALING_COLUMNS: tuple[str, ...] = (
    "method", "decoy_layout", "sigma", "b_prime", "b_low", "b_high", "c_prime", "c_low",
    "c_high", "r2", "n_points", "note", "b_se", "c_se", "dof",
)  # fmt: skip
#: Predicted exponents (b', c') by kind of method and layout.
PREDICTIONS: dict[tuple[str, str], tuple[float, float]] = {
    ("entrywise", "scattered"): (0.5, 0.5),
    ("entrywise", "aligned"): (0.5, 0.5),
    ("group", "scattered"): (0.5, 0.0),
    ("group", "aligned"): (0.5, 0.5),
}
# transitions() labels in 1/rho -> labels in rho.
_LABELS = {"ok": "ok", "below_grid": "above_grid", "above_grid": "below_grid",
           "not_monotone": "not_monotone", "all_failed": "all_failed"}  # fmt: skip


def tolerated_coherence(
    trials: pd.DataFrame,
    metric: str = "rel_error_oracle",
    threshold: float = 0.05,
    n_boot: int = 200,
    seed: int = 0,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    r"""The tolerated coherence :math:`\rho^\star` (50% success) per curve, with an interval.

    For every ``(method, decoy_layout, p, group_size, active_groups, sigma)`` the success
    indicator is regressed on :math:`\log(1/\rho)` by the same ridge logistic fit and
    percentile bootstrap as the critical sample size
    (:func:`gsbench.analysis.transitions`, whose grid-edge rules apply with the roles of
    the two edges exchanged): :math:`\rho^\star = 1/t^\star` where :math:`t^\star` is the
    fitted crossing in :math:`t = 1/\rho`.

    Labels (``transition``): ``"ok"`` (:math:`\rho^\star` inside the grid),
    ``"above_grid"`` (at least half succeed even at the largest :math:`\rho`),
    ``"below_grid"`` (fewer than half succeed at the smallest :math:`\rho`),
    ``"not_monotone"``.  Only ``"ok"`` rows carry numbers.  Rows with :math:`\rho = 0`
    are ignored (no decoy).

    Parameters
    ----------
    trials : pandas.DataFrame
        Per-trial rows of decoy cells with the columns of :data:`RHO_KEYS`, ``decoy_rho``,
        ``n``, ``status`` and `metric` (one ``n`` per curve).
    metric, threshold, n_boot, seed, confidence
        As for :func:`gsbench.analysis.transitions`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RHO_STAR_COLUMNS`; ``rho_entry = 1/sqrt(s g)`` and
        ``rho_group = 1/sqrt(s)`` are the predicted thresholds up to a constant.
    """
    require_columns(trials, [*RHO_KEYS, "decoy_rho", "n", "status", metric], "tolerated_coherence")
    work = trials[trials["decoy_rho"] > 0].copy()
    n_per_curve = work.groupby(list(RHO_KEYS), observed=True)["n"].nunique()
    if (n_per_curve > 1).any():
        bad = n_per_curve[n_per_curve > 1].index[0]
        raise ValueError(f"tolerated_coherence: curve {dict(zip(RHO_KEYS, bad))} has several n")
    n_of = work.groupby(list(RHO_KEYS), observed=True)["n"].first()
    # transitions() keys on `design`; put the layout there and 1/rho in place of n.
    work["design"] = work["decoy_layout"].astype(str)
    work["n"] = 1.0 / work["decoy_rho"].astype(float)
    trans = transitions(work, metric=metric, threshold=threshold, n_boot=n_boot, seed=seed,
                        confidence=confidence)
    out = trans.rename(columns={"design": "decoy_layout"})
    out["rho_star"] = 1.0 / out["n_star"]
    out["rho_star_low"] = 1.0 / out["n_star_high"]
    out["rho_star_high"] = 1.0 / out["n_star_low"]
    out["rho_min"] = 1.0 / out["n_max"]
    out["rho_max"] = 1.0 / out["n_min"]
    out["rho_points"] = out["n_points"]
    out["transition"] = out["transition"].map(_LABELS)
    out["n"] = [n_of.get(tuple(r), np.nan) for r in out[list(RHO_KEYS)].itertuples(index=False)]
    s, g = out["active_groups"].astype(float), out["group_size"].astype(float)
    out["rho_entry"] = 1.0 / np.sqrt(s * g)
    out["rho_group"] = 1.0 / np.sqrt(s)
    out = out[list(RHO_STAR_COLUMNS)]
    return out.sort_values(list(RHO_KEYS), kind="stable").reset_index(drop=True)


def _measurement_halfwidth(X, sub, fit, confidence):
    r"""Half-widths of the exponents' intervals: the OLS t half-width combined with the
    uncertainty of every :math:`\log\rho^\star_i` itself.

    With :math:`A = (X^\top X)^{-1} X^\top` and independent measurement variances
    :math:`v_i = \big((\log\rho^{hi}_i - \log\rho^{lo}_i) / (2 z)\big)^2` (z the normal
    quantile of `confidence`), the estimate's variance gains :math:`A\,\mathrm{diag}(v)A^\top`.
    Without it, a :math:`\rho^\star` quantised by the grid (identical at every (s, g))
    would give a zero-width interval.
    """
    from scipy import stats

    t = stats.t.ppf(0.5 + 0.5 * confidence, X.shape[0] - X.shape[1])
    z = stats.norm.ppf(0.5 + 0.5 * confidence)
    se_ols = (fit["high"] - fit["beta"]) / t
    width = np.log(sub["rho_star_high"].to_numpy(float)) - np.log(sub["rho_star_low"].to_numpy(float))
    v = np.nan_to_num(width / (2 * z)) ** 2
    A = np.linalg.solve(X.T @ X, X.T)
    se_meas = np.sqrt(np.einsum("ji,i,ji->j", A, v, A))
    return t * np.sqrt(se_ols**2 + se_meas**2)


def coherence_scaling(rho_star: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    r"""Fit :math:`\log\rho^\star = a - b'\log s - c'\log g` per (method, layout, sigma).

    Ordinary least squares on the ``"ok"`` rows of :func:`tolerated_coherence` with t
    intervals (:func:`gsbench.analysis.scaling.ols_fit`) widened by the propagated
    uncertainty of each :math:`\rho^\star` (its bootstrap interval; see
    ``_measurement_halfwidth``).  An exponent whose regressor does
    not vary (one s or one g) is left out of the fit (NaN) and named in ``note``; a fit with
    no residual degree of freedom is not made.

    Returns
    -------
    pandas.DataFrame
        Columns ``method, decoy_layout, sigma, b_prime, b_low, b_high, c_prime, c_low,
        c_high, r2, n_points, note, b_se, c_se, dof``; ``*_se`` is the standard error behind
        the interval (half-width / t quantile on ``dof`` degrees of freedom).
    """
    require_columns(rho_star, [*RHO_KEYS, "rho_star", "transition"], "coherence_scaling")
    ok = rho_star[(rho_star["transition"] == "ok") & (rho_star["rho_star"] > 0)]
    rows = []
    for (method, layout, sigma), sub in rho_star.groupby(
        ["method", "decoy_layout", "sigma"], sort=True, observed=True
    ):
        sub = ok[(ok["method"] == method) & (ok["decoy_layout"] == layout) & (ok["sigma"] == sigma)]
        row = {c: np.nan for c in SCALING_COLUMNS}
        row.update(method=method, decoy_layout=layout, sigma=sigma, n_points=len(sub))
        regressors = {
            "b": -np.log(sub["active_groups"].to_numpy(float)),
            "c": -np.log(sub["group_size"].to_numpy(float)),
        }
        used = {k: v for k, v in regressors.items() if v.size and np.ptp(v) > 0}
        notes = [f"{k}' not fitted ({'s' if k == 'b' else 'g'} does not vary)"
                 for k in regressors if k not in used and len(sub)]
        if len(sub) <= len(used) + 1:
            notes.append(f"too few interior rho* ({len(sub)}) to fit")
        elif used:
            X = np.column_stack([np.ones(len(sub)), *used.values()])
            fit = ols_fit(X, np.log(sub["rho_star"].to_numpy(float)), confidence)
            half = _measurement_halfwidth(X, sub, fit, confidence)
            dof = X.shape[0] - X.shape[1]
            t = stats.t.ppf(0.5 + 0.5 * confidence, dof)
            for j, name in enumerate(used, start=1):
                row[f"{name}_prime"] = fit["beta"][j]
                row[f"{name}_low"] = fit["beta"][j] - half[j]
                row[f"{name}_high"] = fit["beta"][j] + half[j]
                row[f"{name}_se"] = half[j] / t
            row["dof"] = dof
            row["r2"] = fit["r2"]
        row["note"] = "; ".join(notes)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(SCALING_COLUMNS))


def method_kind(name: str) -> str:
    """``"group"`` for a group-structured method (DGLNN variants, group lasso), else
    ``"entrywise"``; ``name`` is a registry name (``method_name`` column)."""
    return "group" if name.startswith("dglnn") or "group" in name else "entrywise"


def _interval(value, low, high) -> str:
    return format_interval(value, low, high, ".2f", missing="not fitted")


#: How the heuristic's verdict follows from the fitted exponents (see :func:`verdict_section`).
CRITERION = "95% intervals of b′, c′ against the prediction (two-sided)"
RULE = ("Refuted: a 95% interval excludes the predicted b′ or c′; supported: both contain it "
        "and c′'s interval excludes the competing value (0 against 1/2); else inconclusive.")
#: The bound's condition in words, by kind of method.
BOUND_SOURCE = {"group": "Theorem 3, δ_out ≲ 1/s", "entrywise": "μ ≲ 1/(s g)"}
LEVEL = 0.05


def _curves(rho_star: pd.DataFrame, row) -> str:
    """How many ρ* curves of a (method, layout, sigma) the fit used and how many were
    censored (no ρ* inside the ρ grid)."""
    sub = rho_star[(rho_star["method"] == row.method) & (rho_star["decoy_layout"] == row.decoy_layout)
                   & (rho_star["sigma"] == row.sigma)]
    counts = sub["transition"].astype(str).value_counts().to_dict()
    cens = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(counts.items()) if k != "ok")
    return f"σ={row.sigma:g}: {row.n_points} of {len(sub)} curves used; censored: {cens or 'none'}"


def verdict_section(rho_star: pd.DataFrame, fits: pd.DataFrame, kinds: dict[str, str]):
    r"""The start-gradient heuristic's *failure threshold*, judged two-sided: per (method,
    layout, sigma) the fitted exponents of :math:`\rho^\star \propto s^{-b'} g^{-c'}`
    against :data:`PREDICTIONS` for the method's kind.

    A finding is "refuted" when a 95% interval excludes the predicted exponent,
    "supported" when both hold it and the interval of c' excludes the competing value
    (c' = 0 against c' = 1/2: the two hypotheses differ only in the g-dependence),
    "inconclusive" otherwise (including an exponent that could not be fitted).  The
    heuristic predicts where recovery fails, so a ρ* falling more slowly than predicted
    contradicts it as much as one falling faster.

    Parameters
    ----------
    rho_star, fits : pandas.DataFrame
        Outputs of :func:`tolerated_coherence` and :func:`coherence_scaling`.
    kinds : dict
        Method label -> ``"group"`` or ``"entrywise"`` (see :func:`method_kind`).
    """
    from ..verdict import Finding, Section

    findings = []
    for row in fits.itertuples(index=False):
        kind = kinds.get(row.method, method_kind(row.method))
        b, c = PREDICTIONS[(kind, row.decoy_layout)]
        statement = (f"heuristic: {row.method} ({kind}), {row.decoy_layout} decoys fail at "
                     f"ρ* ∝ s^-{b:g} g^-{c:g}")
        setting = (f"{_curves(rho_star, row) if 'method' in rho_star else f'σ={row.sigma:g}'}"
                   f"{'; ' + row.note if row.note else ''}")
        measured = (f"b′ = {_interval(row.b_prime, row.b_low, row.b_high)}, "
                    f"c′ = {_interval(row.c_prime, row.c_low, row.c_high)}")
        c_alt = 0.5 - c  # the other hypothesis on g: 0 (no g-dependence) or 1/2
        if not (np.isfinite(row.b_prime) and np.isfinite(row.c_prime)):
            verdict = "inconclusive"
        elif not (row.b_low <= b <= row.b_high and row.c_low <= c <= row.c_high):
            verdict = "refuted"
        elif row.c_low <= c_alt <= row.c_high:
            verdict = "inconclusive"  # the interval cannot tell c' = 0 from c' = 1/2
        else:
            verdict = "supported"
        findings.append(Finding(statement, setting, measured, criterion=CRITERION, verdict=verdict,
                                claim=f"{row.method}, {row.decoy_layout} decoys, σ={row.sigma:g}",
                                quantity="failure-threshold heuristic"))
    counts = rho_star["transition"].value_counts().to_dict()
    text = (
        "Decoy designs: inactive columns x_d = √(1−ρ²) z_d + ρ √n y*/‖y*‖ at "
        "n = c·D_ℓ1(s·g, p). ρ* is the decoy weight at which half of the trials recover "
        "(logistic fit in log ρ, 95% bootstrap interval); b′, c′ are fitted by OLS on "
        "log ρ* over the curves with an interior ρ* (t intervals widened by each ρ*'s own "
        "interval). The start-gradient heuristic predicts the failure threshold: entrywise "
        "methods ρ* ∝ (sg)^-1/2 in both layouts; group methods ρ* ∝ s^-1/2 (scattered) and "
        f"(sg)^-1/2 (aligned). {RULE} "
        f"Curves: {', '.join(f'{k}: {v}' for k, v in sorted(counts.items()))}."
    )
    return Section("Start-gradient heuristic: the failure threshold (two-sided)", findings, text)


def _one_sided(est, se, dof, target, direction: int) -> float:
    """p-value of H0: exponent ≤ target (direction +1) or ≥ target (-1), t on dof."""
    if not (np.isfinite(est) and np.isfinite(se) and se > 0 and np.isfinite(dof) and dof > 0):
        return np.nan
    return float(stats.t.sf(direction * (est - target) / se, dof))


def bound_section(rho_star: pd.DataFrame, fits: pd.DataFrame, kinds: dict[str, str]):
    r"""The sufficient condition, judged one-sided.

    Theorem 3 (group methods) and the entrywise analyses (μ ≲ 1/(sg)) are sufficient
    conditions: they bound from below the coherence a method tolerates,
    :math:`\rho^\star \gtrsim s^{-b_0} g^{-c_0}` with :math:`(b_0, c_0)` of
    :data:`PREDICTIONS`.  Only a :math:`\rho^\star` falling *faster* can contradict it:

    * **violated**: an exponent's 95% interval lies above its bound
      (:math:`b'_{low} > b_0` or :math:`c'_{low} > c_0`); test p-value: the smaller
      one-sided t p-value of :math:`H_0: b' \le b_0`, :math:`H_0: c' \le c_0`, doubled
      (Bonferroni over the two exponents);
    * **holds, not tight**: not violated, and an interval lies below its bound
      (ρ* falls more slowly than the bound allows); p-value likewise with
      :math:`H_0: b' \ge b_0` (or :math:`c'`);
    * **consistent with the bound (as tight as it)**: neither.

    The p-values enter the document's Holm control; a row whose adjusted p-value exceeds
    0.05 reads "consistent with the bound".
    """
    from ..verdict import Finding, Section

    findings = []
    for row in fits.itertuples(index=False):
        kind = kinds.get(row.method, method_kind(row.method))
        b0, c0 = PREDICTIONS[(kind, row.decoy_layout)]
        dof = getattr(row, "dof", np.nan)
        b_se, c_se = getattr(row, "b_se", np.nan), getattr(row, "c_se", np.nan)
        measured = (f"b′ = {_interval(row.b_prime, row.b_low, row.b_high)}, "
                    f"c′ = {_interval(row.c_prime, row.c_low, row.c_high)}")
        fitted = [(e, lo, hi, se, t) for e, lo, hi, se, t in (
            (row.b_prime, row.b_low, row.b_high, b_se, b0),
            (row.c_prime, row.c_low, row.c_high, c_se, c0)) if np.isfinite(e)]
        if not fitted:
            verdict, p = "inconclusive (no exponent fitted)", np.nan
        elif any(lo > t for _, lo, _, _, t in fitted):
            verdict = "violated"
            p = min(1.0, len(fitted) * np.nanmin([_one_sided(e, se, dof, t, +1)
                                                  for e, _, _, se, t in fitted]))
        elif any(hi < t for _, _, hi, _, t in fitted):
            verdict = "holds, not tight"
            p = min(1.0, len(fitted) * np.nanmin([_one_sided(e, se, dof, t, -1)
                                                  for e, _, _, se, t in fitted]))
        else:
            verdict, p = "consistent with the bound", np.nan
        findings.append(Finding(
            f"bound ({BOUND_SOURCE[kind]}): {row.method} ({kind}), {row.decoy_layout} decoys "
            f"tolerate ρ* ≳ s^-{b0:g} g^-{c0:g}",
            (f"{_curves(rho_star, row)}{'; ' + row.note if row.note else ''}"), measured,
            criterion=("one-sided: violated if an interval lies above the bound's exponent, "
                       "holds-not-tight if one lies below"),
            verdict=verdict, null_verdict="consistent with the bound", p_value=p,
            claim=f"{row.method}, {row.decoy_layout} decoys, σ={row.sigma:g}",
            quantity="sufficient condition"))
    text = ("The paper's bound (Theorem 3 for group methods) and μ ≲ 1/(sg) for entrywise "
            "methods are sufficient conditions: they bound from below the coherence a method "
            "tolerates. A ρ* falling more slowly than the bound (b′ below its exponent) is what "
            "a loose sufficient condition predicts; only one falling faster contradicts it. "
            "Scaling reading only: no cell reaches the theorem's constants (Regime).")
    return Section("Sufficient condition: the paper's bound (one-sided)", findings, text)


def difference_section(fits: pd.DataFrame, kinds: dict[str, str]):
    r"""Group against entrywise: the difference of ρ*'s g-exponent
    :math:`\Delta c' = c'_{group} - c'_{entrywise}` per layout and sigma, with the normal
    interval :math:`\Delta c' \pm 1.96\sqrt{se_1^2 + se_2^2}` (independent fits) and the
    two-sided p-value of :math:`\Delta c' = 0`.  The heuristic predicts :math:`-1/2` with
    scattered decoys (the group method's ρ* does not shrink with g) and 0 with aligned ones."""
    from ..verdict import Finding, Section, interval_side

    findings = []
    z = stats.norm.ppf(0.975)
    for (layout, sigma), sub in fits.groupby(["decoy_layout", "sigma"], sort=True):
        grp = [r for r in sub.itertuples() if kinds.get(r.method, method_kind(r.method)) == "group"]
        ent = [r for r in sub.itertuples() if kinds.get(r.method, method_kind(r.method)) != "group"]
        for a in grp:
            for b in ent:
                d = a.c_prime - b.c_prime
                se = float(np.hypot(getattr(a, "c_se", np.nan), getattr(b, "c_se", np.nan)))
                lo, hi = d - z * se, d + z * se
                p = float(2 * stats.norm.sf(abs(d) / se)) if np.isfinite(d) and se > 0 else np.nan
                side = interval_side(lo, hi, 0.0) if np.isfinite(p) else "none"
                verdict = {"none": "inconclusive (an exponent was not fitted)",
                           "below": f"{a.method}'s ρ* depends less on g than {b.method}'s",
                           "above": f"{a.method}'s ρ* depends more on g than {b.method}'s",
                           "contains": "no difference shown"}[side]
                findings.append(Finding(
                    f"c′ of {a.method} − c′ of {b.method}, {layout} decoys",
                    f"σ={sigma:g}; {a.n_points} and {b.n_points} interior ρ*", d, lo, hi,
                    criterion=("95% normal interval of the difference of two independent fits; "
                               "heuristic: −1/2 scattered, 0 aligned"),
                    verdict=verdict, null_verdict="no difference shown", p_value=p,
                    claim=f"{a.method} vs {b.method}, {layout} decoys, σ={sigma:g}",
                    quantity="Δc′"))
    return Section("Group against entrywise: difference of ρ*'s g-exponent", findings,
                   "The comparative form of the claim: a group method's tolerated coherence "
                   "should shrink less with g than an entrywise method's on scattered decoys.")


def incoherence_report(trials: pd.DataFrame, metric: str, threshold: float, n_boot: int,
                       seed: int = 0):
    """ρ* table, exponent fits and the verdict sections (Regime, the bound one-sided, the
    heuristic two-sided, the group−entrywise difference) of a decoy study's trials."""
    from ..verdict import Section
    from .law_verdict import regime_text

    decoy = trials[trials["design"] == "decoy"]
    rho_star = tolerated_coherence(decoy, metric=metric, threshold=threshold, n_boot=n_boot,
                                   seed=seed)
    fits = coherence_scaling(rho_star)
    names = decoy.groupby("method", observed=True)["method_name"].first()
    kinds = {label: method_kind(str(name)) for label, name in names.items()}
    n_max = float(decoy["n"].max()) if len(decoy) else np.nan
    s_vals = pd.unique(decoy["active_groups"]) if len(decoy) else [1]
    sections = [Section("Regime", [], regime_text(n_max, s_vals)),
                bound_section(rho_star, fits, kinds), verdict_section(rho_star, fits, kinds),
                difference_section(fits, kinds)]
    return rho_star, fits, sections
