"""The claims checker (gsbench.claims): its pieces, and the real `snakemake claims` target
on a shortened settings file (tests/data/claims_tiny.yaml)."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from gsbench.claims import CLAIMS, Finding, Measure, SettingsError, claim_finding, validate_settings
from gsbench.claims.common import (
    bootstrap,
    budget,
    counts,
    fit_trials,
    rule_of,
    predicted_iterations,
    setting_problems,
)
from gsbench.claims.depth_range import working_range
from workflow_helpers import ROOT, is_nonblank_png, snakemake

TINY = ROOT / "tests" / "data" / "claims_tiny.yaml"


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
    with pytest.raises(SettingsError, match=r"'min_l1\.max_iter' is missing"):
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
    assert back.measured_text() == "a: 1 [0.5, nan]"
    assert rule_of(back) == ("upper bound: exponent must not exceed 1", "3 exponents")
    assert back.criterion.endswith("crit")
    with pytest.raises(ValueError, match="'maybe'"):
        claim_finding(claim="x", statement="s", setting="s", verdict="maybe", rule="r", multiplicity="1")


@pytest.mark.slow
def test_snakemake_claims_target_on_short_settings(tmp_path):
    settings = tmp_path / "claims_tiny.yaml"
    settings.write_text(TINY.read_text())
    snakemake(tmp_path, ROOT / "config" / "smoke.yaml", "claims", "--config",
              f"claims_settings={settings}", cores=1, timeout=300)
    out = tmp_path / "results" / "claims"
    md = (out / "claims.md").read_text()
    assert re.search(r"^Provenance: gsbench .*settings claims_tiny\.yaml sha256 [0-9a-f]{12}, "
                     r"method code keys: .*dglnn", md, flags=re.M)
    rows = [line for line in md.splitlines() if re.match(r"^\| \d+ \|", line)]
    assert len(rows) == len(CLAIMS) == 7
    for row, name in zip(rows, CLAIMS):
        assert re.search(r"\*\*(agrees|partly|disagrees|inconclusive)\*\*: \S", row)
        record = json.loads((out / f"{name}.json").read_text())
        rule, multiplicity = rule_of(Finding.read_json(out / f"{name}.json"))
        assert rule and multiplicity and f"| {rule} ({multiplicity}) |" in row
        assert record["claim"] == name and record["measured"] is not None
        assert set(record["runs"]) >= {"total", "converged", "budget_exhausted", "failed"}
        assert is_nonblank_png(out / f"{name}.png")
        assert len(pd.read_csv(out / f"{name}.csv")) > 0
    assert "Chou, Maly & Rauhut" in md and "Corollary 1" in md
    # claim 5 measures basis pursuit's n* beside the models, against D_l1, and the paired ratio
    assert "basis_pursuit n*/D_l1" in md and "n*/n*_BP paired" in md
    # claim 7: plain GD's convergence flags and both references per (trial, alpha)
    gd = pd.read_csv(out / "min_group_l12.csv")
    assert {"distance", "distance_bp", "ratio", "l1_ratio", "doubling_change", "converged"} <= set(gd.columns)
    assert (gd[gd["model"] == "gd"]["ratio"] >= 1 - 1e-6).all()  # projected: an interpolant
    trials = pd.read_csv(out / "depth_trials.csv")
    assert {"near_min_first", "near_min_last", "val_settled"} <= set(trials.columns)
    assert (out / "logs" / "claims.log").is_file()
