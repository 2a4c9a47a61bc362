"""The claims checker (gsbench.claims): its pieces. (The real `snakemake claims` target on a
shortened settings file: tests/workflow/test_claims_target.py.)"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from gsbench.claims import CLAIMS, Finding, Measure, SettingsError, claim_finding, validate_settings
from gsbench.claims.fitting import budget, fit_trials, predicted_iterations, setting_problems
from gsbench.claims.trial_stats import bootstrap, counts
from gsbench.claims.verdicts import rule_of
from gsbench.claims.depth_range import working_range
from workflow_helpers import DATA

TINY = DATA / "claims_tiny.yaml"


def test_predicted_iterations_grow_like_alpha_to_the_minus_n_minus_2():
    for depth in (3, 4):
        ratio = predicted_iterations(depth, 1e-2) / predicted_iterations(depth, 1e-1)
        assert ratio == pytest.approx(10.0 ** (depth - 2))
    # depth 2: only logarithmic, 5 ln(1/alpha^2)
    assert predicted_iterations(2, 1e-6) == pytest.approx(5 * math.log(1e12))
    spec = {"min_iter": 100, "budget_factor": 4, "max_iter": 10000, "stride": 10}
    assert budget(3, 0.1, spec) == 600  # 4 x 15 / 0.1, a multiple of the stride
    assert budget(4, 1e-3, spec) is None  # needs 4e7: not run, counted budget-exhausted
    assert budget(2, 0.1, spec) == 100


def test_convergence_flags_separate_budget_exhausted_runs():
    problems = setting_problems({"n": 30, "p": 60, "group_size": 1, "active_groups": 3,
                                 "sigma": 0.0, "design": "gaussian"}, 3)
    base = {"depth": 2, "alpha": 1e-3, "stride": 10, "patience": 10**12}
    kw = {"threshold": 0.1, "interp_tol": 1e-2}
    short = fit_trials("hadamard_depth", {**base, "max_iter": 20}, problems, **kw)
    long = fit_trials("hadamard_depth", {**base, "max_iter": 6000}, problems, **kw)
    assert not short["interpolated"].any() and long["interpolated"].all()
    assert (long["train_residual"] <= 1e-2).all() and (short["train_residual"] > 1e-2).all()
    both = pd.concat([short, long])
    assert counts(both, "interpolated") == {"total": 6, "converged": 3, "budget_exhausted": 3,
                                            "failed": 0, "criterion": "interpolated"}
    # the same problems for every run: seeds derive from the setting and trial only
    assert (short["seed"].to_numpy() == long["seed"].to_numpy()).all()


def test_working_range_and_budget_censoring():
    table = pd.DataFrame({"alpha": [1e-4, 1e-3, 1e-2, 1e-1],
                          "median": [np.nan, 0.12, 0.10, 0.5],
                          "usable": [False, True, True, True]})
    r = working_range(table, 1.5)
    assert r["range"] == pytest.approx(1.0) and r["best_alpha"] == 1e-2
    assert r["censored_low"] and not r["censored_high"]
    table["median"] = [0.11, 0.12, 0.10, 0.14]
    table["usable"] = True
    r = working_range(table, 1.5)
    assert r["range"] == pytest.approx(3.0) and not r["censored_low"]


def test_bootstrap_interval_brackets_the_median_and_keeps_pairs():
    rng = np.random.default_rng(0)
    x = rng.normal(5.0, 1.0, 40)
    frame = pd.DataFrame({"trial": np.tile(np.arange(40), 2), "arm": np.repeat([0, 1], 40),
                          "v": np.concatenate([x, x + 1.0])})
    m = bootstrap(frame[frame["arm"] == 0], lambda f: np.median(f["v"]), 300, 1, "median")
    assert m.low < m.value < m.high and m.high - m.low < 1.5
    # paired difference: trial t of arm 1 is trial t of arm 0 plus 1, in every resample
    d = bootstrap(frame, lambda f: (f[f["arm"] == 1]["v"].to_numpy() - f[f["arm"] == 0]["v"].to_numpy()).mean(),
                  100, 1, "diff")
    assert d.low == pytest.approx(1.0) and d.high == pytest.approx(1.0)


def test_settings_errors_name_the_key():
    settings = yaml.safe_load(TINY.read_text())
    expanded = validate_settings(settings)
    assert "hadamard_depth[depth=3,alpha=0.01]" in expanded["depth"]["methods"]
    bad = {**settings, "min_l1": {k: v for k, v in settings["min_l1"].items() if k != "max_iter"}}
    with pytest.raises(SettingsError, match=r"claim settings key 'min_l1': 'max_iter' is a required"):
        validate_settings(bad)
    bad = {**settings, "depth": {**settings["depth"], "methods": {"h": {"sweep": {"alpha": 3}}}}}
    with pytest.raises(SettingsError, match=r"claim settings key 'depth\.methods\.h\.sweep\.alpha'"):
        validate_settings(bad)


def test_finding_round_trips_and_rejects_unknown_verdicts(tmp_path):
    f = claim_finding(claim="x", source="src", statement="st", setting="set", quantity="q",
                      measured=[Measure("a", 1.0, 0.5, math.nan)], criterion="crit",
                      verdict="partly", reason="why", runs={"total": 1}, files=["x.csv"],
                      rule="upper bound: exponent must not exceed 1", multiplicity="3 exponents")
    back = Finding.read_json(f.write_json(tmp_path / "x.json"))
    assert back.measured[0].value == 1.0 and math.isnan(back.measured[0].high)
    assert back.runs == {"total": 1} and back.files == ["x.csv"] and back.source == "src"
    assert back.measured_text() == "a: 1 [0.5, n/a]"
    assert rule_of(back) == ("upper bound: exponent must not exceed 1", "3 exponents")
    assert back.criterion.endswith("crit")
    with pytest.raises(ValueError, match="'maybe'"):
        claim_finding(claim="x", statement="s", setting="s", verdict="maybe", rule="r", multiplicity="1")


def test_the_depth_recorded_for_claims_1_and_2_is_the_depth_the_model_runs():
    """A depth-N entry without `depth` runs the method's default (N = 3), and its rows say
    so; u∘u − v∘v is depth 2; a method without a depth has none."""
    from gsbench.claims.depth import model_depth
    from gsbench.methods import make_method

    assert model_depth("hadamard_depth", {}) == make_method("hadamard_depth", {}).depth == 3
    assert model_depth("hadamard_depth", {"depth": 4, "alpha": 0.01}) == 4
    assert model_depth("hadamard", {}) == 2
    assert model_depth("lasso", {}) is None
