"""What the ``real`` and ``noisy`` workflow rules call: plain functions of file paths."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from . import STUDIES
from .settings import load_settings


def part_stage(kind: str, settings_path: str, part: str, output: str) -> None:
    """Fit one part of a study: ``output`` (CSV, one row per fit) and ``<output>.json``
    (wall seconds)."""
    from ..claims.common import write_csv

    settings = load_settings(kind, settings_path)
    start = time.perf_counter()
    frame = STUDIES[kind].run_part(settings, part)
    write_csv(frame, output)
    Path(output).with_suffix(".json").write_text(
        json.dumps({"part": part, "seconds": time.perf_counter() - start}))


def verdict_stage(kind: str, settings_path: str, inputs: list[str], outdir: str) -> None:
    """Concatenate the parts into ``trials.csv`` and write the verdict and its tables."""
    from ..claims.common import write_csv

    settings = load_settings(kind, settings_path)
    trials = pd.concat([pd.read_csv(f) for f in inputs], ignore_index=True)
    write_csv(trials, Path(outdir) / "trials.csv")
    secs = [json.loads(Path(f).with_suffix(".json").read_text())["seconds"] for f in inputs]
    runtime = (f"Fit time: {sum(secs):.0f} s of CPU-bound jobs over {len(secs)} part(s) "
               f"(longest {max(secs):.0f} s); wall time depends on the cores given to snakemake.")
    STUDIES[kind].write_verdict(settings, trials, outdir, runtime=runtime)
