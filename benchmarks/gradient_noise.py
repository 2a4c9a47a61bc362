"""How much noise in the gradient do the iterative methods tolerate near the transition?

    python benchmarks/gradient_noise.py [--methods dglnn2 hadamard] [--out ...json]

Why float32 moves dglnn2's n* in the default study (README "Performance", float32): on the
two settings where it did (p = 256, groups of 8, s = 4 and s = 8; all trials of
``config/config.yaml``, each problem regenerated from its cell's seed), at each method's
transition (dglnn2: n = 64 and 128, the grid n where float32 changed its successes; hadamard:
n = 128 and 192, the grid n just above its n*), every method is fitted with its default
parameters six ways, in float64 unless said:

* ``float64``: the reference;
* ``y_perturbed_1e-07``: y multiplied by ``1 + 1e-7 xi`` (xi standard normal, seeded), a
  perturbation of the *problem* of float32's size, computed exactly thereafter;
* ``gradient_noise_<eps>``: at every iteration the gradient ``g = X^T (X w - y) / n``
  multiplied by ``1 + eps xi`` (fresh xi each time), a perturbation of the *iteration* of
  relative size eps, for eps = 1e-14, 1e-12, 1e-10, 1e-8;
* ``float32``: ``dtype="float32"`` (every product rounded to float32, about 6e-8 relative).

For each it records the trials that succeed (``rel_error_oracle <= 0.05``) and how many of
them differ from the reference. If a perturbation of the problem of float32's size leaves
every outcome as it is while a perturbation of the iteration far below float32's resolution
flips some, the outcome near the transition is decided by how accurately the iteration is
computed, not by the problem. Each row also holds, per trial, the largest eigenvalue of
``X_S^T X_S / n`` on the support S of w* (a unit step on w along S is stable only below 2). The noise is injected by wrapping ``loss_gradient`` in the
methods' modules for the duration of a fit.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

import numpy as np

from gsbench.methods import make_method
from gsbench.problems import stack_problems
from gsbench.study import expand_cells, load_config

ROOT = Path(__file__).resolve().parents[1]
#: (p, group size, s, n) per method: at its transition on the two settings
CELLS = {"dglnn2": [(256, 8, 4, 64), (256, 8, 8, 128)],
         "hadamard": [(256, 8, 4, 128), (256, 8, 8, 192)]}
NOISE = [1e-14, 1e-12, 1e-10, 1e-8]
THRESHOLD = 0.05


@contextlib.contextmanager
def gradient_noise(eps: float, seed: int):
    """Within the block, every iterative method's gradient is ``g (1 + eps xi)``."""
    from gsbench.methods import _iterative, dglnn, hadamard

    rng = np.random.default_rng(seed)
    original = _iterative.loss_gradient

    def noisy(X, y, w):
        loss, g = original(X, y, w)
        return loss, g * (1.0 + eps * rng.standard_normal(g.shape)).astype(g.dtype)

    modules = (dglnn, hadamard)
    for module in modules:
        module.loss_gradient = noisy
    try:
        yield
    finally:
        for module in modules:
            module.loss_gradient = original


def cell_arrays(config: dict, key: tuple) -> tuple[np.ndarray, ...]:
    p, g, s, n = key
    cells, _ = expand_cells(config)
    (cell,) = [c for c in cells if (c.p, c.group_size, c.active_groups, c.n) == key]
    problems = [cell.problem(config, t) for t in range(config["trials"])]
    return stack_problems(problems)


def errors(method: str, group_size: int, arrays, params=None) -> tuple[np.ndarray, list]:
    """Relative oracle errors and (dglnn2) the iterations of Algorithm 2's switch (-1:
    none) of every trial."""
    X, y, Xv, yv, ws = arrays
    results = make_method(method, params or {}, groups=group_size).fit_batch(X, y, Xv, yv, ws)
    err = np.array([np.linalg.norm(r.coef_oracle - w) / np.linalg.norm(w)
                    for r, w in zip(results, ws)])
    return err, [r.extra.get("switch_iteration") for r in results]


def support_curvature(X: np.ndarray, w_star: np.ndarray) -> np.ndarray:
    """Per trial, the largest eigenvalue of ``X_S^T X_S / n`` on the support S of w*: a
    unit gradient step on w restricted to S is stable only if it is below 2."""
    n = X.shape[1]
    out = []
    for Xb, wb in zip(X, w_star):
        Xs = Xb[:, wb != 0]
        out.append(np.linalg.eigvalsh(Xs.T @ Xs / n)[-1])
    return np.array(out)


def cell_rows(method: str, config: dict, key: tuple) -> list[dict]:
    arrays = cell_arrays(config, key)
    X, y, Xv, yv, ws = arrays
    lam = support_curvature(X, ws)
    g = key[1]
    runs = {"float64": errors(method, g, arrays)}
    xi = np.random.default_rng(0).standard_normal(y.shape)
    runs["y_perturbed_1e-07"] = errors(method, g, (X, y * (1 + 1e-7 * xi), Xv, yv, ws))
    for k, eps in enumerate(NOISE):
        with gradient_noise(eps, seed=k):
            runs[f"gradient_noise_{eps:.0e}"] = errors(method, g, arrays)
    runs["float32"] = errors(method, g, arrays, {"dtype": "float32"})
    ref = runs["float64"][0] <= THRESHOLD
    rows = []
    for name, (err, switch) in runs.items():
        ok = err <= THRESHOLD
        rows.append({"method": method, "p": key[0], "group_size": g, "active_groups": key[2],
                     "n": key[3], "run": name, "trials": int(ok.size),
                     "successes": int(ok.sum()), "differ_from_float64": int((ok != ref).sum()),
                     "support_lambda_max": [round(float(v), 3) for v in lam],
                     "errors": [round(float(e), 4) for e in err],
                     "switch_iteration": switch})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--methods", nargs="+", default=["dglnn2", "hadamard"])
    ap.add_argument("--config", type=Path, default=ROOT / "config" / "config.yaml")
    ap.add_argument("--out", type=Path,
                    default=ROOT / "benchmarks" / "results" / "gradient_noise.json")
    args = ap.parse_args(argv)
    config = load_config(str(args.config))
    rows = []
    print(f"{'method':<10}{'cell (p, g, s, n)':<22}{'run':<24}{'successes':>10}{'differ':>8}")
    for method in args.methods:
        for key in CELLS.get(method, CELLS["dglnn2"]):
            for row in cell_rows(method, config, key):
                rows.append(row)
                print(f"{method:<10}{str(key):<22}{row['run']:<24}"
                      f"{row['successes']:>6}/{row['trials']:<3}{row['differ_from_float64']:>8}",
                      flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"config": str(args.config.relative_to(ROOT)),
                                    "threshold": THRESHOLD, "rows": rows}, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
