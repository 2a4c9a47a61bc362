"""Fit jobs' resources in the rules: a Snakemake dry run asks for what
`gsbench.study.resources.job_resources` computes. (The resources themselves, without
Snakemake: tests/unit/test_resources.py.)"""

import re

import pytest

from gsbench.study import load_config
from gsbench.study import resources as rs
from gsbench.study.chunks import chunk_cells
from workflow_helpers import smoke_config, snakemake, write_config


@pytest.mark.slow
def test_dry_run_asks_resources_growing_with_the_cells(tmp_path):
    """The rules ask job_resources: a dry run's fit jobs of small and large cells."""
    config = smoke_config(study="sized", jobs_per_method=2, methods={"dglnn2": {"max_iter": 20000}})
    config["grid"].update(p=[64, 2048], group_size=[4], active_groups=[2], n=[16, 512])
    path = write_config(tmp_path, config)
    out = snakemake(tmp_path, path, "-n", "--forceall").stdout
    jobs = re.findall(r"rule fit:.*?resources: ([^\n]*)", out, re.S)
    found = [(int(re.search(r"mem_mb=(\d+)", r)[1]), int(re.search(r"runtime=(\d+)", r)[1]))
             for r in jobs]
    validated = load_config(config)
    want = sorted(tuple(rs.job_resources(validated, "dglnn2", cells).values())
                  for cells in chunk_cells(validated)["dglnn2"].values())
    assert sorted(found) == want and want[0][0] < want[-1][0] and want[0][1] < want[-1][1]


@pytest.mark.slow
def test_dry_run_of_an_adaptive_grid_shows_round_0_fit_jobs_and_their_resources(tmp_path):
    """Round 0's plan follows from the config: a dry run lists its fit jobs, one p each under
    a target duration, asking what job_resources computes for their cells: more memory for
    the larger p, whose time is spread over more jobs (later rounds wait for the
    checkpoint)."""
    from gsbench.study.adaptive import plan_cells, round_plan

    config = smoke_config(study="sized_adaptive", resources={"target_minutes": 0.1},
                          methods={"dglnn2": {"max_iter": 20000}})
    config["grid"].update(p=[64, 2048], group_size=[4], active_groups=[2],
                          n={"adaptive": {"range": [16, 512], "precision": 0.3, "coarse": 3, "rounds": 2}})
    path = write_config(tmp_path, config)
    out = snakemake(tmp_path, path, "-n", "--forceall").stdout
    jobs = re.findall(r"rule fit_round:.*?wildcards: ([^\n]*).*?resources: ([^\n]*)", out, re.S)
    found = {re.search(r"chunk=(\S+)", w)[1]: (int(re.search(r"mem_mb=(\d+)", r)[1]),
                                               int(re.search(r"runtime=(\d+)", r)[1]))
             for w, r in jobs if "round=0" in w}  # fmt: skip
    validated = load_config(config)
    plan = round_plan(validated, 0)[0]
    want = {chunk: tuple(rs.job_resources(validated, "dglnn2", plan_cells(plan, "dglnn2", chunk)).values())
            for chunk in plan["chunk"].unique()}  # fmt: skip
    assert found == want and len(want) >= 2
    chunks_of = plan.groupby("p")["chunk"].unique()
    assert max(found[c][0] for c in chunks_of[64]) < min(found[c][0] for c in chunks_of[2048])
    assert len(chunks_of[64]) < len(chunks_of[2048])  # the larger cells' time: more jobs
