"""Each claim's rule on constructed inputs with a known answer: the verdict must follow the
logical form of the statement (equivalence, upper bound, conjecture, limit theorem,
monotone effect), not merely an interval that meets a band."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gsbench.claims.dglnn_rate import bound_status, log_log_fit, upper_bound_verdict
from gsbench.claims.depth_range import depth_ranges, working_range
from gsbench.claims.implicit_bias import budget_cut, verdict_against_alpha
from gsbench.claims.min_group_l12 import limit_verdict
from gsbench.claims.recovery_rate import combine, equivalence, model_verdict, n_star_frame

# -- claim 5: equivalence within +-25% ---------------------------------------------------


def test_a_wide_interval_meeting_the_band_is_not_agreement():
    # 1.32 [1.15, 1.43] meets the band [0.75, 1.25] but is not inside it: inconclusive
    assert equivalence(1.15, 1.43, 0.25) == "meets"
    assert model_verdict("meets", "n/a") == "inconclusive"
    assert equivalence(0.5, 1.5, 0.25) == "meets"  # wider still: no easier to agree
    assert equivalence(0.9, 1.2, 0.25) == "inside" and model_verdict("inside", "n/a") == "agrees"
    assert equivalence(1.3, 1.5, 0.25) == "outside" and model_verdict("outside", "n/a") == "disagrees"
    # the paired ratio to basis pursuit inside the band is enough; one outside and one
    # meeting is not a refutation
    assert model_verdict("meets", "inside") == "agrees"
    assert model_verdict("outside", "meets") == "inconclusive"
    assert model_verdict("outside", "outside") == "disagrees"
    assert equivalence(math.nan, 1.0, 0.25) == "n/a" and model_verdict("n/a", "n/a") == "inconclusive"
    assert combine({"a": "agrees", "b": "agrees"}) == "agrees"
    assert combine({"a": "agrees", "b": "disagrees"}) == "partly"
    assert combine({"a": "inconclusive", "b": "disagrees"}) == "disagrees"
    assert combine({"a": "inconclusive", "b": "inconclusive"}) == "inconclusive"


def _rate_trials(success_from: dict[str, int], ns, trials=4, stuck_from=None):
    rows = []
    for method, n0 in success_from.items():
        for n in ns:
            for t in range(trials):
                interp = not (stuck_from is not None and method == "m" and n >= stuck_from)
                rows.append({"method": method, "n": n, "trial": t, "status": "ok", "interpolated": interp,
                             "rel_error_final": 0.01 if n >= n0 + t % 2 * 0 else 0.5})
    return pd.DataFrame(rows)


def test_n_star_is_the_studys_and_non_interpolating_trials_fail():
    prob = {"p": 100, "group_size": 1, "active_groups": 5}
    ns = [10, 20, 30, 40]
    trials = _rate_trials({"m": 30, "basis_pursuit": 30}, ns)
    table = n_star_frame(trials, prob, 0.05, 50, 0).set_index("label")
    # separated rates: the study's logistic n* lies between the last failing and first
    # succeeding n, its interval widened to that grid gap
    for label in ("m", "basis_pursuit"):
        assert 20 < table.loc[label, "n_star"] < 30
        assert table.loc[label, "n_star_low"] <= 20 and table.loc[label, "n_star_high"] >= 30
    # the same small errors, but the final iterates stop interpolating from n = 30 on:
    # they count as failures, so the model never reaches 50% (n* above the grid)
    stuck = _rate_trials({"m": 30, "basis_pursuit": 30}, ns, stuck_from=30)
    table = n_star_frame(stuck, prob, 0.05, 50, 0).set_index("label")
    assert table.loc["m", "transition"] == "above_grid" and math.isnan(table.loc["m", "n_star"])
    units = n_star_frame(trials, prob, 0.05, 0, 0, per_unit=True)
    assert sorted(units["unit"].unique()) == [0, 1, 2, 3] and set(units["label"]) == {"m", "basis_pursuit"}


# -- claim 6: upper bound ------------------------------------------------------------------


def test_an_exponent_above_the_bound_gives_partly():
    # an s exponent of 1.34 [1.17, 1.51] above the bound 1 on one of four settings: partly
    assert bound_status(1.17, 1.51, 1.0, 0.25) == "above"
    assert upper_bound_verdict(["within", "within", "above", "within"]) == "partly"
    # below the bound is no contradiction of an upper bound: n exponent -1.6 [-1.9, -1.3]
    assert bound_status(-1.9, -1.3, -1.0, 0.25) == "within"
    assert upper_bound_verdict(["within"] * 4) == "agrees"
    assert upper_bound_verdict(["above"] * 4) == "disagrees"
    # an interval reaching past bound + tol without lying above it decides nothing
    assert bound_status(0.8, 1.6, 1.0, 0.25) == "undetermined"
    assert upper_bound_verdict(["within", "undetermined"]) == "inconclusive"
    assert bound_status(math.nan, math.nan, 1.0, 0.25) == "undetermined"


def test_log_log_fit_recovers_a_power_law_with_its_diagnostics():
    values = np.array([1.0, 2.0, 4.0, 8.0])
    f = pd.DataFrame({"value": np.repeat(values, 3), "converged": True,
                      "sq_error_validation": np.repeat(3.0 * values**-1.5, 3)})
    slope, points, resid = log_log_fit(f)
    assert slope == pytest.approx(-1.5) and points == 4 and resid == pytest.approx(0.0, abs=1e-12)
    f.loc[f["value"] == 8.0, "sq_error_validation"] *= math.e  # one point off by 1 in log
    assert log_log_fit(f)[2] == pytest.approx(0.4)  # OLS residuals of e_4: (I - H) e_4, largest 0.4
    f["converged"] = f["value"] == 1.0  # one usable point: no slope
    assert math.isnan(log_log_fit(f)[0]) and log_log_fit(f)[1] == 1


# -- claim 7: a conjecture, refuted only by a converged counter-example -----------------------


def _limit_rows(ratios: dict[float, float], converged: dict[float, float] | None = None, trials=12, spread=0.002):
    rows = []
    for a, r in ratios.items():
        frac = 1.0 if converged is None else converged.get(a, 1.0)
        for t in range(trials):
            rows.append({"trial": t, "alpha": a, "ratio": r + spread * (t - trials / 2) / trials,
                         "converged": t < round(frac * trials)})
    return pd.DataFrame(rows)


def test_limit_rule_on_constructed_alpha_sequences():
    kw = dict(tol=0.01, min_converged=0.75, n_boot=40, seed=0)
    flat = _limit_rows({1e-2: 1.10, 1e-3: 1.10, 1e-4: 1.10})
    assert limit_verdict(flat, **kw)[0] == "disagrees"
    falling = _limit_rows({1e-2: 1.30, 1e-3: 1.20, 1e-4: 1.10})
    assert limit_verdict(falling, **kw)[0] == "inconclusive"
    reached = _limit_rows({1e-2: 1.10, 1e-3: 1.02, 1e-4: 1.001})
    assert limit_verdict(reached, **kw)[0] == "agrees"
    # a flat sequence whose small alphas did not converge: not a counter-example
    unconverged = _limit_rows({1e-2: 1.10, 1e-3: 1.10, 1e-4: 1.10}, converged={1e-3: 0.5, 1e-4: 0.0})
    verdict, reason, _, counted = limit_verdict(unconverged, **kw)
    assert verdict == "inconclusive" and counted == [1e-2] and "did not converge" in reason
    # the smallest alphas unconverged: judged on the two smallest converged ones
    verdict, _, _, counted = limit_verdict(_limit_rows({1e-1: 1.1, 1e-2: 1.1, 1e-3: 1.1}, converged={1e-3: 0.2}), **kw)
    assert verdict == "disagrees" and counted == [1e-1, 1e-2]


# -- claim 4: a depth whose alpha range the budget cuts is not judged -------------------------


def _family(fam, alphas, usable, ratio, distance):
    rows = []
    for a in alphas:
        for t in range(8):
            rows.append({"family": fam, "trial": t, "alpha": a, "interpolated": a in usable, "status": "ok",
                         "train_residual": 1e-6, "norm_ratio": ratio(a) + 1e-4 * t,
                         "distance": distance(a) + 1e-3 * t})
    return pd.DataFrame(rows)


def test_budget_cut_depth_reads_inconclusive_and_is_not_judged():
    alphas = [0.3, 0.1, 0.01, 1e-4]
    good = _family("N=2", alphas, set(alphas), lambda a: 1 + 0.01 * a, lambda a: a)
    cut = _family("N=3", alphas, {0.3, 0.1}, lambda a: 1.02, lambda a: 0.3)
    assert budget_cut(cut, [0.1, 0.3]) and not budget_cut(good, sorted(alphas))
    crit = {"ratio": 0.01, "min_converged": 0.75}
    _, verdict, reason = verdict_against_alpha(pd.concat([good, cut]), ["N=2", "N=3"], crit, 30, 0)
    assert verdict == "agrees" and "N=3: inconclusive (budget)" in reason and "judged: 1 of 2" in reason
    _, verdict, _ = verdict_against_alpha(cut, ["N=3"], crit, 30, 0)
    assert verdict == "inconclusive"


# -- claim 1: one absolute standard for all depths ------------------------------------------


def test_a_uniformly_worse_depth_cannot_look_wider():
    alphas = [1e-3, 1e-2, 1e-1]
    rows = []
    for depth, errors in ((2, [0.10, 0.12, 0.30]), (3, [0.40, 0.41, 0.42])):  # depth 3: flat but 4x worse
        for a, e in zip(alphas, errors):
            for t in range(4):
                rows.append({"depth": depth, "alpha": a, "trial": t, "status": "ok", "val_settled": True,
                             "rel_error_validation": e})
    sub = pd.DataFrame(rows)
    _, ranges, ref = depth_ranges(sub, [2, 3], 0.75, 1.5)
    assert ref == pytest.approx(0.10)
    assert ranges[2]["range"] == pytest.approx(1.0) and ranges[3]["range"] == 0.0
    # against its own best, the worse depth would have looked 2 decades wide
    from gsbench.claims.depth_range import alpha_table

    assert working_range(alpha_table(sub[sub["depth"] == 3], 0.75), 1.5)["range"] == pytest.approx(2.0)


# -- figures: the study's plotting base, byte-reproducible -------------------------------------


def test_claim_figures_are_byte_reproducible(tmp_path):
    from gsbench.claims.plotting import band, figure, log_scale

    def draw(path):
        with figure(path, 2, "title", 80) as (fig, axes):
            band(axes[0], [1e-3, 1e-2, 1e-1], [0.1, 0.2, 0.4], [0.05, 0.1, 0.3], [0.2, 0.3, 0.5], "x")
            log_scale(axes[0], "x")
        return path.read_bytes(), path.with_suffix(".pdf").read_bytes()

    first, second = draw(tmp_path / "a.png"), draw(tmp_path / "b.png")
    assert first == second and first[0][:8] == b"\x89PNG\r\n\x1a\n"
