"""Claim 7 (new): is DGLNN's implicit bias the minimum group-ℓ1,2 interpolant?

The group analogue of claim 4: noiseless problems with n below the group transition, group
basis pursuit ``min sum_l ||w_l||_2 s.t. X w = y`` (:func:`gsbench.methods.convex.group_basis_pursuit`,
ADMM with a dual certificate; its duality gap is in the CSV), and DGLNN (plain gradient
descent and Algorithm 1) at decreasing alpha; see :mod:`.implicit_bias`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..methods.convex import group_basis_pursuit
from ..verdict import Finding
from .common import claim_finding, counts, fmt_setting
from .implicit_bias import compare_with_reference

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
    sec = settings["min_group_l12"]
    cmp = compare_with_reference(settings, "min_group_l12", _reference, _group_l12,
                                 "group basis pursuit", Path(outdir))  # fmt: skip
    refs, gap, reason = cmp.refs, cmp.ref_gap, cmp.reason
    if not refs["ref_converged"].all():
        reason += f" ({int((~refs['ref_converged']).sum())} group basis pursuit solves did not certify.)"
    return claim_finding(
        claim="min_group_l12", source=SOURCE, statement=STATEMENT,
        setting=f"{fmt_setting(sec['problem'])}, noiseless; group basis pursuit differs from w* by "
                f"{gap:.3g} (median relative distance; max relative duality gap "
                f"{refs['ref_relative_gap'].max():.1e}); {sec['trials']} trials; models {cmp.families}",
        quantity="median ||w_final - w_GBP|| / ||w_GBP|| at the largest and smallest converged alpha; "
                 "sum_l ||w_l|| ratio at the smallest",
        measured=cmp.measures,
        criterion=(f"as claim 4: agrees if, for every model, the group-norm ratio at the smallest converged "
                   f"alpha is within {sec['criteria']['ratio']} of 1 and the distance's interval there lies below "
                   "the largest alpha's; partly if either holds for some"),
        verdict=cmp.verdict, reason=reason, runs=counts(cmp.trials, "interpolated"), files=cmp.files,
    )  # fmt: skip
