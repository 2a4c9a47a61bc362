"""Claim 7 (new): is DGLNN's implicit bias the minimum group-ℓ1,2 interpolant?

The object is the small-initialisation limit of gradient descent on ``w = (D u)^2 ⊙ v``:
plain gradient descent from a data-independent start ``u = alpha``, ``v_l = alpha / sqrt 2
d`` (:mod:`.small_init_gd`), for alpha down to ``gd.alphas``' smallest, each for
``T(alpha) = budget_base + budget_scale / alpha`` iterations and again for ``2 T``. On
noiseless problems with n below the group transition, its final iterate ``w`` (projected
onto ``{X w = y}``, which moves it by the reported ``projection_shift``) is compared with
group basis pursuit ``w_GBP = argmin sum_l ||w_l|| s.t. X w = y``
(:func:`gsbench.convex.group_basis_pursuit`, unit weights, certified by its duality gap) and
with basis pursuit ``w_BP`` (minimum ℓ1): ``ratio = R(w) / R(w_GBP)`` with
``R(w) = sum_l ||w_l||_2`` (>= 1 for any interpolant), distances ``||w - w_ref|| / ||w_ref||``.

A (trial, alpha) *converged* when ``||X w - y|| / ||y|| <= gd.interp_tol`` at ``2 T`` and
doubling the budget changed the distance to w_GBP by under ``gd.stable_change`` (relative;
distances below 1e-3 count as 1e-3). An alpha *counts* when at least
``criteria.min_converged`` of its trials converged; medians are over converged trials.

Rule (a conjecture, refuted only by a converged counter-example): **agrees** when the
ratio's interval at the smallest counted alpha lies within ``1 + criteria.ratio``;
**disagrees** only when, at the two smallest counted alphas, the ratio's interval lies above
``1 + criteria.ratio`` and the ratio does not fall (the interval of the median paired
decrease from the larger to the smaller alpha lies below ``criteria.ratio``); otherwise
**inconclusive** (also with fewer than two counted alphas).

Algorithms 1 and 2 (``methods``: registry ``dglnn1``, ``dglnn2``) are fitted on the same
problems and reported apart, outside the verdict (see :data:`NORMALISED_NOTE`).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.intervals import format_interval
from ..convex import basis_pursuit, group_basis_pursuit
from ..verdict import Finding, Measure
from ..atomic import write_table as write_csv
from .fitting import fit_labels, setting_problems, whole_run
from .plotting import band, figure, legend, log_scale
from .trial_stats import bootstrap, counts
from .verdicts import claim_finding, fmt_setting
from .settings import method_spec
from .small_init_gd import init_direction, small_init_gd

SOURCE = "new question (no paper); the group analogue of Chou, Maly & Rauhut (2021)"
STATEMENT = ("As alpha -> 0, DGLNN's final iterate approaches the minimum group-l1,2 "
             "interpolant (group basis pursuit).")
RULE = "conjecture: agrees if the group-norm ratio is within {tol:g} of 1 at the smallest converged alpha; " \
       "disagrees only if it stays above 1 + {tol:g} and does not fall over the two smallest converged alphas"
NORMALISED_NOTE = (
    "Algorithms 1 and 2 normalise each v_l to unit norm at every step (step 1/u_l^4 on v), so "
    "alpha enters u only and the direction is re-set from the gradient at every step: they are "
    "not a small-initialisation gradient flow, and their final iterate is no evidence on its limit.")


def group_norm(w: np.ndarray, g: int) -> np.ndarray:
    """``sum_l ||w_l||_2`` over contiguous groups of size g (last axis)."""
    return np.sqrt((w.reshape(*w.shape[:-1], -1, g) ** 2).sum(-1)).sum(-1)


def project(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``w + X^+ (y - X w)``: the nearest point of ``{X w = y}`` (X of full row rank)."""
    return w + np.linalg.lstsq(X, y - X @ w, rcond=None)[0]


