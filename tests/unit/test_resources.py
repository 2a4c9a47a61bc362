"""Fit jobs' resources from their cells: memory from the arrays a job holds,
runtime from the cost model, retries, config overrides, chunks sized by a target duration,
BLAS threads. (The rules asking for them, a Snakemake dry run:
tests/workflow/test_resources_dry_run.py.)"""

import copy
import math
import re

import numpy as np
import pytest

from gsbench.coherence import incoherence
from gsbench.problems import stack_problems
from gsbench.study import Cell, ConfigError, expand_cells, load_config
from gsbench.study import cost_model as cm
from gsbench.study import resources as rs
from gsbench.study.chunks import chunk_cells
from gsbench.study.plan import cell_nbytes, describe, plan_study
from workflow_helpers import smoke_config

#: A cost model with known numbers: constant coefficients, so that the bound is exact.
KNOWN = cm.CostModel(
    methods={"dglnn2": (np.array([1.0, 1e9]), np.array([2e-9, 2e-9])),
             "group_lasso": (np.array([1.0, 1e9]), np.array([1e-8, 1e-8]))},
    coherence=(np.array([1.0, 1e12]), np.array([1e-10, 1e-10])),
    fallback_seconds_per_np=2.5e-6, baseline_mb=200.0, job_seconds=3.0,
)  # fmt: skip


def cell(p, n, g=4, s=2):
    return Cell(p=p, group_size=g, active_groups=s, n=n, sigma=0.0, design="rademacher")


@pytest.fixture
def known_model(monkeypatch):
    monkeypatch.setattr(cm, "load_cost_model", lambda path=None: KNOWN)
    monkeypatch.setattr(rs, "load_cost_model", lambda path=None: KNOWN)
    return KNOWN


@pytest.fixture
def config():
    return load_config(smoke_config())


def expected(config, cells, budget, coef, attempt=1):
    """The module docstrings' formulas, written out for this test."""
    T = config["trials"]
    cpu = 3.0 + sum(T * (coef * c.n * c.p * budget + 1e-10 * c.n * c.p * c.p) for c in cells)
    runtime = 2.0 * cpu / 60 + rs.STARTUP_MINUTES
    peaks = []
    for c in cells:
        arrays = 8 * c.p * 2 * c.n  # X and X_val of one problem (n_val = n)
        fit = (2 * T * arrays + (8 * c.p * 2 * c.n + 16 * c.p * c.n) - arrays
               + 8 * T * (c.p * 32 + 4 * c.n))
        gram = max(c.p ** 2, min(T * c.p ** 2, 2 ** 24))
        peaks.append(max(fit, T * arrays + 8 * T * c.n * c.p + 24 * gram))
    mem = 1.5 * (200.0 + max(peaks) / 1e6)
    scale = 2.0 ** (attempt - 1)
    return {"mem_mb": math.ceil(mem * scale), "runtime": math.ceil(runtime * scale)}


def test_tiny_and_large_chunk_from_known_arrays(config, known_model):
    tiny = [cell(64, 8)]
    large = [cell(4096, 1024, g=8, s=8), cell(4096, 512, g=8, s=8)]
    small_res = rs.job_resources(config, "dglnn2", tiny)
    large_res = rs.job_resources(config, "dglnn2", large)
    assert small_res == expected(config, tiny, 4000, 2e-9)
    assert large_res == expected(config, large, 4000, 2e-9)
    # 3 s per job + dglnn2 x 4 trials x 4000 iterations x (1024 + 512) x 4096 entries x 2e-9 s,
    # x2, + 2 min
    assert large_res["runtime"] == math.ceil(
        2 * (3.0 + 4 * (2e-9 * 4096 * 1536 * 4000 + 1e-10 * 4096**2 * 1536)) / 60 + 2)
    assert small_res["runtime"] == 3 and large_res["runtime"] >= 3 * small_res["runtime"]
    assert large_res["mem_mb"] > 5 * small_res["mem_mb"]
    # a path method's budget is its path length (20 values)
    assert rs.job_resources(config, "group_lasso", large) == expected(config, large, 20, 1e-8)


def test_memory_estimate_covers_the_arrays_a_fit_holds(config):
    """The estimate is at least what the job's arrays take: its trials' problems, their
    stacked copy (fit_batch's input) and the Gram pass of the coherence measures."""
    c = cell(256, 64)
    problems = [c.problem(config, t) for t in range(config["trials"])]
    held = sum(pr.X.nbytes + pr.X_val.nbytes for pr in problems)
    stacked = sum(a.nbytes for a in stack_problems(problems) if a is not None)
    gram = config["trials"] * 256 * 256 * 8
    assert incoherence(np.stack([pr.X for pr in problems]), problems[0].groups)["mu"].shape == (4,)
    peak = rs.cell_peak_bytes(config, c)
    assert peak >= held + stacked and peak >= held + gram
    assert peak >= cell_nbytes(c, config)  # the planner's estimate, extended, never below it
    assert peak <= 3 * (held + stacked + gram)


