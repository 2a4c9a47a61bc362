"""Group basis pursuit: the convex reference for noiseless recovery (the mixed l2/l1
program of Eldar & Mishali 2009, "Robust recovery of signals from a structured union of
subspaces"; the constrained form of van den Berg & Friedlander's BPDN).

    min_w  sum_l sqrt(p_l) ||w_l||_2   s.t.   ||X w - y||_2 <= eps_k,

solved by :func:`gsbench.methods.convex.group_basis_pursuit` (ADMM with a dual certificate). A
method never sees sigma, so eps is swept as a path like the penalty of every path method:
``eps_k = ratio_k * ||y||`` over ``eps_ratios`` (largest first, each solve warm-started at
the previous one), and the oracle/validation selection picks among them. The default path
``(0.3, 0.1, 0.03, 0.01, 0)`` ends with eps = 0, the equality-constrained program
``X w = y`` (the noiseless reference); with noise sigma the right value is about
``sigma sqrt(n) / ||y||``. ``eps_ratios=[0]`` is the pure noiseless program.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import MAX_ITER_CONSTRAINT, PATH_PATIENCE, PATH_PATIENCE_CONSTRAINT, PathRegressor
from .convex import group_basis_pursuit


class GroupBasisPursuit(PathRegressor):
    """Group basis pursuit (weights ``sqrt(p_l)``), path over the constraint radius.

    Parameters
    ----------
    groups : int or array-like
    eps_ratios : list of float, default=(0.3, 0.1, 0.03, 0.01, 0.0)
        Constraint radii relative to ``||y||``, each in [0, 1).
    tol : float, default=1e-6
        Relative duality gap and feasibility tolerance of the ADMM solver.
    max_iter : int, default=5000
        ADMM iterations per radius; ``resolved["converged"]`` is 1.0 when every radius met
        ``tol``; ``resolved["max_gap"]`` is the largest certified relative gap.
    path_patience : int or None, default=3
        With a validation set, end the path once the validation loss has not decreased for
        this many consecutive path values (the rule of every path method,
        :class:`gsbench.methods._base.PathPatience`). None: the whole path.
    """

    name = "group_bp"
    description = "group basis pursuit min sum sqrt(p_l)||w_l|| s.t. ||Xw-y|| <= eps (eps path)"
    presets = {}
    _parameter_constraints = {
        "groups": ["array-like", Interval(Integral, 1, None, closed="left")],
        "eps_ratios": ["array-like"],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": MAX_ITER_CONSTRAINT,
        "path_patience": PATH_PATIENCE_CONSTRAINT,
    }

    def __init__(self, groups=1, *, eps_ratios=(0.3, 0.1, 0.03, 0.01, 0.0), tol=1e-6,
                 max_iter=5000, path_patience=PATH_PATIENCE):  # fmt: skip
        self.groups = groups
        self.eps_ratios = eps_ratios
        self.tol = tol
        self.max_iter = max_iter
        self.path_patience = path_patience

    def _validate(self) -> None:
        super()._validate()
        r = np.asarray(self.eps_ratios, dtype=float)
        if r.ndim != 1 or r.size == 0 or not np.all((r >= 0) & (r < 1)):
            raise ValueError(f"eps_ratios must be a non-empty list of values in [0, 1), got "
                             f"{[float(x) for x in np.ravel(self.eps_ratios)]}")  # fmt: skip

    def _path(self, X, y, ops, stop=None):
        ratios = np.sort(np.asarray(self.eps_ratios, dtype=float))[::-1]
        ynorm = float(np.linalg.norm(y))
        coefs = np.empty((ratios.size, X.shape[1]))
        w, converged, max_gap = None, True, 0.0
        svd = np.linalg.svd(X, full_matrices=False)
        for k, ratio in enumerate(ratios):
            cert = group_basis_pursuit(X, y, ops.sizes, eps=ratio * ynorm, tol=self.tol,
                                       max_iter=self.max_iter, w0=w, svd=svd)  # fmt: skip
            w = coefs[k] = cert.coef
            converged &= cert.converged
            max_gap = max(max_gap, cert.gap / max(cert.primal_value, np.finfo(float).tiny))
            if stop is not None and stop.update(w)[0]:
                coefs = coefs[: k + 1]
                break
        return coefs, {"eps_max": float(ratios[0] * ynorm), "converged": float(converged),
                       "max_gap": float(max_gap)}  # fmt: skip
