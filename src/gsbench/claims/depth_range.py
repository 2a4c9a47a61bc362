"""Claim 1 (Li et al. 2021): depth enlarges the working range of initialisation.

For each design and depth N, over the swept alpha: the median validation-stopped relative
error over the trials whose validation stop settled (``val_settled``); an alpha is *usable*
when at least ``min_converged`` of its trials settled (else it is budget-limited: not
evidence). The working range is the contiguous block of usable alphas around the depth's
best one whose median error is within ``tolerance`` x one *absolute* standard shared by all
depths of a design -- the best median over every depth and alpha -- in decades
``log10(alpha_max / alpha_min)`` (0 when a single alpha works, and when none does: a
uniformly worse depth cannot look wider); it is *censored* when the next alpha beyond an end
was not usable (the range may be wider than measured).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..verdict import Finding
from ..atomic import write_table as write_csv
from .plotting import band, figure, legend, log_scale
from .trial_stats import bootstrap, counts
from .verdicts import claim_finding, fmt_setting

SOURCE = "Li, Nguyen, Hegde & Wong (NeurIPS 2021), abstract and Section 4"
STATEMENT = "Increasing depth N enlarges the scale of working initialisation alpha."


def alpha_table(sub: pd.DataFrame, min_converged: float) -> pd.DataFrame:
    """Per alpha (ascending): median/quartiles of the validation-stopped relative error over
    settled trials, settled fraction and whether the alpha is usable."""
    alpha = sub["alpha"].to_numpy(float)
    settled = sub["val_settled"].to_numpy(bool)
    err = sub["rel_error_validation"].to_numpy(float)
    not_run = (sub["status"] == "not_run").to_numpy()
    rows = []
    for a in np.unique(alpha[np.isfinite(alpha)]):
        at = alpha == a
        e = err[at & settled]
        q = np.percentile(e, [25, 50, 75]) if e.size else [math.nan] * 3
        rows.append({"alpha": float(a), "median": float(q[1]), "q25": float(q[0]), "q75": float(q[2]),
                     "settled": int(e.size), "trials": int(at.sum()), "not_run": int(not_run[at].sum()),
                     "usable": bool(e.size >= min_converged * at.sum())})
    return pd.DataFrame(rows, columns=["alpha", "median", "q25", "q75", "settled", "trials",
                                       "not_run", "usable"])


def best_median(table: pd.DataFrame) -> float:
    """The least median error over the table's usable alphas (NaN if none)."""
    med = table["median"].to_numpy(float)[table["usable"].to_numpy(bool)]
    return float(np.nanmin(med)) if np.isfinite(med).any() else math.nan


def working_range(table: pd.DataFrame, tolerance: float, reference: float | None = None) -> dict:
    """The working range (decades), its ends and whether each end is censored by budget:
    the usable alphas around the table's best one with median <= ``tolerance x reference``
    (``reference`` None: the table's own best median). Empty: range 0, ends NaN."""
    usable = table["usable"].to_numpy(bool)
    med = table["median"].to_numpy(float)
    if not usable.any():
        return {"range": math.nan, "alpha_low": math.nan, "alpha_high": math.nan,
                "censored_low": True, "censored_high": True, "best_alpha": math.nan}
    k = int(np.nanargmin(np.where(usable, med, np.inf)))
    ref = med[k] if reference is None else reference
    ok = usable & (med <= tolerance * ref)
    if not ok[k]:  # no alpha of this depth works: an empty range, censored where the budget cut it
        return {"range": 0.0, "alpha_low": math.nan, "alpha_high": math.nan,
                "censored_low": bool(k > 0 and not usable[k - 1]),
                "censored_high": bool(k < len(ok) - 1 and not usable[k + 1]),
                "best_alpha": float(table["alpha"].iloc[k])}
    lo = hi = k
    while lo > 0 and ok[lo - 1]:
        lo -= 1
    while hi < len(ok) - 1 and ok[hi + 1]:
        hi += 1
    a = table["alpha"].to_numpy(float)
    return {"range": float(np.log10(a[hi] / a[lo])), "alpha_low": float(a[lo]),
            "alpha_high": float(a[hi]), "censored_low": bool(lo > 0 and not usable[lo - 1]),
            "censored_high": bool(hi < len(ok) - 1 and not usable[hi + 1]),
            "best_alpha": float(a[k])}


