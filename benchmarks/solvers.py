"""Solver benchmark: cost per iteration against the bare matrix products, group-lasso
throughput, the group-lasso path against the baseline commit and skglm, float32 against
float64, hyperparameter sweeps fitted together, and the default study's wall time against the
baseline commit.

    python benchmarks/solvers.py [--quick] [--study] [--adaptive FIXED ADAPTIVE]
                                 [--out benchmarks/results/solvers.json]
    python benchmarks/solvers.py --path-only [--baseline 145ee0a] [--quick]
    python benchmarks/solvers.py --float32 [--quick]
    python benchmarks/solvers.py --sweep-only [--quick]
    python benchmarks/solvers.py --study-only [--study-baseline 145ee0a] [--study-cores 2]

For every iterative method, (n, p) and batch size B it times ``fit_batch`` for a fixed number
of iterations (early termination off) and, on the same arrays in the same run, the bare
products an iteration needs (``products_per_iteration`` batched products with X or X^T, as
NumPy matmuls). The ratio method / bare products is the overhead of everything that is not
a product. Timings are the best of ``--repeats`` runs.

The group-lasso path section fits the B trials of a cell over the default 20-value path
(tolerance 1e-6 of lambda_max) three ways, on the same arrays and in the same run, all with
one BLAS thread (as the study's jobs): ``fista_path`` of this checkout (the B problems
batched), ``fista_path`` of the ``--baseline`` commit (a temporary ``git worktree``, timed
in a subprocess whose PYTHONPATH points to it, one problem at a time as its
``PathRegressor`` did) and, when installed, skglm's ``GroupLasso`` (weights sqrt(p_l),
warm-started along the same path, its tolerance the same KKT bound; numba compile time is
excluded by a warm-up fit and reported separately). It records the ratios and the largest
relative difference of the objective at any path value between the solvers.

The float32 section times every iterative method with ``dtype="float32"`` and
``dtype="float64"`` on the same arrays in the same run (one BLAS thread, as the study's jobs;
the two alternate within each repeat so that both see the same machine load; the time is
this process's CPU time, which other processes' time slices do not inflate), at
(n, p) = (100, 500) and (1000, 5000), batch 1 and 16, with the bare products of one
iteration in each dtype for reference; it records the ratios float32 / float64 (key
``float32`` of the JSON). ``--float32`` runs this section alone and updates only that key of
an existing JSON.
The sweep section (key ``sweep``) times, for every iterative method on one problem, the same
number of iterations (early termination off, one BLAS thread, CPU time of the process, which
a shared machine's load distorts far less than wall time) three ways in the same run:
one setting (``fit_batch``), K = 16 settings of alpha fitted together
(``gsbench.methods.fit_sweep``: each iteration multiplies X by a p x 16 matrix) and the 16
settings fitted one after the other. ``sweep_over_one`` is the cost of the sweep in units of
one setting (target <= 3; 16 separate fits cost 16), ``separate_over_sweep`` the speed-up
over separate fits. ``--sweep-only`` runs this section alone and updates its key in an
existing ``--out`` file.

``--study`` (or ``--study-only``) runs the default study (``config/config.yaml``) twice in
the same invocation, one after the other, each from a clean results directory with
``--cores 2``: with this checkout, then with a temporary ``git worktree`` of
``--study-baseline`` (the commit issue 11 starts from), whose code the Snakemake process and
its jobs import through ``PYTHONPATH`` (checked: the parameters recorded in the baseline's
fits are those of the baseline's methods). It records both wall times, their ratio (this /
baseline) and the side-by-side comparison of ``benchmarks/compare_studies.py`` (n* moved
outside the other run's interval, success rates, fit time per method) under the key
``"study"``.

The adaptive-grid section (key ``adaptive_grid``, every full run) reports the fits and n*
interval widths of the adaptive n grid against the fixed grid of ``config/paper.yaml``: from
two finished studies given with ``--adaptive FIXED ADAPTIVE``, else from the last
measurement of ``benchmarks/adaptive_grid.py`` (its JSON; the studies take about 2 h).
Every run ends with the key ``headline``: the ratios issue 11 asks for, from the sections
that ran.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from gsbench.methods import REGISTRY, make_method
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


# float32 against float64 -----------------------------------------------------------------

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


# hyperparameter sweeps fitted together ---------------------------------------------------

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


def group_lasso_rows(n, p, repeats, backends):
    X, y, Xv, yv, ws = stacked(n, p, 1)
    rows = []
    for backend in backends:
        est = make_method("group_lasso", {"backend": backend, "n_lambdas": 20}, groups=GROUP_SIZE)
        seconds = best_of(lambda: est.fit_batch(X, y, Xv, yv, ws), repeats)
        rows.append({"backend": backend, "n": n, "p": p, "path_length": 20,
                     "seconds_per_fit": seconds, "fits_per_second": 1.0 / seconds})
    return rows


# The group-lasso path: this checkout vs the baseline commit vs skglm -------------------------

PATH_CASES = [  # (n, p, group size, active groups, sigma, trials B): default-study cells first
    (64, 256, 4, 4, 0.0, 10), (128, 256, 4, 4, 0.0, 10), (256, 256, 8, 4, 0.0, 10),
    (100, 500, 4, 4, 0.5, 10), (1000, 5000, 4, 4, 0.5, 1),
]
PATH_TOL, PATH_MAX_ITER, PATH_K = 1e-6, 2000, 20

BASELINE_SCRIPT = r"""
import json, sys, time
import numpy as np
from threadpoolctl import threadpool_limits
from gsbench.methods._base import GroupOps, group_structure
from gsbench.methods.group_lasso import fista_path
data = np.load(sys.argv[1])
X, y, lambdas, repeats = data["X"], data["y"], data["lambdas"], int(sys.argv[3])
ops = GroupOps(*group_structure(int(data["group_size"]), X.shape[2]))
best = float("inf")
with threadpool_limits(limits=1):
    for _ in range(repeats):
        start = time.perf_counter()
        out = [fista_path(X[b], y[b], lambdas[b], ops, tol=float(data["tol"]),
                          max_iter=int(data["max_iter"])) for b in range(X.shape[0])]
        best = min(best, time.perf_counter() - start)
