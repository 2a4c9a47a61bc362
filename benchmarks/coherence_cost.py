"""Cost of the per-trial coherence columns (delta_in, delta_out, mu) against the fitting
time, on cells of the default study.

    python benchmarks/coherence_cost.py [--config config/config.yaml] [--n 16 64 256]
        [--out benchmarks/results/coherence_cost.json]

For every (group_size, active_groups) of the config's grid at the chosen sample sizes, it
times in the same run, with one BLAS thread: each method's ``fit_problems`` on the cell's
trials, and ``incoherence`` on the stacked designs (computed once per fit job, i.e. once
per method). The ratio is sum(incoherence x methods) / sum(fits).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from gsbench.coherence import incoherence
from gsbench.runner import fit_problems
from gsbench.study import expand_cells, load_config, method_specs

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=ROOT / "config" / "config.yaml")
    ap.add_argument("--n", type=int, nargs="+", default=[16, 64, 256])
    ap.add_argument("--out", default=ROOT / "benchmarks" / "results" / "coherence_cost.json")
    args = ap.parse_args()
    config = load_config(args.config)
    cells = [c for c in expand_cells(config)[0] if c.n in args.n]
    specs = method_specs(config)
    fit_s = {label: 0.0 for label in specs}
    coh_s = 0.0
    with threadpool_limits(1):
        for cell in cells:
            problems = [cell.problem(config, t) for t in range(config["trials"])]
            t0 = time.perf_counter()
            incoherence(np.stack([p.X for p in problems]), problems[0].groups)
            coh_s += time.perf_counter() - t0
            for label, (name, preset, params) in specs.items():
                t0 = time.perf_counter()
                fit_problems(name, problems, params, preset=preset)
                fit_s[label] += time.perf_counter() - t0
            print(f"{cell.cell_id}: coherence {coh_s:.2f}s, fits {sum(fit_s.values()):.1f}s",
                  flush=True)
    ratio = coh_s * len(specs) / sum(fit_s.values())
    result = {"config": str(args.config), "cells": len(cells), "n": args.n,
              "trials": config["trials"], "coherence_seconds_per_job": coh_s,
              "fit_seconds": fit_s, "coherence_over_fit": ratio}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"coherence columns / fitting time = {ratio:.4f} ({len(cells)} cells)")


if __name__ == "__main__":
    main()