def depth_ranges(sub: pd.DataFrame, depths: list[int], min_conv: float, tol: float
                 ) -> tuple[dict[int, pd.DataFrame], dict[int, dict], float]:
    """Per depth of one design: the alpha table and the working range against the design's
    absolute standard (the best median over all depths), and that standard."""
    tables = {d: alpha_table(sub[sub["depth"] == d], min_conv) for d in depths}
    bests = [best_median(t) for t in tables.values()]
    ref = float(np.nanmin(bests)) if np.isfinite(bests).any() else math.nan
    return tables, {d: working_range(t, tol, ref) for d, t in tables.items()}, ref


def run(settings: dict, outdir: str | Path, trials: pd.DataFrame) -> Finding:
    """Claim 1 from the depth fits ``trials`` (see :mod:`.depth`); writes
    ``depth_range.csv`` and ``depth_range.png``."""
    ds, outdir = settings["depth"], Path(outdir)
    crit = ds["criteria"]
    tol, min_conv = crit["tolerance"], crit["min_converged"]
    depths = sorted(int(d) for d in trials["depth"].unique())
    lo_d, hi_d = depths[0], depths[-1]
    tables, measures, per_design = [], [], {}
    for design, sub in trials.groupby("design", sort=False):
        by_depth, ranges, ref = depth_ranges(sub, depths, min_conv, tol)
        for d in depths:
            tables.append(by_depth[d].assign(design=design, depth=d, standard=ref,
                                             **{f"range_{k}": v for k, v in ranges[d].items()}))

        def stat_diff(f):
            r = depth_ranges(f, depths, min_conv, tol)[1]
            return r[hi_d]["range"] - r[lo_d]["range"]

        def stat_shift(f):
            r = depth_ranges(f, depths, min_conv, tol)[1]
            return float(np.log10(r[hi_d]["alpha_high"] / r[lo_d]["alpha_high"]))

        seed = settings["seed"]
        for d in depths:
            measures.append(bootstrap(sub, lambda f, d=d: depth_ranges(f, depths, min_conv, tol)[1][d]["range"],
                                      settings["bootstrap"], seed, f"{design} N={d} range (decades)"))
        diff = bootstrap(sub, stat_diff, settings["bootstrap"], seed,
                         f"{design} range(N={hi_d}) - range(N={lo_d})")
        shift = bootstrap(sub, stat_shift, settings["bootstrap"], seed,
                          f"{design} log10 largest working alpha, N={hi_d} - N={lo_d}")
        measures += [diff, shift]
        per_design[design] = {"diff": diff, "shift": shift, "ranges": ranges,
                              "censored": ranges[hi_d]["censored_low"] or ranges[hi_d]["censored_high"],
                              "open": ranges[lo_d]["alpha_low"] == sub["alpha"].min()}
    table = pd.concat(tables, ignore_index=True)
    csv = write_csv(table, outdir / "depth_range.csv")
    png = _plot(table, depths, ds, settings, outdir / "depth_range.png")
    verdict, reason = _verdict(per_design, lo_d, hi_d)
    return claim_finding(
        claim="depth_range", source=SOURCE, statement=STATEMENT,
        setting=f"hadamard_depth N in {depths}, alpha in {sorted(trials['alpha'].dropna().unique().tolist())}; "
                f"{fmt_setting(ds['problem'])}; designs {list(ds['designs'])}; {ds['trials']} trials",
        rule=("monotone effect: the deeper model's working range (against one error standard for all depths) "
              "must be wider, interval of the difference above 0"),
        multiplicity=f"{trials['design'].nunique()} designs x (range difference, shift of the largest working alpha)",
        quantity=(f"working range of alpha in decades: median validation-stopped error within {tol} x the best "
                  "median over all depths and alphas of the design (one absolute standard)"),
        measured=measures,
        criterion=(f"agrees if range(N={hi_d}) - range(N={lo_d}) has a 95% interval above 0 on every design; "
                   f"partly if that difference is not identifiable (N={hi_d}'s smaller alphas beyond the budget, or "
                   f"N={lo_d}'s range open at the grid's smallest alpha) but the largest working alpha is higher for "
                   f"N={hi_d} (interval of the log10 shift above 0) on every design; disagrees if both are at or "
                   "below 0 everywhere, uncensored; inconclusive otherwise"),
        verdict=verdict, reason=reason, runs=counts(trials, "val_settled"), files=[csv.name, png.name],
    )  # fmt: skip


