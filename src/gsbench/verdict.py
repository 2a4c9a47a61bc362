"""A study's verdict file: sections of findings, written as Markdown.

Minimal version (helper H4 owns the full module; the lead reconciles the two at merge):
:class:`Finding` (a claim, what was measured, the verdict), :class:`Section` (a titled
list of findings with an optional preamble) and :func:`write_verdict`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Finding", "Section", "write_verdict", "render_verdict"]


@dataclass(frozen=True)
class Finding:
    """One claim checked against the measurements.

    Attributes
    ----------
    claim : str
        What was predicted (e.g. "rho* ~ s^-1/2 g^0 for group methods, scattered decoys").
    measured : str
        The numbers measured, with intervals.
    verdict : str
        One of "supported", "refuted", "inconclusive".
    """

    claim: str
    measured: str
    verdict: str

    def __post_init__(self):
        if self.verdict not in ("supported", "refuted", "inconclusive"):
            raise ValueError(
                f"verdict must be supported, refuted or inconclusive, got {self.verdict!r}"
            )


@dataclass(frozen=True)
class Section:
    """A titled group of findings; ``text`` is printed before them."""

    title: str
    findings: list[Finding] = field(default_factory=list)
    text: str = ""


def render_verdict(sections: list[Section]) -> str:
    """Markdown: ``# Verdict``, then per section a ``##`` heading, its text, and a table."""
    lines = ["# Verdict", ""]
    for sec in sections:
        lines += [f"## {sec.title}", ""]
        if sec.text:
            lines += [sec.text.strip(), ""]
        if sec.findings:
            lines += ["| claim | measured | verdict |", "|---|---|---|"]
            lines += [f"| {f.claim} | {f.measured} | **{f.verdict}** |" for f in sec.findings]
            lines.append("")
    return "\n".join(lines)


def write_verdict(path: str | os.PathLike, sections: list[Section]) -> Path:
    """Write the sections to ``path`` (Markdown), replacing the file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_verdict(sections))
    return path
