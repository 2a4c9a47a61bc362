"""Group lasso over a regularisation path (the explicit counterpart of DGLNN).

    min_w  ||y - X w||^2 / (2n) + lambda * sum_l sqrt(p_l) ||w_l||_2

Optimality (KKT), with ``r = y - X w``::

    X_l^T r / n = lambda sqrt(p_l) w_l / ||w_l||     if w_l != 0,
    ||X_l^T r / n|| <= lambda sqrt(p_l)               if w_l = 0,

so ``lambda_max = max_l ||X_l^T y|| / (n sqrt(p_l))`` is the smallest value with w = 0.
The path is ``lambda_k = lambda_max * ratio^(k/(K-1))``, each fit warm-started at the
previous solution. Backends: ``"group-lasso"`` (the PyPI package ``group-lasso``, FISTA with a
Python loop over groups in its proximal step) and ``"numpy"`` (FISTA here, on working sets
of groups with a KKT check on all groups, the proximal step vectorised over groups, the B
trials of a cell advanced together; :func:`fista_path`).

The ``group-lasso`` package (1.5.0) takes its gradient step as ``0.5 grad f / L`` but its
proximal step with threshold ``reg / L``, so its fixed points satisfy the KKT conditions of
``f + 2 reg R``: asked for ``group_reg=lambda`` it solves the problem with ``2 lambda``
(``tests/unit/test_group_lasso.py`` shows the violation). The backend therefore passes
``group_reg = lambda / 2``.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import MAX_ITER_CONSTRAINT, PATH_PATIENCE, PATH_PATIENCE_CONSTRAINT, GroupOps, PathRegressor


def kkt_violation(X: np.ndarray, y: np.ndarray, w: np.ndarray, lam: float, ops: GroupOps) -> float:
    """Largest violation of the group-lasso optimality conditions at ``w`` (see module docs).

    Returns ``max_l`` of ``||X_l^T r/n - lambda sqrt(p_l) w_l/||w_l||||`` over the non-zero
    groups and ``max(0, ||X_l^T r/n|| - lambda sqrt(p_l))`` over the zero groups.
    """
    n = X.shape[0]
    c = (X.T @ (y - X @ w) / n)[None, :]
    weights = lam * np.sqrt(ops.sizes)
    wn = ops.norm(w[None, :])[0]
    active = wn > 0
    safe = np.where(active, wn, 1.0)
    resid = c - ops.expand((weights / safe)[None, :]) * w[None, :]
    v_active = ops.norm(resid)[0]
    v_zero = np.maximum(ops.norm(c)[0] - weights, 0.0)
    return float(np.max(np.where(active, v_active, v_zero)))


def lambda_max(X: np.ndarray, y: np.ndarray, ops: GroupOps) -> float:
    """``max_l ||X_l^T y||_2 / (n sqrt(p_l))``: the smallest lambda whose solution is 0."""
    c = (X.T @ y / X.shape[0])[None, :]
    return float(np.max(ops.norm(c)[0] / np.sqrt(ops.sizes)))


def _spectral_norm_sq(X: np.ndarray, n_iter: int = 100) -> float:
    """``||X||_2^2`` by power iteration on ``X^T X`` from a fixed start (deterministic)."""
    v = np.ones(X.shape[1]) / np.sqrt(X.shape[1])
    est = 0.0
    for _ in range(n_iter):
        xv = X.T @ (X @ v)
        new = np.linalg.norm(xv)
        if new == 0:
            return 0.0
        v = xv / new
        if abs(new - est) <= 1e-10 * new:
            break
        est = new
    return new


_CONTROLLER = None


def _one_blas_thread():
    """Context limiting BLAS/LAPACK to one thread: small ``eigvalsh`` calls are many times
    slower with threads competing on a busy machine."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


