"""The adaptive sample-size grid against a fixed grid: fits and n* interval widths per method.

    python benchmarks/adaptive_grid.py FIXED_DIR ADAPTIVE_DIR \
        [--fixed-config config/paper.yaml] [--adaptive-config config/paper_adaptive.yaml] \
        [--out benchmarks/results/adaptive_grid.json]
    python benchmarks/adaptive_grid.py --synthetic   # the planner on curves of known n*

FIXED_DIR and ADAPTIVE_DIR are two studies' ``results/<study>`` directories on the same
settings (p, group size, s, sigma, design) and n range, e.g. config/paper.yaml and
config/paper_adaptive.yaml. For every method of the adaptive study whose fixed-grid fits are
complete (as many rows as the fixed config's cells x trials), the n* table of each study is
computed from its fit files by :func:`gsbench.analysis.transitions` with the studies'
metric, threshold and bootstrap, exactly as the rule ``aggregate`` does (and checked against
the study's transitions.csv where that exists). Reported per method: fits of each study and
their ratio; the relative interval width (n_star_high - n_star_low) / n_star of the settings
labelled ``ok`` (median, 90th percentile, max), on each study's own ok settings and on those
ok in both; the labels of both; whether each adaptive n* lies inside the fixed interval; the
rounds run; and that the rows of cells both grids hold are identical (seeds come from the
cell). Written as the section ``adaptive_grid`` of the JSON file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gsbench.analysis import transitions  # noqa: E402
from gsbench.analysis.columns import SETTING_KEYS  # noqa: E402
from gsbench.study import load_config, plan_study, read_fits  # noqa: E402
from gsbench.study.adaptive import adaptive_grid  # noqa: E402

def _widths(table: pd.DataFrame) -> pd.Series:
    ok = table[table["transition"] == "ok"]
    return (ok["n_star_high"] - ok["n_star_low"]) / ok["n_star"]


def _stats(widths: pd.Series) -> dict:
    if widths.empty:
        return {"settings": 0, "median": None, "p90": None, "max": None}
    return {"settings": int(widths.size), "median": round(float(widths.median()), 4),
            "p90": round(float(widths.quantile(0.9)), 4), "max": round(float(widths.max()), 4)}


def _estimate(trials: pd.DataFrame, config: dict) -> pd.DataFrame:
    success = config["success"]
    return transitions(trials, metric=success["metric"], threshold=success["threshold"],
                       n_boot=config["bootstrap"], seed=0)


def _check_against_csv(table: pd.DataFrame, csv: Path, method: str) -> bool | None:
    """Whether ``table`` equals the study's transitions.csv rows of ``method`` (None: no file)."""
    if not csv.exists():
        return None
    written = pd.read_csv(csv)
    written = written[written["method"] == method].reset_index(drop=True)
    cols = ["n_star", "n_star_low", "n_star_high", "n_points"]
    if len(written) != len(table) or list(written["transition"]) != list(table["transition"]):
        return False
    return bool(np.allclose(written[cols].to_numpy(float), table[cols].to_numpy(float), equal_nan=True))


