r"""CPU time of fit jobs before they run: a per-method cost model calibrated on this machine.

A fit of method m on a problem of n samples and p features that runs I iterations costs

.. math::  t = c_m(n p) \cdot n p \cdot I

CPU seconds, where the coefficient :math:`c_m(np)` (seconds per entry of X per iteration) is
measured by ``benchmarks/cost_model.py`` at a few sizes :math:`np` and interpolated linearly in
:math:`\log np` (held constant beyond the measured sizes); it carries the per-iteration
overhead of small designs and the memory traffic of designs larger than the caches. An
*iteration* is what a fit's row records as ``iterations``: a gradient step of an iterative
method, a value of the regularisation path of a path method. A job's bound runs every trial
of every cell to the method's iteration budget :math:`I_{max}` (``max_iter``, or the path
length ``n_lambdas``), plus the coherence measures of the cell's designs
(:func:`gsbench.coherence.incoherence`, :math:`c_{coh} \cdot T n p^2`):

.. math::  t_{job} = t_0 + \sum_{cells} T \left( c_m(np)\, n p\, I_{max} + c_{coh}\, n p^2 \right),

where :math:`t_0` (``job_seconds``) is the CPU time of a job outside its fits: a fresh
process importing what a fit job imports, fitting one tiny cell and writing its table.

A path method's iteration is a value of the regularisation path, whose solver needs more
passes the harder the problem: measured at p = 1024, a lasso path value costs up to 30 times
more near the phase transition than far above it. For such a method the calibration also
holds a *hardness curve*: the cost at hardness :math:`h = n / D(\text{cell})` (:math:`D` the
statistical dimension of the method's convex limit at the cell's support,
:func:`gsbench.analysis.theory.statdim_l1` or :func:`~gsbench.analysis.theory.statdim_group`)
relative to its cost at the reference hardness :math:`h_{ref}` at which the size curve
:math:`c_m(np)` was measured,

.. math::  c_m(np, h) = c_m(np)\, \mu_m(h) / \mu_m(h_{ref}),

:math:`\mu_m` interpolated in :math:`\log h` and held constant outside the measured range.

The iterations are bounded; the coefficients are calibrated values, not maxima, so a job's
request multiplies the bound by ``resources.time_factor`` (:mod:`gsbench.study.resources`).

A method without calibration data (a plugin, the sklearn adapter, the methods not measured)
falls back to ``fallback_seconds_per_np`` CPU seconds per entry of X per fit, the planner's
rough average (:data:`gsbench.study.plan.SECONDS_PER_NP`). The calibration file
``gsbench/data/cost_model.json`` also holds :math:`t_0` and the process's baseline memory.

:func:`chunk_count` turns a target job duration (config key ``resources.target_minutes``)
into the number of fit jobs per method.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import json
import math
from dataclasses import dataclass

import numpy as np

from ..methods import IterativeRegressor, PathRegressor, make_method
from .cells import Cell
from .method_specs import method_specs

COST_MODEL_PATH = importlib.resources.files("gsbench") / "data" / "cost_model.json"


@dataclass(frozen=True)
class CostModel:
    """The calibration data (see the module docstring).

    ``methods`` maps a registry name to ``(sizes, seconds)``: increasing sizes n p and the
    seconds per (n p iteration) measured at each; ``coherence`` is ``(sizes, seconds)`` in
    n p^2 (seconds per entry of the Gram products); ``job_seconds`` is :math:`t_0`."""

    methods: dict[str, tuple[np.ndarray, np.ndarray]]
    coherence: tuple[np.ndarray, np.ndarray]
    fallback_seconds_per_np: float
    baseline_mb: float
    job_seconds: float
    #: method -> (measure, hardness values h, multipliers mu(h) / mu(h_ref)): the hardness
    #: curves of the path methods (see the module docstring).
    hardness: dict[str, tuple[str, np.ndarray, np.ndarray]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: dict) -> "CostModel":
        def curve(points: list[dict], size: str, seconds: str) -> tuple[np.ndarray, np.ndarray]:
            pts = sorted((float(pt[size]), float(pt[seconds])) for pt in points)
            return np.array([a for a, _ in pts]), np.array([b for _, b in pts])

        methods = {name: curve(body["points"], "np", "seconds_per_np_iteration")
                   for name, body in data["methods"].items()}  # fmt: skip
        hardness = {name: (body["hardness"]["measure"],
                           *curve(body["hardness"]["points"], "h", "multiplier"))
                    for name, body in data["methods"].items() if "hardness" in body}  # fmt: skip
        return cls(methods=methods,
                   coherence=curve(data["coherence"]["points"], "np2", "seconds_per_np2"),
                   fallback_seconds_per_np=float(data["fallback_seconds_per_np"]),
                   baseline_mb=float(data["baseline_mb"]),
                   job_seconds=float(data["job_seconds"]), hardness=hardness)  # fmt: skip

    def per_np_iteration(self, name: str, n: int, p: int, cell: Cell | None = None) -> float | None:
        """:math:`c_m(np)` for registry name `name` (times the hardness multiplier of `cell`
        for a method with a hardness curve), or None when it was not calibrated."""
        if name not in self.methods:
            return None
        coef = _loglog(*self.methods[name], n * p)
        if cell is not None and name in self.hardness:
            measure, h, mult = self.hardness[name]
            coef *= _loglog(h, mult, hardness(measure, cell))
        return coef

    def per_np2(self, n: int, p: int) -> float:
        """Seconds per entry of one design's Gram product (n p^2)."""
        return _loglog(*self.coherence, n * p * p)


