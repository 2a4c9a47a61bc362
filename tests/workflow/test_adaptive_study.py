"""A tiny adaptive-grid study end to end through the real `snakemake`: its rounds, the union
of their fits, and a rerun that has nothing to do."""

import numpy as np
import pandas as pd
import pytest

from gsbench.analysis import transitions
from gsbench.study import read_fits
from workflow_helpers import snakemake, write_config


@pytest.mark.slow
def test_tiny_adaptive_study_rounds_union_and_rerun(tmp_path):
    config = {
        "study": "tiny", "trials": 6, "jobs_per_method": 1, "bootstrap": 50,
        "grid": {"p": [64], "group_size": [4], "active_groups": [1, 3],
                 "n": {"adaptive": {"range": [8, 64], "precision": 0.15, "coarse": 3, "rounds": 2}}},
        "methods": {"group_lasso": {}},
    }  # fmt: skip
    cfg = write_config(tmp_path, config)
    target = "results/tiny/transitions.csv"
    snakemake(tmp_path, cfg, target)
    out = tmp_path / "results" / "tiny"
    (plan_dir,) = (out / "adaptive").iterdir()  # keyed by the config and the methods' code
    plans = {r: pd.read_csv(plan_dir / f"round{r}.csv") for r in range(3)}
    assert sorted(plans[0]["n"].unique()) == [8, 23]  # the coarse 8, 23, 64 without the top
    assert len(plans[0]) == 4  # both settings
    for r in (1, 2):
        est = pd.read_csv(plan_dir / f"round{r}_estimates.csv").set_index("active_groups")
        assert not plans[r].empty
        done = pd.concat([plans[k] for k in range(r)])
        fitted = read_fits(sorted((out / "fits" / "group_lasso").glob("round*.parquet")))
        for row in plans[r].itertuples():
            if row.n == 64:  # the top: only for a setting failing at its largest n so far
                largest = done.loc[done["active_groups"] == row.active_groups, "n"].max()
                last = fitted[(fitted["active_groups"] == row.active_groups)
                              & (fitted["n"] == largest)]
                assert (last["rel_error_oracle"] <= 0.05).mean() < 0.5
                continue
            e = est.loc[row.active_groups]  # else only where the estimate was too wide
            assert e["transition"] == "ok" and e["rel_width"] > 0.15
            assert e["n_star_low"] < row.n < e["n_star_high"]
        # a setting already successful at n = 8 gets nothing
        assert set(est.index[est["transition"] == "below_grid"]).isdisjoint(plans[r]["active_groups"])
    fit_files = sorted((out / "fits" / "group_lasso").glob("round*.parquet"))
    assert [f.name.split("-")[0] for f in fit_files] == ["round0", "round1", "round2"]
    trials = read_fits(fit_files)
    union = pd.concat(plans.values())
    assert sorted(zip(trials["active_groups"], trials["n"]).__iter__()) == sorted(
        (s, n) for s, n in zip(union["active_groups"], union["n"]) for _ in range(6))
    final = pd.read_csv(out / "transitions.csv")
    expected = transitions(trials, n_boot=50, seed=0)
    assert list(final["n_points"]) == list(expected["n_points"])
    np.testing.assert_allclose(final["n_star"], expected["n_star"])
    assert final.loc[final["active_groups"] == 3, "n_points"].item() == 4  # 2 in round 0 + 2 rounds
    # complete: a rerun has nothing to do and rewrites no fit
    mtimes = {f: f.stat().st_mtime_ns for f in fit_files}
    proc = snakemake(tmp_path, cfg, target, "--dry-run")
    assert "Nothing to be done" in proc.stdout + proc.stderr
    snakemake(tmp_path, cfg, target)
    assert {f: f.stat().st_mtime_ns for f in fit_files} == mtimes
