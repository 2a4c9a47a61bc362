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

from ._base import GroupOps, PathRegressor
from .group_lasso import _spectral_norm_sq, lambda_max


def mcp_penalty(norms: np.ndarray, lams: np.ndarray, gamma: float) -> np.ndarray:
    """``MCP_{lams, gamma}(norms)`` elementwise."""
    return np.where(norms <= gamma * lams, lams * norms - norms**2 / (2 * gamma),
                    0.5 * gamma * lams**2)  # fmt: skip


def firm_threshold(z: np.ndarray, thresh: np.ndarray, gamma_lams: np.ndarray, t_over_gamma: float,
                   ops: GroupOps) -> np.ndarray:  # fmt: skip
    """Group firm thresholding of ``z`` (B, p): threshold ``t lambda_l``, identity beyond
    ``gamma lambda_l`` (see the module docstring); ``thresh``, ``gamma_lams`` of shape (L,)."""
    nz = ops.norm(z)
    safe = np.where(nz > 0, nz, 1.0)
    scale = np.where(
        nz > gamma_lams, 1.0, np.maximum(0.0, 1.0 - thresh / safe) / (1.0 - t_over_gamma)
    )
    return ops.expand(scale) * z


def stationarity_violation(X, y, w, lam: float, gamma: float, ops: GroupOps) -> float:
    """Largest violation of the group-MCP stationarity conditions at ``w`` (module docs):
    ``||c_l - max(lambda_l - ||w_l||/gamma, 0) w_l/||w_l||||`` on non-zero groups,
    ``max(0, ||c_l|| - lambda_l)`` on zero groups."""
    c = (X.T @ (y - X @ w) / X.shape[0])[None, :]
    lams = lam * np.sqrt(ops.sizes)
    wn = ops.norm(w[None, :])[0]
    active = wn > 0
    deriv = np.maximum(lams - wn / gamma, 0.0) / np.where(active, wn, 1.0)
    v_active = ops.norm(c - ops.expand(deriv[None, :]) * w[None, :])[0]
    v_zero = np.maximum(ops.norm(c)[0] - lams, 0.0)
    return float(np.max(np.where(active, v_active, v_zero)))


def mcp_path(X, y, lambdas, gamma: float, ops: GroupOps, *, tol=1e-8, max_iter=5000):
    """Group-MCP stationary points along ``lambdas``, warm-started (see module docs).

    Returns ``(coefs of shape (K, p), total iterations, all path values converged)``.
    """
    n, p = X.shape
    L = 1.01 * _spectral_norm_sq(X) / n
    t = 1.0 / L
    if t >= gamma:
        raise ValueError(f"gamma={gamma} must exceed the step 1/L={t:.3g} (n / ||X||^2)")
    scale = tol * max(float(lambdas[0]), np.finfo(float).tiny)
    sqrt_sizes = np.sqrt(ops.sizes)

    def objective(w, lams):
        r = y - X @ w
        return r @ r / (2 * n) + mcp_penalty(ops.norm(w[None])[0], lams, gamma).sum()

    w = np.zeros(p)
    coefs = np.empty((len(lambdas), p))
    total, converged = 0, True
    for k, lam in enumerate(lambdas):
        lams = lam * sqrt_sizes
        thresh, gamma_lams = (t * lams)[None, :], (gamma * lams)[None, :]
        z, tk, f_old = w.copy(), 1.0, objective(w, lams)
        ok = False
        for it in range(1, max_iter + 1):
            step = (z + t * (X.T @ (y - X @ z)) / n)[None, :]
            w_new = firm_threshold(step, thresh, gamma_lams, t / gamma, ops)[0]
            f_new = objective(w_new, lams)
            if f_new > f_old and tk > 1.0:  # restart the momentum from w
                z, tk = w.copy(), 1.0
                continue
            t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * tk * tk))
            z = w_new + ((tk - 1.0) / t_new) * (w_new - w)
            w, tk, f_old = w_new, t_new, f_new
            if it % 10 == 0 and stationarity_violation(X, y, w, lam, gamma, ops) <= scale:
                ok = True
                break
        total += it
        converged &= ok
        coefs[k] = w
    return coefs, total, converged


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
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, groups=1, *, gamma=3.0, n_lambdas=20, lambda_ratio=1e-3, tol=1e-6,
                 max_iter=2000):  # fmt: skip
        self.groups = groups
        self.gamma = gamma
        self.n_lambdas = n_lambdas
        self.lambda_ratio = lambda_ratio
        self.tol = tol
        self.max_iter = max_iter

    def lambdas(self, X, y, ops) -> np.ndarray:
        return lambda_max(X, y, ops) * np.geomspace(1.0, self.lambda_ratio, self.n_lambdas)

    def _path(self, X, y, ops):
        lambdas = self.lambdas(X, y, ops)
        coefs, total, converged = mcp_path(
            X, y, lambdas, float(self.gamma), ops, tol=self.tol, max_iter=self.max_iter
        )
        return coefs, {"lambda_max": float(lambdas[0]), "solver_iterations": float(total),
                       "converged": float(converged)}  # fmt: skip
