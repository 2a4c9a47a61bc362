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
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = [
    "Finding",
    "Section",
    "format_value",
    "render_markdown",
    "write_verdict",
    "write_sections",
    "read_sections",
]


@dataclass(frozen=True)
class Finding:
    """One checked statement.

    Parameters
    ----------
    statement : str
        What is claimed or asked, e.g. ``"median n*/D_l1 of dglnn2"``.
    setting : str
        Where it was measured (method, cells, grid).
    value : float or str
        The measured value (a float is printed with 3 significant digits).
    low, high : float, default nan
        Its interval (NaN: none).
    criterion : str
        How the verdict follows from the value.
    verdict : str
        The outcome, derived from `value`/`low`/`high` by the builder.
    """

    statement: str
    setting: str
    value: float | str
    low: float = math.nan
    high: float = math.nan
    criterion: str = ""
    verdict: str = ""


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
            lines += ["| Statement | Setting | Measured (95% CI) | Criterion | Verdict |",
                      "|---|---|---|---|---|"]
            for f in section.findings:
                cells = (f.statement, f.setting, format_value(f.value, f.low, f.high),
                         f.criterion, f.verdict)
                lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
            lines.append("")
        elif not section.text:
            lines += ["No findings.", ""]
    return "\n".join(lines)


def _write_atomic(path: str | Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
    return path


def write_verdict(path: str | Path, sections: list[Section], title: str = "Verdict") -> Path:
    """Write :func:`render_markdown` of `sections` to `path` (atomically); return the path."""
    return _write_atomic(path, render_markdown(sections, title))


def write_sections(path: str | Path, sections: list[Section]) -> Path:
    """Save sections as JSON (NaN as null), for a later :func:`write_verdict` in another job."""

    def clean(obj):
        if isinstance(obj, float) and not math.isfinite(obj):
            return None
        if isinstance(obj, dict):
            return {k: clean(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [clean(v) for v in obj]
        return obj

    return _write_atomic(path, json.dumps([clean(asdict(s)) for s in sections], indent=1))


def read_sections(path: str | Path) -> list[Section]:
    """Sections saved by :func:`write_sections`."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))

    def finding(d: dict) -> Finding:
        d = {k: (math.nan if v is None and k in ("low", "high", "value") else v) for k, v in d.items()}
        return Finding(**d)

    return [Section(s["title"], [finding(f) for f in s["findings"]], s.get("text", "")) for s in raw]
