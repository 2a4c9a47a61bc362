r"""Verdict sections on the sample-size laws and the convex limits, built from the tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..verdict import Finding, Section
from .laws import usable_transitions
from .references import add_references, median_ratio

__all__ = ["law_sections"]

#: Ratio b/c of the power-law exponents each law implies.
_B_OVER_C = {"Theorem 3 (s²g)": 2.0, "entrywise (k log(ep/k), (sg)²)": 1.0}


def _values(series) -> str:
    vals = sorted(pd.unique(series))
    return "{" + ", ".join(f"{v:g}" for v in vals) + "}"


def _setting(sub: pd.DataFrame, method: str) -> str:
    return (f"{method}: {len(sub)} cells with n* inside the grid; p ∈ {_values(sub['p'])}, "
            f"g ∈ {_values(sub['group_size'])}, s ∈ {_values(sub['active_groups'])}")


def _law_finding(method: str, setting: str, laws: pd.DataFrame) -> tuple[Finding, str]:
    """The finding and the law it names (the AIC winner when undecided)."""
    per_law = laws.drop_duplicates("law").set_index("law")
    aic = per_law["aic"].astype(float).sort_values()
    best = aic.index[0]
    best_loo = per_law.index[per_law["best_loo"].astype(bool)]
    best_loo = best_loo[0] if len(best_loo) else ""
    gap = float(aic.iloc[1] - aic.iloc[0]) if len(aic) > 1 else math.nan
    runner = aic.index[1] if len(aic) > 1 else ""
    formula = per_law.loc[best, "formula"]
    chosen = best
    if len(aic) == 1:
        verdict = f"{best} ({formula}), the only law these cells identify"
    elif best_loo == best and gap > 2:
        verdict = f"{best} ({formula})"
    elif best_loo == best:
        verdict = f"{best} ({formula}), not distinguishable from {runner} (ΔAIC ≤ 2)"
    elif best_loo and per_law.loc[best_loo, "n_params"] < per_law.loc[best, "n_params"]:
        # Fewer constants and the better prediction out of sample: parsimony decides.
        chosen = best_loo
        verdict = (f"{best_loo} ({per_law.loc[best_loo, 'formula']}): fewer constants and best "
                   f"out of sample; {best} best by AIC")
    else:
        verdict = f"undecided: {best} by AIC, {best_loo} by leave-one-cell-out"
    loo = per_law["loo_rmse"].astype(float)
    loo_text = "; ".join(f"{name}: {loo.get(name, math.nan):.3g}"
                         for name in dict.fromkeys([best_loo or best, best]))
    return Finding(
        statement=f"which law explains n* of {method}",
        setting=setting,
        value=gap,
        criterion=(f"lowest AIC of {len(aic)} laws (value: ΔAIC to the runner-up {runner}; > 2 "
                   f"is clear) and lowest leave-one-cell-out RMSE of log n*; if they differ, "
                   f"the law with fewer constants when it predicts better out of sample "
                   f"(LOO RMSE {loo_text})"),
        verdict=verdict,
    ), chosen


def _ratio_finding(method, setting, ratios, name, n_boot, seed) -> Finding:
    med, lo, hi, _m = median_ratio(ratios, n_boot=n_boot, seed=seed)
    if not math.isfinite(lo):
        verdict = "no interval"
    elif hi < 1:
        verdict = f"fewer samples than the {name} limit"
    elif lo > 1:
        verdict = f"more samples than the {name} limit"
    else:
        verdict = f"at the {name} limit (interval contains 1)"
    return Finding(
        statement=f"median n*/n_ref_{'l1' if name == 'ℓ1' else 'group'} of {method}",
        setting=setting, value=med, low=lo, high=hi,
        criterion="below 1: beats the convex program; interval over cells (bootstrap of cells)",
        verdict=verdict,
    )


def _bc_finding(method, setting, laws: pd.DataFrame) -> Finding | None:
    row = laws[(laws["law"] == "power") & (laws["param"] == "b/c")]
    if row.empty:
        return None
    est, lo, hi = (float(row.iloc[0][c]) for c in ("estimate", "low", "high"))
    inside = [name for name, r in _B_OVER_C.items() if lo <= r <= hi]
    if not (math.isfinite(lo) and math.isfinite(hi)):
        verdict = "no interval"
    elif inside:
        verdict = "consistent with " + " and ".join(inside)
    else:
        verdict = "consistent with neither " + " nor ".join(_B_OVER_C)
    return Finding(
        statement=f"b/c of log n* = a + b log s + c log g (+ d log p) for {method}",
        setting=setting, value=est, low=lo, high=hi,
        criterion="Theorem 3's δ_out ≲ 1/s law n* ∝ s²g gives b/c = 2; entrywise laws give "
                  "b/c = 1 (interval: bootstrap of cells)",
        verdict=verdict,
    )


def _constant_findings(method, setting, laws: pd.DataFrame, law: str) -> list[Finding]:
    rows = laws[(laws["law"] == law) & (laws["param"] != "b/c")]
    return [
        Finding(statement=f"{r['param']} of the {r['law']} law ({r['formula']}) for {method}",
                setting=setting, value=float(r["estimate"]), low=float(r["low"]),
                high=float(r["high"]), criterion="least squares on log n*; bootstrap of cells",
                verdict="fitted")
        for _, r in rows.iterrows()
    ]


def law_sections(transitions_df: pd.DataFrame, laws_df: pd.DataFrame, *, n_boot: int = 200,
                 seed: int = 0) -> list[Section]:
    r"""The verdict's sections on n*: best law, convex limits, b/c, fitted constants.

    Parameters
    ----------
    transitions_df : pandas.DataFrame
        ``transitions.csv`` (the reference columns are added if missing).
    laws_df : pandas.DataFrame
        :func:`gsbench.analysis.laws.law_table` of the same transitions.
    n_boot, seed : int
        Bootstrap of the median ratios (cells resampled).

    Returns
    -------
    list of Section
        "Which law explains n*", "n* relative to the convex limits", "The 1/s claim: b/c",
        "Fitted constants of the law named above"; a method without a usable fit gets a finding
        saying so.
    """
    df = usable_transitions(transitions_df)
    if "n_ref_l1" not in df.columns:
        df = add_references(df)
    methods = sorted(set(transitions_df["method"].dropna().unique()), key=str)
    law_f, ratio_f, bc_f, const_f = [], [], [], []
    for method in methods:
        sub = df[df["method"] == method]
        setting = _setting(sub, method)
        laws = laws_df[laws_df["method"] == method]
        if laws.empty:
            law_f.append(Finding(f"which law explains n* of {method}", setting, math.nan,
                                 criterion="needs cells with n* inside the grid (≥ 3 per law)",
                                 verdict="no fit: too few cells with a transition"))
        else:
            finding, chosen = _law_finding(method, setting, laws)
            law_f.append(finding)
            bc = _bc_finding(method, setting, laws)
            if bc is not None:
                bc_f.append(bc)
            const_f += _constant_findings(method, setting, laws, chosen)
        if len(sub):
            ratio_f.append(_ratio_finding(method, setting, sub["ratio_l1"], "ℓ1", n_boot, seed))
            ratio_f.append(_ratio_finding(method, setting, sub["ratio_group"], "group", n_boot, seed))
    n_cells = int(len(df))
    return [
        Section("Which law explains n*", law_f,
                "Per method, five laws for the critical sample size n* are fitted on log n* "
                "over its cells with a transition inside the grid: entry A·k·log(e·p/k), group "
                "A·s·g + B·s·log(e·L/s), incoh_grp A·s²·g (Theorem 3's δ_out ≲ 1/s for random "
                "designs), incoh_ent A·(s·g)² (μ ≲ 1/(s·g)), and the free power law. The law "
                "with the lowest AIC is named when leave-one-cell-out prediction agrees."),
        Section("n* relative to the convex limits", ratio_f,
                f"n_ref_l1 and n_ref_group are the statistical dimensions of the ℓ1 and "
                f"√g-weighted group-ℓ1,2 descent cones (Amelunxen et al. 2014): the sample "
                f"sizes at which basis pursuit and group basis pursuit start to succeed. "
                f"Medians over {n_cells} cells (all methods) with n* inside the grid."),
        Section("The 1/s claim: exponents of the free power law", bc_f,
                "c > 0 alone cannot separate the theories (every method needs about s·g "
                "samples); the ratio b/c of the exponents can."),
        Section("Fitted constants of the law named above", const_f, ""),
    ]
