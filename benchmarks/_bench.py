"""What the benchmark scripts share: problems, timers, the bare products of an iteration, a
temporary checkout of a baseline commit, and the JSON report each script updates one key of.

Each script (``iteration_cost.py``, ``group_lasso_backends.py``, ``group_lasso_path.py``,
``float32_cost.py``, ``sweep_cost.py``, ``study_time.py``) measures one thing and writes its
key of ``--out`` (default ``benchmarks/results/solvers.json``), keeping the other keys, and
recomputes the key ``headline``: the ratios the performance page quotes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np

from gsbench.methods import REGISTRY
from gsbench.methods._iterative import IterativeRegressor, matvec, rmatvec
from gsbench.problems import make_problem, stack_problems

ROOT = Path(__file__).resolve().parents[1]

SHAPES = [(100, 500), (150, 300), (1000, 5000)]
BATCHES = [1, 16]
ITERATIVE = [name for name, cls in REGISTRY.items() if issubclass(cls, IterativeRegressor)]
GROUP_SIZE = 4


def best_of(fn, repeats: int, clock=time.perf_counter) -> float:
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)


def stacked(n: int, p: int, B: int):
    problems = [make_problem(n, p, GROUP_SIZE, 4, sigma=0.5, n_val=n, seed=s) for s in range(B)]
    return stack_problems(problems)


def bare_products(X, y, count: int, iterations: int) -> None:
    w = np.full(X.shape[::2], 1e-3, dtype=X.dtype)
    for _ in range(iterations):
        for _ in range(count // 2):
            r = y - matvec(X, w)
            w = w + 1e-9 * rmatvec(X, r)


def baseline_checkout(commit: str, where: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), commit],
                   check=True, capture_output=True)
    return where


def remove_checkout(where: Path) -> None:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)],
                   check=False, capture_output=True)


def parser(doc: str) -> argparse.ArgumentParser:
    """The options every benchmark script takes: ``--quick``, ``--repeats``, ``--out``."""
    ap = argparse.ArgumentParser(description=doc.strip().splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer iterations and shapes: a check in seconds")
    ap.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "solvers.json",
                    help="JSON report; only this script's key is replaced")
    return ap


def machine() -> dict:
    from threadpoolctl import threadpool_info

    return {"python": platform.python_version(), "processor": platform.machine(),
            "cores": os.cpu_count(),
            "blas": [(i.get("internal_api"), i.get("num_threads")) for i in threadpool_info()]}


def headline(report: dict) -> dict:
    """The ratios the performance page quotes, from the sections of ``report`` present."""
    out = {}
    if report.get("study"):
        st = report["study"]
        out["study_wall_over_baseline"] = st["ratio"]
        out["study_settings_moved"] = f"{st['settings_moved']}/{st['settings_compared']}"
    if report.get("float32"):
        out["float32_over_float64_median"] = report["float32"]["median_method_ratio"]
    if report.get("sweep"):
        for row in report["sweep"]["rows"]:
            bare = row["method"].startswith("bare")
            key = (f"sweep_over_one_{'bare_products' if bare else 'max'}_{row['n']}x{row['p']}"
                   f"_T{row.get('trials', 1)}")
            out[key] = max(out.get(key, 0.0), row["sweep_over_one"])
    rows = report.get("group_lasso_path", {}).get("rows", [])
    for key in ("new_over_skglm", "new_over_old"):
        values = [r[key] for r in rows if key in r]
        if values:
            out[f"group_lasso_path_{key}_range"] = [min(values), max(values)]
    if report.get("adaptive_grid"):
        out["adaptive_fits_over_fixed"] = report["adaptive_grid"]["fits_ratio"]
    return out


def update_report(out: Path, key: str, section) -> int:
    """Replace ``key`` of the JSON report ``out`` (created if missing) with ``section``,
    record the machine, recompute ``headline``; print the headline."""
    report = json.loads(out.read_text()) if out.exists() else {}
    report.update({"machine": machine(), key: section})
    report["headline"] = headline(report)
    print("\nheadline:")
    for name, value in report["headline"].items():
        print(f"  {name}: {value}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"\nwrote {out} (key {key!r})")
    return 0
