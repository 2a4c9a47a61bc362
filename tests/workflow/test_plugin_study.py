"""Methods added as plugins, failing and diverging trials in a study run by the real
`snakemake`: the study records them and keeps everything else.

Every test that reads the shared plugin study (`plugin_study`, tests/workflow/conftest.py) is
in this file, so that `--dist loadfile` runs that study once, on one worker. (Malformed result
files and failed rules without Snakemake: tests/unit/test_reliability.py.)
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest


@pytest.mark.slow
def test_failing_and_diverging_trials_are_recorded_and_counted(plugin_study):
    out = plugin_study  # tests/plugins/flaky_plugin.py, beside ridge_plugin.py
    trials = pd.read_parquet(out / "trials.parquet")
    flaky = trials[trials["method"] == "flaky"]
    failed = flaky[flaky["status"] == "failed"]
    assert (failed["n"] == 8).all() and len(failed) == (flaky["n"] == 8).sum()
    assert failed["message"].str.contains("RuntimeError: boom on n=8").all()
    diverged = flaky[flaky["status"] == "diverged"]
    assert len(diverged) > 0 and (diverged["message"] == "diverged on purpose").all()
    # the other method's results are all kept
    assert (trials[trials["method"] == "ridge"]["status"] == "ok").all()
    assert (trials["method"].value_counts() == len(flaky)).all()
    summary = pd.read_csv(out / "summary.csv")
    fs = summary[summary["method"] == "flaky"]
    assert fs["n_failed"].sum() == len(failed) and fs["n_diverged"].sum() == len(diverged)
    # least squares is exact for n >= p (noiseless), yet diverged trials count as failures
    big = fs[fs["n"] == 96]
    assert (big["successes"] == big["n_ok"]).all() and (big["success_rate"] < 1).any()
    log = "".join(p.read_text() for p in (out / "logs" / "fit" / "flaky").glob("*.log"))
    assert "boom on n=8" in log


@pytest.mark.slow
def test_a_setting_where_every_trial_diverged_or_failed_is_reported_as_such(plugin_study):
    # flaky fails at n = 8 and diverges at every other n on the 16-entry signals (g=4, s=4)
    out = plugin_study
    trans = pd.read_csv(out / "transitions.csv").set_index(["method", "group_size", "active_groups"])
    assert trans.loc[("flaky", 4, 4), "transition"] == "all_failed"
    assert np.isnan(trans.loc[("flaky", 4, 4), "n_star"])
    assert (trans.drop(index=("flaky", 4, 4))["transition"] != "all_failed").all()
    md = (out / "tables" / "transitions.md").read_text().splitlines()
    assert any(line.startswith("| flaky | 4 | 4 | 16 | all trials diverged / failed |")
               for line in md)
    assert "all trials diverged / failed" in (out / "tables" / "transitions.tex").read_text()


@pytest.mark.slow
def test_a_method_added_as_a_plugin_reaches_every_output(plugin_study):
    out = plugin_study  # tests/plugins/ridge_plugin.py, beside flaky_plugin.py
    trials = pd.read_parquet(out / "trials.parquet")
    ridge = trials[trials["method"] == "ridge"]
    assert len(ridge) == len(trials) / 2 and (ridge["status"] == "ok").all()
    assert json.loads(ridge["params"].iloc[0])["lam"] == 0.001
    # ridge does not do sparse recovery: it never reaches 5% error with n < p
    assert ridge.loc[ridge["n"] < ridge["p"], "rel_error_oracle"].min() > 0.05
    for name in ("summary.csv", "transitions.csv", "scaling.csv"):
        assert "ridge" in set(pd.read_csv(out / name)["method"]), name
    for name in ("transitions.md", "scaling.md", "transitions.tex"):
        assert "ridge" in (out / "tables" / name).read_text(), name
