r"""The noisy regime (``config/noisy.yaml``): error rates, the oracle floor, competing rate laws.

For every signal-to-noise ratio :math:`\mathrm{SNR} = \lVert Xw^\star\rVert^2/(n\sigma^2)`
(:math:`\sigma` set per problem), group size g, number of active groups s, sample size n
(a grid well above the noiseless transitions) and trial, one problem is fitted by every
method and by least squares on the true support (:func:`gsbench.oracle.oracle_least_squares`,
the physical floor; :math:`\sigma^2 k/(n-k-1)` in expectation for Gaussian designs).  A
*part* (one SNR) is one workflow job.

The verdict (:func:`write_verdict`) reports, per method, the validation-chosen squared error
(what a user gets) and the oracle-stopped one as ratios to the floor (geometric mean over
problems of the per-problem ratio, bootstrap interval: :func:`gsbench.analysis.paired.paired_ratio`),
the competing rate laws fitted to the validation-chosen errors
(:func:`gsbench.analysis.rates.rate_laws`), and the reference method's error over each other
method's, paired problem by problem at equal n.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import write_text, save_figure
from ..analysis.paired import paired_ratio
from ..analysis.rates import rate_laws
from ..oracle import oracle_floor_gaussian, oracle_least_squares
from ..problems import derive_seed, make_problem
from .fits import fit_methods
from .real_study import _fmt, _md

log = logging.getLogger(__name__)


def parts(settings: dict) -> list[str]:
    """One part per SNR: ``snr<value>``."""
    return [f"snr{_fmt(v)}" for v in settings["snr"]]


def run_part(settings: dict, part: str) -> pd.DataFrame:
    """Every method and the oracle floor on the problems of one SNR: one row per (g, s, n,
    method, trial) with ``sigma``, ``sq_error_floor`` (the oracle's realised squared error on
    the same problem) and ``floor_expected`` (:math:`\\sigma^2 k/(n-k-1)`)."""
    snr = {f"snr{_fmt(v)}": float(v) for v in settings["snr"]}.get(part)
    if snr is None:
        raise ValueError(f"noisy study part {part!r} is not one of {parts(settings)}")
    p, frames = settings["p"], []
    for g in settings["group_size"]:
        for s in settings["active_groups"]:
            if p % g or s > p // g:
                log.warning("g=%d, s=%d impossible with p=%d; skipped", g, s, p)
                continue
            for n in settings["n"]:
                params = dict(n=n, p=p, group_size=g, active_groups=s, snr=snr,
                              design=settings["design"], signal=settings["signal"],
                              amplitude=settings["amplitude"])
                problems = [make_problem(**params, seed=derive_seed(
                    {**params, "study_seed": settings["seed"]}, t)) for t in range(settings["trials"])]
                fits = fit_methods(settings["methods"], problems)
                support = problems[0].w_star != 0
                floors = []
                for t, pr in enumerate(problems):
                    w = oracle_least_squares(pr.X, pr.y, pr.w_star != 0)
                    floors.append(dict(trial=t, sigma=pr.spec["sigma_drawn"],
                                       sq_error_floor=float(np.sum((w - pr.w_star) ** 2))))
                floor = pd.DataFrame(floors)
                k = int(support.sum())
                floor["floor_expected"] = oracle_floor_gaussian(floor["sigma"], k, n)
                frames.append(fits.merge(floor, on="trial").assign(
                    snr=snr, p=p, group_size=g, active_groups=s, k=k, n=n))
                log.info("%s g=%d s=%d n=%d: %d trials", part, g, s, n, len(problems))
    cols = ["snr", "p", "group_size", "active_groups", "k", "n"]
    out = pd.concat(frames, ignore_index=True)
    return out[cols + [c for c in out.columns if c not in cols]]


def floor_table(trials: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """Per method and SNR (and pooled): the squared error over the oracle floor, validation-
    chosen and oracle-stopped, paired per problem."""
    rows = []
    ok = trials[trials["status"] == "ok"]
    for method in settings["methods"]:
        sub_m = ok[ok["method"] == method]
        for snr, sub in [*sub_m.groupby("snr"), ("all", sub_m)]:
            row = {"method": method, "snr": snr}
            for col, name in (("sq_error_validation", "validation"), ("sq_error_oracle", "oracle")):
                r = paired_ratio(sub[col], sub["sq_error_floor"], settings["bootstrap"],
                                 settings["seed"])
                row.update({f"{name}_ratio": r[0], f"{name}_low": r[1], f"{name}_high": r[2]})
            row["problems"] = len(sub)
            rows.append(row)
    return pd.DataFrame(rows)


def paired_errors(trials: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """The reference method's validation-chosen squared error over each other method's,
    paired per problem (same snr, g, s, n, trial), per SNR and pooled."""
    ref, rows = settings["reference"], []
    keys = ["snr", "group_size", "active_groups", "n", "trial"]
    wide = trials[trials["status"] == "ok"].pivot_table(
        index=keys, columns="method", values="sq_error_validation").reset_index()
    for other in settings["methods"]:
        if other == ref:
            continue
        for snr, sub in [*wide.groupby("snr"), ("all", wide)]:
            r = paired_ratio(sub.get(ref, pd.Series(np.nan, sub.index)),
                             sub.get(other, pd.Series(np.nan, sub.index)),
                             settings["bootstrap"], settings["seed"])
            rows.append(dict(comparison=f"{ref} / {other}", snr=snr, ratio=r[0], low=r[1],
                             high=r[2], n_pairs=r[3], n_above=r[4], n_below=r[5],
                             sign_test_p=r[6]))
    return pd.DataFrame(rows)


def plot_rates(trials: pd.DataFrame, settings: dict, path) -> None:
    r"""Median squared error (validation-chosen) against n per method: a row of panels per SNR,
    a column per (g, s), with the oracle floor, realised (black) and
    :math:`\sigma^2 k/(n-k-1)` (dotted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    snrs = sorted(trials["snr"].unique())
    shapes = sorted(trials.groupby(["group_size", "active_groups"]).groups)
    fig, axes = plt.subplots(len(snrs), len(shapes), figsize=(3.4 * len(shapes), 2.8 * len(snrs)),
                             squeeze=False, sharex=True)
    try:
        for (i, snr), (j, (g, s)) in ((a, b) for a in enumerate(snrs) for b in enumerate(shapes)):
            ax = axes[i][j]
            sub = trials[(trials["snr"] == snr) & (trials["group_size"] == g)
                         & (trials["active_groups"] == s)]
            for c, method in enumerate(settings["methods"]):
                med = sub[sub["method"] == method].groupby("n")["sq_error_validation"].median()
                ax.plot(med.index, med.to_numpy(), marker="o", ms=3, color=f"C{c}", label=method)
            fl = sub.drop_duplicates(["n", "trial"]).groupby("n")
            ax.plot(fl["sq_error_floor"].median(), "k-", lw=1.5, label="oracle LS")
            ax.plot(fl["floor_expected"].median(), "k:", lw=1, label="σ²k/(n−k−1)")
            ax.set_title(f"SNR {_fmt(snr)}, g={g}, s={s}", fontsize=9)
            ax.set(xscale="log", yscale="log")
            if i == len(snrs) - 1:
                ax.set_xlabel("n")
            if j == 0:
                ax.set_ylabel("||w − w*||²")
        axes[0][0].legend(fontsize=7)
        fig.suptitle("Squared error against n (validation-chosen); oracle floor in black",
                     fontsize=10)
        fig.tight_layout()
        save_figure(fig, path, dpi=100)
    finally:
        plt.close(fig)


def write_verdict(settings: dict, trials: pd.DataFrame, outdir, *, runtime: str = "") -> dict:
    """Write ``floor.csv``, ``rate_laws.csv``, ``paired.csv``, ``rates.png`` and ``verdict.md``."""
    from ..atomic import write_table as write_csv

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    floor = floor_table(trials, settings)
    laws = rate_laws(trials[trials["method"].isin(list(settings["methods"]))],
                     n_boot=settings["bootstrap"], seed=settings["seed"])
    paired = paired_errors(trials, settings)
    paths = {"floor": write_csv(floor, outdir / "floor.csv"),
             "rate_laws": write_csv(laws, outdir / "rate_laws.csv"),
             "paired": write_csv(paired, outdir / "paired.csv")}
    plot_rates(trials, settings, outdir / "rates.png")
    paths["rates"] = outdir / "rates.png"
    follows = []
    for method, sub in laws.groupby("method", sort=False):
        best = sub[sub["best_aic"]].iloc[0]
        aic = sub.drop_duplicates("law").set_index("law")["aic"]
        loo = sub.drop_duplicates("law").set_index("law")["loo_rmse"]
        follows.append(dict(method=method, follows=best["law"], formula=best["formula"],
                            aic_group=aic.get("group", np.nan), aic_entry=aic.get("entry", np.nan),
                            loo_group=loo.get("group", np.nan), loo_entry=loo.get("entry", np.nan)))
    lines = [f"# The noisy regime: {settings['study']}", "",
             f"{settings['design']} design, p = {settings['p']}, g in {settings['group_size']}, s in "
             f"{settings['active_groups']}, SNR ||Xw*||²/(nσ²) in {settings['snr']}, n in "
             f"{settings['n']}, {settings['trials']} trials per cell; estimates chosen on the "
             "validation set (n_val = n), oracle-stopped beside. Files: floor.csv, "
             "rate_laws.csv, paired.csv, rates.png, trials.csv.", ""]
    if runtime:
        lines += [runtime, ""]
    lines += ["## Error over the oracle floor (least squares on the true support, same problems)",
              "", "Geometric mean over problems of ||w − w*||² / ||w_oracle − w*||², 95% bootstrap "
              "interval.", "", _md(floor), ""]
    lines += ["## Which rate law each method follows", "",
              "n·||w − w*||²/σ² (median per cell) fitted by the n* laws' machinery "
              "(gsbench.analysis.laws): group A·s·g + B·s·log(e·L/s) against entry "
              "A·k·log(e·p/k); the lower AIC wins.", "", _md(pd.DataFrame(follows)), ""]
    lines += ["## Paired error ratios at equal n", "",
              "Validation-chosen squared errors, paired per problem; below 1: the reference "
              "method's error is smaller.", "", _md(paired), ""]
    lines += ["## Rate-law constants", "", _md(laws[["method", "law", "param", "estimate", "low",
                                                       "high", "aic", "loo_rmse", "best_aic"]]), ""]
    write_text(outdir / "verdict.md", "\n".join(lines))
    paths["verdict"] = outdir / "verdict.md"
    return paths
