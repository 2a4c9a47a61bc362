"""The noisy regime's pieces: the oracle least-squares floor against its closed form, paired
ratios, the rate laws, and the settings of the real/noisy studies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from gsbench.analysis.paired import paired_ratio
from gsbench.analysis.rates import loglog_slope, rate_laws
from gsbench.oracle import oracle_floor_fixed, oracle_floor_gaussian, oracle_least_squares
from gsbench.regimes.settings import SettingsError, validate


def test_oracle_least_squares_is_exact_without_noise():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 10))
    w = np.zeros(10)
    w[[2, 5, 7]] = [1.0, -2.0, 0.5]
    np.testing.assert_allclose(oracle_least_squares(X, X @ w, w != 0), w, atol=1e-12)


def test_oracle_floor_matches_its_closed_forms():
    rng = np.random.default_rng(1)
    n, p, k, sigma, draws = 20, 8, 3, 0.7, 4000
    support = np.zeros(p, dtype=bool)
    support[:k] = True
    w = np.where(support, 1.0, 0.0)
    # fixed design, noise redrawn: E||w_hat - w||^2 = sigma^2 tr((X_S^T X_S)^-1)
    X = rng.standard_normal((n, p))
    y = X @ w + sigma * rng.standard_normal((draws, n))
    err = ((oracle_least_squares(np.broadcast_to(X, (draws, n, p)), y, support) - w) ** 2).sum(axis=1)
    fixed = oracle_floor_fixed(X, support, sigma)
    assert err.mean() == pytest.approx(fixed, rel=4 * err.std() / np.sqrt(draws) / fixed)
    # Gaussian designs redrawn too: sigma^2 k / (n - k - 1)
    Xs = rng.standard_normal((draws, n, p))
    ys = Xs @ w + sigma * rng.standard_normal((draws, n))
    err = ((oracle_least_squares(Xs, ys, support) - w) ** 2).sum(axis=1)
    expected = oracle_floor_gaussian(sigma, k, n)
    assert expected == pytest.approx(sigma**2 * 3 / 16)
    assert err.mean() == pytest.approx(expected, rel=4 * err.std() / np.sqrt(draws) / expected)
    assert np.isnan(oracle_floor_gaussian(1.0, 5, 6))


def test_paired_ratio_geometric_mean_interval_and_sign_test():
    rng = np.random.default_rng(2)
    b = rng.uniform(1, 10, 40)
    a = b * np.exp(rng.normal(np.log(0.5), 0.2, 40))
    ratio, lo, hi, m, above, below, p = paired_ratio(a, b, n_boot=500, seed=0)
    assert ratio == pytest.approx(np.exp(np.mean(np.log(a / b))))
    assert lo < ratio < hi and hi < 1 and m == 40
    assert (above, below) == (int((a > b).sum()), int((a < b).sum()))
    assert p == pytest.approx(stats.binomtest(above, 40, 0.5).pvalue)
    # non-positive and non-finite pairs are left out; no pairs gives NaN
    r = paired_ratio([1.0, np.nan, 0.0, 2.0], [2.0, 1.0, 1.0, 2.0], n_boot=0)
    assert r[0] == pytest.approx(np.sqrt(0.5)) and r[3:6] == (2, 0, 1) and np.isnan(r[1])
    assert np.isnan(paired_ratio([], [], n_boot=10)[0])
    with pytest.raises(ValueError, match="one shape"):
        paired_ratio([1.0], [1.0, 2.0])


def test_loglog_slope_recovers_an_exponent():
    x = np.array([100.0, 200, 400, 800])
    assert loglog_slope(x, 3.0 / x) == pytest.approx(-1.0)
    assert np.isnan(loglog_slope([1.0, 1.0], [2.0, 3.0]))


def _rate_trials(law: str) -> pd.DataFrame:
    """Squared errors exactly sigma^2 f(s, g, p) / n under one law, with 5% noise."""
    rng = np.random.default_rng(3)
    rows = []
    for g in (2, 4, 8):
        for s in (1, 2, 4, 8):
            for n in (200, 400):
                k, L, p = s * g, 256 // g, 256
                f = 1.5 * s * g + 2.0 * s * np.log(np.e * L / s) if law == "group" else (
                    0.8 * k * np.log(np.e * p / k))
                for t in range(3):
                    rows.append(dict(method=law, p=p, group_size=g, active_groups=s, snr=4.0, n=n,
                                     trial=t, sigma=0.5, status="ok",
                                     sq_error_validation=0.25 * f / n * np.exp(0.05 * rng.standard_normal())))
    return pd.DataFrame(rows)


@pytest.mark.parametrize("law", ["group", "entry"])
def test_rate_laws_pick_the_law_that_generated_the_errors(law):
    table = rate_laws(_rate_trials(law), n_boot=20)
    best = table[table["best_aic"]]["law"].unique()
    assert list(best) == [law]


BASE_NOISY = {"p": 64, "group_size": [4], "active_groups": [2], "snr": [4], "n": [64],
              "trials": 2, "methods": {"dglnn2": {}, "group_lasso": {}}}


@pytest.mark.parametrize("change, message", [
    ({"snr": [0]}, r"key 'snr\[0\]'"),
    ({"extra": 1}, "Additional properties"),
    ({"reference": "lasso"}, r"key 'reference': 'lasso' is not one of the methods"),
    ({"methods": {"nope": {}}}, r"key 'methods.nope'"),
])
def test_noisy_settings_errors_name_the_key(change, message):
    with pytest.raises(SettingsError, match=message):
        validate("noisy", {**BASE_NOISY, **change})


def test_real_settings_check_the_design_data(tmp_path):
    base = {"designs": {"mine": {"data": {"name": "file", "path": str(tmp_path / "X.csv"),
                                          "groups": {"sizes": [1]}}}},
            "active_groups": [1], "n": [8], "trials": 2, "methods": {"dglnn2": {}}}
    with pytest.raises(SettingsError, match=r"key 'designs.mine.data': design file .*X.csv: not found"):
        validate("real", base)
    out = validate("noisy", BASE_NOISY)
    assert out["reference"] == "dglnn2" and out["design"] == "gaussian" and out["bootstrap"] == 200


def test_survival_verdicts_read_both_sides():
    from gsbench.regimes.real_study import survival

    def rows(real, rad, pairs=4):
        return [dict(design="d", kind=k, comparison="a / b", ratio=r[0], low=r[1], high=r[2],
                     n_pairs=pairs) for k, r in (("real", real), ("rademacher", rad))]

    cases = {"survives": ((0.6, 0.5, 0.8), (0.8, 0.7, 0.9)),
             "lost": ((0.9, 0.7, 1.1), (0.8, 0.7, 0.9)),
             "reversed": ((1.3, 1.1, 1.5), (0.8, 0.7, 0.9)),
             "appears": ((0.6, 0.5, 0.8), (1.0, 0.9, 1.1)),
             "no advantage to lose": ((1.3, 1.1, 1.5), (1.3, 1.1, 1.5))}
    for verdict, (real, rad) in cases.items():
        assert survival(pd.DataFrame(rows(real, rad)))["verdict"].item() == verdict
    assert survival(pd.DataFrame(rows(*cases["survives"], pairs=1)))["verdict"].item() == "not measurable"
