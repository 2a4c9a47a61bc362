"""The tolerated-coherence analysis on synthetic trials with a known rho*, and the
incoherence study end to end."""

import numpy as np
import pandas as pd
import pytest

from gsbench.analysis.incoherence import coherence_scaling, tolerated_coherence

RHOS = np.geomspace(0.05, 1.0, 14)


def synthetic_trials(true_rho_star, trials=60, seed=0):
    """Success with probability sigmoid(6 log(rho*/rho)) for each (method, layout, s, g)."""
    rng = np.random.default_rng(seed)
    rows = []
    for (method, layout, s, g), rho_star in true_rho_star.items():
        for rho in RHOS:
            prob = 1.0 / (1.0 + (rho / rho_star) ** 6)
            ok = rng.random(trials) < prob
            for t, success in enumerate(ok):
                rows.append(dict(
                    method=method, decoy_layout=layout, p=256, group_size=g, active_groups=s,
                    sigma=0.0, decoy_rho=rho, n=100, trial=t, status="ok",
                    rel_error_oracle=0.01 if success else 0.5, design="decoy",
                ))
    return pd.DataFrame(rows)


def truth(b, c, const=0.9):
    return {("m", "scattered", s, g): const * s**-b * g**-c for s in (1, 2, 4, 8) for g in (1, 2, 4)}


def test_rho_star_interval_covers_the_true_threshold():
    true = truth(0.5, 0.0)
    est = tolerated_coherence(synthetic_trials(true), n_boot=200, seed=1)
    assert (est["transition"] == "ok").all()
    want = np.array([true[("m", "scattered", s, g)]
                     for s, g in zip(est["active_groups"], est["group_size"])])
    inside = (est["rho_star_low"] <= want) & (want <= est["rho_star_high"])
    assert inside.mean() >= 0.8
    np.testing.assert_allclose(est["rho_star"], want, rtol=0.2)
    np.testing.assert_allclose(est["rho_group"], 1 / np.sqrt(est["active_groups"]))


@pytest.mark.parametrize("b, c", [(0.5, 0.0), (0.5, 0.5)])
def test_scaling_recovers_the_exponents(b, c):
    est = tolerated_coherence(synthetic_trials(truth(b, c), seed=2), n_boot=0)
    fit = coherence_scaling(est).iloc[0]
    assert fit["b_low"] <= b <= fit["b_high"] and abs(fit["b_prime"] - b) < 0.1
    assert fit["c_low"] <= c <= fit["c_high"] and abs(fit["c_prime"] - c) < 0.1
    assert fit["n_points"] == 12 and fit["note"] == ""


def test_edges_are_labelled_and_not_extrapolated():
    true = {("m", "aligned", 1, 1): 5.0, ("m", "aligned", 8, 4): 0.01}
    est = tolerated_coherence(synthetic_trials(true), n_boot=20).set_index("active_groups")
    assert est.loc[1, "transition"] == "above_grid" and est.loc[8, "transition"] == "below_grid"
    assert est["rho_star"].isna().all()
    fit = coherence_scaling(est.reset_index()).iloc[0]
    assert np.isnan(fit["b_prime"]) and "too few" in fit["note"]


def test_one_g_leaves_c_unfitted_and_says_so():
    true = {("m", "scattered", s, 4): 0.9 / np.sqrt(s) for s in (1, 2, 4, 8)}
    fit = coherence_scaling(tolerated_coherence(synthetic_trials(true), n_boot=0)).iloc[0]
    assert np.isnan(fit["c_prime"]) and "c' not fitted (g does not vary)" in fit["note"]
    assert fit["b_prime"] == pytest.approx(0.5, abs=0.1)


def test_several_n_per_curve_is_an_error():
    df = synthetic_trials({("m", "scattered", 2, 2): 0.5}, trials=4)
    df.loc[df.index[:3], "n"] = 50
    with pytest.raises(ValueError, match="has several n"):
        tolerated_coherence(df, n_boot=0)
