"""The adaptive sample-size grid: configuration and round planning. (A tiny study end to end
through the real `snakemake`: tests/workflow/test_adaptive_study.py.)"""

import copy

import numpy as np
import pandas as pd
import pytest

from gsbench.analysis import transitions
from gsbench.analysis.columns import SETTING_KEYS
from gsbench.study import ConfigError, load_config
from gsbench.study.adaptive import (
    AdaptiveGrid,
    coarse_sizes,
    first_sizes,
    new_sizes,
    plan_round,
    round_plan,
    run_round_chunk,
    success_counts,
)
from gsbench.study.chunks import cell_rows
from gsbench.study.plan import describe, plan_study
from workflow_helpers import smoke_config

SPEC = {"range": [16, 512], "precision": 0.3, "coarse": 3, "rounds": 2}
SETTING = {"p": 128, "group_size": 4, "sigma": 0.0, "design": "rademacher"}


def adaptive_config(**spec) -> dict:
    config = copy.deepcopy(smoke_config())
    config["grid"]["n"] = {"adaptive": {**SPEC, **spec}}
    return config


# ----------------------------------------------------------------------------- configuration


def test_defaults_filled_and_coarse_round_is_geometric_over_the_range():
    config = load_config(adaptive_config(coarse=4))
    assert config["grid"]["n"]["adaptive"] == {**SPEC, "coarse": 4, "per_round": 1}
    assert coarse_sizes(AdaptiveGrid(16, 512, 0.3, coarse=4)) == [16, 51, 161, 512]
    assert coarse_sizes(AdaptiveGrid(16, 512, 0.3, coarse=3)) == [16, 91, 512]
    # rounding would merge sizes in a narrow range: they stay distinct, ends included
    assert coarse_sizes(AdaptiveGrid(3, 6, 0.3, coarse=4)) == [3, 4, 5, 6]
    assert "then at most" in describe(plan_study(config))


@pytest.mark.parametrize("change, message", [
    ({"range": [64, 16]}, "config key 'grid.n.adaptive.range': low 64 must be below high 16"),
    ({"range": [16]}, "config key 'grid.n.adaptive.range': [16] is too short"),
    ({"range": [0, 16]}, "config key 'grid.n.adaptive.range[0]': 0 is less than the minimum of 1"),
    ({"precision": 0}, "config key 'grid.n.adaptive.precision': 0 is less than or equal to the minimum of 0"),
    ({"precision": "tight"}, "config key 'grid.n.adaptive.precision': 'tight' is not of type 'number'"),
    ({"coarse": 1}, "config key 'grid.n.adaptive.coarse': 1 is less than the minimum of 2"),
    ({"coarse": 9, "range": [4, 8]}, "config key 'grid.n.adaptive.coarse': 9 sample sizes do not fit in the range [4, 8] (5 integers)"),
    ({"rounds": -1}, "config key 'grid.n.adaptive.rounds': -1 is less than the minimum of 0"),
    ({"per_round": 0}, "config key 'grid.n.adaptive.per_round': 0 is less than the minimum of 1"),
    ({"step": 2}, "config key 'grid.n.adaptive': Additional properties are not allowed ('step' was unexpected)"),
])  # fmt: skip
def test_bad_adaptive_values_are_refused_naming_the_key(change, message):
    with pytest.raises(ConfigError) as info:
        load_config(adaptive_config(**change))
    assert str(info.value) == message


def test_adaptive_needs_its_range_and_precision_and_no_decoy_design():
    config = adaptive_config()
    del config["grid"]["n"]["adaptive"]["precision"]
    with pytest.raises(ConfigError, match="config key 'grid.n.adaptive': 'precision' is a required property"):
        load_config(config)
    config = adaptive_config()
    config["grid"]["n"]["statdim_l1"] = 2.0
    with pytest.raises(ConfigError, match="config key 'grid.n': .* has too many properties"):
        load_config(config)
    config = adaptive_config()
    config["grid"]["design"] = ["decoy"]
    with pytest.raises(ConfigError, match="config key 'grid.n.adaptive': decoy designs are analysed in rho"):
        load_config(config)


