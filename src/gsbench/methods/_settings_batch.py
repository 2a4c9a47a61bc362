"""Hyperparameter sweeps of one iterative method, advanced together as matrix-matrix products.

K settings (alpha, step sizes, depth, ...) of one method fitted on the same T problems are
K T independent fits that share T designs. :func:`fit_sweep` runs them as one batch of
B = K T elements over a :class:`~gsbench.methods._design.SharedDesign`: every iteration
multiplies each X_t (n, p) by a p x K matrix (``np.matmul`` of (T, K, p) with (T, p, n))
instead of K matrix-vector products, and the numeric hyperparameters that differ become
per-element arrays. Results equal K separate ``fit_batch`` calls to rounding (the products
sum in another order), including early termination and divergence, which end one element
at a time without copying X.
"""

from __future__ import annotations

import time
from typing import Any, Sequence

import numpy as np
from sklearn.base import clone
from sklearn.utils._param_validation import validate_parameter_constraints

from ._base import FitResult, GroupOps, batch_arrays, group_structure
from ._design import SharedDesign
from ._iterative import IterativeRegressor
from ._registry import make_method


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))
    except (TypeError, ValueError):  # ragged lists
        return a == b


def sweep_settings(method, settings: Sequence[dict], *, groups=None,
                   preset: str | None = None) -> tuple[IterativeRegressor, list[dict]]:
    """The base estimator and every setting's full, validated parameters: ``method`` (a
    registry name, made with ``groups`` and ``preset``, or an estimator) with ``settings[k]``
    on top. Errors name the setting and the parameter."""
    if isinstance(method, str):
        base = make_method(method, groups=groups, preset=preset)
    else:
        base = method
    name = getattr(base, "name", type(base).__name__)
    if not isinstance(base, IterativeRegressor):
        raise ValueError(f"fit_sweep: method {name!r} is not iterative (an IterativeRegressor); "
                         "fit its settings one at a time")
    if isinstance(settings, dict) or not len(settings):
        raise ValueError("fit_sweep: settings must be a non-empty list of parameter dicts")
    common = base.get_params(deep=False)
    constraints = type(base)._parameter_constraints
    try:  # each parameter is checked on its own: the base once, then what a setting sets
        validate_parameter_constraints(constraints, common, caller_name=name)
        valid_base = True
    except (ValueError, TypeError):
        valid_base = False  # then every setting is checked whole, naming the first one that fails
    out = []
    for k, setting in enumerate(settings):
        unknown = sorted(set(setting) - set(common))
        try:
            if unknown:
                raise ValueError(f"unknown parameter {unknown[0]!r}; valid: "
                                 f"{', '.join(sorted(common))}")
            params = {**common, **setting}
            validate_parameter_constraints(constraints, setting if valid_base else params,
                                           caller_name=name)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"fit_sweep: setting {k} {setting!r} of {name!r}: {exc}") from None
        out.append(params)
    return base, out


def sweep_conflict(cls: type, params: Sequence[dict]) -> str | None:
    """Why settings of method ``cls`` with these full parameters cannot be advanced as one
    sweep (a sentence naming the parameter), or None when they can: they may differ only in
    ``cls.sweep_parameters``, and in ``max_iter`` only when ``patience`` is set and every
    ``max_iter`` below the largest is a multiple of ``stride``."""
    first = params[0]
    for key in first:
        values = [p[key] for p in params]
        if all(_same(values[0], v) for v in values[1:]):
            continue
        if key not in cls.sweep_parameters:
            shown = ", ".join(dict.fromkeys(repr(v) for v in values))
            return (f"settings differ in {key!r} ({shown}), which "
                    f"cannot vary within a sweep of {cls.name!r} (only "
                    f"{', '.join(cls.sweep_parameters)} can); fit each value of {key!r} as "
                    "its own sweep")
    ends = sorted({p["max_iter"] for p in params})
    if len(ends) > 1:
        if first["patience"] is None:
            return (f"settings differ in 'max_iter' ({', '.join(map(str, ends))}) with "
                    "patience=None, whose default max_iter // 10 would differ too; set patience")
        off = [m for m in ends[:-1] if m % first["stride"]]
        if off:
            return (f"settings differ in 'max_iter' ({', '.join(map(str, ends))}): every "
                    f"max_iter below the largest must be a multiple of stride={first['stride']} "
                    f"({off[0]} is not)")
    return None


