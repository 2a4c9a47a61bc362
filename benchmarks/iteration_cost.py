"""Cost of an iteration of every iterative method against the bare matrix products it needs.

    python benchmarks/iteration_cost.py [--quick] [--repeats 3] [--out benchmarks/results/solvers.json]

For every iterative method, (n, p) and batch size B it times ``fit_batch`` for a fixed number
of iterations (early termination off) and, on the same arrays in the same run, the bare
products an iteration needs (``products_per_iteration`` batched products with X or X^T, as
NumPy matmuls). The ratio method / bare products is the overhead of everything that is not
a product. Timings are the best of ``--repeats`` runs.
Key ``iterative`` of the report.
"""

from __future__ import annotations

import sys

from _bench import BATCHES, GROUP_SIZE, ITERATIVE, SHAPES, bare_products, best_of, parser, stacked, update_report
from gsbench.methods import make_method


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


def main(argv=None) -> int:
    args = parser(__doc__).parse_args(argv)
    shapes = SHAPES[:2] if args.quick else SHAPES
    rows = []
    print(f"{'method':<15}{'n':>6}{'p':>6}{'B':>4}{'s/it/problem':>15}{'bare':>12}{'ratio':>8}")
    for n, p in shapes:
        for B in BATCHES:
            iterations = 200 if n * p > 10**6 else (30 if args.quick else 1000)
            for row in iterative_rows(n, p, B, iterations, args.repeats):
                rows.append(row)
                print(f"{row['method']:<15}{n:>6}{p:>6}{B:>4}"
                      f"{row['seconds_per_iteration_per_problem']:>15.2e}"
                      f"{row['bare_seconds_per_iteration_per_problem']:>12.2e}{row['ratio']:>8.2f}")
    return update_report(args.out, "iterative", rows)


if __name__ == "__main__":
    sys.exit(main())
