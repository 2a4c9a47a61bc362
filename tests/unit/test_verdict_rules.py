"""Every verdict rule on constructed inputs whose right answer is known."""

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from gsbench.analysis.incoherence import bound_section, coherence_scaling, tolerated_coherence
from gsbench.analysis.law_verdict import censoring, law_sections, paired_finding
from gsbench.analysis.laws import aicc, fit_laws, law_table, laws_for, power_wald_test
from gsbench.analysis.paired import paired_ratio, sign_test
from gsbench.analysis.transitions import transitions
from gsbench.verdict import (Finding, Section, control_multiplicity, holm_adjust, render_markdown,
                             summary_section)
from test_incoherence import synthetic_trials

GRID = [(p, g, s) for p in (128, 256, 512) for g in (1, 2, 4, 8) for s in (1, 2, 4, 8)
        if s * g <= p // 4]


def _table(method, law, cells=GRID, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for p, g, s in cells:
        n = law(s, g, p) * np.exp(noise * rng.standard_normal())
        rows.append({"method": method, "p": p, "group_size": g, "active_groups": s, "sigma": 0.0,
                     "design": "rademacher", "n_star": n, "n_star_low": 0.95 * n,
                     "n_star_high": 1.05 * n, "n_min": 8, "n_max": 512, "transition": "ok"})
    return pd.DataFrame(rows)


def _group_law(s, g, p):
    return 1.5 * s * g + 2.0 * s * np.log(np.e * (p / g) / s)


def _law_row(sections, method):
    (sec,) = [s for s in sections if s.title == "Which law explains n*"]
    (f,) = [f for f in sec.findings if f.statement.endswith(f" {method}")]
    return f


def test_n_star_drawn_exactly_from_the_group_law_names_it():
    trans = _table("m", _group_law)
    f = _law_row(law_sections(trans, law_table(trans, n_boot=20), n_boot=20), "m")
    assert f.verdict == "group (A s g + B s log(e L/s))"
    fits = fit_laws(trans["active_groups"], trans["group_size"], trans["p"], trans["n_star"], n_boot=0)
    np.testing.assert_allclose(fits["group"]["theta"], [1.5, 2.0], rtol=1e-6)


def test_two_laws_that_coincide_on_the_grid_are_not_separable():
    # With g = 1 only, A s g + B s log(e L/s) contains A k log(e p/k) (A = 0): the group law
    # reproduces entry-law data to within their noise.
    cells = [(p, 1, s) for p in (128, 256, 512) for s in (1, 2, 4, 8, 16)]
    trans = _table("m", lambda s, g, p: 2.0 * s * g * np.log(np.e * p / (s * g)), cells, noise=0.05)
    f = _law_row(law_sections(trans, law_table(trans, n_boot=0), n_boot=0), "m")
    assert "not separable on this grid from" in f.verdict and "group" in f.verdict.split("from")[1]


def test_aicc_and_the_joint_exponent_test():
    assert aicc(2.0, 10, 1) == pytest.approx(10 * np.log(0.2) + 4 + 12 / 7)
    assert aicc(2.0, 3, 1) == math.inf
    trans = _table("m", lambda s, g, p: 3.0 * s**2 * g, noise=0.05)
    args = [trans[c] for c in ("active_groups", "group_size", "p", "n_star")]
    assert power_wald_test(*args, 2.0, 1.0)[1] > 0.01
    assert power_wald_test(*args, 1.0, 1.0)[1] < 1e-10


def test_law_bootstrap_carries_each_cells_uncertainty_and_counts_failures():
    cells = [(256, g, s) for g in (1, 2, 4, 8) for s in (1, 2, 4, 8)]
    trans = _table("m", lambda s, g, p: 3.0 * s**2 * g, cells)
    args = [trans[c] for c in ("active_groups", "group_size", "p", "n_star")]
    laws = {k: v for k, v in laws_for(trans["p"]).items() if k in ("incoh_grp", "power")}
    tight = fit_laws(*args, n_boot=200, seed=1, laws=laws)
    wide = fit_laws(*args, n_boot=200, seed=1, log_sd=np.full(len(trans), 0.3), laws=laws)
    # Exact data: without cell uncertainty the interval of A has zero width; with it, not.
    a_t, a_w = tight["incoh_grp"]["params"]["A"], wide["incoh_grp"]["params"]["A"]
    assert a_t[2] - a_t[1] < 1e-9 < 0.1 < a_w[2] - a_w[1]
    few = fit_laws(*(a.iloc[:5] for a in args), n_boot=200, seed=1, laws=laws)
    assert few["power"]["boot_failed"] > 0  # resamples of 5 cells that miss a direction


def test_sign_test_and_paired_ratio_detect_a_known_shift():
    assert sign_test(8, 0) == pytest.approx(2 / 2**8)
    assert sign_test(3, 3) == 1.0
    assert sign_test(7, 2) == pytest.approx(2 * stats.binom.cdf(2, 9, 0.5))
    rng = np.random.default_rng(0)
    b = np.exp(rng.uniform(3, 6, 40))
    shifted = b * 1.2 * np.exp(0.05 * rng.standard_normal(40))
    r, lo, hi, m, up, down, p = paired_ratio(shifted, b, n_boot=500, seed=1)
    assert m == 40 and 1.0 < lo < 1.2 < hi < 1.3 and r == pytest.approx(1.2, rel=0.03)
    assert up > 35 and p < 1e-6
    same = b * np.exp(0.05 * rng.standard_normal(40))
    r0, lo0, hi0, *_ , p0 = paired_ratio(same, b, n_boot=500, seed=1)
    assert lo0 < 1 < hi0 and p0 > 0.05
    # Non-finite pairs are left out and counted.
    assert paired_ratio([1.0, np.nan, 2.0], [1.0, 1.0, 1.0], n_boot=0)[3] == 2
    with pytest.raises(ValueError, match=r"a and b must be 1-D of one shape, got \(2,\) and \(3,\)"):
        paired_ratio([1.0, 2.0], [1.0, 2.0, 3.0], n_boot=0)


def test_censored_cells_are_counted_not_dropped():
    a = _table("dglnn2", lambda s, g, p: 2.0 * s * g)
    b = _table("hadamard", lambda s, g, p: 3.0 * s * g)
    # Four of dglnn2's cells are below the grid: n* unknown, but below hadamard's.
    low = a.index[:4]
    a.loc[low, ["n_star", "n_star_low", "n_star_high"]] = np.nan
    a.loc[low, "transition"] = "below_grid"
    trans = pd.concat([a, b], ignore_index=True)
    cens = censoring(trans, "dglnn2")
    assert (cens["used"], cens["below_grid"], cens["cells"]) == (len(a) - 4, 4, len(a))
    f = paired_finding(trans, "dglnn2", "hadamard", "entrywise", n_boot=100, seed=0)
    assert f"{len(a) - 4} with both n* inside the grid, 4 with one side censored" in f.setting
    assert "below 1: 43 (+4 censored); sign test p: 1.42e-14" in f.measured_text()
    assert f.verdict == "dglnn2 needs fewer samples than hadamard"
    assert f.value == pytest.approx(2 / 3)
    law = _law_row(law_sections(trans, law_table(trans, n_boot=0), n_boot=0), "dglnn2")
    assert law.setting.startswith(f"{len(a) - 4} of {len(a)} cells used; censored: 4 below grid")


@pytest.mark.parametrize("b_true, verdict", [(0.1, "holds, not tight"), (1.0, "violated"),
                                             (0.5, "consistent with the bound")])
def test_the_sufficient_condition_is_judged_one_sided(b_true, verdict):
    truth = {("dglnn2", "scattered", s, g): 0.9 * s**-b_true for s in (1, 2, 4, 8) for g in (1, 2, 4)}
    trials = synthetic_trials(truth, trials=40)
    rho = tolerated_coherence(trials, n_boot=100, seed=0)
    fits = coherence_scaling(rho)
    (f,) = bound_section(rho, fits, {"dglnn2": "group"}).findings
    assert f.verdict == verdict
    assert "ρ* ≳ s^-0.5 g^-0" in f.statement
    assert math.isnan(f.p_value) == (verdict == "consistent with the bound")


def test_holm_adjustment_and_null_verdicts():
    assert holm_adjust([0.01, 0.04, 0.03, math.nan]) == pytest.approx([0.03, 0.06, 0.06, math.nan],
                                                                      nan_ok=True)
    sec = Section("S", [Finding(x, "", criterion="c", verdict="rejected", null_verdict="consistent",
                                p_value=p, claim="m: q", quantity=x)
                        for x, p in (("a", 0.01), ("b", 0.04), ("c", 0.03))]
                  + [Finding("d", "", verdict="fitted")])
    (out,), text = control_multiplicity([sec])
    assert [f.verdict for f in out.findings] == ["rejected", "consistent", "consistent", "fitted"]
    assert text.startswith("3 rows are decisive") and "keeps 1 decisive" in text
    assert "p = 0.04, Holm-adjusted 0.06" in out.findings[1].criterion


def test_every_summary_line_says_what_its_rows_say(tmp_path):
    from gsbench.rules import verdict_laws_stage, verdict_stage

    trans = pd.concat([
        _table("dglnn2", lambda s, g, p: 3.0 * s**2 * g, noise=0.05, seed=1),
        _table("hadamard", lambda s, g, p: 2.0 * s * g * np.log(np.e * p / (s * g)), noise=0.05),
        _table("group_lasso", _group_law, noise=0.05, seed=2),
    ], ignore_index=True)
    trans.to_csv(tmp_path / "t.csv", index=False)
    config = {"study": "unit", "bootstrap": 10}
    verdict_laws_stage(config, str(tmp_path / "t.csv"), str(tmp_path / "laws.csv"),
                       str(tmp_path / "s.json"))
    verdict_stage(config, [str(tmp_path / "s.json")], str(tmp_path / "verdict.md"))
    text = (tmp_path / "verdict.md").read_text()
    assert text.index("## Summary") < text.index("## Regime") < text.index("## Which law")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    verdicts = {line.rsplit(" | ", 1)[1].rstrip(" |") for line in rows}
    lines = [line for line in text.split("## Regime")[0].splitlines() if line.startswith("- **")]
    assert len(lines) == 7  # law and exponent lines of three methods, one paired line
    for line in lines:
        claim, body = re.match(r"- \*\*(.+?)\*\*: (.*)", line).groups()
        for part in body.split(" · "):
            label, verdict = part.split(": ", 1)
            assert verdict in verdicts, (claim, part)
    # And the same from the sections themselves, after multiplicity control.
    from gsbench.verdict import read_sections

    sections, _ = control_multiplicity(read_sections(tmp_path / "s.json"))
    summary = summary_section(sections).text
    for sec in sections:
        for f in sec.findings:
            if f.claim:
                assert f"{f.quantity}: {f.verdict}" in summary
    assert render_markdown([summary_section(sections)]).count("- **") == len(lines)


@pytest.mark.slow
def test_a_method_held_back_by_its_budget_is_flagged():
    """u∘u − v∘v at max_iter 500 on the default grid's hardest cell (p 256, g 4, s 8): with
    twice the budget its n* moves into the grid; the verdict says budget-limited."""
    from gsbench.analysis.budget import budget_check
    from gsbench.analysis.law_verdict import _budget_findings, budget_flags
    from gsbench.analysis.transitions import transitions
    from gsbench.study.cells import Cell
    from gsbench.study.chunks import cell_rows
    from gsbench.study.config import load_config
    config = load_config(Path(__file__).resolve().parents[2] / "config" / "config.yaml")
    config.update(methods={"hadamard": {"max_iter": 500}}, trials=8)
    trials = pd.concat([cell_rows(config, "hadamard", Cell(256, 4, 8, n, 0.0, "rademacher"))
                        for n in (128, 192, 256)], ignore_index=True)
    trans = transitions(trials, n_boot=50)
    table = budget_check(config, trials, trans)
    budget = table[table["check"] == "budget"].iloc[0]
    assert budget["budget_ended_before"] == 1.0 and bool(budget["moved"])
    (f,) = _budget_findings(table)
    assert f.verdict.startswith("budget-limited")
    assert budget_flags(table) == {"hadamard": f"{f.verdict} (Budget check)"}


def test_success_definitions_are_recomputed_from_the_trials():
    """Errors that reach 0.05 from n = 40 but 0.001 only from n = 80: the stricter
    threshold doubles n*, read from the same trials without refitting."""
    from gsbench.rules import SUCCESS_VARIANTS, success_variants

    rows = []
    for s in (1, 2, 4):
        for n in (10, 20, 30, 50, 70, 90, 120):
            for t in range(6):
                err = 0.01 if n >= 40 else 0.5
                rows.append({"method": "m", "p": 256, "group_size": 4, "active_groups": s,
                             "sigma": 0.0, "design": "rademacher", "n": n, "status": "ok",
                             "rel_error_oracle": err / 20 if n >= 80 else err,
                             "rel_error_validation": err, "rel_error_final": err})
    trials = pd.DataFrame(rows)
    config = {"success": {"metric": "rel_error_oracle", "threshold": 0.05}}
    variants = success_variants(config, trials)
    assert set(variants) == set(SUCCESS_VARIANTS) - {"oracle error ≤ 0.05"}
    base = transitions(trials, n_boot=0).set_index("active_groups")["n_star"]
    strict = variants["oracle error ≤ 0.001"].set_index("active_groups")["n_star"]
    assert ((strict / base).between(1.5, 2.5)).all()
    findings = law_sections(variants["validation-stopped error ≤ 0.05"].assign(n_min=10, n_max=120),
                            pd.DataFrame(columns=["method", "law", "param"]), n_boot=0,
                            variants=variants)
    (sec,) = [x for x in findings if x.title == "Success definitions side by side"]
    ratio = {f.quantity: f.value for f in sec.findings}
    assert ratio["oracle error ≤ 0.001"] == pytest.approx(float(np.exp(np.log(strict / base).mean())),
                                                          rel=1e-9)


def test_budget_verdict_is_directional():
    """Held back only when n* falls below its interval; a rise is sensitivity, not a limit."""
    from gsbench.analysis.law_verdict import _budget_verdict

    row = dict(method="m", transition="ok", transition_check="ok", n_star=100.0, n_star_low=90.0,
               n_star_high=110.0, budget_ended_before=0.8, budget_ended_after=0.1)
    table = pd.DataFrame([{**row, "check": "budget", "n_star_check": 80.0, "direction": "down",
                           "moved": True},
                          {**row, "check": "alpha", "n_star_check": 120.0, "direction": "up",
                           "moved": False}])
    assert _budget_verdict(table) == "budget-limited"
    table.loc[0, ["n_star_check", "direction", "moved"]] = [95.0, "none", False]
    assert _budget_verdict(table) == (
        "not limited on the checked cells; n* rises beyond its interval with the alpha check "
        "(alpha-sensitive); but n* falls within its interval with the budget in every checked "
        "cell while most fits end by the budget")
