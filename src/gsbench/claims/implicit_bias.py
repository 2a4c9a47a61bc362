"""Claim 4's comparison: gradient descent's final iterate against a convex interpolant.

For every method label (a depth-N model at one alpha) on the same noiseless problems: fit
without early termination for the label's budget, keep the final iterate ``w``, project it
onto ``{X w = y}`` (``w_p = w + X^+ (y - X w)``; the shift ``||w_p - w|| / ||w_ref||`` is
reported) and compare it with the reference interpolant ``w_ref`` (basis pursuit) of the
same problem: ``distance = ||w_p - w_ref|| / ||w_ref||`` and ``norm_ratio = R(w_p) /
R(w_ref)`` with R the reference's norm. The projection makes the ratio one of two exact
interpolants (>= 1 up to the solver's tolerance), so the ratio's tolerance no longer
competes with the interpolation tolerance. Only trials whose final iterate interpolates
count (``interpolated``); the others are budget-exhausted. The labels of one registry
method are fitted together (``fit_trials_sweep``), each for its budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..verdict import Measure
from ..atomic import write_table as write_csv
from ..settings_files import problem_option
from .fitting import budget, fit_labels, not_run_trials, setting_problems, whole_run
from .plotting import band, figure, legend, log_scale
from .trial_stats import bootstrap
from .settings import method_spec


def final_vs_reference(section: dict, reference: Callable, norm: Callable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit every method of ``section`` on its problems; return (per-trial rows, per-problem
    reference rows). ``reference(problem) -> (w_ref, info dict)``, ``norm(problem, w)``."""
    problems = setting_problems(section["problem"], section["trials"])
    refs, ref_rows = [], []
    for t, pr in enumerate(problems):
        w_ref, info = reference(pr)
        refs.append(w_ref)
        ref_rows.append({"trial": t, "seed": pr.seed, "ref_norm": norm(pr, w_ref),
                         "w_star_norm": norm(pr, pr.w_star),
                         "ref_distance_to_w_star": float(np.linalg.norm(w_ref - pr.w_star) / np.linalg.norm(pr.w_star)),
                         **info})
    ref_of = {pr.seed: w for pr, w in zip(problems, refs)}

    def compare(res, pr):
        w, w_ref = res.coef_final, ref_of[pr.seed]
        wp = w + np.linalg.lstsq(pr.X, pr.y - pr.X @ w, rcond=None)[0]
        return {"distance": float(np.linalg.norm(wp - w_ref) / np.linalg.norm(w_ref)),
                "norm_ratio": float(norm(pr, wp) / norm(pr, w_ref)),
                "projection_shift": float(np.linalg.norm(wp - w) / np.linalg.norm(w_ref))}

    amplitude = float(problem_option(section["problem"], "amplitude"))
    runs, to_fit = {}, {}  # label -> (name, params, depth, max_iter); label -> (name, params)
    for label, body in section["methods"].items():
        name, params = method_spec(label, body)
        depth = params.get("depth") if name.startswith("hadamard") else None
        if depth:
            max_iter = budget(depth, params.get("alpha"), section, amplitude)
        else:  # a method entry may set its own budget
            max_iter = int(params.pop("max_iter", section["max_iter"]))
        runs[label] = (name, params, depth, max_iter)
        if max_iter is not None:
            to_fit[label] = (name, whole_run(params, max_iter, section["stride"]))
    fitted = fit_labels(to_fit, problems, threshold=1.0, interp_tol=section["interp_tol"],
                        extra=compare)
    frames = []
    for label, (name, params, depth, max_iter) in runs.items():
        frame = fitted.get(label)
        if frame is None:
            frame = not_run_trials(problems, f"needs > {section['max_iter']} iterations")
            frame["distance"] = frame["norm_ratio"] = math.nan
        family = f"{name} N={depth}" if depth else name
        frames.append(frame.assign(method=label, family=family, alpha=params.get("alpha"),
                                   max_iter=max_iter or -1))
    return pd.concat(frames, ignore_index=True), pd.DataFrame(ref_rows)


