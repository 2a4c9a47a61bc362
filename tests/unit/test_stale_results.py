"""Results never go stale: a change that changes a fit reruns exactly that fit.

One small study (dglnn2 and a plugin method on two cells) is run, then changed
the ways a user changes a study; after each rerun of the same `snakemake` command, the
per-cell fit files that had to change are new and every other one kept its modification
time. A mixed-code aggregate is refused.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from gsbench.study import load_config, read_fits
from gsbench.study.chunks import fit_cells
from gsbench.study.cells import expand_cells
from gsbench.study.io import MixedCodeError
from workflow_helpers import snakemake, write_config

#: The tests' ridge plugin, copied into the study's directory so that the test can edit it.
PLUGIN = (Path(__file__).resolve().parent / "plugins" / "ridge_plugin.py").read_text()


def _config(**changes) -> dict:
    config = {
        "study": "stale",
        "grid": {"p": [64], "group_size": [4], "active_groups": [2], "n": [16, 32],
                 "sigma": [0.0], "design": ["rademacher"]},
        "trials": 3,
        "methods": {"dglnn2": {}, "ridge": {}},
        "plugins": ["ridge_plugin"],
        "success": {"metric": "rel_error_oracle", "threshold": 0.01},
        "jobs_per_method": 1,
        "bootstrap": 20,
    }  # fmt: skip
    for key, value in changes.items():
        config[key] = value
    return config


def _cell_files(out: Path) -> dict[str, float]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in sorted(out.glob("fits/*/cells/*.parquet"))}


def _changed(before: dict[str, float], after: dict[str, float]) -> set[str]:
    """Methods whose cell files are new since `before` (or were rewritten)."""
    new = {f for f in after if f not in before or after[f] != before[f]}
    return {f.split("/")[1] for f in new}


@pytest.mark.slow
def test_each_change_reruns_exactly_the_fits_it_changes(tmp_path):
    work = tmp_path
    (work / "ridge_plugin.py").write_text(PLUGIN)
    env = {"PYTHONPATH": str(work)}
    out = work / "results" / "stale"
    targets = [f"results/stale/{name}" for name in ("trials.parquet", "summary.csv")]

    def run(config: dict) -> dict[str, float]:
        cfg = write_config(work, config)
        snakemake(work, cfg, *targets, cores=2, env=env)
        return _cell_files(out)

    first = run(_config())
    assert len(first) == 4  # 2 methods x 2 cells
    trials = pd.read_parquet(out / "trials.parquet")
    assert trials.groupby("cell_id").size().tolist() == [6, 6]
    assert int(trials.loc[trials["method"] == "dglnn2", "iterations"].max()) > 50

    # 1. a method's parameters: only its fits are recomputed
    methods = {"dglnn2": {"max_iter": 50}, "ridge": {}}
    second = run(_config(methods=methods))
    assert _changed(first, second) == {"dglnn2"}
    assert all(second[f] == t for f, t in first.items())  # older files are kept, untouched
    trials = pd.read_parquet(out / "trials.parquet")
    assert int(trials.loc[trials["method"] == "dglnn2", "iterations"].max()) <= 50

    # 2. the plugin's code, the success threshold and the chunking: only the plugin
    # method's fits are recomputed; the summary follows the new threshold
    summary_written = (out / "summary.csv").stat().st_mtime_ns
    (work / "ridge_plugin.py").write_text(PLUGIN.replace("+ self.lam * np.eye(p)", "+ 1.0 * self.lam * np.eye(p)"))
    third = run(_config(methods=methods, success={"metric": "rel_error_oracle", "threshold": 0.9},
                        jobs_per_method=2))
    assert _changed(second, third) == {"ridge"}
    summary = pd.read_csv(out / "summary.csv").set_index(["method", "cell_id"])
    trials = pd.read_parquet(out / "trials.parquet")
    counted = (trials.assign(hit=(trials["rel_error_oracle"] <= 0.9) & (trials["status"] == "ok"))
               .groupby(["method", "cell_id"])["hit"].sum())
    assert summary["successes"].sort_index().tolist() == counted.sort_index().tolist()
    assert (out / "summary.csv").stat().st_mtime_ns > summary_written  # the analysis reran

    # 3. the trial count: every fit is recomputed, with the new count
    fourth = run(_config(methods=methods, trials=4))
    assert _changed(third, fourth) == {"dglnn2", "ridge"}
    trials = pd.read_parquet(out / "trials.parquet")
    assert trials.groupby("cell_id").size().tolist() == [8, 8]
    record = json.loads((out / "provenance.json").read_text())
    assert record["status"] == "complete" and record["config"]["trials"] == 4
    assert set(record["fits"]) == {"dglnn2", "ridge"}


def test_fits_of_two_code_versions_are_refused_unless_allowed(tmp_path):
    """Two fit files of one method whose code keys differ cannot be aggregated silently."""
    config = load_config(_config(methods={"lasso": {}}, plugins=[]))
    cells, _ = expand_cells(config)
    a, b = tmp_path / "a" / "x.parquet", tmp_path / "b" / "y.parquet"
    fit_cells(config, "lasso", cells[:1], a)
    frame = fit_cells(config, "lasso", cells[1:], b)
    frame["code_key"] = "0ldc0de0"  # as an older gsbench would have written it
    from gsbench.study.chunks import _write_fit
    from gsbench.study.fingerprint import fit_key

    _write_fit(frame, b, [fit_key(config, "lasso", cells[1])])
    with pytest.raises(MixedCodeError, match=r"'lasso'.*0ldc0de0: .*y\.parquet.*allow_code_changes"):
        read_fits([a, b])
    mixed = read_fits([a, b], allow_code_changes=True)
    assert "0ldc0de0" in set(mixed["code_key"]) and mixed["code_key"].nunique() == 2 and len(mixed) == 6


def test_a_job_reuses_stored_cells_and_refits_a_damaged_one(tmp_path):
    """The per-cell store: a second job over the same cells reads them; a cell file edited
    after its job wrote it is fitted again, not used."""
    config = load_config(_config(methods={"lasso": {}}, plugins=[]))
    cells, _ = expand_cells(config)
    out = tmp_path / "fits" / "lasso" / "chunk00-00000000.parquet"
    first = fit_cells(config, "lasso", cells, out)
    stored = sorted((out.parent / "cells").glob("*.parquet"))
    assert len(stored) == 2
    times = [p.stat().st_mtime_ns for p in stored]
    again = fit_cells(config, "lasso", cells, out.with_name("chunk01-00000000.parquet"))
    assert [p.stat().st_mtime_ns for p in stored] == times
    pd.testing.assert_frame_equal(first.drop(columns="seconds"), again.drop(columns="seconds"))
    shutil.copy(stored[1], stored[0])  # damaged: its checksum no longer matches
    fit_cells(config, "lasso", cells, out)
    assert stored[0].stat().st_mtime_ns != times[0] and stored[1].stat().st_mtime_ns == times[1]


def test_status_names_current_stale_and_missing_fits_with_the_reason(tmp_path):
    from gsbench.study.status import format_status, study_status

    config = load_config(_config(methods={"lasso": {}, "group_lasso": {}}, plugins=[]))
    cells, _ = expand_cells(config)
    fits = tmp_path / "results" / "stale" / "fits"
    fit_cells(config, "lasso", cells, fits / "lasso" / "chunk00-00000000.parquet")
    fit_cells(config, "group_lasso", cells[:1], fits / "group_lasso" / "chunk00-00000000.parquet")
    lasso, group = study_status(config, tmp_path)
    assert (lasso.current, lasso.stale, lasso.missing) == (2, 0, 0)
    assert (group.current, group.stale, group.missing) == (1, 0, 1) and group.cpu_seconds > 0
    changed = load_config(_config(methods={"lasso": {"n_lambdas": 10}, "group_lasso": {}},
                                  plugins=[], trials=3))
    lasso, group = study_status(changed, tmp_path)
    assert (lasso.current, lasso.stale, lasso.missing) == (0, 2, 0)
    assert dict(lasso.reasons) == {"parameters": 2}
    more = load_config(_config(methods={"lasso": {}, "group_lasso": {}}, plugins=[], trials=4))
    text = format_status(more, study_status(more, tmp_path))
    assert "problem options" not in text and "trials (2)" in text
    assert "4 cell fit(s) to compute" in text