def _references(problems, g):
    rows, gbp, bp = [], [], []
    for t, pr in enumerate(problems):
        cert = group_basis_pursuit(pr.X, pr.y, pr.groups, weights=np.ones(int(pr.groups.max()) + 1),
                                   max_iter=50000)
        w_bp = basis_pursuit(pr.X, pr.y).coef
        gbp.append(cert.coef)
        bp.append(w_bp)
        rows.append({"trial": t, "seed": pr.seed, "gbp_group_norm": float(group_norm(cert.coef, g)),
                     "gbp_relative_gap": cert.gap / max(1.0, cert.primal_value),
                     "gbp_converged": bool(cert.converged),
                     "gbp_distance_to_w_star": float(np.linalg.norm(cert.coef - pr.w_star) / np.linalg.norm(pr.w_star)),
                     "bp_distance_to_gbp": float(np.linalg.norm(w_bp - cert.coef) / np.linalg.norm(cert.coef)),
                     "bp_group_ratio": float(group_norm(w_bp, g) / group_norm(cert.coef, g))})
    return pd.DataFrame(rows), gbp, bp


def _compare(pr, w, w_gbp, w_bp, g) -> dict:
    """Distances and norm ratios of one final iterate w (projected onto {Xw = y})."""
    wp = project(pr.X, pr.y, w)
    return {"distance": float(np.linalg.norm(wp - w_gbp) / np.linalg.norm(w_gbp)),
            "distance_bp": float(np.linalg.norm(wp - w_bp) / np.linalg.norm(w_bp)),
            "ratio": float(group_norm(wp, g) / group_norm(w_gbp, g)),
            "l1_ratio": float(np.abs(wp).sum() / np.abs(w_bp).sum()),
            "projection_shift": float(np.linalg.norm(wp - w) / np.linalg.norm(w_gbp))}


def gd_trials(sec: dict, problems, gbp, bp) -> pd.DataFrame:
    """Plain GD (:func:`.small_init_gd.small_init_gd`) per (trial, alpha): residuals and
    distances at T and 2T, the comparisons of the 2T iterate, and the convergence flags."""
    gd, g = sec["gd"], int(sec["problem"]["group_size"])
    alphas = np.array(gd["alphas"], dtype=float)
    budgets = np.ceil(gd["budget_base"] + gd["budget_scale"] / alphas).astype(np.int64)
    out = small_init_gd(np.stack([pr.X for pr in problems]), np.stack([pr.y for pr in problems]), g,
                        alphas, budgets, direction=init_direction(g, gd["direction"], gd["direction_seed"]),
                        step_factor=gd["step_factor"])  # fmt: skip
    rows = []
    for t, pr in enumerate(problems):
        for k, a in enumerate(alphas):
            w_T, w_2T = out["coef"][t, k]
            d_T = float(np.linalg.norm(project(pr.X, pr.y, w_T) - gbp[t]) / np.linalg.norm(gbp[t]))
            cmp = _compare(pr, w_2T, gbp[t], bp[t], g)
            change = abs(cmp["distance"] - d_T) / max(cmp["distance"], 1e-3)
            interp = bool(out["residual"][t, k, 1] <= gd["interp_tol"])
            rows.append({"model": "gd", "trial": t, "seed": pr.seed, "alpha": float(a),
                         "iterations": int(2 * budgets[k]), "status": "ok",
                         "residual_T": float(out["residual"][t, k, 0]), "train_residual": float(out["residual"][t, k, 1]),
                         "distance_T": d_T, **cmp, "doubling_change": change, "interpolated": interp,
                         "stable": bool(change < gd["stable_change"]),
                         "converged": interp and bool(change < gd["stable_change"])})
    return pd.DataFrame(rows)


def algorithm_trials(sec: dict, problems, gbp, bp) -> pd.DataFrame:
    """Algorithms 1 and 2 (``sec["methods"]``), run without early stopping for ``max_iter``."""
    g = int(sec["problem"]["group_size"])
    ref = {pr.seed: (a, b) for pr, a, b in zip(problems, gbp, bp)}
    runs = {}
    for label, body in sec["methods"].items():
        name, params = method_spec(label, body)
        runs[label] = (name, whole_run(params, int(params.pop("max_iter", sec["max_iter"])), sec["stride"]))
    frames = fit_labels(runs, problems, threshold=1.0, interp_tol=sec["interp_tol"],
                        extra=lambda res, pr: _compare(pr, res.coef_final, *ref[pr.seed], g))
    out = []
    for label, frame in frames.items():
        frame = frame.assign(model=runs[label][0], alpha=runs[label][1].get("alpha"))
        frame["converged"] = frame["interpolated"]
        out.append(frame)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def median_converged(col: str):
    def stat(f: pd.DataFrame) -> float:
        c = f[f["converged"].astype(bool)]
        return float(np.median(c[col])) if len(c) else math.nan

    return stat