def median_over_converged(col: str) -> Callable[[pd.DataFrame], float]:
    def stat(f: pd.DataFrame) -> float:
        c = f[f["interpolated"].astype(bool)]
        return float(np.median(c[col])) if len(c) else math.nan

    return stat


def _budget_note(g: pd.DataFrame, usable: list) -> str:
    """Which smaller alphas did not count, and why (not run, or median residual)."""
    below = sorted(a for a in g["alpha"].dropna().unique() if a < usable[0])
    if not below:
        return ""
    ran = g[g["alpha"].isin(below) & (g["status"] != "not_run")]
    note = f"; alpha < {usable[0]:g} did not count (budget)"
    if len(ran):
        note += f": at alpha={ran['alpha'].max():g} the median relative residual stalls at {ran[ran['alpha'] == ran['alpha'].max()]['train_residual'].median():.2g}"
    return note


def budget_cut(g: pd.DataFrame, usable: list) -> bool:
    """True when the family's alpha range is cut by the budget: fewer than two usable alphas,
    or an alpha of the grid below the smallest usable one was not run or did not converge."""
    return len(usable) < 2 or any(a < usable[0] for a in g["alpha"].dropna().unique())


def verdict_against_alpha(trials: pd.DataFrame, groups: list[str], crit: dict, n_boot: int,
                          seed: int) -> tuple[list[Measure], str, str]:
    """Per model family (``groups``: values of the ``family`` column): the distance at its
    largest and smallest converged alpha and the norm ratio at the smallest, with intervals.

    The theorem being tested bounds the *norm* of the limit (within a factor of the
    minimum), so the verdict reads the norm ratio first: a family *meets* the claim when the
    ratio at its smallest converged alpha is within ``crit["ratio"]`` of 1 and *moves
    towards* the reference when the distance's interval at the smallest alpha lies below
    the largest alpha's. A family whose alpha range is cut by the budget
    (:func:`budget_cut`) is "inconclusive (budget)" and not judged. Over the judged families:
    agrees if every one meets the claim and moves towards it; partly if some do either;
    disagrees if none does either; inconclusive if no family could be judged. An alpha
    counts when at least ``crit["min_converged"]`` of its trials interpolate.
    """
    measures, meets, moves, fams, cut = [], [], [], [], []
    for fam in groups:
        g = trials[trials["family"] == fam]
        conv = g.groupby("alpha")["interpolated"].mean()
        usable = sorted(a for a, frac in conv.items() if frac >= crit["min_converged"])
        if len(usable) < 2:
            cut.append(fam)
            fams.append(f"{fam}: inconclusive (budget), fewer than 2 alphas converged")
            continue
        small, large = usable[0], usable[-1]
        m_small = bootstrap(g[g["alpha"] == small], median_over_converged("distance"), n_boot, seed,
                            f"{fam} alpha={small:g} distance")
        m_large = bootstrap(g[g["alpha"] == large], median_over_converged("distance"), n_boot, seed,
                            f"{fam} alpha={large:g} distance")
        m_ratio = bootstrap(g[g["alpha"] == small], median_over_converged("norm_ratio"), n_boot, seed,
                            f"{fam} alpha={small:g} norm ratio")
        measures += [m_large, m_small, m_ratio]
        meet = abs(m_ratio.value - 1) <= crit["ratio"]
        move = m_small.high < m_large.low
        desc = (f"distance {m_large.value:.3g} at alpha={large:g} -> {m_small.value:.3g} at alpha={small:g} "
                f"({'moves towards' if move else 'does not move towards'} the reference), norm ratio "
                f"{m_ratio.value:.4g} ({'within' if meet else 'not within'} {crit['ratio']:.0%})")
        if budget_cut(g, usable):
            cut.append(fam)
            fams.append(f"{fam}: inconclusive (budget), {desc}{_budget_note(g, usable)}")
            continue
        meets.append(meet)
        moves.append(move)
        fams.append(f"{fam}: {desc}")
    text = "; ".join(fams)
    scope = f" (judged: {len(meets)} of {len(groups)} families; the others are cut by the budget)" if cut else ""
    if not meets:
        return measures, "inconclusive", f"No family's alpha range reaches small alpha within the budget ({text})."
    if all(meets) and all(moves):
        return measures, "agrees", (f"The final iterate's norm is within {crit['ratio']:.0%} of the minimum and "
                                    f"it moves towards the reference as alpha -> 0{scope} ({text}).")
    if any(meets) or any(moves):
        return measures, "partly", f"Only part of the criterion holds{scope} ({text})."
    return measures, "disagrees", f"The final iterate does not approach the reference as alpha -> 0{scope} ({text})."


