"""The one loop shared by every iterative method.

An iterative method supplies only

* ``_init_state(X, y, ops) -> (state, resolved)``: a dict of batched arrays (leading axis B,
  including any per-problem step sizes) and the data-derived hyperparameters;
* ``_step(state, X, y, ops, t) -> loss``: one in-place update ``state(t) -> state(t+1)``,
  returning the training loss ``||y - X w||^2 / (2n)`` of a residual it computed anyway
  (shape (B,)), which the loop uses to catch divergence at every iteration;
* ``_coef(state, ops) -> w`` of shape (B, p).

The loop advances all problems of a batch together and, at every ``stride`` iterations,

* records ``||w_t - w*||`` (oracle error) and the validation loss
  ``||y_val - X_val w_t||^2 / (2 m)`` and keeps the best iterate of each;
* retires a problem when one of the three **stopping rules** holds (the one rule of every
  iterative method; docs/methods.md, "Estimates, status and stopping rules"):

  1. *settled*: both minima have been past for a patience window. At record time t, with
     t_o and t_v the iterations of the two minima, ``t - t_o >= max(patience, t_o)`` and
     ``t - t_v >= max(patience, t_v)`` (the window grows with the time the minimum took,
     so the slow, incremental fitting of a weak group late in the run is not cut short);
  2. *interpolated* (``interpolation_tol``): the training loss ``L_t = ||y - X w_t||^2 /
     (2n)`` (the value ``_step`` returns) is at most ``interpolation_tol * L_0``, with
     ``L_0 = ||y||^2 / (2n)``: the model fits the data, nothing is left to learn;
  3. *stalled* (``stall_tol``): over the window ``[t - W, t]``, ``W = max(patience, t/2)``
     (rounded up to records), the loss decreased by at most ``stall_tol * L_{t-W}``, and
     not faster in the window's second half than in its first:
     ``L_{t-W/2} - L_t <= L_{t-W} - L_{t-W/2}``. The second condition keeps the plateaus
     of incremental learning: while a weak group grows exponentially from a small
     initialisation the loss barely moves, but its decrease accelerates, so the fit goes on.
     (A plateau can still be cut when the growing group's share of the loss decrease stays
     below ``stall_tol`` and below the decelerating tail of the group fitted before it for
     a whole window, i.e. for strengths of consecutive groups many times apart with a tiny
     initialisation, or when the loss is flat for a long time before an escape, as dglnn2
     does near the transition; so the rule is off by default, ``stall_tol=None``.)

  Rules 2 and 3 need neither ``w*`` nor a validation set;
* retires a problem as ``diverged`` as soon as its training loss is not finite or exceeds
  ``1e8`` times its starting value ``||y||^2 / (2n)``.

Retired problems are dropped from the batch (their arrays are compacted away) so that the
remaining ones cost nothing extra.

Hyperparameter sweeps (:func:`gsbench.methods.fit_sweep`) run K settings of one method on T
problems as one batch of B = K T elements sharing the T designs (a
:class:`~gsbench.methods._design.SharedDesign`, so a product is X_t times a p x K matrix).
The numeric hyperparameters listed in a class's ``sweep_parameters`` may then differ between
elements: a method reads them through :meth:`IterativeRegressor._hyperparameter` (shape
(B,)), and ``max_iter`` becomes a per-element budget (each element retires at its own).

A fit is ``converged`` when one of the stopping rules ended it (at or before ``max_iter``).
A run that reached ``max_iter`` with none of them holding, or that diverged, is not
converged. Whole runs to ``max_iter`` (the claims checker, the paper figures) set
``patience`` huge and ``interpolation_tol = stall_tol = None``.

Precision. ``dtype="float32"`` (every iterative method's parameter; ``"float64"`` by default)
casts X, y and the state returned by ``_init_state`` (every floating array) to float32 once,
after ``_init_state`` has derived its scales from the float64 data, so that every product of
an iteration is a float32 BLAS call (about half the memory traffic). What is recorded stays
float64: the oracle error, the validation loss (from the float64 validation set) and the
estimates are computed from the float32 iterate in float64.

The loop reads top to bottom in :meth:`IterativeRegressor._fit_chunk` (a batch runs in chunks
of designs that stay in cache, :data:`CHUNK_BYTES`); the running
problems' arrays live in a ``_Running``, everything recorded in a ``_BatchRecords``.
"""

