"""Fig. 5: the degenerate case (group size 1), coordinate paths and the log error over
repetitions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..problems import stack_problems
from ..settings_files import problem_option
from .fitting import _error_stats, _fit, _problems
from .plotting import _legend, _lines, _new_figure, _palette, _save, _style, _xaxis
from .settings import validate_settings
from .statements import QUOTES, TITLES
from .tables import _curves, _thin, _write_csv


def figure5(settings: dict, outdir: str | Path) -> dict:
    """Fig. 5: the degenerate case (group size 1), coordinate paths and log error band.

    All repetitions (seeds ``seed, ..., seed + repetitions - 1``) are fitted in one batch;
    the coordinate paths are those of the first. The log error is summarised by its median
    and 25th-75th percentiles per iteration (the paper's caption says the mean is shown;
    the mean is in the CSV and drawn dashed).

    Parameters
    ----------
    settings : dict
        All paper-figure settings; uses ``settings["fig5"]`` and ``settings["plot"]``.
    outdir : str or Path
        Directory for ``fig5.png``, ``fig5.pdf`` and ``fig5.csv``.

    Returns
    -------
    dict
        ``median_least_error`` (and quartiles) over repetitions, ``fraction_accurate``,
        the first repetition's numbers, the reference method's, ``verdict`` and ``reason``.
    """
    settings = validate_settings(settings, ["fig5"])
    fs, plot = settings["fig5"], settings["plot"]
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    reps = int(fs["repetitions"])
    seeds = [int(fs["seed"]) + r for r in range(reps)]
    problems = _problems(fs, seeds)
    arrays = stack_problems(problems)
    gsize = fs["problem"]["group_size"]
    results = _fit(fs["method"], fs["preset"], fs["params"], gsize, arrays,
                   fs["plot_iterations"], fs["stride"], record=["coef"])
    it = results[0].path["iteration"]
    if any(r.path["iteration"].shape != it.shape for r in results):
        raise RuntimeError("fig5: repetitions have paths of different lengths (a run diverged)")
    E = np.stack([r.path["oracle_error"] for r in results])  # (reps, T)
    logE = np.log(E)
    w_norm = float(np.linalg.norm(problems[0].w_star))
    within = it <= fs["iterations"]
    least = np.nanmin(np.where(within, E, np.inf), axis=1)
    least_it = it[np.nanargmin(np.where(within, E, np.inf), axis=1)]
    k_final = int(np.flatnonzero(within)[-1])
    crit = fs["criteria"]
    ref = None
    if fs["reference_method"]:
        rres = _fit(fs["reference_method"], "paper", {}, gsize, arrays, fs["iterations"],
                    fs["stride"])
        rleast = np.array([np.nanmin(r.path["oracle_error"]) for r in rres])
        ref = {"method": fs["reference_method"], "median_least_error": float(np.median(rleast)),
               "least_error": rleast.tolist()}
    q25, q50, q75 = np.percentile(least, [25, 50, 75])
    numbers = {
        "figure": "fig5", "title": TITLES["fig5"], "quote": QUOTES["fig5"],
        "method": fs["method"], "seeds": seeds, "repetitions": reps,
        "status": sorted({r.status for r in results}),
        "w_star_norm": w_norm,
        "iterations": int(fs["iterations"]), "plot_iterations": int(fs["plot_iterations"]),
        "least_error": least.tolist(), "least_iteration": least_it.tolist(),
        "median_least_error": float(q50), "q25_least_error": float(q25),
        "q75_least_error": float(q75),
        "median_least_iteration": float(np.median(least_it)),
        "median_final_error": float(np.median(E[:, k_final])), "final_iteration": int(it[k_final]),
        "fraction_accurate": float(np.mean(least < crit["accuracy"] * w_norm)),
        "switched": int(sum(r.extra.get("switch_iteration", -1) >= 0 for r in results)),
        "first": _error_stats(it, E[0], fs["iterations"]),
        "reference": ref, "criteria": dict(crit),
    }  # fmt: skip
    numbers.update(_verdict_fig5(numbers))

    p = problems[0].p
    keep = _thin(it, plot["max_points"], fs["xscale"])
    coef = results[0].path["coef"]
    stats = np.stack([
        np.percentile(logE, 25, axis=0), np.median(logE, axis=0),
        np.percentile(logE, 75, axis=0), np.mean(logE, axis=0),
    ], axis=1)  # fmt: skip
    frame = pd.concat([
        _curves("fig5", "coefficient", fs["method"], [f"w[{i}]" for i in range(p)], np.arange(p),
                problems[0].w_star != 0, it[keep], coef[keep]),
        _curves("fig5", "log_error", fs["method"], ["q25", "median", "q75", "mean"],
                [-1, -1, -1, -1], [True] * 4, it[keep], stats[keep]),
        _curves("fig5", "log_error_repetition", fs["method"], [f"seed {s}" for s in seeds],
                seeds, np.ones(reps, bool), it[keep], logE[:, keep].T),
    ], ignore_index=True)  # fmt: skip
    csv = _write_csv(frame, outdir / "fig5.csv")
    png, pdf = _plot_fig5(frame, numbers, fs, problems[0], plot, outdir)
    numbers["files"] = [csv.name, png.name, pdf.name]
    return numbers


def _verdict_fig5(m: dict) -> dict:
    c = m["criteria"]
    thr = c["accuracy"] * m["w_star_norm"]
    median_ok = m["median_least_error"] < thr
    frac_ok = m["fraction_accurate"] >= c["fraction"]
    criterion = (
        f"agrees if the median (over the {m['repetitions']} repetitions) least error is below "
        f"{c['accuracy']} x ||w*|| = {thr:.3g} and at least {c['fraction']:.0%} of the repetitions "
        f"are below it; partly if only the median is; disagrees otherwise."
    )
    reason = (
        f"Median least error {m['median_least_error']:.3g} (quartiles {m['q25_least_error']:.3g}-"
        f"{m['q75_least_error']:.3g}, median iteration {m['median_least_iteration']:.0f}); "
        f"{m['fraction_accurate']:.0%} of repetitions below {thr:.3g}; median error at iteration "
        f"{m['final_iteration']}: {m['median_final_error']:.3g}; the step-size switch fired in "
        f"{m['switched']} of {m['repetitions']} repetitions."
    )
    if m["reference"] is not None:
        reason += (
            f" For reference, {m['reference']['method']} on the same problems: median least "
            f"error {m['reference']['median_least_error']:.3g}."
        )
    verdict = "agrees" if median_ok and frac_ok else ("partly" if median_ok else "disagrees")
    return {"verdict": verdict, "criterion": criterion, "reason": reason}


def _plot_fig5(frame, m, fs, prob, plot, outdir):
    xscale = fs["xscale"]
    support = np.flatnonzero(prob.w_star != 0)
    colors = dict(zip(support, _palette(support.size)))
    with _style():
        fig = _new_figure(10.5, 3.9)
        ax_w, ax_e = fig.subplots(1, 2)
        c = frame[frame["panel"] == "coefficient"]
        _lines(ax_w, c, xscale, color_of=lambda i: colors[i], lw_other=0.4,
               label_of=lambda i: f"w[{i}], w* = {prob.w_star[i]:g}")
        ax_w.set_ylabel("w_i(t)")
        ax_w.set_title(f"Coordinate paths (seed {m['seeds'][0]}; support coloured)")
        _xaxis(ax_w, xscale, m["iterations"], m["plot_iterations"])
        _legend(ax_w, loc="upper left", fontsize=7)
        e = frame[frame["panel"] == "log_error"]
        e = e[e["iteration"] > 0] if xscale == "log" else e
        s = {k: g.sort_values("iteration") for k, g in e.groupby("series")}
        x = s["median"]["iteration"].to_numpy()
        ax_e.fill_between(x, s["q25"]["value"], s["q75"]["value"], color="C0", alpha=0.25,
                          lw=0, label="25th-75th percentile")
        ax_e.plot(x, s["median"]["value"], color="C0", lw=1.6,
                  label=f"median over {m['repetitions']} repetitions")
        ax_e.plot(x, s["mean"]["value"], color="C0", lw=0.9, ls="--", label="mean")
        ax_e.set_ylabel("log ||w_t − w*||₂")
        ax_e.set_title("Log ℓ2 error")
        _xaxis(ax_e, xscale, m["iterations"], m["plot_iterations"])
        _legend(ax_e, loc="lower left", fontsize=8)
        fig.suptitle(
            f"Degenerate case (group size 1), Algorithm 2: n = {prob.n}, p = {prob.p}, support "
            f"{[float(v) for v in fs['problem']['values']]}, σ = {problem_option(fs['problem'], 'sigma'):g}",
            fontsize=10,
        )
        return _save(fig, outdir, "fig5", plot["dpi"])
