r"""An adaptive sample-size grid: a coarse round, then sample sizes only around each n*.

With ``grid.n: {adaptive: {range: [lo, hi], precision: r, ...}}`` a study fits in rounds.
Round 0 fits every setting at the ``coarse`` sample sizes geometric over ``[lo, hi]`` (both
ends included) except ``hi`` itself (:func:`first_sizes`): the largest, costliest fits are
needed only by curves whose success rate is still below 1/2 at their largest n, and a later
round adds ``hi`` to exactly those (before anything else for them). After each round the phase transition of every (method, setting) is estimated
from *all* rounds' trials with :func:`gsbench.analysis.transitions` (the estimate the study
reports), and the next round adds ``per_round`` sample sizes to each curve whose interval is
still wider than the target,

.. math::  \frac{n^\star_{high} - n^\star_{low}}{n^\star} > r,

at the geometric quantiles :math:`n_{low} (n_{high}/n_{low})^{j/(k+1)}`, :math:`j = 1..k`, of
its interval (``per_round = 1``: bisection in log n of the interval, which is at least the
grid gap holding n*), rounded to integers not fitted yet. A curve whose crossing the empirical
rates place inside the range although the fit does not (``not_monotone``, or a fitted crossing
beyond an edge that the edge's rate contradicts) gets its points in the span where the
rates cross 1/2 instead. Curves already successful at ``lo`` (``below_grid``), failing at ``hi``
(``above_grid``) or without any ``ok`` trial get nothing. The rounds stop when no curve gets
a new sample size or after ``rounds`` refinement rounds.

A round's plan is a table of cells per method with the chunk (fit job) of each; seeds still
come from the cell alone (:mod:`.cells`), so a cell's trials are the same whichever round
fits them, and a fixed grid holding the same cell gives the same rows.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd

from ..analysis.columns import SETTING_KEYS, success_indicator
from ..errors import ConfigError
from ..results_schema import SETTING_FIELDS
from .cells import Cell, expand_cells
from .chunks import fit_cells, method_chunks
from .grid_designs import design_specs
from .io import read_fits, write_table_atomic
from .sample_sizes import AdaptiveGrid, adaptive_grid, coarse_sizes, first_sizes

__all__ = [
    "AdaptiveGrid", "PLAN_COLUMNS", "adaptive_grid", "coarse_sizes", "first_sizes", "new_sizes",
    "plan_round", "round_plan", "plan_cells", "read_plan", "run_round_chunk",
]  # fmt: skip

#: Columns of a round's plan: the method, the cell, its fit job.
PLAN_COLUMNS: tuple[str, ...] = (*SETTING_KEYS, "n", "chunk")


def new_sizes(low: float, high: float, fitted, k: int, bounds: tuple[int, int]) -> list[int]:
    r"""Up to `k` integers strictly inside ``(low, high)`` and within `bounds`, none in
    `fitted`: for each target :math:`low\,(high/low)^{j/(k+1)}` (:math:`j = 1..k`) the nearest
    free integer in :math:`\log n`. Empty when no integer is free."""
    lo, hi = max(low, bounds[0]), min(high, bounds[1])
    free = np.setdiff1d(np.arange(math.floor(lo) + 1, math.ceil(hi)), np.asarray(list(fitted), dtype=int))
    chosen: list[int] = []
    for j in range(1, k + 1):
        free = np.setdiff1d(free, chosen)
        if free.size == 0:
            break
        target = math.log(lo) + (math.log(hi) - math.log(lo)) * j / (k + 1)
        chosen.append(int(free[np.argmin(np.abs(np.log(free) - target))]))
    return sorted(chosen)


def _crossing_span(n: np.ndarray, rate: np.ndarray) -> tuple[float, float] | None:
    """Where the empirical success rates cross 1/2: between the smallest n with rate >= 1/2
    and the largest n with rate < 1/2 (in either order); None if they never cross."""
    wins, losses = n[rate >= 0.5], n[rate < 0.5]
    if wins.size == 0 or losses.size == 0:
        return None
    a, b = wins.min(), losses.max()
    return (float(min(a, b)), float(max(a, b)))


def plan_round(estimates: pd.DataFrame, counts: pd.DataFrame, spec: AdaptiveGrid) -> pd.DataFrame:
    """The sample sizes the next round adds to each (method, setting).

    Parameters
    ----------
    estimates : pandas.DataFrame
        :func:`gsbench.analysis.transitions` of all trials so far: one row per setting
        (``method, p, group_size, active_groups, sigma, design``) with ``n_star``,
        ``n_star_low``, ``n_star_high`` and ``transition``.
    counts : pandas.DataFrame
        One row per fitted (setting, n): the setting keys, ``n``, ``k`` successes of ``m``
        trials.
    spec : AdaptiveGrid

    A curve whose success rate at its largest fitted n is below 1/2 while the top of the
    range ``spec.high`` is not fitted gets ``spec.high`` alone; the others get points inside
    their interval as the module docstring says.

    Returns
    -------
    pandas.DataFrame
        Columns ``method, p, group_size, active_groups, sigma, design, n``: the new cells,
        sorted; empty when every curve meets the precision or cannot be refined.
    """
    keys = list(SETTING_KEYS)
    rows = []
    fitted_by = {key: grp for key, grp in counts.groupby(keys, sort=False, observed=True)}
    for est in estimates.itertuples(index=False):
        key = tuple(getattr(est, k) for k in keys)
        grp = fitted_by.get(key)
        if grp is None:
            continue
        grp = grp.sort_values("n")
        n = grp["n"].to_numpy(dtype=float)
        rate = grp["k"].to_numpy(dtype=float) / grp["m"].to_numpy(dtype=float)
        if rate[-1] < 0.5 and n[-1] < spec.high:  # still failing: fit the top of the range
            rows.append((*key, spec.high))
            continue
        span = None
        if est.transition == "ok":
            low, high = est.n_star_low, est.n_star_high
            if not (np.isfinite(low) and np.isfinite(high)):  # no bootstrap: the grid gap
                low, high = n[n <= est.n_star].max(), n[n >= est.n_star].min()
            if (high - low) / est.n_star > spec.precision:
                span = (float(low), float(high))
        elif est.transition == "not_monotone" or (
            est.transition == "below_grid" and rate[0] < 0.5
        ) or (est.transition == "above_grid" and rate[-1] >= 0.5):
            span = _crossing_span(n, rate)
        if span is None:
            continue
        for size in new_sizes(*span, n.astype(int), spec.per_round, (spec.low, spec.high)):
            rows.append((*key, size))
    out = pd.DataFrame(rows, columns=[*keys, "n"])
    return out.sort_values([*keys, "n"], kind="stable").reset_index(drop=True)


def success_counts(trials: pd.DataFrame, metric: str, threshold: float) -> pd.DataFrame:
    """Per (setting, n): ``k`` successes of ``m`` trials (:func:`success_indicator`)."""
    work = trials[[*SETTING_KEYS, "n"]].copy()
    work["_y"] = success_indicator(trials, metric, threshold).astype(np.int64)
    return (work.groupby([*SETTING_KEYS, "n"], sort=True, observed=True)
            .agg(k=("_y", "sum"), m=("_y", "size")).reset_index())  # fmt: skip


def _cell(row, config: dict) -> Cell:
    return Cell.from_row(row, design_specs(config))


def _with_chunks(cells: pd.DataFrame, config: dict) -> pd.DataFrame:
    """The plan: `cells` (method + cell columns) with each cell's fit job, balanced per method
    over ``jobs_per_method`` chunks, or as many as ``resources.target_minutes`` asks
    (:func:`balance_chunks`, :func:`.cost_model.chunk_count`)."""
    parts = []
    for method, grp in cells.groupby("method", sort=True):
        cell_list = [_cell(row, config) for row in grp.itertuples(index=False)]
        chunk_of = {c.cell_id: chunk for chunk, members in
                    method_chunks(config, method, cell_list).items() for c in members}
        part = grp.copy()
        part["chunk"] = [chunk_of[c.cell_id] for c in cell_list]
        parts.append(part)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PLAN_COLUMNS})
    out = pd.concat(parts, ignore_index=True)[list(PLAN_COLUMNS)]
    return out.sort_values(["method", "chunk", *SETTING_FIELDS, "n"], kind="stable").reset_index(drop=True)


def round_plan(config: dict, round_: int, trials: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Round `round_`'s plan and the estimates it came from.

    Round 0: every method on the cells of :func:`expand_cells` (at :func:`first_sizes`), no
    estimates. Round r
    >= 1: :func:`plan_round` on the transitions of `trials` (every earlier round's rows),
    computed as the study's aggregate computes them; empty after the last round (``rounds``).

    Returns
    -------
    plan : pandas.DataFrame
        :data:`PLAN_COLUMNS`.
    estimates : pandas.DataFrame
        The transitions table with ``rel_width`` = (n_star_high - n_star_low) / n_star and
        ``added`` (the new sample sizes, space separated); empty for round 0.
    """
    from ..analysis import transitions

    spec = adaptive_grid(config)
    if spec is None:
        raise ConfigError("config key 'grid.n': not adaptive (a list of sample sizes has no rounds)")
    if round_ == 0:
        cells, _ = expand_cells(config)
        frame = pd.DataFrame([(m, c.p, c.group_size, c.active_groups, c.sigma, c.design, c.n)
                              for m in config["methods"] for c in cells],
                             columns=[*SETTING_KEYS, "n"])  # fmt: skip
        return _with_chunks(frame, config), pd.DataFrame()
    success = config["success"]
    estimates = transitions(trials, metric=success["metric"], threshold=success["threshold"],
                            n_boot=config["bootstrap"], seed=0)
    counts = success_counts(trials, success["metric"], success["threshold"])
    added = plan_round(estimates, counts, spec) if round_ <= spec.rounds else counts.iloc[:0][[*SETTING_KEYS, "n"]]
    estimates = estimates.copy()
    estimates["rel_width"] = (estimates["n_star_high"] - estimates["n_star_low"]) / estimates["n_star"]
    text = added.groupby(list(SETTING_KEYS), observed=True)["n"].agg(lambda v: " ".join(map(str, v)))
    estimates["added"] = [text.get(tuple(r), "") for r in estimates[list(SETTING_KEYS)].itertuples(index=False)]
    return _with_chunks(added, config), estimates


