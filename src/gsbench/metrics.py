"""Accuracy of an estimate against the truth.

* relative error ``||w_hat - w*||_2 / ||w*||_2`` (``||w_hat||_2`` when ``w* = 0``);
* group support: group l is *selected* when ``||w_hat_l||_2 > SUPPORT_TOL * max_k ||w_hat_k||_2``
  (implicit methods never give exact zeros; off-support groups stay at the scale of the
  initialisation, many orders below this cut), and

      precision = |selected ∩ S| / |selected|,   recall = |selected ∩ S| / |S|

  with ``S`` the true active groups (precision is 1 when nothing is selected, recall is 1
  when S is empty).
"""

from __future__ import annotations

import numpy as np

SUPPORT_TOL = 1e-2


def relative_error(w_hat: np.ndarray, w_star: np.ndarray) -> float:
    """``||w_hat - w*|| / ||w*||``; NaN if ``w_hat`` is not finite."""
    w_hat = np.asarray(w_hat, dtype=float)
    if not np.all(np.isfinite(w_hat)):
        return float("nan")
    denom = np.linalg.norm(w_star)
    diff = np.linalg.norm(w_hat - w_star)
    return float(diff / denom) if denom > 0 else float(diff)


def group_norms(w: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``||w_l||_2`` for every group label 0..L-1 of ``groups`` (shape (p,))."""
    return np.sqrt(np.bincount(groups, weights=np.asarray(w, dtype=float) ** 2))


def selected_groups(w_hat: np.ndarray, groups: np.ndarray, tol: float = SUPPORT_TOL) -> np.ndarray:
    """Boolean mask over groups of the selected ones (see module docstring)."""
    norms = group_norms(w_hat, groups)
    top = norms.max() if norms.size else 0.0
    return norms > tol * top if top > 0 else np.zeros(norms.size, dtype=bool)


def support_scores(w_hat: np.ndarray, w_star: np.ndarray, groups: np.ndarray) -> tuple[float, float]:
    """Group-level ``(precision, recall)`` of ``w_hat``'s support; NaN if not finite."""
    if not np.all(np.isfinite(w_hat)):
        return float("nan"), float("nan")
    sel = selected_groups(w_hat, groups)
    true = group_norms(w_star, groups) > 0
    hits = np.count_nonzero(sel & true)
    precision = hits / np.count_nonzero(sel) if sel.any() else 1.0
    recall = hits / np.count_nonzero(true) if true.any() else 1.0
    return float(precision), float(recall)
