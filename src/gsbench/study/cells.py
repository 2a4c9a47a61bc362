"""The grid of a study: :class:`Cell` (one grid point), its problem and seed, impossible cells.

Seeds come from :func:`gsbench.problems.derive_seed` of a cell's problem parameters and the
trial index only, so all methods see the same problems and adding grid points or methods
never changes another result.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..problems import DEFAULTS, Problem, decoy_impossible, derive_seed, make_problem
from ..results_schema import CELL_FIELDS
from .sample_sizes import adaptive_grid, first_sizes

@dataclass(frozen=True)
class Cell:
    """One point of the grid; ``problem_params`` feed :func:`make_problem` and the seed."""

    p: int
    group_size: int
    active_groups: int
    n: int
    sigma: float
    design: str
    decoy_rho: float = 0.0  # decoy design only (other designs: 0 and "scattered")
    decoy_layout: str = "scattered"

    @property
    def cell_id(self) -> str:
        sigma = np.format_float_positional(self.sigma, trim="-")
        cid = f"p{self.p}_g{self.group_size}_s{self.active_groups}_n{self.n}_sigma{sigma}_{self.design}"
        if self.design == "decoy":
            cid += f"_rho{np.format_float_positional(self.decoy_rho, trim='-')}_{self.decoy_layout}"
        return cid

    def problem_params(self, config: dict) -> dict[str, Any]:
        prob = config.get("problem", {})
        params = {
            "n": self.n, "p": self.p, "group_size": self.group_size,
            "active_groups": self.active_groups, "sigma": self.sigma, "design": self.design,
            "signal": prob.get("signal", DEFAULTS.signal),
            "amplitude": prob.get("amplitude", DEFAULTS.amplitude),
            "signal_range": list(prob.get("signal_range", DEFAULTS.signal_range)),
            "n_val": prob.get("n_val", DEFAULTS.n_val),
        }  # fmt: skip
        if self.design == "correlated":
            params["rho"] = prob.get("rho", DEFAULTS.rho)
        if self.design == "decoy":
            params.update(decoy_rho=self.decoy_rho, decoy_layout=self.decoy_layout,
                          decoy_groups=prob.get("decoy_groups"))
        return params

    def problem(self, config: dict, trial: int) -> Problem:
        params = self.problem_params(config)
        return make_problem(**params, seed=derive_seed(params, trial))


def impossible_reason(cell: Cell, config: dict) -> str | None:
    """Why a grid point cannot exist, or None."""
    if cell.p % cell.group_size:
        return f"group_size={cell.group_size} does not divide p={cell.p}"
    if cell.active_groups > cell.p // cell.group_size:
        return f"s={cell.active_groups} > p/group_size={cell.p // cell.group_size}"
    n_val = config.get("problem", {}).get("n_val") or cell.n
    if cell.design == "orthogonal" and min(cell.n, n_val) < cell.p:
        return f"orthogonal design needs n >= p (n={cell.n}, p={cell.p})"
    if cell.design == "decoy":
        decoy_groups = config.get("problem", {}).get("decoy_groups")
        reason = decoy_impossible(cell.p // cell.group_size, cell.active_groups, decoy_groups)
        return None if reason is None else reason.replace("decoy_groups=", "problem.decoy_groups=")
    return None


def expand_cells(config: dict) -> tuple[list[Cell], list[str]]:
    """The grid's cells in a fixed order, and a description of each skipped one."""
    grid = config["grid"]
    cells, skipped = [], []
    axes = {k: grid.get(k, [Cell.__dataclass_fields__[k].default]) for k in CELL_FIELDS}
    if isinstance(grid["n"], dict) and "adaptive" in grid["n"]:  # round 0 of the rounds
        axes["n"] = first_sizes(adaptive_grid(config))
    elif isinstance(grid["n"], dict):  # n = ceil(factor * D_l1(s g, p)), one per (p, g, s)
        axes["n"] = [None]
    seen = set()
    for values in itertools.product(*axes.values()):
        kw = dict(zip(CELL_FIELDS, values))
        kw["sigma"], kw["decoy_rho"] = float(kw["sigma"]), float(kw["decoy_rho"])
        if kw["design"] != "decoy":  # the decoy axes do not apply
            kw["decoy_rho"], kw["decoy_layout"] = 0.0, "scattered"
            if tuple(kw.values()) in seen:
                continue
            seen.add(tuple(kw.values()))
        if kw["n"] is None:
            kw["n"] = _n_from_statdim(grid["n"], kw["p"], kw["group_size"], kw["active_groups"])
        cell = Cell(**kw)
        reason = impossible_reason(cell, config)
        (skipped.append(f"{cell.cell_id} ({reason})") if reason else cells.append(cell))
    cells.sort(key=lambda c: (c.p, c.group_size, c.active_groups, c.sigma, c.design, c.n))
    return cells, skipped


def _n_from_statdim(rule: dict, p: int, g: int, s: int) -> int:
    """``n = ceil(statdim_l1 * D_l1(s g, p))`` (grid ``n: {statdim_l1: factor}``)."""
    from ..analysis.theory import statdim_l1

    return max(1, int(np.ceil(rule["statdim_l1"] * statdim_l1(min(s * g, p), p))))


def warn_skipped(skipped: list[str], stream=None) -> None:
    """One warning line for all skipped cells."""
    stream = stream or sys.stderr
    if skipped:
        shown = "; ".join(skipped[:3]) + (f"; ... {len(skipped) - 3} more" if len(skipped) > 3 else "")
        print(f"gsbench: warning: skipping {len(skipped)} impossible grid cell(s): {shown}",
              file=stream)
