"""Hyperparameter sweeps: K settings of one method fitted together against one setting and
against K separate fits.

    python benchmarks/sweep_cost.py [--quick] [--repeats 3] [--out ...]

The sweep section (key ``sweep``) times, for every iterative method on one problem, the same
number of iterations (early termination off, one BLAS thread, CPU time of the process, which
a shared machine's load distorts far less than wall time) three ways in the same run:
one setting (``fit_batch``), K = 16 settings of alpha fitted together
(``gsbench.methods.fit_sweep``: each iteration multiplies X by a p x 16 matrix) and the 16
settings fitted one after the other. ``sweep_over_one`` is the cost of the sweep in units of
one setting (target <= 3; 16 separate fits cost 16), ``separate_over_sweep`` the speed-up
over separate fits.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from _bench import GROUP_SIZE, ITERATIVE, bare_products, parser, stacked, update_report
from gsbench.methods import make_method

SWEEP_K = 16


#: alpha of the K settings of each method's sweep (decades around its default); other
#: parameters at their defaults (hadamard_depth: depth 3).
SWEEP_ALPHAS = {"dglnn1": (1e-8, 1e-4), "dglnn2": (1e-8, 1e-4), "dglnn_gd": (0.01, 0.3),
                "hadamard": (1e-8, 1e-3), "hadamard_depth": (1e-3, 0.1)}


def sweep_rows(n, p, iterations, repeats, trials=1):
    """One setting vs K settings fitted together vs K separate fits, on the same ``trials``
    problems in the same run; then the bare products of an iteration (one ``X w``, one
    ``X^T r``) for one setting and for the K settings (a ``SharedDesign``), the floor of
    the ratio."""
    from threadpoolctl import threadpool_limits

    from gsbench.methods import fit_sweep
    from gsbench.methods._design import SharedDesign

    X, y, Xv, yv, ws = stacked(n, p, trials)
    rows = []

    def timed(out, key, fn):  # CPU time: this process's share of a loaded machine is erratic
        start = time.process_time()
        out[key] = fn()
        return time.process_time() - start

    for name in ITERATIVE:
        base = {"max_iter": iterations, "patience": 10**9, "stride": 10}
        settings = [{"alpha": float(a)} for a in np.geomspace(*SWEEP_ALPHAS[name], SWEEP_K)]
        est = make_method(name, base, groups=GROUP_SIZE)
        ests = [make_method(name, {**base, **s}, groups=GROUP_SIZE) for s in settings]
        out = {}
        with threadpool_limits(limits=1):
            one = sweep = float("inf")
            for _ in range(repeats):  # interleaved, so that both see the same load
                one = min(one, timed(out, "one", lambda: ests[0].fit_batch(X, y, Xv, yv, ws)))
                sweep = min(sweep, timed(out, "sweep",
                                         lambda: fit_sweep(est, settings, X, y, Xv, yv, ws)))
            separate = timed(out, "separate", lambda: [e.fit_batch(X, y, Xv, yv, ws) for e in ests])
        diff = max(float(np.max(np.abs(a.coef_final - b.coef_final))
                         / np.max(np.abs(b.coef_final)))
                   for sk, ek in zip(out["sweep"], out["separate"]) for a, b in zip(sk, ek))
        rows.append({
            "method": name, "n": n, "p": p, "trials": trials, "K": SWEEP_K,
            "iterations": iterations, "blas_threads": 1, "one_seconds": one,
            "sweep_seconds": sweep, "separate_seconds": separate, "sweep_over_one": sweep / one,
            "separate_over_one": separate / one, "separate_over_sweep": separate / sweep,
            "coef_rel_diff_sweep_vs_separate": diff,
        })
    shared, tiled_y = SharedDesign.tiled(X, SWEEP_K), np.tile(y, (SWEEP_K, 1))
    with threadpool_limits(limits=1):
        one = sweep = float("inf")
        for _ in range(repeats):
            one = min(one, timed({}, "one", lambda: bare_products(X, y, 2, iterations)))
            sweep = min(sweep, timed({}, "sweep",
                                     lambda: bare_products(shared, tiled_y, 2, iterations)))
    rows.append({
        "method": "bare products (2)", "n": n, "p": p, "trials": trials, "K": SWEEP_K,
        "iterations": iterations, "blas_threads": 1, "one_seconds": one,
        "sweep_seconds": sweep, "separate_seconds": None, "sweep_over_one": sweep / one,
        "separate_over_one": None, "separate_over_sweep": None,
        "coef_rel_diff_sweep_vs_separate": None,
    })
    return rows


def sweep_section(args) -> dict:
    # (n, p, trials): one problem at both shapes (the issue's target), and the claims' 12
    # trials at (100, 500), where one setting's products no longer all fit in cache
    cases = [(100, 500, 1)] if args.quick else [(100, 500, 1), (1000, 5000, 1), (100, 500, 12)]
    print(f"\nsweeps of K={SWEEP_K} settings (alpha) fitted together, one BLAS thread; "
          "CPU seconds for the same iterations")
    print(f"{'method':<19}{'n':>6}{'p':>6}{'T':>4}{'one':>9}{'sweep':>9}{'separate':>9}"
          f"{'sweep/one':>10}{'sep/one':>9}{'sep/swp':>9}")
    rows = []
    fmt = lambda v, w, d: f"{v:>{w}.{d}f}" if v is not None else f"{'-':>{w}}"  # noqa: E731
    for n, p, trials in cases:
        iterations = 10 if n * p > 10**6 else (100 if args.quick else 300)
        for row in sweep_rows(n, p, iterations, 1 if n * p > 10**6 else args.repeats, trials):
            rows.append(row)
            print(f"{row['method']:<19}{n:>6}{p:>6}{trials:>4}{row['one_seconds']:>9.3f}"
                  f"{row['sweep_seconds']:>9.3f}{fmt(row['separate_seconds'], 9, 3)}"
                  f"{row['sweep_over_one']:>10.2f}{fmt(row['separate_over_one'], 9, 2)}"
                  f"{fmt(row['separate_over_sweep'], 9, 2)}", flush=True)
    return {"K": SWEEP_K, "target_sweep_over_one": 3.0, "clock": "process_time", "rows": rows}


def main(argv=None) -> int:
    args = parser(__doc__).parse_args(argv)
    return update_report(args.out, "sweep", sweep_section(args))


if __name__ == "__main__":
    sys.exit(main())
