r"""The cluster resources of one fit job, from the cells it fits: ``mem_mb``, ``runtime``, threads.

Every rule that fits (``fit``, and ``fit_round`` of the adaptive grid) asks
:func:`job_resources` through the callables of ``workflow/rules/common.smk``; the SLURM
profile repeats none of these numbers.

* **runtime** (minutes, Snakemake's resource): the job's CPU bound of the cost model
  (:func:`gsbench.study.cost_model.job_cpu_seconds`: the job's fixed CPU and every trial to
  the method's iteration budget) times ``resources.time_factor``, plus
  :data:`STARTUP_MINUTES` of wall time: :math:`\lceil f_t\, t_{job}/60 + 2 \rceil`.
* **mem_mb**: the process's baseline (measured by ``benchmarks/cost_model.py``) plus the
  largest cell's peak (:func:`cell_peak_bytes`), times ``resources.memory_factor``.
* **retries**: attempt :math:`a` (1 the first) multiplies both by
  ``resources.retry_factor`` :math:`^{a-1}`.
* **overrides**: ``resources.mem_mb`` / ``resources.runtime`` replace the estimates (the
  retry factor still applies).
* **threads**: ``resources.blas_threads`` for a job whose largest cell has
  ``p >= resources.blas_threads_from_p``, else 1; the job's BLAS thread limit
  (:func:`gsbench.rules.run_rule`) follows its threads.
"""

from __future__ import annotations

import math

from .cells import Cell
from .cost_model import job_cpu_seconds, load_cost_model
from .memory import cell_nbytes

#: Wall minutes a job may wait outside its CPU time: a cluster node's file system and
#: environment, the scheduler's own start (the CPU of starting Python is in the cost model).
STARTUP_MINUTES = 2
#: float64 arrays of p entries per problem that a fit holds besides the designs (the
#: iterate's state and its gradient, the oracle-, validation-stopped and final estimates,
#: temporaries); a path method's K path values per problem are counted on top.
STATE_VECTORS = 12
_GRAM_PASS = 2**24  # gsbench.coherence: stacked Gram entries per pass


def cell_peak_bytes(config: dict, cell: Cell) -> int:
    r"""Peak bytes of one cell of a fit job beyond the process's baseline.

    The larger of the fit, the planner's memory estimate :func:`gsbench.study.memory.cell_nbytes`
    plus the method's state (:data:`STATE_VECTORS` vectors of p and the K = 20 path values
    per problem, and four vectors of n), and the coherence measures after it: the problems,
    their stacked designs and three copies of one pass of Gram matrices
    (:func:`gsbench.coherence.incoherence`, at most :math:`2^{24}` entries or one p x p),

    .. math::  \max\left(m_{cell} + 8T(p(12 + 20) + 4n),\;
               8Tp(n + n_{val}) + 8Tnp + 24 \max(p^2, \min(Tp^2, 2^{24}))\right).
    """
    trials = config["trials"]
    n, p = cell.n, cell.p
    n_val = config["problem"].get("n_val") or n
    fit = cell_nbytes(cell, config) + 8 * trials * (p * (STATE_VECTORS + 20) + 4 * n)
    gram = max(p * p, min(trials * p * p, _GRAM_PASS))
    coherence = 8 * trials * p * (n + n_val) + 8 * trials * n * p + 24 * gram
    return max(fit, coherence)


def memory_estimate_mb(config: dict, cells: list[Cell]) -> float:
    """MB a job fitting `cells` (one after the other) needs at its peak: the baseline plus
    the largest :func:`cell_peak_bytes`."""
    peak = max(cell_peak_bytes(config, c) for c in cells)
    return load_cost_model().baseline_mb + peak / 1e6


def job_threads(config: dict, cells: list[Cell]) -> int:
    """BLAS threads of a job fitting `cells` (see the module docstring)."""
    opts = config["resources"]  # every key filled by the schema's defaults (load_config)
    big = max(c.p for c in cells) >= opts["blas_threads_from_p"]
    return int(opts["blas_threads"]) if big else 1


def job_resources(config: dict, method_label: str, cells: list[Cell], attempt: int = 1) -> dict[str, int]:
    """``{"mem_mb": int, "runtime": int}`` (runtime in minutes) of the job fitting method
    `method_label` on `cells`, at attempt `attempt` (1 the first); see the module docstring."""
    if not cells:
        raise ValueError(f"a fit job of method {method_label!r} without cells has no resources")
    if attempt < 1:
        raise ValueError(f"attempt must be >= 1, got {attempt}")
    opts = config["resources"]  # every key filled by the schema's defaults (load_config)
    scale = opts["retry_factor"] ** (attempt - 1)
    mem = opts["mem_mb"]
    if mem is None:
        mem = opts["memory_factor"] * memory_estimate_mb(config, cells)
    runtime = opts["runtime"]
    if runtime is None:
        cpu = job_cpu_seconds(config, method_label, cells)
        runtime = opts["time_factor"] * cpu / 60 + STARTUP_MINUTES
    return {"mem_mb": math.ceil(mem * scale), "runtime": math.ceil(runtime * scale)}
