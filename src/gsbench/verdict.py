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
    "holm_adjust",
    "control_multiplicity",
    "summary_section",
    "SUMMARY_TITLE",
    "interval_side",
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
        if not (math.isfinite(self.low) or math.isfinite(self.high)):
            return f"{self.label}: {self.value:{fmt}}"
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
    d = {k: (_nan(v) if k in ("low", "high", "value", "p_value") else v) for k, v in d.items()}
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


SUMMARY_TITLE = "Summary"


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