def _verdict(per_design: dict, lo_d: int, hi_d: int) -> tuple[str, str]:
    """agrees: the range difference's interval is above 0 on every design. partly: it is not
    identifiable (N=hi_d's range censored by the budget, or N=lo_d's open at the grid's
    smallest alpha) but the largest working alpha moves up with depth (interval above 0) on
    every design. disagrees: difference and shift both at or below 0, uncensored, everywhere.
    Otherwise inconclusive."""
    def pos(m):
        return np.isfinite(m.low) and m.low > 0

    def nonpos(m):
        return np.isfinite(m.high) and m.high <= 0

    text = "; ".join(
        f"{d}: N={lo_d} works for alpha {i['ranges'][lo_d]['alpha_low']:.3g}-{i['ranges'][lo_d]['alpha_high']:.3g}"
        + (" (open at the grid's smallest alpha)" if i["open"] else "")
        + f", N={hi_d} for {i['ranges'][hi_d]['alpha_low']:.3g}-{i['ranges'][hi_d]['alpha_high']:.3g}"
        + (" (smaller alphas beyond the budget)" if i["censored"] else "")
        for d, i in per_design.items())
    infos = per_design.values()
    if all(pos(i["diff"]) for i in infos):
        return "agrees", f"Deeper models work over a wider alpha range on every design ({text})."
    if all(pos(i["shift"]) for i in infos) and all(pos(i["diff"]) or i["censored"] or i["open"] for i in infos):
        return "partly", (f"The working scale moves up with depth: the largest working alpha is larger for "
                          f"N={hi_d} on every design, but the width of the range is not identifiable within the "
                          f"budget ({text}).")
    if all(nonpos(i["diff"]) and nonpos(i["shift"]) and not i["censored"] for i in infos):
        return "disagrees", f"No design shows a wider or higher range for N={hi_d} ({text})."
    return "inconclusive", f"Intervals overlap 0 or the range is censored ({text})."


def _plot(table, depths, ds, settings, path):
    designs = list(dict.fromkeys(table["design"]))
    with figure(path, len(designs), "Claim 1: validation-stopped error against alpha per depth "
                "(hollow: budget-limited)", settings["plot"]["dpi"]) as (fig, axes):
        for ax, design in zip(axes, designs):
            for d in depths:
                t = table[(table["design"] == design) & (table["depth"] == d)]
                line = band(ax, t["alpha"], t["median"], t["q25"], t["q75"], f"N={d}")
                bad = t[~t["usable"].astype(bool)]
                ax.plot(bad["alpha"], bad["median"], "o", mfc="white", color=line.get_color())
            log_scale(ax, "x")
            log_scale(ax)
            ax.set_xlabel("alpha = u(0)")
            ax.set_ylabel("validation-stopped ||w - w*|| / ||w*||")
            ax.set_title(design)
            legend(ax)
    return path
