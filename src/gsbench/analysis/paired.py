r"""Paired ratios: two quantities measured on the same units (cells, problems), compared pair
by pair.

For positive pairs :math:`(a_i, b_i)`, :math:`i = 1, \dots, m`, the ratio is the geometric mean
of the per-pair ratios,

.. math::

    \hat r = \exp\Big(\frac1m \sum_i \log\frac{a_i}{b_i}\Big),

with a percentile bootstrap interval over pairs (pairs resampled with replacement, 95%) and
the exact two-sided sign test of :math:`H_0`: a pair is as likely above 1 as below
(:math:`n_{above}` of :math:`n_{above} + n_{below}` under Binomial(·, 1/2); ties left out).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["paired_ratio"]


def paired_ratio(a, b, n_boot: int = 1000, seed: int = 0
                 ) -> tuple[float, float, float, int, int, int, float]:
    """Geometric-mean ratio a/b over pairs, its bootstrap interval and a sign test.

    Parameters
    ----------
    a, b : array_like of shape (m,)
        Paired values; pairs where either is not finite and positive are left out.
    n_boot : int, default 1000
        Bootstrap replicates (0: NaN interval).
    seed : int, default 0

    Returns
    -------
    ratio, low, high : float
        Geometric mean of a_i / b_i and its 95% percentile interval (NaN without pairs).
    n_pairs, n_above, n_below : int
        Pairs used; pairs with a_i > b_i and with a_i < b_i.
    sign_test_p : float
        Exact two-sided sign-test p-value (1.0 without untied pairs).

    Examples
    --------
    >>> r = paired_ratio([2.0, 4.0, 8.0], [1.0, 2.0, 4.0], n_boot=100)
    >>> round(r[0], 6), r[3:6], round(r[6], 3)
    (2.0, (3, 3, 0), 0.25)
    """
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired_ratio: a and b need one shape, got {a.shape} and {b.shape}")
    ok = np.isfinite(a) & np.isfinite(b) & (a > 0) & (b > 0)
    logs = np.log(a[ok] / b[ok])
    m = logs.size
    above, below = int((logs > 0).sum()), int((logs < 0).sum())
    p_sign = float(stats.binomtest(above, above + below, 0.5).pvalue) if above + below else 1.0
    if m == 0:
        return np.nan, np.nan, np.nan, 0, 0, 0, 1.0
    ratio = float(np.exp(logs.mean()))
    if n_boot > 0:
        idx = np.random.default_rng(seed).integers(0, m, size=(n_boot, m))
        low, high = np.exp(np.percentile(logs[idx].mean(axis=1), [2.5, 97.5]))
    else:
        low = high = np.nan
    return ratio, float(low), float(high), m, above, below, p_sign
