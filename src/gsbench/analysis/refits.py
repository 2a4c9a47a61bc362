"""Refitting a study's trials near a method's transition, shared by the checks that ask
whether n* would move under another budget (:mod:`.budget`) or another rounding of the
iterations (:mod:`.noise_spread`).

A *cell* here is one row of ``transitions.csv`` (a method's setting: p, g, s, σ, design);
its trials are re-drawn from their seeds (:meth:`gsbench.study.cells.Cell.problem`), refitted
at chosen grid sizes, put in place of the study's fits at those sizes, and n* is estimated
again from the merged trials (:func:`.transitions.transitions`, no bootstrap).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .transitions import transitions

__all__ = ["KEYS", "is_iterative", "cell_trials", "bracketing_sizes", "refit", "transition_with"]

#: The columns that name a cell of ``transitions.csv`` within one method.
KEYS = ["p", "group_size", "active_groups", "sigma", "design"]


def is_iterative(params: dict) -> bool:
    """Whether an estimator's parameters (``get_params``) are those of an iterative method
    started small: it has ``alpha`` and ``max_iter`` (the methods both checks refit)."""
    return "alpha" in params and "max_iter" in params


def cell_trials(trials: pd.DataFrame, label: str, row) -> pd.DataFrame:
    """The rows of ``trials.parquet`` of method ``label`` in the cell of ``row``."""
    sub = trials[trials["method"] == label]
    mask = np.ones(len(sub), dtype=bool)
    for k in KEYS:
        mask &= (sub[k] == row[k]).to_numpy()
    return sub[mask]


def bracketing_sizes(frame: pd.DataFrame, row) -> list[int]:
    """The grid sizes just below and just above the cell's n* (one when n* is a grid size);
    for a cell above the grid, its largest size."""
    grid = np.sort(frame["n"].unique())
    if row["transition"] != "ok":
        return [int(grid.max())]
    return sorted({int(grid[grid <= row["n_star"]].max()), int(grid[grid >= row["n_star"]].min())})


def refit(config: dict, label: str, spec: tuple, row, n: int, trial_ids, params: dict,
          specs: dict | None = None) -> pd.DataFrame:
    """Method ``label`` (``spec = (name, preset, study params)``) refitted with ``params`` on
    the trials ``trial_ids`` of the cell of ``row`` at size ``n``: rows as the study's, with
    the cell's columns, ``n`` and ``method``. ``specs``: the study's real-design specs
    (:func:`gsbench.study.grid_designs.design_specs`), so a real cell keeps its groups."""
    from ..runner import fit_problems
    from ..study.cells import Cell

    name, preset, _ = spec
    cell = Cell.from_row(row, specs or {}, n=n)
    problems = [cell.problem(config, int(t)) for t in trial_ids]
    rows, _ = fit_problems(name, problems, params, preset=preset,
                           threshold=config["success"]["threshold"])
    frame = pd.DataFrame(rows)
    for k in KEYS:
        frame[k] = row[k]
    frame["n"], frame["method"] = n, label
    return frame


def transition_with(config: dict, frame: pd.DataFrame, refits: list[pd.DataFrame]) -> pd.Series:
    """The cell's transitions row (no bootstrap) when the ``refits`` replace the study's fits
    at their sizes in ``frame`` (the cell's trials)."""
    sizes = {int(n) for r in refits for n in r["n"].unique()}
    merged = pd.concat([frame[~frame["n"].isin(sizes)], *refits], ignore_index=True)
    success = config["success"]
    return transitions(merged, metric=success["metric"], threshold=success["threshold"],
                       n_boot=0).iloc[0]