def paired_decrease(f: pd.DataFrame, small: float, large: float) -> float:
    """Median over trials converged at both alphas of ``ratio(large) - ratio(small)``."""
    c = f[f["converged"].astype(bool)]
    a = c[c["alpha"] == small].set_index("trial")["ratio"]
    b = c[c["alpha"] == large].set_index("trial")["ratio"]
    both = a.index.intersection(b.index)
    return float(np.median(b[both] - a[both])) if len(both) else math.nan


def limit_verdict(trials: pd.DataFrame, tol: float, min_converged: float, n_boot: int, seed: int
                  ) -> tuple[str, str, list[Measure], list[float]]:
    """The rule of the module docstring on per-(trial, alpha) rows with columns ``trial,
    alpha, converged, ratio``. Returns (verdict, reason, measures, counted alphas)."""
    frac = trials.groupby("alpha")["converged"].mean()
    counted = sorted((a for a, f in frac.items() if f >= min_converged), reverse=True)
    measures = [bootstrap(trials[trials["alpha"] == a], median_converged("ratio"), n_boot, seed,
                          f"gd alpha={a:g} ratio R/R_GBP") for a in counted]
    by_alpha = dict(zip(counted, measures))
    skipped = [a for a in sorted(frac.index, reverse=True) if a not in counted]
    note = (f"; alpha in {skipped} did not converge in >= {min_converged:.0%} of trials "
            f"(fraction {', '.join(f'{frac[a]:.2f}' for a in skipped)})") if skipped else ""
    if len(counted) < 2:
        return "inconclusive", f"Fewer than two alphas converged{note}.", measures, counted
    small, second = counted[-1], counted[-2]
    m1, m2 = by_alpha[small], by_alpha[second]
    pair = trials[trials["alpha"].isin([small, second])]
    drop = bootstrap(pair, lambda f: paired_decrease(f, small, second), n_boot, seed,
                     f"gd ratio decrease alpha={second:g} -> {small:g}")
    measures.append(drop)
    trend = ", ".join(f"{m.value:.4g} at {a:g}" for a, m in by_alpha.items())
    text = f"ratio {trend}; decrease over the last step {format_interval(drop.value, drop.low, drop.high)}{note}"
    if np.isfinite(m1.high) and m1.high <= 1 + tol:
        return "agrees", f"At alpha={small:g} the ratio is within {tol:g} of 1 ({text}).", measures, counted
    above = all(np.isfinite(m.low) and m.low > 1 + tol for m in (m1, m2))
    flat = np.isfinite(drop.high) and drop.high < tol
    if above and flat:
        return "disagrees", (f"Converged down to alpha={small:g}, the ratio stays above 1 + {tol:g} and does "
                             f"not fall ({text})."), measures, counted
    why = "it is not above 1 + tol at both alphas" if not above else "it may still fall"
    return "inconclusive", f"Neither within tolerance nor shown to stay above it: {why} ({text}).", measures, counted