@dataclass
class ReferenceComparison:
    """What :func:`compare_with_reference` measured for one claim."""

    trials: pd.DataFrame  # per trial, with the reference's per-problem columns
    refs: pd.DataFrame  # per problem: the reference's norm, distance to w*, solver info
    families: list[str]
    measures: list[Measure]
    verdict: str
    reason: str
    ref_gap: float  # median relative distance of the reference to w*
    files: list[str]


def compare_with_reference(settings: dict, claim: str, reference: Callable, norm: Callable,
                           ref_name: str, outdir: Path) -> ReferenceComparison:  # fmt: skip
    """Claim 4: :func:`final_vs_reference` on ``settings[claim]``, the verdict of
    :func:`verdict_against_alpha`, ``<claim>.csv`` (per trial) and ``<claim>.png``
    (:func:`plot_against_reference`) in ``outdir``."""
    sec = settings[claim]
    trials, refs = final_vs_reference(sec, reference, norm)
    trials = trials.merge(refs, on=["trial", "seed"], how="left")
    csv = write_csv(trials, outdir / f"{claim}.csv")
    families = list(dict.fromkeys(trials["family"]))
    measures, verdict, reason = verdict_against_alpha(trials, families, sec["criteria"],
                                                      settings["bootstrap"], settings["seed"])
    gap = float(np.median(refs["ref_distance_to_w_star"]))
    png = plot_against_reference(trials, families, settings, outdir / f"{claim}.png", ref_name)
    return ReferenceComparison(trials, refs, families, measures, verdict, reason, gap,
                               [csv.name, png.name])  # fmt: skip


def plot_against_reference(trials, families, settings, path, ref_name):
    """Two panels against alpha: distance to the reference and norm ratio (median, quartiles
    over interpolating trials) per model family."""
    with figure(path, 2, f"Final iterate against the {ref_name} solution as alpha -> 0 "
                "(median, quartiles over interpolating trials)",
                settings["plot"]["dpi"]) as (fig, axes):
        for fam in families:
            g = trials[trials["family"] == fam]
            conv = g[g["interpolated"].astype(bool)]
            n_conv = conv.groupby("alpha").size().reindex(sorted(g["alpha"].unique()), fill_value=0)
            for ax, col in zip(axes, ("distance", "norm_ratio")):
                q = conv.groupby("alpha")[col].quantile([0.25, 0.5, 0.75]).unstack()
                if len(q):
                    band(ax, q.index, q[0.5], q[0.25], q[0.75],
                         f"{fam} (interpolating: {'/'.join(map(str, n_conv.tolist()))} of {g['trial'].nunique()})")
        log_scale(axes[0])
        axes[0].set_ylabel(f"||w_final - w_ref|| / ||w_ref|| ({ref_name})")
        axes[1].set_ylabel("norm(w_final) / norm(w_ref)")
        axes[1].axhline(1.0, color="k", lw=0.8, ls="--")
        for ax in axes:
            log_scale(ax, "x")
            ax.set_xlabel("alpha = initial scale")
            legend(ax)
    return path
