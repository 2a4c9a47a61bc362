"""How the cost of one fit grows with p, at fixed n/p and s/L, beside the bare mat-vec products.

    python benchmarks/cost_growth.py [--out benchmarks/results/cost_growth.json] [--repeats 2]

At p = 256, 512, 1024, 2048, 4096 with n = p/4 (validation sets of n rows), groups of 4 and
s = L/16 active groups (so s/L = 1/16 and k/p = 1/16), one problem (seed 0) is fitted by each
method with its default hyperparameters, one BLAS thread; CPU time of the process
(``time.process_time``), best of ``--repeats``. Beside each fit, the same number of bare
products ``X w`` and ``X^T r`` as its iterations need (2 per iteration; for a path method, 2
per path value) is timed on the same design. Reported: per p the seconds, iterations and
seconds per iteration; per method the least-squares slope of log seconds on log p (the growth
exponent) of the whole fit, of one iteration, and of the bare products. A bare product costs
n p = p^2 / 4, exponent 2; a whole fit grows faster when its iterations grow with p.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from _timing import best_cpu, write_json
from gsbench.methods import make_method
from gsbench.problems import make_problem

ROOT = Path(__file__).resolve().parents[1]
SIZES = (256, 512, 1024, 2048, 4096)
METHODS = ("dglnn2", "hadamard", "group_lasso", "lasso")


def bare_products(X: np.ndarray, count: int) -> None:
    """``count`` products alternating X w and X^T r (the floor of a gradient iteration)."""
    w, r = np.ones(X.shape[1]), np.ones(X.shape[0])
    for i in range(count):
        if i % 2:
            X.T @ r
        else:
            X @ w


def slope(p, seconds) -> float:
    return float(np.polyfit(np.log(p), np.log(seconds), 1)[0])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "cost_growth.json")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args(argv)
    rows = []
    with threadpool_limits(limits=1):
        for p in SIZES:
            n, L = p // 4, p // 4
            pr = make_problem(n, p, 4, L // 16, sigma=0.0, n_val=n, seed=0)
            for name in METHODS:
                est = make_method(name, groups=4)
                seconds, (res,) = best_cpu(lambda: est.fit_batch(pr.X[None], pr.y[None], pr.X_val[None],
                                                                 pr.y_val[None], pr.w_star[None]), args.repeats)
                iters = max(int(res.iterations), 1)
                bare, _ = best_cpu(lambda: bare_products(pr.X, 2 * iters), args.repeats)
                rows.append({"p": p, "n": n, "s": L // 16, "group_size": 4, "method": name,
                             "seconds": seconds, "iterations": iters,
                             "seconds_per_iteration": seconds / iters, "bare_seconds": bare,
                             "rel_error_oracle": float(np.linalg.norm(res.coef_oracle - pr.w_star)
                                                       / np.linalg.norm(pr.w_star))})
                print(f"p={p} {name}: {seconds:.3f} s, {iters} iterations, bare {bare:.3f} s",
                      flush=True)
    exponents = {}
    for name in METHODS:
        sel = [r for r in rows if r["method"] == name]
        ps = [r["p"] for r in sel]
        exponents[name] = {
            "fit": slope(ps, [r["seconds"] for r in sel]),
            "per_iteration": slope(ps, [r["seconds_per_iteration"] for r in sel]),
            "iterations": slope(ps, [r["iterations"] for r in sel]),
            "bare_products": slope(ps, [r["bare_seconds"] for r in sel]),
            "bare_per_product": slope(ps, [r["bare_seconds"] / r["iterations"] for r in sel]),
        }
        print(name, {k: round(v, 2) for k, v in exponents[name].items()})
    out = {"benchmark": "benchmarks/cost_growth.py", "n_over_p": 0.25, "s_over_L": 1 / 16,
           "sizes": list(SIZES), "repeats": args.repeats, "blas_threads": 1,
           "machine": platform.platform(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "note": "2-core machine shared with other jobs; CPU time of the process",
           "exponents": exponents, "rows": rows}  # fmt: skip
    write_json(args.out, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
