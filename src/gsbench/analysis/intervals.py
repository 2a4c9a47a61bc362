"""Intervals: the binomial Wilson interval, the one percentile bootstrap and the one
interval formatter.

Every bootstrap in gsbench resamples with :func:`resample_indices` (units drawn with
replacement, one row of indices per replicate) and reads its interval off the replicates
with :func:`percentile_interval`; every ``"value [low, high]"`` in a table or report is
written by :func:`format_interval`.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy import stats

__all__ = [
    "bootstrap_interval",
    "format_interval",
    "percentile_interval",
    "resample_indices",
    "tail_percent",
    "wilson_interval",
]


def tail_percent(confidence: float) -> float:
    r"""Percent of the replicates below (and above) a two-sided percentile interval of level
    :math:`\gamma`: :math:`50 (1 - \gamma)` (2.5 for 95%, up to rounding: ``50 * (1 - 0.95)``
    is 2.500000000000002, which the study's intervals have always used)."""
    return 50.0 * (1.0 - float(confidence))


def resample_indices(rng: np.random.Generator, m: int, n_boot: int) -> np.ndarray:
    """Indices of `n_boot` bootstrap resamples of `m` units, shape ``(n_boot, m)``: row r
    draws ``m`` units uniformly with replacement (the draws of r calls of
    ``rng.integers(0, m, m)``, in order)."""
    return rng.integers(0, m, size=(int(n_boot), int(m)))


def percentile_interval(replicates, tail: float = 2.5, axis=None) -> tuple:
    r"""The percentile interval of bootstrap replicates: their ``tail`` and ``100 - tail``
    percentiles (linear interpolation), along `axis` (None: all of them).

    ``tail = 2.5`` is the 95% interval; :func:`tail_percent` converts a level.

    >>> percentile_interval(np.arange(101.0))
    (2.5, 97.5)
    """
    low, high = np.percentile(replicates, [tail, 100.0 - tail], axis=axis)
    if np.ndim(low) == 0:
        return float(low), float(high)
    return low, high


def bootstrap_interval(values, statistic: Callable[[np.ndarray], np.ndarray], n_boot: int,
                       seed: int, tail: float = 2.5) -> tuple[float, float]:
    r"""Percentile bootstrap interval of a statistic of i.i.d. units.

    The units ``values`` (1-D, m of them) are resampled :math:`B` = `n_boot` times with
    replacement (:func:`resample_indices`, ``numpy.random.default_rng(seed)``), the
    statistic is computed on every resample at once (``statistic`` maps the ``(B, m)``
    array of resamples to the ``B`` replicates, e.g. ``lambda x: np.median(x, axis=1)``),
    and the interval is :func:`percentile_interval` of the replicates.
    """
    values = np.asarray(values)
    rng = np.random.default_rng(seed)
    replicates = statistic(values[resample_indices(rng, values.size, n_boot)])
    return percentile_interval(replicates, tail)


def format_interval(value, low=math.nan, high=math.nan, spec: str = ".3g",
                    missing: str = "n/a") -> str:
    """``"1.23 [1.01, 1.45]"``: the value and its interval, numbers written with the format
    `spec`.

    A value that is not a finite number is `missing` (no interval); the bracket is written
    when at least one bound is finite, a non-finite bound as `missing`. A string value is
    returned as is.

    >>> format_interval(64.24, 58.1, 70.33, ".1f")
    '64.2 [58.1, 70.3]'
    >>> format_interval(0.5), format_interval(float("nan"), 1, 2, missing="—")
    ('0.5', '—')
    """
    if isinstance(value, str):
        return value

    def num(v) -> str:
        v = float(v)
        return f"{v:{spec}}" if math.isfinite(v) else missing

    value = float(value)
    if not math.isfinite(value):
        return missing
    if math.isfinite(float(low)) or math.isfinite(float(high)):
        return f"{num(value)} [{num(low)}, {num(high)}]"
    return num(value)


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