np.save(sys.argv[2], np.stack([o[0] for o in out]))
print(json.dumps({"seconds": best, "iterations": [int(o[1]) for o in out]}))
"""


def group_lasso_objective(X, y, coefs, lambdas, ops):
    """``||y - X w_k||^2 / (2n) + lambda_k sum_l sqrt(p_l) ||w_lk||`` for coefs (B, K, p)."""
    r = y[:, None, :] - np.matmul(coefs, X.transpose(0, 2, 1))
    norms = ops.norm(coefs.reshape(-1, coefs.shape[2]))
    pen = (norms @ np.sqrt(ops.sizes)).reshape(coefs.shape[:2])
    return np.sum(r * r, axis=2) / (2 * X.shape[1]) + lambdas * pen


def baseline_checkout(commit: str, where: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), commit],
                   check=True, capture_output=True)
    return where


def time_baseline(src: Path, arrays: dict, repeats: int) -> tuple[float, np.ndarray]:
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "problem.npz", Path(tmp) / "coefs.npy"
        np.savez(data, **arrays)
        env = dict(os.environ, PYTHONPATH=str(src), OPENBLAS_NUM_THREADS="1",
                   OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        proc = subprocess.run([sys.executable, "-c", BASELINE_SCRIPT, str(data), str(out),
                               str(repeats)], check=True, capture_output=True, text=True, env=env)
        return json.loads(proc.stdout.strip().splitlines()[-1])["seconds"], np.load(out)


def skglm_path(X, y, lambdas, group_size, warm=False):
    """skglm's GroupLasso along the path, warm-started, stopping at the same KKT bound."""
    from skglm import GroupLasso

    B, n, p = X.shape
    coefs = np.empty((B, lambdas.shape[1], p))
    weights = np.full(p // group_size, np.sqrt(group_size))
    for b in range(B):
        model = GroupLasso(groups=group_size, alpha=float(lambdas[b, 0]), weights=weights,
                           tol=PATH_TOL * float(lambdas[b, 0]), max_epochs=PATH_MAX_ITER * 50,
                           fit_intercept=False, warm_start=True)
        for k, lam in enumerate(lambdas[b]):
            model.set_params(alpha=float(lam))
            model.fit(X[b], y[b])
            coefs[b, k] = model.coef_
        if warm:
            break
    return coefs


def skglm_compile_seconds() -> float | None:
    """Wall time of a first (numba-compiling) skglm fit on a tiny problem; None if absent."""
    try:
        import skglm  # noqa: F401
    except ImportError:
        return None
    X, y, _, _, _ = stacked(20, 40, 1)
    start = time.perf_counter()
    skglm_path(X, y, np.array([[1.0, 0.5]]), GROUP_SIZE, warm=True)
    return time.perf_counter() - start


def default_study_cases(config: str = "config/config.yaml") -> list[tuple]:
    """The (n, p, group size, active groups, sigma, trials) cells of a study config's grid."""
    import yaml

    cfg = yaml.safe_load((ROOT / config).read_text())
    grid, trials = cfg["grid"], cfg["trials"]
    return [(n, p, g, s, sigma, trials) for p in grid["p"] for g in grid["group_size"]
            for s in grid["active_groups"] for n in grid["n"] for sigma in grid["sigma"]
            if s * g <= p]


def path_rows(cases, repeats: int, baseline_src: Path | None, with_skglm: bool,
              verbose: bool = True):
    from threadpoolctl import threadpool_limits

    from gsbench.methods._base import GroupOps, group_structure
    from gsbench.methods.group_lasso import fista_path, lambda_max

    rows = []
    for n, p, g, s, sigma, B in cases:
        problems = [make_problem(n, p, g, s, sigma=sigma, seed=b) for b in range(B)]
        X = np.stack([pr.X for pr in problems])
        y = np.stack([pr.y for pr in problems])
        ops = GroupOps(*group_structure(g, p))
        lambdas = np.stack([lambda_max(X[b], y[b], ops) * np.geomspace(1.0, 1e-3, PATH_K)
                            for b in range(B)])
        reps = 1 if n * p > 10**6 else repeats
        with threadpool_limits(limits=1):
            new = best_of(lambda: fista_path(X, y, lambdas, ops, tol=PATH_TOL,
                                             max_iter=PATH_MAX_ITER), reps)
            coefs, _, converged = fista_path(X, y, lambdas, ops, tol=PATH_TOL,
                                             max_iter=PATH_MAX_ITER)
            f_new = group_lasso_objective(X, y, coefs, lambdas, ops)
            row = {"n": n, "p": p, "group_size": g, "active_groups": s, "sigma": sigma,
                   "trials": B, "path_length": PATH_K, "tol": PATH_TOL,
                   "new_seconds": new, "new_converged": bool(converged.all())}
            if baseline_src is not None:
                old, old_coefs = time_baseline(baseline_src, {
                    "X": X, "y": y, "lambdas": lambdas, "group_size": g, "tol": PATH_TOL,
                    "max_iter": PATH_MAX_ITER}, reps)
                f_old = group_lasso_objective(X, y, old_coefs, lambdas, ops)
                row.update(old_seconds=old, new_over_old=new / old,
                           objective_rel_diff_old=float(np.max(np.abs(f_new - f_old) / f_old)))
            if with_skglm:
                sk = best_of(lambda: skglm_path(X, y, lambdas, g), reps)
                f_sk = group_lasso_objective(X, y, skglm_path(X, y, lambdas, g), lambdas, ops)
                row.update(skglm_seconds=sk, new_over_skglm=new / sk,
                           objective_rel_diff_skglm=float(np.max(np.abs(f_new - f_sk) / f_sk)))
        rows.append(row)
        if not verbose:
            continue
        get = lambda key: row.get(key, float("nan"))  # noqa: E731
        print(f"{n:>6}{p:>6}{g:>4}{s:>4}{sigma:>6}{B:>4}{new:>10.3f}{get('old_seconds'):>10.3f}"
              f"{get('new_over_old'):>9.3f}{get('skglm_seconds'):>10.3f}"
              f"{get('new_over_skglm'):>9.3f}{get('objective_rel_diff_old'):>10.1e}"
              f"{get('objective_rel_diff_skglm'):>10.1e}", flush=True)
    return rows


def group_lasso_path_section(args) -> dict:
    compile_seconds = skglm_compile_seconds()
    if compile_seconds is None:
        print("skglm is not installed: skipping the skglm comparison (pip install skglm)")
    else:
        print(f"skglm numba compilation (first fit, excluded below): {compile_seconds:.1f} s")
    cases = [c for c in PATH_CASES if not (args.quick and c[0] * c[1] > 10**6)]
    print(f"\ngroup-lasso path, seconds per cell of B trials (K={PATH_K}, tol={PATH_TOL})")
    print(f"{'n':>6}{'p':>6}{'g':>4}{'s':>4}{'sigma':>6}{'B':>4}{'new':>10}{'old':>10}"
          f"{'new/old':>9}{'skglm':>10}{'new/skg':>9}{'dF old':>10}{'dF skglm':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        checkout = None
        if args.baseline:
            checkout = baseline_checkout(args.baseline, Path(tmp) / "baseline")
        src = None if checkout is None else checkout / "src"
        try:
            rows = path_rows(cases, args.repeats, src, compile_seconds is not None)
            if args.path_grid:
                grid = default_study_cases()
                print(f"\ndefault study grid: {len(grid)} cells, this code vs {args.baseline} "
                      "(one run each, no skglm) ...", flush=True)
                grid_rows = path_rows(grid, 1, src, False, verbose=False)
        finally:
            if checkout is not None:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(checkout)], check=False, capture_output=True)
    section = {"baseline": args.baseline, "skglm_compile_seconds": compile_seconds, "rows": rows}
    if args.path_grid:
        new = sum(r["new_seconds"] for r in grid_rows)
        section["default_study_grid"] = {"cells": len(grid_rows), "new_seconds": new,
                                         "rows": grid_rows}
        line = f"default study grid, group-lasso paths of all cells: {new:.1f} s"
        if checkout is not None:
            old = sum(r["old_seconds"] for r in grid_rows)
            section["default_study_grid"].update(old_seconds=old, new_over_old=new / old)
            line += f" against {old:.1f} s, ratio {new / old:.3f}"
        print(line)
    return section


