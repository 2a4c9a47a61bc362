r"""Paired comparisons of two estimators' critical sample sizes measured on the same units.

A *pair* is one unit (a setting, or a replicate set of problems) on which both estimators
have a critical sample size: ``a_i`` and ``b_i``, e.g. ``n*`` of a model and of basis pursuit
on the same problems. The comparison is the geometric mean of the per-pair ratios,

.. math::

    \hat\rho = \exp\Big(\frac{1}{m}\sum_{i=1}^m \log\frac{a_i}{b_i}\Big),

with a percentile bootstrap interval over pairs (pairs resampled with replacement, the
ratio kept within each pair), and the exact two-sided sign test of
:math:`H_0: \Pr(a_i > b_i) = \Pr(a_i < b_i)`: with :math:`k_+` pairs above, :math:`k_-`
below (ties dropped), :math:`m' = k_+ + k_-` and :math:`k = \min(k_+, k_-)`,

.. math::

    p = \min\Big(1,\; 2 \sum_{j=0}^{k} \binom{m'}{j} 2^{-m'}\Big).

The study's verdict, the claims checker and the real-design and noisy studies use it (one
implementation for every paired comparison).
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from .intervals import bootstrap_interval

__all__ = ["PairedRatio", "paired_ratio", "sign_test"]


class PairedRatio(NamedTuple):
    """Result of :func:`paired_ratio` (a tuple: unpacks in this order)."""

    ratio: float  # geometric mean of a_i / b_i
    lo: float  # 2.5% bootstrap percentile (NaN with fewer than 2 pairs or n_boot = 0)
    hi: float  # 97.5% bootstrap percentile
    n_pairs: int  # pairs with both values finite and positive
    n_above: int  # pairs with a_i > b_i
    n_below: int  # pairs with a_i < b_i
    sign_test_p: float  # exact two-sided sign test (ties dropped); 1.0 without untied pairs


def sign_test(n_above: int, n_below: int) -> float:
    """Exact two-sided sign test p-value of ``n_above`` against ``n_below`` untied pairs."""
    m = int(n_above) + int(n_below)
    if m == 0:
        return 1.0
    k = min(int(n_above), int(n_below))
    tail = sum(math.comb(m, j) for j in range(k + 1)) / 2.0**m
    return min(1.0, 2.0 * tail)


def _check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"paired_ratio: {name}={value!r} must be a non-negative integer")
    return int(value)


def paired_ratio(a, b, n_boot: int = 2000, seed: int = 0) -> PairedRatio:
    r"""Geometric-mean ratio of matched values ``a_i / b_i``, its bootstrap interval over
    pairs and the exact sign test (see the module docstring for the formulas).

    Parameters
    ----------
    a, b : array-like of shape (m,)
        Matched positive values (e.g. ``n*`` of two estimators per unit). A pair with a
        non-finite or non-positive entry is dropped (``n_pairs`` counts the pairs kept).
    n_boot : int, default 2000
        Bootstrap resamplings of the pairs; 0 gives a NaN interval.
    seed : int, default 0
        Seed of the resampling.

    Returns
    -------
    PairedRatio
        ``(ratio, lo, hi, n_pairs, n_above, n_below, sign_test_p)``: ``ratio`` NaN without
        pairs; ``lo, hi`` the 2.5% and 97.5% percentiles of the resampled geometric means
        (NaN with fewer than two pairs).

    Raises
    ------
    ValueError
        If ``a`` and ``b`` are not one-dimensional arrays of the same shape (both shapes
        named), or ``n_boot`` / ``seed`` is not a non-negative integer.

    Examples
    --------
    >>> r = paired_ratio([20.0, 30.0, 40.0], [10.0, 15.0, 20.0], n_boot=100)
    >>> round(r.ratio, 6), round(r.lo, 6), round(r.hi, 6), r.n_above, r.sign_test_p
    (2.0, 2.0, 2.0, 3, 0.25)
    """
    n_boot, seed = _check_count("n_boot", n_boot), _check_count("seed", seed)
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"paired_ratio: a and b must be 1-D of one shape, got {a.shape} and {b.shape}")
    keep = np.isfinite(a) & np.isfinite(b) & (a > 0) & (b > 0)
    a, b = a[keep], b[keep]
    m = int(a.size)
    n_above, n_below = int(np.sum(a > b)), int(np.sum(a < b))
    p = sign_test(n_above, n_below)
    if m == 0:
        return PairedRatio(math.nan, math.nan, math.nan, 0, 0, 0, p)
    d = np.log(a) - np.log(b)
    ratio = float(np.exp(d.mean()))
    lo = hi = math.nan
    if m >= 2 and n_boot > 0:
        bounds = bootstrap_interval(d, lambda x: x.mean(axis=1), n_boot, seed)
        lo, hi = (float(v) for v in np.exp(np.array(bounds)))
    return PairedRatio(ratio, lo, hi, m, n_above, n_below, p)
