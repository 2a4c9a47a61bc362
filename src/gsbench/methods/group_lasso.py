"""Group lasso over a regularisation path (the explicit counterpart of DGLNN).

    min_w  ||y - X w||^2 / (2n) + lambda * sum_l sqrt(p_l) ||w_l||_2

Optimality (KKT), with ``r = y - X w``::

    X_l^T r / n = lambda sqrt(p_l) w_l / ||w_l||     if w_l != 0,
    ||X_l^T r / n|| <= lambda sqrt(p_l)               if w_l = 0,

so ``lambda_max = max_l ||X_l^T y|| / (n sqrt(p_l))`` is the smallest value with w = 0.
The path is ``lambda_k = lambda_max * ratio^(k/(K-1))``, each fit warm-started at the
previous solution. Backends: ``"group-lasso"`` (the PyPI package ``group-lasso``, FISTA with a
Python loop over groups in its proximal step) and ``"numpy"`` (FISTA here, with the proximal
step vectorised over groups and a KKT stopping rule).

The ``group-lasso`` package (1.5.0) takes its gradient step as ``0.5 grad f / L`` but its
proximal step with threshold ``reg / L``, so its fixed points satisfy the KKT conditions of
``f + 2 reg R``: asked for ``group_reg=lambda`` it solves the problem with ``2 lambda``
(``tests/test_group_lasso.py`` shows the violation). The backend therefore passes
``group_reg = lambda / 2``.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import GroupOps, PathRegressor


def kkt_violation(X: np.ndarray, y: np.ndarray, w: np.ndarray, lam: float, ops: GroupOps) -> float:
    """Largest violation of the group-lasso optimality conditions at ``w`` (see module docs).

    Returns ``max_l`` of ``||X_l^T r/n - lambda sqrt(p_l) w_l/||w_l||||`` over the non-zero
    groups and ``max(0, ||X_l^T r/n|| - lambda sqrt(p_l))`` over the zero groups.
    """
    n = X.shape[0]
    c = (X.T @ (y - X @ w) / n)[None, :]
    weights = lam * np.sqrt(ops.sizes)
    wn = ops.norm(w[None, :])[0]
    active = wn > 0
    safe = np.where(active, wn, 1.0)
    resid = c - ops.expand((weights / safe)[None, :]) * w[None, :]
    v_active = ops.norm(resid)[0]
    v_zero = np.maximum(ops.norm(c)[0] - weights, 0.0)
    return float(np.max(np.where(active, v_active, v_zero)))


def lambda_max(X: np.ndarray, y: np.ndarray, ops: GroupOps) -> float:
    """``max_l ||X_l^T y||_2 / (n sqrt(p_l))``: the smallest lambda whose solution is 0."""
    c = (X.T @ y / X.shape[0])[None, :]
    return float(np.max(ops.norm(c)[0] / np.sqrt(ops.sizes)))


def _spectral_norm_sq(X: np.ndarray, n_iter: int = 100) -> float:
    """``||X||_2^2`` by power iteration on ``X^T X`` from a fixed start (deterministic)."""
    v = np.ones(X.shape[1]) / np.sqrt(X.shape[1])
    est = 0.0
    for _ in range(n_iter):
        xv = X.T @ (X @ v)
        new = np.linalg.norm(xv)
        if new == 0:
            return 0.0
        v = xv / new
        if abs(new - est) <= 1e-10 * new:
            break
        est = new
    return new


def fista_path(
    X, y, lambdas, ops: GroupOps, *, tol=1e-8, max_iter=5000
) -> tuple[np.ndarray, int, bool]:
    """Group-lasso solutions along ``lambdas`` by warm-started FISTA.

    Step ``1/L`` with ``L = 1.01 ||X||_2^2 / n``; proximal step
    ``w_l <- max(0, 1 - t lambda sqrt(p_l) / ||z_l||) z_l`` for all groups at once; every
    10 iterations it stops when :func:`kkt_violation` ``<= tol * lambda_max``.
    Returns ``(coefs of shape (K, p), total iterations, converged)``, ``converged`` being
    whether that tolerance was met at every lambda (rather than ``max_iter`` reached).
    """
    n, p = X.shape
    L = 1.01 * _spectral_norm_sq(X) / n
    scale = tol * max(float(lambdas[0]), np.finfo(float).tiny)
    sqrt_sizes = np.sqrt(ops.sizes)
    w = np.zeros(p)
    coefs = np.empty((len(lambdas), p))
    total = 0
    converged = True
    for k, lam in enumerate(lambdas):
        thresh = (lam * sqrt_sizes / L)[None, :]
        z, t = w.copy(), 1.0
        met = False
        for it in range(1, max_iter + 1):
            grad = -(X.T @ (y - X @ z)) / n
            step = (z - grad / L)[None, :]
            norms = ops.norm(step)
            shrink = np.maximum(0.0, 1.0 - thresh / np.where(norms > 0, norms, 1.0))
            w_new = (ops.expand(shrink) * step)[0]
            t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            z = w_new + ((t - 1.0) / t_new) * (w_new - w)
            w, t = w_new, t_new
            if it % 10 == 0 and kkt_violation(X, y, w, lam, ops) <= scale:
                met = True
                break
        converged &= met
        total += it
        coefs[k] = w
    return coefs, total, converged


class GroupLassoPath(PathRegressor):
    """Group lasso, weights ``sqrt(p_l)``, over a warm-started path of ``n_lambdas`` values.

    Parameters
    ----------
    groups : int or array-like
        Group size, list of sizes, or contiguous labels.
    n_lambdas : int, default=20
        Path length K.
    lambda_ratio : float, default=1e-3
        ``lambda_min / lambda_max``; 1e-3 reaches the noise level of the studies' sigma
        range while staying well-posed when n < p.
    backend : {"numpy", "group-lasso"}, default="numpy"
        ``"group-lasso"`` uses the PyPI package (kept as the reference); ``"numpy"`` is the
        vectorised FISTA of :func:`fista_path` (same objective; see benchmarks/).
    tol : float, default=1e-6
        ``"numpy"``: KKT tolerance relative to lambda_max; ``"group-lasso"``: the package's
        own ``tol``.
    max_iter : int, default=2000
        Iterations per path value. ``FitResult.converged`` says whether ``tol`` was met at
        every path value.
    """

    name = "group_lasso"
    description = "group lasso (weights sqrt(group size)) over a warm-started lambda path"
    presets = {}
    _parameter_constraints = {
        "groups": ["array-like", Interval(Integral, 1, None, closed="left")],
        "n_lambdas": [Interval(Integral, 1, None, closed="left")],
        "lambda_ratio": [Interval(Real, 0, 1, closed="neither")],
        "backend": [StrOptions({"numpy", "group-lasso"})],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self, groups=1, *, n_lambdas=20, lambda_ratio=1e-3, backend="numpy", tol=1e-6,
        max_iter=2000,
    ):  # fmt: skip
        self.groups = groups
        self.n_lambdas = n_lambdas
        self.lambda_ratio = lambda_ratio
        self.backend = backend
        self.tol = tol
        self.max_iter = max_iter

    def lambdas(self, X, y, ops) -> np.ndarray:
        lmax = lambda_max(X, y, ops)
        return lmax * np.geomspace(1.0, self.lambda_ratio, self.n_lambdas)

    def _path(self, X, y, ops):
        lambdas = self.lambdas(X, y, ops)
        resolved = {"lambda_max": float(lambdas[0])}
        if self.backend == "numpy":
            coefs, total, converged = fista_path(
                X, y, lambdas, ops, tol=self.tol, max_iter=self.max_iter
            )
            resolved["solver_iterations"] = float(total)
            resolved["converged"] = float(converged)
            return coefs, resolved
        from group_lasso import GroupLasso

        model = GroupLasso(
            groups=ops.labels, group_reg=float(lambdas[0]) / 2, l1_reg=0.0, n_iter=self.max_iter,
            tol=self.tol, scale_reg="group_size", fit_intercept=False, warm_start=True,
            supress_warning=True, random_state=0,
        )  # fmt: skip
        coefs = np.empty((lambdas.size, X.shape[1]))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", category=Warning)
            for k, lam in enumerate(lambdas):
                model.set_params(group_reg=float(lam) / 2)  # see the module docstring
                model.fit(X, y)
                coefs[k] = np.ravel(model.coef_)
        # the package warns (sklearn's ConvergenceWarning) when FISTA hits n_iter
        resolved["converged"] = float(
            not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        )
        return coefs, resolved
