"""Claim 6 (DGLNN paper, Corollary 1): ``||w_hat - w*||^2 <~ s sigma^2 log p / n``.

One factor at a time around a base problem (n, sigma, the number of active groups s and the
group size g at fixed p), every method on the same problems with its default early
termination: the median over trials of the validation-stopped squared error
``||w_val - w*||^2``, and its log-log slope against the factor (ordinary least squares), with
a bootstrap interval over trials and fit diagnostics (points per slope, largest absolute
residual in log units). A trial counts when its status is ok and (iterative methods) the
loop's early termination ended it before ``max_iter``; budget-exhausted trials are counted,
not used.

The corollary is an *upper bound* with exponents -1 (n), 2 (sigma), 1 (s) and 0 (g: the
paper's s is the number of non-zero groups, Section 3.2); it is contradicted only by an
exponent *above* its bound. Rule, for the target method: an exponent is *above* when its
interval lies above the bound, *within* when its interval's upper end is at most the bound
plus ``tolerance``, undetermined otherwise; **agrees** if all are within, **partly** if
some (not all) are above, **disagrees** if all are above, **inconclusive** otherwise. The
g exponent is also read against 1, the bound with s counting non-zero entries (s g), which
the g sweep separates from s. The group lasso and ``w = u∘u - v∘v`` (hadamard) are shown as
controls, outside the verdict.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.intervals import format_interval
from ..analysis.rates import loglog_fit
from ..methods import IterativeRegressor, make_method
from ..verdict import Finding
from ..atomic import write_table as write_csv
from .fitting import fit_trials, setting_problems
from .plotting import figure, legend, log_scale
from .trial_stats import bootstrap, counts
from .verdicts import claim_finding, fmt_setting
from .settings import method_spec

SOURCE = "Li, Nguyen, Hegde & Wong (ICLR 2023), Corollary 1"
STATEMENT = "Algorithm 1/2's early-stopped error satisfies ||w - w*||^2 <~ s sigma^2 log p / n."
#: Corollary 1's exponents (upper bound), s counting non-zero groups.
EXPECTED = {"n": -1.0, "sigma": 2.0, "active_groups": 1.0, "group_size": 0.0}
#: The g exponent if s counted non-zero entries (s g).
ENTRIES_READING = 1.0


def log_log_fit(f: pd.DataFrame) -> tuple[float, int, float]:
    """OLS fit of log(median squared error) on log(value) over converged trials: (slope,
    points, largest absolute residual); slope NaN with fewer than two positive medians."""
    c = f[f["converged"].astype(bool)]
    med = c.groupby("value")["sq_error_validation"].median()
    return loglog_fit(med.index.to_numpy(float), med.to_numpy(float))


def slope(f: pd.DataFrame) -> float:
    """The slope of :func:`log_log_fit`."""
    return log_log_fit(f)[0]


def bound_status(low: float, high: float, bound: float, tol: float) -> str:
    """``"above"`` if the interval lies above the bound, ``"within"`` if its upper end is at
    most ``bound + tol``, ``"undetermined"`` otherwise (also for an unknown interval)."""
    if np.isfinite(low) and low > bound:
        return "above"
    if np.isfinite(high) and high <= bound + tol:
        return "within"
    return "undetermined"


def upper_bound_verdict(statuses: list[str]) -> str:
    """agrees if every exponent is within; disagrees if every one is above; partly if some
    are above; inconclusive otherwise."""
    if statuses and all(s == "within" for s in statuses):
        return "agrees"
    if statuses and all(s == "above" for s in statuses):
        return "disagrees"
    if "above" in statuses:
        return "partly"
    return "inconclusive"


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
    measures, statuses, text, fits = [], [], [], []
    for label in sec["methods"]:
        for factor in sec["vary"]:
            g = trials[(trials["method"] == label) & (trials["factor"] == factor)]
            b, points, resid = log_log_fit(g)
            m = bootstrap(g, slope, settings["bootstrap"], settings["seed"],
                          f"{label} exponent of {factor} (bound {EXPECTED[factor]:g}; {points} points, "
                          f"max |residual| {resid:.2f})")
            measures.append(m)
            status = bound_status(m.low, m.high, EXPECTED[factor], tol)
            fits.append({"method": label, "factor": factor, "bound": EXPECTED[factor], "slope": b,
                         "low": m.low, "high": m.high, "points": points, "max_abs_residual": resid,
                         "status": status})
            if label == target:
                statuses.append(status)
                text.append(f"{factor}: {format_interval(m.value, m.low, m.high, '.2f')} vs {EXPECTED[factor]:g} ({status})")
                if factor == "group_size":
                    entries = bound_status(m.low, m.high, ENTRIES_READING, tol)
                    text.append(f"g against {ENTRIES_READING:g} (s counting entries, s g): {entries}")
    fits_csv = write_csv(pd.DataFrame(fits), outdir / "dglnn_rate_fits.csv")
    png = _plot(trials, sec, settings, outdir / "dglnn_rate.png")
    rc = counts(trials, "converged")
    summary = f"{target}: " + "; ".join(text)
    verdict = upper_bound_verdict(statuses)
    reason = {"agrees": "No exponent exceeds its bound", "partly": f"{statuses.count('above')} of {len(statuses)} "
              "exponents exceed their bound (with their interval)", "disagrees": "Every exponent exceeds its bound",
              "inconclusive": "No exponent exceeds its bound, but not every interval is within it"}[verdict]
    reason = f"{reason} ({summary})."
    if rc["converged"] < 0.5 * rc["total"]:
        verdict, reason = "inconclusive", f"Most runs exhausted their budget ({summary})."
    return claim_finding(
        claim="dglnn_rate", source=SOURCE, statement=STATEMENT,
        rule="upper bound: an exponent contradicts it only by exceeding the bound's (n -1, sigma 2, s 1, g 0)",
        multiplicity=f"{len(sec['vary'])} exponents of {target}; {len(sec['methods']) - 1} control methods shown",
        setting=f"{', '.join(sec['methods'])}; base {fmt_setting(sec['problem'])}; varying "
                + "; ".join(f"{k} in {v}" for k, v in sec["vary"].items()) + f"; {sec['trials']} trials",
        quantity="log-log slope of the median validation-stopped ||w - w*||^2 against n, sigma, s, g (points, max residual)",
        measured=measures,
        criterion=(f"for {target}: an exponent is above its bound if its interval lies above it, within if its upper "
                   f"end is <= bound + {tol}; agrees if all within, partly if some above, disagrees if all above, "
                   "inconclusive otherwise; the g exponent is also read against 1 (s counting entries)"),
        verdict=verdict, reason=reason, runs=rc, files=[csv.name, fits_csv.name, png.name],
    )  # fmt: skip


def _plot(trials, sec, settings, path):
    factors = list(sec["vary"])
    with figure(path, len(factors), "Claim 6: validation-stopped squared error against n, sigma, s, g "
                "(median, quartiles)", settings["plot"]["dpi"]) as (fig, axes):
        for ax, factor in zip(axes, factors):
            for label in sec["methods"]:
                g = trials[(trials["method"] == label) & (trials["factor"] == factor) & trials["converged"]]
                q = g.groupby("value")["sq_error_validation"].quantile([0.25, 0.5, 0.75]).unstack()
                if len(q):
                    line = ax.plot(q.index, q[0.5], marker="o", ms=4, label=label)[0]
                    ax.fill_between(q.index, q[0.25], q[0.75], color=line.get_color(), alpha=0.2, lw=0)
            log_scale(ax, "x")
            log_scale(ax)
            ax.set_xlabel({"active_groups": "s (active groups)", "group_size": "g (group size, p fixed)"}.get(factor, factor))
            ax.set_ylabel("||w_val - w*||^2")
            legend(ax)
    return path
