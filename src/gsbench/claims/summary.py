"""``claims.md``: one row per claim (source, statement, setting, measured value with 95%
interval, verdict with the reason), then each claim's criterion, run counts and files; the
findings model and the document head are :mod:`gsbench.findings`'."""

from __future__ import annotations

from pathlib import Path

from ..atomic import write_text
from ..findings import Finding, markdown_table, render_document
from .verdicts import rule_of

TITLE = "Claims checked by gsbench"


def render(findings: list[Finding], settings_source: str = "", provenance: str = "") -> str:
    """The text of ``claims.md``: the head (title, `provenance`), how to read it, the table
    of claims, then each claim's details (:func:`details`)."""
    lines = [
        "Each row is one claim from the suite's reading list, re-measured on simulated problems "
        "(settings: " + (f"`{settings_source}`" if settings_source else "config/claims.yaml") + "). "
        "Intervals are 95% percentile bootstrap intervals over trials (claim 5: the study's n* "
        "intervals). Each verdict follows the logical form of its statement (the rule column): an "
        "equivalence needs the interval inside the band, an upper bound is contradicted only by an "
        "exponent above it, a conjecture is refuted only by a converged counter-example. Intervals "
        "are per comparison, not corrected for multiplicity (the number of comparisons is given). "
        "Trials whose runs ran out of budget are counted separately and never used as evidence "
        "(criteria below).",
        "",
    ]
    lines += markdown_table(
        ["#", "source", "statement", "rule (multiplicity)", "setting", "measured (95% interval)", "verdict"],
        [(i, f.source, f.statement, "{} ({})".format(*rule_of(f)), f.setting, f.measured_text(),
          f"**{f.verdict}**: {f.reason}") for i, f in enumerate(findings, 1)])  # fmt: skip
    lines.append("")
    for i, f in enumerate(findings, 1):
        lines += details(i, f)
    return render_document(TITLE, lines, provenance)


def details(i: int, f: Finding) -> list[str]:
    """Claim `i`'s section: source, quantity, criterion, run counts, verdict, files."""
    r = f.runs
    return [
        f"## {i}. {f.statement}",
        "",
        f"- Source: {f.source}",
        f"- Quantity: {f.quantity}",
        f"- Criterion: {f.criterion}",
        f"- Runs: {r.get('total', 0)} trials; {r.get('converged', 0)} converged "
        f"(`{r.get('criterion', '')}`), {r.get('budget_exhausted', 0)} budget-exhausted, "
        f"{r.get('failed', 0)} failed or diverged",
        f"- Verdict: **{f.verdict}**. {f.reason}",
        f"- Files: {', '.join(f.files)}",
        "",
    ]


def write_summary(findings: list[Finding], path: str | Path, settings_source: str = "",
                  provenance: str = "") -> Path:
    """``claims.md`` of `findings`, opening with the `provenance` line when given."""
    return write_text(path, render(findings, settings_source, provenance))
