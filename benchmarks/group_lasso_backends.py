"""Group lasso on one problem over a 20-value path: the vectorised FISTA backend (``numpy``)
against the ``group-lasso`` package, seconds per fit (key ``group_lasso`` of the report).

    python benchmarks/group_lasso_backends.py [--quick] [--repeats 3] [--out ...]
"""

from __future__ import annotations

import sys

from _bench import GROUP_SIZE, SHAPES, best_of, parser, stacked, update_report
from gsbench.methods import make_method


def group_lasso_rows(n, p, repeats, backends):
    X, y, Xv, yv, ws = stacked(n, p, 1)
    rows = []
    for backend in backends:
        est = make_method("group_lasso", {"backend": backend, "n_lambdas": 20}, groups=GROUP_SIZE)
        seconds = best_of(lambda: est.fit_batch(X, y, Xv, yv, ws), repeats)
        rows.append({"backend": backend, "n": n, "p": p, "path_length": 20,
                     "seconds_per_fit": seconds, "fits_per_second": 1.0 / seconds})
    return rows


def main(argv=None) -> int:
    args = parser(__doc__).parse_args(argv)
    shapes = SHAPES[:1] if args.quick else SHAPES
    rows = []
    print(f"{'group_lasso backend':<22}{'n':>6}{'p':>6}{'fits/s':>10}{'s/fit':>10}")
    for n, p in shapes:
        for row in group_lasso_rows(n, p, 1 if n * p > 10**6 else args.repeats, ["numpy", "group-lasso"]):
            rows.append(row)
            print(f"{row['backend']:<22}{n:>6}{p:>6}{row['fits_per_second']:>10.3g}"
                  f"{row['seconds_per_fit']:>10.3g}")
    return update_report(args.out, "group_lasso", rows)


if __name__ == "__main__":
    sys.exit(main())
