"""Each fit job of a finished (or partly finished) study run: its requested resources and
cost-model estimates against what it used.

    python benchmarks/cost_check.py RUN_DIR CONFIG [--out benchmarks/results/cost_check.json]

For every fit job with a log (``results/<study>/logs/fit/<method>/<job>.log``, whose last line
``job used: cpu_seconds=... peak_rss_mb=...`` is the job's own ``getrusage``), a fit table and a
Snakemake benchmark file (``s``: wall seconds), from the job's cells (the adaptive round's
plan, or the fixed grid's chunk):

* the request: ``mem_mb`` and ``runtime`` (``gsbench.study.resources.job_resources``, attempt 1);
* **per iteration**: the seconds the rows record for their fits (``seconds``, timed around
  each batch's ``fit_batch``, one BLAS thread) against the cost model's
  ``sum c_m(np) n p I`` over the iterations the rows ran;
* **per job**: the job's CPU time against the model's for what it ran, ``t_0`` + that sum +
  the coherence term, and against its bound (every trial to its iteration budget);
* **memory**: the job's peak RSS against the estimate (``memory_estimate_mb``) and its request.

Snakemake's own ``cpu_time`` and ``max_rss`` are samples (every second for 30 s, then every
30 s), so a job's last interval is missing from them; they are recorded beside the job's
own numbers, not used for the checks.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from _timing import write_json
from gsbench.results_schema import CELL_FIELDS
from gsbench.rules import read_usage
from gsbench.study import Cell, load_config
from gsbench.study.grid_designs import design_specs
from gsbench.study.adaptive import plan_cells, read_plan
from gsbench.study.chunks import chunk_cells
from gsbench.study.config import method_specs
from gsbench.study.cost_model import job_cpu_seconds, load_cost_model
from gsbench.study.fingerprint import study_key
from gsbench.study.resources import job_resources, memory_estimate_mb


def model_seconds(config: dict, label: str, fits: pd.DataFrame) -> tuple[float, float]:
    """The cost model's CPU seconds for the iterations the rows record: ``(fits, coherence)``,
    ``sum c_m(np) n p I`` and ``sum c_coh n p^2`` over the rows."""
    model = load_cost_model()
    name = method_specs(config)[label][0]
    fit, coherence = 0.0, 0.0
    for _, grp in fits.groupby(list(CELL_FIELDS), dropna=False):
        cell = Cell.from_row(grp.iloc[0], design_specs(config))
        n, p = cell.n, cell.p
        coef = model.per_np_iteration(name, n, p, cell) or 0.0
        fit += coef * n * p * grp["iterations"].sum()
        coherence += model.per_np2(n, p) * n * p * p * len(grp)
    return fit, coherence


def plan_dir(out_dir: Path, config: dict) -> Path:
    """Where the run wrote its adaptive plans: under the study key of today's code (as
    ``workflow/rules/common.smk``), else the run's only plan folder (a run of older code)."""
    today = out_dir / "adaptive" / study_key(config)
    found = sorted((out_dir / "adaptive").glob("*/round0.csv"))
    if today.is_dir() or len(found) != 1:
        return today
    return found[0].parent


def job_usage(log: Path) -> tuple[float, float]:
    """``(CPU seconds, peak RSS MB)`` from the last ``job used:`` line of a rule's log."""
    usage = read_usage(log.read_text())
    if usage is None:
        raise SystemExit(f"{log}: no 'job used:' line (a job of an older gsbench, or one that failed)")
    return usage


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
            plans = plan_dir(out_dir, config)
            cells = plan_cells(read_plan(plans / f"{rnd}.csv"), label, chunk)
        else:
            cells = chunks[job]
        snakemake_record = pd.read_csv(bench, sep="\t").iloc[0]
        cpu, peak = job_usage(out_dir / "logs" / "fit" / label / f"{job}.log")
        fits = pd.read_parquet(fit_file, columns=[*CELL_FIELDS, "iterations", "seconds"])
        asked = job_resources(config, label, cells)
        fit_model, coherence_model = model_seconds(config, label, fits)
        job_model = load_cost_model().job_seconds + fit_model + coherence_model
        estimate_mb = memory_estimate_mb(config, cells)
        bound = job_cpu_seconds(config, label, cells)
        fit_seconds = float(fits["seconds"].sum())
        wall = float(snakemake_record["s"])
        rows.append({
            "method": label, "job": job, "cells": len(cells), "fits": len(fits),
            "p": sorted({c.p for c in cells}), "n_max": max(c.n for c in cells),
            "iterations": int(fits["iterations"].sum()),
            "mem_mb": asked["mem_mb"], "runtime_min": asked["runtime"],
            "estimate_mb": round(estimate_mb, 1), "peak_rss_mb": peak,
            "rss_over_estimate": peak / estimate_mb,
            "fit_seconds": round(fit_seconds, 2), "fit_model_s": round(fit_model, 2),
            "per_iteration_ratio": fit_seconds / fit_model if fit_model else None,
            "cpu_s": cpu, "cpu_model_s": round(job_model, 2), "cpu_bound_s": round(bound, 2),
            "cpu_over_model": cpu / job_model, "cpu_over_bound": cpu / bound,
            "wall_s": wall,
            "snakemake_cpu_time_s": float(snakemake_record["cpu_time"]),
            "snakemake_max_rss_mb": float(snakemake_record["max_rss"]),
            "within_memory": peak <= asked["mem_mb"],
            "cpu_within_runtime": cpu <= 60 * asked["runtime"],
            "wall_within_runtime": wall <= 60 * asked["runtime"],
        })  # fmt: skip
        r = rows[-1]
        ratio = f"x{r['per_iteration_ratio']:.2f}" if r["per_iteration_ratio"] else "  n/a"
        print(f"{label:12s} {job:28s} cells {r['cells']:3d} mem {r['mem_mb']:5d} MB (est "
              f"{r['estimate_mb']:6.0f}, peak {peak:6.0f}, x{r['rss_over_estimate']:.2f}) "
              f"runtime {r['runtime_min']:4d} min | fits {fit_seconds:7.1f} s model "
              f"{fit_model:7.1f} ({ratio}) | job cpu {cpu:7.1f} s model {job_model:7.1f} "
              f"(x{r['cpu_over_model']:.2f}) bound {bound:7.1f} wall {wall:7.1f}")
    write_json(args.out, {"benchmark": "benchmarks/cost_check.py", "config": str(args.config),
                          "load_average": os.getloadavg(), "jobs": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
