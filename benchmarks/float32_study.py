"""The default study in float64 and in float32, side by side: do the n* agree?

    python benchmarks/float32_study.py [--cores 2] [--work DIR]
    python benchmarks/float32_study.py --compare DIR64 DIR32 [--partial]

Runs ``snakemake`` on ``config/config.yaml`` (as shipped, float64) and on
``config/float32.yaml`` (the same study with ``dtype: float32`` on dglnn2 and hadamard;
group_lasso computes in float64 only) in two work directories, or, with ``--compare``, reads
two finished ones. Then, per (method, setting) of ``transitions.csv``:

* both ``transition`` labels must be equal, and where both are ``ok`` each n* must lie in
  the other's bootstrap interval ``[n_star_low, n_star_high]``;
* per trial, the success (``rel_error_oracle <= 0.05``) and the error itself are compared;
* the fit time is the sum of the per-trial ``seconds`` of each method (a batch's time is
  shared equally by its trials), float32 / float64.

With ``--partial`` (a study still running), the n* of both are recomputed from the fits
present so far, restricted to the (method, setting) pairs whose trials are all there in both
(``gsbench.analysis.transitions`` as the aggregate stage calls it; its bootstrap is seeded per
setting, so a subset gives the same n* and intervals as the whole table).

Writes ``benchmarks/results/float32_study.json`` and prints the disagreements.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {"float64": "config/config.yaml", "float32": "config/float32.yaml"}
SETTING = ["method", "p", "group_size", "active_groups", "sigma", "design"]
TRIAL = SETTING + ["n", "trial"]


def run_study(config: str, work: Path, cores: int) -> float:
    """Wall time of ``snakemake`` on ``config`` in the work directory ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    snakemake = Path(sys.executable).parent / "snakemake"
    start = time.perf_counter()
    subprocess.run([str(snakemake), "--snakefile", str(ROOT / "Snakefile"), "--directory",
                    str(work), "--configfile", str(ROOT / config), "--cores", str(cores),
                    "--quiet", "--rerun-incomplete"], check=True)
    return time.perf_counter() - start


def study_dir(work: Path) -> Path:
    """``work/results/<study>`` (the one study a work directory holds)."""
    (out,) = [d for d in (work / "results").iterdir() if (d / "fits").is_dir()]
    return out


def recomputed_transitions(f64: pd.DataFrame, f32: pd.DataFrame, config: dict):
    """Transitions of both from the (method, setting) pairs complete in both."""
    from gsbench.analysis import transitions

    full = len(config["grid"]["n"]) * config["trials"]
    counts = [f.groupby(SETTING).size().rename(k) for k, f in (("a", f64), ("b", f32))]
    both = pd.concat(counts, axis=1).dropna()
    complete = both[(both["a"] == full) & (both["b"] == full)].reset_index()[SETTING]
    success = config["success"]
    return [transitions(f.merge(complete, on=SETTING), metric=success["metric"],
                        threshold=success["threshold"], n_boot=config["bootstrap"], seed=0)
            for f in (f64, f32)]


def trials(out: Path) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(f) for f in sorted((out / "fits").glob("*/*.parquet"))],
                     ignore_index=True)


