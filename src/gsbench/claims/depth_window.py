"""Claim 2 (Li et al. 2021): depth widens the early-stopping window.

For each design and depth N, at the alpha with the least median validation-stopped error
(claim 1's best usable alpha), over trials whose near-minimum window closed before the run
ended (``window_closed``; the others are budget-exhausted): the window length
``near_min_last - near_min_first`` (iterations with error <= 1.1 x its minimum), and the
same relative to the stopping time (the oracle-stopped iteration). Relative length is the
fair comparison: deeper models are slower, so absolute windows are longer anyway.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..verdict import Finding
from ..atomic import write_table as write_csv
from .plotting import figure, legend, log_scale
from .trial_stats import bootstrap, counts
from .verdicts import claim_finding, fmt_setting
from .depth_range import alpha_table, working_range

SOURCE = "Li, Nguyen, Hegde & Wong (NeurIPS 2021), abstract and Section 4"
STATEMENT = "Increasing depth N enlarges the early-stopping window."


def relative_window(frame: pd.DataFrame) -> pd.Series:
    """``(near_min_last - near_min_first) / oracle_iteration`` per trial."""
    return (frame["near_min_last"] - frame["near_min_first"]) / frame["oracle_iteration"].clip(lower=1)


def _median_rel(f: pd.DataFrame) -> float:
    c = f[f["window_closed"].astype(bool)]
    return float(np.median(relative_window(c))) if len(c) else math.nan


def run(settings: dict, outdir: str | Path, trials: pd.DataFrame) -> Finding:
    """Claim 2 from the depth fits; writes ``depth_window.csv`` and ``depth_window.png``."""
    ds, outdir = settings["depth"], Path(outdir)
    crit = ds["criteria"]
    depths = sorted(int(d) for d in trials["depth"].unique())
    lo_d, hi_d = depths[0], depths[-1]
    rows, measures, diffs, chosen = [], [], {}, []
    for design, sub in trials.groupby("design", sort=False):
        picks = []
        for d in depths:
            t = alpha_table(sub[sub["depth"] == d], crit["min_converged"])
            best = working_range(t, crit["tolerance"])["best_alpha"]
            g = sub[(sub["depth"] == d) & np.isclose(sub["alpha"].astype(float), best)]
            picks.append(g)
            c = g[g["window_closed"].astype(bool)]
            length = (c["near_min_last"] - c["near_min_first"]).to_numpy(float)
            rows.append({"design": design, "depth": d, "alpha": best, "trials": len(g),
                         "closed": len(c), "median_window": float(np.median(length)) if len(c) else math.nan,
                         "median_relative_window": _median_rel(g),
                         "median_stop": float(np.median(c["oracle_iteration"])) if len(c) else math.nan,
                         "median_success_window": float(np.median((c["success_last"] - c["success_first"])[c["success_first"] >= 0])) if (c["success_first"] >= 0).any() else math.nan})  # fmt: skip
            measures.append(bootstrap(g, _median_rel, settings["bootstrap"], settings["seed"],
                                      f"{design} N={d} (alpha={best:.3g}) window/stop"))
        chosen.append(pd.concat(picks, ignore_index=True))
        both = pd.concat(picks, ignore_index=True)
        diff = bootstrap(both, lambda f: _median_rel(f[f["depth"] == hi_d]) - _median_rel(f[f["depth"] == lo_d]),
                         settings["bootstrap"], settings["seed"],
                         f"{design} window/stop N={hi_d} - N={lo_d}")
        measures.append(diff)
        diffs[design] = diff
    table = pd.DataFrame(rows)
    csv = write_csv(table, outdir / "depth_window.csv")
    png = _plot(pd.concat(chosen, ignore_index=True), depths, settings, outdir / "depth_window.png")
    used = pd.concat(chosen, ignore_index=True)
    wider = [d for d, m in diffs.items() if np.isfinite(m.low) and m.low > 0]
    narrower = [d for d, m in diffs.items() if np.isfinite(m.high) and m.high <= 0]
    rc = counts(used, "window_closed")
    text = "; ".join(f"{r.design} N={r.depth}: window {r.median_window:.0f} it. at stop {r.median_stop:.0f} "
                     f"({r.closed}/{r.trials} closed)" for r in table.itertuples())
    if rc["converged"] < 0.5 * rc["total"]:
        verdict, reason = "inconclusive", f"Most windows did not close within the budget ({text})."
    elif len(wider) == len(diffs):
        verdict, reason = "agrees", f"The relative window is longer for N={hi_d} on every design ({text})."
    elif wider:
        verdict, reason = "partly", f"Longer for N={hi_d} on {', '.join(wider)} only ({text})."
    elif len(narrower) == len(diffs):
        verdict, reason = "disagrees", f"The relative window is not longer for N={hi_d} ({text})."
    else:
        verdict, reason = "inconclusive", f"Intervals of the difference overlap 0 ({text})."
    return claim_finding(
        claim="depth_window", source=SOURCE, statement=STATEMENT,
        rule="monotone effect: the deeper model's relative window must be longer, interval of the difference above 0",
        multiplicity=f"{len(diffs)} designs x 1 difference",
        setting=f"as claim 1, each N at its best alpha; {fmt_setting(ds['problem'])}; designs {list(ds['designs'])}",
        quantity="median early-stopping window (error <= 1.1 x min) relative to the stopping time",
        measured=measures,
        criterion=(f"agrees if window/stop for N={hi_d} minus N={lo_d} has a 95% interval above 0 on every "
                   "design; partly if on some; disagrees if at or below 0 on all; inconclusive if most "
                   "windows were still open at the budget or intervals overlap 0"),
        verdict=verdict, reason=reason, runs=rc, files=[csv.name, png.name],
    )  # fmt: skip


def _plot(used, depths, settings, path):
    designs = list(dict.fromkeys(used["design"]))
    with figure(path, len(designs), "Claim 2: early-stopping window (error <= 1.1 x min) per trial, "
                "at each depth's best alpha", settings["plot"]["dpi"]) as (fig, axes):
        for ax, design in zip(axes, designs):
            for i, d in enumerate(depths):
                c = used[(used["design"] == design) & (used["depth"] == d) & used["window_closed"].astype(bool)]
                y = np.full(len(c), i) + np.linspace(-0.3, 0.3, max(len(c), 1))[: len(c)]
                ax.hlines(y, c["near_min_first"], c["near_min_last"], color=f"C{i}", lw=2,
                          label=f"N={d} ({len(c)} closed)")
                ax.plot(c["oracle_iteration"], y, "k|", ms=6)
            log_scale(ax, "x")
            ax.set_yticks(range(len(depths)), [f"N={d}" for d in depths])
            ax.set_xlabel("iteration (| = least error)")
            ax.set_title(design)
            legend(ax, loc="lower right")
    return path