def compare_method(method: str, fixed_dir: Path, adaptive_dir: Path, fixed_cfg: dict,
                   adaptive_cfg: dict) -> dict | None:
    """The comparison of one method, or None when its fixed-grid fits are incomplete."""
    expected = plan_study(fixed_cfg).cells * fixed_cfg["trials"]
    fixed_files = sorted((fixed_dir / "fits" / method).glob("*.parquet"))
    adaptive_files = sorted((adaptive_dir / "fits" / method).glob("round*.parquet"))
    if not fixed_files or not adaptive_files:
        return None
    fixed = read_fits(fixed_files)
    if len(fixed) != expected:
        return None
    adaptive = read_fits(adaptive_files)
    t_fixed, t_adaptive = _estimate(fixed, fixed_cfg), _estimate(adaptive, adaptive_cfg)
    if not t_fixed[list(SETTING_KEYS)].equals(t_adaptive[list(SETTING_KEYS)]):
        raise SystemExit(f"{method}: the two studies do not have the same settings")
    w_fixed, w_adaptive = _widths(t_fixed), _widths(t_adaptive)
    both = (t_fixed["transition"] == "ok") & (t_adaptive["transition"] == "ok")
    inside = ((t_adaptive["n_star"] >= t_fixed["n_star_low"])
              & (t_adaptive["n_star"] <= t_fixed["n_star_high"]))[both]  # fmt: skip
    per_round: dict[str, int] = {}
    for f in adaptive_files:
        r = Path(f).name.split("-")[0].removeprefix("round")
        per_round[r] = per_round.get(r, 0) + len(pd.read_parquet(f, columns=["trial"]))
    common = fixed.merge(adaptive, on=["cell_id", "trial"], suffixes=("_f", "_a"))
    same_rows = bool(
        (common["seed_f"] == common["seed_a"]).all()
        and np.allclose(common["rel_error_oracle_f"], common["rel_error_oracle_a"], equal_nan=True)
    )
    return {
        "fits_fixed": int(len(fixed)),
        "fits_adaptive": int(len(adaptive)),
        "fits_ratio": round(len(adaptive) / len(fixed), 4),
        "fits_per_round": dict(sorted(per_round.items(), key=lambda kv: int(kv[0]))),
        "rounds_run": len(per_round),
        "settings_fitted_at_high": int(
            adaptive.loc[adaptive["n"] == adaptive_grid(adaptive_cfg).high, list(SETTING_KEYS)]
            .drop_duplicates().shape[0]),
        "settings": int(len(t_adaptive)),
        "fit_seconds_fixed": round(float(fixed["seconds"].sum()), 1),
        "fit_seconds_adaptive": round(float(adaptive["seconds"].sum()), 1),
        "labels_fixed": {k: int(v) for k, v in t_fixed["transition"].value_counts().items()},
        "labels_adaptive": {k: int(v) for k, v in t_adaptive["transition"].value_counts().items()},
        "rel_width_fixed": _stats(w_fixed),
        "rel_width_adaptive": _stats(w_adaptive),
        "rel_width_fixed_common": _stats(_widths(t_fixed[both])),
        "rel_width_adaptive_common": _stats(_widths(t_adaptive[both])),
        "adaptive_n_star_inside_fixed_interval": f"{int(inside.sum())}/{int(both.sum())}",
        "common_cells": int(common["cell_id"].nunique()),
        "common_cells_rows_identical": same_rows,
        "fixed_matches_transitions_csv": _check_against_csv(t_fixed, fixed_dir / "transitions.csv", method),
        "adaptive_matches_transitions_csv": _check_against_csv(t_adaptive, adaptive_dir / "transitions.csv",
                                                               method),
    }


def compare(fixed_dir: Path, adaptive_dir: Path, fixed_config: Path, adaptive_config: Path) -> dict:
    """The section ``adaptive_grid``: settings of both studies and one entry per method."""
    fixed_cfg, adaptive_cfg = load_config(fixed_config), load_config(adaptive_config)
    spec = adaptive_grid(adaptive_cfg)
    if spec is None:
        raise SystemExit(f"{adaptive_config}: grid.n is not adaptive")
    methods = {}
    for method in adaptive_cfg["methods"]:
        result = compare_method(method, fixed_dir, adaptive_dir, fixed_cfg, adaptive_cfg)
        if result is None:
            print(f"{method}: skipped (fixed or adaptive fits missing or incomplete)", file=sys.stderr)
        else:
            methods[method] = result
    return {
        "fixed": {"dir": str(fixed_dir), "config": str(fixed_config),
                  "n": fixed_cfg["grid"]["n"], "trials": fixed_cfg["trials"]},
        "adaptive": {"dir": str(adaptive_dir), "config": str(adaptive_config),
                     "n": adaptive_cfg["grid"]["n"], "trials": adaptive_cfg["trials"]},
        "width": "(n_star_high - n_star_low) / n_star over settings labelled ok",
        "methods": methods,
    }  # fmt: skip


