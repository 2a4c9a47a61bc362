"""Claim 4 (Chou, Maly & Rauhut 2021): as alpha -> 0, gradient descent on the deep
factorisation approaches the minimum-ℓ1 interpolant.

Noiseless problems with n below the ℓ1 transition (so basis pursuit's solution differs from
w*; the table reports by how much), basis pursuit by HiGHS (:func:`gsbench.convex.basis_pursuit`),
the depth-N models at decreasing alpha; see :mod:`.implicit_bias` for the comparison.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..convex import basis_pursuit
from ..verdict import Finding
from .common import band, counts, figure, fmt_setting, write_csv, log_scale, legend, claim_finding
from .implicit_bias import final_vs_reference, verdict_against_alpha

SOURCE = "Chou, Maly & Rauhut (2021), abstract and main theorem"
STATEMENT = ("As alpha -> 0, gradient descent on w = u^N - v^N converges to (near) the "
             "minimum-l1 interpolant.")


def _l1(problem, w) -> float:
    return float(np.abs(w).sum())


def run(settings: dict, outdir: str | Path) -> Finding:
    """Fit, solve basis pursuit, write ``min_l1.csv`` (per trial, with the reference's
    distance to w*) and ``min_l1.png``."""
    sec, outdir = settings["min_l1"], Path(outdir)
    trials, refs = final_vs_reference(sec, lambda pr: (basis_pursuit(pr.X, pr.y).coef, {}), _l1)
    trials = trials.merge(refs, on=["trial", "seed"], how="left")
    csv = write_csv(trials, outdir / "min_l1.csv")
    families = list(dict.fromkeys(trials["family"]))
    measures, verdict, reason = verdict_against_alpha(trials, families, sec["criteria"],
                                                      settings["bootstrap"], settings["seed"])
    gap = float(np.median(refs["ref_distance_to_w_star"]))
    png = _plot(trials, families, settings, outdir / "min_l1.png", "basis pursuit")
    return claim_finding(
        claim="min_l1", source=SOURCE, statement=STATEMENT,
        setting=f"{fmt_setting(sec['problem'])}, noiseless; basis pursuit differs from w* by "
                f"{gap:.3g} (median relative distance); {sec['trials']} trials; models {families}",
        quantity="median ||w_final - w_BP|| / ||w_BP|| at the largest and smallest converged alpha; "
                 "||w_final||_1 / ||w_BP||_1 at the smallest",
        measured=measures,
        criterion=(f"agrees if, for every depth, the l1 ratio at the smallest converged alpha is within "
                   f"{sec['criteria']['ratio']} of 1 (the theorem bounds the norm) and the distance's interval there "
                   "lies below the largest alpha's; partly if either holds for some depth; an alpha counts when "
                   f">= {sec['criteria']['min_converged']} of its final iterates interpolate"),
        verdict=verdict, reason=reason + ("" if gap > 0.05 else " (Warning: basis pursuit nearly recovers w* here.)"),
        runs=counts(trials, "interpolated"), files=[csv.name, png.name],
    )  # fmt: skip


def _plot(trials, families, settings, path, ref_name):
    with figure(path, 2, f"Final iterate against the {ref_name} solution as alpha -> 0 "
                "(median, quartiles over interpolating trials)",
                settings.get("plot", {}).get("dpi", 120)) as (fig, axes):
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