def compare(work64: Path, work32: Path, threshold: float = 0.05, partial: bool = False) -> dict:
    from gsbench.study import load_config

    out64, out32 = study_dir(work64), study_dir(work32)
    f64, f32 = trials(out64), trials(out32)
    if partial:
        t64, t32 = recomputed_transitions(f64, f32, load_config(str(ROOT / CONFIGS["float64"])))
    else:
        t64, t32 = (pd.read_csv(o / "transitions.csv") for o in (out64, out32))
    both = t64.merge(t32, on=SETTING, suffixes=("_64", "_32"), validate="one_to_one")
    same_label = both["transition_64"] == both["transition_32"]
    ok = same_label & (both["transition_64"] == "ok")
    inside = ((both["n_star_32"] >= both["n_star_low_64"])
              & (both["n_star_32"] <= both["n_star_high_64"])
              & (both["n_star_64"] >= both["n_star_low_32"])
              & (both["n_star_64"] <= both["n_star_high_32"]))
    agree = same_label & (~(both["transition_64"] == "ok") | inside)
    cols = SETTING + ["transition_64", "transition_32", "n_star_64", "n_star_low_64",
                      "n_star_high_64", "n_star_32", "n_star_low_32", "n_star_high_32"]
    disagreements = both.loc[~agree, cols]

    tr = f64.merge(f32, on=TRIAL, suffixes=("_64", "_32"), validate="one_to_one")
    s64 = (tr["status_64"] == "ok") & (tr["rel_error_oracle_64"] <= threshold)
    s32 = (tr["status_32"] == "ok") & (tr["rel_error_oracle_32"] <= threshold)
    diff = (tr["rel_error_oracle_32"] - tr["rel_error_oracle_64"]).abs()
    per_method = {}
    for method, g in tr.groupby("method"):
        m = tr["method"] == method
        per_method[method] = {
            "dtype": json.loads(g["params_32"].iloc[0]).get("dtype", "float64"),
            "trials": int(m.sum()),
            "success_differs": int((s64 != s32)[m].sum()),
            "max_abs_error_difference_successes": float(diff[m & s64 & s32].max()),
            "fit_seconds_64": float(g["seconds_64"].sum()),
            "fit_seconds_32": float(g["seconds_32"].sum()),
            "fit_seconds_32_over_64": float(g["seconds_32"].sum() / g["seconds_64"].sum()),
            "iterations_32_over_64": float(g["iterations_32"].sum() / g["iterations_64"].sum()),
            "settings": int((both["method"] == method).sum()),
            "settings_ok_both": int((ok & (both["method"] == method)).sum()),
            "settings_disagree": int((~agree & (both["method"] == method)).sum()),
        }
    return {
        "studies": {"float64": str(out64), "float32": str(out32)},
        "settings": int(len(both)),
        "settings_ok_both": int(ok.sum()),
        "settings_same_label": int(same_label.sum()),
        "disagreements": disagreements.to_dict(orient="records"),
        "methods": per_method,
        "labels": both.groupby(["transition_64", "transition_32"]).size()
        .rename("settings").reset_index().to_dict(orient="records"),
        "transitions": both[cols].to_dict(orient="records"),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("DIR64", "DIR32"),
                    help="compare two finished work directories instead of running")
    ap.add_argument("--partial", action="store_true",
                    help="recompute n* from the fits present (settings complete in both)")
    ap.add_argument("--work", type=Path, default=ROOT / "results" / "float32_study",
                    help="parent of the two work directories (float64/, float32/)")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--out", type=Path,
                    default=ROOT / "benchmarks" / "results" / "float32_study.json")
    args = ap.parse_args(argv)
    wall = {}
    if args.compare:
        work64, work32 = args.compare
    else:
        work64, work32 = args.work / "float64", args.work / "float32"
        for dtype, work in (("float64", work64), ("float32", work32)):
            wall[dtype] = run_study(CONFIGS[dtype], work, args.cores)
            print(f"{CONFIGS[dtype]}: {wall[dtype]:.0f} s wall (--cores {args.cores})")
    report = {"configs": CONFIGS, "wall_seconds": wall, "partial": args.partial,
              **compare(work64, work32, partial=args.partial)}
    print(f"{report['settings']} (method, setting) pairs, {report['settings_ok_both']} with an "
          f"n* in both; labels equal in {report['settings_same_label']}; "
          f"{len(report['disagreements'])} disagreements")
    for row in report["disagreements"]:
        print("  disagrees:", row)
    print(f"{'method':<14}{'dtype':>8}{'trials':>8}{'success differs':>17}"
          f"{'max |d err| (succ.)':>21}{'fit s 64':>10}{'fit s 32':>10}{'ratio':>7}")
    for method, m in report["methods"].items():
        print(f"{method:<14}{m['dtype']:>8}{m['trials']:>8}{m['success_differs']:>17}"
              f"{m['max_abs_error_difference_successes']:>21.1e}{m['fit_seconds_64']:>10.1f}"
              f"{m['fit_seconds_32']:>10.1f}{m['fit_seconds_32_over_64']:>7.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=float))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
