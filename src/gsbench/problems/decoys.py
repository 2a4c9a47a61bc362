"""Decoy designs: inactive columns that carry a weight rho of the signal direction."""

from __future__ import annotations

import numpy as np

from ..errors import ProblemError


def _scattered(rng, members: list[np.ndarray]) -> np.ndarray:
    return np.array([rng.choice(m) for m in members], dtype=int)


def _aligned(rng, members: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(members)


#: Decoy layouts: ``name -> f(rng, members)``, where ``members`` lists the feature indices of
#: each chosen inactive group and ``f`` returns the decoy features.  Add a layout here.
DECOY_LAYOUTS = {"scattered": _scattered, "aligned": _aligned}


def decoy_columns(
    rng: np.random.Generator,
    groups: np.ndarray,
    active: np.ndarray,
    layout: str,
    n_groups: int | None = None,
) -> np.ndarray:
    """Features that become decoys: ``n_groups`` random inactive groups, then the layout.

    ``"scattered"`` takes one random feature of each chosen group, ``"aligned"`` every
    feature.  ``n_groups`` defaults to one group for ``"aligned"`` and, for ``"scattered"``,
    to as many groups as the largest group has features (so both layouts hold about ``g``
    decoys), capped by the number of inactive groups.
    """
    if layout not in DECOY_LAYOUTS:
        raise ProblemError(f"decoy_layout must be one of {tuple(DECOY_LAYOUTS)}, got {layout!r}")
    inactive = np.setdiff1d(np.arange(groups.max() + 1), active)
    reason = decoy_impossible(groups.max() + 1, len(active), n_groups)
    if reason:
        raise ProblemError(reason, "active_groups" if n_groups is None else "decoy_groups")
    if n_groups is None:
        n_groups = 1 if layout == "aligned" else min(int(np.bincount(groups).max()), inactive.size)
    chosen = np.sort(rng.choice(inactive, size=int(n_groups), replace=False))
    return np.sort(DECOY_LAYOUTS[layout](rng, [np.flatnonzero(groups == l) for l in chosen]))


def decoy_impossible(n_groups: int, active_groups: int, decoy_groups: int | None) -> str | None:
    """Why a decoy design cannot be drawn with ``active_groups`` of ``n_groups`` groups active
    and ``decoy_groups`` decoy groups asked for (None: the default), or None if it can."""
    inactive = n_groups - active_groups
    if inactive < 1:
        return (f"design 'decoy' needs an inactive group to hold decoys, but all {n_groups} "
                f"groups are active (active_groups={active_groups})")
    if decoy_groups is not None and not 1 <= decoy_groups <= inactive:
        return (f"decoy_groups={decoy_groups} is impossible with {inactive} inactive groups "
                f"({n_groups} groups, active_groups={active_groups})")
    return None


def add_decoys(X: np.ndarray, signal: np.ndarray, columns: np.ndarray, rho: float) -> np.ndarray:
    r"""Mix the normalised noiseless signal into chosen (inactive) columns.

    .. math::

        x_d \leftarrow \sqrt{1 - \rho^2}\, z_d + \rho \sqrt{n}\, y^* / \|y^*\|,
        \qquad d \in \text{columns},

    where :math:`z_d` is the column as drawn and :math:`y^* = X w^*`.  With i.i.d. unit
    columns and :math:`s` active groups of :math:`g` equal entries, a decoy has entrywise
    coherence :math:`\approx \rho/\sqrt{s g}` with every active feature, and a group with
    one decoy has block coherence :math:`\approx \rho/\sqrt{s}` with every active group.
    Two decoys share the direction :math:`y^*`, so their mutual coherence is
    :math:`\approx \rho^2`: the design's measured :math:`\mu` is about
    :math:`\max(\rho/\sqrt{sg}, \rho^2)` and, scattered, its :math:`\delta_{out}` about
    :math:`\max(\rho/\sqrt{s}, \rho^2)`.
    Decoys are inactive, so :math:`y^*` is unchanged.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    signal : ndarray of shape (n,)
        The noiseless signal :math:`y^* = X w^*` (must be non-zero).
    columns : ndarray of int
        Decoy features (must be outside the support).
    rho : float in [0, 1]

    Returns
    -------
    ndarray of shape (n, p)
        A copy of ``X`` with the decoy columns replaced.
    """
    if not 0.0 <= rho <= 1.0:
        raise ProblemError(f"decoy_rho must lie in [0, 1], got {rho}")
    norm = np.linalg.norm(signal)
    if norm == 0:
        raise ProblemError("design 'decoy' needs a non-zero signal (active_groups >= 1)")
    out = X.copy()
    direction = np.sqrt(X.shape[0]) * signal / norm
    out[:, columns] = np.sqrt(1.0 - rho**2) * X[:, columns] + rho * direction[:, None]
    return out
