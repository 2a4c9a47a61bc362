"""Compare two runs of one study side by side: transitions, success rates and fit time.

    python benchmarks/compare_studies.py DIR_A DIR_B [--json OUT]

DIR_A and DIR_B are study result directories (``results/<study>`` of two checkouts, A the
reference). Per (method, setting) of ``transitions.csv`` it reports whether each run's n*
lies inside the other run's bootstrap interval ``[n_star_low, n_star_high]`` and whether the
transition label (``ok``, ``below_grid``, ...) is the same; per (method, cell) of
``summary.csv`` whether each success rate lies inside the other's Wilson interval. Fit time
per method is the sum over its fit jobs of Snakemake's benchmark columns ``s`` (wall) and
``cpu_time`` (``benchmarks/fit/<method>/*.tsv``) and the sum of the per-trial ``seconds``
(``trials.parquet``); the ratios are B / A. The exit status is 1 when an n* moved outside the
other run's interval or a transition label changed, else 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SETTING = ["method", "p", "group_size", "active_groups", "sigma", "design"]


def _inside(x, low, high) -> bool:
    """Whether x lies in [low, high] (NaN x or bounds: only when both are NaN-free)."""
    return bool(np.isfinite(x) and np.isfinite(low) and np.isfinite(high) and low <= x <= high)


def compare_transitions(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """One row per setting of both runs: n* of each, whether each is in the other's interval,
    whether the transition labels agree, and ``moved`` (an n* outside the other's interval
    where both have one, or a changed label)."""
    keys = [k for k in SETTING if k in a.columns and k in b.columns]
    cols = ["n_star", "n_star_low", "n_star_high", "transition"]
    m = a[keys + cols].merge(b[keys + cols], on=keys, how="outer", suffixes=("_a", "_b"),
                             indicator=True)  # fmt: skip
    both = m["_merge"] == "both"
    m["a_in_b"] = [_inside(r.n_star_a, r.n_star_low_b, r.n_star_high_b) for r in m.itertuples()]
    m["b_in_a"] = [_inside(r.n_star_b, r.n_star_low_a, r.n_star_high_a) for r in m.itertuples()]
    m["same_label"] = both & (m["transition_a"].astype(str) == m["transition_b"].astype(str))
    has_star = m["n_star_a"].notna() & m["n_star_b"].notna()
    m["moved"] = ~both | ~m["same_label"] | (has_star & ~(m["a_in_b"] & m["b_in_a"]))
    return m.drop(columns="_merge")


def compare_success(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """One row per (method, cell): both success rates and whether each lies in the other's
    Wilson interval (``outside`` when one does not)."""
    keys = SETTING + ["n"]
    cols = ["success_rate", "success_low", "success_high", "n_converged"]
    m = a[keys + cols].merge(b[keys + cols], on=keys, how="inner", suffixes=("_a", "_b"))
    inside = [(_inside(r.success_rate_a, r.success_low_b, r.success_high_b)
               and _inside(r.success_rate_b, r.success_low_a, r.success_high_a))
              for r in m.itertuples()]  # fmt: skip
    m["outside"] = ~np.array(inside, dtype=bool)
    m["changed"] = m["success_rate_a"] != m["success_rate_b"]
    return m


def fit_times(study: Path) -> pd.DataFrame:
    """Per method: summed ``s`` and ``cpu_time`` of its fit jobs, summed trial ``seconds``,
    iterations and converged fits."""
    rows = []
    for d in sorted((study / "benchmarks" / "fit").glob("*")):
        tsv = pd.concat([pd.read_csv(f, sep="\t") for f in sorted(d.glob("*.tsv"))])
        rows.append({"method": d.name, "job_s": float(tsv["s"].sum()),
                     "job_cpu_s": float(tsv["cpu_time"].sum())})  # fmt: skip
    jobs = pd.DataFrame(rows)
    import pyarrow.parquet as pq

    path = study / "trials.parquet"
    # studies older than the converged column (e.g. commit 145ee0a) lack it
    has_converged = "converged" in pq.read_schema(path).names
    trials = pd.read_parquet(path, columns=["method", "seconds", "iterations"]
                             + (["converged"] if has_converged else []))  # fmt: skip
    agg = {"fit_seconds": ("seconds", "sum"), "iterations": ("iterations", "sum"),
           "fits": ("seconds", "size")}
    if has_converged:
        agg["converged"] = ("converged", "sum")
    per = trials.groupby("method").agg(**agg)
    return jobs.merge(per.reset_index(), on="method", how="outer")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", type=Path, help="reference study results directory")
    ap.add_argument("b", type=Path, help="compared study results directory")
    ap.add_argument("--json", type=Path, help="also write the comparison here")
    args = ap.parse_args(argv)

    tr = compare_transitions(pd.read_csv(args.a / "transitions.csv"),
                             pd.read_csv(args.b / "transitions.csv"))  # fmt: skip
    su = compare_success(pd.read_csv(args.a / "summary.csv"), pd.read_csv(args.b / "summary.csv"))
    ta, tb = fit_times(args.a), fit_times(args.b)
    times = ta.merge(tb, on="method", suffixes=("_a", "_b"))
    for col in ("job_s", "job_cpu_s", "fit_seconds", "iterations"):
        times[f"{col}_ratio"] = times[f"{col}_b"] / times[f"{col}_a"]

    moved = tr[tr["moved"]]
    print(f"settings compared: {len(tr)}; n* moved outside the other run's interval or "
          f"transition label changed: {len(moved)}")
    show = SETTING[:4] + ["transition_a", "n_star_a", "n_star_low_a", "n_star_high_a",
                          "transition_b", "n_star_b", "n_star_low_b", "n_star_high_b"]
    if len(moved):
        print(moved[show].to_string(index=False))
    print(f"\ncells compared: {len(su)}; success rate changed: {int(su['changed'].sum())}; "
          f"outside the other run's Wilson interval: {int(su['outside'].sum())}")
    if su["outside"].any():
        print(su[su["outside"]][SETTING[:4] + ["n", "success_rate_a", "success_rate_b"]]
              .to_string(index=False))
    print("\nfit time per method, B / A (job wall s, job CPU s, summed per-fit seconds, "
          "iterations):")
    for r in times.itertuples():
        print(f"  {r.method:<14} wall {r.job_s_a:8.1f} -> {r.job_s_b:8.1f} ({r.job_s_ratio:.2f})"
              f"   cpu {r.job_cpu_s_a:7.1f} -> {r.job_cpu_s_b:7.1f} ({r.job_cpu_s_ratio:.2f})"
              f"   fits {r.fit_seconds_a:7.1f} -> {r.fit_seconds_b:7.1f} "
              f"({r.fit_seconds_ratio:.2f})"
              f"   iterations ratio {r.iterations_ratio:.2f}"
              f"   converged {int(r.converged_a)} -> {int(r.converged_b)} of {int(r.fits_b)}")
    total = times[["job_s_a", "job_s_b", "job_cpu_s_a", "job_cpu_s_b"]].sum()
    print(f"  {'all':<14} wall {total.job_s_a:8.1f} -> {total.job_s_b:8.1f} "
          f"({total.job_s_b / total.job_s_a:.2f})   cpu {total.job_cpu_s_a:7.1f} -> "
          f"{total.job_cpu_s_b:7.1f} ({total.job_cpu_s_b / total.job_cpu_s_a:.2f})")
    if args.json:
        out = {"a": str(args.a), "b": str(args.b), "settings": len(tr), "moved": len(moved),
               "moved_settings": json.loads(moved[show].to_json(orient="records")),
               "cells": len(su), "success_changed": int(su["changed"].sum()),
               "success_outside": int(su["outside"].sum()),
               "fit_time": json.loads(times.to_json(orient="records"))}  # fmt: skip
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2))
    return 1 if len(moved) else 0


if __name__ == "__main__":
    sys.exit(main())
