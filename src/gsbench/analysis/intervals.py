"""Confidence intervals for binomial proportions."""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["wilson_interval"]


def wilson_interval(successes, trials, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    r"""Wilson score interval for a binomial proportion, vectorised.

    With :math:`k` successes out of :math:`m` trials, :math:`\hat p = k/m` and
    :math:`z = \Phi^{-1}\big(1 - (1-\gamma)/2\big)` for confidence level :math:`\gamma`,

    .. math::

        \frac{\hat p + \dfrac{z^2}{2m}}{1 + \dfrac{z^2}{m}}
        \;\pm\;
        \frac{z}{1 + \dfrac{z^2}{m}}
        \sqrt{\frac{\hat p(1-\hat p)}{m} + \frac{z^2}{4m^2}} .

    The bounds are clipped to :math:`[0, 1]` (they lie there already up to rounding;
    :math:`k=0` gives a lower bound of exactly 0 and :math:`k=m` an upper bound of exactly 1).

    Parameters
    ----------
    successes, trials : array_like
        Success counts :math:`k` and trial counts :math:`m`; broadcast against each other.
        ``trials == 0`` (or NaN input) gives NaN bounds.
    confidence : float, default 0.95
        Confidence level :math:`\gamma \in (0, 1)`.

    Returns
    -------
    low, high : numpy.ndarray
        Lower and upper bounds, float arrays of the broadcast shape (0-d for scalar input).

    Raises
    ------
    ValueError
        If `confidence` is not in (0, 1), or a count is negative or ``successes > trials``.

    Examples
    --------
    >>> low, high = wilson_interval([0, 5, 10], [10, 10, 10])
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0, 0.2366, 0.7225], [0.2775, 0.7634, 1.0])
    """
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"wilson_interval: confidence={confidence!r} must lie in (0, 1)")
    k, m = np.broadcast_arrays(np.asarray(successes, dtype=float), np.asarray(trials, dtype=float))
    with np.errstate(invalid="ignore"):
        if np.any(k < 0) or np.any(m < 0):
            raise ValueError("wilson_interval: successes and trials must be non-negative")
        if np.any(k > m):
            raise ValueError("wilson_interval: successes must not exceed trials")
    z = stats.norm.ppf(0.5 + 0.5 * float(confidence))
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = m > 0
        m_safe = np.where(valid, m, 1.0)
        phat = k / m_safe
        denom = 1.0 + z2 / m_safe
        center = (phat + z2 / (2.0 * m_safe)) / denom
        half = z / denom * np.sqrt(phat * (1.0 - phat) / m_safe + z2 / (4.0 * m_safe**2))
        low = np.where(valid, np.clip(center - half, 0.0, 1.0), np.nan)
        high = np.where(valid, np.clip(center + half, 0.0, 1.0), np.nan)
    # Exact edges: no rounding noise at k == 0 or k == m.
    low = np.where(valid & (k == 0), 0.0, low)
    high = np.where(valid & (k == m), 1.0, high)
    return low, high
