r"""Findings as data, and the one renderer of the reports made of them.

A :class:`Finding` is one checked statement: *statement, setting, measured value with
interval, criterion, verdict* (and, for the claims, source, labelled measures, reason, run
counts, files). A :class:`Section` groups findings under a title with a short generated text.
The three reports written from findings use this module:

* ``verdict.md`` of a study (:func:`gsbench.rules.verdict_stage`): sections saved as JSON by
  the evidence stages (:func:`write_sections`), a Summary (:func:`summary_section`), the
  sections' tables (:func:`render_markdown`);
* ``claims.md`` (:mod:`gsbench.claims.summary`): one table row per claim's finding, then each
  finding's details;
* ``paper_figures.md`` (:mod:`gsbench.paper_figures.summary`): per figure a finding (the
  paper's statement, criterion, verdict, reason, files) under its measured numbers.

Each opens with :func:`document_head`: the ``#`` title and the provenance line
(:mod:`gsbench.provenance`). No number in a report is typed by hand: builders format the
measured values they are given (:func:`gsbench.analysis.intervals.format_interval`).

Example
-------
>>> f = Finding("n* of lasso follows the entry law", "12 cells", 0.8, 0.7, 0.9,
...             "lowest AIC", "entry")
>>> print(render_markdown([Section("Laws", [f], "Fitted per method.")]).splitlines()[4])
| Statement | Setting | Measured (95% CI) | Criterion | Verdict |
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .analysis.intervals import format_interval
from .atomic import write_text

__all__ = [
    "Finding",
    "Measure",
    "Section",
    "SUMMARY_TITLE",
    "document_head",
    "format_value",
    "json_ready",
    "markdown_table",
    "read_sections",
    "render_document",
    "render_markdown",
    "section_lines",
    "summary_section",
    "write_sections",
]


@dataclass(frozen=True)
class Measure:
    """A labelled measured number with its 95% interval (NaN: none)."""

    label: str
    value: float
    low: float = math.nan
    high: float = math.nan

    def text(self, fmt: str = ".3g") -> str:
        """``"label: 1.23 [1.01, 1.45]"``; ``"label: n/a"`` when the value is not finite
        (:func:`format_interval`)."""
        return f"{self.label}: {format_interval(self.value, self.low, self.high, fmt)}"


@dataclass(frozen=True)
class Finding:
    """One checked statement.

    The first seven fields are what every verdict shows; the rest are optional and used by
    the claims checker (:mod:`gsbench.claims`), whose findings carry several labelled
    measures, a source, a reason and run counts.

    Parameters
    ----------
    statement : str
        What is claimed or asked, e.g. ``"median n*/D_l1 of dglnn2"``.
    setting : str
        Where it was measured (method, cells, grid).
    value : float or str, default nan
        The measured value (a float is printed with 3 significant digits).
    low, high : float, default nan
        Its interval (NaN: none).
    criterion : str
        How the verdict follows from the value.
    verdict : str
        The outcome, derived from `value`/`low`/`high` by the builder.
    claim : str
        Short key of a checked claim (``depth_range``, ...).
    source : str
        Paper and where in it.
    quantity : str
        What the numbers in `measured` are.
    measured : list of Measure
        Several labelled values with intervals; when given, they are what the "measured"
        cell shows (:meth:`measured_text`) instead of `value`.
    reason : str
        Why the verdict, in one or two sentences (e.g. the budget, when inconclusive).
    runs : dict
        Trial counts: ``total``, ``converged``, ``budget_exhausted``, ``failed``.
    files : list of str
        Files the finding was measured from.
    p_value : float, default nan
        p-value of the test behind a *decisive* verdict (one that rejects a hypothesis or
        states a direction); :func:`control_multiplicity` adjusts these over the document
        (Holm) and replaces `verdict` by `null_verdict` where the adjusted value exceeds
        the level.  NaN: not a test (context, a fitted value, a law named).
    null_verdict : str
        The verdict when the test is not significant after adjustment.
    """

    statement: str
    setting: str
    value: float | str = math.nan
    low: float = math.nan
    high: float = math.nan
    criterion: str = ""
    verdict: str = ""
    claim: str = ""
    source: str = ""
    quantity: str = ""
    measured: list[Measure] = field(default_factory=list)
    reason: str = ""
    runs: dict = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    p_value: float = math.nan
    null_verdict: str = ""

    def measured_text(self) -> str:
        """The measured cell: the labelled measures joined by ``"; "``, else the value with
        its interval (:func:`format_value`)."""
        if self.measured:
            return "; ".join(m.text() for m in self.measured)
        return format_value(self.value, self.low, self.high)

    def write_json(self, path: str | Path) -> Path:
        """Save as one JSON object (NaN as null), atomically."""
        return write_text(path, json.dumps(json_ready(asdict(self)), indent=1) + "\n")

    @classmethod
    def read_json(cls, path: str | Path) -> "Finding":
        """A finding saved by :meth:`write_json`."""
        return _finding_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Section:
    """A titled group of findings with a generated explanatory text."""

    title: str
    findings: list[Finding] = field(default_factory=list)
    text: str = ""


def format_value(value, low=math.nan, high=math.nan) -> str:
    """``"1.23 [1.01, 1.45]"`` (3 significant digits; :func:`format_interval`); a string
    value is returned as is; NaN is ``"n/a"``."""
    return format_interval(value, low, high)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: list[str], rows) -> list[str]:
    """Lines of a Markdown table; cells are escaped (``|``) and kept on one line. A cell
    may hold Markdown (e.g. ``**agrees**``)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def section_lines(section: Section) -> list[str]:
    """A section: ``## title``, its text, and a table with one row per finding (columns
    Statement, Setting, Measured (95% CI), Criterion, Verdict); "No findings." when it
    has neither."""
    lines = [f"## {section.title}", ""]
    if section.text:
        lines += [section.text.strip(), ""]
    if section.findings:
        lines += markdown_table(
            ["Statement", "Setting", "Measured (95% CI)", "Criterion", "Verdict"],
            [(f.statement, f.setting, f.measured_text(), f.criterion, f.verdict)
             for f in section.findings])  # fmt: skip
        lines.append("")
    elif not section.text:
        lines += ["No findings.", ""]
    return lines