def synthetic(fixed_config: Path, adaptive_config: Path, curves: int = 60, seed: int = 0) -> dict:
    r"""The round planner on synthetic success curves of known n*, against the fixed grid.

    Curve c succeeds at n with probability :math:`\sigma(\beta_c (\log n - \log n^\star_c))`,
    :math:`n^\star_c` log-uniform on [10, 700] (some below or above the range [16, 512]) and
    the 10%-90% rise spread over a factor 1.3, 1.6 or 2.5 in n; each trial is a Bernoulli
    draw seeded by (seed, c, n), so a cell's trials do not depend on the round, as in a
    study. The fixed grid's n (``fixed_config``) and the adaptive rounds
    (``adaptive_config``, :func:`plan_round` on :func:`transitions` of all rounds) are
    compared by fits and relative n* interval width; no estimator is fitted.
    """
    from gsbench.study.adaptive import first_sizes, plan_round, success_counts

    fixed_cfg, adaptive_cfg = load_config(fixed_config), load_config(adaptive_config)
    spec, trials = adaptive_grid(adaptive_cfg), adaptive_cfg["trials"]
    rng = np.random.default_rng(seed)
    n_star = np.exp(rng.uniform(np.log(10), np.log(700), curves))
    beta = 2 * np.log(9) / np.log(rng.choice([1.3, 1.6, 2.5], curves))

    def rows(curve_n):
        out = []
        for c, n in curve_n:
            prob = 1 / (1 + np.exp(-beta[c] * (np.log(n) - np.log(n_star[c]))))
            hit = np.random.default_rng([seed, c, n]).random(trials) < prob
            out += [{"method": "m", "p": c, "group_size": 1, "active_groups": 1, "sigma": 0.0,
                     "design": "rademacher", "n": n, "status": "ok",
                     "rel_error_oracle": 0.0 if h else 1.0} for h in hit]
        return out

    fixed = pd.DataFrame(rows([(c, n) for c in range(curves) for n in fixed_cfg["grid"]["n"]]))
    adaptive = pd.DataFrame(rows([(c, n) for c in range(curves) for n in first_sizes(spec)]))
    rounds = 0
    for _ in range(spec.rounds):
        est = _estimate(adaptive, adaptive_cfg)
        added = plan_round(est, success_counts(adaptive, "rel_error_oracle", 0.05), spec)
        if added.empty:
            break
        rounds += 1
        adaptive = pd.concat([adaptive, pd.DataFrame(rows(zip(added["p"], added["n"])))],
                             ignore_index=True)
    t_fixed, t_adaptive = _estimate(fixed, fixed_cfg), _estimate(adaptive, adaptive_cfg)
    truth = pd.Series(n_star, name="n_true")
    covered = {name: int(((t["transition"] == "ok") & (t["n_star_low"] <= truth)
                          & (truth <= t["n_star_high"])).sum())
               for name, t in (("fixed", t_fixed), ("adaptive", t_adaptive))}  # fmt: skip
    return {
        "curves": curves, "trials": trials, "seed": seed, "rounds_run": rounds,
        "fits_fixed": int(len(fixed)), "fits_adaptive": int(len(adaptive)),
        "fits_ratio": round(len(adaptive) / len(fixed), 4),
        "rel_width_fixed": _stats(_widths(t_fixed)),
        "rel_width_adaptive": _stats(_widths(t_adaptive)),
        "labels_fixed": {k: int(v) for k, v in t_fixed["transition"].value_counts().items()},
        "labels_adaptive": {k: int(v) for k, v in t_adaptive["transition"].value_counts().items()},
        "true_n_star_inside_interval": covered,
    }  # fmt: skip


def totals(section: dict) -> dict:
    """Fits of both grids summed over the methods of ``section`` and their ratio."""
    fixed = sum(r["fits_fixed"] for r in section["methods"].values())
    adaptive = sum(r["fits_adaptive"] for r in section["methods"].values())
    return {"fits_fixed": fixed, "fits_adaptive": adaptive,
            "fits_ratio": round(adaptive / fixed, 4) if fixed else None}


def summary_table(section: dict) -> str:
    """Per method (and all together): fits of both grids, their ratio and the relative n*
    interval widths (median, max), as a Markdown table."""
    lines = ["| method | fits fixed | fits adaptive | ratio | median width fixed | adaptive | "
             "max width fixed | adaptive |", "|---|---|---|---|---|---|---|---|"]
    for method, r in section["methods"].items():
        wf, wa = r["rel_width_fixed"], r["rel_width_adaptive"]
        lines.append(f"| {method} | {r['fits_fixed']} | {r['fits_adaptive']} | "
                     f"{r['fits_ratio']:.2f} | {wf['median']} | {wa['median']} | {wf['max']} | "
                     f"{wa['max']} |")
    t = totals(section)
    lines.append(f"| all | {t['fits_fixed']} | {t['fits_adaptive']} | {t['fits_ratio']:.2f} |"
                 " | | | |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fixed_dir", type=Path, nargs="?")
    ap.add_argument("adaptive_dir", type=Path, nargs="?")
    ap.add_argument("--synthetic", action="store_true",
                    help="the planner on synthetic curves of known n* instead of two studies")
    ap.add_argument("--fixed-config", type=Path, default=ROOT / "config" / "paper.yaml")
    ap.add_argument("--adaptive-config", type=Path, default=ROOT / "config" / "paper_adaptive.yaml")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "adaptive_grid.json")
    args = ap.parse_args(argv)
    data = json.loads(args.out.read_text()) if args.out.exists() else {}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.synthetic:
        data["adaptive_grid_synthetic"] = result = synthetic(args.fixed_config, args.adaptive_config)
        args.out.write_text(json.dumps(data, indent=2) + "\n")
        print(json.dumps(result, indent=2))
        print(f"written: {args.out}")
        return 0
    if args.fixed_dir is None or args.adaptive_dir is None:
        ap.error("FIXED_DIR and ADAPTIVE_DIR are required without --synthetic")
    section = compare(args.fixed_dir, args.adaptive_dir, args.fixed_config, args.adaptive_config)
    data["adaptive_grid"] = section
    args.out.write_text(json.dumps(data, indent=2) + "\n")
    print(summary_table(section))
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