def test_retry_scales_memory_and_time(config, known_model):
    cells = [cell(1024, 256)]
    first = rs.job_resources(config, "dglnn2", cells, attempt=1)
    for attempt in (2, 3):
        assert rs.job_resources(config, "dglnn2", cells, attempt) == expected(config, cells, 4000, 2e-9, attempt)
    third = rs.job_resources(config, "dglnn2", cells, attempt=3)
    assert third["mem_mb"] >= 4 * first["mem_mb"] - 4 and third["runtime"] >= 4 * first["runtime"] - 4
    custom = load_config(smoke_config(resources={"retry_factor": 1.5}))
    assert rs.job_resources(custom, "dglnn2", cells, 2)["runtime"] == math.ceil(
        1.5 * (2 * (3.0 + custom["trials"] * (2e-9 * 1024 * 256 * 4000 + 1e-10 * 1024**2 * 256)) / 60 + 2))
    with pytest.raises(ValueError, match="attempt must be >= 1, got 0"):
        rs.job_resources(config, "dglnn2", cells, attempt=0)


def test_config_overrides_resources(known_model):
    config = load_config(smoke_config(resources={"mem_mb": 3000, "runtime": 45}))
    cells = [cell(4096, 1024)]
    assert rs.job_resources(config, "dglnn2", cells) == {"mem_mb": 3000, "runtime": 45}
    assert rs.job_resources(config, "dglnn2", cells, attempt=2) == {"mem_mb": 6000, "runtime": 90}
    factors = load_config(smoke_config(resources={"memory_factor": 1.0, "time_factor": 1.0}))
    base = rs.job_resources(factors, "dglnn2", [cell(64, 8)])
    assert base["mem_mb"] == math.ceil(200.0 + rs.cell_peak_bytes(factors, cell(64, 8)) / 1e6)


@pytest.mark.parametrize("resources, message", [
    ({"mem_mb": 0}, "config key 'resources.mem_mb': 0 is less than the minimum of 1"),
    ({"runtime": "1h"}, "config key 'resources.runtime': '1h' is not of type 'integer', 'null'"),
    ({"memory_factor": 0.5}, "config key 'resources.memory_factor': 0.5 is less than the minimum of 1"),
    ({"target_minutes": 0}, "config key 'resources.target_minutes': 0 is less than or equal to the minimum of 0"),
    ({"blas_threads": 0}, "config key 'resources.blas_threads': 0 is less than the minimum of 1"),
    ({"cores": 2}, "config key 'resources': Additional properties are not allowed ('cores' was unexpected)"),
])  # fmt: skip
def test_bad_resources_keys_are_refused(resources, message):
    with pytest.raises(ConfigError) as err:
        load_config(smoke_config(resources=resources))
    assert str(err.value) == message


def test_target_duration_sets_the_number_of_chunks(known_model):
    base = smoke_config(jobs_per_method=1)
    config = load_config(base)
    cells = [c for group in next(iter(chunk_cells(config).values())).values() for c in group]
    costs = {m: cm.cells_cpu_seconds(config, m, cells) for m in config["methods"]}
    worst = max(costs, key=costs.get)
    target = costs[worst] / 60 / 3.5  # 3.5 jobs' worth of the costliest method: 4 chunks
    sized = load_config({**copy.deepcopy(base), "resources": {"target_minutes": target}})
    assert cm.chunk_count(sized, cells) == 4
    chunks = chunk_cells(sized)  # per method: as many chunks as its own cost asks
    assert len(chunks[worst]) == 4
    for method, per in chunks.items():
        assert len(per) == cm.chunk_count(sized, cells, method) <= 4
        assert sorted(c.cell_id for group in per.values() for c in group) == sorted(c.cell_id for c in cells)
    assert plan_study(sized).jobs == sum(len(per) for per in chunks.values())
    # a large target: one job
    assert cm.chunk_count(load_config({**copy.deepcopy(base), "resources": {"target_minutes": 1e6}}), cells) == 1


def test_a_target_duration_cuts_chunks_per_p_so_memory_follows_the_cells(known_model):
    """With resources.target_minutes, no job mixes sizes: each chunk holds cells of one p,
    the p = 2048 jobs ask for more memory than the p = 64 ones, every cell is in exactly one
    chunk and the chunk numbers run on across the sizes."""
    base = smoke_config(resources={"target_minutes": 0.5})
    base["grid"] = {**base["grid"], "p": [64, 2048], "n": [16, 512]}
    config = load_config(base)
    chunks = chunk_cells(config)["dglnn2"]
    sizes = {cid: {c.p for c in cells} for cid, cells in chunks.items()}
    assert all(len(p) == 1 for p in sizes.values()) and {p for (p,) in sizes.values()} == {64, 2048}
    assert sorted(int(cid[5:7]) for cid in chunks) == list(range(len(chunks)))
    cells, _ = expand_cells(config)
    assert sorted(c.cell_id for g in chunks.values() for c in g) == sorted(c.cell_id for c in cells)
    mem = {p: {rs.job_resources(config, "dglnn2", g)["mem_mb"] for cid, g in chunks.items() if sizes[cid] == {p}}
           for p in (64, 2048)}  # fmt: skip
    assert max(mem[64]) < min(mem[2048])
    for p in (64, 2048):  # each size's chunk count is its own cost over the target
        same_p = [c for c in cells if c.p == p]
        assert sum(sizes[cid] == {p} for cid in chunks) == cm.chunk_count(config, same_p, "dglnn2")
    # without a target, jobs_per_method chunks mix the sizes (balanced cost)
    mixed = chunk_cells(load_config(smoke_config(jobs_per_method=1, grid=base["grid"])))["dglnn2"]
    assert [{c.p for c in g} for g in mixed.values()] == [{64, 2048}]