def study_wall_time(root: Path, work: Path, config: str, cores: int,
                    pythonpath: Path | None = None) -> float:
    """Wall time of ``snakemake`` on the Snakefile of checkout ``root`` with its ``config``,
    from the clean directory ``work`` (its results go to ``work/results``); with
    ``pythonpath``, the Snakemake process and its jobs import gsbench from there."""
    snakemake = Path(sys.executable).parent / "snakemake"
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    work.mkdir(parents=True)
    start = time.perf_counter()
    subprocess.run([str(snakemake), "--snakefile", str(root / "Snakefile"), "--directory",
                    str(work), "--configfile", str(root / config), "--cores", str(cores),
                    "--quiet"], check=True, capture_output=True, env=env)  # fmt: skip
    return time.perf_counter() - start


IMPORT_CHECK = r"""
import json, sys
import gsbench
from gsbench.methods import get_method
print(json.dumps({"file": gsbench.__file__,
                  "params": {m: sorted(set(get_method(m)().get_params()) - {"groups"})
                             for m in sys.argv[1:]}}))
"""


def imported_code(results: Path, pythonpath: Path | None) -> dict:
    """Which gsbench a study's jobs ran: the package file the environment imports and whether
    the parameters recorded in the fits (``trials.parquet``, all but ``groups``) are exactly
    that package's parameters of each method."""
    import pandas as pd

    trials = pd.read_parquet(results / "trials.parquet", columns=["method_name", "params"])
    methods = sorted(trials["method_name"].unique())
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    proc = subprocess.run([sys.executable, "-c", IMPORT_CHECK, *methods], check=True,
                          capture_output=True, text=True, env=env)  # fmt: skip
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    recorded = {m: sorted(set().union(*(json.loads(p) for p in trials.loc[
        trials["method_name"] == m, "params"]))) for m in methods}  # fmt: skip
    return {"gsbench": seen["file"], "params_match": recorded == seen["params"]}


