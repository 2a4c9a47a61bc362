"""Calibrate the cost model of fit jobs (gsbench.study.cost_model) on this machine.

    python benchmarks/cost_model.py [--out src/gsbench/data/cost_model.json] [--quick]

For each calibrated method and each size, a batch of T = 5 Rademacher problems (groups of
4, s = 4, validation sets of n rows) at n = p / 4 (a path method: at hardness n / D = 2,
``gsbench.study.cost_model``) is fitted as a study's job fits it
(``gsbench.runner.fit_problems``, default hyperparameters; the iterative methods with
``max_iter`` cut to a few hundred so that the sizes stay cheap, which does not change the
cost of an iteration). The coefficient is the process's CPU time over the entries of X
times the iterations actually run, ``cpu / (n p sum_t I_t)``: seconds per (n p iteration),
best of two runs (one at p = 4096), one BLAS thread. A path method's hardness curve: the
same at p = 1024 and n = h D for h = 0.5 ... 4.5, each over its value at h = 2. The coherence measures
(``gsbench.coherence.incoherence``) are timed likewise, per n p^2. A fresh process that
imports what a fit job imports, fits one tiny cell and writes its table (best of 3) gives
the job's fixed CPU time ``job_seconds`` (user + system) and the baseline memory (its peak
RSS; ``resource.getrusage``). Writes the package's calibration file and a copy of it with the
raw measurements under benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from _timing import best_cpu
from gsbench.coherence import incoherence
from gsbench.problems import make_problem
from gsbench.runner import fit_problems
from gsbench.study import Cell
from gsbench.study.cost_model import statdim

ROOT = Path(__file__).resolve().parents[1]
#: Methods calibrated, with the hyperparameters that keep a calibration fit short.
METHODS = {
    "dglnn2": {"max_iter": 300, "patience": 10**9, "interpolation_tol": None},
    "dglnn1": {"max_iter": 300, "patience": 10**9, "interpolation_tol": None},
    "dglnn_gd": {"max_iter": 300, "patience": 10**9, "interpolation_tol": None},
    "hadamard": {"max_iter": 300, "patience": 10**9, "interpolation_tol": None},
    "group_lasso": {},
    "lasso": {},
}
SIZES = (256, 1024, 4096)
QUICK_SIZES = (256, 1024)
TRIALS = 5
#: Path methods: the hardness measure of their convex limit. Their size curve is measured at
#: n = H_REF * D (not p / 4), and their hardness curve at p = HARDNESS_P, n = h * D.
PATH_HARDNESS = {"group_lasso": "statdim_group", "lasso": "statdim_l1"}
H_REF = 2.0
HARDNESS_P = 1024
HARDNESS = (0.5, 0.7, 1.0, 1.4, 2.0, 3.0, 4.5)

BASELINE_SCRIPT = """
import sys, tempfile
import snakemake.script, pandas, pyarrow, sklearn, threadpoolctl
from gsbench.rules import process_usage
from gsbench.study import Cell, load_config
from gsbench.study.chunks import fit_cells
cfg = load_config({"study": "baseline", "trials": 2, "methods": {"dglnn2": {}},
                   "grid": {"p": [16], "group_size": [4], "active_groups": [1], "n": [8]}})
with tempfile.TemporaryDirectory() as out:
    fit_cells(cfg, "dglnn2", [Cell(p=16, group_size=4, active_groups=1, n=8, sigma=0.0,
                                   design="rademacher")], f"{out}/chunk.parquet")
cpu, peak = process_usage()
print(cpu, peak)
"""


def problems(n: int, p: int) -> list:
    return [make_problem(n, p, 4, 4, sigma=0.0, n_val=n, seed=s) for s in range(TRIALS)]


def cell(n: int, p: int) -> Cell:
    """The calibration's problems as a study cell: groups of 4, s = 4."""
    return Cell(p=p, group_size=4, active_groups=4, n=n, sigma=0.0, design="rademacher")


def n_at(measure: str, h: float, p: int) -> int:
    """The sample size of hardness `h` (``gsbench.study.cost_model.hardness``) at p."""
    return max(2, round(h * statdim(measure, cell(1, p))))


