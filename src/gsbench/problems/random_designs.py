"""Random design matrices by name (:data:`DESIGN_DRAWS`): Rademacher, Gaussian, AR(1)
correlated, orthogonal; ``"decoy"`` draws Rademacher columns that :mod:`.decoys` edits."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..errors import ProblemError


def _rademacher(rng: np.random.Generator, n: int, p: int, rho: float) -> np.ndarray:
    return rng.integers(0, 2, size=(n, p)).astype(float) * 2.0 - 1.0


def _gaussian(rng: np.random.Generator, n: int, p: int, rho: float) -> np.ndarray:
    return rng.standard_normal((n, p))


def _correlated(rng: np.random.Generator, n: int, p: int, rho: float) -> np.ndarray:
    # AR(1) across columns: x_j = rho x_{j-1} + sqrt(1 - rho^2) z_j has Cov = rho^|i-j|.
    from scipy.signal import lfilter  # imported here: scipy.signal costs every job 0.35 s

    z = rng.standard_normal((n, p))
    x = np.empty_like(z)
    x[:, 0] = z[:, 0]
    if p > 1:
        x[:, 1:], _ = lfilter(
            [np.sqrt(1.0 - rho**2)], [1.0, -rho], z[:, 1:], axis=1, zi=rho * z[:, :1]
        )
    return x


def _orthogonal(rng: np.random.Generator, n: int, p: int, rho: float) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, p)))
    # Sign fix makes Q unique (Haar-distributed) given the Gaussian draw.
    return np.sqrt(n) * q * np.sign(np.diag(r))


#: Design name -> ``draw(rng, n, p, rho)`` returning an (n, p) matrix; see :func:`make_problem`.
#: A new design is one function added here (and to the config schema's ``grid.design`` enum).
DESIGN_DRAWS: dict[str, Callable[[np.random.Generator, int, int, float], np.ndarray]] = {
    "rademacher": _rademacher,
    "gaussian": _gaussian,
    "correlated": _correlated,
    "orthogonal": _orthogonal,
    "decoy": _rademacher,  # Rademacher columns, then chosen inactive ones replaced by add_decoys
}
#: ``"real"``: rows of a data set (gsbench.designs), given by make_problem's ``data``.
DESIGNS = (*DESIGN_DRAWS, "real")


def _design(rng: np.random.Generator, n: int, p: int, design: str, rho: float) -> np.ndarray:
    """Draw an (n, p) design matrix; see :func:`make_problem` for the designs."""
    if design not in DESIGN_DRAWS:
        raise ProblemError(f"design must be one of {DESIGNS}, got {design!r}", "design")
    return DESIGN_DRAWS[design](rng, n, p, rho)
