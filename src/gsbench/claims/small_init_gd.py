r"""Plain gradient descent on DGLNN from a data-independent small initialisation (claim 7).

The model is ``w = (D u)^2 ⊙ v`` (one magnitude ``u_l`` and one direction ``v_l`` per
group), the loss ``L(u, v) = ||y - X w||^2 / (2n)``. With ``G = X^T X / n``,
``b = X^T y / n`` and ``h = b - G w = -grad_w L``, one step of plain gradient descent
(both blocks from the same iterate) is

.. math::

    u \leftarrow u + 2\eta\, u \odot D^\top (v \odot h), \qquad
    v \leftarrow v + \eta\, (D u)^{\circ 2} \odot h .

Initialisation (independent of the data): ``u(0) = alpha 1_L`` and
``v_l(0) = alpha / sqrt(2) d`` for one fixed unit vector ``d`` in R^g, the balanced start of
the paper's Section 3 (``||v_l||^2 = u_l^2 / 2``; Lemma 2 keeps ``u_l^2 / 2 - ||v_l||^2``
constant along the flow). Nothing is normalised, so this is the small-initialisation flow
(discretised) whose limit as alpha -> 0 is the implicit bias in question. Its escape from
alpha takes a time of order ``1 / alpha`` (``w`` is cubic in the parameters), hence budgets
growing like ``1/alpha``.

Step ``eta = c / (lambda_max(G) S^(4/3))`` per problem, ``S = max_l ||b_l||`` (a data
estimate of the largest group norm; near the end ``u_l^4 ~ (sqrt 2 ||w_l||)^(4/3)`` sets the
curvature). The step only discretises the flow: halving it leaves the final iterates
unchanged to the precision reported (tests/unit/test_small_init_gd.py).

Every (problem, alpha) pair runs in one NumPy batch (arrays of shape (B, K, ...)); an alpha
leaves the batch once its last checkpoint is recorded.
"""

from __future__ import annotations

import numpy as np

__all__ = ["init_direction", "small_init_gd"]


def init_direction(group_size: int, kind: str = "random", seed: int = 0) -> np.ndarray:
    """The fixed unit direction ``d`` of every ``v_l(0)``: ``"ones"`` (``1_g / sqrt g``) or
    ``"random"`` (a standard normal draw with ``seed``, normalised; independent of the data)."""
    if kind == "ones":
        d = np.ones(int(group_size))
    elif kind == "random":
        d = np.random.default_rng(int(seed)).standard_normal(int(group_size))
    else:
        raise ValueError(f"init direction kind must be 'ones' or 'random', got {kind!r}")
    return d / np.linalg.norm(d)


def _steps(u, v, G, b, step, iters: int) -> None:
    """``iters`` gradient steps in place on u (B, K, L) and v (B, K, L, g)."""
    B, K, L, g = v.shape
    u2 = np.empty_like(u)
    w = np.empty_like(v)
    h = np.empty((B, K, L * g))
    tmp = np.empty_like(v)
    vh = np.empty_like(u)
    h4 = h.reshape(B, K, L, g)
    w2 = w.reshape(B, K, L * g)
    two_step = 2.0 * step
    step4 = step[..., None]
    for _ in range(int(iters)):
        np.multiply(u, u, out=u2)
        np.multiply(u2[..., None], v, out=w)
        np.matmul(w2, G, out=h)
        np.subtract(b, h, out=h)  # h = X^T r / n = -grad_w L
        np.multiply(v, h4, out=tmp)
        tmp.sum(axis=-1, out=vh)
        vh *= u
        vh *= two_step
        np.multiply(u2[..., None], h4, out=tmp)
        tmp *= step4
        u += vh
        v += tmp


