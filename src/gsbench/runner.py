"""One method on a batch of problems -> one tidy row per problem.

This is the unit of work of ``gsbench fit`` and of every workflow job: problems of one shape
are stacked, fitted together by the method's ``fit_batch`` and scored against ``w*``.
``converged`` says whether the fit met its stopping criterion (early-termination rule, or
the solver's tolerance at every lambda) rather than running out of budget. A
method that raises or diverges yields rows with ``status`` "failed"/"diverged" and a
``message``; it never raises.
"""

from __future__ import annotations

import json
import time
from typing import Any, Sequence

import numpy as np

from .methods import FitResult, MethodError, make_method
from .metrics import relative_error, support_scores
from .problems import Problem, stack_problems
from .results_schema import RESULT_FIELDS  # noqa: F401 (the rows' columns, re-exported)
from .stopping_windows import DEFAULT_THRESHOLD, result_windows



def _jsonable(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def result_row(result: FitResult, problem: Problem, params: dict,
               threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Score one :class:`FitResult` against its problem (``threshold``: the success
    threshold on the relative error, for the early-stopping windows)."""
    prec, rec = support_scores(result.coef_validation, problem.w_star, problem.groups)
    return {
        "rel_error_oracle": relative_error(result.coef_oracle, problem.w_star),
        "rel_error_validation": relative_error(result.coef_validation, problem.w_star),
        "rel_error_final": relative_error(result.coef_final, problem.w_star),
        "support_precision": prec,
        "support_recall": rec,
        "oracle_iteration": int(result.oracle_iteration),
        "stop_iteration": int(result.stop_iteration),
        "iterations": int(result.iterations),
        "seconds": float(result.seconds),
        "status": result.status,
        "message": result.message,
        "params": json.dumps({k: _jsonable(v) for k, v in params.items()}, sort_keys=True),
        "resolved": json.dumps(result.resolved, sort_keys=True),
        "extra": json.dumps({k: _jsonable(v) for k, v in result.extra.items()}, sort_keys=True),
        "converged": bool(result.converged),
        **result_windows(result, problem.w_star, threshold),
    }


def batch_nbytes(est, n_problems: int, n: int, p: int, n_val: int | None = None) -> int:
    """Peak memory in bytes of fitting ``est`` on a batch of ``n_problems`` problems of shape
    (n, p) with ``n_val`` validation rows (default n): the problems' designs (X, X_val) and
    their stacked copy, one problem's temporary draws (:func:`~gsbench.problems.problem_nbytes`),
    and what the fit keeps (``est.fit_nbytes``: the recorded path of an iterative method).
    ``est`` None counts the problems only. The study planner (``cell_nbytes``) and ``gsbench
    fit`` check this estimate against the available memory."""
    from .problems import problem_nbytes

    n_val = n if n_val is None else n_val
    arrays = 8 * p * (n + n_val)
    fit = 0 if est is None else est.fit_nbytes(n_problems, n, p, n_val)
    return 2 * n_problems * arrays + problem_nbytes(n, p, n_val) - arrays + fit


def _used_params(est) -> dict[str, Any]:
    """The estimator's parameters as recorded in a row's ``params`` (``groups`` is the
    cell's)."""
    used = est.get_params(deep=False)
    used.pop("groups", None)
    return used


def fit_problems(
    method: str,
    problems: Sequence[Problem],
    params: dict[str, Any] | None = None,
    *,
    preset: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[list[dict[str, Any]], list[FitResult]]:
    """Fit ``method`` on problems that share (n, p, groups, n_val) in one batch.

    Returns the rows (see :data:`RESULT_FIELDS`) and the raw results (coefficients, paths).
    Unknown methods or parameters raise :class:`~gsbench.methods.MethodError` (a
    configuration error, caught before any job runs); anything raised while fitting becomes
    ``status="failed"`` rows.
    """
    if not problems:
        return [], []
    first = problems[0]
    for pr in problems[1:]:
        if pr.X.shape != first.X.shape or pr.X_val.shape != first.X_val.shape or not np.array_equal(
            pr.groups, first.groups
        ):
            raise ValueError("fit_problems needs problems of one shape and group structure")
    est = make_method(method, params, groups=first.group_sizes.tolist(), preset=preset)
    used = _used_params(est)
    start = time.perf_counter()
    try:
        results = est.fit_batch(*stack_problems(problems))
    except MethodError:
        raise
    except Exception as exc:  # recorded, never fatal to a study
        seconds = (time.perf_counter() - start) / len(problems)
        msg = f"{type(exc).__name__}: {exc}"
        results = [FitResult.failure(first.p, msg, seconds) for _ in problems]
    rows = [result_row(res, pr, used, threshold) for res, pr in zip(results, problems)]
    return rows, results


def fit_problems_sweep(
    method: str,
    problems: Sequence[Problem],
    settings: Sequence[dict[str, Any]],
    *,
    preset: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[list[dict[str, Any]], list[FitResult]]]:
    """:func:`fit_problems` for each of K settings (hyperparameter dicts) of one method on the
    same problems: ``out[k] == fit_problems(method, problems, settings[k], ...)`` (to
    rounding; ``seconds`` is the shared wall time divided by the fits).

    An iterative method advances the settings that differ only in numeric hyperparameters
    together (:func:`gsbench.methods.fit_sweep`: one product of X with a p x K matrix per
    iteration); settings that differ in anything else form separate sweeps, and a method
    that is not iterative fits its settings one at a time. A sweep that raises is refitted
    setting by setting, so that the failure is recorded where it belongs.
    """
    from .methods import IterativeRegressor, fit_sweep
    from .methods._settings_batch import sweep_conflict

    settings = [dict(s or {}) for s in settings]
    out: list = [None] * len(settings)
    if not problems or not settings:
        return [([], []) for _ in settings]
    first = problems[0]
    groups = first.group_sizes.tolist()
    ests = [make_method(method, s, groups=groups, preset=preset) for s in settings]
    batches: list[list[int]] = []
    if isinstance(ests[0], IterativeRegressor):
        full = [est.get_params(deep=False) for est in ests]
        for k in range(len(ests)):  # into the first batch that takes it, in order
            for batch in batches:
                if sweep_conflict(type(ests[0]), [full[j] for j in batch + [k]]) is None:
                    batch.append(k)
                    break
            else:
                batches.append([k])
    for batch in batches:
        if len(batch) < 2:
            continue
        try:
            swept = fit_sweep(make_method(method, groups=groups, preset=preset),
                              [settings[k] for k in batch], *stack_problems(problems))
        except MethodError:
            raise
        except Exception:  # refitted one setting at a time below
            continue
        for k, results in zip(batch, swept):
            used = _used_params(ests[k])
            out[k] = ([result_row(res, pr, used, threshold) for res, pr in zip(results, problems)],
                      results)
    for k, setting in enumerate(settings):
        if out[k] is None:
            out[k] = fit_problems(method, problems, setting, preset=preset, threshold=threshold)
    return out
