"""A drawn problem (:class:`Problem`), problems stacked into a batch, group labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..errors import ProblemError


@dataclass(frozen=True)
class Problem:
    """One synthetic regression problem.

    Attributes
    ----------
    X : ndarray of shape (n, p)
        Design matrix.
    y : ndarray of shape (n,)
        Responses ``X @ w_star + noise``.
    w_star : ndarray of shape (p,)
        True coefficients, non-zero exactly on the active groups.
    groups : ndarray of shape (p,)
        Group label (0, ..., L-1) of every feature; groups are contiguous blocks.
    X_val : ndarray of shape (n_val, p)
        Independent validation design from the same distribution.
    y_val : ndarray of shape (n_val,)
        Validation responses ``X_val @ w_star + noise``.
    seed : int
        The seed everything was drawn from.
    spec : dict
        The arguments of :func:`make_problem` that produced it.
    """

    X: np.ndarray
    y: np.ndarray
    w_star: np.ndarray
    groups: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    seed: int
    spec: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def p(self) -> int:
        return self.X.shape[1]

    @property
    def group_sizes(self) -> np.ndarray:
        return np.bincount(self.groups)

    @property
    def active_groups(self) -> np.ndarray:
        """Indices of the groups on which ``w_star`` is non-zero."""
        norms = np.sqrt(np.bincount(self.groups, weights=self.w_star**2))
        return np.flatnonzero(norms > 0)

    def to_npz(self, path) -> None:
        """Write X, y, w_star, groups, X_val, y_val (and the seed) to a ``.npz`` file."""
        np.savez(
            path,
            X=self.X,
            y=self.y,
            w_star=self.w_star,
            groups=self.groups,
            X_val=self.X_val,
            y_val=self.y_val,
            seed=np.int64(self.seed),
        )


def stack_problems(problems: Sequence[Problem]) -> tuple[np.ndarray, ...]:
    """X (B, n, p), y (B, n), X_val (B, m, p), y_val (B, m), w_star (B, p) of problems of one
    shape, stacked on a leading batch axis: the arguments of a method's ``fit_batch``."""
    return tuple(np.stack([getattr(pr, a) for pr in problems])
                 for a in ("X", "y", "X_val", "y_val", "w_star"))


def group_labels(p: int, group_size: int | Sequence[int]) -> np.ndarray:
    """Group label of each of ``p`` features for contiguous groups.

    Parameters
    ----------
    p : int
        Number of features.
    group_size : int or sequence of int
        One size for all groups (must divide ``p``) or the list of sizes (must sum to ``p``).

    Returns
    -------
    ndarray of shape (p,)
        ``labels[i] = l`` when feature ``i`` belongs to group ``G_l``.
    """
    if np.ndim(group_size) == 0:
        g = int(group_size)
        if g <= 0:
            raise ProblemError(f"group_size must be positive, got {group_size}")
        if p % g:
            raise ProblemError(f"group_size={g} does not divide p={p}")
        sizes = np.full(p // g, g)
    else:
        sizes = np.asarray(group_size, dtype=int)
        if sizes.size == 0 or np.any(sizes <= 0):
            raise ProblemError(f"group sizes must be positive, got {list(group_size)}")
        if sizes.sum() != p:
            raise ProblemError(f"group sizes {sizes.tolist()} sum to {sizes.sum()}, not p={p}")
    return np.repeat(np.arange(sizes.size), sizes)
