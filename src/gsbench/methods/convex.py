"""Convex sparse-recovery references with optimality certificates.

Two programs, each returned with a dual vector that certifies it:

* **basis pursuit** ``min ||w||_1  s.t.  X w = y`` as a linear program
  (``scipy.optimize.linprog``, HiGHS), dual ``max y^T nu  s.t.  ||X^T nu||_inf <= 1``;
* **group basis pursuit** ``min sum_l c_l ||w_l||_2  s.t.  ||X w - y||_2 <= eps``
  (``eps = 0``: ``X w = y``; a second-order cone program) by ADMM / Douglas-Rachford
  splitting, dual ``max y^T nu - eps ||nu||  s.t.  ||X_l^T nu||_2 <= c_l``.

Weak duality makes every dual-feasible ``nu`` a lower bound: ``primal - dual`` (the
certificate's ``gap``) bounds the suboptimality of the returned ``w``. Optimality is
``X_l^T nu = c_l w_l / ||w_l||`` on the support, ``||X_l^T nu|| <= c_l`` off it.
The claims checker (:mod:`gsbench.claims`) and the ``group_bp`` method share these solvers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._base import GroupOps, group_structure


@dataclass
class Certificate:
    """A solution and the dual vector certifying it.

    Attributes
    ----------
    coef : ndarray of shape (p,)
        The primal solution w.
    dual : ndarray of shape (n,)
        Dual vector nu, scaled to be dual feasible (``max_l ||X_l^T nu|| / c_l <= 1``).
    primal_value, dual_value : float
        ``sum_l c_l ||w_l||`` and ``y^T nu - eps ||nu||``; ``gap = primal - dual``.
    residual : float
        ``max(0, ||X w - y|| - eps)``: primal infeasibility.
    converged : bool
        The solver met its tolerance (relative gap and residual, see the solver).
    iterations : int
    """

    coef: np.ndarray
    dual: np.ndarray
    primal_value: float
    dual_value: float
    residual: float
    converged: bool
    iterations: int
    extra: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        return self.primal_value - self.dual_value


def _dual_certificate(X, y, nu, coef, weights, ops, eps, converged, iterations, **extra):
    nu = nu / max(1.0, float(np.max(ops.norm((X.T @ nu)[None])[0] / weights)))
    primal = float(np.sum(weights * ops.norm(coef[None])[0]))
    dual = float(y @ nu - eps * np.linalg.norm(nu))
    residual = max(0.0, float(np.linalg.norm(X @ coef - y)) - eps)
    return Certificate(coef, nu, primal, dual, residual, converged, iterations, extra)


def basis_pursuit(X: np.ndarray, y: np.ndarray) -> Certificate:
    """``min ||w||_1  s.t.  X w = y`` as the LP ``min 1^T (a + b), X (a - b) = y, a, b >= 0``.

    Raises ``ValueError`` on mismatched shapes (naming them) and if HiGHS reports the
    program infeasible or fails.
    """
    from scipy.optimize import linprog

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"basis_pursuit needs X (n, p) and y (n,), got {X.shape} and {y.shape}")
    n, p = X.shape
    res = linprog(np.ones(2 * p), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None),
                  method="highs")  # fmt: skip
    if res.status != 0:
        raise ValueError(f"basis pursuit: linprog (HiGHS) status {res.status}: {res.message}")
    coef = res.x[:p] - res.x[p:]
    ops = GroupOps(*group_structure(1, p))
    return _dual_certificate(X, y, np.asarray(res.eqlin.marginals, dtype=float), coef,
                             np.ones(p), ops, 0.0, True, int(res.nit))  # fmt: skip


class _ConstraintProjector:
    """Euclidean projection onto ``C = {w : ||X w - y|| <= eps}`` (``eps = 0``: ``X w = y``).

    With the thin SVD ``X = U diag(s) V^T`` of rank r and ``a = U^T (X v - y)``, the
    projection of v is ``v - V (mu s / (1 + mu s^2) * a)`` where mu >= 0 solves
    ``||a / (1 + mu s^2)|| = eps'`` (mu = infinity when eps' = 0: ``v - V (a / s)``).
    ``1 / ||r(mu)||`` is concave increasing in mu (the trust-region secular equation), so
    Newton's method from mu = 0 converges monotonically. The part of y outside the range of
    X, ``y_perp``, is a residual no w removes: ``eps'^2 = eps^2 - ||y_perp||^2``, and a radius
    below ``||y_perp||`` (e.g. eps = 0 with noise and n > p) is raised to it
    (``self.eps``, the radius actually used, then equals ``||y_perp||``).
    """

    def __init__(self, X, y, eps, svd=None):
        U, s, Vt = np.linalg.svd(X, full_matrices=False) if svd is None else svd
        rank = int(np.sum(s > s[0] * max(X.shape) * np.finfo(float).eps)) if s.size else 0
        if rank == 0:
            raise ValueError("X is zero")
        U, s, Vt = U[:, :rank], s[:rank], Vt[:rank]
        Uty = U.T @ y
        perp = float(np.linalg.norm(y - U @ Uty)) if rank < X.shape[0] else 0.0
        if perp <= 1e-10 * np.linalg.norm(y):
            perp = 0.0
        self.U, self.s, self.Vt, self.Uty = U, s, Vt, Uty
        self.eps = max(float(eps), perp)
        self.eps_range = float(np.sqrt(max(self.eps**2 - perp**2, 0.0)))

    def dual(self, v):
        """Least-squares ``nu`` of ``X^T nu = v``: ``U diag(1/s) V^T v``."""
        return self.U @ ((self.Vt @ v) / self.s)

    def __call__(self, v):
        a = (self.Vt @ v) * self.s - self.Uty
        if self.eps_range == 0.0:
            return v - (a / self.s) @ self.Vt
        if np.linalg.norm(a) <= self.eps_range:
            return v
        s2, mu, eps = self.s**2, 0.0, self.eps_range
        for _ in range(50):
            r = a / (1.0 + mu * s2)
            nr = np.linalg.norm(r)
            g = 1.0 / nr - 1.0 / eps
            if g >= -1e-12 / eps:
                break
            mu -= g / (np.sum(r * r * s2 / (1.0 + mu * s2)) / nr**3)
        return v - (mu * self.s / (1.0 + mu * s2) * a) @ self.Vt


def group_basis_pursuit(
    X: np.ndarray, y: np.ndarray, groups=1, *, weights=None, eps: float = 0.0,
    tol: float = 1e-8, max_iter: int = 20000, w0=None, svd=None,
) -> Certificate:  # fmt: skip
    """``min sum_l c_l ||w_l||_2  s.t.  ||X w - y||_2 <= eps`` by ADMM.

    Splitting ``w = z`` between ``f = indicator(C)`` (projection :class:`_ConstraintProjector`)
    and ``g(z) = sum_l c_l ||z_l||`` (prox: group soft thresholding)::

        w <- P_C(z - u),   z <- prox_{g / rho}(w + u),   u <- u + w - z,

    with ``rho`` rebalanced every 50 iterations (Boyd et al. 2011, Sec. 3.4.1). At a solution
    ``rho u`` is in ``dg(z)`` and ``-rho u`` in the normal cone of C, a range of ``X^T``: the
    dual vector is the least-squares ``nu`` of ``X^T nu = rho u``. Stops when the certified
    relative gap ``(primal - dual) / primal`` and ``||X z - y|| - eps`` (relative to
    ``||y||``) are both below ``tol``, checked every 25 iterations.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    y : ndarray of shape (n,)
    groups : group size, list of sizes or contiguous labels (see ``group_structure``)
    weights : ndarray of shape (L,), default ``sqrt(p_l)``
    eps : float, default=0
    tol : float, default=1e-8
    max_iter : int, default=20000
    w0 : ndarray of shape (p,), optional warm start
    svd : tuple, optional
        ``np.linalg.svd(X, full_matrices=False)``, to reuse across calls on one X.

    Returns
    -------
    Certificate with ``coef = z`` (exactly group sparse); ``extra["radius"]`` is the radius
    used (raised to the least-squares residual when eps is below it, see
    :class:`_ConstraintProjector`).
    """
    n, p = X.shape
    ops = GroupOps(*group_structure(groups, p))
    c = np.sqrt(ops.sizes).astype(float) if weights is None else np.asarray(weights, dtype=float)
    if c.shape != (ops.n_groups,) or np.any(c <= 0):
        raise ValueError(f"weights must be {ops.n_groups} positive numbers, got shape {c.shape}")
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    ynorm = float(np.linalg.norm(y))
    if ynorm <= eps:
        zero = np.zeros(p)
        return _dual_certificate(X, y, np.zeros(n), zero, c, ops, eps, True, 0, radius=eps)
    project = _ConstraintProjector(X, y, eps, svd)
    eps = project.eps
    # Scale: the group norms of the least-norm solution set rho ~ c_l / ||w_l||.
    z = project(np.zeros(p)) if w0 is None else np.asarray(w0, dtype=float).copy()
    rho = float(np.mean(c) / max(np.mean(ops.norm(z[None])[0]), np.finfo(float).tiny))
    u = np.zeros(p)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        w = project(z - u)
        v = (w + u)[None]
        nv = ops.norm(v)
        shrink = np.maximum(0.0, 1.0 - (c / rho)[None] / np.where(nv > 0, nv, 1.0))
        z_old = z
        z = (ops.expand(shrink) * v)[0]
        u += w - z
        if it % 25 == 0:
            cert = _dual_certificate(X, y, project.dual(rho * u), z, c, ops, eps, False, it)
            if cert.gap <= tol * max(cert.primal_value, 1e-300) and cert.residual <= tol * ynorm:
                converged = True
                break
        if it % 50 == 0:
            r_pri = np.linalg.norm(w - z)
            r_dual = rho * np.linalg.norm(z - z_old)
            if r_pri > 10 * r_dual:
                rho *= 2.0
                u /= 2.0
            elif r_dual > 10 * r_pri:
                rho /= 2.0
                u *= 2.0
    return _dual_certificate(X, y, project.dual(rho * u), z, c, ops, eps, converged, it, rho=rho,
                             radius=eps)  # fmt: skip