from __future__ import annotations

import contextlib
import contextvars

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..results_schema import STATUS_DIVERGED, STATUS_OK
from ._base import MAX_ITER_CONSTRAINT, FitResult, GroupOps, GroupSparseRegressor
from ._design import matvec, rmatvec

DIVERGENCE_FACTOR = 1e8
#: Bytes of designs X a chunk of a batch advances together. Every iteration reads every
#: design of the chunk twice; a stack that stays in a core's L2 cache (2 MB on the CI-class
#: machine) is read at cache speed, a larger one from memory (``benchmarks/batch_chunks.py``:
#: on the default study's shapes this costs 0.53 to 0.61 of one whole batch of 10 at n = 128
#: and 256, and 0.96 to 0.99 at n = 64).
CHUNK_BYTES = 1 << 20
#: Values of the ``dtype`` parameter: the precision of an iterative method's arithmetic.
DTYPES = ("float64", "float32")
#: Defaults of stopping rules 2 (interpolation) and 3 (stall), the same for every method.
INTERPOLATION_TOL = 1e-5
#: The stall rule is off by default: in the default study it ended a dglnn2 fit (p = 256,
#: group size 4, s = 8, n = 64, trial 3) in a plateau where the loss's running minimum did
#: not move from iteration 700 to 2400, before the escape that recovered w* (error 0.036 at
#: 4000 against 0.51); no rule on the loss alone can tell that plateau from a stall.
STALL_TOL = None



#: Set only inside :func:`perturbed_gradients`: ``(eps, rng)``.
_GRADIENT_NOISE: contextvars.ContextVar = contextvars.ContextVar("gradient_noise", default=None)


@contextlib.contextmanager
def perturbed_gradients(eps: float, seed: int):
    r"""Within the block, every gradient :func:`loss_gradient` returns is
    :math:`g \odot (1 + \varepsilon \xi)`, :math:`\xi` standard normal, fresh at each call
    (from ``numpy.random.default_rng(seed)``): a perturbation of the *iteration* of relative
    size ``eps``, to measure how much an outcome depends on rounding
    (:mod:`gsbench.analysis.noise_spread`). Methods whose update calls
    :func:`loss_gradient` (DGLNN's algorithms, u∘u − v∘v at every depth) honour it."""
    if not (np.isfinite(eps) and eps >= 0):
        raise ValueError(f"gradient noise eps must be a finite number >= 0, got {eps!r}")
    token = _GRADIENT_NOISE.set((float(eps), np.random.default_rng(int(seed))))
    try:
        yield
    finally:
        _GRADIENT_NOISE.reset(token)