#: A hardness measure's statistical dimension in :func:`gsbench.analysis.theory.group_references`.
_REFERENCES = {"statdim_l1": 0, "statdim_group": 1}


def statdim(measure: str, cell: Cell) -> float:
    """The statistical dimension `measure` of the cell's convex limit at its s largest
    groups (``"statdim_l1"``: of the l1 norm at their entries; ``"statdim_group"``: of the
    group norm; :func:`gsbench.analysis.theory.group_references`)."""
    if measure not in _REFERENCES:
        raise ValueError(f"unknown hardness measure {measure!r} (statdim_l1, statdim_group)")
    return _largest_groups_references(cell.sizes, cell.active_groups)[_REFERENCES[measure]]


def hardness(measure: str, cell: Cell) -> float:
    """:math:`h = n / D`, ``D`` the cell's :func:`statdim` `measure`."""
    return cell.n / statdim(measure, cell)


@functools.cache
def _largest_groups_references(sizes: tuple[int, ...], s: int) -> tuple[float, float]:
    from ..analysis.theory import group_references

    return group_references(sizes, np.argsort(sizes, kind="stable")[::-1][:s])


def _loglog(sizes: np.ndarray, seconds: np.ndarray, size: float) -> float:
    """``seconds`` interpolated linearly in log size, held constant outside ``sizes``."""
    return float(np.interp(math.log(size), np.log(sizes), seconds))


@functools.cache
def load_cost_model(path: str | None = None) -> CostModel:
    """The shipped calibration (or the JSON file at `path`)."""
    text = COST_MODEL_PATH.read_text() if path is None else open(path).read()
    return CostModel.from_mapping(json.loads(text))


def iteration_budget(config: dict, label: str) -> int | None:
    """Iterations a fit of method `label` may run at most: ``max_iter`` of an iterative
    method, ``n_lambdas`` of a path method with one; None for any other method."""
    name, preset, params = method_specs(config)[label]
    est = make_method(name, params, preset=preset)
    if isinstance(est, IterativeRegressor):
        return int(est.max_iter)
    if isinstance(est, PathRegressor) and hasattr(est, "n_lambdas"):
        return int(est.n_lambdas)
    return None


def cell_cpu_seconds(config: dict, label: str, cell: Cell, model: CostModel | None = None,
                     budget: int | None | str = "config") -> float:
    """CPU seconds of one cell's trials fitted by `label` at full iteration budgets (the
    module's bound);
    `budget` is :func:`iteration_budget` (computed from `config` unless given)."""
    model = model or load_cost_model()
    name = method_specs(config)[label][0]
    n, p, trials = cell.n, cell.p, config["trials"]
    coef = model.per_np_iteration(name, n, p, cell)
    if coef is not None and budget == "config":
        budget = iteration_budget(config, label)
    fit = coef * n * p * budget if coef is not None and budget is not None \
        else model.fallback_seconds_per_np * n * p
    return trials * (fit + model.per_np2(n, p) * n * p * p)


def cells_cpu_seconds(config: dict, label: str, cells: list[Cell], model: CostModel | None = None) -> float:
    """:func:`cell_cpu_seconds` summed over `cells`."""
    model = model or load_cost_model()
    budget = iteration_budget(config, label)
    return sum(cell_cpu_seconds(config, label, c, model, budget) for c in cells)


def job_cpu_seconds(config: dict, label: str, cells: list[Cell], model: CostModel | None = None) -> float:
    """:math:`t_{job}`: :math:`t_0` plus :func:`cells_cpu_seconds` of the job's `cells`."""
    model = model or load_cost_model()
    return model.job_seconds + cells_cpu_seconds(config, label, cells, model)


def chunk_count(config: dict, cells: list[Cell], label: str | None = None) -> int:
    """Fit jobs per method for `cells`: ``jobs_per_method``, or, with
    ``resources.target_minutes`` set, the number that gives each job about that many
    estimated CPU minutes, ``ceil(t / target)`` for t the cells' bound of method `label` (of
    the costliest method when None; every method shares the chunks of a fixed grid)."""
    target = config["resources"]["target_minutes"]
    if target is None or not cells:
        return config["jobs_per_method"]
    labels = [label] if label is not None else list(config["methods"])
    worst = max(cells_cpu_seconds(config, m, cells) for m in labels)
    return max(1, math.ceil(worst / (60.0 * target)))
