"""``claims.md``: one row per claim (source, statement, setting, measured value with 95%
interval, verdict with the reason), then each claim's criterion, run counts and files."""

from __future__ import annotations

from pathlib import Path

from .finding import Finding


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(findings: list[Finding], settings_source: str = "") -> str:
    lines = [
        "# Claims checked by gsbench",
        "",
        "Each row is one claim from the suite's reading list, re-measured on simulated problems "
        "(settings: " + (f"`{settings_source}`" if settings_source else "config/claims.yaml") + "). "
        "Intervals are 95% percentile bootstrap intervals over trials. Trials whose runs ran out "
        "of budget are counted separately and never used as evidence (criteria below).",
        "",
        "| # | source | statement | setting | measured (95% interval) | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for i, f in enumerate(findings, 1):
        lines.append(f"| {i} | {_cell(f.source)} | {_cell(f.statement)} | {_cell(f.setting)} | "
                     f"{_cell(f.measured_text())} | **{f.verdict}**: {_cell(f.reason)} |")
    lines.append("")
    for i, f in enumerate(findings, 1):
        r = f.runs
        lines += [
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
    return "\n".join(lines)


def write_summary(findings: list[Finding], path: str | Path, settings_source: str = "") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render(findings, settings_source))
    tmp.replace(path)
    return path