def small_init_gd(X: np.ndarray, y: np.ndarray, group_size: int, alphas, budgets, *,
                  direction: np.ndarray, step_factor: float = 0.3) -> dict:
    """Gradient descent (module docstring) from ``alpha`` for each of K alphas on B problems,
    recording the iterate after ``budgets[k]`` and after ``2 budgets[k]`` iterations.

    Parameters
    ----------
    X : ndarray of shape (B, n, p)
    y : ndarray of shape (B, n)
    group_size : int
        g, dividing p; groups are contiguous.
    alphas : array-like of shape (K,)
        Initial scales.
    budgets : array-like of shape (K,)
        Iterations T_k of alpha k (the checkpoints are T_k and 2 T_k).
    direction : ndarray of shape (g,)
        Unit direction d of ``v_l(0)`` (:func:`init_direction`).
    step_factor : float, default 0.3
        c in ``eta = c / (lambda_max(X^T X / n) S^(4/3))``.

    Returns
    -------
    dict with ``coef`` (B, K, 2, p): the iterates at T_k and 2 T_k; ``residual`` (B, K, 2):
    ``||X w - y|| / ||y||`` there; ``u`` (B, K, L) and ``v`` (B, K, p) after 2 T_k;
    ``step`` (B,).

    Raises
    ------
    ValueError
        Naming the shapes when X, y, alphas, budgets or direction do not fit, or g does not
        divide p.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    alphas = np.asarray(alphas, dtype=float)
    budgets = np.asarray(budgets, dtype=np.int64)
    direction = np.asarray(direction, dtype=float)
    if X.ndim != 3 or y.shape != X.shape[:2]:
        raise ValueError(f"small_init_gd needs X (B, n, p) and y (B, n), got {X.shape} and {y.shape}")
    B, n, p = X.shape
    g = int(group_size)
    if g < 1 or p % g:
        raise ValueError(f"small_init_gd: group_size={group_size} must divide p={p}")
    if alphas.ndim != 1 or budgets.shape != alphas.shape or np.any(alphas <= 0) or np.any(budgets < 1):
        raise ValueError(f"small_init_gd needs positive alphas and budgets of one shape (K,), "
                         f"got {alphas.shape} and {budgets.shape}")
    if direction.shape != (g,):
        raise ValueError(f"small_init_gd: direction must have shape ({g},), got {direction.shape}")
    L, K = p // g, alphas.size
    G = X.transpose(0, 2, 1) @ X / n
    b = np.einsum("bnp,bn->bp", X, y) / n
    S = np.sqrt((b.reshape(B, L, g) ** 2).sum(-1)).max(-1)
    lam = np.linalg.eigvalsh(G)[:, -1]
    step = step_factor / (lam * np.maximum(S, 1e-300) ** (4.0 / 3.0))
    u = np.broadcast_to(alphas[None, :, None], (B, K, L)).copy()
    v = np.broadcast_to(alphas[None, :, None, None] / np.sqrt(2.0) * direction, (B, K, L, g)).copy()
    coef = np.full((B, K, 2, p), np.nan)
    residual = np.full((B, K, 2), np.nan)
    ynorm = np.maximum(np.linalg.norm(y, axis=1), 1e-300)
    marks = np.stack([budgets, 2 * budgets], axis=1)  # (K, 2)
    t = 0
    for t_next in np.unique(marks):
        act = np.flatnonzero(marks[:, 1] > t)  # alphas not yet finished
        uu, vv = u[:, act], v[:, act]
        _steps(uu, vv, G, np.broadcast_to(b[:, None, :], (B, act.size, p)),
               np.broadcast_to(step[:, None, None], (B, act.size, L)), int(t_next - t))
        u[:, act], v[:, act] = uu, vv
        t = int(t_next)
        for k, j in zip(*np.nonzero(marks == t)):
            w = (u[:, k, :, None] ** 2 * v[:, k]).reshape(B, p)
            coef[:, k, j] = w
            residual[:, k, j] = np.linalg.norm(np.einsum("bnp,bp->bn", X, w) - y, axis=1) / ynorm
    return {"coef": coef, "residual": residual, "u": u, "v": v.reshape(B, K, p), "step": step}
