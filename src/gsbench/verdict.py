r"""Verdicts as data: findings grouped in sections, one Markdown writer.

A :class:`Finding` is one checked statement: *statement, setting, measured value with
interval, criterion, verdict*.  A :class:`Section` groups findings under a title with a
short generated text.  Every piece of evidence (the law fits, the convex limits, a
coherence study, ...) builds its sections from its own tables; stages that run in
separate jobs save them with :func:`write_sections` (JSON) and the ``verdict`` rule joins
them into ``results/<study>/verdict.md`` with :func:`write_verdict`.  No number in a verdict
is typed by hand: builders format the measured values they are given.

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

from .atomic import write_text as write_text_atomic  # the name other packages import

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
]


@dataclass(frozen=True)
class Measure:
    """A labelled measured number with its 95% interval (NaN: none)."""

    label: str
    value: float
    low: float = math.nan
    high: float = math.nan

    def text(self, fmt: str = ".3g") -> str:
        """``"label: 1.23 [1.01, 1.45]"``; ``"label: n/a"`` when the value is not finite."""
        if not math.isfinite(self.value):
            return f"{self.label}: n/a"
        return f"{self.label}: {self.value:{fmt}} [{self.low:{fmt}}, {self.high:{fmt}}]"


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

    def measured_text(self) -> str:
        """The measured cell: the labelled measures joined by ``"; "``, else the value with
        its interval (:func:`format_value`)."""
        if self.measured:
            return "; ".join(m.text() for m in self.measured)
        return format_value(self.value, self.low, self.high)

    def write_json(self, path: str | Path) -> Path:
        """Save as one JSON object (NaN as null), atomically."""
        return write_text_atomic(path, json.dumps(_json_clean(asdict(self)), indent=1) + "\n")

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
    """``"1.23 [1.01, 1.45]"``; a string value is returned as is; NaN is ``"n/a"``."""
    if isinstance(value, str):
        return value

    def num(v) -> str:
        v = float(v)
        if not math.isfinite(v):
            return "n/a"
        return f"{v:.3g}"

    text = num(value)
    if math.isfinite(float(low)) or math.isfinite(float(high)):
        text += f" [{num(low)}, {num(high)}]"
    return text


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: list[str], rows) -> list[str]:
    """Lines of a Markdown table; cells are escaped (``|``) and kept on one line. A cell
    may hold Markdown (e.g. ``**agrees**``)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def render_markdown(sections: list[Section], title: str = "Verdict") -> str:
    """The verdict document: a ``#`` title, then per section a ``##`` heading, its text and
    a table with one row per finding (columns Statement, Setting, Measured (95% CI),
    Criterion, Verdict)."""
    lines = [f"# {title}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
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
    return "\n".join(lines)


def write_verdict(path: str | Path, sections: list[Section], title: str = "Verdict") -> Path:
    """Write :func:`render_markdown` of `sections` to `path` (atomically); return the path."""
    return write_text_atomic(path, render_markdown(sections, title))


def _json_clean(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _json_clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_json_clean(v) for v in obj]
    return obj


def _nan(v):
    return math.nan if v is None else v


def _finding_from_dict(d: dict) -> Finding:
    d = {k: (_nan(v) if k in ("low", "high", "value") else v) for k, v in d.items()}
    d["measured"] = [Measure(m["label"], _nan(m["value"]), _nan(m["low"]), _nan(m["high"]))
                     for m in d.get("measured", [])]  # fmt: skip
    return Finding(**d)


def write_sections(path: str | Path, sections: list[Section]) -> Path:
    """Save sections as JSON (NaN as null), for a later :func:`write_verdict` in another job."""
    return write_text_atomic(path, json.dumps([_json_clean(asdict(s)) for s in sections], indent=1))


def read_sections(path: str | Path) -> list[Section]:
    """Sections saved by :func:`write_sections`."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Section(s["title"], [_finding_from_dict(f) for f in s["findings"]], s.get("text", ""))
            for s in raw]  # fmt: skip