def round_stage(config: dict, round_: int, fit_files: list[str], plan_path: str, estimates_path: str) -> None:
    """Checkpoint ``adaptive_round``: plan round `round_` from the earlier rounds' fit files."""
    success = config["success"]
    trials = read_fits(fit_files, success["threshold"], config["allow_code_changes"]) if round_ else None
    plan, estimates = round_plan(config, round_, trials)
    write_table_atomic(plan, plan_path)
    write_table_atomic(estimates, estimates_path)


def read_plan(path: str | os.PathLike) -> pd.DataFrame:
    """A round's plan as written by :func:`round_stage`."""
    plan = pd.read_csv(path, dtype={"method": str, "design": str, "chunk": str})
    return plan if not plan.empty else pd.DataFrame({c: pd.Series(dtype=object) for c in PLAN_COLUMNS})


def plan_cells(plan: pd.DataFrame, method: str, chunk: str, config: dict | None = None) -> list[Cell]:
    """The cells of one fit job of a plan (``config`` gives its real designs' specs)."""
    rows = plan[(plan["method"] == method) & (plan["chunk"] == chunk)]
    specs = design_specs(config) if config is not None else {}
    return [Cell.from_row(row, specs) for row in rows.itertuples(index=False)]


def run_round_chunk(config: dict, method: str, plan_path: str, chunk: str, output: str) -> pd.DataFrame:
    """One fit job of an adaptive round: `method` on the cells of `chunk` in the plan."""
    cells = plan_cells(read_plan(plan_path), method, chunk, config)
    if not cells:
        raise ConfigError(f"chunk {chunk!r} of method {method!r} is not in the plan {plan_path}")
    return fit_cells(config, method, cells, output)