def study_section(args) -> dict:
    """The default study with this checkout and with ``args.study_baseline``, one after the
    other, and their comparison (see the module docstring)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from compare_studies import compare_transitions, fit_times

    import pandas as pd

    config, cores = args.study_config, args.study_cores
    with tempfile.TemporaryDirectory() as tmp:
        base = baseline_checkout(args.study_baseline, Path(tmp) / "baseline")
        try:
            print(f"\ndefault study ({config}, --cores {cores}): this checkout ...", flush=True)
            new = study_wall_time(ROOT, Path(tmp) / "new", config, cores)
            print(f"  {new:.0f} s; baseline {args.study_baseline} ...", flush=True)
            old = study_wall_time(base, Path(tmp) / "old", config, cores, pythonpath=base / "src")
            print(f"  {old:.0f} s; ratio this / baseline = {new / old:.3f}", flush=True)
            study = yaml_study_name(ROOT / config)
            res_new = Path(tmp) / "new" / "results" / study
            res_old = Path(tmp) / "old" / "results" / study
            check_new = imported_code(res_new, None)
            check_old = imported_code(res_old, base / "src")
            if not (check_old["params_match"] and check_old["gsbench"].startswith(str(base))):
                raise RuntimeError(f"the baseline study did not run its own code: {check_old}")
            tr = compare_transitions(pd.read_csv(res_old / "transitions.csv"),
                                     pd.read_csv(res_new / "transitions.csv"))  # fmt: skip
            times = fit_times(res_old).merge(fit_times(res_new), on="method",
                                             suffixes=("_baseline", "_new"))  # fmt: skip
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                           check=False, capture_output=True)
    moved = tr[tr["moved"]]
    print(f"  settings compared: {len(tr)}, n* outside the other run's interval or label "
          f"changed: {len(moved)}")
    return {"config": config, "cores": cores, "baseline": args.study_baseline,
            "wall_seconds": new, "baseline_wall_seconds": old, "ratio": new / old,
            "imported": {"new": check_new, "baseline": check_old},
            "settings_compared": len(tr), "settings_moved": len(moved),
            "moved": json.loads(moved.to_json(orient="records")),
            "fit_time": json.loads(times.to_json(orient="records"))}  # fmt: skip


ADAPTIVE_JSON = ROOT / "benchmarks" / "results" / "adaptive_grid.json"


def adaptive_section(args) -> dict:
    """The adaptive n grid against the fixed grid of config/paper.yaml (key ``adaptive_grid``).

    With ``--adaptive FIXED ADAPTIVE`` (two finished studies' ``results/<study>``
    directories, config/paper.yaml and config/paper_adaptive.yaml) it is computed in this run
    by ``benchmarks/adaptive_grid.py``'s ``compare``; otherwise it is read from that script's
    last measurement, ``benchmarks/results/adaptive_grid.json`` (the two studies take about
    2 h 10 min on 2 cores, so they are not rerun here), and the source is recorded.
    """
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import adaptive_grid

    if args.adaptive:
        fixed, adaptive = args.adaptive
        section = adaptive_grid.compare(fixed, adaptive, ROOT / "config" / "paper.yaml",
                                        ROOT / "config" / "paper_adaptive.yaml")  # fmt: skip
        source = f"computed in this run from {fixed} and {adaptive}"
    else:
        if not ADAPTIVE_JSON.exists():
            raise SystemExit(f"{ADAPTIVE_JSON} is missing: run benchmarks/adaptive_grid.py "
                             "FIXED ADAPTIVE, or pass --adaptive FIXED ADAPTIVE")
        section = json.loads(ADAPTIVE_JSON.read_text())["adaptive_grid"]
        source = f"{ADAPTIVE_JSON.relative_to(ROOT)} (benchmarks/adaptive_grid.py)"
    print(f"\nadaptive n grid against the fixed grid of config/paper.yaml ({source})")
    print(adaptive_grid.summary_table(section))
    return {"source": source, **adaptive_grid.totals(section), **section}


def yaml_study_name(config: Path) -> str:
    import yaml

    return str(yaml.safe_load(config.read_text())["study"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer iterations, skip (1000, 5000)")
    ap.add_argument("--study", action="store_true",
                    help="also time the default study, this checkout and --study-baseline")
    ap.add_argument("--study-only", action="store_true",
                    help="only the default study, this checkout and --study-baseline")
    ap.add_argument("--study-baseline", default="145ee0a",
                    help="commit whose default study is timed side by side (a git worktree)")
    ap.add_argument("--study-cores", type=int, default=2)
    ap.add_argument("--study-config", default="config/config.yaml",
                    help="study config (relative to each checkout) for --study: the default "
                         "study; config/smoke.yaml checks the comparison quickly")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "solvers.json")
    ap.add_argument("--path-only", action="store_true",
                    help="only the group-lasso path comparison (this code, --baseline, skglm)")
    ap.add_argument("--path-grid", action="store_true",
                    help="also time the group-lasso paths of every cell of the default study")
    ap.add_argument("--float32", action="store_true",
                    help="only the float32 / float64 comparison of the iterative methods")
    ap.add_argument("--sweep-only", action="store_true",
                    help="only the sweep section (K settings fitted together), merged into --out")
    ap.add_argument("--adaptive", nargs=2, type=Path, metavar=("FIXED", "ADAPTIVE"),
                    help="results/<study> of config/paper.yaml and config/paper_adaptive.yaml "
                         "to compare (default: the last measurement, "
                         "benchmarks/results/adaptive_grid.json)")
    ap.add_argument("--baseline", default="145ee0a",
                    help="commit whose fista_path is timed side by side ('' to skip)")
    args = ap.parse_args(argv)

    from threadpoolctl import threadpool_info

    report = {
        "machine": {"python": platform.python_version(), "processor": platform.machine(),
                    "cores": os.cpu_count(),
                    "blas": [(i.get("internal_api"), i.get("num_threads")) for i in threadpool_info()]},
        "iterative": [], "float32": {}, "group_lasso": [], "group_lasso_path": {}, "sweep": {},
        "study": {}, "adaptive_grid": {},
    }
    only = {"float32": (args.float32, float32_section), "sweep": (args.sweep_only, sweep_section),
            "group_lasso_path": (args.path_only, group_lasso_path_section),
            "study": (args.study_only, study_section)}
    for key, (chosen, section) in only.items():
        if chosen:  # this section alone: the other sections of an earlier run are kept
            previous = json.loads(args.out.read_text()) if args.out.exists() else {}
            return write_report({**report, **previous, "machine": report["machine"],
                                 key: section(args)}, args.out)
    shapes = SHAPES[:2] if args.quick else SHAPES
    print(f"{'method':<15}{'n':>6}{'p':>6}{'B':>4}{'s/it/problem':>15}{'bare':>12}{'ratio':>8}")
    for n, p in shapes:
        for B in BATCHES:
            iterations = 200 if n * p > 10**6 else (300 if args.quick else 1000)
            for row in iterative_rows(n, p, B, iterations, args.repeats):
                report["iterative"].append(row)
                print(f"{row['method']:<15}{n:>6}{p:>6}{B:>4}"
                      f"{row['seconds_per_iteration_per_problem']:>15.2e}"
                      f"{row['bare_seconds_per_iteration_per_problem']:>12.2e}{row['ratio']:>8.2f}")
    report["float32"] = float32_section(args)
    print(f"\n{'group_lasso backend':<22}{'n':>6}{'p':>6}{'fits/s':>10}{'s/fit':>10}")
    for n, p in shapes:
        backends = ["numpy", "group-lasso"]
        for row in group_lasso_rows(n, p, 1 if n * p > 10**6 else args.repeats, backends):
            report["group_lasso"].append(row)
            print(f"{row['backend']:<22}{n:>6}{p:>6}{row['fits_per_second']:>10.3g}"
                  f"{row['seconds_per_fit']:>10.3g}")
    report["group_lasso_path"] = group_lasso_path_section(args)
    report["sweep"] = sweep_section(args)
    report["adaptive_grid"] = adaptive_section(args)
    if args.study:
        report["study"] = study_section(args)
    return write_report(report, args.out)


def headline(report: dict) -> dict:
    """Issue 11's ratios from the sections of ``report`` that were run (key ``headline``)."""
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


def write_report(report: dict, out: Path) -> int:
    report["headline"] = headline(report)
    print("\nheadline (issue 11):")
    for key, value in report["headline"].items():
        print(f"  {key}: {value}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
