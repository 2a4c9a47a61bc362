"""The studies that several workflow tests read, each run once per test process.

Under pytest-xdist a session fixture runs once per *worker*, so every test using one study
lives in one file and `make test-workflow` distributes by file (--dist loadfile): `smoke_study` is
read only in test_smoke_study.py, `plugin_study` only in test_plugin_study.py.
(--dist loadgroup with xdist_group marks would allow any layout, but pytest-xdist 3.8
does not group under pytest 9: it renames items through an attribute pytest 9 dropped.)
"""

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from workflow_helpers import (
    PLUGINS,
    smoke_config,
    snakemake,
    snakemake_command,
    table_targets,
    write_config,
)


@dataclass
class Interruption:
    """What a study killed mid-way left on disk, recorded before it was resumed."""

    running: bool  # the run was still going when it was interrupted
    jobs_done: int  # fit jobs' output files (results/<study>/fits/<method>/*.parquet)
    rows: dict[str, int]  # rows of every fit file present (stored cells included)


@dataclass
class Study:
    work: Path
    config: Path
    interruption: Interruption

    @property
    def out(self) -> Path:
        return self.work / "results" / "smoke"


@pytest.fixture(scope="session")
def smoke_study(tmp_path_factory) -> Study:
    """The smoke study (config/smoke.yaml), every output, run as a user whose first run was
    killed: its data targets start on 1 core and are killed (SIGINT, then SIGKILL for the jobs)
    once the first fit job has written its file; then `--unlock` and every output on 2 cores
    with `--rerun-incomplete` (docs/study.md, "Interrupted runs")."""
    work = tmp_path_factory.mktemp("smoke")
    cfg = write_config(work, smoke_config())
    cmd = snakemake_command(work, cfg, *table_targets(), cores=1)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    fits = work / "results" / "smoke" / "fits"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not (fits.exists() and any(fits.glob("*/*.parquet"))):
        time.sleep(0.1)
    running = proc.poll() is None
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(1.0)
    with contextlib.suppress(ProcessLookupError):  # then the hard way, jobs included
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    interruption = Interruption(
        running=running, jobs_done=len(list(fits.glob("*/*.parquet"))),
        rows={str(p.relative_to(work)): len(pd.read_parquet(p)) for p in fits.rglob("*.parquet")})
    # A killed Snakemake leaves its lock: unlock, then rerun.
    snakemake(work, cfg, "--unlock")
    snakemake(work, cfg, "--rerun-incomplete", cores=2)
    return Study(work, cfg, interruption)


@pytest.fixture(scope="session")
def plugin_study(tmp_path_factory):
    """One study of the two plugin methods in tests/plugins: `ridge` (closed form) and
    `flaky` (raises at n = 8, diverges on some trials and on every trial of the 16-entry
    signals). Trials, aggregates and tables only (no figures). Returns the study's output
    directory."""
    work = tmp_path_factory.mktemp("plugins")
    config = smoke_config(plugins=["ridge_plugin", "flaky_plugin"],
                          methods={"ridge": {"lam": 0.001}, "flaky": {}})
    config["grid"] = {**config["grid"], "n": [8, 16, 64, 96]}
    cfg = write_config(work, config)
    snakemake(work, cfg, *table_targets(), env={"PYTHONPATH": str(PLUGINS)})
    return work / "results" / "smoke"
