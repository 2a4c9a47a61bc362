"""Fixtures shared by tests/unit and tests/workflow; the studies run by Snakemake are in
tests/workflow/conftest.py. Helpers both folders import: tests/workflow_helpers.py; data and
plugin methods: tests/data/, tests/plugins/."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def venv_bin() -> Path:
    """Directory of the interpreter running the tests (holds gsbench and snakemake)."""
    return Path(sys.executable).parent


def pytest_configure(config):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # skglm's solvers, the reference of some tests, are compiled by numba on first use; on the
    # tests' small problems compiling without LLVM optimisation saves a quarter of their time.
    os.environ.setdefault("NUMBA_OPT", "0")
