"""Convex reference solutions for the implicit-bias claims: minimum-ℓ1 and minimum-group-ℓ1,2
interpolants.

* :func:`basis_pursuit`: ``min ||w||_1  s.t.  X w = y`` as a linear program
  (``w = a - b``, ``a, b >= 0``, ``min 1^T (a + b)``), solved by HiGHS through
  :func:`scipy.optimize.linprog`.
* :func:`group_basis_pursuit`: ``min sum_l c_l ||w_l||_2  s.t.  X w = y`` (a second-order
  cone program) by ADMM on ``f(z) + I_A(w)``, ``w = z``, with ``A = {w : X w = y}``::

      w <- P_A(z - u),   z <- prox_{f/rho}(w + u),   u <- u + w - z

  where ``P_A(v) = v - X^T (X X^T)^{-1} (X v - y)`` and ``prox`` is group soft-thresholding
  at ``c_l / rho``. It returns an optimality certificate from the dual
  ``max y^T nu  s.t.  ||X_l^T nu||_2 <= c_l``: ``nu`` is the least-squares solution of
  ``X^T nu = rho u`` (at the optimum ``rho u`` is a subgradient of ``f`` in the row space of
  X), scaled to be dual feasible; ``gap = f(w) - y^T nu >= 0`` bounds the suboptimality of
  the (exactly feasible) returned ``w``.

ADMM converges fast on genuinely grouped problems; with groups of size 1 (plain ℓ1, a linear
program) it is slow (ℓ1 objective off by ~1e-4 after 20000 iterations): use
:func:`basis_pursuit` there.

These are the references the claims compare gradient descent's final iterates against; the
shared solver module ``gsbench.convex`` may replace them (same signatures).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog


class ConvexSolverError(RuntimeError):
    """The LP/SOCP solver failed (message names the problem's shape and the solver status)."""


def basis_pursuit(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The minimum-ℓ1 interpolant ``argmin ||w||_1 s.t. X w = y``.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    y : ndarray of shape (n,)

    Returns
    -------
    w : ndarray of shape (p,)

    Raises
    ------
    ValueError
        On mismatched shapes.
    ConvexSolverError
        If HiGHS reports no optimal solution (e.g. ``X w = y`` infeasible).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"basis_pursuit needs X (n, p) and y (n,), got {X.shape} and {y.shape}")
    n, p = X.shape
    res = linprog(np.ones(2 * p), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None),
                  method="highs")
    if res.status != 0:
        raise ConvexSolverError(f"basis pursuit on X {X.shape}: HiGHS status {res.status} "
                                f"({res.message})")
    return res.x[:p] - res.x[p:]


def _group_norms(w: np.ndarray, labels: np.ndarray, L: int) -> np.ndarray:
    return np.sqrt(np.bincount(labels, weights=w * w, minlength=L))


def group_basis_pursuit(
    X: np.ndarray, y: np.ndarray, groups, weights=None, *, tol: float = 1e-8,
    max_iter: int = 50000, rho: float | None = None,
) -> tuple[np.ndarray, dict]:
    """The minimum group-ℓ1,2 interpolant ``argmin sum_l c_l ||w_l||_2 s.t. X w = y``.

    Parameters
    ----------
    X : ndarray of shape (n, p), full row rank (n <= p)
    y : ndarray of shape (n,)
    groups : ndarray of shape (p,)
        Group label of each feature, 0..L-1.
    weights : ndarray of shape (L,), optional
        ``c_l > 0`` (default 1 for every group).
    tol : float, default=1e-8
        Stop when the duality gap is below ``tol * max(1, f(w))``.
    max_iter : int, default=50000
    rho : float, optional
        ADMM penalty; default ``mean(c) / max(1, ||w_ls||_inf)`` from the least-norm
        interpolant ``w_ls``, adapted by residual balancing.

    Returns
    -------
    w : ndarray of shape (p,)
        Exactly feasible (projected onto ``X w = y``).
    certificate : dict
        ``nu`` (n,), ``dual_max_ratio`` = ``max_l ||X_l^T nu_raw||_2 / c_l`` before scaling
        (1 at an exact optimum), ``primal`` ``f(w)``, ``dual`` ``y^T nu``, ``gap``,
        ``relative_gap`` = gap / max(1, f(w)), ``residual`` ``||X w - y||``, ``iterations``,
        ``converged`` (relative gap <= tol).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    labels = np.asarray(groups, dtype=int)
    n, p = X.shape if X.ndim == 2 else (None, None)
    if X.ndim != 2 or y.shape != (n,) or labels.shape != (p,):
        raise ValueError(f"group_basis_pursuit needs X (n, p), y (n,), groups (p,), got "
                         f"{X.shape}, {y.shape}, {labels.shape}")
    L = int(labels.max()) + 1
    c = np.ones(L) if weights is None else np.asarray(weights, dtype=float)
    if c.shape != (L,) or not np.all(c > 0):
        raise ValueError(f"weights must be {L} positive numbers, got shape {c.shape}")
    gram = X @ X.T
    try:
        chol = np.linalg.cholesky(gram)
    except np.linalg.LinAlgError:
        raise ConvexSolverError(f"group basis pursuit: X {X.shape} is not of full row rank") from None

    def solve(b):  # (X X^T)^{-1} b
        return np.linalg.solve(chol.T, np.linalg.solve(chol, b))

    def project(v):
        return v - X.T @ solve(X @ v - y)

    def f(w):
        return float(c @ _group_norms(w, labels, L))

    c_feat = c[labels]
    w = X.T @ solve(y)  # least-norm interpolant
    rho = float(rho) if rho is not None else float(np.mean(c) / max(1.0, np.abs(w).max()))
    z = w.copy()
    u = np.zeros(p)
    cert: dict = {}
    it = 0
    for it in range(1, max_iter + 1):
        w = project(z - u)
        v = w + u
        norms = _group_norms(v, labels, L)[labels]
        shrink = np.maximum(0.0, 1.0 - c_feat / (rho * np.maximum(norms, 1e-300)))
        z_old, z = z, shrink * v
        u += w - z
        if it % 25 == 0 or it == max_iter:
            r = np.linalg.norm(w - z)
            s = rho * np.linalg.norm(z - z_old)
            cert = _certificate(X, y, project(z), rho * u, labels, L, c, solve, f)
            if cert["relative_gap"] <= tol:
                break
            if r > 10 * s:  # residual balancing; u is the scaled dual, rescale with rho
                rho, u = rho * 2, u / 2
            elif s > 10 * r:
                rho, u = rho / 2, u * 2
    w = project(z)
    cert = _certificate(X, y, w, rho * u, labels, L, c, solve, f)
    cert["iterations"] = it
    cert["converged"] = bool(cert["relative_gap"] <= tol)
    return w, cert


def _certificate(X, y, w, g, labels, L, c, solve, f) -> dict:
    nu = solve(X @ g)  # least squares X^T nu ~ g
    ratio = float(np.max(_group_norms(X.T @ nu, labels, L) / c))
    nu_feasible = nu / ratio if ratio > 0 else nu  # the scaling that touches the constraint
    primal = f(w)
    dual = float(y @ nu_feasible)
    gap = primal - dual
    return {"nu": nu_feasible, "dual_max_ratio": ratio, "primal": primal, "dual": dual,
            "gap": gap, "relative_gap": gap / max(1.0, primal),
            "residual": float(np.linalg.norm(X @ w - y))}