def time_fits(name: str, n: int, p: int) -> tuple[float, int, float]:
    """``(CPU seconds, iterations, seconds per (n p iteration))`` of a batch at (n, p)."""
    probs = problems(n, p)
    seconds, (rows, _) = best_cpu(lambda: fit_problems(name, probs, METHODS[name]),
                                  repeats=1 if p > 1024 else 2)  # fmt: skip
    iters = int(sum(r["iterations"] for r in rows))
    return seconds, iters, seconds / (n * p * iters)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "gsbench" / "data" / "cost_model.json")
    ap.add_argument("--raw", type=Path, default=ROOT / "benchmarks" / "results" / "cost_model.json")
    ap.add_argument("--quick", action="store_true", help="p = 256 and 1024 only")
    args = ap.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    # First, while this process is small: a child's ru_maxrss starts from its parent's at fork.
    runs = [tuple(map(float, subprocess.run([sys.executable, "-c", BASELINE_SCRIPT], check=True,
                                            capture_output=True, text=True).stdout.split()[-2:]))
            for _ in range(3)]  # fmt: skip
    job_seconds, rss = min(cpu for cpu, _ in runs), [peak for _, peak in runs]
    print(f"job outside its fits: {job_seconds:.2f} CPU s; baseline peak RSS: {rss} MB")
    methods, coherence, curves = {}, [], {}
    with threadpool_limits(limits=1):
        for p in sizes:
            for name in METHODS:
                measure = PATH_HARDNESS.get(name)
                n = n_at(measure, H_REF, p) if measure else p // 4
                seconds, iters, coef = time_fits(name, n, p)
                methods.setdefault(name, []).append(
                    {"n": n, "p": p, "np": n * p, "trials": TRIALS, "iterations": iters,
                     "cpu_seconds": round(seconds, 4), "seconds_per_np_iteration": coef})
                print(f"p={p} n={n} {name}: {seconds:.3f} s, {iters} iterations, "
                      f"{coef:.3e} s/(np it)", flush=True)
            n = p // 4
            probs = problems(n, p)
            X = np.stack([pr.X for pr in probs])
            seconds, _ = best_cpu(lambda: incoherence(X, probs[0].groups), repeats=1 if p > 1024 else 2)
            coherence.append({"n": n, "p": p, "np2": n * p * p, "trials": TRIALS,
                              "cpu_seconds": round(seconds, 4),
                              "seconds_per_np2": seconds / (TRIALS * n * p * p)})
            print(f"p={p} n={n} incoherence: {seconds:.3f} s", flush=True)
        for name, measure in PATH_HARDNESS.items():
            points = []
            for h in HARDNESS:
                n = n_at(measure, h, HARDNESS_P)
                seconds, iters, coef = time_fits(name, n, HARDNESS_P)
                points.append({"h": h, "n": n, "p": HARDNESS_P, "iterations": iters,
                               "cpu_seconds": round(seconds, 4), "seconds_per_np_iteration": coef})
                print(f"p={HARDNESS_P} n={n} (h={h}) {name}: {coef:.3e} s/(np it)", flush=True)
            ref = float(np.interp(np.log(H_REF), np.log([pt["h"] for pt in points]),
                                  [pt["seconds_per_np_iteration"] for pt in points]))
            for pt in points:
                pt["multiplier"] = pt["seconds_per_np_iteration"] / ref
            curves[name] = {"measure": measure, "reference": H_REF, "points": points}
    from gsbench.study.plan import SECONDS_PER_NP

    model = {
        "benchmark": "benchmarks/cost_model.py",
        "machine": {"platform": platform.platform(), "processor": platform.processor(),
                    "python": platform.python_version(), "blas_threads": 1},
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "methods": {name: {"unit": "iteration as the rows record it", "points": pts,
                           **({"hardness": curves[name]} if name in curves else {})}
                    for name, pts in methods.items()},
        "coherence": {"points": coherence},
        "fallback_seconds_per_np": SECONDS_PER_NP,
        "baseline_mb": round(max(rss), 1),
        "job_seconds": round(job_seconds, 2),
    }  # fmt: skip
    text = json.dumps(model, indent=2) + "\n"
    for path in (args.out, args.raw):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
