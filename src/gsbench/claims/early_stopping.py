"""Claim 3 (Li et al. 2021): early stopping is essential under noise.

Per method and noise level sigma (same problems but for the noise draw: the seed derives
from the setting, so each sigma has its own problems), without early termination: the
final iterate's relative error against the validation- and oracle-stopped ones, over the
trials whose final iterate interpolates (``interpolated``: it is the limit gradient descent
approaches; the others are budget-exhausted). With sigma = 0 the final iterate should be as
good as the stopped ones; as sigma grows it should be clearly worse. Median errors below
1e-3 count as 1e-3 in the ratio (exact recovery either way).

Any interpolating estimator fits the noise, so the same is measured for a baseline without
depth or sparsity: gradient descent on ``w`` itself from 0 (Landweber), whose limit is the
minimum-norm least-squares interpolant ``X^+ y``. Its path is exact in closed form,
``w_t = V diag((1 - (1 - eta s_i^2)^t) / s_i) U^T y`` with ``X = U diag(s) V^T`` and
``eta = 1 / s_max^2``; its validation-stopped iterate is the best of a log-spaced grid of t
on the validation set. The verdict is read from the depth models; the reason says whether
the baseline shows the same (then early stopping matters for any interpolant, not because
of depth).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.intervals import format_interval
from ..verdict import Finding
from ..atomic import write_table as write_csv
from .fitting import fit_whole_runs, setting_problems
from .plotting import band, figure, legend, log_scale
from .trial_stats import bootstrap, counts
from .verdicts import claim_finding, fmt_setting

SOURCE = "Li, Nguyen, Hegde & Wong (NeurIPS 2021), abstract"
STATEMENT = "Early stopping is crucial under noise; without noise the final iterate is as good."


def _ratio(f: pd.DataFrame) -> float:
    c = f[f["interpolated"].astype(bool)]
    if not len(c):
        return math.nan
    floor = 1e-3  # errors below this count as exact recovery (no ratio of rounding errors)
    return float(max(np.median(c["rel_error_final"]), floor) / max(np.median(c["rel_error_validation"]), floor))


BASELINE = "min_norm_ls"


def landweber_trials(problems, sigma: float, n_grid: int = 200) -> pd.DataFrame:
    """Per problem: relative errors of gradient descent on w from 0 (closed form, module
    docstring) at the validation-stopped t, the best t (oracle) and the limit ``X^+ y``."""
    rows = []
    for t, pr in enumerate(problems):
        U, sv, Vt = np.linalg.svd(pr.X, full_matrices=False)
        keep = sv > sv[0] * 1e-12
        U, sv, Vt = U[:, keep], sv[keep], Vt[keep]
        eta = 1.0 / sv[0] ** 2
        t_max = math.log(1e-12) / math.log1p(-eta * sv[-1] ** 2)
        ts = np.unique(np.geomspace(1, max(t_max, 2.0), n_grid).round())
        filt = (1 - (1 - eta * sv[None, :] ** 2) ** ts[:, None]) / sv[None, :]  # (T, r)
        path = (filt * (U.T @ pr.y)[None, :]) @ Vt  # (T, p)
        final = Vt.T @ ((U.T @ pr.y) / sv)
        wn = np.linalg.norm(pr.w_star)
        err = np.linalg.norm(path - pr.w_star, axis=1) / wn
        val = np.linalg.norm(path @ pr.X_val.T - pr.y_val, axis=1)
        rows.append({"trial": t, "seed": pr.seed, "status": "ok", "method": BASELINE, "sigma": sigma,
                     "rel_error_final": float(np.linalg.norm(final - pr.w_star) / wn),
                     "rel_error_validation": float(err[np.argmin(val)]), "rel_error_oracle": float(err.min()),
                     "train_residual": float(np.linalg.norm(pr.X @ final - pr.y) / np.linalg.norm(pr.y)),
                     "interpolated": True})
    return pd.DataFrame(rows)


def run(settings: dict, outdir: str | Path) -> Finding:
    """Fit, write ``early_stopping.csv`` (per trial) and ``early_stopping.png``."""
    es, outdir = settings["early_stopping"], Path(outdir)
    crit = es["criteria"]
    frames = []
    for sigma in es["sigmas"]:
        problems = setting_problems({**es["problem"], "sigma": float(sigma)}, es["trials"])
        frames += fit_whole_runs(es, problems, threshold=1.0, sigma=float(sigma))
        frames.append(landweber_trials(problems, float(sigma)))
    trials = pd.concat(frames, ignore_index=True)
    csv = write_csv(trials, outdir / "early_stopping.csv")
    s0, s_max = min(es["sigmas"]), max(es["sigmas"])
    measures, ok0, ok_noisy, noisy_conv, base = [], [], [], [], {}
    for label, g in trials.groupby("method", sort=False):
        if label == BASELINE:
            for sigma in (s0, s_max):
                m = bootstrap(g[g["sigma"] == sigma], _ratio, settings["bootstrap"], settings["seed"],
                              f"{label} (baseline, GD on w) sigma={sigma:g} final/validation-stopped")
                measures.append(m)
                base[sigma] = m
            continue
        for sigma in (s0, s_max):
            m = bootstrap(g[g["sigma"] == sigma], _ratio, settings["bootstrap"], settings["seed"],
                          f"{label} sigma={sigma:g} final/validation-stopped")
            measures.append(m)
            if sigma == s0:
                ok0.append(np.isfinite(m.value) and m.value <= crit["clean_ratio"])
            else:
                ok_noisy.append(np.isfinite(m.low) and m.low > crit["noisy_ratio"])
                noisy_conv.append(g[g["sigma"] == sigma]["interpolated"].mean())
    png = _plot(trials, es, settings, outdir / "early_stopping.png")
    models = trials[trials["method"] != BASELINE]
    rc = counts(models, "interpolated")
    summary = "; ".join(m.text() for m in measures)
    b = base[s_max]
    base_too = np.isfinite(b.low) and b.low > crit["noisy_ratio"]
    baseline = (f" The depth-free baseline (minimum-norm least squares, the limit of gradient descent on w) "
                f"{'shows the same' if base_too else 'does not show this'} at sigma={s_max:g} (final/stopped "
                f"{format_interval(b.value, b.low, b.high)})"
                + (": early stopping matters for any interpolant here; what depth adds is a better stopped "
                   "estimate, not the need to stop." if base_too else ": the need to stop is specific to the depth models here."))
    if min(noisy_conv) < 0.5:
        verdict, reason = "inconclusive", (f"At sigma={s_max:g} fewer than half of the final iterates "
                                           f"interpolate within {es['max_iter']} iterations ({summary}).")
    elif all(ok0) and all(ok_noisy):
        verdict, reason = "agrees", f"Final iterate as good without noise and clearly worse with it ({summary})."
    elif any(ok_noisy):
        verdict, reason = "partly", (f"Under noise the final iterate is worse for {sum(ok_noisy)} of "
                                     f"{len(ok_noisy)} methods; without noise it is as good for "
                                     f"{sum(ok0)} of {len(ok0)} ({summary}).")
    else:
        verdict, reason = "disagrees", f"The final iterate is not clearly worse under noise ({summary})."
    reason += baseline
    return claim_finding(
        claim="early_stopping", source=SOURCE, statement=STATEMENT,
        rule=(f"two-sided contrast: ratio <= {crit['clean_ratio']} without noise and interval above "
              f"{crit['noisy_ratio']} at the largest noise"),
        multiplicity=f"{len(es['methods'])} models x 2 noise levels; the min-norm least-squares baseline shown apart",
        setting=f"{', '.join(es['methods'])} and min-norm least squares (baseline); sigma in {es['sigmas']}; {fmt_setting(es['problem'])}; "
                f"{es['trials']} trials, {es['max_iter']} iterations",
        quantity="median final-iterate error / median validation-stopped error (interpolating trials)",
        measured=measures,
        criterion=(f"agrees if the ratio is <= {crit['clean_ratio']} at sigma={s0:g} and its 95% interval is "
                   f"above {crit['noisy_ratio']} at sigma={s_max:g}, for every method; partly if the noisy part "
                   "holds for some; inconclusive if fewer than half of the noisy final iterates interpolate"),
        verdict=verdict, reason=reason, runs=rc, files=[csv.name, png.name],
    )  # fmt: skip


def _plot(trials, es, settings, path):
    methods = list(dict.fromkeys(trials["method"]))
    with figure(path, len(methods), "Claim 3: final iterate vs early-stopped, against noise",
                settings["plot"]["dpi"]) as (fig, axes):
        for ax, label in zip(axes, methods):
            g = trials[(trials["method"] == label) & trials["interpolated"].astype(bool)]
            for col, name in (("rel_error_final", "final"), ("rel_error_validation", "validation-stopped"),
                              ("rel_error_oracle", "oracle-stopped")):
                q = g.groupby("sigma")[col].quantile([0.25, 0.5, 0.75]).unstack()
                band(ax, q.index, q[0.5], q[0.25], q[0.75], name)
            log_scale(ax)
            ax.set_xlabel("noise sigma")
            ax.set_ylabel("||w - w*|| / ||w*|| (median, quartiles)")
            ax.set_title(label)
            legend(ax)
    return path