def test_a_path_value_costs_more_near_the_transition(config):
    """A method with a hardness curve: c_m(np) times mu(h) at h = n / D (held constant outside
    the curve); a method without one ignores n / D."""
    from gsbench.analysis.theory import statdim_group

    model = cm.CostModel(
        methods={"group_lasso": (np.array([1.0, 1e9]), np.array([1e-8, 1e-8])),
                 "dglnn2": (np.array([1.0, 1e9]), np.array([2e-9, 2e-9]))},
        coherence=(np.array([1.0, 1e12]), np.array([1e-10, 1e-10])),
        fallback_seconds_per_np=2.5e-6, baseline_mb=200.0, job_seconds=3.0,
        hardness={"group_lasso": ("statdim_group", np.array([1.0, 2.0, 4.0]), np.array([10.0, 1.0, 0.5]))},
    )  # fmt: skip
    D = statdim_group([4, 4], [4] * 62)  # p = 256: 64 groups of 4, s = 2
    at = {h: cell(256, round(h * D), g=4, s=2) for h in (0.5, 1.0, 2.0, 4.0, 8.0)}
    assert cm.hardness("statdim_group", at[2.0]) == pytest.approx(2.0, rel=0.02)
    coef = {h: model.per_np_iteration("group_lasso", c.n, c.p, c) for h, c in at.items()}
    for h, c in at.items():  # mu interpolated linearly in log h
        mu = np.interp(np.log(cm.hardness("statdim_group", c)), np.log([1.0, 2.0, 4.0]), [10.0, 1.0, 0.5])
        assert coef[h] == pytest.approx(1e-8 * mu, rel=1e-12)
    assert coef[0.5] == pytest.approx(1e-7) and coef[8.0] == pytest.approx(5e-9)  # constant outside [1, 4]
    assert coef[2.0] == pytest.approx(1e-8, rel=0.1) and coef[0.5] / coef[4.0] == pytest.approx(20, rel=0.1)
    assert model.per_np_iteration("group_lasso", 64, 256) == 1e-8  # no cell: the size curve
    assert {model.per_np_iteration("dglnn2", c.n, c.p, c) for c in at.values()} == {2e-9}
    with pytest.raises(ValueError, match="unknown hardness measure 'statdim_x'"):
        cm.hardness("statdim_x", at[1.0])


def test_shipped_hardness_curves_charge_the_hard_cells_more():
    model = cm.load_cost_model()
    for name, measure in (("lasso", "statdim_l1"), ("group_lasso", "statdim_group")):
        got, h, mult = model.hardness[name]
        assert got == measure
        at = lambda x: float(np.interp(np.log(x), np.log(h), mult))  # noqa: E731
        assert at(2.0) == pytest.approx(1.0, rel=1e-6)  # the size curve's own hardness
        assert at(1.0) > 3 * at(4.0)


def test_blas_threads_for_large_cells(config):
    threaded = load_config(smoke_config(resources={"blas_threads": 2, "blas_threads_from_p": 1024}))
    assert rs.job_threads(threaded, [cell(64, 8), cell(1024, 64)]) == 2
    assert rs.job_threads(threaded, [cell(512, 64)]) == 1
    assert rs.job_threads(config, [cell(4096, 64)]) == 1  # default: one thread


def test_shipped_cost_model_is_calibrated_for_the_study_methods():
    model = cm.load_cost_model()
    for name in ("dglnn2", "hadamard", "group_lasso", "lasso"):
        coef = model.per_np_iteration(name, 256, 1024)
        assert 1e-11 < coef < 1e-6
    assert model.per_np_iteration("group_omp", 256, 1024) is None  # falls back
    assert 50 < model.baseline_mb < 2000
    assert 0.5 < model.job_seconds < 60  # a process's imports and one tiny cell


def test_plan_line_names_cpu_hours_memory_and_jobs(root):
    config = load_config(root / "config" / "large.yaml")
    plan = plan_study(config)
    text = describe(plan)
    assert re.search(r"in \d+ jobs; [\d.]+ CPU-hours at full iteration budgets", text)
    assert f"largest job {plan.max_job_mb:,} MB" in text and plan.max_job_mb > 1000
