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
