import os
import sys
from pathlib import Path

import pytest

from workflow_helpers import smoke_config, snakemake, table_targets, write_config

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = Path(__file__).resolve().parent / "plugins"

# Session-scoped studies, run once per test process and only read by the tests that use
# them. Under pytest-xdist a session fixture runs once per *worker*, so every test using one
# study lives in one file and `make test` distributes by file (--dist loadfile): smoke_study
# is read only in test_workflow.py, plugin_study only in test_reliability.py.
# (--dist loadgroup with xdist_group marks would allow any layout, but pytest-xdist 3.8
# does not group under pytest 9: it renames items through an attribute pytest 9 dropped.)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def venv_bin() -> Path:
    """Directory of the interpreter running the tests (holds gsbench and snakemake)."""
    return Path(sys.executable).parent


@pytest.fixture(scope="session")
def smoke_study(tmp_path_factory):
    """The smoke study (config/smoke.yaml), every output, run on 2 cores: the reference
    that the one-core and the interrupted runs must reproduce. Returns (workdir, config)."""
    work = tmp_path_factory.mktemp("smoke")
    cfg = write_config(work, smoke_config())
    snakemake(work, cfg, cores=2)
    return work, cfg


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


def pytest_configure(config):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
