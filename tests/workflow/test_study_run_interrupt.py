"""Ctrl-C on `gsbench study run`: the CLI study runner stops Snakemake and leaves no lock."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from workflow_helpers import ROOT


@pytest.mark.slow
def test_interrupted_study_run_leaves_no_lock(tmp_path):
    """A real `gsbench study run`, interrupted (SIGINT, as Ctrl-C sends it) once Snakemake
    holds its lock (it is starting its first fit job): it stops with status 130 and the lock
    is gone, so the next run starts. (About 8 s on an idle machine: Snakemake's start.)"""
    for name in ("Snakefile", "workflow"):
        (tmp_path / name).symlink_to(ROOT / name)
    config = {"study": "ctrlc", "grid": {"p": [16], "group_size": [4], "active_groups": [1],
                                         "n": [8, 16]},
              "trials": 2, "methods": {"dglnn2": {"max_iter": 200000}}, "jobs_per_method": 2}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    exe = Path(sys.executable).parent / "gsbench"
    cmd = [str(exe), "study", "run", "--config", "c.yaml", "--cores", "1"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    locks = tmp_path / ".snakemake" / "locks"
    deadline = time.monotonic() + 90
    while not list(locks.glob("*.lock")):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 130, err.decode()[-2000:]
    assert not list(locks.glob("*.lock")), err.decode()[-2000:]
    assert b"Traceback" not in err
