"""The size of a study before it runs: fits, jobs, rough time, disk and memory; refusals.

:func:`check_plan` stops a study (a :class:`~gsbench.errors.ConfigError`) when no grid
cell is possible, when it has more fits than the config's ``max_fits`` (default 1,000,000; raise
it to run a larger study on purpose), or when one cell's trials would not fit in the available
memory. :func:`describe` is the one line printed before a run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..methods import make_method
from ..problems import ProblemError, check_memory, format_bytes
from ..runner import batch_nbytes
from .sample_sizes import adaptive_grid
from .cells import Cell, expand_cells
from .chunks import chunk_cells
from ..errors import ConfigError
from .memory import cell_nbytes, data_nbytes, estimator_of
from .method_specs import method_specs

#: CPU seconds per fit and per entry of X (n p), averaged over methods (the cost model's
#: fallback for a method it has no calibration for, :mod:`.cost_model`): the default study
#: gives 2.1e-6 (125 s of fitting for 5.9e7) and the full study 2.9e-6 (about 7,200
#: core-seconds for 2.5e9, partly on a busy machine; docs/performance.md). A rough guide.
SECONDS_PER_NP = 2.5e-6
#: Bytes of Parquet per fit row, rounded up (the smoke study's fit files: 169 to 178).
BYTES_PER_FIT = 200


@dataclass(frozen=True)
class StudyPlan:
    """How much work a study is."""

    cells: int
    trials: int
    methods: int
    jobs: int
    cpu_seconds: float
    disk_bytes: float
    #: Adaptive grid (``grid.n.adaptive``): the most fits its refinement rounds can add
    #: (rounds x per_round x settings x methods x trials); the other fields are round 0's.
    adaptive_fits: int = 0
    adaptive_rounds: int = 0
    #: CPU seconds the refinement rounds can add at most (every added fit at the range's top).
    adaptive_cpu_seconds: float = 0.0
    #: mem_mb of the largest fit job of round 0 (:func:`gsbench.study.resources.job_resources`).
    max_job_mb: int = 0

    @property
    def fits(self) -> int:
        return self.cells * self.trials * self.methods

    @property
    def max_fits(self) -> int:
        """Fits of the study at most (round 0 and every refinement round of an adaptive grid)."""
        return self.fits + self.adaptive_fits


def plan_study(config: dict) -> StudyPlan:
    """Count the fits and jobs of a validated config and estimate time, disk and memory.

    CPU time is the cost model's estimate of every job (its fixed CPU, and every trial at its
    method's iteration budget; :mod:`.cost_model`); an adaptive grid's refinement rounds add at most
    ``rounds x per_round`` sample sizes per (method, setting), counted at the top of the range.
    """
    from .cost_model import cells_cpu_seconds, job_cpu_seconds
    from .resources import job_resources

    cells, _ = expand_cells(config)
    methods = len(config["methods"])
    fits = len(cells) * config["trials"] * methods
    spec = adaptive_grid(config)
    chunks = chunk_cells(config) if cells else {}
    cpu = sum(job_cpu_seconds(config, m, group) for m, per in chunks.items() for group in per.values())
    max_mb = max((job_resources(config, m, group)["mem_mb"] for m, per in chunks.items()
                  for group in per.values()), default=0)  # fmt: skip
    extra, extra_cpu = 0, 0.0
    if spec is not None:
        settings = {(c.p, c.group_size, c.active_groups, c.sigma, c.design): c for c in cells}
        extra = spec.rounds * spec.per_round * len(settings) * methods * config["trials"]
        top = [replace(c, n=spec.high) for _, c in sorted(settings.items())]
        extra_cpu = spec.rounds * spec.per_round * sum(
            cells_cpu_seconds(config, m, top) for m in config["methods"])
    return StudyPlan(
        cells=len(cells), trials=config["trials"], methods=methods,
        jobs=sum(map(len, chunks.values())), cpu_seconds=cpu, disk_bytes=BYTES_PER_FIT * fits,
        adaptive_fits=extra, adaptive_rounds=spec.rounds if spec else 0,
        adaptive_cpu_seconds=extra_cpu, max_job_mb=max_mb,
    )  # fmt: skip


def _cpu_text(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.3g} CPU-hours"
    return f"{seconds / 60:.2g} CPU-minutes" if seconds >= 60 else f"{seconds:.2g} CPU-seconds"


def describe(plan: StudyPlan) -> str:
    """One line: fits, jobs, the CPU time at full iteration budgets, the largest job's
    memory, disk."""
    text = (
        f"{plan.fits:,} fits ({plan.cells} cells x {plan.trials} trials x {plan.methods} "
        f"methods) in {plan.jobs} jobs; {_cpu_text(plan.cpu_seconds)} at full iteration "
        f"budgets, largest job {plan.max_job_mb:,} MB, {format_bytes(plan.disk_bytes)} "
        "of results"
    )
    if plan.adaptive_rounds:
        text = (f"adaptive grid: round 0 {text}; then at most {plan.adaptive_fits:,} more fits "
                f"in {plan.adaptive_rounds} round(s), "
                f"{_cpu_text(plan.adaptive_cpu_seconds)} at full budgets")
    return text


def check_plan(config: dict) -> StudyPlan:
    """The plan of a config, or a :class:`ConfigError` if it must not run (see module doc)."""
    cells, skipped = expand_cells(config)
    if not cells:
        raise ConfigError(
            f"config key 'grid': every grid cell is impossible, nothing to run ({len(skipped)} "
            f"skipped, e.g. {skipped[0]})"
        )
    plan = plan_study(config)
    if plan.max_fits > config["max_fits"]:
        raise ConfigError(
            f"config key 'max_fits': the study has {describe(plan)}, more than max_fits="
            f"{config['max_fits']:,}; reduce the grid or trials, or raise max_fits to run it"
        )
    def nbytes(cell: Cell, est) -> int:
        n_val = config["problem"].get("n_val") or cell.n
        return batch_nbytes(est, config["trials"], cell.n, cell.p, n_val) + data_nbytes(cell)

    specs = method_specs(config)
    for label in [None, *config["methods"]]:  # the problems alone, then each method's fit
        est = None if label is None else estimator_of(specs[label])
        big = max(cells, key=lambda c: nbytes(c, est))
        what = f"grid cell {big.cell_id} ({config['trials']} trials in one batch)"
        try:
            check_memory(nbytes(big, est), what if label is None else
                         f"method {label!r} on {what}, with the path the fit records,")
        except ProblemError as exc:
            raise ConfigError(f"config key '{'grid' if label is None else 'methods.' + label}': "
                              f"{exc}") from None
    return plan
