"""A study on a real design run by the workflow: the rows, seeds and references of the
ordinary study on digits, with its unequal groups."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gsbench.analysis.theory import expected_group_references
from gsbench.designs import load
from gsbench.problems import derive_seed
from gsbench.study import load_config
from gsbench.study.cells import Cell
from gsbench.study.grid_designs import design_specs
from workflow_helpers import snakemake, write_config

DIGITS = {"real": {"name": "digits", "orthonormalise": True}}


@pytest.fixture(scope="module")
def digits():
    return load({"name": "digits", "orthonormalise": True})


@pytest.mark.slow
def test_a_study_on_a_real_design_end_to_end(tmp_path, digits):
    """digits, 2 methods, 2 sample sizes, 2 trials: trials.parquet and transitions.csv of the
    ordinary workflow, with the design's unequal groups throughout (the verdict's text is
    checked in process above)."""
    config = {"study": "real_grid", "grid": {"design": [DIGITS], "active_groups": [1],
                                             "n": [24, 64]},
              "trials": 2, "methods": {"dglnn2": {}, "group_lasso": {}},
              "problem": {"signal": "random_signs"}, "jobs_per_method": 1}
    cfg = write_config(tmp_path, config)
    out = tmp_path / "results" / "real_grid"
    snakemake(tmp_path, cfg, *(f"results/real_grid/{f}" for f in
                               ("trials.parquet", "transitions.csv")))
    trials = pd.read_parquet(out / "trials.parquet")
    assert len(trials) == 2 * 2 * 2 and (trials["status"] == "ok").all()
    assert set(trials["design"]) == {"real-digits"} and set(trials["p"]) == {61}
    assert set(trials["group_sizes"]) == {json.dumps(digits.sizes.tolist(), separators=(",", ":"))}
    assert json.loads(trials["design_spec"].iloc[0])["data"]["name"] == "digits"
    loaded = load_config(cfg)
    for row in trials.itertuples():  # every draw seeded from the cell and the trial
        cell = Cell.from_row(row, design_specs(loaded))
        assert row.seed == derive_seed(cell.problem_params(loaded), row.trial)
    transitions = pd.read_csv(out / "transitions.csv")
    assert len(transitions) == 2 and set(transitions["design"]) == {"real-digits"}
    expected = expected_group_references(digits.sizes, np.arange(digits.sizes.size), 1)
    assert np.allclose(transitions[["n_ref_l1", "n_ref_group"]].to_numpy(float), expected)
