"""The grid of a study: :class:`Cell` (one grid point), its problem and seed, impossible cells.

Seeds come from :func:`gsbench.problems.derive_seed` of a cell's problem parameters and the
trial index only, so all methods see the same problems and adding grid points or methods
never changes another result.
"""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..results_schema import CELL_FIELDS  # noqa: F401  (re-exported by gsbench.study)
from ..problems import DEFAULTS, Problem, decoy_impossible, derive_seed, make_problem
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
    #: A real design's canonical spec (:mod:`.grid_designs`; empty for synthetic designs): the
    #: data set, its options and coherence cap, from which its p and groups follow.
    design_spec: str = ""

    @classmethod
    def from_row(cls, row, specs: dict[str, str] | None = None, **override) -> "Cell":
        """The cell of a table row (a mapping, Series or named tuple with the cell's columns);
        a real design's spec is the row's ``design_spec``, else ``specs[design]``
        (:func:`.grid_designs.design_specs`); ``override`` replaces fields (e.g. ``n``)."""
        read = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))

        def get(key, default=None):
            return override[key] if key in override else read(key, default)

        spec = get("design_spec")
        if spec is None or spec != spec or spec == "":
            spec = (specs or {}).get(str(get("design")), "")
        return cls(p=int(get("p")), group_size=int(get("group_size")),
                   active_groups=int(get("active_groups")), n=int(get("n")),
                   sigma=float(get("sigma")), design=str(get("design")),
                   decoy_rho=float(get("decoy_rho", 0.0)),
                   decoy_layout=str(get("decoy_layout", "scattered")), design_spec=str(spec))

    @property
    def is_real(self) -> bool:
        """Whether the cell draws its rows from a real data matrix."""
        return bool(self.design_spec)

    @property
    def sizes(self) -> tuple[int, ...]:
        """The size of every group: the real design's (unequal) sizes, else ``p / group_size``
        groups of ``group_size``."""
        if self.is_real:
            from .grid_designs import real_design

            return tuple(int(v) for v in real_design(self.design_spec).sizes)
        return (self.group_size,) * (self.p // self.group_size)

    @property
    def group_sizes(self) -> str:
        """The per-trial table's ``group_sizes``: a real design's sizes as a JSON list, empty
        for the equal groups of ``group_size``."""
        return json.dumps(list(self.sizes), separators=(",", ":")) if self.is_real else ""

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
        if self.is_real:  # the spec and the groups it gives feed the problem, seeds and key
            from .grid_designs import spec_parts

            data, cap = spec_parts(self.design_spec)
            params.update(design="real", data=data, coherence_cap=cap, group_size=list(self.sizes))
        return params

    def problem(self, config: dict, trial: int) -> Problem:
        params = self.problem_params(config)
        return make_problem(**params, seed=derive_seed(params, trial))


def impossible_reason(cell: Cell, config: dict) -> str | None:
    """Why a grid point cannot exist, or None."""
    n_val = config.get("problem", {}).get("n_val") or cell.n
    if cell.is_real:
        return _real_impossible(cell, n_val)
    if cell.p % cell.group_size:
        return f"group_size={cell.group_size} does not divide p={cell.p}"
    if cell.active_groups > cell.p // cell.group_size:
        return f"s={cell.active_groups} > p/group_size={cell.p // cell.group_size}"
    if cell.design == "orthogonal" and min(cell.n, n_val) < cell.p:
        return f"orthogonal design needs n >= p (n={cell.n}, p={cell.p})"
    if cell.design == "decoy":
        decoy_groups = config.get("problem", {}).get("decoy_groups")
        reason = decoy_impossible(cell.p // cell.group_size, cell.active_groups, decoy_groups)
        return None if reason is None else reason.replace("decoy_groups=", "problem.decoy_groups=")
    return None


def _real_impossible(cell: Cell, n_val: int) -> str | None:
    from .grid_designs import real_design, spec_parts

    design = real_design(cell.design_spec)
    cap = spec_parts(cell.design_spec)[1]
    eligible = design.eligible_groups(cap).size
    if cell.active_groups > eligible:
        below = "" if cap is None else f" with coherence below {cap}"
        return f"s={cell.active_groups} > {eligible} groups of {design.name!r}{below}"
    if cell.n + n_val > design.n_rows:
        return (f"n={cell.n} plus n_val={n_val} rows exceed the {design.n_rows} rows of "
                f"{design.name!r}")
    return None


#: The grid's axes that are not the design (in :data:`CELL_FIELDS` order).
_AXES = ("p", "group_size", "active_groups", "n", "sigma", "decoy_rho", "decoy_layout")


def expand_cells(config: dict) -> tuple[list[Cell], list[str]]:
    """The grid's cells in a fixed order, and a description of each skipped one.

    A real design (:mod:`.grid_designs`) takes its p and groups from its data: the grid's p
    and group_size do not apply to it (nor the decoy axes to any design but decoy); its
    ``group_size`` is the groups' common size, or 0 when their sizes differ."""
    from .grid_designs import grid_designs, real_design

    grid = config["grid"]
    cells, skipped = [], []
    axes = {k: grid.get(k, [Cell.__dataclass_fields__[k].default]) for k in _AXES}
    if isinstance(grid["n"], dict) and "adaptive" in grid["n"]:  # round 0 of the rounds
        axes["n"] = first_sizes(adaptive_grid(config))
    elif isinstance(grid["n"], dict):  # n = ceil(factor * D_l1(s g, p)), one per (p, g, s)
        axes["n"] = [None]
    seen = set()
    for gd in grid_designs(grid.get("design", ["rademacher"])):
        if gd.spec:
            sizes = real_design(gd.spec).sizes
            common = int(sizes[0]) if (sizes == sizes[0]).all() else 0
            design_axes = {**axes, "p": [int(sizes.sum())], "group_size": [common]}
        else:
            design_axes = axes
        for values in itertools.product(*design_axes.values()):
            kw = dict(zip(_AXES, values), design=gd.name, design_spec=gd.spec)
            kw["sigma"], kw["decoy_rho"] = float(kw["sigma"]), float(kw["decoy_rho"])
            if kw["design"] != "decoy":  # the decoy axes do not apply
                kw["decoy_rho"], kw["decoy_layout"] = 0.0, "scattered"
            if tuple(kw.values()) in seen:
                continue
            seen.add(tuple(kw.values()))
            if kw["n"] is None:
                cell = Cell(**{**kw, "n": 1})
                kw["n"] = _n_from_statdim(grid["n"], cell.p, cell.sizes, kw["active_groups"])
            cell = Cell(**kw)
            reason = impossible_reason(cell, config)
            (skipped.append(f"{cell.cell_id} ({reason})") if reason else cells.append(cell))
    cells.sort(key=lambda c: (c.p, c.group_size, c.active_groups, c.sigma, c.design, c.n))
    return cells, skipped


def _n_from_statdim(rule: dict, p: int, sizes: tuple[int, ...], s: int) -> int:
    """``n = ceil(statdim_l1 * D_l1(k, p))`` (grid ``n: {statdim_l1: factor}``), ``k`` the
    entries of the ``s`` largest groups (``s g`` for equal groups)."""
    from ..analysis.theory import statdim_l1

    k = int(sum(sorted(sizes, reverse=True)[:s])) if sizes else 0
    return max(1, int(np.ceil(rule["statdim_l1"] * statdim_l1(min(k, p), p))))


def warn_skipped(skipped: list[str], stream=None) -> None:
    """One warning line for all skipped cells."""
    stream = stream or sys.stderr
    if skipped:
        shown = "; ".join(skipped[:3]) + (f"; ... {len(skipped) - 3} more" if len(skipped) > 3 else "")
        print(f"gsbench: warning: skipping {len(skipped)} impossible grid cell(s): {shown}",
              file=stream)
