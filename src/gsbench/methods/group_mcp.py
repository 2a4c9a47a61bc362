"""Group MCP over a regularisation path (Huang, Breheny & Ma 2012; R's grpreg ``grMCP``).

    min_w  ||y - X w||^2 / (2n) + sum_l MCP_{lambda_l, gamma}(||w_l||_2),
    MCP_{lam, gamma}(t) = lam t - t^2 / (2 gamma)   (t <= gamma lam),   gamma lam^2 / 2  (else),

with ``lambda_l = lambda sqrt(p_l)`` (grpreg's default ``group.multiplier``; grpreg also
orthonormalises each group, which we do not: gamma is relative to the curvature of the loss,
``X_l^T X_l / n ~ I`` under the studies' designs). Stationarity, with ``c_l = X_l^T (y - Xw) / n``::

    c_l = max(lambda_l - ||w_l|| / gamma, 0) w_l / ||w_l||     if w_l != 0,
    ||c_l|| <= lambda_l                                        if w_l = 0,

so ``lambda_max`` (w = 0 stationary) is the group lasso's. Solver: proximal gradient with step
``1/L``, ``L = 1.01 ||X||_2^2 / n``, whose proximal step is group **firm thresholding**
(for ``z`` the gradient step and ``t = 1/L < gamma``)::

    prox(z)_l = 0                                                  if ||z_l|| <= t lambda_l,
              = (1 - t lambda_l / ||z_l||) z_l / (1 - t / gamma)  if ||z_l|| <= gamma lambda_l,
              = z_l                                                otherwise,

accelerated (FISTA) with a restart whenever the objective increases (the penalty is
non-convex; restarts keep the objective monotone). It stops when the stationarity violation
is at most ``tol * lambda_max``.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import MAX_ITER_CONSTRAINT, PATH_PATIENCE, PATH_PATIENCE_CONSTRAINT, GroupOps, PathRegressor
from .group_lasso import lambda_max


def mcp_penalty(norms: np.ndarray, lams: np.ndarray, gamma: float) -> np.ndarray:
    """``MCP_{lams, gamma}(norms)`` elementwise."""
    return np.where(norms <= gamma * lams, lams * norms - norms**2 / (2 * gamma),
                    0.5 * gamma * lams**2)  # fmt: skip


def firm_threshold(z: np.ndarray, thresh: np.ndarray, gamma_lams: np.ndarray, t_over_gamma,
                   ops: GroupOps) -> np.ndarray:  # fmt: skip
    """Group firm thresholding of ``z`` (B, p): threshold ``t lambda_l``, identity beyond
    ``gamma lambda_l`` (see the module docstring); ``thresh``, ``gamma_lams`` of shape
    (B, L) or (L,), ``t_over_gamma`` a scalar or (B, 1)."""
    nz = ops.norm(z)
    safe = np.where(nz > 0, nz, 1.0)
    scale = np.where(
        nz > gamma_lams, 1.0, np.maximum(0.0, 1.0 - thresh / safe) / (1.0 - t_over_gamma)
    )
    return ops.expand(scale) * z


def stationarity_violations(X, y, w, lam, gamma: float, ops: GroupOps) -> np.ndarray:
    """Largest violation of the group-MCP stationarity conditions (module docs) for each
    problem of a batch: X (B, n, p), y (B, n), w (B, p), lam (B,) -> (B,). It is
    ``||c_l - max(lambda_l - ||w_l||/gamma, 0) w_l/||w_l||||`` on non-zero groups and
    ``max(0, ||c_l|| - lambda_l)`` on zero groups, maximised over l."""
    c = _correlation(X, y - _matvec(X, w))
    lams = np.asarray(lam, dtype=float)[:, None] * np.sqrt(ops.sizes)[None, :]
    wn = ops.norm(w)
    active = wn > 0
    deriv = np.maximum(lams - wn / gamma, 0.0) / np.where(active, wn, 1.0)
    v_active = ops.norm(c - ops.expand(deriv) * w)
    v_zero = np.maximum(ops.norm(c) - lams, 0.0)
    return np.max(np.where(active, v_active, v_zero), axis=1)


def stationarity_violation(X, y, w, lam: float, gamma: float, ops: GroupOps) -> float:
    """:func:`stationarity_violations` of one problem, X (n, p), y (n,), w (p,)."""
    return float(stationarity_violations(X[None], y[None], w[None], [lam], gamma, ops)[0])


def _matvec(X, w):
    """``X_b w_b`` for X (B, n, p), w (B, p) -> (B, n)."""
    return np.matmul(X, w[:, :, None])[:, :, 0]


def _correlation(X, r):
    """``X_b^T r_b / n`` for X (B, n, p), r (B, n) -> (B, p)."""
    return np.matmul(r[:, None, :], X)[:, 0, :] / X.shape[1]


def mcp_path_batch(X, y, lambdas, gamma: float, ops: GroupOps, *, tol=1e-8, max_iter=5000,
                   stop=None):  # fmt: skip
    """Group-MCP stationary points of B problems along their own ``lambdas`` (B, K),
    warm-started, all problems advanced together (see module docs).

    Each problem stops when its stationarity violation is at most ``tol * lambdas[b, 0]``
    (checked every 10 iterations). With ``stop`` (a
    :class:`~gsbench.methods._base.PathPatience` over the B problems) a problem's path ends
    when the rule says so; its later values are not fitted (NaN). Returns ``(coefs (B, K, p),
    iterations (B,), converged (B,) bool: every fitted path value met tol)``.
    """
    B, n, p = X.shape
    L = 1.01 * np.linalg.norm(X, ord=2, axis=(1, 2)) ** 2 / n
    t = 1.0 / L
    if np.any(t >= gamma):
        raise ValueError(f"gamma={gamma} must exceed the step 1/L={t.max():.3g} (n / ||X||^2)")
    scale = tol * np.maximum(lambdas[:, 0], np.finfo(float).tiny)
    sqrt_sizes = np.sqrt(ops.sizes)[None, :]

    def objective(Xa, ya, w, lams):
        r = ya - _matvec(Xa, w)
        return np.einsum("bi,bi->b", r, r) / (2 * n) + mcp_penalty(ops.norm(w), lams, gamma).sum(1)

    w = np.zeros((B, p))
    coefs = np.full((B, lambdas.shape[1], p), np.nan)
    iterations = np.zeros(B, dtype=int)
    converged = np.ones(B, dtype=bool)
    alive = np.ones(B, dtype=bool)  # still extending its path
    for k in range(lambdas.shape[1]):
        # Work on the still-running problems only: the batch is compacted (a copy of their
        # X) whenever at most half of it is still running.
        idx = np.flatnonzero(alive)
        if idx.size == B:
            Xa, ya, ta, lam_k = X, y, t, lambdas[:, k]
        else:
            Xa, ya, ta, lam_k = X[idx], y[idx], t[idx], lambdas[idx, k]
        lams = lam_k[:, None] * sqrt_sizes
        wa = w[idx]
        z, tk, f_old = wa.copy(), np.ones(idx.size), objective(Xa, ya, wa, lams)
        running = np.ones(idx.size, dtype=bool)
        for it in range(1, max_iter + 1):
            step = z + ta[:, None] * _correlation(Xa, ya - _matvec(Xa, z))
            w_new = firm_threshold(step, ta[:, None] * lams, gamma * lams, (ta / gamma)[:, None],
                                   ops)  # fmt: skip
            f_new = objective(Xa, ya, w_new, lams)
            restart = running & (f_new > f_old) & (tk > 1.0)  # momentum restarts from w
            accept = running & ~restart  # finished problems stay frozen
            t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * tk * tk))
            z_acc = w_new + ((tk - 1.0) / t_new)[:, None] * (w_new - wa)
            z = np.where(restart[:, None], wa, np.where(accept[:, None], z_acc, z))
            wa = np.where(accept[:, None], w_new, wa)
            f_old = np.where(accept, f_new, f_old)
            tk = np.where(restart, 1.0, np.where(accept, t_new, tk))
            iterations[idx[running]] += 1
            if it % 10 == 0:
                running &= stationarity_violations(Xa, ya, wa, lam_k, gamma, ops) > scale[idx]
                if not running.any():
                    break
                if running.sum() <= running.size // 2:
                    w[idx] = wa
                    keep = running
                    idx, Xa, ya, ta, lam_k, lams, wa, z, tk, f_old, running = (
                        a[keep] for a in (idx, Xa, ya, ta, lam_k, lams, wa, z, tk, f_old, running)
                    )
        converged[idx[running]] = False
        w[idx] = wa
        live = np.flatnonzero(alive)
        coefs[live, k] = w[live]
        if stop is not None:
            alive[live[stop.update(w[live], live)]] = False
            if not alive.any():
                break
    return coefs, iterations, converged


def mcp_path(X, y, lambdas, gamma: float, ops: GroupOps, *, tol=1e-8, max_iter=5000):
    """:func:`mcp_path_batch` of one problem: ``(coefs (K, p), iterations, converged)``."""
    coefs, its, ok = mcp_path_batch(X[None], y[None], np.asarray(lambdas, dtype=float)[None],
                                    gamma, ops, tol=tol, max_iter=max_iter)  # fmt: skip
    return coefs[0], int(its[0]), bool(ok[0])


class GroupMCPPath(PathRegressor):
    """Group MCP, ``lambda_l = lambda sqrt(p_l)``, over a warm-started path of ``n_lambdas`` values.

    Reference: Huang, Breheny & Ma (2012), *A selective review of group selection in
    high-dimensional models*, Statist. Sci. 27(4); Breheny & Huang (2015) grpreg.

    Parameters
    ----------
    groups : int or array-like
        Group size, list of sizes, or contiguous labels.
    gamma : float, default=3.0
        MCP concavity (grpreg's default); gamma -> infinity is the group lasso.
    n_lambdas : int, default=20
    lambda_ratio : float, default=1e-3
        ``lambda_min / lambda_max`` (as ``group_lasso``).
    tol : float, default=1e-6
        Stationarity tolerance relative to lambda_max.
    max_iter : int, default=2000
        Iterations per path value; ``resolved["converged"]`` is 1.0 when every path value met
        ``tol``, else 0.0.
    path_patience : int or None, default=3
        With a validation set, end the path once the validation loss has not decreased for
        this many consecutive path values (the rule of every path method,
        :class:`gsbench.methods._base.PathPatience`). None: the whole path.

    Notes
    -----
    The B problems of a batch are solved together (:func:`mcp_path_batch`).
    """

    name = "group_mcp"
    description = "group MCP (firm thresholding, gamma=3) over a warm-started lambda path"
    presets = {}
    _parameter_constraints = {
        "groups": ["array-like", Interval(Integral, 1, None, closed="left")],
        "gamma": [Interval(Real, 0, None, closed="neither")],
        "n_lambdas": [Interval(Integral, 1, None, closed="left")],
        "lambda_ratio": [Interval(Real, 0, 1, closed="neither")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": MAX_ITER_CONSTRAINT,
        "path_patience": PATH_PATIENCE_CONSTRAINT,
    }

    def __init__(self, groups=1, *, gamma=3.0, n_lambdas=20, lambda_ratio=1e-3, tol=1e-6,
                 max_iter=2000, path_patience=PATH_PATIENCE):  # fmt: skip
        self.groups = groups
        self.gamma = gamma
        self.n_lambdas = n_lambdas
        self.lambda_ratio = lambda_ratio
        self.tol = tol
        self.max_iter = max_iter
        self.path_patience = path_patience

    def lambdas(self, X, y, ops) -> np.ndarray:
        return lambda_max(X, y, ops) * np.geomspace(1.0, self.lambda_ratio, self.n_lambdas)

    def _solve(self, X, y, ops, stop=None):
        """Paths of a batch X (B, n, p): ``(coefs (B, K, p), lambdas (B, K), its, converged)``
        (NaN rows after a path ended by ``stop``)."""
        lmax = np.max(ops.norm(_correlation(X, y)) / np.sqrt(ops.sizes)[None, :], axis=1)
        lambdas = lmax[:, None] * np.geomspace(1.0, self.lambda_ratio, self.n_lambdas)[None, :]
        coefs, its, ok = mcp_path_batch(X, y, lambdas, float(self.gamma), ops, tol=self.tol,
                                        max_iter=self.max_iter, stop=stop)  # fmt: skip
        return coefs, lambdas, its, ok

    @staticmethod
    def _resolved(lambdas, its, ok, b) -> dict:
        return {"lambda_max": float(lambdas[b, 0]), "solver_iterations": float(its[b]),
                "converged": float(ok[b])}  # fmt: skip

    def _path(self, X, y, ops, stop=None):
        coefs, lambdas, its, ok = self._solve(X[None], y[None], ops, stop)
        fitted = int(np.isfinite(coefs[0, :, 0]).sum())
        return coefs[0, :fitted], self._resolved(lambdas, its, ok, 0)

    def _path_batch(self, X, y, ops, X_val=None, y_val=None):
        """All B problems advance together (one batched matmul per iteration)."""
        coefs, lambdas, its, ok = self._solve(X, y, ops, self._stopper(X_val, y_val))
        fitted = np.isfinite(coefs[:, :, 0]).sum(axis=1)  # path values computed
        return [(coefs[b, : fitted[b]], self._resolved(lambdas, its, ok, b))
                for b in range(X.shape[0])]  # fmt: skip
