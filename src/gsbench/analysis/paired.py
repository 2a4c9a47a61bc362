r"""Paired comparison of two methods' critical sample sizes on their common cells.

For matched values :math:`a_i, b_i > 0` (e.g. :math:`n^\star` of two methods on the same
cell :math:`i = 1..m`) the comparison is made on the log ratios
:math:`d_i = \log(a_i / b_i)`:

* the estimate is the geometric mean of the per-pair ratios,
  :math:`\hat r = \exp(\bar d)`, :math:`\bar d = \frac1m\sum_i d_i`;
* its interval is a percentile bootstrap over *pairs*: :math:`B` resamples of the
  :math:`m` pairs with replacement, :math:`\hat r^{(j)} = \exp(\bar d^{(j)})`, and the
  :math:`2.5` and :math:`97.5` percentiles (pairing keeps the cell effect, which is shared
  by both methods, out of the interval);
* the exact two-sided sign test of :math:`H_0:\ \Pr(d_i > 0) = \Pr(d_i < 0) = 1/2`:
  with :math:`n_+ = \#\{d_i > 0\}`, :math:`n_- = \#\{d_i < 0\}` (ties dropped) and
  :math:`N = n_+ + n_-`,
  :math:`p = \min\big(1,\ 2\Pr[X \le \min(n_+, n_-)]\big)`, :math:`X \sim \mathrm{Bin}(N, 1/2)`.
  It assumes only that the pairs are independent, not that the log ratios are normal.

Example
-------
>>> a = [110.0, 220.0, 330.0, 440.0, 550.0, 660.0]
>>> b = [100.0, 200.0, 300.0, 400.0, 500.0, 600.0]
>>> r, lo, hi, m, up, down, p = paired_ratio(a, b, n_boot=200, seed=0)
>>> round(r, 6), m, up, down, round(p, 4)
(1.1, 6, 6, 0, 0.0312)
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import stats

__all__ = ["paired_ratio", "sign_test"]


def sign_test(n_above: int, n_below: int) -> float:
    r"""Exact two-sided sign test p-value: :math:`\min(1, 2\,F_{N,1/2}(\min(n_+, n_-)))`
    with :math:`F_{N,1/2}` the Binomial(:math:`N = n_+ + n_-`, 1/2) CDF; 1 when :math:`N = 0`."""
    n = int(n_above) + int(n_below)
    if n == 0:
        return 1.0
    return float(min(1.0, 2.0 * stats.binom.cdf(min(int(n_above), int(n_below)), n, 0.5)))


def paired_ratio(a, b, n_boot: int = 2000, seed: int = 0):
    r"""Geometric-mean ratio :math:`a/b` over matched pairs, its bootstrap interval and a sign test.

    Parameters
    ----------
    a, b : array_like of shape (m,)
        Matched values (same cell order).  Pairs where either value is not finite and
        positive (e.g. a censored :math:`n^\star` stored as NaN) are left out; the count
        used is returned.
    n_boot : int
        Bootstrap replicates :math:`B` (pairs resampled with replacement); 0 gives NaN bounds.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    (ratio, lo, hi, n_pairs, n_above, n_below, sign_test_p) : tuple
        :math:`\exp(\bar d)` with its 95% percentile interval, the number of pairs used, how
        many have :math:`a > b` and :math:`a < b`, and the exact two-sided sign-test
        p-value.  With no usable pair: NaN ratio and bounds, zero counts, p = 1.

    Raises
    ------
    ValueError
        If `a` and `b` differ in shape, or `n_boot` / `seed` is not a non-negative integer.
    """
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired_ratio: a has shape {a.shape}, b has shape {b.shape}; "
                         "they must be matched pairs")
    for name, v in (("n_boot", n_boot), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
            raise ValueError(f"paired_ratio: {name}={v!r} must be a non-negative integer")
    keep = np.isfinite(a) & np.isfinite(b) & (a > 0) & (b > 0)
    d = np.log(a[keep]) - np.log(b[keep])
    m = int(d.size)
    if m == 0:
        return np.nan, np.nan, np.nan, 0, 0, 0, 1.0
    n_above, n_below = int((d > 0).sum()), int((d < 0).sum())
    ratio = float(np.exp(d.mean()))
    if n_boot == 0:
        lo = hi = np.nan
    else:
        rng = np.random.default_rng(int(seed))
        reps = d[rng.integers(0, m, size=(int(n_boot), m))].mean(axis=1)
        lo, hi = (float(v) for v in np.exp(np.percentile(reps, [2.5, 97.5])))
    return ratio, lo, hi, m, n_above, n_below, sign_test(n_above, n_below)
