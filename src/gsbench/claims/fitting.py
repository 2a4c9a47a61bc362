"""Fitting for the claims: problems per setting, batched fits -> tidy per-trial rows with
the convergence flags, the iteration budget of deep models.

Convergence flags (each claim reads the one its quantity needs, beside the runner's
``converged`` column, which only says a stopping rule rather than ``max_iter`` ended the
run; budget-exhausted trials are counted separately, never read as evidence):

* ``val_settled``: status ok and the validation-stopped iterate came at most half-way
  through the run (``stop_iteration <= last / 2``): the validation loss did not improve
  for as long again as it took to reach its minimum (the loop's own early-termination
  rule with patience ``t_v``). Used where the validation-stopped error is the quantity.
* ``window_closed``: status ok and the error rose above 1.1 x its minimum before the run
  ended (``near_min_last < last``), so the near-minimum window is complete.
* ``interpolated``: status ok and ``||X w_final - y|| <= tol ||y||``: the final iterate
  is (numerically) the limit of gradient descent, which the implicit-bias claims are about.

A run predicted to need more than the budget cap is not fitted at all: its rows have
``status = "not_run"`` and count as budget-exhausted.
"""

from __future__ import annotations

import logging
from typing import Callable
import math
import time

import numpy as np
import pandas as pd

from ..problems import Problem, derive_seed, make_problem
from ..runner import fit_problems, fit_problems_sweep
from .settings import method_spec

log = logging.getLogger(__name__)


#: beyond any budget, and the interpolation and stall rules off (``_iterative``).
NO_EARLY_STOP = 10**12
RULES_OFF = {"interpolation_tol": None, "stall_tol": None}

TRIAL_COLUMNS = [
    "trial", "seed", "status", "rel_error_oracle", "rel_error_validation", "rel_error_final",
    "sq_error_validation", "oracle_iteration", "stop_iteration", "iterations", "last_iteration",
    "success_first", "success_last", "near_min_first", "near_min_last", "train_residual",
    "val_settled", "window_closed", "interpolated",
]  # fmt: skip


def setting_problems(problem: dict, trials: int) -> list[Problem]:
    """``trials`` problems of one setting, trial t drawn with seed
    ``derive_seed(problem, t)``: the seed depends on the problem's parameters only, so
    every method (and every swept hyperparameter) sees the same problems."""
    spec = dict(problem)
    return [make_problem(**spec, seed=derive_seed(spec, t)) for t in range(int(trials))]


def predicted_iterations(depth: int, alpha: float, amplitude: float = 1.0) -> float:
    """Iterations for an entry of size A to escape from ``u(0) = alpha`` under gradient
    descent on ``w = u^N - v^N`` with the default step ``1 / (5 N^2 A^(2-2/N))``.

    ``u' = step N A u^(N-1)`` gives, for N = 2, ``5 ln(A / alpha^2)``, and for N >= 3
    ``5 N A^(1-2/N) / ((N - 2) alpha^(N-2))``: growing like ``alpha^-(N-2)``.
    """
    if depth == 2:
        return 5.0 * math.log(max(amplitude / alpha**2, math.e))
    return 5.0 * depth * amplitude ** (1 - 2 / depth) / ((depth - 2) * alpha ** (depth - 2))


def budget(depth: int | None, alpha: float | None, spec: dict, amplitude: float = 1.0) -> int | None:
    """``max_iter`` of one run: ``max(min_iter, budget_factor x predicted)``, or None when
    that exceeds ``max_iter`` (the cap): the run is then not fitted (budget-exhausted)."""
    if depth is None or alpha is None:
        return int(spec["max_iter"])
    need = max(float(spec["min_iter"]), spec["budget_factor"] * predicted_iterations(depth, alpha, amplitude))
    return None if need > spec["max_iter"] else int(math.ceil(need / spec["stride"]) * spec["stride"])


def fit_trials(method: str, params: dict, problems: list[Problem], *, threshold: float,
               interp_tol: float = 1e-3, preset: str | None = None,
               extra: Callable | None = None) -> pd.DataFrame:
    """Fit ``method`` on all problems in one batch; one row per trial (:data:`TRIAL_COLUMNS`,
    plus the columns ``extra(result, problem) -> dict`` returns)."""
    start = time.perf_counter()
    rows, results = fit_problems(method, problems, params, preset=preset, threshold=threshold)
    frame = trial_frame(rows, results, problems, interp_tol, extra)
    log.info("%s %s: %d trials in %.1f s", method, params, len(problems), time.perf_counter() - start)
    return frame


