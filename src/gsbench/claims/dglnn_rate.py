"""Claim 6 (DGLNN paper, Corollary 1): ``||w_hat - w*||^2 <~ s sigma^2 log p / n``.

One factor at a time around a base problem (n, sigma and the number of active groups s),
every method on the same problems with its default early termination: the median over
trials of the validation-stopped squared error ``||w_val - w*||^2``, and its log-log slope
against the factor (ordinary least squares), with a bootstrap interval over trials. The
corollary's exponents are -1 (n), 2 (sigma) and 1 (s). A trial counts when its status is ok
and (iterative methods) the loop's early termination ended it before ``max_iter``
(``iterations < max_iter``); budget-exhausted trials are counted, not used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.rates import loglog_slope
from ..methods import IterativeRegressor, make_method
from ..verdict import Finding
from .common import bootstrap, counts, figure, fit_trials, fmt_setting, setting_problems, write_csv, log_scale, legend, claim_finding
from .settings import method_spec

SOURCE = "Li, Nguyen, Hegde & Wong (ICLR 2023), Corollary 1"
STATEMENT = "Algorithm 1/2's early-stopped error satisfies ||w - w*||^2 <~ s sigma^2 log p / n."
EXPECTED = {"n": -1.0, "sigma": 2.0, "active_groups": 1.0}


def slope(f: pd.DataFrame) -> float:
    """OLS slope of log(median squared error) on log(value), over converged trials
    (:func:`gsbench.analysis.rates.loglog_slope`, the noisy study's rate exponent)."""
    c = f[f["converged"].astype(bool)]
    med = c.groupby("value")["sq_error_validation"].median()
    return loglog_slope(med.index.to_numpy(float), med.to_numpy(float))


def run(settings: dict, outdir: str | Path) -> Finding:
    """Fit, write ``dglnn_rate.csv`` (per trial) and ``dglnn_rate.png``."""
    sec, outdir = settings["dglnn_rate"], Path(outdir)
    frames = []
    for factor, values in sec["vary"].items():
        if factor not in EXPECTED:
            raise ValueError(f"claim settings key 'dglnn_rate.vary.{factor}': one of {sorted(EXPECTED)}")
        for value in values:
            problem = {**sec["problem"], factor: value}
            problems = setting_problems(problem, sec["trials"])
            for label, body in sec["methods"].items():
                name, params = method_spec(label, body)
                est = make_method(name, params)
                cap = est.max_iter if isinstance(est, IterativeRegressor) else None
                f = fit_trials(name, params, problems, threshold=1.0)
                f["converged"] = (f["status"] == "ok") & ((f["iterations"] < cap) if cap else True)
                frames.append(f.assign(method=label, factor=factor, value=float(value)))
    trials = pd.concat(frames, ignore_index=True)
    csv = write_csv(trials, outdir / "dglnn_rate.csv")
    tol = sec["criteria"]["tolerance"]
    target = sec["criteria"]["method"]
    measures, hits, text = [], [], []
    for label in sec["methods"]:
        for factor in sec["vary"]:
            g = trials[(trials["method"] == label) & (trials["factor"] == factor)]
            m = bootstrap(g, slope, settings["bootstrap"], settings["seed"],
                          f"{label} exponent of {factor} (expected {EXPECTED[factor]:g})")
            measures.append(m)
            if label == target:
                lo, hi = (m.low, m.high) if np.isfinite(m.low) else (m.value, m.value)
                hit = np.isfinite(m.value) and (lo - tol <= EXPECTED[factor] <= hi + tol)
                hits.append(hit)
                text.append(f"{factor}: {m.value:.2f} vs {EXPECTED[factor]:g}")
    png = _plot(trials, sec, settings, outdir / "dglnn_rate.png")
    rc = counts(trials, "converged")
    summary = f"{target}: " + ", ".join(text)
    if all(hits):
        verdict, reason = "agrees", f"All three exponents match ({summary})."
    elif any(hits):
        verdict, reason = "partly", f"{sum(hits)} of {len(hits)} exponents match ({summary})."
    else:
        verdict, reason = "disagrees", f"No exponent matches ({summary})."
    if rc["converged"] < 0.5 * rc["total"]:
        verdict, reason = "inconclusive", f"Most runs exhausted their budget ({summary})."
    return claim_finding(
        claim="dglnn_rate", source=SOURCE, statement=STATEMENT,
        setting=f"{', '.join(sec['methods'])}; base {fmt_setting(sec['problem'])}; varying "
                + "; ".join(f"{k} in {v}" for k, v in sec["vary"].items()) + f"; {sec['trials']} trials",
        quantity="log-log slope of the median validation-stopped ||w - w*||^2 against n, sigma, s",
        measured=measures,
        criterion=(f"agrees if every exponent of {target} is within {tol} of the expected one (interval "
                   "widened by that); partly if some; disagrees if none; the other methods are shown beside it"),
        verdict=verdict, reason=reason, runs=rc, files=[csv.name, png.name],
    )  # fmt: skip


def _plot(trials, sec, settings, path):
    factors = list(sec["vary"])
    with figure(path, len(factors), "Claim 6: validation-stopped squared error against n, sigma, s "
                "(median, quartiles)", settings.get("plot", {}).get("dpi", 120)) as (fig, axes):
        for ax, factor in zip(axes, factors):
            for label in sec["methods"]:
                g = trials[(trials["method"] == label) & (trials["factor"] == factor) & trials["converged"]]
                q = g.groupby("value")["sq_error_validation"].quantile([0.25, 0.5, 0.75]).unstack()
                if len(q):
                    line = ax.plot(q.index, q[0.5], marker="o", ms=4, label=label)[0]
                    ax.fill_between(q.index, q[0.25], q[0.75], color=line.get_color(), alpha=0.2, lw=0)
            log_scale(ax, "x")
            log_scale(ax)
            ax.set_xlabel({"active_groups": "s (active groups)"}.get(factor, factor))
            ax.set_ylabel("||w_val - w*||^2")
            legend(ax)
    return path
