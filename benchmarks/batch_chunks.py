"""The chunk size of a batch: CPU time of iterative fits of 10 problems by chunks of c.

    python benchmarks/batch_chunks.py [--out benchmarks/results/batch_chunks.json]

On the default study's shapes (p = 256, groups of 4, s = 4, n = 64, 128, 256; 10 problems
with validation sets of n rows), dglnn2 and hadamard run 1000 iterations (no early
termination) with ``_iterative.CHUNK_BYTES`` set so that a chunk holds c problems, c = 10
(the whole batch at once), 5, 4, 3, 2, 1, and with the shipped ``CHUNK_BYTES``. One BLAS
thread, CPU time of the process, best of 2. Reported per (n, method): seconds per chunk
size and their ratio to the whole batch.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

import gsbench.methods._iterative as loop
from gsbench.methods import make_method
from gsbench.problems import make_problem, stack_problems

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = loop.CHUNK_BYTES


def cpu_seconds(est, arrays, budget: int, repeats: int = 2) -> float:
    loop.CHUNK_BYTES = budget
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        est.fit_batch(*arrays)
        best = min(best, time.process_time() - start)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "batch_chunks.json")
    args = ap.parse_args(argv)
    rows = []
    with threadpool_limits(limits=1):
        for n in (64, 128, 256):
            problems = [make_problem(n, 256, 4, 4, sigma=0.0, n_val=n, seed=s) for s in range(10)]
            arrays = stack_problems(problems)
            per = arrays[0][0].nbytes
            for name in ("dglnn2", "hadamard"):
                est = make_method(name, {"max_iter": 1000, "patience": 10**9,
                                         "interpolation_tol": None}, groups=4)
                seconds = {c: cpu_seconds(est, arrays, c * per) for c in (10, 5, 4, 3, 2, 1)}
                shipped = cpu_seconds(est, arrays, SHIPPED)
                row = {"n": n, "p": 256, "method": name, "design_bytes": per,
                       "shipped_chunk": max(1, SHIPPED // per),
                       "seconds": {str(c): round(v, 4) for c, v in seconds.items()},
                       "ratio_to_whole": {str(c): round(v / seconds[10], 3) for c, v in seconds.items()},
                       "shipped_seconds": round(shipped, 4),
                       "shipped_ratio_to_whole": round(shipped / seconds[10], 3)}
                rows.append(row)
                print(n, name, row["ratio_to_whole"], "shipped:", row["shipped_chunk"],
                      row["shipped_ratio_to_whole"], flush=True)
    loop.CHUNK_BYTES = SHIPPED
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"chunk_bytes": SHIPPED, "rows": rows}, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
