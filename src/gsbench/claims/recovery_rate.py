"""Claim 5 (Chou, Maly & Rauhut 2021): the theory predicts the recovery rate.

Their theory says gradient flow from small alpha lands near the minimum-ℓ1 interpolant, so
the depth-N models should recover a k-sparse w* from noiseless Gaussian measurements once n
passes the ℓ1 convex limit, the statistical dimension ``D_l1(k, p)``
(:func:`gsbench.analysis.theory.statdim_l1`), as basis pursuit does on the same problems.

Success: the final iterate interpolates (``interpolated``) *and* its relative error is at
most ``threshold``; a non-interpolating trial counts as a failure (and is reported).
``n*`` is the study's: :func:`gsbench.analysis.transitions` (logistic fit of success on
log n, its bootstrap interval widened to the grid gap), once pooled per method and once per
*unit* -- trial index t, i.e. the problems ``t`` at every n, which basis pursuit shares -- so
that :func:`gsbench.analysis.paired.paired_ratio` compares each model with basis pursuit on
the same problems (units whose n* is censored at a grid edge are dropped and counted).

Rule (equivalence within ±tol): a model **agrees** when the interval of ``n*/D_l1`` lies
inside ``[1 - tol, 1 + tol]``, or the paired ratio ``n*/n*_BP`` does (with at least 3/4 of
the units usable); it **disagrees** when every available interval lies outside the band;
otherwise it is inconclusive. The claim: agrees if every model agrees, partly if some do,
disagrees if none does and some disagree, otherwise inconclusive.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis import transitions
from ..analysis.intervals import format_interval
from ..analysis.paired import paired_ratio
from ..analysis.theory import statdim_l1
from ..convex import basis_pursuit
from ..verdict import Finding, Measure
from ..atomic import write_table as write_csv
from ..settings_files import problem_option
from .fitting import fit_whole_runs, setting_problems
from .plotting import figure, legend
from .trial_stats import counts
from .verdicts import claim_finding, fmt_setting

SOURCE = "Chou, Maly & Rauhut (2021), abstract and numerical experiments"
STATEMENT = "The theory (convergence to the minimum-l1 interpolant) predicts the recovery rate."
#: Units (trial indices) a paired ratio needs, as a share of all, to count for "agrees".
MIN_USABLE_UNITS = 0.75


def n_star_frame(trials: pd.DataFrame, problem: dict, threshold: float, n_boot: int, seed: int,
                 per_unit: bool = False) -> pd.DataFrame:
    """:func:`gsbench.analysis.transitions` on the claim's per-trial rows (``method, n,
    trial, status, rel_error_final, interpolated``): a non-interpolating final iterate is a
    failure (its error is read as infinite). ``per_unit``: one curve per (method, trial
    index). Returns the transitions table with ``label`` (and ``unit``) columns."""
    unit = trials["trial"].astype(int).astype(str)
    frame = pd.DataFrame({
        "method": trials["method"] + ("#" + unit if per_unit else ""),
        "p": int(problem["p"]), "group_size": int(problem["group_size"]),
        "active_groups": int(problem["active_groups"]), "sigma": float(problem_option(problem, "sigma")),
        "design": str(problem_option(problem, "design")), "n": trials["n"].astype(int),
        "status": trials["status"].fillna("ok"),
        "rel_error_final": np.where(trials["interpolated"].astype(bool), trials["rel_error_final"], np.inf),
    })  # fmt: skip
    table = transitions(frame, metric="rel_error_final", threshold=threshold, n_boot=n_boot, seed=seed)
    split = table["method"].str.rsplit("#", n=1, expand=True) if per_unit else None
    table["label"] = split[0] if per_unit else table["method"]
    if per_unit:
        table["unit"] = split[1].astype(int)
    return table


def equivalence(low: float, high: float, tol: float) -> str:
    """``"inside"`` if ``[low, high]`` lies in ``[1 - tol, 1 + tol]``, ``"outside"`` if it
    does not meet it, ``"meets"`` if it overlaps without being inside, ``"n/a"`` if unknown."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "n/a"
    if 1 - tol <= low and high <= 1 + tol:
        return "inside"
    if high < 1 - tol or low > 1 + tol:
        return "outside"
    return "meets"


def model_verdict(pooled: str, paired: str) -> str:
    """One model: agrees if either interval is inside the band, disagrees if every known one
    is outside, inconclusive otherwise (:func:`equivalence` results)."""
    known = [r for r in (pooled, paired) if r != "n/a"]
    if "inside" in known:
        return "agrees"
    if known and all(r == "outside" for r in known):
        return "disagrees"
    return "inconclusive"


def combine(verdicts: dict[str, str]) -> str:
    """The claim from the models' verdicts: all agree -> agrees; some -> partly; none but
    some disagree -> disagrees; else inconclusive."""
    v = list(verdicts.values())
    if v and all(x == "agrees" for x in v):
        return "agrees"
    if "agrees" in v:
        return "partly"
    if "disagrees" in v:
        return "disagrees"
    return "inconclusive"