def fit_trials_sweep(method: str, settings: list[dict], problems: list[Problem], *,
                     threshold: float, interp_tol: float = 1e-3, preset: str | None = None,
                     extra: Callable | None = None) -> list[pd.DataFrame]:
    """:func:`fit_trials` of each of K settings (hyperparameter dicts) of one method on the
    same problems, one frame per setting; the settings an iterative method can advance
    together are fitted as one sweep (:func:`gsbench.runner.fit_problems_sweep`: one product
    of X with a p x K matrix per iteration instead of K matrix-vector products)."""
    start = time.perf_counter()
    fitted = fit_problems_sweep(method, problems, settings, preset=preset, threshold=threshold)
    frames = [trial_frame(rows, results, problems, interp_tol, extra) for rows, results in fitted]
    log.info("%s, %d settings: %d trials each in %.1f s", method, len(settings), len(problems),
             time.perf_counter() - start)
    return frames


def whole_run(params: dict, max_iter: int, stride: int) -> dict:
    """``params`` run to ``max_iter`` without early stopping (every stopping rule off),
    recording every ``stride`` iterations."""
    return {**params, "max_iter": max_iter, "stride": stride, "patience": NO_EARLY_STOP,
            **RULES_OFF}


def fit_labels(runs: dict[str, tuple[str, dict]], problems: list[Problem], **kw
               ) -> dict[str, pd.DataFrame]:
    """:func:`fit_trials_sweep` of labelled runs ``label -> (registry name, parameters)``:
    the labels of one registry method are fitted together; returns ``label -> frame``
    (``kw`` as :func:`fit_trials_sweep`)."""
    by_name: dict[str, list[str]] = {}
    for label, (name, _) in runs.items():
        by_name.setdefault(name, []).append(label)
    frames = {}
    for name, labels in by_name.items():
        fitted = fit_trials_sweep(name, [runs[label][1] for label in labels], problems, **kw)
        frames.update(zip(labels, fitted))
    return frames


def trial_frame(rows: list[dict], results: list, problems: list[Problem], interp_tol: float,
                extra: Callable | None = None) -> pd.DataFrame:
    """The per-trial frame (:data:`TRIAL_COLUMNS` + ``extra``) of one method's fit rows and
    results on ``problems``."""
    out = []
    for t, (row, res, pr) in enumerate(zip(rows, results, problems)):
        last = int(res.path["iteration"][-1]) if "iteration" in res.path and len(res.path["iteration"]) else -1
        resid = float(np.linalg.norm(pr.X @ res.coef_final - pr.y) / max(np.linalg.norm(pr.y), 1e-300))
        ok = row["status"] == "ok"
        out.append({
            "trial": t, "seed": pr.seed, "status": row["status"],
            "rel_error_oracle": row["rel_error_oracle"],
            "rel_error_validation": row["rel_error_validation"],
            "rel_error_final": row["rel_error_final"],
            "sq_error_validation": float(np.sum((res.coef_validation - pr.w_star) ** 2)),
            "oracle_iteration": row["oracle_iteration"], "stop_iteration": row["stop_iteration"],
            "iterations": row["iterations"], "last_iteration": last,
            **{k: row[k] for k in ("success_first", "success_last", "near_min_first", "near_min_last")},
            "train_residual": resid,
            "val_settled": ok and row["stop_iteration"] <= last / 2,
            "window_closed": ok and 0 <= row["near_min_last"] < last,
            "interpolated": ok and resid <= interp_tol,
            **(extra(res, pr) if extra is not None else {}),
        })  # fmt: skip
    return pd.DataFrame(out)


def fit_whole_runs(section: dict, problems: list[Problem], *, threshold: float,
                   **columns) -> list[pd.DataFrame]:
    """Every method of ``section["methods"]`` run without early stopping to
    ``section["max_iter"]`` (path recorded every ``section["stride"]``) on ``problems``: one
    :func:`fit_trials` frame per method, with the columns ``method`` (its label) and
    ``columns``, in the order of the labels. Labels of one registry method are fitted
    together (:func:`fit_trials_sweep`)."""
    runs = {}
    for label, body in section["methods"].items():
        name, params = method_spec(label, body)
        runs[label] = (name, whole_run(params, section["max_iter"], section["stride"]))
    frame_of = fit_labels(runs, problems, threshold=threshold, interp_tol=section["interp_tol"])
    return [frame_of[label].assign(method=label, **columns) for label in section["methods"]]


def not_run_trials(problems: list[Problem], reason: str) -> pd.DataFrame:
    """Rows of a run that was not fitted because it needs more than the budget cap."""
    frame = pd.DataFrame({c: [np.nan] * len(problems) for c in TRIAL_COLUMNS})
    frame["trial"] = range(len(problems))
    frame["seed"] = [p.seed for p in problems]
    frame["status"] = "not_run"
    for flag in ("val_settled", "window_closed", "interpolated"):
        frame[flag] = False
    frame["message"] = reason
    return frame
