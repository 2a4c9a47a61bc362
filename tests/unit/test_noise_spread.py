"""The gradient-noise check: how much of n*'s uncertainty is the rounding of the iterations,
and its widening of the n* intervals where it dominates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gsbench.analysis.noise_spread import fold_noise, noise_factors, noise_spread
from gsbench.methods import make_method
from gsbench.methods._iterative import perturbed_gradients

ROOT = Path(__file__).resolve().parents[2]


def _problem(seed=0, n=40, p=32, g=4):
    rng = np.random.default_rng(seed)
    X = rng.choice([-1.0, 1.0], size=(n, p))
    w = np.zeros(p)
    w[:g] = 1.0
    return X, X @ w


def test_gradient_noise_of_size_zero_changes_nothing_and_a_positive_size_changes_little():
    X, y = _problem()
    ref = make_method("dglnn2", {"max_iter": 300}, groups=4).fit(X, y).coef_
    with perturbed_gradients(0.0, seed=1):
        same = make_method("dglnn2", {"max_iter": 300}, groups=4).fit(X, y).coef_
    with perturbed_gradients(1e-8, seed=1):
        noisy = make_method("dglnn2", {"max_iter": 300}, groups=4).fit(X, y).coef_
    after = make_method("dglnn2", {"max_iter": 300}, groups=4).fit(X, y).coef_
    assert np.array_equal(ref, same) and np.array_equal(ref, after)  # the context is undone
    assert not np.array_equal(ref, noisy)
    assert np.linalg.norm(noisy - ref) < 1e-4 * np.linalg.norm(ref)


def test_gradient_noise_of_a_bad_size_is_refused_with_its_value():
    with pytest.raises(ValueError, match="got -1"):
        with perturbed_gradients(-1.0, seed=0):
            pass


def _noise(method, ratios, sd):
    return pd.DataFrame({"method": method, "ratio": ratios, "sd_log_noise": sd})


def test_noise_is_folded_in_only_where_it_dominates_and_in_quadrature():
    trans = pd.DataFrame({"method": ["a", "a", "b", "a"], "transition": ["ok", "ok", "ok", "above_grid"],
                          "n_star": [100.0, 50.0, 100.0, np.nan],
                          "n_star_low": [90.0, 40.0, 90.0, np.nan],
                          "n_star_high": [110.0, 60.0, 110.0, np.nan]})
    noise = pd.concat([_noise("a", [2.0, 3.0, 0.5], [0.1, 0.2, 0.3]),  # median ratio 2 > 1
                       _noise("b", [0.5, 2.0, 0.9], [0.4, 0.4, 0.4])])  # median 0.9: binomial
    assert noise_factors(noise) == {"a": pytest.approx(0.2)}
    out = fold_noise(trans, noise)
    extra = (1.96 * 0.2) ** 2
    assert out.loc[0, "n_star_low"] == pytest.approx(100 * np.exp(-np.sqrt(np.log(100 / 90) ** 2 + extra)))
    assert out.loc[1, "n_star_high"] == pytest.approx(50 * np.exp(np.sqrt(np.log(60 / 50) ** 2 + extra)))
    assert out.loc[2].equals(trans.loc[2])  # b: the binomial part dominates
    assert np.isnan(out.loc[3, "n_star_low"])  # censored rows carry no interval
    assert (out["n_star"].equals(trans["n_star"]))
    assert fold_noise(trans, None).equals(trans)


@pytest.mark.slow
def test_noise_check_reproduces_the_study_without_noise_and_reports_the_two_parts():
    """At eps = 0 every refit equals the study's fit (each problem is redrawn from its cell's
    seed), so every replicate's n* is the study's and no trial flips; with noise the row
    carries both SDs and the dominant part."""
    from gsbench.analysis.law_verdict import law_sections
    from gsbench.analysis.transitions import transitions
    from gsbench.study.cells import Cell
    from gsbench.study.chunks import cell_rows
    from gsbench.study.config import load_config

    config = load_config(ROOT / "config" / "config.yaml")
    config.update(methods={"dglnn2": {"max_iter": 400}}, trials=6)
    config["grid"].update(p=[64], group_size=[4], active_groups=[2])
    trials = pd.concat([cell_rows(config, "dglnn2", Cell(64, 4, 2, n, 0.0, "rademacher"))
                        for n in (12, 20, 28, 40, 56)], ignore_index=True)
    trans = transitions(trials, n_boot=50)
    assert trans["transition"].iloc[0] == "ok"
    exact = noise_spread(config, trials, trans, eps=0.0, replicates=2, cells=1)
    (row,) = exact.itertuples()
    assert json.loads(row.n_star_replicates) == pytest.approx([trans["n_star"].iloc[0]] * 2)
    assert row.flipped == 0 and row.sd_log_noise == 0 and row.dominant == "binomial"
    lo, hi = trans["n_star_low"].iloc[0], trans["n_star_high"].iloc[0]
    assert row.sd_log_binomial == pytest.approx((np.log(hi) - np.log(lo)) / (2 * 1.96))

    noisy = noise_spread(config, trials, trans, eps=1e-6, replicates=3, cells=1)
    assert len(json.loads(noisy["n_star_replicates"].iloc[0])) == 3
    assert 0 <= noisy["flipped"].iloc[0] <= 1
    sections = law_sections(trans, pd.DataFrame(columns=["method", "law", "param"]), n_boot=0,
                            noise=noisy)
    (sec,) = [s for s in sections if s.title == "Gradient-noise check"]
    (f,) = sec.findings
    assert f.claim == "dglnn2: rounding"
    assert f.verdict.startswith("gradient noise dominates" if noisy["ratio"].iloc[0] > 1
                                else "the binomial part dominates")
