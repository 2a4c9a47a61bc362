"""Tests of gsbench.analysis: Wilson intervals, summaries, phase transitions, scaling fits."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from gsbench.analysis import (
    SCALING_COLUMNS,
    TRANSITION_COLUMNS,
    TRANSITION_LABELS,
    fit_logistic_batch,
    scaling,
    summarize,
    transitions,
    wilson_interval,
)

Z95 = 1.959963984540054


# --------------------------------------------------------------------------- helpers
def trial_row(**overrides) -> dict:
    row = dict(
        method="dglnn", cell_id="c0", n=20, p=64, group_size=4, active_groups=2, sigma=0.1,
        design="gaussian", trial=0, seed=0, rel_error_oracle=0.01, rel_error_validation=0.02,
        rel_error_final=0.03, support_precision=1.0, support_recall=1.0, oracle_iteration=5,
        stop_iteration=7, iterations=50, seconds=1.0, status="ok", message="",
        params=json.dumps({"lr": 0.1}),
    )
    row.update(overrides)
    return row


def logistic_trials(
    n_star_fn,
    ns,
    trials: int,
    settings,
    steepness: float = 3.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Per-trial rows whose success probability is sigmoid(k (log n - log n*))."""
    rng = np.random.default_rng(seed)
    frames = []
    for method, g, s in settings:
        n_star = n_star_fn(method, g, s)
        for n in ns:
            prob = 1.0 / (1.0 + math.exp(-steepness * (math.log(n) - math.log(n_star))))
            success = rng.random(trials) < prob
            err = np.where(success, 0.01, 0.5)
            frames.append(pd.DataFrame({
                "method": method, "cell_id": f"n{n}_g{g}_s{s}", "n": n, "p": 256,
                "group_size": g, "active_groups": s, "sigma": 0.05, "design": "gaussian",
                "trial": np.arange(trials), "status": "ok", "rel_error_oracle": err,
                "rel_error_validation": err, "rel_error_final": err, "seconds": 0.1,
            }))
    return pd.concat(frames, ignore_index=True)


def step_trials(rates: dict[int, float], trials: int = 20, **keys) -> pd.DataFrame:
    """Rows with an exact success rate per n (first round(rate*trials) trials succeed)."""
    rows = []
    for n, rate in rates.items():
        k = round(rate * trials)
        for t in range(trials):
            err = 0.01 if t < k else 0.9
            rows.append(trial_row(n=n, trial=t, rel_error_oracle=err, **keys))
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- Wilson
def textbook_wilson(k, m, z=Z95):
    p = k / m
    centre = (p + z * z / (2 * m)) / (1 + z * z / m)
    half = z / (1 + z * z / m) * math.sqrt(p * (1 - p) / m + z * z / (4 * m * m))
    return centre - half, centre + half


def test_wilson_known_values():
    low, high = wilson_interval([0, 5, 10], [10, 10, 10])
    # Hand-computed: z^2/n = 0.384146, 1 + z^2/n = 1.384146.
    np.testing.assert_allclose(low, [0.0, 0.236593, 0.722467], atol=1e-6)
    np.testing.assert_allclose(high, [0.277533, 0.763407, 1.0], atol=1e-6)
    # 0/10: upper bound is (z^2/n) / (1 + z^2/n).
    assert high[0] == pytest.approx(0.384146 / 1.384146, abs=1e-6)
    for k, lo, hi in zip([0, 5, 10], low, high):
        ref_lo, ref_hi = textbook_wilson(k, 10)
        assert lo == pytest.approx(max(ref_lo, 0.0), abs=1e-12)
        assert hi == pytest.approx(min(ref_hi, 1.0), abs=1e-12)


