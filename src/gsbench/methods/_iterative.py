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
* retires a problem once both have been past their minimum for a patience window:
  at record time t, with t_o and t_v the iterations of the two minima, the problem stops when
  ``t - t_o >= max(patience, t_o)`` and ``t - t_v >= max(patience, t_v)``
  (the window grows with the time the minimum took, so the slow, incremental fitting of a
  weak group late in the run is not cut short);
* retires a problem as ``diverged`` as soon as its training loss is not finite or exceeds
  ``1e8`` times its starting value ``||y||^2 / (2n)``.

Retired problems are dropped from the batch (their arrays are compacted away) so that the
remaining ones cost nothing extra.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import FitResult, GroupOps, GroupSparseRegressor

DIVERGENCE_FACTOR = 1e8


def matvec(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Batched ``X w``: (B, n, p), (B, p) -> (B, n)."""
    return np.matmul(X, w[:, :, None])[:, :, 0]


def rmatvec(X: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Batched ``X^T r``: (B, n, p), (B, n) -> (B, p)."""
    return np.matmul(r[:, None, :], X)[:, 0, :]


def loss_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Loss ``||y - X w||^2 / (2n)`` and its gradient ``-X^T (y - X w) / n`` for a batch.

    Two products, the cost floor of every iteration of these methods.
    """
    n = X.shape[1]
    r = matvec(X, w)
    r -= y  # r = X w - y, in place
    loss = np.einsum("bi,bi->b", r, r) / (2 * n)
    r *= 1.0 / n
    return loss, rmatvec(X, r)


class IterativeRegressor(GroupSparseRegressor):
    """Base of the gradient-descent methods; see the module docstring for the loop."""

    _parameter_constraints = {
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left"), None],
        "record": [list, None],
    }

    #: Products with X or X^T per iteration (for the benchmark's bare-product reference).
    products_per_iteration = 2

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

    def _fit_batch(self, X, y, X_val, y_val, w_star, ops: GroupOps) -> list[FitResult]:
        B, n, p = X.shape
        stride = self.stride
        patience = self.patience if self.patience is not None else max(self.max_iter // 10, 1)
        n_rec = self.max_iter // stride + 2
        state, resolved = self._init_state(X, y, ops)
        record = list(self.record or [])

        # Per-problem outputs (full batch, indexed by original position).
        path_it = np.full((n_rec, B), -1, dtype=np.int64)
        path_or = np.full((n_rec, B), np.nan)
        path_val = np.full((n_rec, B), np.nan)
        path_extra: dict[str, np.ndarray] = {}
        best_or = np.full(B, np.inf)
        best_val = np.full(B, np.inf)
        it_or = np.zeros(B, dtype=np.int64)
        it_val = np.zeros(B, dtype=np.int64)
        coef_or = np.zeros((B, p))
        coef_val = np.zeros((B, p))
        coef_fin = np.full((B, p), np.nan)
        iterations = np.zeros(B, dtype=np.int64)
        status = np.array(["ok"] * B, dtype=object)
        message = np.array([""] * B, dtype=object)
        extra_out: dict[str, np.ndarray] = {}

        idx = np.arange(B)  # original positions of the problems still running
        Xa, ya, Xv, yv, ws = X, y, X_val, y_val, w_star
        loss0 = np.einsum("bi,bi->b", y, y) / (2 * n)
        limit = DIVERGENCE_FACTOR * np.maximum(loss0, np.finfo(float).tiny)
        limit_active = limit
        k = 0  # record counter

        def take_record(t: int, w: np.ndarray) -> np.ndarray:
            """Record at iteration t for the running problems; returns which are done."""
            nonlocal k
            path_it[k, idx] = t
            if ws is not None:
                err = np.linalg.norm(w - ws, axis=1)
                path_or[k, idx] = err
                better = err < best_or[idx]
                best_or[idx[better]] = err[better]
                it_or[idx[better]] = t
                coef_or[idx[better]] = w[better]
            if Xv is not None:
                rv = yv - matvec(Xv, w)
                vl = np.einsum("bi,bi->b", rv, rv) / (2 * rv.shape[1])
                path_val[k, idx] = vl
                better = vl < best_val[idx]
                best_val[idx[better]] = vl[better]
                it_val[idx[better]] = t
                coef_val[idx[better]] = w[better]
            if record:
                rec = self._recordables(state, ops)
                for name in record:
                    a = rec[name]
                    if name not in path_extra:
                        path_extra[name] = np.full((n_rec, B) + a.shape[1:], np.nan)
                    path_extra[name][k, idx] = a
            k += 1
            if ws is None and Xv is None:
                return np.zeros(idx.size, dtype=bool)
            done = np.ones(idx.size, dtype=bool)
            if ws is not None:
                done &= t - it_or[idx] >= np.maximum(patience, it_or[idx])
            if Xv is not None:
                done &= t - it_val[idx] >= np.maximum(patience, it_val[idx])
            return done

        def retire(mask: np.ndarray, w: np.ndarray | None, t: int) -> None:
            nonlocal idx, Xa, ya, Xv, yv, ws, state, limit_active
            gone = idx[mask]
            iterations[gone] = t
            if w is not None:
                coef_fin[gone] = w[mask]
            for name, a in self._extra(state).items():
                extra_out.setdefault(name, np.full(B, -1, dtype=a.dtype))[gone] = a[mask]
            keep = ~mask
            idx = idx[keep]
            limit_active = limit[idx]
            Xa, ya = Xa[keep], ya[keep]
            Xv = None if Xv is None else Xv[keep]
            yv = None if yv is None else yv[keep]
            ws = None if ws is None else ws[keep]
            state = {key: val[keep] for key, val in state.items()}

        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            take_record(0, self._coef(state, ops))
            for t in range(1, self.max_iter + 1):
                loss = self._step(state, Xa, ya, ops, t)
                bad = ~(loss <= limit_active)  # catches NaN and inf too
                if bad.any():
                    status[idx[bad]] = "diverged"
                    message[idx[bad]] = (
                        f"training loss reached {loss[bad][0]:.3g} at iteration {t} "
                        f"(> {DIVERGENCE_FACTOR:.0e} x its initial value); step size too large"
                    )
                    retire(bad, None, t)
                    if idx.size == 0:
                        break
                if t % stride == 0 or t == self.max_iter:
                    w = self._coef(state, ops)
                    finite = np.all(np.isfinite(w), axis=1)
                    if not finite.all():
                        status[idx[~finite]] = "diverged"
                        message[idx[~finite]] = f"non-finite coefficients at iteration {t}"
                        retire(~finite, None, t)
                        w = w[finite]
                        if idx.size == 0:
                            break
                    done = take_record(t, w)
                    if t == self.max_iter:
                        done[:] = True
                    if done.any():
                        retire(done, w, t)
                        if idx.size == 0:
                            break

        results = []
        for b in range(B):
            kept = path_it[:, b] >= 0
            path = {
                "iteration": path_it[kept, b],
                "oracle_error": path_or[kept, b],
                "val_loss": path_val[kept, b],
            }
            path.update({name: a[kept, b] for name, a in path_extra.items()})
            co = coef_or[b] if w_star is not None else None
            cv = coef_val[b] if X_val is not None else None
            # Without w* or a validation set the missing estimate falls back to the other one,
            # and to the final iterate when neither exists.
            last = coef_fin[b]
            results.append(
                FitResult(
                    coef_oracle=co if co is not None else (cv if cv is not None else last),
                    coef_validation=cv if cv is not None else (co if co is not None else last),
                    coef_final=last,
                    oracle_iteration=int(it_or[b] if co is not None else iterations[b]),
                    stop_iteration=int(it_val[b] if cv is not None else iterations[b]),
                    iterations=int(iterations[b]),
                    status=str(status[b]),
                    message=str(message[b]),
                    resolved={key: float(v[b]) for key, v in resolved.items()},
                    extra={key: v[b].item() for key, v in extra_out.items()},
                    path=path,
                )
            )
        return results


POSITIVE_OR_NONE = [Interval(Real, 0, None, closed="neither"), None]
