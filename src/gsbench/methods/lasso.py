"""Lasso over a regularisation path (the explicit counterpart of ``hadamard``).

    min_w  ||y - X w||^2 / (2n) + lambda ||w||_1,

solved by scikit-learn's coordinate descent (``sklearn.linear_model.lasso_path``) on
``lambda_k = lambda_max * ratio^(k/(K-1))`` with ``lambda_max = ||X^T y||_inf / n``.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import lasso_path
from sklearn.utils._param_validation import Interval

from ._base import MAX_ITER_CONSTRAINT, PATH_PATIENCE, PATH_PATIENCE_CONSTRAINT, PathRegressor


class LassoPath(PathRegressor):
    """Lasso over a warm-started path of ``n_lambdas`` values.

    Parameters
    ----------
    groups : ignored by the fit (used by callers for group-level support metrics).
    n_lambdas : int, default=20
    lambda_ratio : float, default=1e-3
        ``lambda_min / lambda_max``.
    tol : float, default=1e-6
        Coordinate-descent tolerance (scikit-learn's duality-gap criterion).
    max_iter : int, default=5000
        Coordinate-descent epochs per path value; whether the tolerance was met at every
        path value is ``FitResult.converged`` (scikit-learn's ``ConvergenceWarning`` is
        caught for that, never silenced process-wide).
    path_patience : int or None, default=3
        With a validation set, end the path once the validation loss has not decreased for
        this many consecutive path values (the rule of every path method,
        :class:`gsbench.methods._base.PathPatience`). None: the whole path.
    """

    name = "lasso"
    description = "lasso (scikit-learn coordinate descent) over a warm-started lambda path"
    presets = {}
    _parameter_constraints = {
        "groups": ["array-like", Interval(Integral, 1, None, closed="left")],
        "n_lambdas": [Interval(Integral, 1, None, closed="left")],
        "lambda_ratio": [Interval(Real, 0, 1, closed="neither")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": MAX_ITER_CONSTRAINT,
        "path_patience": PATH_PATIENCE_CONSTRAINT,
    }

    def __init__(self, groups=1, *, n_lambdas=20, lambda_ratio=1e-3, tol=1e-6, max_iter=5000,
                 path_patience=PATH_PATIENCE):  # fmt: skip
        self.groups = groups
        self.n_lambdas = n_lambdas
        self.lambda_ratio = lambda_ratio
        self.tol = tol
        self.max_iter = max_iter
        self.path_patience = path_patience

    def _path(self, X, y, ops, stop=None):
        lmax = float(np.max(np.abs(X.T @ y)) / X.shape[0])
        lambdas = lmax * np.geomspace(1.0, self.lambda_ratio, self.n_lambdas)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            if stop is None:
                _, coefs, _ = lasso_path(X, y, alphas=lambdas, tol=self.tol,
                                         max_iter=self.max_iter)  # fmt: skip
                coefs = coefs.T.copy()
            else:  # one value at a time, warm-started as lasso_path does
                path, w = [], None
                for lam in lambdas:
                    init = None if w is None else w.copy()  # updated in place by the solver
                    w = lasso_path(X, y, alphas=[lam], tol=self.tol, max_iter=self.max_iter,
                                   coef_init=init)[1][:, 0].copy()  # fmt: skip
                    path.append(w)
                    if stop.update(w)[0]:
                        break
                coefs = np.array(path)
        converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        return coefs, {"lambda_max": lmax, "converged": float(converged)}
