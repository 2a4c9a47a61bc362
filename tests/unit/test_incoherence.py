"""The tolerated-coherence analysis on synthetic trials with a known rho*, and the
incoherence study end to end."""

import numpy as np
import pandas as pd
import pytest

from gsbench.analysis.incoherence import coherence_scaling, tolerated_coherence

RHOS = np.geomspace(0.05, 1.0, 14)


def synthetic_trials(true_rho_star, trials=60, seed=0):
    """Success with probability sigmoid(6 log(rho*/rho)) for each (method, layout, s, g)."""
    rng = np.random.default_rng(seed)
    rows = []
    for (method, layout, s, g), rho_star in true_rho_star.items():
        for rho in RHOS:
            prob = 1.0 / (1.0 + (rho / rho_star) ** 6)
            ok = rng.random(trials) < prob
            for t, success in enumerate(ok):
                rows.append(dict(
                    method=method, decoy_layout=layout, p=256, group_size=g, active_groups=s,
                    sigma=0.0, decoy_rho=rho, n=100, trial=t, status="ok",
                    rel_error_oracle=0.01 if success else 0.5, design="decoy",
                ))
    return pd.DataFrame(rows)


def truth(b, c, const=0.9):
    return {("m", "scattered", s, g): const * s**-b * g**-c for s in (1, 2, 4, 8) for g in (1, 2, 4)}


def test_rho_star_interval_covers_the_true_threshold():
    true = truth(0.5, 0.0)
    est = tolerated_coherence(synthetic_trials(true), n_boot=200, seed=1)
    assert (est["transition"] == "ok").all()
    want = np.array([true[("m", "scattered", s, g)]
                     for s, g in zip(est["active_groups"], est["group_size"])])
    inside = (est["rho_star_low"] <= want) & (want <= est["rho_star_high"])
    assert inside.mean() >= 0.8
    np.testing.assert_allclose(est["rho_star"], want, rtol=0.2)
    np.testing.assert_allclose(est["rho_group"], 1 / np.sqrt(est["active_groups"]))


@pytest.mark.parametrize("b, c", [(0.5, 0.0), (0.5, 0.5)])
def test_scaling_recovers_the_exponents(b, c):
    est = tolerated_coherence(synthetic_trials(truth(b, c), seed=2), n_boot=0)
    fit = coherence_scaling(est).iloc[0]
    assert fit["b_low"] <= b <= fit["b_high"] and abs(fit["b_prime"] - b) < 0.1
    assert fit["c_low"] <= c <= fit["c_high"] and abs(fit["c_prime"] - c) < 0.1
    assert fit["n_points"] == 12 and fit["note"] == ""


def test_edges_are_labelled_and_not_extrapolated():
    true = {("m", "aligned", 1, 1): 5.0, ("m", "aligned", 8, 4): 0.01}
    est = tolerated_coherence(synthetic_trials(true), n_boot=20).set_index("active_groups")
    assert est.loc[1, "transition"] == "above_grid" and est.loc[8, "transition"] == "below_grid"
    assert est["rho_star"].isna().all()
    fit = coherence_scaling(est.reset_index()).iloc[0]
    assert np.isnan(fit["b_prime"]) and "too few" in fit["note"]


def test_a_curve_whose_trials_all_failed_is_labelled_as_such():
    trials = synthetic_trials({("m", "scattered", 1, 1): 0.5, ("m", "scattered", 2, 1): 0.5})
    trials.loc[trials["active_groups"] == 2, "status"] = "failed"
    est = tolerated_coherence(trials, n_boot=20).set_index("active_groups")
    assert est.loc[2, "transition"] == "all_failed" and np.isnan(est.loc[2, "rho_star"])
    assert est.loc[1, "transition"] == "ok"


def test_one_g_leaves_c_unfitted_and_says_so():
    true = {("m", "scattered", s, 4): 0.9 / np.sqrt(s) for s in (1, 2, 4, 8)}
    fit = coherence_scaling(tolerated_coherence(synthetic_trials(true), n_boot=0)).iloc[0]
    assert np.isnan(fit["c_prime"]) and "c' not fitted (g does not vary)" in fit["note"]
    assert fit["b_prime"] == pytest.approx(0.5, abs=0.1)


def test_several_n_per_curve_is_an_error():
    df = synthetic_trials({("m", "scattered", 2, 2): 0.5}, trials=4)
    df.loc[df.index[:3], "n"] = 50
    with pytest.raises(ValueError, match="has several n"):
        tolerated_coherence(df, n_boot=0)


def test_rho_star_quantised_by_the_grid_gives_a_wide_not_a_zero_interval():
    """Every curve jumps between the same two rho: all rho* equal; the exponent interval
    must reflect that the grid cannot tell them apart."""
    est = pd.DataFrame([dict(method="m", decoy_layout="aligned", p=64, group_size=g,
                             active_groups=s, sigma=0.0, rho_star=0.68, rho_star_low=0.5,
                             rho_star_high=0.95, transition="ok")
                        for s in (1, 2, 4) for g in (2, 4)])
    fit = coherence_scaling(est).iloc[0]
    assert fit["b_prime"] == pytest.approx(0.0, abs=1e-12)
    assert fit["b_low"] < -0.2 and fit["b_high"] > 0.2
    assert fit["c_low"] < -0.2 and fit["c_high"] > 0.2