def run(settings: dict, outdir: str | Path) -> Finding:
    """Fit, solve both references, write ``min_group_l12.csv`` and ``min_group_l12.png``."""
    sec, outdir = settings["min_group_l12"], Path(outdir)
    crit, g = sec["criteria"], int(sec["problem"]["group_size"])
    problems = setting_problems(sec["problem"], sec["trials"])
    refs, gbp, bp = _references(problems, g)
    gd = gd_trials(sec, problems, gbp, bp)
    algos = algorithm_trials(sec, problems, gbp, bp)
    trials = pd.concat([gd, algos], ignore_index=True).merge(refs, on=["trial", "seed"], how="left")
    csv = write_csv(trials, outdir / "min_group_l12.csv")
    nb, seed = settings["bootstrap"], settings["seed"]
    verdict, reason, measures, counted = limit_verdict(gd, crit["ratio"], crit["min_converged"], nb, seed)
    if counted:  # which reference is the limit closer to, at the smallest counted alpha
        at = gd[(gd["alpha"] == counted[-1]) & gd["converged"]]
        measures += [bootstrap(gd[gd["alpha"] == counted[-1]], median_converged(c), nb, seed,
                               f"gd alpha={counted[-1]:g} {label}")
                     for c, label in (("distance", "distance to w_GBP"), ("distance_bp", "distance to w_BP"),
                                      ("l1_ratio", "l1 ratio ||w||_1/||w_BP||_1"))]
        closer = int((at["distance"] < at["distance_bp"]).sum())
        reason += (f" Closer to group basis pursuit than to basis pursuit in {closer} of {len(at)} converged "
                   f"trials at alpha={counted[-1]:g} (median distances {at['distance'].median():.3g} vs "
                   f"{at['distance_bp'].median():.3g}).")
    for label, f in algos.groupby("model", sort=False):
        for a, fa in f.groupby("alpha"):
            measures.append(Measure(f"{label} alpha={a:g} ratio (all trials, {int(fa['interpolated'].sum())}/"
                                    f"{len(fa)} interpolating)", float(fa["ratio"].median())))
    reason += " " + NORMALISED_NOTE
    gap = float(refs["gbp_distance_to_w_star"].median())
    if not refs["gbp_converged"].all():
        reason += f" ({int((~refs['gbp_converged']).sum())} group basis pursuit solves did not certify.)"
    png = _plot(trials, settings, outdir / "min_group_l12.png")
    gds = sec["gd"]
    return claim_finding(
        claim="min_group_l12", source=SOURCE, statement=STATEMENT,
        rule=RULE.format(tol=crit["ratio"]),
        multiplicity=f"one model (plain GD), {len(gds['alphas'])} alphas, 2 used; Algorithms 1 and 2 reported apart",
        setting=(f"{fmt_setting(sec['problem'])}, noiseless; w_GBP differs from w* by {gap:.3g} (median relative "
                 f"distance; max relative duality gap {refs['gbp_relative_gap'].max():.1e}); {sec['trials']} trials; "
                 f"plain GD from u=alpha, v_l=alpha/sqrt2 d ({gds['direction']} fixed direction), alpha in "
                 f"{gds['alphas']}, T = {gds['budget_base']:g} + {gds['budget_scale']:g}/alpha and 2T iterations; "
                 f"Algorithms 1 and 2: {list(sec['methods'])}, {sec['max_iter']} iterations"),
        quantity="R(w)/R(w_GBP), R = sum_l ||w_l||_2, of the projected final iterate per alpha (median over "
                 "converged trials); distances to w_GBP and w_BP",
        measured=measures,
        criterion=(f"a (trial, alpha) converged if ||Xw - y|| <= {gds['interp_tol']:g} ||y|| at 2T and doubling the "
                   f"budget changed the distance to w_GBP by < {gds['stable_change']:.0%}; an alpha counts with >= "
                   f"{crit['min_converged']:.0%} converged; agrees if the ratio's interval at the smallest counted "
                   f"alpha is within 1 + {crit['ratio']:g}; disagrees only if at the two smallest counted alphas the "
                   f"ratio's interval is above 1 + {crit['ratio']:g} and the paired decrease's interval is below "
                   f"{crit['ratio']:g}; otherwise inconclusive"),
        verdict=verdict, reason=reason, runs=counts(gd, "converged"), files=[csv.name, png.name],
    )  # fmt: skip


def _plot(trials, settings, path):
    with figure(path, 2, "Claim 7: DGLNN's final iterate against group basis pursuit as alpha -> 0 "
                "(median, quartiles over converged trials)", settings["plot"]["dpi"]) as (fig, axes):
        for label, f in trials.groupby("model", sort=False):
            c = f[f["converged"].astype(bool)]
            n_conv = c.groupby("alpha").size().reindex(sorted(f["alpha"].unique()), fill_value=0)
            name = "plain GD (small init)" if label == "gd" else f"{label} (reported apart)"
            for ax, col in zip(axes, ("ratio", "distance")):
                q = c.groupby("alpha")[col].quantile([0.25, 0.5, 0.75]).unstack()
                if len(q):
                    band(ax, q.index, q[0.5], q[0.25], q[0.75],
                         f"{name} (converged {'/'.join(map(str, n_conv.tolist()))} of {f['trial'].nunique()})",
                         ls="-" if label == "gd" else "--")
        axes[0].axhline(1.0, color="k", lw=0.8, ls="--")
        axes[0].set_ylabel("sum_l ||w_l|| / that of w_GBP")
        axes[1].set_ylabel("||w - w_GBP|| / ||w_GBP||")
        log_scale(axes[1])
        for ax in axes:
            log_scale(ax, "x")
            ax.set_xlabel("alpha = initial scale")
            legend(ax)
    return path
