"""``gsbench study status``: which fits of a study are current, stale or missing.

A cell's fit of a method is **current** when its store holds the file of the cell's key
(:mod:`.fingerprint`), **stale** when it holds only files of other keys (the reason: what
differs from the newest of them — method label, problem options, trials, parameters,
code), and **missing** otherwise. The CPU time to bring the study up to date is the
cost model's bound (:func:`.cost_model.cells_cpu_seconds`: every trial to its iteration
budget) over the stale and missing cells. An
adaptive grid is reported on its round-0 cells (later rounds depend on their results).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .cells import expand_cells
from .method_specs import import_plugins
from .fingerprint import fit_key
from .io import ResultsSchemaError, read_fit_keys
from .cost_model import cells_cpu_seconds


@dataclass
class MethodStatus:
    """Counts of one method's cells by state, the reasons of the stale ones, and the CPU
    seconds estimated to fit the stale and missing cells."""

    method: str
    current: int = 0
    stale: int = 0
    missing: int = 0
    reasons: Counter = field(default_factory=Counter)
    cpu_seconds: float = 0.0


def study_status(config: dict, workdir: str | Path = ".") -> list[MethodStatus]:
    """Per method of the validated `config`, the state of its cells' fits under
    ``<workdir>/results/<study>/fits``."""
    import_plugins(config.get("plugins", []))
    cells, _ = expand_cells(config)
    fits = Path(workdir) / "results" / config["study"] / "fits"
    out = []
    for label in config["methods"]:
        status = MethodStatus(label)
        store = fits / label / "cells"
        for cell in cells:
            key = fit_key(config, label, cell)
            if (store / f"{key.file_stem}.parquet").exists():
                status.current += 1
                continue
            older = sorted(store.glob(f"{cell.cell_id}.*.parquet"), key=lambda p: p.stat().st_mtime)
            status.cpu_seconds += cells_cpu_seconds(config, label, [cell])
            if not older:
                status.missing += 1
                continue
            status.stale += 1
            try:
                (previous,) = read_fit_keys(older[-1])
                reasons = key.stale_reasons(previous) or ["unknown"]
            except (ResultsSchemaError, ValueError):
                reasons = ["unreadable file"]
            status.reasons.update(reasons)
        out.append(status)
    return out


def format_status(config: dict, statuses: list[MethodStatus]) -> str:
    """The status as a text table with a closing line of the total."""
    rows = [("method", "current", "stale", "missing", "stale because", "CPU to update")]
    for s in statuses:
        reasons = ", ".join(f"{r} ({k})" for r, k in sorted(s.reasons.items())) or "-"
        rows.append((s.method, str(s.current), str(s.stale), str(s.missing), reasons,
                     _seconds(s.cpu_seconds)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    total = sum(s.cpu_seconds for s in statuses)
    todo = sum(s.stale + s.missing for s in statuses)
    lines.append(f"study {config['study']!r}: {todo} cell fit(s) to compute, roughly "
                 f"{_seconds(total)} of CPU" if todo else f"study {config['study']!r}: every fit is current")
    return "\n".join(lines)


def _seconds(value: float) -> str:
    if value == 0:
        return "0 s"
    return f"{value / 60:.2g} min" if value >= 60 else f"{value:.2g} s"
