"""Each fit job of a finished (or partly finished) study run: its requested resources and
cost-model estimates against what Snakemake measured.

    python benchmarks/cost_check.py RUN_DIR CONFIG [--out benchmarks/results/cost_check.json]

For every fit job with a benchmark file (``results/<study>/benchmarks/fit/<method>/*.tsv``:
``s`` wall seconds, ``max_rss`` MB, ``cpu_time`` seconds) and a fit table, from the job's cells
(the adaptive round's plan, or the fixed grid's chunk): the requested ``mem_mb`` and
``runtime`` (``gsbench.study.resources.job_resources``, attempt 1), the estimated peak memory
(``memory_estimate_mb``), the CPU bound (every trial to its iteration budget), and the cost
model's CPU time for the iterations the rows record (``sum c_m(np) n p I`` plus the coherence
term). Reported per job: measured CPU / model CPU for the iterations run (the per-iteration
check), measured peak / estimated peak, and whether wall, CPU and peak memory stayed within
the request.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from _timing import write_json
from gsbench.study import load_config
from gsbench.study.adaptive import plan_cells, read_plan
from gsbench.study.chunks import chunk_cells
from gsbench.study.config import method_specs
from gsbench.study.cost_model import cells_cpu_seconds, load_cost_model
from gsbench.study.fingerprint import study_key
from gsbench.study.resources import job_resources, memory_estimate_mb


def model_seconds(config: dict, label: str, fits: pd.DataFrame) -> float:
    """The cost model's CPU seconds for the iterations the rows record."""
    model = load_cost_model()
    name = method_specs(config)[label][0]
    total = 0.0
    for (n, p), grp in fits.groupby(["n", "p"]):
        coef = model.per_np_iteration(name, n, p) or 0.0
        total += coef * n * p * grp["iterations"].sum() + model.per_np2(n, p) * n * p * p * len(grp)
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("config", type=Path)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "cost_check.json")
    args = ap.parse_args(argv)
    config = load_config(args.config)
    out_dir = args.run / "results" / config["study"]
    chunks = chunk_cells(config)
    rows = []
    for bench in sorted((out_dir / "benchmarks" / "fit").glob("*/*.tsv")):
        label, job = bench.parent.name, bench.stem
        fit_file = out_dir / "fits" / label / f"{job}.parquet"
        if not fit_file.exists():
            continue
        if job.startswith("round"):
            rnd, chunk = job.split("-", 1)
            plans = out_dir / "adaptive" / study_key(config)  # as workflow/rules/common.smk
            cells = plan_cells(read_plan(plans / f"{rnd}.csv"), label, chunk)
        else:
            cells = chunks[job]
        measured = pd.read_csv(bench, sep="\t").iloc[0]
        fits = pd.read_parquet(fit_file, columns=["n", "p", "iterations"])
        asked = job_resources(config, label, cells)
        model = model_seconds(config, label, fits)
        estimate_mb = memory_estimate_mb(config, cells)
        bound = cells_cpu_seconds(config, label, cells)
        rows.append({
            "method": label, "job": job, "cells": len(cells), "fits": len(fits),
            "p": sorted({c.p for c in cells}), "n_max": max(c.n for c in cells),
            "iterations": int(fits["iterations"].sum()),
            "mem_mb": asked["mem_mb"], "runtime_min": asked["runtime"],
            "estimate_mb": round(estimate_mb, 1), "max_rss_mb": float(measured["max_rss"]),
            "rss_over_estimate": float(measured["max_rss"]) / estimate_mb,
            "cpu_bound_s": round(bound, 2), "cpu_model_s": round(model, 2),
            "cpu_s": float(measured["cpu_time"]), "wall_s": float(measured["s"]),
            "cpu_over_model": float(measured["cpu_time"]) / model if model else None,
            "cpu_over_bound": float(measured["cpu_time"]) / bound if bound else None,
            "within_memory": float(measured["max_rss"]) <= asked["mem_mb"],
            "cpu_within_runtime": float(measured["cpu_time"]) <= 60 * asked["runtime"],
            "wall_within_runtime": float(measured["s"]) <= 60 * asked["runtime"],
        })  # fmt: skip
        r = rows[-1]
        print(f"{label:12s} {job:28s} cells {r['cells']:3d} mem {r['mem_mb']:5d} MB (est "
              f"{r['estimate_mb']:6.0f}, rss {r['max_rss_mb']:6.0f}, x{r['rss_over_estimate']:.2f}) "
              f"runtime {r['runtime_min']:4d} min | cpu {r['cpu_s']:7.1f} s model {r['cpu_model_s']:7.1f}"
              f" (x{r['cpu_over_model']:.2f}) bound {r['cpu_bound_s']:7.1f} wall {r['wall_s']:7.1f}")
    write_json(args.out, {"benchmark": "benchmarks/cost_check.py", "config": str(args.config),
                          "note": "2-core machine shared with other helpers' jobs (load 15-20)",
                          "jobs": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
