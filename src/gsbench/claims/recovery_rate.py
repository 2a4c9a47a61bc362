"""Claim 5 (Chou, Maly & Rauhut 2021): the theory predicts the recovery rate.

Their theory says gradient flow from small alpha lands near the minimum-ℓ1 interpolant, so
the depth-N models should recover a k-sparse w* from noiseless Gaussian measurements once n
passes the ℓ1 convex limit, the statistical dimension ``D_l1(k, p)``
(:func:`gsbench.analysis.theory.statdim_l1`). Per method: the success rate (final iterate's
relative error <= threshold, over trials whose final iterate interpolates) against n, and
``n*`` where it first crosses 1/2 (linear interpolation between grid points); basis pursuit
on the same problems is the convex reference.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.theory import statdim_l1
from ..methods.convex import basis_pursuit
from ..verdict import Finding
from .common import bootstrap, claim_finding, counts, figure, fit_whole_runs, fmt_setting, legend, setting_problems, write_csv

SOURCE = "Chou, Maly & Rauhut (2021), abstract and numerical experiments"
STATEMENT = "The theory (convergence to the minimum-l1 interpolant) predicts the recovery rate."


def crossing(ns: np.ndarray, rate: np.ndarray, level: float = 0.5) -> float:
    """First n where the rate (sorted by n) reaches ``level``, linearly interpolated;
    NaN if it never does, ``ns[0]`` if it starts there."""
    ok = np.isfinite(rate)
    ns, rate = ns[ok], rate[ok]
    above = np.flatnonzero(rate >= level)
    if above.size == 0:
        return math.nan
    k = int(above[0])
    if k == 0:
        return float(ns[0])
    r0, r1 = rate[k - 1], rate[k]
    return float(ns[k - 1] + (level - r0) / (r1 - r0) * (ns[k] - ns[k - 1]))


def n_star(f: pd.DataFrame) -> float:
    c = f[f["interpolated"].astype(bool)]
    rate = c.groupby("n")["success"].mean()
    ns = np.array(sorted(f["n"].unique()), dtype=float)
    return crossing(ns, rate.reindex(ns).to_numpy(float))


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
    trials["success"] = trials["rel_error_final"] <= sec["threshold"]
    csv = write_csv(trials, outdir / "recovery_rate.csv")
    k, p = int(sec["problem"]["active_groups"]) * int(sec["problem"].get("group_size", 1)), int(sec["problem"]["p"])
    D = statdim_l1(k, p)
    tol = sec["criteria"]["tolerance"]
    measures, inside, outside, text = [], [], [], []
    for label, g in trials.groupby("method", sort=False):
        m = bootstrap(g, lambda f: n_star(f) / D, settings["bootstrap"], settings["seed"], f"{label} n*/D_l1")
        measures.append(m)
        if label == "basis_pursuit":
            continue
        if not np.isfinite(m.value):
            text.append(f"{label}: no crossing")
            continue
        text.append(f"{label}: n* = {m.value * D:.1f}")
        lo, hi = (m.low, m.high) if np.isfinite(m.low) else (m.value, m.value)
        if lo <= 1 + tol and hi >= 1 - tol:
            inside.append(label)
        else:
            outside.append(label)
    png = _plot(trials, D, sec, settings, outdir / "recovery_rate.png")
    models = [m for m in sec["methods"]]
    summary = f"D_l1({k}, {p}) = {D:.1f}; " + "; ".join(text)
    if len(inside) == len(models):
        verdict, reason = "agrees", f"Every model's n* is within {tol:.0%} of D_l1 ({summary})."
    elif inside:
        verdict, reason = "partly", f"Within {tol:.0%} of D_l1 for {', '.join(inside)} only ({summary})."
    elif outside:
        verdict, reason = "disagrees", f"No model's n* is within {tol:.0%} of D_l1 ({summary})."
    else:
        verdict, reason = "inconclusive", f"No success-rate crossing measured ({summary})."
    return claim_finding(
        claim="recovery_rate", source=SOURCE, statement=STATEMENT,
        setting=f"{', '.join(models)}; {fmt_setting(sec['problem'])}, noiseless; n in {sec['ns']}; "
                f"{sec['trials']} trials per n; success: final-iterate error <= {sec['threshold']}",
        quantity=f"n* (50% success) / D_l1, D_l1({k}, {p}) = {D:.1f}",
        measured=measures,
        criterion=(f"agrees if every model's n*/D_l1 interval meets [{1 - tol:g}, {1 + tol:g}]; partly if some; "
                   "disagrees if none; basis pursuit on the same problems is shown for reference"),
        verdict=verdict, reason=reason, runs=counts(trials[trials["method"] != "basis_pursuit"], "interpolated"),
        files=[csv.name, png.name],
    )  # fmt: skip


def _plot(trials, D, sec, settings, path):
    with figure(path, 1, "Claim 5: recovery rate against n (final iterate, interpolating trials)",
                settings.get("plot", {}).get("dpi", 120), width=6.0) as (fig, axes):
        ax = axes[0]
        for label, g in trials.groupby("method", sort=False):
            c = g[g["interpolated"].astype(bool)]
            rate = c.groupby("n")["success"].mean()
            ax.plot(rate.index, rate.values, marker="o", ms=4, label=label,
                    ls="--" if label == "basis_pursuit" else "-")
        ax.axvline(D, color="k", lw=0.9, ls=":", label=f"D_l1 = {D:.1f}")
        ax.axhline(0.5, color="grey", lw=0.6)
        ax.set_xlabel("n (measurements)")
        ax.set_ylabel(f"P(error <= {sec['threshold']})")
        legend(ax)
    return path
