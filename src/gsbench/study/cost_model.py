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

.. math::  t_{job} = \sum_{cells} T \left( c_m(np)\, n p\, I_{max} + c_{coh}\, n p^2 \right).

The iterations are bounded; the coefficients are calibrated values, not maxima (a path
value of lasso or group lasso costs more on a hard problem than on the calibration's), so a
job's request multiplies the bound by ``resources.time_factor``
(:mod:`gsbench.study.resources`).

A method without calibration data (a plugin, the sklearn adapter, the methods not measured)
falls back to ``fallback_seconds_per_np`` CPU seconds per entry of X per fit, the planner's
rough average (:data:`gsbench.study.plan.SECONDS_PER_NP`). The calibration file
``gsbench/data/cost_model.json`` also holds the process's baseline memory.

:func:`chunk_count` turns a target job duration (config key ``resources.target_minutes``)
into the number of fit jobs per method.
"""

from __future__ import annotations

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
    n p^2 (seconds per entry of the Gram products)."""

    methods: dict[str, tuple[np.ndarray, np.ndarray]]
    coherence: tuple[np.ndarray, np.ndarray]
    fallback_seconds_per_np: float
    baseline_mb: float

    @classmethod
    def from_mapping(cls, data: dict) -> "CostModel":
        def curve(points: list[dict], size: str, seconds: str) -> tuple[np.ndarray, np.ndarray]:
            pts = sorted((float(pt[size]), float(pt[seconds])) for pt in points)
            return np.array([a for a, _ in pts]), np.array([b for _, b in pts])

        methods = {name: curve(body["points"], "np", "seconds_per_np_iteration")
                   for name, body in data["methods"].items()}  # fmt: skip
        return cls(methods=methods,
                   coherence=curve(data["coherence"]["points"], "np2", "seconds_per_np2"),
                   fallback_seconds_per_np=float(data["fallback_seconds_per_np"]),
                   baseline_mb=float(data["baseline_mb"]))  # fmt: skip

    def per_np_iteration(self, name: str, n: int, p: int) -> float | None:
        """:math:`c_m(np)` for registry name `name`, or None when it was not calibrated."""
        if name not in self.methods:
            return None
        return _loglog(*self.methods[name], n * p)

    def per_np2(self, n: int, p: int) -> float:
        """Seconds per entry of one design's Gram product (n p^2)."""
        return _loglog(*self.coherence, n * p * p)


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
    coef = model.per_np_iteration(name, n, p)
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


def chunk_count(config: dict, cells: list[Cell], label: str | None = None) -> int:
    """Fit jobs per method for `cells`: ``jobs_per_method``, or, with
    ``resources.target_minutes`` set, the number that gives each job about that many
    estimated CPU minutes, ``ceil(t / target)`` for t the cells' bound of method `label` (of
    the costliest method when None; every method shares the chunks of a fixed grid)."""
    target = config.get("resources", {}).get("target_minutes")
    if target is None or not cells:
        return config["jobs_per_method"]
    labels = [label] if label is not None else list(config["methods"])
    worst = max(cells_cpu_seconds(config, m, cells) for m in labels)
    return max(1, math.ceil(worst / (60.0 * target)))
