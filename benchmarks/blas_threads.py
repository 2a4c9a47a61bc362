"""BLAS threads of a fit job at p = 4096: wall and CPU time with 2 threads against 1.

    python benchmarks/blas_threads.py [--out benchmarks/results/blas_threads.json] [--repeats 2]

What a fit job of config/large.yaml's p = 4096 cells does, on T = 2 problems of n = 1024
(groups of 4, s = 16; validation sets of n rows): dglnn2 and hadamard for 200 iterations
(early termination off), group_lasso with its defaults on one problem, and the coherence
measures of the 2 designs (lasso, scikit-learn's coordinate descent, makes no BLAS calls
that threads would share, and is left out) (``gsbench.coherence.incoherence``, Gram products). Each runs
under ``threadpool_limits(1)`` and ``threadpool_limits(2)`` alternately, ``--repeats``
times; reported per task: the median wall (``time.perf_counter``) and CPU
(``time.process_time``) seconds per thread count and the wall speed-up ``wall_1 / wall_2``.
The machine has 2 cores and other jobs run on it: a speed-up below 2 partly reflects them.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from _timing import write_json
from gsbench.coherence import incoherence
from gsbench.problems import make_problem, stack_problems
from gsbench.runner import fit_problems

ROOT = Path(__file__).resolve().parents[1]
ITERATIVE = {"max_iter": 200, "patience": 10**9, "interpolation_tol": None}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "blas_threads.json")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args(argv)
    problems = [make_problem(1024, 4096, 4, 16, sigma=0.0, n_val=1024, seed=s) for s in range(2)]
    X = stack_problems(problems)[0]
    tasks = {
        "dglnn2": lambda: fit_problems("dglnn2", problems, ITERATIVE),
        "hadamard": lambda: fit_problems("hadamard", problems, ITERATIVE),
        "group_lasso": lambda: fit_problems("group_lasso", problems[:1]),
        "incoherence": lambda: incoherence(X, problems[0].groups),
    }
    rows = []
    for name, task in tasks.items():
        times = {1: [], 2: []}
        for _ in range(args.repeats):
            for threads in (1, 2):
                with threadpool_limits(limits=threads):
                    w0, c0 = time.perf_counter(), time.process_time()
                    task()
                    times[threads].append((time.perf_counter() - w0, time.process_time() - c0))
        med = {t: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
               for t, v in times.items()}  # fmt: skip
        row = {"task": name, "wall_1": med[1][0], "cpu_1": med[1][1], "wall_2": med[2][0],
               "cpu_2": med[2][1], "speedup_wall": med[1][0] / med[2][0],
               "runs": {str(t): v for t, v in times.items()}}  # fmt: skip
        rows.append(row)
        print(f"{name}: 1 thread {med[1][0]:.2f} s wall ({med[1][1]:.2f} CPU), 2 threads "
              f"{med[2][0]:.2f} s wall ({med[2][1]:.2f} CPU): x{row['speedup_wall']:.2f}", flush=True)
    job = {t: sum(r[f"wall_{t}"] for r in rows) for t in (1, 2)}
    out = {"benchmark": "benchmarks/blas_threads.py", "p": 4096, "n": 1024, "trials": 2,
           "repeats": args.repeats, "machine": platform.platform(),
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "note": "2-core machine shared with other jobs (and a study run): medians",
           "speedup_wall_all_tasks": job[1] / job[2], "rows": rows}  # fmt: skip
    print(f"all tasks: x{out['speedup_wall_all_tasks']:.2f}")
    write_json(args.out, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
