"""A study survives failing methods, interruption and a different --cores, losing nothing."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import textwrap
import time

import pandas as pd
import pytest

from gsbench.stages import trials_stage
from gsbench.study import ROW_SCHEMA, ResultsSchemaError, read_trials
from workflow_helpers import ROOT, SNAKEMAKE, smoke_config, snakemake, write_config

pytestmark = pytest.mark.slow

FLAKY = textwrap.dedent('''
    """Test plugin: raises on the smallest n, diverges on some trials, else least squares."""
    import numpy as np
    from gsbench.methods import FitResult, GroupSparseRegressor, register


    class Flaky(GroupSparseRegressor):
        name = "flaky"
        description = "fails or diverges on purpose (test plugin)"
        _parameter_constraints = {"groups": ["array-like", int]}

        def __init__(self, groups=1):
            self.groups = groups

        def _fit_batch(self, X, y, X_val, y_val, w_star, ops):
            B, n, p = X.shape
            if n == 8:
                raise RuntimeError("boom on n=8")
            out = []
            for b in range(B):
                w = np.linalg.lstsq(X[b], y[b], rcond=None)[0]
                res = FitResult(w, w, w, 0, 0, 1)
                if y[b, 0] > 0:
                    res.status, res.message = "diverged", "diverged on purpose"
                    res.coef_final = np.full(p, np.nan)
                out.append(res)
            return out


    register("flaky", Flaky)
''')


def test_failing_and_diverging_trials_are_recorded_and_counted(tmp_path):
    (tmp_path / "flaky_plugin.py").write_text(FLAKY)
    config = smoke_config(plugins=["flaky_plugin"], methods={"flaky": {}, "group_lasso": {}})
    config["grid"] = {**config["grid"], "n": [8, 16, 64, 96]}
    cfg = write_config(tmp_path, config)
    snakemake(tmp_path, cfg, env={"PYTHONPATH": str(tmp_path)})
    out = tmp_path / "results" / "smoke"
    trials = pd.read_parquet(out / "trials.parquet")
    flaky = trials[trials["method"] == "flaky"]
    failed = flaky[flaky["status"] == "failed"]
    assert (failed["n"] == 8).all() and len(failed) == (flaky["n"] == 8).sum()
    assert failed["message"].str.contains("RuntimeError: boom on n=8").all()
    diverged = flaky[flaky["status"] == "diverged"]
    assert len(diverged) > 0 and (diverged["message"] == "diverged on purpose").all()
    # every other result is kept
    assert (trials[trials["method"] == "group_lasso"]["status"] == "ok").all()
    assert len(trials) == 2 * len(flaky)
    summary = pd.read_csv(out / "summary.csv")
    fs = summary[summary["method"] == "flaky"]
    assert fs["n_failed"].sum() == len(failed) and fs["n_diverged"].sum() == len(diverged)
    # least squares is exact for n >= p (noiseless), yet diverged trials count as failures
    big = fs[fs["n"] == 96]
    assert (big["successes"] == big["n_ok"]).all() and (big["success_rate"] < 1).any()
    log = "".join(p.read_text() for p in (out / "logs" / "fit" / "flaky").glob("*.log"))
    assert "boom on n=8" in log


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
def reference(tmp_path_factory):
    work = tmp_path_factory.mktemp("reference")
    cfg = write_config(work, smoke_config())
    snakemake(work, cfg, cores=2)
    return comparable(work / "results" / "smoke")


def test_same_config_with_other_cores_gives_identical_results(tmp_path, reference):
    cfg = write_config(tmp_path, smoke_config())
    snakemake(tmp_path, cfg, cores=1)
    assert comparable(tmp_path / "results" / "smoke") == reference


def test_interrupted_study_resumes_to_identical_outputs(tmp_path, reference):
    cfg = write_config(tmp_path, smoke_config())
    cmd = [str(SNAKEMAKE), "--snakefile", str(ROOT / "Snakefile"), "--directory", str(tmp_path),
           "--configfile", str(cfg), "--cores", "2"]
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
    snakemake(tmp_path, cfg, "--rerun-incomplete", cores=2)
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
