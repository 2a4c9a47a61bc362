"""What the cost benchmarks share: CPU time of a call (best of repeats) and the JSON they write."""

from __future__ import annotations

import json
import time
from pathlib import Path


def best_cpu(fn, repeats: int = 2) -> tuple[float, object]:
    """Least CPU seconds of the process (``time.process_time``) over `repeats` calls of
    ``fn()``, and the last call's value."""
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.process_time()
        out = fn()
        best = min(best, time.process_time() - start)
    return best, out


def write_json(path: Path, data: dict) -> None:
    """``data`` as indented JSON at `path` (its folder made), and say so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    print(f"wrote {path}")