def document_head(title: str, provenance: str = "") -> list[str]:
    """The first lines of every report: ``# title``, a blank line, and the provenance line
    (with a blank line after it) when given."""
    return [f"# {title}", "", *([provenance, ""] if provenance else [])]


def render_document(title: str, lines: list[str], provenance: str = "") -> str:
    """A report: :func:`document_head` then `lines`, joined by newlines."""
    return "\n".join(document_head(title, provenance) + list(lines))


def render_markdown(sections: list[Section], title: str = "Verdict", provenance: str = "") -> str:
    """The verdict document: :func:`document_head`, then every section
    (:func:`section_lines`)."""
    return render_document(title, [line for s in sections for line in section_lines(s)],
                           provenance)


def json_ready(obj):
    """`obj` with non-finite floats as None, NumPy scalars and arrays as Python numbers and
    lists, tuples as lists and mapping keys as text: what :func:`json.dumps` writes as
    strict JSON (NaN as null)."""
    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_ready(obj.tolist())
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    return obj


def _nan(v):
    return math.nan if v is None else v


def _finding_from_dict(d: dict) -> Finding:
    d = {k: (_nan(v) if k in ("low", "high", "value", "p_value") else v) for k, v in d.items()}
    d["measured"] = [Measure(m["label"], _nan(m["value"]), _nan(m["low"]), _nan(m["high"]))
                     for m in d.get("measured", [])]  # fmt: skip
    return Finding(**d)


def write_sections(path: str | Path, sections: list[Section]) -> Path:
    """Save sections as JSON (NaN as null), for a later :func:`write_verdict` in another job."""
    return write_text(path, json.dumps([json_ready(asdict(s)) for s in sections], indent=1))


def read_sections(path: str | Path) -> list[Section]:
    """Sections saved by :func:`write_sections`."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Section(s["title"], [_finding_from_dict(f) for f in s["findings"]], s.get("text", ""))
            for s in raw]  # fmt: skip


SUMMARY_TITLE = "Summary"


def summary_section(sections: list[Section], preamble: str = "") -> Section:
    """The bottom line: one line per summarised question (a finding's ``claim``, in order of
    first appearance), each listing its rows' verdicts (``quantity: verdict``) verbatim, so
    that a line never says more than its rows; parts are joined by ``" · "``."""
    lines: dict[str, list[str]] = {}
    for sec in sections:
        for f in sec.findings:
            if f.claim:
                part = f"{f.quantity}: {f.verdict}" if f.quantity else f.verdict
                lines.setdefault(f.claim, []).append(part)
    body = "\n".join(f"- **{claim}**: " + " · ".join(parts) for claim, parts in lines.items())
    return Section(SUMMARY_TITLE, [], (preamble.strip() + "\n\n" + body).strip())
