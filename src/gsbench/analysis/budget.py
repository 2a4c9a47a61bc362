r"""Does a method's n* depend on its budget?  Refit trials near the transition with more.

An iterative method started at scale :math:`\alpha` and stopped after ``max_iter``
iterations can fail because the signal has not escaped yet, not because of its implicit
bias.  For each iterative method (one with ``alpha`` and ``max_iter``) the check takes the
cells nearest its transition, refits every trial at the grid sizes :math:`n` bracketing
:math:`n^\star` with a larger budget and a smaller initialisation, puts those fits in
place of the study's at the same :math:`n`, and re-estimates :math:`n^\star`, twice:

* ``budget``: twice ``max_iter``, the same :math:`\alpha`;
* ``alpha``: a smaller :math:`\alpha` with the budget its longer escape needs --
  depth 2 (``w = u∘u − v∘v``, DGLNN's Algorithms): the escape time grows like
  :math:`\log(1/\alpha)`, so :math:`\alpha \to 10^{-6}\alpha` with twice ``max_iter``;
* depth :math:`N \ge 3`: it grows like :math:`\alpha^{-(N-2)}`, so
  :math:`\alpha \to \alpha/10` with ten times ``max_iter``.

:math:`\alpha` is each cell's median resolved initial scale of the study's own fits
(``resolved`` column of ``trials.parquet``).  A cell *moves down* (the method was held
back) when the re-estimated :math:`n^\star` lies below the study's 95% interval, or a cell
above the grid gets a transition inside it; it *moves up* when the re-estimate lies above
the interval (the larger budget or smaller α made it worse: sensitive, not held back).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .refits import KEYS, bracketing_sizes, cell_trials, is_iterative, refit, transition_with

__all__ = ["budget_check", "BUDGET_COLUMNS", "budget_change"]

BUDGET_COLUMNS: tuple[str, ...] = (
    "method", "check", "p", "group_size", "active_groups", "sigma", "design", "transition", "n_star",
    "n_star_low", "n_star_high", "refit_n", "trials", "change", "budget_ended_before",
    "budget_ended_after", "transition_check", "n_star_check", "moved", "direction",
)  # fmt: skip


def budget_change(params: dict) -> list[tuple[str, float, float, str]]:
    """The checks ``(name, α factor, max_iter factor, text)`` for an estimator's
    parameters; none when the method has no ``alpha`` and ``max_iter`` (not an iterative
    method started small)."""
    if not is_iterative(params):
        return []
    checks = [("budget", 1.0, 2.0, "2× max_iter, same α")]
    if (params.get("depth") or 2) >= 3:
        return checks + [("alpha", 0.1, 10.0, "α/10 and 10× max_iter (depth ≥ 3: escape "
                                                "time ∝ α^-(N-2))")]
    return checks + [("alpha", 1e-6, 2.0, "α·1e-6 and 2× max_iter (escape time ∝ log 1/α)")]


def _median_alpha(rows: pd.DataFrame) -> float:
    vals = [json.loads(r).get("alpha") for r in rows["resolved"].dropna()]
    vals = [float(v) for v in vals if v is not None]
    return float(np.median(vals)) if vals else np.nan


def _select(trans: pd.DataFrame, cells: int) -> pd.DataFrame:
    """The `cells` interior cells with the largest n*, and one cell above the grid."""
    ok = trans[trans["transition"] == "ok"].sort_values("n_star", ascending=False).head(cells)
    above = trans[trans["transition"] == "above_grid"].sort_values(
        ["active_groups", "group_size"], ascending=False).head(1)
    return pd.concat([ok, above])


def budget_check(config: dict, trials: pd.DataFrame, transitions_df: pd.DataFrame, *,
                 cells: int = 2) -> pd.DataFrame:
    r"""Refit every iterative method near its transition with a larger budget (see module).

    Parameters
    ----------
    config : dict
        The study's validated config (methods, problem options, success definition).
    trials : pandas.DataFrame
        ``trials.parquet`` of the study.
    transitions_df : pandas.DataFrame
        ``transitions.csv`` of the same trials.
    cells : int, default 2
        Interior cells per method (largest n* first); one cell above the grid is added.

    Returns
    -------
    pandas.DataFrame
        One row per (method, check, cell), columns :data:`BUDGET_COLUMNS`;
        ``budget_ended_*`` are the fractions of the refitted sizes' fits ended by the budget
        (not a stopping rule) before and after; ``moved`` is ``direction == "down"``
        (``direction``: ``"down"``, ``"up"`` or ``"none"``, see the module).
    """
    from ..methods import make_method
    from ..study.config import method_specs
    from ..study.grid_designs import design_specs

    specs = design_specs(config)
    out = []
    for label, spec in method_specs(config).items():
        name, preset, params = spec
        sub_t = transitions_df[transitions_df["method"] == label]
        if sub_t.empty:
            continue
        g0 = max(int(sub_t["group_size"].iloc[0]), 1)  # 0: a real design's unequal groups
        est = make_method(name, params, groups=g0, preset=preset)
        checks = budget_change(est.get_params(deep=False))
        for (kind, f_alpha, f_iter, text), (_, row) in (
                (c, r) for c in checks for r in _select(sub_t, cells).iterrows()):
            frame = cell_trials(trials, label, row)
            refit_n = bracketing_sizes(frame, row)
            new_rows, before = [], []
            for n in refit_n:
                old = frame[frame["n"] == n]
                before.append(old)
                alpha = _median_alpha(old)
                check = {**params, "max_iter": int(round(est.max_iter * f_iter))}
                if np.isfinite(alpha) and f_alpha != 1.0:
                    check["alpha"] = alpha * f_alpha
                new_rows.append(refit(config, label, spec, row, n, old["trial"], check, specs))
            new = pd.concat(new_rows, ignore_index=True)
            re = transition_with(config, frame, new_rows)
            old_all = pd.concat(before)

            def ended(frame):
                ok = frame[frame["status"].astype(str) == "ok"]
                return float((~ok["converged"].astype(bool)).mean()) if len(ok) else np.nan

            if row["transition"] == "ok" and re["transition"] == "ok":
                direction = ("down" if re["n_star"] < row["n_star_low"] else
                             "up" if re["n_star"] > row["n_star_high"] else "none")
            elif row["transition"] == re["transition"]:
                direction = "none"
            else:  # a grid-edge label changed: down if the refit succeeds earlier
                order = {"below_grid": 0, "ok": 1, "above_grid": 2}
                a, b = order.get(row["transition"]), order.get(re["transition"])
                direction = "none" if a is None or b is None else ("down" if b < a else "up")
            moved = direction == "down"
            out.append({
                **{k: row[k] for k in KEYS}, "method": label, "check": kind, "transition": row["transition"],
                "n_star": row["n_star"], "n_star_low": row["n_star_low"],
                "n_star_high": row["n_star_high"], "refit_n": " ".join(map(str, refit_n)),
                "trials": int(len(old_all) / len(refit_n)), "change": text,
                "budget_ended_before": ended(old_all), "budget_ended_after": ended(new),
                "transition_check": re["transition"], "n_star_check": re["n_star"],
                "moved": bool(moved), "direction": direction,
            })
    return pd.DataFrame(out, columns=list(BUDGET_COLUMNS))
