r"""The study's verdict: findings Holm-adjusted over the whole document, and its writer.

The findings model and its renderer are :mod:`gsbench.findings` (shared with ``claims.md``
and ``paper_figures.md``); its names are re-exported here, where the verdict's builders
(:mod:`gsbench.analysis.law_verdict`, :mod:`gsbench.analysis.incoherence`, ...) take them.
This module adds what only the study verdict does: the side of an interval relative to a
reference (:func:`interval_side`), Holm's adjustment of the decisive rows' p-values over the
document (:func:`holm_adjust`, :func:`control_multiplicity`) and :func:`write_verdict`.
Stages that run in separate jobs save their sections with :func:`write_sections` (JSON) and
the ``verdict`` rule joins them into ``results/<study>/verdict.md``
(:func:`gsbench.rules.verdict_stage`).
"""

from __future__ import annotations

import math
from pathlib import Path

from .atomic import write_text as write_text_atomic  # the name other packages import
from .findings import (
    SUMMARY_TITLE,
    Finding,
    Measure,
    Section,
    format_value,
    markdown_table,
    read_sections,
    render_markdown,
    summary_section,
    write_sections,
)

__all__ = [
    "Finding",
    "Measure",
    "Section",
    "format_value",
    "render_markdown",
    "write_verdict",
    "write_sections",
    "read_sections",
    "markdown_table",
    "write_text_atomic",
    "holm_adjust",
    "control_multiplicity",
    "summary_section",
    "SUMMARY_TITLE",
    "interval_side",
]


def write_verdict(path: str | Path, sections: list[Section], title: str = "Verdict") -> Path:
    """Write :func:`render_markdown` of `sections` to `path` (atomically); return the path."""
    return write_text_atomic(path, render_markdown(sections, title))


def interval_side(low: float, high: float, ref: float) -> str:
    """Where an interval lies relative to `ref`: ``"below"`` (high < ref), ``"above"``
    (low > ref), ``"contains"``, or ``"none"`` when a bound is not finite."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "none"
    return "below" if high < ref else ("above" if low > ref else "contains")


def holm_adjust(p_values) -> list[float]:
    r"""Holm's step-down adjusted p-values: for the sorted :math:`p_{(1)} \le \dots \le
    p_{(m)}`, :math:`\tilde p_{(i)} = \max_{j \le i} \min\big(1, (m - j + 1) p_{(j)}\big)`.
    Rejecting where :math:`\tilde p \le \alpha` controls the family-wise error at
    :math:`\alpha` under any dependence.  NaN entries are not tests and stay NaN."""
    p = [float(v) for v in p_values]
    idx = sorted((i for i, v in enumerate(p) if math.isfinite(v)), key=lambda i: p[i])
    m = len(idx)
    out = [math.nan] * len(p)
    running = 0.0
    for rank, i in enumerate(idx):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def control_multiplicity(sections: list[Section], level: float = 0.05) -> tuple[list[Section], str]:
    """Holm-adjust every finding's ``p_value`` over all `sections`; a finding whose adjusted
    value exceeds `level` takes its ``null_verdict``.  Returns the new sections and a
    sentence stating how many decisive rows there are and how many stay decisive."""
    from dataclasses import replace

    flat = [(i, j, f) for i, sec in enumerate(sections) for j, f in enumerate(sec.findings)]
    adjusted = holm_adjust([f.p_value for _, _, f in flat])
    new = [list(sec.findings) for sec in sections]
    tested = kept = 0
    for (i, j, f), adj in zip(flat, adjusted):
        if not math.isfinite(adj):
            continue
        tested += 1
        criterion = f"{f.criterion}; p = {f.p_value:.3g}, Holm-adjusted {adj:.3g}".lstrip("; ")
        if adj <= level:
            kept += 1
            new[i][j] = replace(f, criterion=criterion)
        else:
            new[i][j] = replace(f, criterion=criterion, verdict=f.null_verdict or "not shown")
    out = [replace(sec, findings=new[i]) for i, sec in enumerate(sections)]
    text = (f"{tested} rows are decisive (a test rejects a hypothesis or states a direction); "
            f"Holm's procedure over all of them at family-wise level {level:g} keeps {kept} "
            f"decisive, the others read their null verdict.")
    return out, text
