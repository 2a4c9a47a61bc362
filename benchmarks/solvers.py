"""Solver benchmark: cost per iteration against the bare matrix products, group-lasso
throughput, and the default study's wall time.

    python benchmarks/solvers.py [--quick] [--study] [--out benchmarks/results/solvers.json]

For every iterative method, (n, p) and batch size B it times ``fit_batch`` for a fixed number
of iterations (early termination off) and, on the same arrays in the same run, the bare
products an iteration needs (``products_per_iteration`` batched products with X or X^T, as
NumPy matmuls). The ratio method / bare products is the overhead of everything that is not
a product. Timings are the best of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from gsbench.methods import REGISTRY, make_method
from gsbench.methods._iterative import IterativeRegressor, matvec, rmatvec
from gsbench.problems import make_problem

ROOT = Path(__file__).resolve().parents[1]
SHAPES = [(100, 500), (150, 300), (1000, 5000)]
BATCHES = [1, 16]
ITERATIVE = [name for name, cls in REGISTRY.items() if issubclass(cls, IterativeRegressor)]
GROUP_SIZE = 4


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def stacked(n: int, p: int, B: int):
    problems = [make_problem(n, p, GROUP_SIZE, 4, sigma=0.5, n_val=n, seed=s) for s in range(B)]
    return tuple(np.stack([getattr(pr, a) for pr in problems])
                 for a in ("X", "y", "X_val", "y_val", "w_star"))


def bare_products(X, y, count: int, iterations: int) -> None:
    w = np.ones(X.shape[::2]) * 1e-3
    for _ in range(iterations):
        for _ in range(count // 2):
            r = y - matvec(X, w)
            w = w + 1e-9 * rmatvec(X, r)


def iterative_rows(n, p, B, iterations, repeats):
    X, y, Xv, yv, ws = stacked(n, p, B)
    rows = []
    for name in ITERATIVE:
        est = make_method(name, {"max_iter": iterations, "patience": 10**9, "stride": 10},
                          groups=GROUP_SIZE)
        seconds = best_of(lambda: est.fit_batch(X, y, Xv, yv, ws), repeats)
        count = est.products_per_iteration
        bare = best_of(lambda: bare_products(X, y, count, iterations), repeats)
        rows.append({
            "method": name, "n": n, "p": p, "batch": B, "iterations": iterations,
            "products_per_iteration": count,
            "seconds_per_iteration_per_problem": seconds / iterations / B,
            "bare_seconds_per_iteration_per_problem": bare / iterations / B,
            "ratio": seconds / bare,
        })
    return rows


def group_lasso_rows(n, p, repeats, backends):
    X, y, Xv, yv, ws = stacked(n, p, 1)
    rows = []
    for backend in backends:
        est = make_method("group_lasso", {"backend": backend, "n_lambdas": 20}, groups=GROUP_SIZE)
        seconds = best_of(lambda: est.fit_batch(X, y, Xv, yv, ws), repeats)
        rows.append({"backend": backend, "n": n, "p": p, "path_length": 20,
                     "seconds_per_fit": seconds, "fits_per_second": 1.0 / seconds})
    return rows


def study_wall_time(config: str, cores: int) -> float:
    """Wall time of ``snakemake`` on ``config`` from a clean results directory."""
    snakemake = Path(sys.executable).parent / "snakemake"
    with tempfile.TemporaryDirectory() as work:
        start = time.perf_counter()
        subprocess.run([str(snakemake), "--snakefile", str(ROOT / "Snakefile"), "--directory", work,
                        "--configfile", str(ROOT / config), "--cores", str(cores), "--quiet"],
                       check=True, capture_output=True)
        return time.perf_counter() - start


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer iterations, skip (1000, 5000)")
    ap.add_argument("--study", action="store_true", help="also time the default study")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "solvers.json")
    args = ap.parse_args(argv)

    from threadpoolctl import threadpool_info

    report = {
        "machine": {"python": platform.python_version(), "processor": platform.machine(),
                    "cores": os.cpu_count(),
                    "blas": [(i.get("internal_api"), i.get("num_threads")) for i in threadpool_info()]},
        "iterative": [], "group_lasso": [], "study": {},
    }
    shapes = SHAPES[:2] if args.quick else SHAPES
    print(f"{'method':<15}{'n':>6}{'p':>6}{'B':>4}{'s/it/problem':>15}{'bare':>12}{'ratio':>8}")
    for n, p in shapes:
        for B in BATCHES:
            iterations = 200 if n * p > 10**6 else (300 if args.quick else 1000)
            for row in iterative_rows(n, p, B, iterations, args.repeats):
                report["iterative"].append(row)
                print(f"{row['method']:<15}{n:>6}{p:>6}{B:>4}"
                      f"{row['seconds_per_iteration_per_problem']:>15.2e}"
                      f"{row['bare_seconds_per_iteration_per_problem']:>12.2e}{row['ratio']:>8.2f}")
    print(f"\n{'group_lasso backend':<22}{'n':>6}{'p':>6}{'fits/s':>10}{'s/fit':>10}")
    for n, p in shapes:
        backends = ["numpy", "group-lasso"]
        for row in group_lasso_rows(n, p, 1 if n * p > 10**6 else args.repeats, backends):
            report["group_lasso"].append(row)
            print(f"{row['backend']:<22}{n:>6}{p:>6}{row['fits_per_second']:>10.3g}"
                  f"{row['seconds_per_fit']:>10.3g}")
    if args.study:
        seconds = study_wall_time("config/config.yaml", 2)
        report["study"] = {"config": "config/config.yaml", "cores": 2, "wall_seconds": seconds}
        print(f"\ndefault study (config/config.yaml, --cores 2): {seconds:.0f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