def test_max_fits_counts_every_round_a_study_may_run():
    # round 0: 2 n (the 3 coarse ones without the top) x the possible (g, s) settings x 4
    # trials x 3 methods; each round adds at most one n per setting
    config = adaptive_config(rounds=4)
    plan = plan_study(load_config(config))
    assert plan.max_fits == plan.fits + 4 * 1 * (plan.cells // 2) * plan.methods * plan.trials
    config["max_fits"] = plan.fits + 1  # round 0 alone fits under the limit, the rounds do not
    with pytest.raises(ConfigError, match="config key 'max_fits'"):
        load_config(config)


# ----------------------------------------------------------------------------- round planning


def _estimate(s, n_star, low, high, label="ok"):
    return {"method": "m", **SETTING, "active_groups": s, "n_star": n_star, "n_star_low": low,
            "n_star_high": high, "transition": label}


def _counts(s, rates):
    return [{"method": "m", **SETTING, "active_groups": s, "n": n, "k": round(14 * r), "m": 14}
            for n, r in rates.items()]


def test_plan_round_adds_sample_sizes_only_inside_wide_n_star_intervals():
    spec = AdaptiveGrid(16, 512, precision=0.3, per_round=2)
    coarse = {16: 0.0, 91: 0.0, 512: 1.0}
    estimates = pd.DataFrame([
        _estimate(1, 200.0, 91.0, 512.0),                   # wide: (512 - 91) / 200 > 0.3
        _estimate(2, 100.0, 91.0, 110.0),                   # 0.19 <= 0.3: done
        _estimate(3, np.nan, np.nan, np.nan, "below_grid"),  # successful at 16 already
        _estimate(4, np.nan, np.nan, np.nan, "above_grid"),  # failing at 512
        _estimate(5, np.nan, np.nan, np.nan, "all_failed"),
        _estimate(6, np.nan, np.nan, np.nan, "not_monotone"),
        _estimate(7, np.nan, np.nan, np.nan, "below_grid"),  # by the fit, but p(16) < 1/2
        _estimate(8, np.nan, np.nan, np.nan, "above_grid"),  # failing at 91, 512 not fitted
        _estimate(9, 60.0, 55.0, 65.0),                     # done below 91: 512 never needed
        _estimate(10, 88.0, 60.0, 200.0),                   # p(91) < 1/2: the top first
    ])  # fmt: skip
    counts = pd.DataFrame(
        _counts(1, coarse) + _counts(2, {16: 0, 91: 0.3, 110: 0.6, 512: 1})
        + _counts(3, {16: 0.6, 91: 1, 512: 1}) + _counts(4, {16: 0, 91: 0, 512: 0.4})
        + _counts(5, coarse) + _counts(6, {16: 0, 91: 0.7, 200: 0.2, 512: 1})
        + _counts(7, {16: 0.4, 91: 1, 512: 1}) + _counts(8, {16: 0, 91: 0.3})
        + _counts(9, {16: 0, 91: 1}) + _counts(10, {16: 0, 91: 0.45})
    )
    added = plan_round(estimates, counts, spec)
    by_s = added.groupby("active_groups")["n"].apply(list).to_dict()
    # two n at the geometric thirds of the interval, a (b/a)^(1/3) and a (b/a)^(2/3): for s = 1
    # of (91, 512); where the rates cross 1/2 for s = 6 (not monotone: 91 wins, 200 fails) and
    # s = 7 (fitted below the range, but p(16) < 1/2): of (91, 200) and (16, 91)
    # s = 8 and 10 still fail at their largest n, 91: they get the top of the range, 512, alone
    assert by_s == {1: [162, 288], 6: [118, 154], 7: [29, 51], 8: [512], 10: [512]}
    assert list(added.columns) == [*SETTING_KEYS, "n"]


def test_new_sizes_are_free_integers_inside_the_interval_and_the_range():
    assert new_sizes(91, 512, [16, 91, 512], 1, (16, 512)) == [216]  # bisection in log n
    assert new_sizes(91, 512, [16, 91, 216, 512], 1, (16, 512)) == [215]  # nearest free one
    assert new_sizes(10, 20, [10, 20], 3, (16, 512)) == [17, 18, 19]  # clipped to the range
    assert new_sizes(20, 21, [20, 21], 1, (1, 100)) == []  # no integer left between


def _fake_trials(sizes, n_star, slope=12.0, trials=14, seed=0):
    """Per-trial rows of one method whose success probability is a logistic in log n."""
    rows = []
    for s, true in n_star.items():
        for n in sizes[s]:
            prob = 1 / (1 + np.exp(-slope * (np.log(n) - np.log(true))))
            hit = np.random.default_rng([seed, s, n]).random(trials) < prob
            rows += [{"method": "m", **SETTING, "active_groups": s, "n": n, "status": "ok",
                      "rel_error_oracle": 0.0 if h else 1.0} for h in hit]
    return pd.DataFrame(rows)


def test_each_round_adds_n_inside_the_previous_rounds_interval_until_the_target():
    spec = AdaptiveGrid(16, 512, precision=0.3, coarse=3, rounds=6)
    n_star = {1: 40.0, 2: 150.0, 4: 300.0, 8: 700.0}  # the last is above the range
    sizes = {s: first_sizes(spec) for s in n_star}
    assert sizes[1] == [16, 91]  # round 0: the coarse sizes without the top, 512
    for _ in range(spec.rounds):
        trials = _fake_trials(sizes, n_star)
        est = transitions(trials, n_boot=100).set_index("active_groups")
        counts = success_counts(trials, "rel_error_oracle", 0.05)
        added = plan_round(est.reset_index(), counts, spec)
        for row in added.itertuples():
            assert row.n not in sizes[row.active_groups]
            top = counts[counts["active_groups"] == row.active_groups].iloc[-1]
            if top["k"] / top["m"] < 0.5:  # still failing at its largest n: the top
                assert row.n == 512
                continue
            assert est.loc[row.active_groups, "transition"] == "ok"
            assert est.loc[row.active_groups, "n_star_low"] < row.n < est.loc[row.active_groups, "n_star_high"]
        if added.empty:
            break
        for row in added.itertuples():
            sizes[row.active_groups] = sorted(sizes[row.active_groups] + [row.n])
    assert added.empty  # the target was reached before the round limit
    final = transitions(_fake_trials(sizes, n_star), n_boot=100).set_index("active_groups")
    ok = final[final["transition"] == "ok"]
    assert list(ok.index) == [1, 2, 4]
    assert ((ok["n_star_high"] - ok["n_star_low"]) / ok["n_star"] <= 0.3).all()
    assert final.loc[8, "transition"] == "above_grid" and sizes[8] == [16, 91, 512]
    assert 512 not in sizes[1]  # n* = 40: the top was never fitted
    for s in (1, 2, 4):  # within the interval's factor of the truth
        assert ok.loc[s, "n_star_low"] * 0.8 < n_star[s] < ok.loc[s, "n_star_high"] * 1.25


def test_a_cell_gives_the_same_rows_whichever_round_fits_it(tmp_path):
    config = load_config(adaptive_config())
    plan, _ = round_plan(config, 0)
    first = plan[plan["method"] == "group_lasso"].iloc[[0]]
    plan_path = tmp_path / "round0.csv"
    first.to_csv(plan_path, index=False)
    rows = run_round_chunk(config, "group_lasso", str(plan_path), first["chunk"].iloc[0],
                           str(tmp_path / "fit.parquet"))
    fixed = load_config(smoke_config())
    fixed["grid"]["n"] = [int(first["n"].iloc[0])]
    from gsbench.study import expand_cells

    cell = next(c for c in expand_cells(fixed)[0] if c.active_groups == first["active_groups"].iloc[0]
                and c.group_size == first["group_size"].iloc[0])
    expected = cell_rows(fixed, "group_lasso", cell)
    same = ["cell_id", "seed", "rel_error_oracle", "rel_error_validation", "status"]
    pd.testing.assert_frame_equal(rows[same], expected[same])


# ----------------------------------------------------------------------------- end to end