def test_wilson_vectorised_zero_trials_and_confidence():
    k = np.array([[0, 3], [7, 0]])
    m = np.array([[0, 10], [20, 5]])
    low, high = wilson_interval(k, m)
    assert low.shape == high.shape == (2, 2)
    assert np.isnan(low[0, 0]) and np.isnan(high[0, 0])
    assert np.all((low[~np.isnan(low)] >= 0) & (high[~np.isnan(high)] <= 1))
    ref = textbook_wilson(7, 20)
    assert (low[1, 0], high[1, 0]) == pytest.approx(ref, abs=1e-12)
    # A higher confidence level widens the interval; z = 2.5758 at 99%.
    lo99, hi99 = wilson_interval(7, 20, confidence=0.99)
    assert (float(lo99), float(hi99)) == pytest.approx(textbook_wilson(7, 20, z=2.5758293), abs=1e-6)
    assert lo99 < low[1, 0] and hi99 > high[1, 0]
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
    with pytest.raises(ValueError):
        wilson_interval(1, 10, confidence=1.5)


# --------------------------------------------------------------------------- summarize
@pytest.fixture
def small_trials() -> pd.DataFrame:
    rows = [
        trial_row(trial=0, rel_error_oracle=0.01, rel_error_validation=0.02, seconds=1.0),
        trial_row(trial=1, rel_error_oracle=0.04, rel_error_validation=0.08, seconds=2.0),
        trial_row(trial=2, rel_error_oracle=0.20, rel_error_validation=0.30, seconds=3.0),
        trial_row(trial=3, rel_error_oracle=0.05, rel_error_validation=0.06, seconds=4.0),
        # Diverged with a small recorded error: still a failure, excluded from quartiles.
        trial_row(trial=4, status="diverged", rel_error_oracle=0.001, seconds=100.0),
        trial_row(trial=5, status="failed", rel_error_oracle=np.nan, rel_error_validation=np.nan,
                  rel_error_final=np.nan, seconds=200.0),
        # A second cell (larger n) and a second method, listed out of order.
        trial_row(n=40, cell_id="c1", trial=0, rel_error_oracle=0.5),
        trial_row(method="lasso", trial=0, status="failed", rel_error_oracle=np.nan,
                  rel_error_validation=np.nan, rel_error_final=np.nan),
    ]
    return pd.DataFrame(rows).sample(frac=1.0, random_state=3)


def test_summarize_counts_and_quartiles(small_trials):
    out = summarize(small_trials, metric="rel_error_oracle", threshold=0.05)
    assert list(out[["method", "n"]].itertuples(index=False, name=None)) == [
        ("dglnn", 20), ("dglnn", 40), ("lasso", 20)
    ]
    cell = out.iloc[0]
    assert cell["cell_id"] == "c0"
    assert (cell["trials"], cell["n_ok"], cell["n_diverged"], cell["n_failed"]) == (6, 4, 1, 1)
    # ok and <= 0.05: 0.01, 0.04, 0.05 (boundary included); the diverged 0.001 does not count.
    assert cell["successes"] == 3
    assert cell["success_rate"] == pytest.approx(0.5)
    assert (cell["success_low"], cell["success_high"]) == pytest.approx(textbook_wilson(3, 6))
    # Quartiles over the 4 ok trials, linear interpolation: 0.01, 0.04, 0.05, 0.20.
    assert cell["rel_error_oracle_median"] == pytest.approx(0.045)
    assert cell["rel_error_oracle_q25"] == pytest.approx(0.0325)
    assert cell["rel_error_oracle_q75"] == pytest.approx(0.0875)
    assert cell["seconds_median"] == pytest.approx(2.5)
    assert cell["seconds_q75"] == pytest.approx(3.25)
    # The lasso cell has no ok trial: counts present, statistics NaN.
    lasso = out.iloc[2]
    assert (lasso["trials"], lasso["n_failed"], lasso["successes"]) == (1, 1, 0)
    assert np.isnan(lasso["rel_error_oracle_median"]) and np.isnan(lasso["seconds_q25"])
    assert lasso["success_low"] == 0.0