def fit_sweep(method, settings: Sequence[dict], X, y, X_val=None, y_val=None, w_star=None, *,
              groups=None, preset: str | None = None) -> list[list[FitResult]]:
    """Fit K settings of one iterative method on the same T problems, all together.

    Every iteration computes ``X_t W_t`` and ``X_t^T R_t`` for each problem t with W_t, R_t
    the p x K and n x K matrices of its K settings' iterates and residuals (one
    ``np.matmul`` over the stack), instead of K T matrix-vector products.

    Parameters
    ----------
    method : str or IterativeRegressor
        A registry name (made with ``groups`` and ``preset``, as :func:`make_method`) or an
        estimator; its parameters are the base of every setting.
    settings : sequence of K dicts
        Parameters set on top of the base for each setting, e.g.
        ``[{"alpha": a} for a in alphas]``. The settings may differ only in the method's
        numeric hyperparameters (``type(est).sweep_parameters``: ``alpha``, step sizes,
        ``depth`` of ``hadamard_depth``, ``eta``/``tau``/``eps`` of ``dglnn2``, ...) and in
        ``max_iter`` (when ``patience`` is set and every ``max_iter`` below the largest is a
        multiple of ``stride``: each setting then runs for its own budget).
    X : ndarray of shape (T, n, p) or (n, p)
    y : ndarray of shape (T, n) or (n,)
    X_val : ndarray of shape (T, m, p) or (m, p), optional
    y_val : ndarray of shape (T, m) or (m,), optional
    w_star : ndarray of shape (T, p) or (p,), optional
        As for ``fit_batch``; shared by the K settings.
    groups, preset : optional
        Passed to :func:`make_method` when ``method`` is a name.

    Returns
    -------
    list of K lists of T FitResult
        ``results[k][t]`` equals ``fit_batch`` of setting k alone on problem t (to rounding).
        ``seconds`` is the sweep's wall time divided by K T.

    Raises
    ------
    ValueError
        If the method is not iterative, a setting is invalid (the message names it), or the
        settings differ in a parameter that cannot vary within a sweep (named).
    """
    base, full = sweep_settings(method, settings, groups=groups, preset=preset)
    conflict = sweep_conflict(type(base), full)
    if conflict is not None:
        raise ValueError(f"fit_sweep: {conflict}")
    X, y, X_val, y_val, w_star = batch_arrays(X, y, X_val, y_val, w_star)
    K, T, p = len(full), X.shape[0], X.shape[2]
    # Settings sorted by depth, so that each depth is one block of rows in the batch.
    order = sorted(range(K), key=lambda k: full[k].get("depth", 0))
    params = [full[k] for k in order]
    est = clone(base).set_params(**params[0])
    est._sweep_values = {
        key: np.repeat([np.nan if q[key] is None else float(q[key]) for q in params], T)
        for key in type(est).sweep_parameters
        if not all(_same(params[0][key], q[key]) for q in params[1:])
    }
    ops = GroupOps(*group_structure(getattr(est, "groups", None), p))
    tile = (lambda a: None if a is None else np.tile(a, (K, 1)))  # noqa: E731
    start = time.perf_counter()
    results = est._fit_batch(
        SharedDesign.tiled(X, K), tile(y),
        None if X_val is None else SharedDesign.tiled(X_val, K), tile(y_val), tile(w_star), ops,
    )  # fmt: skip
    seconds = (time.perf_counter() - start) / len(results)
    out: list[list[FitResult]] = [[] for _ in range(K)]
    for i, k in enumerate(order):
        for res in results[i * T:(i + 1) * T]:
            res.seconds = seconds
            out[k].append(res)
    return out