# --------------------------------------------------------------------------- the study

from gsbench.analysis.theory import statdim_l1  # noqa: E402
from gsbench.coherence import incoherence  # noqa: E402
from gsbench.study import cell_rows, expand_cells, load_config  # noqa: E402

from workflow_helpers import ROOT, data_config, is_nonblank_png  # noqa: E402

TINY = data_config("incoherence_tiny")


def test_statdim_l1_limits_and_a_known_value():
    assert statdim_l1(0, 50) == 0 and statdim_l1(50, 50) == 50
    # ALMT 2014 Fig. 2.2: the l1 phase transition at k/p = 0.1 lies near n/p = 0.33.
    assert 0.30 < statdim_l1(100, 1000) / 1000 < 0.36


def test_grid_expands_decoy_axes_and_n_from_the_statistical_dimension():
    config = load_config({**TINY, "grid": {**TINY["grid"], "design": ["decoy", "rademacher"]}})
    cells, _ = expand_cells(config)
    decoy = [c for c in cells if c.design == "decoy"]
    plain = [c for c in cells if c.design == "rademacher"]
    assert len(decoy) == 2 * 2 * 2 * 2 and len(plain) == 2 * 2  # decoy axes collapse
    assert len({c.cell_id for c in cells}) == len(cells)
    for c in cells:
        assert c.n == int(np.ceil(2.0 * statdim_l1(c.active_groups * c.group_size, 16)))


def test_trial_rows_carry_the_measured_coherence_of_their_problem():
    config = load_config(TINY)
    cell = [c for c in expand_cells(config)[0] if c.decoy_layout == "aligned"][-1]
    rows = cell_rows(config, "group_lasso", cell)
    for trial, row in rows.iterrows():
        problem = cell.problem(config, trial)
        want = incoherence(problem.X, problem.groups)
        assert row[["delta_in", "delta_out", "mu"]].tolist() == pytest.approx(
            [want["delta_in"], want["delta_out"], want["mu"]])
    assert (rows["decoy_rho"] == cell.decoy_rho).all()
    assert (rows["decoy_layout"] == "aligned").all()


def test_incoherence_config_is_valid_with_its_documented_288_cells():
    config = load_config(ROOT / "config" / "incoherence.yaml")
    cells, skipped = expand_cells(config)
    assert not skipped and len(cells) == 288
    assert {c.decoy_layout for c in cells} == {"scattered", "aligned"}


@pytest.mark.parametrize(
    "c_interval, verdict",
    [((-0.1, 0.1), "supported"), ((-0.2, 0.7), "inconclusive"), ((0.4, 0.6), "refuted")],
)
def test_verdict_needs_the_interval_to_exclude_the_competing_exponent(c_interval, verdict):
    from gsbench.analysis.incoherence import verdict_section

    fits = pd.DataFrame([dict(method="dglnn2", decoy_layout="scattered", sigma=0.0,
                              b_prime=0.5, b_low=0.3, b_high=0.7, c_prime=sum(c_interval) / 2,
                              c_low=c_interval[0], c_high=c_interval[1], r2=0.9, n_points=9,
                              note="")])
    rho = pd.DataFrame({"transition": ["ok"] * 9})
    section = verdict_section(rho, fits, {"dglnn2": "group"})
    assert [f.verdict for f in section.findings] == [verdict]
    assert "ρ* ∝ s^-0.5 g^-0" in section.findings[0].statement


def test_coherence_figures_are_drawn_and_a_bad_measure_is_named(tmp_path):
    from gsbench.report.coherence_figures import plot_rho_star, plot_success_vs_coherence

    trials = synthetic_trials(truth(0.5, 0.0), trials=4)
    trials["cell_id"] = (trials["active_groups"].astype(str) + "_" + trials["group_size"].astype(str)
                         + "_" + trials["decoy_rho"].round(3).astype(str))
    rng = np.random.default_rng(0)
    trials["delta_out"] = trials["decoy_rho"] / np.sqrt(trials["active_groups"]) + 0.01 * rng.random(len(trials))
    trials["mu"] = trials["delta_out"] / np.sqrt(trials["group_size"])
    png, pdf = plot_success_vs_coherence(trials, tmp_path / "a.png", "mu")
    assert is_nonblank_png(png) and pdf.read_bytes().startswith(b"%PDF")
    png, _ = plot_rho_star(tolerated_coherence(trials, n_boot=10), tmp_path / "b.png")
    assert is_nonblank_png(png)
    with pytest.raises(ValueError, match="measure must be one of .*'delta_in'"):
        plot_success_vs_coherence(trials, tmp_path / "c.png", "delta_in")
