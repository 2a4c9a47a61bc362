"""Group iterative hard thresholding / model-based compressive sensing (Baraniuk, Cevher,
Duarte & Hegde 2010, block-sparse model), with the normalised step of Blumensath & Davies
(2010, "NIHT").

For a sparsity level s' (groups), iterate from a warm start w::

    g = X^T (y - X w) / n,
    w <- H_{s'}(w + mu g),      H_{s'}: keep the s' groups of largest ||.||_2, zero the rest,

with ``step="normalized"``: ``mu = ||g_G||^2 / (||X g_G||^2 / n)`` on G, the support of w
completed to s' groups by the largest groups of g (a warm start from level s' - 1 has one
group fewer), halved while the new support leaves G and
``mu > 0.99 ||w+ - w||^2 / (||X (w+ - w)||^2 / n)`` (which makes the loss decrease); or a
fixed ``mu = step``. A limit point is a fixed point ``w = H_{s'}(w + mu g)``, so
``X_G^T (y - X w) = 0`` on its support. It stops when ``||w+ - w|| <= tol ||w+||``.
The path sweeps s' = 1, 2, ..., K, each level warm-started at the previous solution; the
true s is never given.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import MAX_ITER_CONSTRAINT, PATH_PATIENCE, PATH_PATIENCE_CONSTRAINT, GroupOps, PathRegressor


def hard_threshold(z: np.ndarray, k: int, ops: GroupOps) -> np.ndarray:
    """``H_k(z)`` for z of shape (B, p): keep each row's k groups of largest norm."""
    norms = ops.norm(z)
    if k >= ops.n_groups:
        return z.copy()
    keep = np.zeros_like(norms, dtype=bool)
    top = np.argpartition(-norms, k - 1, axis=1)[:, :k]
    np.put_along_axis(keep, top, True, axis=1)
    return z * ops.expand(keep)


def iht(X, y, k: int, ops: GroupOps, w0, *, step="normalized", tol=1e-8, max_iter=1000):
    """Group IHT at sparsity k from ``w0``; returns ``(w, iterations, converged)``."""
    n = X.shape[0]
    w = w0.copy()
    for it in range(1, max_iter + 1):
        g = X.T @ (y - X @ w) / n
        if step == "normalized":
            # G: the support of w, completed to k groups by the largest groups of g
            score = np.where(ops.norm(w[None])[0] > 0, np.inf, ops.norm(g[None])[0])
            group_in = np.zeros(ops.n_groups, dtype=bool)
            group_in[np.argsort(-score, kind="stable")[:k]] = True
            support = ops.expand(group_in[None])[0]
            gs = np.where(support, g, 0.0)
            xg = X @ gs
            mu = float(gs @ gs) / max(float(xg @ xg) / n, np.finfo(float).tiny)
        else:
            mu = float(step)
        w_new = hard_threshold((w + mu * g)[None], k, ops)[0]
        if step == "normalized":
            for _ in range(60):
                if not np.any((w_new != 0) & ~support):
                    break
                d = w_new - w
                xd = X @ d
                omega = 0.99 * float(d @ d) / max(float(xd @ xd) / n, np.finfo(float).tiny)
                if mu <= omega:
                    break
                mu /= 2.0
                w_new = hard_threshold((w + mu * g)[None], k, ops)[0]
        change = np.linalg.norm(w_new - w)
        w = w_new
        if not np.isfinite(change):
            return w, it, False
        if change <= tol * np.linalg.norm(w):
            return w, it, True
    return w, max_iter, False


class GroupIHT(PathRegressor):
    """Group IHT; path = sparsity level s' = 1 .. ``max_groups`` (groups kept).

    Parameters
    ----------
    groups : int or array-like
    max_groups : int or None, default=None
        Longest path; ``None``: the largest s' whose s' largest groups have at most n/2
        columns (beyond that the least-squares fixed point interpolates).
    step : "normalized" or float, default="normalized"
        NIHT's adaptive step, or a fixed step mu (``X^T X / n ~ I`` makes 1 natural).
    tol : float, default=1e-6
        Relative change stopping rule.
    max_iter : int, default=500
        Iterations per sparsity level; ``resolved["converged"]`` is 1.0 when every level
        met ``tol``.
    path_patience : int or None, default=3
        With a validation set, end the path once the validation loss has not decreased for
        this many consecutive path values (the rule of every path method,
        :class:`gsbench.methods._base.PathPatience`). None: the whole path.
    """

    name = "group_iht"
    description = "group iterative hard thresholding (normalised step), path over s' groups"
    presets = {}
    _parameter_constraints = {
        "groups": ["array-like", Interval(Integral, 1, None, closed="left")],
        "max_groups": [Interval(Integral, 1, None, closed="left"), None],
        "step": [StrOptions({"normalized"}), Interval(Real, 0, None, closed="neither")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": MAX_ITER_CONSTRAINT,
        "path_patience": PATH_PATIENCE_CONSTRAINT,
    }

    def __init__(self, groups=1, *, max_groups=None, step="normalized", tol=1e-6, max_iter=500,
                 path_patience=PATH_PATIENCE):  # fmt: skip
        self.groups = groups
        self.max_groups = max_groups
        self.step = step
        self.tol = tol
        self.max_iter = max_iter
        self.path_patience = path_patience

    def _levels(self, n, ops) -> int:
        if self.max_groups is not None:
            return min(int(self.max_groups), ops.n_groups)
        cols = np.cumsum(np.sort(ops.sizes)[::-1])
        return max(1, int(np.searchsorted(cols, n / 2, side="right")))

    def _path(self, X, y, ops, stop=None):
        K = self._levels(X.shape[0], ops)
        w = np.zeros(X.shape[1])
        coefs = np.empty((K, X.shape[1]))
        total, converged = 0, True
        for k in range(1, K + 1):
            w, it, ok = iht(X, y, k, ops, w, step=self.step, tol=self.tol, max_iter=self.max_iter)
            coefs[k - 1] = w
            total += it
            converged &= ok
            if stop is not None and stop.update(w)[0]:
                coefs = coefs[:k]
                break
        return coefs, {"max_groups": float(K), "solver_iterations": float(total),
                       "converged": float(converged)}  # fmt: skip
