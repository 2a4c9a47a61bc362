"""Calibrate the cost model of fit jobs (gsbench.study.cost_model) on this machine.

    python benchmarks/cost_model.py [--out src/gsbench/data/cost_model.json] [--quick]

For each calibrated method and each size, a batch of T = 5 Rademacher problems (groups of
4, s = 4, validation sets of n rows) at n = p / 4 is fitted as a study's job fits it
(``gsbench.runner.fit_problems``, default hyperparameters; the iterative methods with
``max_iter`` cut to a few hundred so that the sizes stay cheap, which does not change the
cost of an iteration). The coefficient is the process's CPU time over the entries of X
times the iterations actually run, ``cpu / (n p sum_t I_t)``: seconds per (n p iteration),
best of two runs (one at p = 4096), one BLAS thread. The coherence measures
(``gsbench.coherence.incoherence``) are timed likewise, per n p^2. The baseline memory is
the peak RSS of a fresh process that imports what a fit job imports and fits one tiny cell
(``resource.getrusage``). Writes the package's calibration file and a copy of it with the
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

BASELINE_SCRIPT = """
import resource, snakemake, pandas, pyarrow, sklearn, threadpoolctl
import gsbench.rules
from gsbench.study import Cell
from gsbench.study.chunks import cell_rows
cfg = {"study": "baseline", "trials": 2, "methods": {"dglnn2": {}}, "plugins": [],
       "problem": {}, "success": {"metric": "rel_error_oracle", "threshold": 0.05}}
cell_rows(cfg, "dglnn2", Cell(p=16, group_size=4, active_groups=1, n=8, sigma=0.0,
                              design="rademacher"))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def problems(n: int, p: int) -> list:
    return [make_problem(n, p, 4, 4, sigma=0.0, n_val=n, seed=s) for s in range(TRIALS)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "gsbench" / "data" / "cost_model.json")
    ap.add_argument("--raw", type=Path, default=ROOT / "benchmarks" / "results" / "cost_model.json")
    ap.add_argument("--quick", action="store_true", help="p = 256 and 1024 only")
    args = ap.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    # First, while this process is small: a child's ru_maxrss starts from its parent's at fork.
    rss = [float(subprocess.run([sys.executable, "-c", BASELINE_SCRIPT], check=True,
                                capture_output=True, text=True).stdout.split()[-1])
           for _ in range(2)]
    print(f"baseline peak RSS: {rss} MB")
    methods, coherence = {}, []
    with threadpool_limits(limits=1):
        for p in sizes:
            n = p // 4
            probs = problems(n, p)
            for name, params in METHODS.items():
                seconds, (rows, _) = best_cpu(lambda: fit_problems(name, probs, params),
                                         repeats=1 if p > 1024 else 2)
                iters = int(sum(r["iterations"] for r in rows))
                coef = seconds / (n * p * iters)
                methods.setdefault(name, []).append(
                    {"n": n, "p": p, "np": n * p, "trials": TRIALS, "iterations": iters,
                     "cpu_seconds": round(seconds, 4), "seconds_per_np_iteration": coef})
                print(f"p={p} n={n} {name}: {seconds:.3f} s, {iters} iterations, "
                      f"{coef:.3e} s/(np it)", flush=True)
            X = np.stack([pr.X for pr in probs])
            seconds, _ = best_cpu(lambda: incoherence(X, probs[0].groups), repeats=1 if p > 1024 else 2)
            coherence.append({"n": n, "p": p, "np2": n * p * p, "trials": TRIALS,
                              "cpu_seconds": round(seconds, 4),
                              "seconds_per_np2": seconds / (TRIALS * n * p * p)})
            print(f"p={p} n={n} incoherence: {seconds:.3f} s", flush=True)
    from gsbench.study.plan import SECONDS_PER_NP

    model = {
        "benchmark": "benchmarks/cost_model.py",
        "machine": {"platform": platform.platform(), "processor": platform.processor(),
                    "python": platform.python_version(), "blas_threads": 1},
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "methods": {name: {"unit": "iteration as the rows record it", "points": pts}
                    for name, pts in methods.items()},
        "coherence": {"points": coherence},
        "fallback_seconds_per_np": SECONDS_PER_NP,
        "baseline_mb": round(max(rss), 1),
    }  # fmt: skip
    text = json.dumps(model, indent=2) + "\n"
    for path in (args.out, args.raw):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
