"""Methods added as plugins, failing and diverging trials, malformed result files and
failed rules: a study records them and keeps everything else.

Every test that reads the shared plugin study (`plugin_study`, tests/conftest.py) is in
this file, so that `--dist loadfile` runs that study once, on one worker. (Interruption and
the number of cores: tests/test_workflow.py, beside the smoke study they compare with.)
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gsbench.stages import trials_stage
from gsbench.study import ROW_SCHEMA, ResultsSchemaError, read_trials


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


def test_result_file_with_missing_columns_is_rejected_naming_the_file(tmp_path):
    good = pd.DataFrame({c: pd.Series([1], dtype="int64" if t == "int64" else None)
                         for c, t in ROW_SCHEMA.items()})
    good = good.astype({c: ("float64" if t == "float64" else "string" if t == "string" else t)
                        for c, t in ROW_SCHEMA.items()})
    old = tmp_path / "old.parquet"
    good.drop(columns=["support_recall", "extra"]).to_parquet(old)
    with pytest.raises(ResultsSchemaError, match=r"results file .*old.parquet lacks column\(s\) "
                                                 r"support_recall, extra"):
        read_trials([old])
    with pytest.raises(ResultsSchemaError, match="old.parquet"):
        study = {"success": {"threshold": 0.05}, "allow_code_changes": False}
        trials_stage(study, [str(old)], str(tmp_path / "trials.parquet"))
    typed = tmp_path / "typed.parquet"
    good.assign(n="many").to_parquet(typed)
    with pytest.raises(ResultsSchemaError, match="typed.parquet has a column of the wrong type"):
        read_trials([typed])
    assert len(read_trials([])) == 0 and list(read_trials([]).columns) == list(ROW_SCHEMA)


def test_a_failed_rule_leaves_its_traceback_in_the_log_and_the_pointer_outside(tmp_path, capsys):
    from types import SimpleNamespace

    from gsbench.stages import run_rule

    log = tmp_path / "logs" / "x.log"

    def stage(value):
        print("working on", value)
        raise ValueError(f"bad value {value}")

    with pytest.raises(ValueError, match="bad value 3"):
        run_rule(SimpleNamespace(log=[str(log)], threads=1), stage, 3)
    text = log.read_text()
    assert "working on 3" in text and "ValueError: bad value 3" in text
    assert "rule failed" not in text
    assert f"gsbench: rule failed, see {log}" in capsys.readouterr().err


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
