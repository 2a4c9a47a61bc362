"""Statistical dimensions against Monte Carlo, known values and limiting cases."""

import numpy as np
import pytest
from scipy import integrate, stats

from gsbench.analysis.theory import (
    cell_references,
    chi_tail_moments,
    n_incoherence_entry,
    n_incoherence_group,
    statdim_group,
    statdim_l1,
    statdim_monte_carlo,
)


@pytest.mark.parametrize("d", [1, 2, 5, 16])
@pytest.mark.parametrize("t", [0.0, 0.7, 2.5, 6.0])
def test_chi_tail_moments_match_quadrature(d, t):
    pdf = stats.chi(d).pdf
    first = integrate.quad(lambda r: (r - t) * pdf(r), t, np.inf)[0]
    second = integrate.quad(lambda r: (r - t) ** 2 * pdf(r), t, np.inf)[0]
    got = chi_tail_moments(d, t)
    np.testing.assert_allclose(got, (first, second), rtol=1e-7, atol=1e-12)


def test_l1_folded_normal_formula():
    t = 1.3
    closed = 2 * ((1 + t * t) * stats.norm.sf(t) - t * stats.norm.pdf(t))
    assert chi_tail_moments(1, t)[1] == pytest.approx(closed, rel=1e-10)


@pytest.mark.parametrize("p", [1, 7, 100])
def test_l1_limits(p):
    assert statdim_l1(p, p) == pytest.approx(p)
    assert statdim_l1(0, p) == 0.0


def test_l1_is_increasing_and_below_p():
    d = [statdim_l1(k, 200) for k in range(0, 201, 20)]
    assert np.all(np.diff(d) > 0) and d[-1] == pytest.approx(200)


def test_l1_known_value_almt():
    # Amelunxen et al. 2014, Fig. 1.1: at p = 100 the l1 transition for k = 10 lies near n = 33.
    assert statdim_l1(10, 100) == pytest.approx(32.9, abs=0.1)


def test_group_reduces_to_l1_and_limits():
    assert statdim_group([1] * 7, [1] * 93) == pytest.approx(statdim_l1(7, 100), rel=1e-10)
    assert statdim_group([4] * 8, []) == pytest.approx(32.0)
    assert statdim_group([], [4] * 8) == 0.0
    # Equal sizes: the sqrt(g) weights cancel into tau.
    assert statdim_group([8] * 3, [8] * 29, "sqrt") == pytest.approx(
        statdim_group([8] * 3, [8] * 29, "unit"), rel=1e-9)


def test_group_structure_lowers_the_limit():
    # s = 4 groups of 8 among 64: group norm needs fewer samples than l1 for 32 entries.
    assert statdim_group([8] * 4, [8] * 60) < statdim_l1(32, 512) - 20


@pytest.mark.parametrize(
    "active, inactive, weights",
    [
        ([1] * 10, [1] * 90, "sqrt"),
        ([8] * 4, [8] * 28, "sqrt"),
        ([2, 4, 8], [1, 2, 4, 8] * 6, "sqrt"),
        ([2, 4, 8], [1, 2, 4, 8] * 6, "unit"),
    ],
)
def test_statdim_against_monte_carlo(active, inactive, weights):
    """The closed form is an upper bound on E dist^2(g, cone), tight to 2 sup||u|| / f(x/||x||)
    (ALMT 2014, Thm 4.3; x with equal-norm active groups)."""
    bound = statdim_group(active, inactive, weights)
    mc, se = statdim_monte_carlo(active, inactive, weights, n_samples=4000, seed=1)
    sizes = np.array(active + inactive, float)
    w = np.sqrt(sizes) if weights == "sqrt" else np.ones_like(sizes)
    wa = w[: len(active)]
    gap = 2 * np.sqrt((w**2).sum()) / (wa.sum() / np.sqrt(len(active)))
    assert mc - 4 * se <= bound <= mc + gap + 4 * se


def test_monte_carlo_dense_point_is_half_space():
    # k = p: the normal cone is a ray, the descent cone a half-space of dimension p - 1/2.
    mc, se = statdim_monte_carlo([1] * 20, [], "unit", n_samples=4000, seed=2)
    assert mc == pytest.approx(19.5, abs=4 * se)


def test_cell_references_and_errors():
    l1, grp = cell_references([256, 256], [1, 8], [4, 4])
    assert l1[0] == pytest.approx(grp[0]) and l1[1] > grp[1]
    with pytest.raises(ValueError, match="group_size=3"):
        cell_references([256], [3], [1])
    with pytest.raises(ValueError, match="k=11"):
        statdim_l1(11, 10)
    with pytest.raises(ValueError, match="weights='bad'"):
        statdim_group([2], [2], "bad")


def test_incoherence_laws_shapes():
    assert n_incoherence_group(4, 8, 2.0) == pytest.approx(2 * 16 * 8)
    assert n_incoherence_entry(4, 8) == pytest.approx(32**2)


def test_add_references_columns_and_ratios():
    import pandas as pd

    from gsbench.analysis.references import REFERENCE_COLUMNS, add_references, median_ratio

    df = pd.DataFrame({"method": ["a", "a", "b"], "p": [256, 256, 256], "group_size": [1, 8, 8],
                       "active_groups": [4, 4, 4], "n_star": [60.0, np.nan, 40.0]})
    out = add_references(df)
    assert list(out.columns) == [*df.columns, *REFERENCE_COLUMNS]
    l1, grp = cell_references(256, 8, 4)
    assert out.loc[2, "n_ref_l1"] == pytest.approx(float(l1))
    assert out.loc[2, "ratio_group"] == pytest.approx(40.0 / float(grp))
    assert np.isnan(out.loc[1, "ratio_l1"])
    med, lo, hi, m = median_ratio([0.5, 1.0, 2.0, np.nan], n_boot=100)
    assert (med, m) == (1.0, 3) and lo <= med <= hi