def run(settings: dict, outdir: str | Path) -> Finding:
    """Fit, write ``recovery_rate.csv`` (per trial) and ``recovery_rate.png``."""
    sec, outdir = settings["recovery_rate"], Path(outdir)
    frames = []
    for n in sec["ns"]:
        problems = setting_problems({**sec["problem"], "n": int(n)}, sec["trials"])
        frames += fit_whole_runs(sec, problems, threshold=sec["threshold"], n=int(n))
        bp = [np.linalg.norm(basis_pursuit(pr.X, pr.y).coef - pr.w_star) / np.linalg.norm(pr.w_star) for pr in problems]
        frames.append(pd.DataFrame({"trial": range(len(problems)), "seed": [pr.seed for pr in problems],
                                    "status": "ok", "rel_error_final": bp, "interpolated": True,
                                    "method": "basis_pursuit", "n": int(n)}))
    trials = pd.concat(frames, ignore_index=True)
    trials["success"] = trials["interpolated"].astype(bool) & (trials["rel_error_final"] <= sec["threshold"])
    csv = write_csv(trials, outdir / "recovery_rate.csv")
    prob = sec["problem"]
    k, p = int(prob["active_groups"]) * int(prob["group_size"]), int(prob["p"])
    D = statdim_l1(k, p)
    tol, nb, seed = sec["criteria"]["tolerance"], settings["bootstrap"], settings["seed"]
    pooled = n_star_frame(trials, prob, sec["threshold"], nb, seed).set_index("label")
    units = n_star_frame(trials, prob, sec["threshold"], nb, seed, per_unit=True)
    bp_units = units[units["label"] == "basis_pursuit"].set_index("unit")["n_star"]
    measures, verdicts, text = [], {}, []
    for label in ["basis_pursuit", *sec["methods"]]:
        row = pooled.loc[label]
        m = Measure(f"{label} n*/D_l1 ({row['transition']})", row["n_star"] / D, row["n_star_low"] / D,
                    row["n_star_high"] / D)
        measures.append(m)
        if label == "basis_pursuit":
            continue
        g = trials[trials["method"] == label]
        mine = units[units["label"] == label].set_index("unit")["n_star"].reindex(bp_units.index)
        pr = paired_ratio(mine.to_numpy(float), bp_units.to_numpy(float), nb, seed)
        measures.append(Measure(f"{label} n*/n*_BP paired ({pr.n_pairs} of {len(bp_units)} units, "
                                f"{pr.n_above} above/{pr.n_below} below, sign test p={pr.sign_test_p:.2g})",
                                pr.ratio, pr.lo, pr.hi))
        usable = pr.n_pairs >= MIN_USABLE_UNITS * len(bp_units)
        eq_pooled = equivalence(m.low, m.high, tol)
        eq_paired = equivalence(pr.lo, pr.hi, tol) if usable else "n/a"
        verdicts[label] = model_verdict(eq_pooled, eq_paired)
        failed = int((~g["interpolated"].astype(bool)).sum())
        text.append(f"{label}: {verdicts[label]}, n*/D_l1 {format_interval(m.value, m.low, m.high)} ({eq_pooled} "
                    f"the band), paired n*/n*_BP {format_interval(pr.ratio, pr.lo, pr.hi)} "
                    f"({eq_paired if usable else f'only {pr.n_pairs} usable units'}); "
                    f"{failed} of {len(g)} final iterates did not interpolate (counted as failures)")
    verdict = combine(verdicts)
    png = _plot(trials, D, sec, settings, outdir / "recovery_rate.png")
    models = list(sec["methods"])
    band = f"[{1 - tol:g}, {1 + tol:g}]"
    reason = f"D_l1({k}, {p}) = {D:.1f}, basis pursuit n*/D_l1 = {measures[0].value:.3g}; " + "; ".join(text) + "."
    return claim_finding(
        claim="recovery_rate", source=SOURCE, statement=STATEMENT,
        rule=f"equivalence within ±{tol:.0%}: the interval must lie inside {band}",
        multiplicity=f"{len(models)} models x 2 intervals (n*/D_l1, paired n*/n*_BP); a model agrees on either",
        setting=f"{', '.join(models)}; {fmt_setting(prob)}, noiseless; n in {sec['ns']}; "
                f"{sec['trials']} trials per n; success: final iterate interpolates (||Xw - y|| <= "
                f"{sec['interp_tol']:g} ||y||) and error <= {sec['threshold']}",
        quantity=f"n* (the study's logistic 50% crossing) / D_l1, D_l1({k}, {p}) = {D:.1f}; paired n*/n*_BP per unit",
        measured=measures,
        criterion=(f"a model agrees if its n*/D_l1 interval or its paired n*/n*_BP interval (geometric mean over "
                   f"units, bootstrap over units, >= {MIN_USABLE_UNITS:.0%} of units uncensored) lies inside {band}; "
                   f"disagrees if every available interval lies outside it; the claim agrees if every model does, "
                   "partly if some, disagrees if none does and some disagree; else inconclusive"),
        verdict=verdict, reason=reason, runs=counts(trials[trials["method"] != "basis_pursuit"], "interpolated"),
        files=[csv.name, png.name],
    )  # fmt: skip


def _plot(trials, D, sec, settings, path):
    with figure(path, 1, "Claim 5: recovery rate against n (final iterate; not interpolating = failure)",
                settings["plot"]["dpi"], width=6.0) as (fig, axes):
        ax = axes[0]
        for label, g in trials.groupby("method", sort=False):
            rate = g.groupby("n")["success"].mean()
            ax.plot(rate.index, rate.values, marker="o", ms=4, label=label,
                    ls="--" if label == "basis_pursuit" else "-")
        ax.axvline(D, color="k", lw=0.9, ls=":", label=f"D_l1 = {D:.1f}")
        ax.axhline(0.5, color="grey", lw=0.6)
        ax.set_xlabel("n (measurements)")
        ax.set_ylabel(f"P(error <= {sec['threshold']})")
        legend(ax)
    return path
