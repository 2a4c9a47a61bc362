"""Group orthogonal matching pursuit (Lozano, Swirszcz & Abe 2009; Eldar, Kuppinger &
Boelcskei 2010 "block OMP").

Greedy: starting from ``S = {}``, ``r = y``, repeat

    l* = argmax_{l not in S} ||X_l^T r||_2 / sqrt(p_l),    S <- S + {l*},
    w_S = argmin ||y - X_S w_S||^2  (least squares on the selected columns),  r = y - X w,

so ``X_S^T r = 0`` after every step (the normal equations). The path is the number of
selected groups k = 1, 2, ..., K; it stops early when the selected columns reach n or the
residual vanishes (``||r|| <= 1e-12 ||y||``).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import PATH_PATIENCE, PATH_PATIENCE_CONSTRAINT, PathRegressor


def group_omp_path(X, y, ops, max_groups: int, stop=None) -> np.ndarray:
    """Group-OMP solutions with 1..K groups; returns coefs of shape (K, p), K <= max_groups
    (fewer when ``stop``, a :class:`~gsbench.methods._base.PathPatience`, ends the path)."""
    n, p = X.shape
    sqrt_sizes = np.sqrt(ops.sizes)
    selected = np.zeros(ops.n_groups, dtype=bool)
    r, ynorm = y.copy(), np.linalg.norm(y)
    coefs = []
    for _ in range(min(max_groups, ops.n_groups)):
        score = ops.norm((X.T @ r)[None])[0] / sqrt_sizes
        score[selected] = -np.inf
        best = int(np.argmax(score))
        if selected[ops.labels].sum() + ops.sizes[best] > n:
            break
        selected[best] = True
        cols = selected[ops.labels]
        w = np.zeros(p)
        w[cols] = np.linalg.lstsq(X[:, cols], y, rcond=None)[0]
        r = y - X @ w
        coefs.append(w)
        if np.linalg.norm(r) <= 1e-12 * ynorm or (stop is not None and stop.update(w)[0]):
            break
    if not coefs:
        return np.zeros((1, p))
    return np.array(coefs)


class GroupOMP(PathRegressor):
    """Group OMP; path = number of selected groups (1 .. ``max_groups``).

    Parameters
    ----------
    groups : int or array-like
    max_groups : int or None, default=None
        Longest path; ``None``: until the selected columns would exceed n.
    path_patience : int or None, default=3
        With a validation set, end the path once the validation loss has not decreased for
        this many consecutive path values (the rule of every path method,
        :class:`gsbench.methods._base.PathPatience`). None: the whole path.
    """

    name = "group_omp"
    description = "group orthogonal matching pursuit, path over the number of selected groups"
    presets = {}
    _parameter_constraints = {
        "groups": ["array-like", Interval(Integral, 1, None, closed="left")],
        "max_groups": [Interval(Integral, 1, None, closed="left"), None],
        "path_patience": PATH_PATIENCE_CONSTRAINT,
    }

    def __init__(self, groups=1, *, max_groups=None, path_patience=PATH_PATIENCE):
        self.groups = groups
        self.max_groups = max_groups
        self.path_patience = path_patience

    def _path(self, X, y, ops, stop=None):
        k = ops.n_groups if self.max_groups is None else int(self.max_groups)
        coefs = group_omp_path(X, y, ops, k, stop)
        return coefs, {"max_groups": float(coefs.shape[0]), "converged": 1.0}
