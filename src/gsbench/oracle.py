r"""The physical floor of a noisy problem: least squares on the true support.

Knowing the support :math:`S` (:math:`k = |S|` entries), the best a method can do is the
least-squares fit on those columns,

.. math::

    \hat w_S = (X_S^\top X_S)^{-1} X_S^\top y, \qquad \hat w_{S^c} = 0,

whose error is :math:`\hat w_S - w^\star_S = (X_S^\top X_S)^{-1} X_S^\top \xi`, so for a
fixed design :math:`\mathbb E\lVert \hat w - w^\star\rVert^2 = \sigma^2
\operatorname{tr}(X_S^\top X_S)^{-1}`, and for a design with i.i.d. N(0, 1) entries
(:math:`X_S^\top X_S` Wishart) :math:`\mathbb E\operatorname{tr}(X_S^\top X_S)^{-1} =
k/(n - k - 1)`: the floor :math:`\sigma^2 k/(n - k - 1)`, :math:`n > k + 1`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["oracle_least_squares", "oracle_floor_gaussian", "oracle_floor_fixed"]


def oracle_least_squares(X: np.ndarray, y: np.ndarray, support: np.ndarray) -> np.ndarray:
    """Least squares on the columns ``support`` (a boolean mask or indices), zero elsewhere.

    ``X`` of shape (n, p) or a stack (B, n, p) with ``y`` of shape (n,) or (B, n); the
    support is shared.  Needs ``X[..., support]`` of full column rank.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    cols = np.flatnonzero(np.asarray(support)) if np.asarray(support).dtype == bool else np.asarray(
        support, dtype=int)
    Xs = X[..., cols]
    gram = np.swapaxes(Xs, -1, -2) @ Xs
    coef = np.linalg.solve(gram, (np.swapaxes(Xs, -1, -2) @ y[..., None]))[..., 0]
    w = np.zeros(X.shape[:-2] + (X.shape[-1],))
    w[..., cols] = coef
    return w


def oracle_floor_fixed(X: np.ndarray, support, sigma: float) -> float:
    r""":math:`\sigma^2\operatorname{tr}(X_S^\top X_S)^{-1}`: the oracle's expected squared error
    for this design."""
    Xs = np.asarray(X, dtype=float)[:, np.asarray(support)]
    return float(sigma**2 * np.trace(np.linalg.inv(Xs.T @ Xs)))


def oracle_floor_gaussian(sigma, k, n):
    r""":math:`\sigma^2 k / (n - k - 1)`: the oracle's expected squared error over Gaussian
    designs (NaN where :math:`n \le k + 1`)."""
    sigma, k, n = (np.asarray(v, dtype=float) for v in (sigma, k, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(n > k + 1, sigma**2 * k / (n - k - 1), np.nan)
    return out if out.ndim else float(out)
