"""Early-stopping windows of a recorded error path (gsbench.stopping_windows) and their columns."""

from __future__ import annotations

import numpy as np
import pytest

from gsbench.problems import make_problem
from gsbench.runner import RESULT_FIELDS, fit_problems
from gsbench.stopping_windows import WINDOW_FIELDS, converged_by_budget, stopping_windows


def test_windows_of_a_u_shaped_path():
    it = np.arange(0, 100, 10)
    rel = np.array([1.0, 0.5, 0.2, 0.04, 0.021, 0.02, 0.021, 0.03, 0.06, 0.3])
    w = stopping_windows(it, 2.0 * rel, w_star_norm=2.0, threshold=0.05)
    assert (w["success_first"], w["success_last"]) == (30, 70)
    # 1.1 x min = 0.022: records 40, 50, 60
    assert (w["near_min_first"], w["near_min_last"]) == (40, 60)


def test_window_never_reached_and_nan_records():
    it = np.array([0, 10, 20, 30])
    err = np.array([1.0, 0.5, np.nan, np.nan])
    w = stopping_windows(it, err, 1.0, threshold=0.05)
    assert (w["success_first"], w["success_last"]) == (-1, -1)
    assert (w["near_min_first"], w["near_min_last"]) == (10, 10)


def test_window_is_not_fooled_by_a_second_dip():
    # two separate visits below threshold: the window runs from the first to the last visit
    it = np.arange(6)
    rel = np.array([1.0, 0.01, 0.2, 0.2, 0.01, 0.5])
    w = stopping_windows(it, rel, 1.0, threshold=0.05)
    assert (w["success_first"], w["success_last"]) == (1, 4)


@pytest.mark.parametrize("kw, match", [({"w_star_norm": 0.0}, "w_star_norm"),
                                       ({"factor": 0.9}, "factor")])
def test_bad_arguments_are_named(kw, match):
    args = {"w_star_norm": 1.0, "threshold": 0.05, **kw}
    with pytest.raises(ValueError, match=match):
        stopping_windows(np.arange(3), np.ones(3), **args)
    with pytest.raises(ValueError, match="shapes"):
        stopping_windows(np.arange(3), np.ones(4), 1.0, 0.05)


def test_budget_criterion():
    assert converged_by_budget("ok", 999, 1000)
    assert not converged_by_budget("ok", 1000, 1000)
    assert not converged_by_budget("diverged", 10, 1000)


def test_window_columns_in_result_rows_match_the_path():
    problems = [make_problem(40, 64, 4, 1, sigma=0.0, seed=s) for s in (1, 2)]
    rows, results = fit_problems("hadamard", problems, {"max_iter": 3000, "stride": 10},
                                 threshold=0.1)
    assert set(WINDOW_FIELDS) <= set(RESULT_FIELDS)
    for row, res, pr in zip(rows, results, problems):
        assert set(WINDOW_FIELDS) <= set(row)
        rel = res.path["oracle_error"] / np.linalg.norm(pr.w_star)
        it = res.path["iteration"]
        # the window brackets the oracle-stopped iterate, which is the least error
        assert row["near_min_first"] <= row["oracle_iteration"] <= row["near_min_last"]
        assert row["success_first"] >= 0 and rel[it == row["success_first"]][0] <= 0.1
        assert rel[it < row["success_first"]].min() > 0.1
