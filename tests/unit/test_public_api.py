"""The top-level API (`import gsbench`); the examples of the README and docs are run by
tests/test_docs.py."""

from __future__ import annotations

import importlib.metadata
import runpy
import sys

import pytest

import gsbench


def test_top_level_names():
    assert gsbench.__version__ == importlib.metadata.version("gsbench")
    from gsbench.analysis import scaling, summarize, transitions
    from gsbench.methods import REGISTRY, make_method, register
    from gsbench.problems import make_problem
    from gsbench.runner import fit_problems
    from gsbench.study import load_config

    for name, obj in [("make_problem", make_problem), ("make_method", make_method),
                      ("register", register), ("fit_problems", fit_problems),
                      ("load_config", load_config), ("summarize", summarize),
                      ("transitions", transitions), ("scaling", scaling)]:
        assert getattr(gsbench, name) is obj, name
        assert name in gsbench.__all__ and name in dir(gsbench)
    assert gsbench.list_methods() == {k: REGISTRY[k].description for k in sorted(REGISTRY)}
    assert gsbench.methods.REGISTRY is REGISTRY and "methods" in gsbench.__all__
    with pytest.raises(AttributeError, match="no attribute 'make_problems'"):
        gsbench.make_problems  # noqa: B018


SOLVER_BENCHMARKS = ("iteration_cost", "group_lasso_backends", "group_lasso_path", "float32_cost",
                     "sweep_cost", "study_time")


def test_benchmark_scripts_compile_and_answer_help(root, monkeypatch, capsys):
    """The benchmark scripts are not imported by any other test: a merge that breaks one
    must fail here, not when someone next measures."""
    import py_compile

    for script in sorted((root / "benchmarks").glob("*.py")):
        py_compile.compile(str(script), doraise=True)
    monkeypatch.syspath_prepend(str(root / "benchmarks"))
    for name in SOLVER_BENCHMARKS:
        monkeypatch.setattr(sys, "argv", [f"{name}.py", "--help"])
        with pytest.raises(SystemExit) as stop:
            runpy.run_path(str(root / "benchmarks" / f"{name}.py"), run_name="__main__")
        assert stop.value.code == 0, name
        assert "--out" in capsys.readouterr().out, name
