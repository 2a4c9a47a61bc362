"""gsbench.analysis.paired: the geometric-mean ratio of matched n*, its bootstrap interval
over pairs and the exact sign test, on inputs with a known answer."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gsbench.analysis.paired import paired_ratio, sign_test


def test_constant_ratio_is_exact_with_a_zero_width_interval():
    b = np.array([10.0, 20.0, 35.0, 50.0])
    r = paired_ratio(1.3 * b, b, n_boot=200, seed=1)
    assert r.ratio == pytest.approx(1.3) and r.lo == pytest.approx(1.3) and r.hi == pytest.approx(1.3)
    assert (r.n_pairs, r.n_above, r.n_below) == (4, 4, 0)
    assert r.sign_test_p == pytest.approx(2 / 16)


def test_ratio_is_the_geometric_mean_of_the_pair_ratios():
    a, b = np.array([2.0, 8.0]), np.array([1.0, 1.0])  # ratios 2 and 8: geometric mean 4
    r = paired_ratio(a, b, n_boot=500, seed=0)
    assert r.ratio == pytest.approx(4.0)
    # a resample holds each pair 0, 1 or 2 times: means of log ratios in {log 2, log 4, log 8}
    assert 2.0 - 1e-9 <= r.lo <= r.ratio <= r.hi <= 8.0 + 1e-9
    # swapping the arms inverts the ratio and the interval
    s = paired_ratio(b, a, n_boot=500, seed=0)
    assert s.ratio == pytest.approx(0.25) and s.hi == pytest.approx(1 / r.lo) and s.lo == pytest.approx(1 / r.hi)


def test_interval_covers_the_true_ratio_of_noisy_pairs():
    rng = np.random.default_rng(3)
    b = rng.uniform(20, 60, 40)
    a = 1.5 * b * np.exp(rng.normal(0, 0.1, 40))
    r = paired_ratio(a, b, n_boot=2000, seed=0)
    assert r.lo < 1.5 < r.hi and r.hi - r.lo < 0.15
    assert r.n_above == 40 and r.sign_test_p < 1e-10


def test_sign_test_matches_the_binomial_tail():
    assert sign_test(10, 0) == pytest.approx(2 / 1024)
    assert sign_test(0, 10) == pytest.approx(2 / 1024)
    # 8 of 10: 2 * P(X <= 2), X ~ Bin(10, 1/2) = 2 * 56 / 1024
    assert sign_test(8, 2) == pytest.approx(112 / 1024)
    assert sign_test(5, 5) == 1.0 and sign_test(0, 0) == 1.0


def test_ties_and_unusable_pairs_are_dropped():
    a = np.array([10.0, 12.0, np.nan, 5.0, 0.0, 30.0])
    b = np.array([10.0, 10.0, 10.0, np.inf, 4.0, 20.0])
    r = paired_ratio(a, b, n_boot=100)
    assert r.n_pairs == 3  # (10, 10), (12, 10), (30, 20): the NaN, inf and zero pairs dropped
    assert (r.n_above, r.n_below) == (2, 0)  # the tie counts as a pair but not in the sign test
    assert r.ratio == pytest.approx((1.0 * 1.2 * 1.5) ** (1 / 3))
    assert r.sign_test_p == pytest.approx(0.5)
    one = paired_ratio([3.0], [2.0], n_boot=100)
    assert one.ratio == pytest.approx(1.5) and math.isnan(one.lo) and math.isnan(one.hi)
    none = paired_ratio([np.nan], [1.0])
    assert none.n_pairs == 0 and math.isnan(none.ratio)


def test_errors_name_the_shapes_and_arguments():
    with pytest.raises(ValueError, match=r"\(3,\) and \(2,\)"):
        paired_ratio([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="n_boot=-1"):
        paired_ratio([1.0], [1.0], n_boot=-1)
    with pytest.raises(ValueError, match="seed=1.5"):
        paired_ratio([1.0], [1.0], seed=1.5)