def _spectral_norms_sq(X: np.ndarray, exact_up_to: int = 200) -> np.ndarray:
    """``||X_b||_2^2`` for a stack X of shape (R, n, m): exactly, as the largest eigenvalue
    (``eigvalsh``) of the smaller Gram matrix when its side is at most ``exact_up_to``, else
    by the power iteration of :func:`_spectral_norm_sq`."""
    R, n, m = X.shape
    if min(n, m) > exact_up_to:
        return np.array([_spectral_norm_sq(Xb) for Xb in X])
    with _one_blas_thread():
        G = np.matmul(X.transpose(0, 2, 1), X) if m <= n else np.matmul(X, X.transpose(0, 2, 1))
        return np.linalg.eigvalsh(G)[:, -1]


class _WorkingSets:
    """Working sets of R problems of a batch, gathered into one padded stack.

    Row ``r`` holds the columns of its working-set groups (in order), then zero columns up to
    ``m = max_r |columns_r|``; the zero columns form one dummy group (its coefficients stay 0).
    Groups are laid out row after row in one flat sequence (``sizes``, ``starts``), so group
    norms of a (R, m) array are one ``np.add.reduceat`` over its flattened values.
    """

    def __init__(self, X, rows, ws, ops: GroupOps):
        R, L = ws.shape
        feat = ops.expand(ws)
        counts = feat.sum(axis=1)
        m = int(counts.max())
        self.index = np.argsort(~feat, axis=1, kind="stable")[:, :m]  # ws columns first
        self.valid = np.arange(m)[None, :] < counts[:, None]
        samples = np.arange(X.shape[1])[None, :, None]
        self.X = X[rows[:, None, None], samples, self.index[:, None, :]] * self.valid[:, None, :]
        sizes = np.concatenate([np.where(ws, ops.sizes, 0), (m - counts)[:, None]], axis=1)
        keep = sizes.ravel() > 0
        self.sizes = sizes.ravel()[keep]
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])
        roots = np.concatenate([np.where(ws, np.sqrt(ops.sizes), 0.0), np.ones((R, 1))], axis=1)
        self.weights = roots.ravel()[keep]  # sqrt(p_l); 1 for the dummy groups
        self.row = np.repeat(np.arange(R), L + 1)[keep]
        self.row_starts = np.searchsorted(self.row, np.arange(R))
        self.shape = (R, m)

    def norm(self, a: np.ndarray) -> np.ndarray:
        """Flat group norms ``||a[r, G]||`` of a (R, m) array."""
        return np.sqrt(np.add.reduceat((a * a).ravel(), self.starts))

    def expand(self, g: np.ndarray) -> np.ndarray:
        """(R, m) array with the flat group values ``g`` repeated over each group's columns."""
        return np.repeat(g, self.sizes).reshape(self.shape)

    def row_max(self, g: np.ndarray) -> np.ndarray:
        """Largest flat group value of each row, shape (R,)."""
        return np.maximum.reduceat(g, self.row_starts)

    def kkt(self, c: np.ndarray, w: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Flat KKT violations of :func:`kkt_violation` given ``c = X_W^T r / n`` and the
        flat penalty weights ``lambda sqrt(p_l)``."""
        wn = self.norm(w)
        active = wn > 0
        resid = c - self.expand(weights / np.where(active, wn, 1.0)) * w
        return np.where(active, self.norm(resid), np.maximum(self.norm(c) - weights, 0.0))

    def gather(self, a: np.ndarray) -> np.ndarray:
        """(R, p) -> (R, m): working-set coordinates (0 in the padding)."""
        return np.take_along_axis(a, self.index, axis=1) * self.valid

    def scatter(self, a: np.ndarray, out: np.ndarray) -> None:
        """Write (R, m) working-set values into the rows ``out`` of shape (R, p)."""
        r, j = np.nonzero(self.valid)
        out[r, self.index[r, j]] = a[r, j]


def _matvec(X: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``X_b v_b`` for X (R, n, m), v (R, m); a plain gemv when R = 1 (faster than a
    stacked matmul when BLAS runs several threads)."""
    if X.shape[0] == 1:
        return (X[0] @ v[0])[None]
    return np.matmul(X, v[:, :, None])[:, :, 0]


def _rmatvec(X: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``X_b^T r_b`` for X (R, n, m), r (R, n)."""
    if X.shape[0] == 1:
        return (r[0] @ X[0])[None]
    return np.matmul(r[:, None, :], X)[:, 0, :]


class _Lipschitz:
    """``L = 1.01 ||X_W||_2^2 / n`` for the working sets W of a batch, cached per problem
    while its working set is unchanged."""

    def __init__(self, B: int, n: int):
        self.n = n
        self.cached = np.ones(B)
        self.keys: list = [None] * B

    def __call__(self, sets: "_WorkingSets", rows: np.ndarray, ws: np.ndarray) -> np.ndarray:
        fresh = np.array([self.keys[b] is None or not np.array_equal(self.keys[b], ws[b])
                          for b in rows], dtype=bool)
        if fresh.any():
            norms = _spectral_norms_sq(sets.X[fresh])
            self.cached[rows[fresh]] = np.where(norms > 0, 1.01 * norms / self.n, 1.0)
            for b in rows[fresh]:
                self.keys[b] = ws[b].copy()
        return self.cached[rows]


def _top(priority: np.ndarray, size: np.ndarray, least: int = 8) -> np.ndarray:
    """Mask (B, L) of the ``max(size_b, least)`` groups of highest finite ``priority`` per row
    (the working set at most doubles per round, as in celer and skglm)."""
    rank = np.argsort(np.argsort(-priority, axis=1, kind="stable"), axis=1, kind="stable")
    return np.isfinite(priority) & (rank < np.maximum(size, least)[:, None])


def fista_path(X, y, lambdas, ops: GroupOps, *, tol=1e-8, max_iter=5000, X_val=None,
               y_val=None, patience=None):
    """Group-lasso solutions along a path for one problem or a batch, by warm-started FISTA
    on working sets of groups.

    At each ``lambda_k`` the working set starts from the groups active at ``lambda_{k-1}``
    and those kept by the sequential strong rule ``||X_l^T r_{k-1}|| / n >= (2 lambda_k -
    lambda_{k-1}) sqrt(p_l)``. FISTA (step ``1/L``, ``L = 1.01 ||X_W||_2^2 / n`` on the
    working-set columns ``X_W``, exact by ``eigvalsh`` when ``min(n, |W|) <= 200``; proximal
    step
    ``w_l <- max(0, 1 - lambda sqrt(p_l) / (L ||z_l||)) z_l``; momentum restarted whenever
    ``(z - w_new) . (w_new - w) > 0``, O'Donoghue and Candes 2015) runs on the working
    set; every 10 iterations it checks the KKT conditions there and, once they hold to
    ``tol * lambda_0``, on all groups (one product ``X^T r``). Groups that violate them join
    the working set and FISTA restarts; otherwise ``lambda_k`` is solved, to the same
    criterion, :func:`kkt_violation` ``<= tol * lambda_0``, as a full-set FISTA. The B
    problems advance together as stacked (B, n, |W|) products, each stopping on its own.
    The strong rule's candidates enter at most ``max(|support|, 8)`` at a time, ranked by
    ``||X_l^T r|| / sqrt(p_l)``, and violators at most ``|W|`` at a time (largest first), so
    the working set stays small when the rule keeps many groups.

    With ``patience`` (and a validation set), a problem's path ends once its validation loss
    ``||y_val - X_val w_k||^2`` has not decreased for ``patience`` consecutive values; the
    values after it are not computed (NaN in ``coefs``, True in ``converged``).

    Parameters
    ----------
    X : ndarray of shape (n, p) or (B, n, p)
    y : ndarray of shape (n,) or (B, n)
    lambdas : ndarray of shape (K,) or (B, K)
        Decreasing path per problem (``lambda_0`` sets the tolerance's scale).
    ops : GroupOps
    tol : float
    max_iter : int
        FISTA iterations per path value (over all its working sets).
    X_val : ndarray of shape (m, p) or (B, m, p), optional
    y_val : ndarray of shape (m,) or (B, m), optional
    patience : int, optional
        Path values without a decrease of the validation loss before a path ends early.

    Returns
    -------
    coefs : ndarray of shape (K, p) or (B, K, p)
    iterations : int or ndarray of shape (B,)
        FISTA iterations over the whole path.
    converged : ndarray of shape (K,) or (B, K) of bool
        Whether the KKT tolerance was met at each path value (else ``max_iter`` was hit).
    """
    single = np.ndim(X) == 2
    X, y = (X[None], y[None]) if single else (X, y)
    if patience is not None:
        if X_val is None or y_val is None:
            raise ValueError("patience needs a validation set (X_val, y_val)")
        X_val, y_val = (X_val[None], y_val[None]) if single else (X_val, y_val)
    B, n, p = X.shape
    lambdas = np.broadcast_to(np.asarray(lambdas, dtype=float), (B, np.shape(lambdas)[-1]))
    K = lambdas.shape[1]
    scale = tol * np.maximum(lambdas[:, 0], np.finfo(float).tiny)
    root = np.sqrt(ops.sizes)[None, :]
    coefs = np.full((B, K, p), np.nan)
    alive = np.ones(B, dtype=bool)  # still extending its path
    best = np.full(B, np.inf)
    since = np.zeros(B, dtype=int)  # path values since the best validation loss
    converged = np.zeros((B, K), dtype=bool)
    iterations = np.zeros(B, dtype=int)
    lipschitz = _Lipschitz(B, n)
    w = np.zeros((B, p))
    c = np.matmul(y[:, None, :], X)[:, 0, :] / n  # X^T r / n at the current w
    prev = lambdas[:, 0]
    for k in range(K):
        lam = lambdas[:, k]
        score = ops.norm(c) / root
        support = ops.norm(w) > 0
        strong = ~support & (score >= (2 * lam - prev)[:, None])
        ws = support | _top(np.where(strong, score, -np.inf), support.sum(axis=1))
        ws[np.arange(B), np.argmax(score, axis=1)] = True
        z, t = w.copy(), np.ones(B)
        used = np.zeros(B, dtype=int)
        converged[~alive, k] = True
        pending = np.flatnonzero(alive)
        while pending.size:
            sets = _WorkingSets(X, pending, ws[pending], ops)
            R = pending.size
            Xw, yw = sets.X, y[pending]
            L = lipschitz(sets, pending, ws)
            lam_g = lam[pending][sets.row]
            thresh = lam_g * sets.weights / L[sets.row]
            ww, zz, tt = sets.gather(w[pending]), sets.gather(z[pending]), t[pending]
            running = np.ones(R, dtype=bool)
            expand = np.zeros(R, dtype=bool)
            local, all_running = 0, True
            ran = np.zeros(R, dtype=int)  # iterations of this round per row
            budget = max_iter - used[pending]  # iterations left at this lambda
            limit = budget.min()
            while True:
                local += 1
                grad = _rmatvec(Xw, _matvec(Xw, zz) - yw) / n
                step = zz - grad / L[:, None]
                norms = sets.norm(step)
                shrink = np.maximum(0.0, 1.0 - thresh / np.where(norms > 0, norms, 1.0))
                w_new = sets.expand(shrink) * step
                delta = w_new - ww
                # adaptive restart (O'Donoghue & Candes 2015): momentum off where it points uphill
                restart = np.einsum("ij,ij->i", zz - w_new, delta) > 0
                tt = np.where(restart, 1.0, tt)
                t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * tt * tt))
                z_new = w_new + ((tt - 1.0) / t_new)[:, None] * delta
                if all_running:
                    ww, zz, tt = w_new, z_new, t_new
                else:  # finished rows keep their solution
                    ww = np.where(running[:, None], w_new, ww)
                    zz = np.where(running[:, None], z_new, zz)
                    tt = np.where(running, t_new, tt)
                if local % 10 and local < limit:
                    continue
                at_max = running & (local >= budget)
                check = running & ((local % 10 == 0) | at_max)
                r = yw - _matvec(Xw, ww)
                cw = _rmatvec(Xw, r) / n
                inner = sets.row_max(sets.kkt(cw, ww, lam_g * sets.weights))
                for i in np.flatnonzero(check & ((inner <= scale[pending]) | at_max)):
                    b = pending[i]  # the full check: one product X^T r for this row
                    cb = (r[i] @ X[b]) / n
                    outside = np.maximum(ops.norm(cb[None])[0] - lam[b] * root[0], 0.0)
                    outside[ws[b]] = 0.0
                    ok = inner[i] <= scale[b] and outside.max() <= scale[b]
                    ran[i] = local
                    if ok or at_max[i]:
                        running[i] = False
                        converged[b, k] = ok
                        c[b] = cb
                    else:
                        ws[b] |= _top(np.where(outside > scale[b], outside, -np.inf)[None],
                                      np.array([ws[b].sum()]))[0]
                        expand[i] = True
                        running[i] = False
                if expand.any() or 2 * running.sum() <= R:  # regroup: drop the finished rows
                    break
                all_running = bool(running.all())
                limit = budget[running].min()
            ran[running] = local
            used[pending] += ran
            full_w, full_z = w[pending], z[pending]
            sets.scatter(ww, full_w)
            sets.scatter(zz, full_z)
            full_z[expand] = full_w[expand]  # restart momentum on a grown working set
            tt = np.where(expand, 1.0, tt)
            w[pending], z[pending], t[pending] = full_w, full_z, tt
            done = ~running & ~expand
            pending = pending[~done]
        coefs[alive, k] = w[alive]
        iterations += used
        prev = lam
        if patience is not None:
            r = y_val - _matvec(X_val, w)
            loss = np.einsum("ij,ij->i", r, r)
            improved = loss < best
            best = np.where(improved, loss, best)
            since = np.where(improved, 0, since + 1)
            alive &= since < patience
            if not alive.any():
                converged[:, k + 1:] = True
                break
    if single:
        return coefs[0], int(iterations[0]), converged[0]
    return coefs, iterations, converged


class GroupLassoPath(PathRegressor):
    """Group lasso, weights ``sqrt(p_l)``, over a warm-started path of ``n_lambdas`` values.

    Parameters
    ----------
    groups : int or array-like
        Group size, list of sizes, or contiguous labels.
    n_lambdas : int, default=20
        Path length K.
    lambda_ratio : float, default=1e-3
        ``lambda_min / lambda_max``; 1e-3 reaches the noise level of the studies' sigma
        range while staying well-posed when n < p.
    backend : {"numpy", "group-lasso"}, default="numpy"
        ``"group-lasso"`` uses the PyPI package (kept as the reference); ``"numpy"`` is the
        batched working-set FISTA of :func:`fista_path` (same objective; see benchmarks/).
    tol : float, default=1e-6
        ``"numpy"``: KKT tolerance relative to lambda_max; ``"group-lasso"``: the package's
        own ``tol``.
    max_iter : int, default=2000
        Iterations per path value. ``FitResult.converged`` says whether ``tol`` was met at
        every path value.
    path_patience : int or None, default=3
        With a validation set, end the path once the validation loss has not decreased for
        this many consecutive values (the rule of every path method,
        :class:`gsbench.methods._base.PathPatience`; the later values are not fitted, so the
        path is shorter; the oracle-stopped estimate is then the best of the fitted values).
        None fits the whole path.
    """

    name = "group_lasso"
    description = "group lasso (weights sqrt(group size)) over a warm-started lambda path"
    presets = {}
    _parameter_constraints = {
        "groups": ["array-like", Interval(Integral, 1, None, closed="left")],
        "n_lambdas": [Interval(Integral, 1, None, closed="left")],
        "lambda_ratio": [Interval(Real, 0, 1, closed="neither")],
        "backend": [StrOptions({"numpy", "group-lasso"})],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": MAX_ITER_CONSTRAINT,
        "path_patience": PATH_PATIENCE_CONSTRAINT,
    }

    def __init__(
        self, groups=1, *, n_lambdas=20, lambda_ratio=1e-3, backend="numpy", tol=1e-6,
        max_iter=2000, path_patience=PATH_PATIENCE,
    ):  # fmt: skip
        self.groups = groups
        self.n_lambdas = n_lambdas
        self.lambda_ratio = lambda_ratio
        self.backend = backend
        self.tol = tol
        self.max_iter = max_iter
        self.path_patience = path_patience

    def lambdas(self, X, y, ops) -> np.ndarray:
        lmax = lambda_max(X, y, ops)
        return lmax * np.geomspace(1.0, self.lambda_ratio, self.n_lambdas)

    def _path_batch(self, X, y, ops, X_val=None, y_val=None):
        if self.backend != "numpy":
            return super()._path_batch(X, y, ops, X_val, y_val)
        lambdas = np.stack([self.lambdas(Xb, yb, ops) for Xb, yb in zip(X, y)])
        early = self.path_patience is not None and X_val is not None
        coefs, total, converged = fista_path(
            X, y, lambdas, ops, tol=self.tol, max_iter=self.max_iter, X_val=X_val, y_val=y_val,
            patience=self.path_patience if early else None,
        )  # fmt: skip
        fitted = np.isfinite(coefs[:, :, 0]).sum(axis=1)  # path values computed
        return [
            (coefs[b, : fitted[b]], {"lambda_max": float(lambdas[b, 0]),
                                     "solver_iterations": float(total[b]),
                                     "converged": bool(converged[b].all())})
            for b in range(X.shape[0])
        ]  # fmt: skip

    def _path(self, X, y, ops, stop=None):
        lambdas = self.lambdas(X, y, ops)
        resolved = {"lambda_max": float(lambdas[0])}
        if self.backend == "numpy":
            val = {} if stop is None else {"X_val": stop.X_val[0], "y_val": stop.y_val[0],
                                           "patience": stop.patience}  # fmt: skip
            coefs, total, converged = fista_path(X, y, lambdas, ops, tol=self.tol,
                                                 max_iter=self.max_iter, **val)  # fmt: skip
            resolved["solver_iterations"] = float(total)
            resolved["converged"] = bool(converged.all())
            return coefs[: int(np.isfinite(coefs[:, 0]).sum())], resolved
        from group_lasso import GroupLasso

        model = GroupLasso(
            groups=ops.labels, group_reg=float(lambdas[0]) / 2, l1_reg=0.0, n_iter=self.max_iter,
            tol=self.tol, scale_reg="group_size", fit_intercept=False, warm_start=True,
            supress_warning=True, random_state=0,
        )  # fmt: skip
        coefs = np.empty((lambdas.size, X.shape[1]))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", category=Warning)
            for k, lam in enumerate(lambdas):
                model.set_params(group_reg=float(lam) / 2)  # see the module docstring
                model.fit(X, y)
                coefs[k] = np.ravel(model.coef_)
                if stop is not None and stop.update(coefs[k])[0]:
                    coefs = coefs[: k + 1]
                    break
        # the package warns (sklearn's ConvergenceWarning) when FISTA hits n_iter
        resolved["converged"] = float(
            not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        )
        return coefs, resolved
