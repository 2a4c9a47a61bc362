"""Results never go stale: a change that changes a fit reruns exactly that fit.

One small study (dglnn2 and a plugin method on two cells) is run, then changed
the ways a user changes a study; after each rerun of the same `snakemake` command, the
per-cell fit files that had to change are new and every other one kept its modification
time. (The per-cell store, mixed-code refusal and status without Snakemake:
tests/unit/test_stale_results.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from workflow_helpers import PLUGINS, data_config, snakemake, write_config

#: The tests' ridge plugin, copied into the study's directory so that the test can edit it.
PLUGIN = (PLUGINS / "ridge_plugin.py").read_text()


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

    first = run(data_config("stale_study"))
    assert len(first) == 4  # 2 methods x 2 cells
    trials = pd.read_parquet(out / "trials.parquet")
    assert trials.groupby("cell_id").size().tolist() == [6, 6]
    assert int(trials.loc[trials["method"] == "dglnn2", "iterations"].max()) > 50

    # 1. a method's parameters: only its fits are recomputed
    methods = {"dglnn2": {"max_iter": 50}, "ridge": {}}
    second = run(data_config("stale_study", methods=methods))
    assert _changed(first, second) == {"dglnn2"}
    assert all(second[f] == t for f, t in first.items())  # older files are kept, untouched
    trials = pd.read_parquet(out / "trials.parquet")
    assert int(trials.loc[trials["method"] == "dglnn2", "iterations"].max()) <= 50

    # 2. the plugin's code, the success threshold and the chunking: only the plugin
    # method's fits are recomputed; the summary follows the new threshold
    summary_written = (out / "summary.csv").stat().st_mtime_ns
    (work / "ridge_plugin.py").write_text(PLUGIN.replace("+ self.lam * np.eye(p)", "+ 1.0 * self.lam * np.eye(p)"))
    third = run(data_config("stale_study", methods=methods, success={"metric": "rel_error_oracle", "threshold": 0.9},
                        jobs_per_method=2))
    assert _changed(second, third) == {"ridge"}
    summary = pd.read_csv(out / "summary.csv").set_index(["method", "cell_id"])
    trials = pd.read_parquet(out / "trials.parquet")
    counted = (trials.assign(hit=(trials["rel_error_oracle"] <= 0.9) & (trials["status"] == "ok"))
               .groupby(["method", "cell_id"])["hit"].sum())
    assert summary["successes"].sort_index().tolist() == counted.sort_index().tolist()
    assert (out / "summary.csv").stat().st_mtime_ns > summary_written  # the analysis reran

    # 3. the trial count: every fit is recomputed, with the new count
    fourth = run(data_config("stale_study", methods=methods, trials=4))
    assert _changed(third, fourth) == {"dglnn2", "ridge"}
    trials = pd.read_parquet(out / "trials.parquet")
    assert trials.groupby("cell_id").size().tolist() == [8, 8]
    record = json.loads((out / "provenance.json").read_text())
    assert record["status"] == "complete" and record["config"]["trials"] == 4
    assert set(record["fits"]) == {"dglnn2", "ridge"}
