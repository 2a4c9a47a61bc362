"""What every gsbench method shares: the scikit-learn estimator surface, the result of one
fit, group bookkeeping and data-derived scales.

A method is a scikit-learn regressor whose ``fit_batch`` fits B independent problems of the
same shape (stacked arrays) and returns one :class:`FitResult` per problem; ``fit`` is
``fit_batch`` with B = 1. Every method reports three estimates of w*:

* the **oracle-stopped** one, least ``||w_t - w*||`` along the path (needs ``w_star``);
* the **validation-stopped** one, least validation loss ``||y_val - X_val w_t||^2 / n_val``
  (what a practitioner can use);
* the **final** one, the last iterate or the last value of the regularisation path.

Path methods share one stopping rule (``path_patience``, :class:`PathPatience`): with a
validation set, a path ends once its validation loss ``||y_val - X_val w_k||^2`` has not
decreased for ``path_patience`` consecutive path values; the values after it are not fitted.
The iterative methods' rules are in ``gsbench.methods._iterative``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import Interval, validate_parameter_constraints
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..results_schema import STATUS_DIVERGED, STATUS_FAILED, STATUS_OK
from ._design import matvec, rmatvec


@dataclass
class FitResult:
    """The outcome of fitting one problem.

    Attributes
    ----------
    coef_oracle, coef_validation, coef_final : ndarray of shape (p,)
        The three estimates (NaN where not available, e.g. the final iterate of a
        diverged run).
    oracle_iteration, stop_iteration : int
        Iteration (or path index) of the oracle- and validation-stopped estimates.
    iterations : int
        Iterations run (or path values fitted).
    status : {"ok", "diverged", "failed"}
    message : str
        Why the run diverged or failed; empty when ok.
    seconds : float
        Wall time of the fit (a batch's time shared equally between its problems).
    resolved : dict
        Data-derived hyperparameters as used (e.g. the step size from ``||X^T y||_inf / n``).
    extra : dict
        Method-specific scalars (e.g. ``switch_iteration`` of Algorithm 2).
    path : dict of ndarray
        ``iteration`` and per-record quantities (``oracle_error``, ``val_loss``, ...).
    converged : bool
        The fit met its method's stopping criterion rather than running out of budget:
        iterative methods, ended by one of the stopping rules (oracle and validation minima
        settled, training loss interpolating or stalled; see ``_iterative``) before or at
        ``max_iter``; path methods, the solver's tolerance met at every fitted path value
        (a path ended by ``path_patience`` is converged when its fitted values are).
    """

    coef_oracle: np.ndarray
    coef_validation: np.ndarray
    coef_final: np.ndarray
    oracle_iteration: int
    stop_iteration: int
    iterations: int
    status: str = STATUS_OK
    message: str = ""
    seconds: float = float("nan")
    resolved: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    path: dict = field(default_factory=dict)
    converged: bool = False

    @classmethod
    def failure(cls, p: int, message: str, seconds: float = float("nan")) -> "FitResult":
        nan = np.full(p, np.nan)
        return cls(nan, nan, nan, -1, -1, 0, STATUS_FAILED, message, seconds)


def group_structure(groups, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels and sizes of contiguous groups.

    ``groups`` is a group size (int dividing p), a list of sizes summing to p, or an array
    of p labels that are contiguous and sorted (0, 0, 1, 1, 1, 2, ...).
    Returns ``(labels of shape (p,), sizes of shape (L,))``.
    """
    if groups is None:
        return np.arange(p), np.ones(p, dtype=int)
    arr = np.asarray(groups)
    if arr.ndim == 0:
        g = int(arr)
        if g <= 0 or p % g:
            raise ValueError(f"groups={g} must be a positive group size dividing p={p}")
        return np.repeat(np.arange(p // g), g), np.full(p // g, g)
    arr = arr.astype(int)
    if arr.shape == (p,) and arr[0] == 0 and np.all(np.diff(arr) >= 0) and np.all(
        np.diff(arr) <= 1
    ):
        return arr, np.bincount(arr)
    if arr.sum() == p and np.all(arr > 0):
        return np.repeat(np.arange(arr.size), arr), arr
    raise ValueError(
        f"groups of shape {arr.shape} are neither sizes summing to p={p} nor p contiguous "
        "sorted labels"
    )


class GroupOps:
    """Vectorised group reductions for contiguous groups over a batch, shapes (B, p) <-> (B, L)."""

    def __init__(self, labels: np.ndarray, sizes: np.ndarray):
        self.labels = labels
        self.sizes = sizes
        self.starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.equal = bool(np.all(sizes == sizes[0]))
        self._ones = np.ones(sizes[0]) if self.equal else None

    @property
    def n_groups(self) -> int:
        return self.sizes.size

    def sum(self, a: np.ndarray) -> np.ndarray:
        """``out[b, l] = sum_{i in G_l} a[b, i]``."""
        if self.equal:  # a matmul with ones is ~6x faster than .sum(axis=2) on a short axis
            ones = self._ones.astype(a.dtype, copy=False)  # float32 stays float32
            return a.reshape(a.shape[0], self.n_groups, self.sizes[0]) @ ones
        return np.add.reduceat(a, self.starts, axis=1)

    def norm(self, a: np.ndarray) -> np.ndarray:
        """``out[b, l] = ||a[b, G_l]||_2``."""
        return np.sqrt(self.sum(a * a))

    def expand(self, a: np.ndarray) -> np.ndarray:
        """``out[b, i] = a[b, g(i)]`` (the paper's ``D a``)."""
        if self.equal:
            return np.repeat(a, self.sizes[0], axis=1)
        return a[:, self.labels]


def batch_arrays(X, y, X_val=None, y_val=None, w_star=None):
    """Validate and stack a batch: X (B, n, p), y (B, n), X_val (B, m, p), y_val (B, m),
    w_star (B, p). 2-D X (one problem) is promoted to B = 1."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    single = X.ndim == 2
    if single:
        X, y = X[None], y[None]
        X_val = None if X_val is None else np.asarray(X_val, dtype=float)[None]
        y_val = None if y_val is None else np.asarray(y_val, dtype=float)[None]
        w_star = None if w_star is None else np.asarray(w_star, dtype=float)[None]
    if X.ndim != 3:
        raise ValueError(f"X must have shape (n, p) or (B, n, p), got {X.shape}")
    B, n, p = X.shape
    if y.shape != (B, n):
        raise ValueError(f"y has shape {y.shape[1:] if single else y.shape}, expected "
                         f"{(n,) if single else (B, n)} to match X {X.shape[1:] if single else X.shape}")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together")
    if X_val is not None:
        X_val = np.asarray(X_val, dtype=float)
        y_val = np.asarray(y_val, dtype=float)
        if X_val.ndim != 3 or X_val.shape[0] != B or X_val.shape[2] != p:
            raise ValueError(f"X_val has shape {X_val.shape}, expected (B={B}, m, p={p})")
        if y_val.shape != X_val.shape[:2]:
            raise ValueError(f"y_val has shape {y_val.shape}, expected {X_val.shape[:2]}")
    if w_star is not None:
        w_star = np.asarray(w_star, dtype=float)
        if w_star.shape != (B, p):
            raise ValueError(f"w_star has shape {w_star.shape}, expected {(B, p)}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite")
    return X, y, X_val, y_val, w_star


def correlation_scales(X: np.ndarray, y: np.ndarray, ops: GroupOps) -> tuple[np.ndarray, np.ndarray]:
    """Signal scales estimated from the data, per problem of a batch (X of shape (B, n, p) or
    a :class:`~gsbench.methods._design.SharedDesign`, y of shape (B, n)).

    Returns ``(entry_scale, group_scale)`` of shape (B,)::

        entry_scale = ||X^T y||_inf / n            ~ max_i |w*_i|
        group_scale = max_l ||X_l^T y||_2 / n      ~ max_l ||w*_l||_2 = (u*_max)^2

    since ``X^T X / n ~ I`` under the paper's Assumption 1. Step sizes that the theory ties to
    the unknown signal size are derived from these, never from w*.
    """
    n = X.shape[1]
    c = rmatvec(X, y) / n
    entry = np.abs(c).max(axis=1)
    group = ops.norm(c).max(axis=1)
    tiny = np.finfo(float).tiny
    return np.maximum(entry, tiny), np.maximum(group, tiny)


class GroupSparseRegressor(RegressorMixin, BaseEstimator):
    """Base of every gsbench method (scikit-learn conventions).

    Subclasses define ``name`` (registry key), ``description`` (one line), ``presets``
    (named dicts of hyperparameters, e.g. the paper's values), ``_parameter_constraints``
    and ``_fit_batch(X, y, X_val, y_val, w_star, ops) -> list[FitResult]``.
    """

    name: str = ""
    description: str = ""
    presets: dict[str, dict[str, Any]] = {}
    _parameter_constraints: dict = {}

    def _validate(self) -> None:
        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), caller_name=self.name
        )

    def fit_batch(self, X, y, X_val=None, y_val=None, w_star=None) -> list[FitResult]:
        """Fit B independent problems of one shape.

        Parameters
        ----------
        X : ndarray of shape (B, n, p)
        y : ndarray of shape (B, n)
        X_val : ndarray of shape (B, m, p), optional
        y_val : ndarray of shape (B, m), optional
        w_star : ndarray of shape (B, p), optional
            Needed for the oracle-stopped estimate (otherwise it equals the validation one).

        Returns
        -------
        list of FitResult, one per problem; a failure is a result with status "failed",
        never an exception.
        """
        self._validate()
        X, y, X_val, y_val, w_star = batch_arrays(X, y, X_val, y_val, w_star)
        ops = GroupOps(*group_structure(getattr(self, "groups", None), X.shape[2]))
        start = time.perf_counter()
        results = self._fit_batch(X, y, X_val, y_val, w_star, ops)
        seconds = (time.perf_counter() - start) / len(results)
        for r in results:
            if not np.isfinite(r.seconds):
                r.seconds = seconds
        return results

    def fit(self, X, y, *, X_val=None, y_val=None, w_star=None):
        """Fit one problem; ``coef_`` is the validation-stopped estimate when a validation set
        is given, else the final one. Raises ``RuntimeError`` if the fit failed (``ValueError``
        if the method refused the data with a ``ValueError``, as scikit-learn's estimators do).

        ``X`` and ``y`` are checked as scikit-learn's estimators check them
        (``validate_data``): finite, real, dense, at least one sample and one feature, ``y``
        of shape (n,) or (n, 1); array-likes become float64 arrays (a float64 array is used
        as given). ``X_val``, ``y_val`` and ``w_star`` are checked alike.
        """
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together")
        if X_val is not None:
            X_val = check_array(X_val, dtype=np.float64, input_name="X_val")
            y_val = check_array(y_val, dtype=np.float64, ensure_2d=False, input_name="y_val")
            y_val = y_val.ravel() if y_val.ndim == 2 and y_val.shape[1] == 1 else y_val
        if w_star is not None:
            w_star = check_array(w_star, dtype=np.float64, ensure_2d=False, input_name="w_star")
        (res,) = self.fit_batch(X, y, X_val, y_val, w_star)
        if res.status == STATUS_FAILED:
            error = ValueError if res.message.startswith("ValueError:") else RuntimeError
            raise error(f"{self.name} failed: {res.message}")
        self.result_ = res
        self.coef_oracle_ = res.coef_oracle
        self.coef_validation_ = res.coef_validation
        self.coef_final_ = res.coef_final
        self.coef_ = res.coef_validation if X_val is not None else res.coef_final
        self.n_iter_ = res.iterations
        self.status_ = res.status
        self.resolved_ = res.resolved
        return self

    def predict(self, X):
        """``X @ coef_`` for X of shape (m, n_features_in_) (checked as in :meth:`fit`)."""
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_

    def fit_nbytes(self, n_problems: int, n: int, p: int, n_val: int | None = None) -> int:
        """Bytes a fit of ``n_problems`` problems of shape (n, p) keeps besides their arrays:
        here its three estimates per problem; methods that record a path add it."""
        return 3 * 8 * p * n_problems


def path_result(coefs: np.ndarray, X_val, y_val, w_star, **kw) -> FitResult:
    """FitResult of a regularisation path ``coefs`` of shape (K, p), strongest penalty first.

    The oracle- and validation-stopped estimates are the path values with least
    ``||w_k - w*||`` and least ``||y_val - X_val w_k||^2 / (2m)``; iterations are path indices.
    """
    K = coefs.shape[0]
    path = {"iteration": np.arange(K)}
    final = K - 1
    k_or = k_val = final
    if w_star is not None:
        err = np.linalg.norm(coefs - w_star, axis=1)
        path["oracle_error"] = err
        k_or = int(np.argmin(err))
    if X_val is not None:
        rv = y_val[None, :] - coefs @ X_val.T
        vl = np.einsum("ki,ki->k", rv, rv) / (2 * X_val.shape[0])
        path["val_loss"] = vl
        k_val = int(np.argmin(vl))
    if w_star is None:
        k_or = k_val
    if X_val is None:
        k_val = k_or
    return FitResult(
        coefs[k_or], coefs[k_val], coefs[final], k_or, k_val, K, path=path, **kw
    )


#: Default ``path_patience`` of every path method: path values without a decrease of the
#: validation loss before the path ends.
PATH_PATIENCE = 3
PATH_PATIENCE_CONSTRAINT = [Interval(Integral, 1, None, closed="left"), None]
#: Largest ``max_iter`` of any method: 10^12 iterations (days even on the smallest problem;
#: iteration counts are int64, and a larger budget overflowed them into "negative
#: dimensions"). The memory check (``fit_nbytes``) refuses budgets whose path does not fit.
MAX_ITER = 10**12
MAX_ITER_CONSTRAINT = [Interval(Integral, 1, MAX_ITER, closed="both")]


class PathPatience:
    """The stopping rule of every path method, for B problems advanced together.

    After each path value k, with ``V_k = ||y_val - X_val w_k||^2``, a problem's path ends
    once ``V`` has not decreased for ``patience`` consecutive values (``V_k >= min_{j<k}
    V_j`` for the last ``patience`` values of k). The oracle- and validation-stopped
    estimates are then chosen among the values fitted so far.

    Parameters
    ----------
    patience : int
    X_val : ndarray of shape (B, m, p) or (m, p)
    y_val : ndarray of shape (B, m) or (m,)
    """

    def __init__(self, patience: int, X_val: np.ndarray, y_val: np.ndarray):
        self.patience = int(patience)
        self.X_val = X_val if X_val.ndim == 3 else X_val[None]
        self.y_val = y_val if y_val.ndim == 2 else y_val[None]
        B = self.y_val.shape[0]
        self.best = np.full(B, np.inf)
        self.since = np.zeros(B, dtype=int)  # path values since the least validation loss

    def update(self, w: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Take the path values ``w`` (shape (R, p) or (p,)) of problems ``rows`` (all when
        None); returns, per row, whether its path ends here (bool array of shape (R,))."""
        w = w if w.ndim == 2 else w[None]
        rows = np.arange(self.best.size) if rows is None else np.asarray(rows)
        r = self.y_val[rows] - matvec(self.X_val[rows], w)
        loss = np.einsum("ij,ij->i", r, r)
        improved = loss < self.best[rows]
        self.best[rows] = np.where(improved, loss, self.best[rows])
        self.since[rows] = np.where(improved, 0, self.since[rows] + 1)
        return self.since[rows] >= self.patience


class PathRegressor(GroupSparseRegressor):
    """Base of the explicit estimators fitted over a decreasing regularisation path
    ``lambda_k = lambda_max * ratio^(k / (K-1))``, k = 0..K-1, warm-started.

    Every subclass has the parameter ``path_patience`` (int or None, default
    :data:`PATH_PATIENCE`): with a validation set, the path ends once the validation loss
    has not decreased for that many consecutive values (:class:`PathPatience`); None fits the
    whole path."""

    def _path(self, X, y, ops, stop: PathPatience | None = None
              ) -> tuple[np.ndarray, dict]:  # pragma: no cover - interface  # fmt: skip
        """Coefficients (K', p) along the path for one problem, and resolved values.

        With ``stop``, the path loop calls ``stop.update(w_k)`` after each value and ends
        when it returns True (then K' <= K values were fitted).
        ``resolved["converged"]`` (1.0 or 0.0), when present, says whether the solver met its
        tolerance at every fitted value; it becomes ``FitResult.converged`` (False when
        absent).
        """
        raise NotImplementedError

    def _stopper(self, X_val, y_val) -> PathPatience | None:
        """The path-patience rule for validation data of one problem or a batch (None when
        it is off or there is no validation set)."""
        patience = getattr(self, "path_patience", None)
        if patience is None or X_val is None:
            return None
        return PathPatience(patience, X_val, y_val)

    def _path_batch(self, X, y, ops, X_val=None, y_val=None) -> list:
        """``_path`` of every problem of a stack X (B, n, p), y (B, n): a list of B
        ``(coefs, resolved)`` pairs, or ``(None, message)`` for a problem whose fit raised.
        Subclasses whose solver advances the B problems together override it; the
        validation set X_val (B, m, p), y_val (B, m) ends a path early (``path_patience``)."""
        out = []
        for b in range(X.shape[0]):
            stop = None if X_val is None else self._stopper(X_val[b], y_val[b])
            try:
                out.append(self._path(X[b], y[b], ops, stop=stop))
            except Exception as exc:  # a failed fit is a result, not a crash
                out.append((None, f"{type(exc).__name__}: {exc}"))
        return out

    def _fit_batch(self, X, y, X_val, y_val, w_star, ops):
        start = time.perf_counter()
        try:
            paths = self._path_batch(X, y, ops, X_val, y_val)
        except Exception:  # isolate the failing problem(s): one at a time
            paths = PathRegressor._path_batch(self, X, y, ops, X_val, y_val)
        seconds = (time.perf_counter() - start) / X.shape[0]
        results = []
        for b, (coefs, resolved) in enumerate(paths):
            if coefs is None:
                results.append(FitResult.failure(X.shape[2], resolved))
                continue
            resolved = dict(resolved)
            converged = bool(resolved.pop("converged", 0.0))
            res = path_result(
                coefs,
                None if X_val is None else X_val[b],
                None if y_val is None else y_val[b],
                None if w_star is None else w_star[b],
                resolved=resolved,
                converged=converged,
            )
            if not np.all(np.isfinite(coefs)):
                res.converged = False
                res.status, res.message = STATUS_DIVERGED, "non-finite coefficients on the path"
            res.seconds = seconds
            results.append(res)
        return results