def test_summarize_columns_metric_and_threshold(small_trials):
    out = summarize(small_trials)
    expected = [
        "method", "p", "group_size", "active_groups", "sigma", "design", "n", "cell_id",
        "trials", "n_ok", "n_diverged", "n_failed", "n_converged", "successes", "success_rate",
        "success_low", "success_high",
    ] + [f"{c}_{q}" for c in ("rel_error_oracle", "rel_error_validation", "rel_error_final",
                              "seconds") for q in ("median", "q25", "q75")]
    assert list(out.columns) == expected
    # Validation error as metric, and a threshold > 1 is allowed.
    val = summarize(small_trials, metric="rel_error_validation", threshold=0.06)
    assert val.iloc[0]["successes"] == 2  # 0.02 and 0.06
    assert summarize(small_trials, threshold=2.0).iloc[0]["successes"] == 4
    # Deterministic regardless of input order.
    pd.testing.assert_frame_equal(out, summarize(small_trials.iloc[::-1]))


def test_summarize_errors(small_trials):
    with pytest.raises(ValueError, match="'status'.*'seconds'|'seconds'.*'status'"):
        summarize(small_trials.drop(columns=["status", "seconds"]))
    with pytest.raises(ValueError, match="threshold"):
        summarize(small_trials, threshold=0.0)
    with pytest.raises(ValueError, match="-0.1"):
        summarize(small_trials, threshold=-0.1)
    with pytest.raises(ValueError, match="support_recall"):
        summarize(small_trials, metric="support_recall")


# --------------------------------------------------------------------------- logistic fit
def test_batched_logistic_matches_scipy():
    rng = np.random.default_rng(5)
    x = np.linspace(-1.5, 1.5, 7)
    m = np.full(7, 30.0)
    k = rng.binomial(30, 1 / (1 + np.exp(-(0.3 + 2.0 * x)))).astype(float)
    ridge = 1e-3

    def objective(theta):
        eta = theta[0] + theta[1] * x
        return np.sum(m * np.logaddexp(0, eta) - k * eta) + 0.5 * ridge * theta @ theta

    ref = optimize.minimize(objective, np.zeros(2), method="BFGS", options={"gtol": 1e-10}).x
    a, b, conv = fit_logistic_batch(np.vstack([x, x]), np.vstack([k, k]), np.vstack([m, m]), ridge)
    assert conv.all()
    np.testing.assert_allclose(a, ref[0], atol=1e-5)
    np.testing.assert_allclose(b, ref[1], atol=1e-5)


# --------------------------------------------------------------------------- transitions
@pytest.fixture(scope="module")
def known_curve() -> pd.DataFrame:
    ns = np.unique(np.round(np.geomspace(10, 250, 12)).astype(int))
    return logistic_trials(lambda *_: 50.0, ns, trials=150, settings=[("dglnn", 4, 2)], seed=11)


def test_transitions_recovers_known_n_star(known_curve):
    out = transitions(known_curve, "rel_error_oracle", 0.05, n_boot=200, seed=0)
    assert list(out.columns) == list(TRANSITION_COLUMNS)
    row = out.iloc[0]
    assert row["transition"] == "ok"
    assert row["n_star"] == pytest.approx(50.0, rel=0.08)
    assert row["n_star_low"] < 50.0 < row["n_star_high"]
    assert row["n_star_low"] < row["n_star"] < row["n_star_high"]
    assert row["n_star_high"] / row["n_star_low"] < 1.5  # informative with 1800 trials
    assert (row["n_min"], row["n_max"], row["n_points"]) == (10, 250, 12)
    assert row["entries"] == 8


