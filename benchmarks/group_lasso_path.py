"""The group-lasso path of this checkout against skglm and, with ``--baseline COMMIT``,
against ``fista_path`` of that commit.

    python benchmarks/group_lasso_path.py [--baseline COMMIT] [--grid] [--quick] [--out ...]

The group-lasso path section fits the B trials of a cell over the default 20-value path
(tolerance 1e-6 of lambda_max) three ways, on the same arrays and in the same run, all with
one BLAS thread (as the study's jobs): ``fista_path`` of this checkout (the B problems
batched), ``fista_path`` of the ``--baseline`` commit when one is given (a temporary ``git worktree``, timed
in a subprocess whose PYTHONPATH points to it, one problem at a time as its
``PathRegressor`` did) and, when installed, skglm's ``GroupLasso`` (weights sqrt(p_l),
warm-started along the same path, its tolerance the same KKT bound; numba compile time is
excluded by a warm-up fit and reported separately). It records the ratios and the largest
relative difference of the objective at any path value between the solvers.
``--grid`` also times the paths of every cell of the default study (this code, and the
baseline's when given). Key ``group_lasso_path`` of the report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _bench import GROUP_SIZE, ROOT, baseline_checkout, best_of, parser, remove_checkout, stacked, update_report
from gsbench.problems import make_problem

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
            if args.grid:
                grid = default_study_cases()
                print(f"\ndefault study grid: {len(grid)} cells, this code vs {args.baseline} "
                      "(one run each, no skglm) ...", flush=True)
                grid_rows = path_rows(grid, 1, src, False, verbose=False)
        finally:
            if checkout is not None:
                remove_checkout(checkout)
    section = {"baseline": args.baseline, "skglm_compile_seconds": compile_seconds, "rows": rows}
    if args.grid:
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


def main(argv=None) -> int:
    ap = parser(__doc__)
    ap.add_argument("--baseline", metavar="COMMIT", help="also time fista_path of this commit (a git worktree)")
    ap.add_argument("--grid", action="store_true", help="also time the paths of every cell of the default study")
    args = ap.parse_args(argv)
    return update_report(args.out, "group_lasso_path", group_lasso_path_section(args))


if __name__ == "__main__":
    sys.exit(main())
