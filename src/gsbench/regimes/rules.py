"""What the ``real`` and ``noisy`` workflow rules call: plain functions of file paths."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from ..atomic import write_text
from . import STUDIES
from .settings import load_settings


def part_stage(kind: str, settings_path: str, part: str, output: str) -> None:
    """Fit one part of a study: ``output`` (CSV, one row per fit) and ``<output>.json``
    (wall seconds)."""
    from ..atomic import write_table as write_csv

    settings = load_settings(kind, settings_path)
    start, cpu = time.perf_counter(), time.process_time()
    frame = STUDIES[kind].run_part(settings, part)
    write_csv(frame, output)
    write_text(Path(output).with_suffix(".json"), json.dumps(
        {"part": part, "seconds": time.perf_counter() - start,
         "cpu_seconds": time.process_time() - cpu}))


def verdict_stage(kind: str, settings_path: str, inputs: list[str], outdir: str) -> None:
    """Concatenate the parts into ``trials.csv`` and write the verdict and its tables."""
    from ..atomic import write_table as write_csv

    settings = load_settings(kind, settings_path)
    trials = pd.concat([pd.read_csv(f) for f in inputs], ignore_index=True)
    write_csv(trials, Path(outdir) / "trials.csv")
    times = [json.loads(Path(f).with_suffix(".json").read_text()) for f in inputs]
    wall = [t["seconds"] for t in times]
    cpu = [t.get("cpu_seconds", float("nan")) for t in times]
    runtime = (f"Fit jobs: {len(times)} part(s), {sum(wall):.0f} s wall in total (longest "
               f"{max(wall):.0f} s), {sum(cpu):.0f} s of CPU (process time, one BLAS thread per "
               "job); the wall time depends on the cores given to snakemake and the machine's load.")
    STUDIES[kind].write_verdict(settings, trials, outdir, runtime=runtime)
    from ..provenance import write_settings_record

    write_settings_record(Path(outdir) / "provenance.json", settings, settings_path)
