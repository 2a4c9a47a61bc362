"""Fitting for the figures: the problems, one batched fit without early termination,
and the error statistics of a path."""

from __future__ import annotations

import logging
import time
from typing import Iterable

import numpy as np

from ..methods import make_method
from ..problems import Problem, make_problem
from ..results_schema import STATUS_OK

log = logging.getLogger(__name__)

#: Never terminate early: the figures show whole trajectories, including late over-fitting
#: (``patience`` beyond any budget, the interpolation and stall rules off).
NO_EARLY_STOP = 10**12
RULES_OFF = {"interpolation_tol": None, "stall_tol": None}


def _problems(fs: dict, seeds: Iterable[int]) -> list[Problem]:
    spec = dict(fs["problem"])
    return [make_problem(**spec, seed=int(s)) for s in seeds]


def _fit(method: str, preset: str | None, params: dict | None, group_size, arrays,
         max_iter: int, stride: int, record: list[str] | None = None):
    full = {**(params or {}), "max_iter": int(max_iter), "stride": int(min(stride, max_iter)),
            "patience": NO_EARLY_STOP, **RULES_OFF}
    if record:
        full["record"] = list(record)
    est = make_method(method, full, groups=group_size, preset=preset)
    start = time.perf_counter()
    results = est.fit_batch(*arrays)
    log.info("%s: %d problem(s), %d iterations in %.1f s", method, len(results), max_iter,
             time.perf_counter() - start)
    for r in results:
        if r.status != STATUS_OK:
            log.warning("%s: status %s (%s)", method, r.status, r.message)
    return results


def _error_stats(it: np.ndarray, err: np.ndarray, horizon: int) -> dict:
    """Least error and where, the error at ``horizon`` and at the end of the path."""
    within = it <= horizon
    k = int(np.nanargmin(np.where(within, err, np.inf)))
    k_end = int(np.flatnonzero(within)[-1])
    settled = np.flatnonzero(within & (err <= 1.01 * err[k]))
    return {
        "least_error": float(err[k]),
        "settle_iteration": int(it[settled[0]]),
        "least_iteration": int(it[k]),
        "final_error": float(err[k_end]),
        "final_iteration": int(it[k_end]),
        "end_error": float(err[-1]),
        "end_iteration": int(it[-1]),
        "least_error_all": float(np.nanmin(err)),
        "least_iteration_all": int(it[int(np.nanargmin(err))]),
    }
