"""float32 against float64: CPU time per iteration of every iterative method in both dtypes.

    python benchmarks/float32_cost.py [--quick] [--repeats 3] [--out ...]

The float32 section times every iterative method with ``dtype="float32"`` and
``dtype="float64"`` on the same arrays in the same run (one BLAS thread, as the study's jobs;
the two alternate within each repeat so that both see the same machine load; the time is
this process's CPU time, which other processes' time slices do not inflate), at
(n, p) = (100, 500) and (1000, 5000), batch 1 and 16, with the bare products of one
iteration in each dtype for reference; it records the ratios float32 / float64 (key
``float32`` of the JSON).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from _bench import BATCHES, GROUP_SIZE, ITERATIVE, bare_products, best_of, parser, stacked, update_report
from gsbench.methods import make_method

FLOAT32_SHAPES = [(100, 500), (1000, 5000)]


def float32_rows(n, p, B, iterations, repeats):
    """CPU seconds per iteration per problem of every iterative method in float64 and float32
    (and of 2 bare products in each), the two dtypes timed alternately on the same arrays."""
    X, y, Xv, yv, ws = stacked(n, p, B)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    cases = {name: {dtype: (lambda est=make_method(name, {
        "max_iter": iterations, "patience": 10**9, "stride": 10, "dtype": dtype},
        groups=GROUP_SIZE): est.fit_batch(X, y, Xv, yv, ws)) for dtype in ("float64", "float32")}
        for name in ITERATIVE}
    cases["bare products (2)"] = {"float64": lambda: bare_products(X, y, 2, iterations),
                                  "float32": lambda: bare_products(X32, y32, 2, iterations)}
    rows = []
    for name, fits in cases.items():
        best = {"float64": float("inf"), "float32": float("inf")}
        for _ in range(repeats):
            for dtype, fit in fits.items():
                best[dtype] = min(best[dtype], best_of(fit, 1, time.process_time))
        rows.append({
            "method": name, "n": n, "p": p, "batch": B, "iterations": iterations,
            "float64_seconds_per_iteration_per_problem": best["float64"] / iterations / B,
            "float32_seconds_per_iteration_per_problem": best["float32"] / iterations / B,
            "float32_over_float64": best["float32"] / best["float64"],
        })
    return rows


def float32_section(args) -> dict:
    from threadpoolctl import threadpool_limits

    shapes = FLOAT32_SHAPES[:1] if args.quick else FLOAT32_SHAPES
    print(f"\nfloat32 / float64, one BLAS thread, CPU seconds per iteration per problem\n"
          f"{'method':<20}{'n':>6}{'p':>6}{'B':>4}{'float64':>12}{'float32':>12}{'ratio':>8}")
    rows = []
    with threadpool_limits(limits=1):
        for n, p in shapes:
            for B in BATCHES:
                # CPU time barely depends on the load: few repeats where a fit takes seconds
                size = n * p * B
                iterations, repeats = ((300, max(args.repeats, 5)) if size <= 10**7
                                       else (20, 2) if size <= 10**8 else (10, 1))
                for row in float32_rows(n, p, B, iterations, repeats):
                    rows.append(row)
                    print(f"{row['method']:<20}{n:>6}{p:>6}{B:>4}"
                          f"{row['float64_seconds_per_iteration_per_problem']:>12.2e}"
                          f"{row['float32_seconds_per_iteration_per_problem']:>12.2e}"
                          f"{row['float32_over_float64']:>8.2f}", flush=True)
    methods = [r["float32_over_float64"] for r in rows if r["method"] in ITERATIVE]
    summary = {"median_method_ratio": float(np.median(methods)),
               "min_method_ratio": float(np.min(methods)),
               "max_method_ratio": float(np.max(methods))}
    print(f"methods' float32 / float64: median {summary['median_method_ratio']:.2f} "
          f"(range {summary['min_method_ratio']:.2f}-{summary['max_method_ratio']:.2f})")
    return {"rows": rows, **summary}


def main(argv=None) -> int:
    args = parser(__doc__).parse_args(argv)
    return update_report(args.out, "float32", float32_section(args))


if __name__ == "__main__":
    sys.exit(main())
