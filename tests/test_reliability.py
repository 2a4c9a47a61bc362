"""A study survives failing methods, interruption and a different --cores, losing nothing."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

import numpy as np
import pandas as pd
import pytest

from gsbench.stages import trials_stage
from gsbench.study import ROW_SCHEMA, ResultsSchemaError, read_trials
from workflow_helpers import (
    smoke_config,
    snakemake,
    snakemake_command,
    table_targets,
    write_config,
)


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
    assert "| flaky | 4 | 4 | 16 | all trials diverged / failed |" in md
    assert "all trials diverged / failed" in (out / "tables" / "transitions.tex").read_text()


def comparable(out) -> dict[str, str]:
    """The study's outputs as text with timing columns removed (they are expected to differ)."""
    trials = pd.read_parquet(out / "trials.parquet").drop(columns=["seconds"])
    texts = {"trials": trials.to_csv(index=False)}
    for name in ("summary", "transitions", "scaling"):
        frame = pd.read_csv(out / f"{name}.csv")
        frame = frame[[c for c in frame.columns if not c.startswith("seconds")]]
        texts[name] = frame.to_csv(index=False)
    for name in ("transitions.md", "scaling.md", "transitions.tex", "scaling.tex"):
        texts[name] = (out / "tables" / name).read_text()
    return texts


@pytest.fixture(scope="module")
def reference(smoke_study):
    """The shared smoke study's outputs, run on 2 cores."""
    work, _ = smoke_study
    return comparable(work / "results" / "smoke")


@pytest.mark.slow
def test_interrupted_one_core_study_resumes_to_the_two_core_outputs(tmp_path, reference):
    """Two properties at the price of one run: a study killed mid-way and resumed loses
    nothing, and the number of cores does not change a result (this run and its resumption
    use 1 core, the reference used 2)."""
    cfg = write_config(tmp_path, smoke_config())
    cmd = snakemake_command(tmp_path, cfg, *table_targets(), cores=1)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    fits = tmp_path / "results" / "smoke" / "fits"
    deadline = time.time() + 120
    while time.time() < deadline and not (fits.exists() and any(fits.rglob("*.parquet"))):
        time.sleep(0.2)
    assert proc.poll() is None, "the study finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(1.0)
    with contextlib.suppress(ProcessLookupError):  # then the hard way, jobs included
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = list(fits.rglob("*.parquet"))
    assert len(done) < 3, "nothing was left to redo"
    for path in done:  # what exists is complete
        assert len(pd.read_parquet(path)) > 0
    # A killed Snakemake leaves its lock: unlock, then rerun (README, "Interrupted runs").
    snakemake(tmp_path, cfg, "--unlock")
    snakemake(tmp_path, cfg, "--rerun-incomplete", *table_targets())
    assert comparable(tmp_path / "results" / "smoke") == reference
    leftovers = [p for p in (tmp_path / "results").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


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
        trials_stage([str(old)], str(tmp_path / "trials.parquet"))
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
