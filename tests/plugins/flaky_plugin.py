"""Test plugin: raises on the smallest n, diverges on some trials and on every trial of the
16-entry signals (so that one setting has no ok trial at all), else least squares."""

import numpy as np

from gsbench.methods import FitResult, GroupSparseRegressor, register

ALL_DIVERGE_ENTRIES = 16


class Flaky(GroupSparseRegressor):
    name = "flaky"
    description = "fails or diverges on purpose (test plugin)"
    _parameter_constraints = {"groups": ["array-like", int]}

    def __init__(self, groups=1):
        self.groups = groups

    def _fit_batch(self, X, y, X_val, y_val, w_star, ops):
        B, n, p = X.shape
        if n == 8:
            raise RuntimeError("boom on n=8")
        out = []
        for b in range(B):
            w = np.linalg.lstsq(X[b], y[b], rcond=None)[0]
            res = FitResult(w, w, w, 0, 0, 1)
            if y[b, 0] > 0 or np.count_nonzero(w_star[b]) == ALL_DIVERGE_ENTRIES:
                res.status, res.message = "diverged", "diverged on purpose"
                res.coef_final = np.full(p, np.nan)
            out.append(res)
        return out


register("flaky", Flaky)