def test_transitions_bootstrap_deterministic(known_curve):
    a = transitions(known_curve, "rel_error_oracle", 0.05, n_boot=100, seed=7)
    b = transitions(known_curve, "rel_error_oracle", 0.05, n_boot=100, seed=7)
    c = transitions(known_curve, "rel_error_oracle", 0.05, n_boot=100, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert a["n_star"].iloc[0] == c["n_star"].iloc[0]  # the point estimate has no randomness
    # With few trials the bootstrap interval is wider than the grid gap, and seed-dependent.
    ns = np.unique(np.round(np.geomspace(10, 250, 12)).astype(int))
    few = logistic_trials(lambda *_: 50.0, ns, trials=6, settings=[("dglnn", 4, 2)], seed=3)
    f7 = transitions(few, "rel_error_oracle", 0.05, n_boot=100, seed=7).iloc[0]
    f8 = transitions(few, "rel_error_oracle", 0.05, n_boot=100, seed=8).iloc[0]
    assert (f7["n_star_low"], f7["n_star_high"]) != (f8["n_star_low"], f8["n_star_high"])
    # A setting's interval does not depend on which other settings are in the table.
    other = known_curve.assign(method="other", rel_error_oracle=0.9)
    both = transitions(pd.concat([other, known_curve]), "rel_error_oracle", 0.05, n_boot=100, seed=7)
    mine = both[both["method"] == "dglnn"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, a, check_like=True)
    assert both.loc[both["method"] == "other", "transition"].item() == "above_grid"


def test_transitions_interval_covers_the_grid_gap_for_separated_rates():
    step = step_trials({20: 0.0, 40: 0.0, 80: 1.0, 160: 1.0}, method="step")
    row = transitions(step, "rel_error_oracle", 0.05, n_boot=100).iloc[0]
    assert row["transition"] == "ok" and 40 < row["n_star"] < 80
    assert row["n_star_low"] == pytest.approx(40) and row["n_star_high"] == pytest.approx(80)


def test_transitions_grid_edges_are_nan_and_labelled():
    below = step_trials({20: 0.6, 40: 0.9, 80: 1.0}, method="easy")
    above = step_trials({20: 0.0, 40: 0.1, 80: 0.45}, method="hard")
    single = step_trials({30: 0.2}, method="single")
    out = transitions(pd.concat([below, above, single]), "rel_error_oracle", 0.05, n_boot=50)
    out = out.set_index("method")
    assert out.loc["easy", "transition"] == "below_grid"
    assert out.loc["hard", "transition"] == "above_grid"
    assert out.loc["single", "transition"] == "above_grid"
    for method in ("easy", "hard", "single"):
        assert out.loc[method, ["n_star", "n_star_low", "n_star_high"]].isna().all()
    assert (out.loc["easy", "n_min"], out.loc["easy", "n_max"]) == (20, 80)
    assert out.loc["single", "n_points"] == 1


def test_transitions_separable_data_is_finite():
    # All trials fail at n <= 40 and succeed at n >= 80: n* lies between 40 and 80.
    data = step_trials({10: 0.0, 20: 0.0, 40: 0.0, 80: 1.0, 160: 1.0})
    row = transitions(data, "rel_error_oracle", 0.05, n_boot=50).iloc[0]
    assert row["transition"] == "ok"
    assert 40 < row["n_star"] < 80
    assert row["n_star"] == pytest.approx(math.sqrt(40 * 80), rel=0.05)  # midpoint on log scale
    assert 10 <= row["n_star_low"] <= row["n_star"] <= row["n_star_high"] <= 160


def test_transitions_failures_count_against_success():
    data = step_trials({20: 0.0, 40: 1.0, 80: 1.0})
    # Mark the would-be successes at n=40 as diverged: success there drops to 0.
    diverged = data.assign(status=np.where(data["n"] == 40, "diverged", "ok"))
    n_ok = transitions(data, "rel_error_oracle", 0.05, n_boot=0).iloc[0]["n_star"]
    n_div = transitions(diverged, "rel_error_oracle", 0.05, n_boot=0).iloc[0]["n_star"]
    assert 20 < n_ok < 40 < n_div < 80


def test_transitions_input_validation(known_curve):
    with pytest.raises(ValueError, match="'design'"):
        transitions(known_curve.drop(columns=["design"]), "rel_error_oracle", 0.05)
    with pytest.raises(ValueError, match="threshold"):
        transitions(known_curve, "rel_error_oracle", -1.0)
    with pytest.raises(ValueError, match="n_boot"):
        transitions(known_curve, "rel_error_oracle", 0.05, n_boot=-1)
    no_boot = transitions(known_curve, "rel_error_oracle", 0.05, n_boot=0).iloc[0]
    assert np.isfinite(no_boot["n_star"]) and np.isnan(no_boot["n_star_low"])


@pytest.mark.slow  # bootstraps many settings
def test_transitions_many_settings_recover_their_n_star():
    # Its speed is measured by benchmarks/analysis.py on the same 300 settings.
    settings = [(m, g, s) for m in ("a", "b", "c") for g in (2, 4, 8, 16) for s in range(1, 26)]
    ns = [8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384]
    data = logistic_trials(lambda m, g, s: 4.0 * s * (g if m == "b" else 1), ns, trials=10,
                           settings=settings, seed=2)
    out = transitions(data, "rel_error_oracle", 0.05, n_boot=200, seed=0)
    assert len(out) == 300
    ok = out[out["transition"] == "ok"]
    assert len(ok) > 200
    truth = 4.0 * ok["active_groups"] * np.where(ok["method"] == "b", ok["group_size"], 1)
    assert np.median(np.abs(np.log(ok["n_star"] / truth))) < 0.2
    assert ((ok["n_star_low"] <= truth) & (truth <= ok["n_star_high"])).mean() > 0.75


# --------------------------------------------------------------------------- scaling
def synthetic_transitions(n_star_fn, methods, g_values, s_values, noise=0.02) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for method in methods:
        for g in g_values:
            for s in s_values:
                n_star = n_star_fn(method, g, s) * math.exp(noise * rng.standard_normal())
                rows.append(dict(method=method, p=256, group_size=g, active_groups=s, sigma=0.05,
                                 design="gaussian", entries=g * s, n_star=n_star,
                                 n_star_low=0.9 * n_star, n_star_high=1.1 * n_star, n_min=5,
                                 n_max=5000, n_points=10, transition="ok"))
    return pd.DataFrame(rows)


def test_scaling_recovers_exponents():
    tr = synthetic_transitions(
        lambda m, g, s: 10.0 * s if m == "dglnn" else 3.0 * s * g,
        ["dglnn", "lasso"], [2, 4, 8], [1, 2, 4, 8, 16],
    )
    # Rows outside the grid are ignored.
    tr = pd.concat([tr, tr.head(1).assign(transition="above_grid", n_star=np.nan)])
    out = scaling(tr).set_index("method")
    assert list(out.reset_index().columns) == list(SCALING_COLUMNS)
    d, u = out.loc["dglnn"], out.loc["lasso"]
    assert d["n_points"] == 15 and d["note"] == "ok"
    assert d["a"] == pytest.approx(math.log(10.0), abs=0.05)
    assert d["b"] == pytest.approx(1.0, abs=0.03) and d["b_low"] < 1.0 < d["b_high"]
    assert d["c"] == pytest.approx(0.0, abs=0.03) and d["c_low"] < 0.0 < d["c_high"]
    assert d["r2"] > 0.99
    assert u["b"] == pytest.approx(1.0, abs=0.03) and u["c"] == pytest.approx(1.0, abs=0.03)
    assert u["b_entries"] == pytest.approx(1.0, abs=0.03)
    assert u["b_entries_low"] < 1.0 < u["b_entries_high"]
    # For DGLNN the entries slope is diluted below 1 (g does not matter).
    assert d["b_entries"] < 0.8


def test_scaling_single_group_size_and_too_few_points():
    tr = synthetic_transitions(lambda m, g, s: 10.0 * s, ["dglnn"], [4], [1, 2, 4, 8])
    row = scaling(tr).iloc[0]
    assert row["b"] == pytest.approx(1.0, abs=0.05)
    assert np.isnan(row["c"]) and np.isnan(row["c_low"]) and np.isnan(row["c_high"])
    assert "group size" in row["note"] and "c not identifiable" in row["note"]
    # With one group size, log(s g) = log s + const: the entries slope equals b.
    assert row["b_entries"] == pytest.approx(row["b"])

    few = synthetic_transitions(lambda m, g, s: 10.0 * s, ["dglnn"], [2, 4], [1, 2]).head(3)
    row = scaling(few).iloc[0]
    assert row["n_points"] == 3
    assert "too few points" in row["note"]
    numeric = row.drop(["method", "n_points", "note"]).astype(float)
    assert numeric.isna().all()

    none_ok = synthetic_transitions(lambda m, g, s: 10.0 * s, ["x"], [2], [1, 2]).assign(
        transition="below_grid")
    row = scaling(none_ok).iloc[0]
    assert row["n_points"] == 0 and "too few points" in row["note"] and np.isnan(row["b"])


def test_scaling_from_estimated_transitions():
    """End to end: trials -> transitions -> scaling separates group from entry scaling."""
    settings = [(m, g, s) for m in ("dglnn", "lasso") for g in (2, 8) for s in (1, 2, 4, 8)]
    ns = np.unique(np.round(np.geomspace(4, 400, 16)).astype(int))
    data = logistic_trials(lambda m, g, s: 6.0 * s * (1 if m == "dglnn" else g), ns, trials=40,
                           settings=settings, steepness=4.0, seed=4)
    fits = scaling(transitions(data, "rel_error_oracle", 0.05, n_boot=50)).set_index("method")
    assert fits.loc["dglnn", "c_low"] < 0.0 < fits.loc["dglnn", "c_high"]
    assert fits.loc["lasso", "c"] == pytest.approx(1.0, abs=0.25)
    assert fits.loc["dglnn", "b"] == pytest.approx(1.0, abs=0.25)


def test_summarize_counts_converged_fits(small_trials):
    """n_converged: trials whose fit met its stopping criterion, per cell (NA without the
    column, e.g. results written before it existed)."""
    trials = small_trials.copy()
    trials["converged"] = (trials["trial"].isin([0, 1, 4]) & (trials["method"] == "dglnn")
                           & (trials["n"] == 20))
    trials.loc[trials["method"] == "lasso", "converged"] = True
    out = summarize(trials)
    assert out["n_converged"].tolist() == [3, 0, 1]  # (dglnn, 20), (dglnn, 40), (lasso, 20)
    assert summarize(small_trials)["n_converged"].isna().all()


# --------------------------------------------------------------------------- all failed
def test_a_setting_without_any_ok_trial_is_all_failed_not_above_grid():
    ok_no_success = step_trials({16: 0.0, 32: 0.0, 64: 0.0}, method="weak")
    broken = step_trials({16: 0.0, 32: 0.0, 64: 0.0}, method="broken")
    broken["status"] = np.where(broken["trial"] % 2 == 0, "diverged", "failed")
    partly = step_trials({16: 0.0, 32: 1.0, 64: 1.0}, method="partly")
    partly.loc[partly["n"] == 16, "status"] = "failed"  # failed at one n only: a transition
    out = transitions(pd.concat([ok_no_success, broken, partly]), "rel_error_oracle", 0.05,
                      n_boot=10).set_index("method")
    assert out.loc["weak", "transition"] == "above_grid"
    assert out.loc["broken", "transition"] == "all_failed"
    assert out.loc["partly", "transition"] == "ok"
    assert np.isnan(out.loc["broken", ["n_star", "n_star_low", "n_star_high"]].astype(float)).all()
    assert "all_failed" in TRANSITION_LABELS
