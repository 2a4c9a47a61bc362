r"""Verdict sections on the critical sample size n*: the regime, the law that explains it, the
1/s exponents, paired comparisons, convex limits (context), success definitions, budgets.

Every row states the cells it used and the cells it could not use (censored: n* below or
above the grid, or no transition).  Rows whose verdict rests on a test carry its p-value,
which :func:`gsbench.verdict.control_multiplicity` adjusts over the whole document (Holm).
The rules, in words and in logical form, are in ``docs/verdict_rules.md``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from ..verdict import Finding, Measure, Section, interval_side
from .intervals import format_interval
from .laws import (fit_laws, implied_power_exponents, law_distances, power_wald_test,
                   usable_transitions)
from .paired import paired_ratio, sign_test
from .references import add_references, median_ratio

__all__ = ["law_sections", "regime_text", "censoring", "paired_finding", "law_finding",
           "exponent_findings", "paired_pairs", "LEVEL"]

#: Level of every test before multiplicity control.
LEVEL = 0.05
#: Grid-edge labels of transitions.csv that censor n*.
_CENSORED = ("below_grid", "above_grid", "not_monotone", "all_failed")


def regime_text(n_max: float, s_values) -> str:
    """Why no cell of a grid is in Theorem 3's regime, with the grid's own numbers."""
    s_min = int(min(s_values)) if len(s_values) else 1
    need = (120 * s_min) ** 2
    return (f"Theorem 3 (DGLNN paper, Assumption 1) asks for δ_out ≤ (u*_min/u*_max)²/(120 s) ≤ "
            f"1/(120 s). Two columns of different groups of an n-row Rademacher or Gaussian "
            f"design have |⟨x_i, x_j⟩|/n of standard deviation 1/√n, and δ_out is at least the "
            f"largest of them, so even one pair at one standard deviation needs n ≥ (120 s)² = "
            f"{need:,} at s = {s_min}; the largest n of this grid is {n_max:g}. No cell reaches "
            f"the theorem's constants: the rows below test *scaling readings* of it (δ_out ≲ 1/s "
            f"as n* ∝ s²g, or as ρ* ∝ s^-1/2 for decoys), not the theorem itself.")


def censoring(transitions_df: pd.DataFrame, method: str) -> dict[str, int]:
    """Cell counts of one method: ``used`` (n* inside the grid) and each censoring label."""
    sub = transitions_df[transitions_df["method"] == method]
    counts = sub["transition"].astype(str).value_counts().to_dict()
    used = len(usable_transitions(sub))
    out = {"cells": int(len(sub)), "used": int(used)}
    out.update({k: int(counts.get(k, 0)) for k in _CENSORED})
    unequal = pd.to_numeric(sub["group_size"], errors="coerce") < 1
    out["unequal"] = int((unequal & (sub["transition"].astype(str) == "ok")).sum())
    return out


def _censor_text(c: dict[str, int]) -> str:
    cens = [f"{c[k]} {k.replace('_', ' ')}" for k in _CENSORED if c.get(k)]
    unequal = (f"; {c['unequal']} with n* on a real design's unequal groups (not fitted by the "
               "laws in s·g)") if c.get("unequal") else ""
    return (f"{c['used']} of {c['cells']} cells used; censored: "
            f"{', '.join(cens) if cens else 'none'}{unequal}")


def _values(series) -> str:
    vals = sorted(pd.unique(series))
    return "{" + ", ".join(f"{v:g}" for v in vals) + "}"


def _setting(sub: pd.DataFrame, cens: dict) -> str:
    return (f"{_censor_text(cens)}; p ∈ {_values(sub['p'])}, g ∈ {_values(sub['group_size'])}, "
            f"s ∈ {_values(sub['active_groups'])}{_real_designs(sub)}")


def _real_designs(sub: pd.DataFrame) -> str:
    """``; real designs: <name> (L groups of sizes a–b), ...`` for the rows of real designs
    (:mod:`gsbench.study.grid_designs`; g = 0 marks their unequal groups), else empty."""
    if "group_sizes" not in sub.columns:
        return ""
    real = sub[sub["group_sizes"].fillna("").astype(str) != ""].drop_duplicates("design")
    names = []
    for design, sizes in zip(real["design"], real["group_sizes"]):
        sz = json.loads(sizes)
        names.append(f"{design} ({len(sz)} groups of sizes {min(sz)}–{max(sz)}, p = {sum(sz)})")
    return f"; real designs (g = 0: unequal groups): {', '.join(names)}" if names else ""


def law_finding(method: str, sub: pd.DataFrame, setting: str, fits: dict) -> tuple[Finding, str]:
    r"""Which law explains n*: the lowest AICc, with every law whose fitted log n* lies within
    the best law's residual SD of it (RMS over the cells) named "not separable on this grid".
    Returns the finding and the law it names."""
    order = sorted(fits, key=lambda k: (fits[k]["aicc"], fits[k]["aic"]))
    best = order[0]
    fb = fits[best]
    m, q = fb["n_cells"], fb["n_params"]
    resid_sd = math.sqrt(fb["rss"] / (m - q)) if m > q else math.nan
    dist = law_distances(fits)
    d_best = {o: dist.get((best, o), dist.get((o, best))) for o in order[1:]}
    close = [o for o in order[1:] if math.isfinite(resid_sd) and d_best[o] < resid_sd]
    gap = fits[order[1]]["aicc"] - fb["aicc"] if len(order) > 1 else math.nan
    name = f"{best} ({fb['formula']})"
    if len(order) == 1:
        verdict = f"{name}, the only law these cells identify"
    elif close:
        verdict = f"{name}; not separable on this grid from {', '.join(close)}"
    elif not gap > 2:
        verdict = f"{name}; not distinguishable from {order[1]} (ΔAICc ≤ 2)"
    else:
        verdict = name
    dist_text = ", ".join(f"{o} {d_best[o]:.3g}" for o in order[1:])
    measured = (f"ΔAICc to {order[1] if len(order) > 1 else '-'}: {gap:.3g}; residual SD "
                f"{resid_sd:.3g}; RMS distance of log n* to {best}: {dist_text}; LOO RMSE "
                f"{fb['loo_rmse']:.3g}; failed bootstrap replicates {fb['boot_failed']}")
    return Finding(
        statement=f"which law explains n* of {method}", setting=setting, value=measured,
        criterion=("lowest AICc of the laws fitted on log n*; a law whose predictions lie "
                   "within the best law's residual SD of it (RMS over the cells) is not "
                   "separable on this grid; ΔAICc ≤ 2 is not a difference"),
        verdict=verdict, claim=f"{method}: law of n*", quantity="law",
    ), best


def exponent_findings(method: str, sub: pd.DataFrame, setting: str, fits: dict) -> list[Finding]:
    r"""Joint Wald tests of the free power law's (b, c) against each reading: (2, 1) for
    Theorem 3's n* ∝ s²g, (1, 1) for a law of k = s g alone, and the (b, c) the fitted group
    and entry laws imply on the same cells."""
    s, g, p, n = (sub[c].to_numpy(float) for c in ("active_groups", "group_size", "p", "n_star"))
    if "power" not in fits:
        return []
    b_hat, c_hat = fits["power"]["theta"][1:3]
    hyps = [("s²g (Theorem 3 reading)", 2.0, 1.0), ("k alone (n ∝ s g)", 1.0, 1.0)]
    for law in ("group", "entry"):
        if law in fits:
            b0, c0 = implied_power_exponents(fits[law]["fitted"], s, g, p)
            hyps.append((f"{law} law as fitted", b0, c0))
    out = []
    for label, b0, c0 in hyps:
        f_stat, p_val, dof = power_wald_test(s, g, p, n, b0, c0)
        if not math.isfinite(p_val):
            continue
        verdict = "rejected" if p_val <= LEVEL else "consistent"
        out.append(Finding(
            statement=f"(b, c) of log n* = a + b log s + c log g for {method} equals {label}",
            setting=setting, value=f"(b, c) = ({b_hat:.3g}, {c_hat:.3g}) against "
                                   f"({b0:.3g}, {c0:.3g}); F = {f_stat:.3g} on (2, {dof:g})",
            criterion=f"joint Wald F test of (b, c); rejected when p ≤ {LEVEL:g}",
            verdict=verdict, null_verdict="consistent", p_value=p_val,
            claim=f"{method}: 1/s exponents (b, c)", quantity=label,
        ))
    return out


def paired_pairs(methods) -> list[tuple[str, str, str]]:
    """(method, reference, role) pairs the study compares: each DGLNN variant against its
    entrywise counterpart (u∘u − v∘v, ``hadamard``) and against the measured convex group
    program (``group_bp`` where present, else ``group_lasso``)."""
    methods = list(methods)
    convex = "group_bp" if "group_bp" in methods else ("group_lasso" if "group_lasso" in methods
                                                          else None)
    out = []
    for m in sorted(x for x in methods if str(x).startswith("dglnn")):
        if "hadamard" in methods:
            out.append((m, "hadamard", "entrywise counterpart (the paper's claim)"))
        if convex:
            out.append((m, convex, "measured convex group program"))
    return out


def _side(row) -> int:
    """-1 below the grid, +1 above it, 0 inside, None unknown."""
    label = row["transition"]
    return {"ok": 0, "below_grid": -1, "above_grid": 1}.get(label)


def paired_finding(trans: pd.DataFrame, a: str, b: str, role: str, *, n_boot: int, seed: int,
                   flagged: dict[str, str] | None = None) -> Finding:
    """n*(a)/n*(b) on the common cells: geometric-mean ratio with its paired bootstrap
    interval, and a sign test that also counts the cells where one side is censored and the
    direction is known (below the grid on one side, inside or above on the other)."""
    keys = ["p", "group_size", "active_groups", "sigma", "design"]
    left = trans[trans["method"] == a].set_index(keys)
    right = trans[trans["method"] == b].set_index(keys)
    common = left.index.intersection(right.index)
    la, rb = left.loc[common], right.loc[common]
    ratio, lo, hi, m, up, down, _ = paired_ratio(la["n_star"].to_numpy(float),
                                                 rb["n_star"].to_numpy(float),
                                                 n_boot=n_boot, seed=seed)
    c_up = c_down = unknown = 0
    for (_, ra), (_, rr) in zip(la.iterrows(), rb.iterrows()):
        sa, sb = _side(ra), _side(rr)
        if sa == 0 and sb == 0:
            continue
        if sa is None or sb is None or sa == sb:
            unknown += 1
        elif sa < sb:
            c_down += 1
        else:
            c_up += 1
    p_sign = sign_test(up + c_up, down + c_down)
    side = interval_side(lo, hi, 1.0) if m and p_sign <= LEVEL else "none"
    verdict = {"below": f"{a} needs fewer samples than {b}",
               "above": f"{a} needs more samples than {b}"}.get(side, "no difference shown")
    null = "no difference shown"
    notes = [f"{x}'s n* is {flagged[x]}" for x in (a, b) if flagged and x in flagged]
    if notes:
        verdict += f" (caveat: {'; '.join(notes)})"
        null += f" (caveat: {'; '.join(notes)})"
    return Finding(
        statement=f"n* of {a} / n* of {b} ({role})",
        setting=(f"{len(common)} common cells: {m} with both n* inside the grid, "
                 f"{c_up + c_down} with one side censored and a known direction, "
                 f"{unknown} censored on both sides or unknown (left out)"),
        value=ratio, low=lo, high=hi,
        measured=[Measure("geometric-mean ratio", ratio, lo, hi),
                  Measure(f"cells above 1: {up} (+{c_up} censored), below 1: {down} "
                          f"(+{c_down} censored); sign test p", p_sign)],
        criterion=("direction stated when the paired bootstrap interval (pairs resampled) "
                   f"excludes 1 and the exact two-sided sign test gives p ≤ {LEVEL:g}"),
        verdict=verdict, null_verdict=null, p_value=p_sign,
        claim=f"{a}: paired n*", quantity=f"vs {b}",
    )


def _ratio_finding(method, setting, ratios, name, n_boot, seed) -> Finding:
    med, lo, hi, _m = median_ratio(ratios, n_boot=n_boot, seed=seed)
    verdict = {"none": "no interval", "below": f"context: below the {name} reference",
               "above": f"context: above the {name} reference",
               "contains": f"context: at the {name} reference (interval contains 1)"}[
        interval_side(lo, hi, 1.0)]
    return Finding(
        statement=f"median n*/D_{'ℓ1' if name == 'ℓ1' else 'group'} of {method}",
        setting=setting, value=med, low=lo, high=hi,
        criterion=("context, not a test of a method against a measured program: D is the "
                   "statistical dimension at which the noiseless convex program's exact "
                   "recovery switches on, while n* uses a 0.05 relative error"),
        verdict=verdict,
    )


def _constant_findings(method, setting, laws: pd.DataFrame, law: str) -> list[Finding]:
    rows = laws[(laws["law"] == law) & (laws["param"] != "b/c")]
    return [
        Finding(statement=f"{r['param']} of the {r['law']} law ({r['formula']}) for {method}",
                setting=setting, value=float(r["estimate"]), low=float(r["low"]),
                high=float(r["high"]),
                criterion=("least squares on log n*; bootstrap of cells with each cell's n* "
                           "drawn from its own interval"),
                verdict="fitted")
        for _, r in rows.iterrows()
    ]


def _fits(sub: pd.DataFrame) -> dict:
    return fit_laws(sub["active_groups"], sub["group_size"], sub["p"], sub["n_star"], n_boot=0)


def _best_law(sub: pd.DataFrame) -> str:
    fits = _fits(sub) if len(sub) else {}
    return min(fits, key=lambda k: fits[k]["aicc"]) if fits else "no law (too few cells inside the grid)"


def _variant_findings(base: pd.DataFrame, variants: dict[str, pd.DataFrame], methods,
                      pairs, *, n_boot: int, seed: int) -> list[Finding]:
    """Per method and success definition: n* relative to the study's definition on common
    cells, and which conclusions (law named, paired directions) change."""
    keys = ["p", "group_size", "active_groups", "sigma", "design"]
    out = []
    base_law = {m: _best_law(usable_transitions(base[base["method"] == m])) for m in methods}
    base_pair = {(a, b): paired_finding(base, a, b, "", n_boot=n_boot, seed=seed).verdict
                 for a, b, _ in pairs}
    for name, var in variants.items():
        for m in methods:
            cens = censoring(var, m)
            v = var[var["method"] == m].set_index(keys)["n_star"]
            b = base[base["method"] == m].set_index(keys)["n_star"]
            common = v.index.intersection(b.index)
            r, lo, hi, k, *_ = paired_ratio(v.loc[common].to_numpy(float),
                                            b.loc[common].to_numpy(float), n_boot=n_boot,
                                            seed=seed)
            law = _best_law(usable_transitions(var[var["method"] == m]))
            changes = []
            if law != base_law[m]:
                changes.append(f"law {base_law[m]} → {law}")
            for a, bb, _ in pairs:
                if a != m:
                    continue
                new = paired_finding(var, a, bb, "", n_boot=n_boot, seed=seed).verdict
                if new != base_pair[(a, bb)]:
                    changes.append(f"vs {bb}: '{base_pair[(a, bb)]}' → '{new}'")
            out.append(Finding(
                statement=f"{m} with success = {name}",
                setting=f"{_censor_text(cens)}; ratio on {k} cells inside the grid under both",
                value=r, low=lo, high=hi,
                criterion=("n* under this definition / n* under the study's, geometric mean "
                           "over common cells (paired bootstrap); the law named and the paired "
                           "verdicts recomputed, before multiplicity control"),
                verdict=("changes: " + "; ".join(changes)) if changes else "same conclusions",
                claim=f"{m}: success definitions", quantity=name,
            ))
    return out


_NOT_LIMITED = "not limited on the checked cells"


def _budget_verdict(sub: pd.DataFrame) -> str:
    """"budget-limited" / "α-limited" when a check moves n* below its interval; otherwise
    "not limited ...", with what the numbers still show: n* rising beyond its interval
    (sensitive), or falling within it in every checked cell while most fits end by budget."""
    moved = sub[sub["moved"].astype(bool)]
    kinds = [k for k in ("budget", "alpha") if (moved["check"] == k).any()]
    if kinds:
        return " and ".join({"budget": "budget-limited", "alpha": "α-limited"}[k] for k in kinds)
    notes = []
    up = sub[sub["direction"] == "up"]["check"].unique() if "direction" in sub else []
    for k in up:
        notes.append(f"n* rises beyond its interval with the {k} check ({k}-sensitive)")
    ok = sub[(sub["transition"] == "ok") & (sub["transition_check"] == "ok")]
    budget = ok[ok["check"] == "budget"]
    if len(budget) and (budget["n_star_check"] < budget["n_star"]).all() and (
            budget["budget_ended_before"] >= 0.5).all():
        notes.append("but n* falls within its interval with the budget in every checked cell "
                     "while most fits end by the budget")
    return _NOT_LIMITED + (f"; {'; '.join(notes)}" if notes else "")


def _n_cells(sub: pd.DataFrame, label: str) -> int:
    return int(sub[sub["transition"] == label][["p", "group_size", "active_groups"]]
               .drop_duplicates().shape[0])


def _budget_findings(budget: pd.DataFrame) -> list[Finding]:
    out = []
    for method, sub in budget.groupby("method", sort=True):
        def cell(r):
            before = ("no transition" if r.transition != "ok" else
                      format_interval(r.n_star, r.n_star_low, r.n_star_high, ".4g"))
            after = f"{r.n_star_check:.4g}" if r.transition_check == "ok" else r.transition_check
            return (f"{r.check}, g={int(r.group_size)}, s={int(r.active_groups)}: {before} → "
                    f"{after} (ended by budget {r.budget_ended_before:.0%} → "
                    f"{r.budget_ended_after:.0%})")

        changes = "; ".join(dict.fromkeys(f"{r.check}: {r.change}" for r in sub.itertuples()))
        out.append(Finding(
            statement=f"n* of {method} does not move with a larger budget or a smaller α",
            setting=(f"{_n_cells(sub, 'ok')} cells with the largest n*, {_n_cells(sub, 'above_grid')} "
                     f"above the grid, "
                     f"{int(sub['trials'].iloc[0])} trials at each bracketing n; {changes}"),
            value="; ".join(cell(r) for r in sub.itertuples()),
            criterion=("flagged when the refitted n* (refitted n's replacing the study's) lies "
                       "below the study's 95% interval of n*, or a cell above the grid gets a "
                       "transition"),
            verdict=_budget_verdict(sub), claim=f"{method}: budget", quantity="budget check",
        ))
    return out


def budget_flags(budget: pd.DataFrame | None) -> dict[str, str]:
    """Methods the budget check flags -> the caveat paired rows print."""
    if budget is None or budget.empty:
        return {}
    out = {}
    for method, sub in budget.groupby("method"):
        verdict = _budget_verdict(sub)
        if not verdict.startswith(_NOT_LIMITED):
            out[method] = f"{verdict} (Budget check)"
    return out


def _noise_findings(noise: pd.DataFrame) -> list[Finding]:
    """One row per method of the gradient-noise check (:mod:`.noise_spread`): the spread of
    log n* across noisy replicates against the binomial part, and which dominates."""
    from .noise_spread import noise_factors

    widened = noise_factors(noise)
    out = []
    for method, sub in noise.groupby("method", sort=True):
        r = sub.iloc[0]
        cells = "; ".join(
            f"p={c.p} g={c.group_size} s={c.active_groups}: n* {c.n_star:.4g}, replicates "
            f"{', '.join(f'{v:.4g}' for v in json.loads(c.n_star_replicates))}"
            + (f" ({c.replicates_off_grid} at the grid's edge)" if c.replicates_off_grid else "")
            for c in sub.itertuples())
        sd_noise = float(np.median(sub["sd_log_noise"]))
        sd_binom = float(np.median(sub["sd_log_binomial"]))
        verdict = (f"gradient noise dominates: every n* interval of {method} widened "
                   f"(SD {widened[method]:.3g} in log n* added in quadrature) before the law fits"
                   if method in widened else "the binomial part dominates: intervals as estimated")
        out.append(Finding(
            statement=f"n* of {method} under gradient noise of relative size {r.eps:.0e}",
            setting=(f"{len(sub)} cells nearest the top of the grid, trials refitted at n = "
                     f"{', '.join(sorted(set(sub['refit_n'])))}, {int(r.replicates)} replicates: "
                     f"{cells}"),
            measured=[Measure("SD of log n* across replicates (median over cells)", sd_noise),
                      Measure("binomial SD of log n* (from the study's interval)", sd_binom),
                      Measure("refitted trials whose success flips",
                              float(np.mean(sub["flipped"])))],
            criterion=("the gradient-noise part dominates when the median ratio of the two "
                       "SDs over the checked cells exceeds 1"),
            verdict=verdict, claim=f"{method}: rounding", quantity="gradient noise",
        ))
    return out


def law_sections(transitions_df: pd.DataFrame, laws_df: pd.DataFrame, *, n_boot: int = 200,
                 seed: int = 0, variants: dict[str, pd.DataFrame] | None = None,
                 budget: pd.DataFrame | None = None,
                 noise: pd.DataFrame | None = None) -> list[Section]:
    r"""The verdict's sections on n*.

    Parameters
    ----------
    transitions_df : pandas.DataFrame
        ``transitions.csv`` (every cell, censored ones included; the reference columns
        are added if missing).
    laws_df : pandas.DataFrame
        :func:`gsbench.analysis.laws.law_table` of the same transitions.
    n_boot, seed : int
        Bootstraps of the paired and median ratios.
    variants : dict, optional
        Success-definition name -> transitions table under that definition.
    budget : pandas.DataFrame, optional
        :func:`gsbench.analysis.budget.budget_check` table.
    noise : pandas.DataFrame, optional
        :func:`gsbench.analysis.noise_spread.noise_spread` table (its widening is already
        folded into `transitions_df` by :func:`~gsbench.analysis.noise_spread.fold_noise`).

    Returns
    -------
    list of Section
        "Regime", "Which law explains n*", "The 1/s claim: joint test of (b, c)", "Paired
        comparisons", "Budget check", "Gradient-noise check", "Success definitions side by side",
        "n* relative to the
        convex references (context)", "Fitted constants of the law named above" (empty ones
        left out).
    """
    df = usable_transitions(transitions_df)  # the laws in s·g: equal groups only
    refs = usable_transitions(transitions_df, equal_groups=False)  # n*/D: real designs too
    if "n_ref_l1" not in refs.columns:
        refs = add_references(refs)
    methods = sorted(set(transitions_df["method"].dropna().unique()), key=str)
    flagged = budget_flags(budget)
    law_f, exp_f, ratio_f, const_f = [], [], [], []
    for method in methods:
        sub = df[df["method"] == method]
        cens = censoring(transitions_df, method)
        setting = _setting(transitions_df[transitions_df["method"] == method], cens)
        laws = laws_df[laws_df["method"] == method]
        fits = _fits(sub) if len(sub) else {}
        if laws.empty or not fits:
            law_f.append(Finding(f"which law explains n* of {method}", setting, math.nan,
                                 criterion="needs cells with n* inside the grid (≥ 3 per law)",
                                 verdict="no fit: too few cells with a transition",
                                 claim=f"{method}: law of n*", quantity="law"))
        else:
            finding, chosen = law_finding(method, sub, setting, fits)
            law_f.append(finding)
            exp_f += exponent_findings(method, sub, setting, fits)
            const_f += _constant_findings(method, setting, laws, chosen)
        sub_refs = refs[refs["method"] == method]
        if len(sub_refs):
            ratio_f.append(_ratio_finding(method, setting, sub_refs["ratio_l1"], "ℓ1", n_boot, seed))
            ratio_f.append(_ratio_finding(method, setting, sub_refs["ratio_group"], "group",
                                          n_boot, seed))
    pairs = paired_pairs(methods)
    pair_f = [paired_finding(transitions_df, a, b, role, n_boot=n_boot, seed=seed, flagged=flagged)
              for a, b, role in pairs]
    s_vals = pd.unique(transitions_df["active_groups"]) if len(transitions_df) else [1]
    n_max = float(pd.to_numeric(transitions_df["n_max"]).max()) if "n_max" in transitions_df else math.nan
    sections = [
        Section("Regime", [], regime_text(n_max, s_vals)),
        Section("Which law explains n*", law_f,
                "Per method, five laws for n* are fitted on log n* over its cells with n* "
                "inside the grid (censored cells are counted in each row, not fitted): entry "
                "A·k·log(e·p/k), group A·s·g + B·s·log(e·L/s), incoh_grp A·s²·g (Theorem 3's "
                "δ_out ≲ 1/s for random designs), incoh_ent A·(s·g)² (μ ≲ 1/(s·g)), and the "
                "free power law. Ranked by AICc (few cells); laws the grid cannot separate "
                "are named."),
        Section("The 1/s claim: joint test of (b, c)", exp_f,
                "b/c alone cannot separate the readings: the fitted group law's own "
                "exponents on these cells can sit near b/c = 2 through its log term. Each "
                "reading's (b, c) is tested jointly; 'consistent' with several readings means "
                "the grid does not separate them."),
        Section("Paired comparisons on common cells", pair_f,
                "Each DGLNN variant against its entrywise counterpart (the paper's claim) and "
                "against the measured convex group program, on the cells both were run on."),
    ]
    if budget is not None and not budget.empty:
        sections.append(Section("Budget check", _budget_findings(budget),
                                "Iterative methods refitted near their transition with a "
                                "larger budget and a smaller initialisation (see each row)."))
    if noise is not None and not noise.empty:
        sections.append(Section("Gradient-noise check", _noise_findings(noise),
                                "Near its transition an iterative method's success can "
                                "depend on the rounding of its iterations. Trials refitted "
                                "with every gradient perturbed far below the data's "
                                "precision measure that part of n*'s uncertainty."))
    if variants:
        sections.append(Section("Success definitions side by side",
                                _variant_findings(transitions_df, variants, methods, pairs,
                                                  n_boot=n_boot, seed=seed),
                                "n* recomputed from trials.parquet (no refit) under other "
                                "success definitions; each row says which conclusions change."))
    sections += [
        Section("n* relative to the convex references (context)", ratio_f,
                "D_ℓ1 and D_group are the statistical dimensions of the ℓ1 and √g-weighted "
                "group-ℓ1,2 descent cones (Amelunxen et al. 2014). Context only: comparisons "
                "with a measured program are the paired rows above."),
        Section("Fitted constants of the law named above", const_f, ""),
    ]
    return sections
