"""Early-stopping windows of a fit's recorded error path, and whether a run converged.

For a recorded path of iterations ``t_0 < t_1 < ... < t_K`` and relative errors
``e_k = ||w_{t_k} - w*|| / ||w*||``:

* the **success window** is ``[first, last]`` recorded iteration with ``e_k <= threshold``;
* the **near-minimum window** is ``[first, last]`` recorded iteration with
  ``e_k <= factor * min_k e_k`` (factor 1.1 by default).

Both are resolved only to the recording stride, and "last" is the last such record, so a
window that is still open when the run ends is cut at the last record (the trial's
``converged`` flag and iteration count say whether the run ended by itself). The window's
length is ``last - first`` (0 for a single record; -1 iterations when empty, reported as
``-1`` for both ends).
"""

from __future__ import annotations

import numpy as np

#: The success threshold on the relative error when a study does not set one (the
#: default of ``success.threshold`` in the config schema).
DEFAULT_THRESHOLD = 0.05

#: Per-trial columns the windows add to a result row, with their dtypes.
WINDOW_FIELDS: dict[str, str] = {
    "success_first": "int64", "success_last": "int64",
    "near_min_first": "int64", "near_min_last": "int64",
}  # fmt: skip


def stopping_windows(
    iteration: np.ndarray, oracle_error: np.ndarray, w_star_norm: float, threshold: float,
    factor: float = 1.1,
) -> dict[str, int]:
    """Success and near-minimum windows of one recorded path.

    Parameters
    ----------
    iteration : ndarray of shape (K,)
        Recorded iterations, increasing (``FitResult.path["iteration"]``).
    oracle_error : ndarray of shape (K,)
        ``||w_t - w*||`` at those iterations (``FitResult.path["oracle_error"]``); NaN
        records (e.g. after divergence) never count.
    w_star_norm : float
        ``||w*||``; relative error ``e = oracle_error / ||w*||``. Must be > 0.
    threshold : float
        Success threshold on the relative error.
    factor : float, default=1.1
        The near-minimum window is where ``e <= factor * min e``.

    Returns
    -------
    dict
        :data:`WINDOW_FIELDS`: ``success_first``, ``success_last``, ``near_min_first``,
        ``near_min_last`` (recorded iterations; -1 when the window is empty).

    Raises
    ------
    ValueError
        If the arrays differ in shape, ``w_star_norm <= 0`` or ``factor < 1``.
    """
    it = np.asarray(iteration)
    err = np.asarray(oracle_error, dtype=float)
    if it.shape != err.shape or it.ndim != 1:
        raise ValueError(f"iteration {it.shape} and oracle_error {err.shape} must be equal 1-D shapes")
    if not w_star_norm > 0:
        raise ValueError(f"w_star_norm={w_star_norm} must be > 0")
    if not factor >= 1:
        raise ValueError(f"factor={factor} must be >= 1")
    rel = err / w_star_norm
    finite = np.isfinite(rel)
    out = {}
    out["success_first"], out["success_last"] = _ends(it, finite & (rel <= threshold))
    best = np.min(rel[finite]) if finite.any() else np.nan
    out["near_min_first"], out["near_min_last"] = _ends(it, finite & (rel <= factor * best))
    return out


def _ends(it: np.ndarray, mask: np.ndarray) -> tuple[int, int]:
    hit = np.flatnonzero(mask)
    if hit.size == 0:
        return -1, -1
    return int(it[hit[0]]), int(it[hit[-1]])


def result_windows(result, w_star: np.ndarray, threshold: float, factor: float = 1.1) -> dict[str, int]:
    """:func:`stopping_windows` of a :class:`~gsbench.methods.FitResult`'s path.

    A result without a recorded oracle error (a failed fit, a method without a path) has
    empty windows (-1).
    """
    path = getattr(result, "path", None) or {}
    norm = float(np.linalg.norm(w_star))
    if "oracle_error" not in path or "iteration" not in path or norm == 0:
        return dict.fromkeys(WINDOW_FIELDS, -1)
    return stopping_windows(path["iteration"], path["oracle_error"], norm, threshold, factor)


def path_columns(result, w_star: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A :class:`~gsbench.methods.FitResult`'s recorded path as stored in a study's fit file:
    the recorded iterations (int64) and relative errors ``||w_t - w*|| / ||w*||`` (float64);
    both empty without a recorded oracle error or with ``w* = 0``."""
    path = getattr(result, "path", None) or {}
    norm = float(np.linalg.norm(w_star))
    if "oracle_error" not in path or "iteration" not in path or norm == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return (np.asarray(path["iteration"], dtype=np.int64),
            np.asarray(path["oracle_error"], dtype=float) / norm)


def windows_from_paths(iterations, rel_errors, threshold: float, factor: float = 1.1) -> dict[str, np.ndarray]:
    """:data:`WINDOW_FIELDS` of many stored paths (the fit files' ``path_iteration`` and
    ``path_rel_error`` columns) for one success `threshold`: one int64 array per field,
    -1 where a path is empty."""
    out = {key: np.full(len(iterations), -1, dtype=np.int64) for key in WINDOW_FIELDS}
    for i, (it, rel) in enumerate(zip(iterations, rel_errors)):
        if len(it):
            for key, value in stopping_windows(it, rel, 1.0, threshold, factor).items():
                out[key][i] = value
    return out


def converged_by_budget(status: str, iterations: int, max_iter: int) -> bool:
    """Whether an iterative run ended by itself rather than by running out of budget.

    Criterion (used until the runner's own ``converged`` column lands): the run is ``ok``
    and stopped before ``max_iter`` iterations, i.e. the loop's early termination found
    both the oracle error and the validation loss past their minimum for the patience
    window. A run that reached ``max_iter`` is *budget-exhausted*: its best iterate may
    still be improving, so it is never read as evidence for or against a claim.
    """
    return status == "ok" and int(iterations) < int(max_iter)