def loss_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Loss ``||y - X w||^2 / (2n)`` and its gradient ``-X^T (y - X w) / n`` for a batch.

    Two products, the cost floor of every iteration of these methods.
    """
    n = X.shape[1]
    r = matvec(X, w)
    r -= y  # r = X w - y, in place
    loss = np.einsum("bi,bi->b", r, r) / (2 * n)
    r *= 1.0 / n
    g = rmatvec(X, r)
    noise = _GRADIENT_NOISE.get()
    if noise is not None:
        eps, rng = noise
        g *= (1.0 + eps * rng.standard_normal(g.shape)).astype(g.dtype)
    return loss, g


def as_dtype(dtype: np.dtype, X, y: np.ndarray, state: dict):
    """X (an ndarray or a ``SharedDesign``), y and every floating array of ``state`` in
    ``dtype`` (no copy when already so); integer and boolean state (counters, flags) is kept
    as it is."""
    state = {key: val.astype(dtype, copy=False) if val.dtype.kind == "f" else val
             for key, val in state.items()}
    return X.astype(dtype, copy=False), y.astype(dtype, copy=False), state


class _Running:
    """The problems of a batch still running: their data and state, compacted on retirement.

    ``idx`` holds their original positions in the batch; every array has them on axis 0
    (``ends``: the iteration budget of each, ``max_iter``).
    """

    def __init__(self, X, y, X_val, y_val, w_star, state, limit, ends):
        self.idx = np.arange(X.shape[0])
        self.X, self.y, self.X_val, self.y_val, self.w_star = X, y, X_val, y_val, w_star
        self.state = state
        self.limit = limit
        self.ends = ends

    def keep(self, keep: np.ndarray) -> None:
        """Drop the problems where ``keep`` is False."""
        self.idx = self.idx[keep]
        self.limit = self.limit[keep]
        self.ends = self.ends[keep]
        self.X, self.y = self.X[keep], self.y[keep]
        self.X_val = None if self.X_val is None else self.X_val[keep]
        self.y_val = None if self.y_val is None else self.y_val[keep]
        self.w_star = None if self.w_star is None else self.w_star[keep]
        self.state = {key: val[keep] for key, val in self.state.items()}


class _BatchRecords:
    """Per-problem outputs of one batch, indexed by original position: the recorded paths,
    the best iterates under both stopping rules, the training loss at every record, and how
    and when each problem ended.

    ``stop`` holds the settings of stopping rules 2 and 3 besides ``patience``: ``stride``
    (int), ``interpolation_tol`` and ``stall_tol`` (float or None) and ``loss0``, the
    starting losses ``||y||^2 / (2n)`` (shape (B,)).
    """

    def __init__(self, B: int, p: int, n_rec: int, patience: int, stop: dict | None = None):
        self.B, self.n_rec, self.patience = B, n_rec, patience
        self.stop = {"stride": 1, "interpolation_tol": None, "stall_tol": None, **(stop or {})}
        self.path_loss = np.full((n_rec, B), np.nan)  # training loss at record k (t = k stride)
        self.k = 0  # records taken
        self.path_it = np.full((n_rec, B), -1, dtype=np.int64)
        self.path_or = np.full((n_rec, B), np.nan)
        self.path_val = np.full((n_rec, B), np.nan)
        self.path_extra: dict[str, np.ndarray] = {}
        self.best_or = np.full(B, np.inf)
        self.best_val = np.full(B, np.inf)
        self.it_or = np.zeros(B, dtype=np.int64)
        self.it_val = np.zeros(B, dtype=np.int64)
        self.coef_or = np.zeros((B, p))
        self.coef_val = np.zeros((B, p))
        self.coef_fin = np.full((B, p), np.nan)
        self.iterations = np.zeros(B, dtype=np.int64)
        self.converged = np.zeros(B, dtype=bool)
        self.status = np.array([STATUS_OK] * B, dtype=object)
        self.message = np.array([""] * B, dtype=object)
        self.extra: dict[str, np.ndarray] = {}

    def take(self, t: int, w: np.ndarray, run: _Running, extras: dict[str, np.ndarray],
             loss: np.ndarray | None = None) -> None:
        """Record iteration t of the running problems (``w`` of shape (B_running, p), their
        training loss ``loss`` of shape (B_running,)) and keep the best iterate of each
        stopping rule."""
        idx, k = run.idx, self.k
        # While no problem has retired, idx is 0..B-1: slices instead of fancy indexing.
        rows = slice(None) if idx.size == self.B else idx
        self.path_it[k, rows] = t
        if loss is not None:
            self.path_loss[k, rows] = loss
        if run.w_star is not None:
            d = w - run.w_star
            # ||d|| as np.linalg.norm(d, axis=1) computes it, without its two temporaries
            err = np.sqrt(np.add.reduce(np.multiply(d, d, out=d), axis=1))
            self.path_or[k, rows] = err
            self._keep_best(err, t, w, idx, rows, self.best_or, self.it_or, self.coef_or)
        if run.X_val is not None:
            rv = matvec(run.X_val, w)
            np.subtract(run.y_val, rv, out=rv)
            vl = np.einsum("bi,bi->b", rv, rv) / (2 * rv.shape[1])
            self.path_val[k, rows] = vl
            self._keep_best(vl, t, w, idx, rows, self.best_val, self.it_val, self.coef_val)
        for name, a in extras.items():
            if name not in self.path_extra:
                self.path_extra[name] = np.full((self.n_rec, self.B) + a.shape[1:], np.nan)
            self.path_extra[name][k, rows] = a
        self.k += 1

    @staticmethod
    def _keep_best(value, t, w, idx, rows, best, it, coef) -> None:
        """Where ``value`` (per running problem, positions ``idx``) is below ``best``, keep
        it, the iteration t and the iterate ``w`` (rows ``rows`` of the per-batch arrays)."""
        better = value < best[rows]
        if isinstance(rows, slice):  # all problems running: (masked) copies, no gathers
            np.copyto(best, value, where=better)
            it[better] = t
            if better.all():
                np.copyto(coef, w)
            elif better.any():
                np.copyto(coef, w, where=better[:, None])
            return
        where = idx[better]
        best[where] = value[better]
        it[where] = t
        coef[where] = w[better]

    def settled(self, t: int, run: _Running) -> np.ndarray:
        """The early-termination rule at record time t, per running problem: every minimum
        (oracle error, validation loss) is at least ``max(patience, its iteration)`` old.
        False everywhere when there is nothing to stop on."""
        idx = run.idx
        if run.w_star is None and run.X_val is None:
            return np.zeros(idx.size, dtype=bool)
        done = np.ones(idx.size, dtype=bool)
        if run.w_star is not None:
            done &= t - self.it_or[idx] >= np.maximum(self.patience, self.it_or[idx])
        if run.X_val is not None:
            done &= t - self.it_val[idx] >= np.maximum(self.patience, self.it_val[idx])
        return done

    def interpolated(self, run: _Running) -> np.ndarray:
        """Stopping rule 2 at the last record, per running problem: training loss at most
        ``interpolation_tol * L_0`` (False everywhere when the rule is off)."""
        tol = self.stop["interpolation_tol"]
        if tol is None:
            return np.zeros(run.idx.size, dtype=bool)
        return self.path_loss[self.k - 1, run.idx] <= tol * self.stop["loss0"][run.idx]

    def stalled(self, t: int, run: _Running) -> np.ndarray:
        """Stopping rule 3 at record time t (the last record), per running problem: over the
        last ``W = max(patience, t/2)`` iterations (rounded up to records, at least two)
        the loss fell by at most ``stall_tol`` times its value W ago, and its fall in the
        window's second half is not larger than in its first (False when the rule is off or
        the run is shorter than W)."""
        tol, stride = self.stop["stall_tol"], self.stop["stride"]
        if tol is None or t % stride:
            return np.zeros(run.idx.size, dtype=bool)
        k = self.k - 1  # the record of time t = k * stride
        kw = max(-(-max(self.patience, t // 2) // stride), 2)
        if kw > k:
            return np.zeros(run.idx.size, dtype=bool)
        start, mid, end = (self.path_loss[j, run.idx] for j in (k - kw, k - kw // 2, k))
        first, second = start - mid, mid - end
        return (first + second <= tol * start) & (second <= first)

    def diverged(self, gone: np.ndarray, message: str) -> None:
        self.status[gone] = STATUS_DIVERGED
        self.message[gone] = message

    def finish(self, gone: np.ndarray, t: int, w: np.ndarray | None, extra: dict,
               converged: np.ndarray | None = None) -> None:
        """Problems ``gone`` (original positions) end at iteration t with final iterate w."""
        self.iterations[gone] = t
        if w is not None:
            self.coef_fin[gone] = w
        if converged is not None:
            self.converged[gone] = converged
        for name, a in extra.items():
            self.extra.setdefault(name, np.full(self.B, -1, dtype=a.dtype))[gone] = a

    def results(self, resolved: dict, has_oracle: bool, has_val: bool) -> list[FitResult]:
        out = []
        for b in range(self.B):
            kept = self.path_it[:, b] >= 0
            path = {
                "iteration": self.path_it[kept, b],
                "oracle_error": self.path_or[kept, b],
                "val_loss": self.path_val[kept, b],
            }
            path.update({name: a[kept, b] for name, a in self.path_extra.items()})
            co = self.coef_or[b] if has_oracle else None
            cv = self.coef_val[b] if has_val else None
            # Without w* or a validation set the missing estimate falls back to the other one,
            # and to the final iterate when neither exists.
            last = self.coef_fin[b]
            out.append(
                FitResult(
                    coef_oracle=co if co is not None else (cv if cv is not None else last),
                    coef_validation=cv if cv is not None else (co if co is not None else last),
                    coef_final=last,
                    oracle_iteration=int(self.it_or[b] if has_oracle else self.iterations[b]),
                    stop_iteration=int(self.it_val[b] if has_val else self.iterations[b]),
                    iterations=int(self.iterations[b]),
                    status=str(self.status[b]),
                    message=str(self.message[b]),
                    resolved={key: float(v[b]) for key, v in resolved.items()},
                    extra={key: v[b].item() for key, v in self.extra.items()},
                    path=path,
                    converged=bool(self.converged[b]),
                )
            )
        return out


class IterativeRegressor(GroupSparseRegressor):
    """Base of the gradient-descent methods; see the module docstring for the loop."""

    _parameter_constraints = {
        "max_iter": MAX_ITER_CONSTRAINT,
        "stride": [Interval(Integral, 1, None, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left"), None],
        "interpolation_tol": [Interval(Real, 0, 1, closed="neither"), None],
        "stall_tol": [Interval(Real, 0, 1, closed="neither"), None],
        "record": [list, None],
        "dtype": [StrOptions(set(DTYPES))],
    }

    #: Precision of the iterations (see the module docstring); a subclass whose ``__init__``
    #: does not take ``dtype`` computes in float64.
    dtype = "float64"

    #: Products with X or X^T per iteration (for the benchmark's bare-product reference).
    products_per_iteration = 2
    #: Parameters that may differ between the settings of one sweep (numbers, read per batch
    #: element); a subclass adds its own to ``("max_iter",)``.
    sweep_parameters: tuple[str, ...] = ("max_iter",)
    #: Per-element values set by ``fit_sweep`` on its private copy: name -> (B,) array,
    #: NaN where a setting leaves the parameter None (its data-derived default).
    _sweep_values: dict[str, np.ndarray] | None = None

    def fit_nbytes(self, n_problems: int, n: int, p: int, n_val: int | None = None) -> int:
        """Bytes a fit of ``n_problems`` problems keeps besides their arrays: the recorded path,
        ``max_iter // stride + 2`` records per problem of the iteration, the training loss,
        the oracle error and the validation loss (8 bytes each) and every quantity named in
        ``record`` (at most p values each), held twice at the end (the batch's records and
        each result's copy); plus the three estimates and the iterate state (about 8 vectors
        of p per problem)."""
        records = int(self.max_iter) // int(self.stride) + 2
        per_record = 4 * 8 + 8 * p * len(self.record or ())
        return n_problems * (2 * records * per_record + 11 * 8 * p)

    def _hyperparameter(self, name: str, default: np.ndarray) -> np.ndarray:
        """Hyperparameter ``name`` per batch element, shape (B,): the parameter's value
        (each element's own in a sweep), the data-derived ``default`` of shape (B,) where
        it is None."""
        given = self._given(name, default.shape[0])
        return np.where(np.isnan(given), default, given)

    def _given(self, name: str, B: int) -> np.ndarray:
        """Hyperparameter ``name`` as set, per batch element, shape (B,): NaN where None."""
        if self._sweep_values and name in self._sweep_values:
            return self._sweep_values[name]
        value = getattr(self, name)
        return np.full(B, np.nan if value is None else float(value))

    def _varies(self, name: str) -> bool:
        """Whether ``name`` differs between the elements of this batch (a sweep over it)."""
        return bool(self._sweep_values) and name in self._sweep_values

    def _init_state(self, X, y, ops):  # pragma: no cover - interface
        raise NotImplementedError

    def _step(self, state, X, y, ops, t):  # pragma: no cover - interface
        raise NotImplementedError

    def _coef(self, state, ops):  # pragma: no cover - interface
        raise NotImplementedError

    def _recordables(self, state, ops) -> dict[str, np.ndarray]:
        """Extra per-record quantities a method can expose (shape (B, ...)), by name."""
        return {"coef": self._coef(state, ops)}

    def _extra(self, state) -> dict[str, np.ndarray]:
        """Per-problem scalars reported in ``FitResult.extra`` (shape (B,))."""
        return {}

    def _recorded(self, state, ops) -> dict[str, np.ndarray]:
        if not self.record:
            return {}
        rec = self._recordables(state, ops)
        return {name: rec[name] for name in self.record}

    def _fit_batch(self, X, y, X_val, y_val, w_star, ops: GroupOps) -> list[FitResult]:
        """The batch in chunks of at most :data:`CHUNK_BYTES` of designs (at least one
        problem each), one after the other; a sweep's shared designs in one piece. Each
        problem's arithmetic does not depend on the others of its batch, so the results are
        those of the whole batch at once."""
        B = X.shape[0]
        size = max(1, CHUNK_BYTES // max(X[0].nbytes, 1)) if isinstance(X, np.ndarray) else B
        if size >= B:
            return self._fit_chunk(X, y, X_val, y_val, w_star, ops)
        part = lambda a, i: None if a is None else a[i:i + size]  # noqa: E731
        return [res for i in range(0, B, size)
                for res in self._fit_chunk(X[i:i + size], y[i:i + size], part(X_val, i),
                                           part(y_val, i), part(w_star, i), ops)]

    def _fit_chunk(self, X, y, X_val, y_val, w_star, ops: GroupOps) -> list[FitResult]:
        B, n, p = X.shape
        patience = self.patience if self.patience is not None else max(self.max_iter // 10, 1)
        state, resolved = self._init_state(X, y, ops)
        loss0 = np.einsum("bi,bi->b", y, y) / (2 * n)
        limit = DIVERGENCE_FACTOR * np.maximum(loss0, np.finfo(float).tiny)
        X, y, state = as_dtype(np.dtype(self.dtype), X, y, state)
        ends = self._given("max_iter", B).astype(np.int64)
        last = int(ends.max())
        run = _Running(X, y, X_val, y_val, w_star, state, limit, ends)
        stop = {"stride": self.stride, "loss0": loss0,
                "interpolation_tol": getattr(self, "interpolation_tol", None),
                "stall_tol": getattr(self, "stall_tol", None)}  # fmt: skip
        rec = _BatchRecords(B, p, last // self.stride + 2, patience, stop)

        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            rec.take(0, self._coef(run.state, ops), run, self._recorded(run.state, ops), loss0)
            for t in range(1, last + 1):
                loss = self._step(run.state, run.X, run.y, ops, t)
                bad = ~(loss <= run.limit)  # catches NaN and inf too
                if bad.any():
                    rec.diverged(
                        run.idx[bad],
                        f"training loss reached {loss[bad][0]:.3g} at iteration {t} "
                        f"(> {DIVERGENCE_FACTOR:.0e} x its initial value); step size too large",
                    )
                    self._retire(run, rec, bad, t, None)
                    loss = loss[~bad]
                    if run.idx.size == 0:
                        break
                # (in a sweep, every budget below the last is a multiple of stride)
                if t % self.stride and t != last:
                    continue
                w = self._coef(run.state, ops)
                finite = np.all(np.isfinite(w), axis=1)
                if not finite.all():
                    rec.diverged(run.idx[~finite], f"non-finite coefficients at iteration {t}")
                    self._retire(run, rec, ~finite, t, None)
                    w, loss = w[finite], loss[finite]
                    if run.idx.size == 0:
                        break
                rec.take(t, w, run, self._recorded(run.state, ops), loss)
                ended = rec.settled(t, run) | rec.interpolated(run) | rec.stalled(t, run)
                done = ended | (run.ends == t)
                if done.any():
                    self._retire(run, rec, done, t, w, converged=ended[done])
                    if run.idx.size == 0:
                        break
        return rec.results(resolved, w_star is not None, X_val is not None)

    def _retire(self, run: _Running, rec: _BatchRecords, mask: np.ndarray, t: int,
                w: np.ndarray | None, converged: np.ndarray | None = None) -> None:
        """End the running problems where ``mask`` holds at iteration t (``w``: their final
        iterates, None when diverged) and drop them from the batch."""
        extra = {name: a[mask] for name, a in self._extra(run.state).items()}
        rec.finish(run.idx[mask], t, None if w is None else w[mask], extra, converged)
        run.keep(~mask)


POSITIVE_OR_NONE = [Interval(Real, 0, None, closed="neither"), None]
