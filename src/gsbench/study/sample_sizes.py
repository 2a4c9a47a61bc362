"""The ``grid.n.adaptive`` settings and round 0's sample sizes (see :mod:`.adaptive`).

Below :mod:`.cells` and :mod:`.config`, which read the settings, and :mod:`.adaptive`,
which plans the refinement rounds from fitted trials.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError


@dataclass(frozen=True)
class AdaptiveGrid:
    """The ``grid.n.adaptive`` settings (see the module docstring and config/README.md)."""

    low: int
    high: int
    precision: float
    coarse: int = 5
    rounds: int = 3
    per_round: int = 1

    @classmethod
    def from_mapping(cls, spec: dict) -> "AdaptiveGrid":
        """From the validated mapping; a range or coarse count that cannot work is a
        :class:`ConfigError` naming the key."""
        key = "config key 'grid.n.adaptive"
        low, high = spec["range"]
        if low >= high:
            raise ConfigError(f"{key}.range': low {low} must be below high {high}")
        coarse = spec.get("coarse", cls.coarse)
        if coarse > high - low + 1:
            raise ConfigError(f"{key}.coarse': {coarse} sample sizes do not fit in the range "
                              f"[{low}, {high}] ({high - low + 1} integers)")
        return cls(low=low, high=high, precision=float(spec["precision"]), coarse=coarse,
                   rounds=spec.get("rounds", cls.rounds),
                   per_round=spec.get("per_round", cls.per_round))


def adaptive_grid(config: dict) -> AdaptiveGrid | None:
    """The config's adaptive grid, or None for a list of sample sizes (or ``statdim_l1``)."""
    n = config["grid"]["n"]
    return AdaptiveGrid.from_mapping(n["adaptive"]) if isinstance(n, dict) and "adaptive" in n else None


def coarse_sizes(spec: AdaptiveGrid) -> list[int]:
    r"""Round 0's sample sizes: ``coarse`` integers geometric over the range, ends included,
    :math:`\mathrm{round}(lo\,(hi/lo)^{j/(c-1)})`, :math:`j = 0..c-1` (distinct: where
    rounding merges two, the next integer up is taken)."""
    raw = spec.low * (spec.high / spec.low) ** (np.arange(spec.coarse) / (spec.coarse - 1))
    sizes: list[int] = []
    for value in np.rint(raw).astype(int):
        sizes.append(max(int(value), sizes[-1] + 1) if sizes else int(value))
    sizes[-1] = spec.high  # the increments above never pass high: coarse <= high - low + 1
    return sizes


def first_sizes(spec: AdaptiveGrid) -> list[int]:
    """Round 0's sample sizes: :func:`coarse_sizes` without the top of the range, which a
    later round adds only to the curves that still fail below it (:func:`plan_round`)."""
    return coarse_sizes(spec)[:-1]
