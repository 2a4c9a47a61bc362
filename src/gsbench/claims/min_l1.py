"""Claim 4 (Chou, Maly & Rauhut 2021): as alpha -> 0, gradient descent on the deep
factorisation approaches the minimum-ℓ1 interpolant.

Noiseless problems with n below the ℓ1 transition (so basis pursuit's solution differs from
w*; the table reports by how much), basis pursuit by HiGHS (:func:`gsbench.methods.convex.basis_pursuit`),
the depth-N models at decreasing alpha; see :mod:`.implicit_bias` for the comparison.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..methods.convex import basis_pursuit
from ..verdict import Finding
from .trial_stats import counts
from .verdicts import claim_finding, fmt_setting
from .implicit_bias import compare_with_reference

SOURCE = "Chou, Maly & Rauhut (2021), abstract and main theorem"
STATEMENT = ("As alpha -> 0, gradient descent on w = u^N - v^N converges to (near) the "
             "minimum-l1 interpolant.")


def _l1(problem, w) -> float:
    return float(np.abs(w).sum())


def run(settings: dict, outdir: str | Path) -> Finding:
    """Fit, solve basis pursuit, write ``min_l1.csv`` (per trial, with the reference's
    distance to w*) and ``min_l1.png``."""
    sec = settings["min_l1"]
    cmp = compare_with_reference(settings, "min_l1", lambda pr: (basis_pursuit(pr.X, pr.y).coef, {}),
                                 _l1, "basis pursuit", Path(outdir))  # fmt: skip
    gap = cmp.ref_gap
    return claim_finding(
        claim="min_l1", source=SOURCE, statement=STATEMENT,
        rule=(f"limit theorem: the l1 ratio of the (projected) final iterate must be within {sec['criteria']['ratio']:g} "
              "of 1 and the distance must fall as alpha -> 0; a depth whose alpha range the budget cuts is not judged"),
        multiplicity=f"{len(cmp.families)} depths x 2 conditions",
        setting=f"{fmt_setting(sec['problem'])}, noiseless; basis pursuit differs from w* by "
                f"{gap:.3g} (median relative distance); {sec['trials']} trials; models {cmp.families}",
        quantity="median ||w_final - w_BP|| / ||w_BP|| at the largest and smallest converged alpha; "
                 "||w_final||_1 / ||w_BP||_1 at the smallest",
        measured=cmp.measures,
        criterion=(f"the final iterate is projected onto {{Xw = y}} (interpolation: ||Xw - y|| <= "
                   f"{sec['interp_tol']:g} ||y||); agrees if, for every judged depth, the l1 ratio at the smallest converged alpha is within "
                   f"{sec['criteria']['ratio']} of 1 (the theorem bounds the norm) and the distance's interval there "
                   "lies below the largest alpha's; partly if either holds for some depth; a depth is inconclusive (budget) "
                   "when it has < 2 converged alphas or smaller alphas of its grid did not converge; an alpha counts when "
                   f">= {sec['criteria']['min_converged']} of its final iterates interpolate"),
        verdict=cmp.verdict, reason=cmp.reason + ("" if gap > 0.05 else " (Warning: basis pursuit nearly recovers w* here.)"),
        runs=counts(cmp.trials, "interpolated"), files=cmp.files,
    )  # fmt: skip

