"""Claim 7 (new): is DGLNN's implicit bias the minimum group-ℓ1,2 interpolant?

The group analogue of claim 4: noiseless problems with n below the group transition, group
basis pursuit ``min sum_l ||w_l||_2 s.t. X w = y`` (:func:`gsbench.convex.group_basis_pursuit`,
ADMM with a dual certificate; its duality gap is in the CSV), and DGLNN (plain gradient
descent and Algorithm 1) at decreasing alpha; see :mod:`.implicit_bias`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..convex import group_basis_pursuit
from ..verdict import Finding
from .common import counts, fmt_setting, write_csv, claim_finding
from .implicit_bias import final_vs_reference, verdict_against_alpha
from .min_l1 import _plot

SOURCE = "new question (no paper); the group analogue of Chou, Maly & Rauhut (2021)"
STATEMENT = ("As alpha -> 0, DGLNN's final iterate approaches the minimum group-l1,2 "
             "interpolant (group basis pursuit).")


def _group_l12(problem, w) -> float:
    return float(np.sqrt(np.bincount(problem.groups, weights=w * w)).sum())


def _reference(pr):
    # unit weights: the claim is about the unweighted sum_l ||w_l||_2
    cert = group_basis_pursuit(pr.X, pr.y, pr.groups, weights=np.ones(int(pr.groups.max()) + 1),
                               max_iter=50000)
    return cert.coef, {"ref_relative_gap": cert.gap / max(1.0, cert.primal_value),
                       "ref_converged": cert.converged}


def run(settings: dict, outdir: str | Path) -> Finding:
    """Fit, solve group basis pursuit, write ``min_group_l12.csv`` and ``min_group_l12.png``."""
    sec, outdir = settings["min_group_l12"], Path(outdir)
    trials, refs = final_vs_reference(sec, _reference, _group_l12)
    trials = trials.merge(refs, on=["trial", "seed"], how="left")
    csv = write_csv(trials, outdir / "min_group_l12.csv")
    families = list(dict.fromkeys(trials["family"]))
    measures, verdict, reason = verdict_against_alpha(trials, families, sec["criteria"],
                                                      settings["bootstrap"], settings["seed"])
    gap = float(np.median(refs["ref_distance_to_w_star"]))
    if not refs["ref_converged"].all():
        reason += f" ({int((~refs['ref_converged']).sum())} group basis pursuit solves did not certify.)"
    png = _plot(trials, families, settings, outdir / "min_group_l12.png",
                "group basis pursuit")
    return claim_finding(
        claim="min_group_l12", source=SOURCE, statement=STATEMENT,
        setting=f"{fmt_setting(sec['problem'])}, noiseless; group basis pursuit differs from w* by "
                f"{gap:.3g} (median relative distance; max relative duality gap "
                f"{refs['ref_relative_gap'].max():.1e}); {sec['trials']} trials; models {families}",
        quantity="median ||w_final - w_GBP|| / ||w_GBP|| at the largest and smallest converged alpha; "
                 "sum_l ||w_l|| ratio at the smallest",
        measured=measures,
        criterion=(f"as claim 4: agrees if, for every model, the group-norm ratio at the smallest converged "
                   f"alpha is within {sec['criteria']['ratio']} of 1 and the distance's interval there lies below "
                   "the largest alpha's; partly if either holds for some"),
        verdict=verdict, reason=reason, runs=counts(trials, "interpolated"), files=[csv.name, png.name],
    )  # fmt: skip
