import os
import sys
from pathlib import Path

import pytest

from workflow_helpers import smoke_config, snakemake, table_targets, write_config

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = Path(__file__).resolve().parent / "plugins"

# Session-scoped studies, each run once and only read by the tests that use them. Under
# pytest-xdist (--dist loadgroup) every test that uses one is sent to the same worker
# (pytest_collection_modifyitems below), so each study runs once per test session.
SHARED_STUDIES = ("smoke_study", "plugin_study")


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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        for name in SHARED_STUDIES:
            if name in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.xdist_group(name))


def pytest_configure(config):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
