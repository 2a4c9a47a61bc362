"""The top-level API (`import gsbench`) and the README's Python examples, run as written."""

from __future__ import annotations

import contextlib
import importlib.metadata
import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gsbench

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.S | re.M)


def run_block(code: str, monkeypatch) -> tuple[dict, str]:
    """Execute one README block from the repository root; its namespace and stdout."""
    monkeypatch.chdir(ROOT)
    namespace: dict = {"__name__": "readme_example"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), namespace)
    return namespace, out.getvalue()


def block_using(text: str) -> str:
    (block,) = [b for b in BLOCKS if text in b]
    return block


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


def test_readme_uses_the_top_level_api():
    code = "\n".join(BLOCKS)
    for name in ("gsbench.make_problem(", "gsbench.make_method(", "gsbench.list_methods()",
                 "gsbench.load_config(", "gsbench.summarize(", "gsbench.transitions(",
                 "gsbench.__version__"):
        assert name in code, name


def test_readme_single_fit_example(monkeypatch):
    _, out = run_block(block_using("gsbench.make_method("), monkeypatch)
    lines = out.splitlines()
    assert lines[0] == gsbench.__version__
    assert lines[1] == ", ".join(gsbench.list_methods())
    error = float(re.search(r"relative error ([0-9.e-]+)", out).group(1))
    assert error < 0.05  # 3 active groups of 4 from 80 samples: recovered


def test_readme_analysis_example(monkeypatch):
    namespace, out = run_block(block_using("gsbench.summarize("), monkeypatch)
    assert out.startswith("smoke ['dglnn2', 'hadamard', 'group_lasso']")
    summary = namespace["summary"]
    assert set(summary["method"]) == {"dglnn2", "group_lasso"}
    assert (summary.loc[summary["n"] == 64, "success_rate"] == 1.0).all()  # n = p: easy


def test_readme_adding_a_method_example(monkeypatch):
    namespace, _ = run_block(block_using("class PlainGD"), monkeypatch)
    est = namespace["PlainGD"](groups=4, max_iter=200)
    problem = gsbench.make_problem(64, 32, 4, 2, seed=1)  # n > p: least squares is w*
    est.fit(problem.X, problem.y)
    assert np.linalg.norm(est.coef_ - problem.w_star) < 1e-2 * np.linalg.norm(problem.w_star)


def test_readme_sweep_example(monkeypatch):
    namespace, out = run_block(block_using("fit_sweep("), monkeypatch)
    lines = out.splitlines()
    assert len(lines) == 4 and lines[0].startswith("{'depth': 2, 'alpha': 0.1}")
    results, X, y = namespace["results"], namespace["X"], namespace["y"]
    alone = gsbench.make_method("hadamard_depth", {"depth": 3, "alpha": 0.01}, groups=4)
    for a, b in zip(results[3], alone.fit_batch(X, y, namespace["X_val"], namespace["y_val"],
                                                namespace["w_star"])):
        np.testing.assert_allclose(a.coef_validation, b.coef_validation, rtol=1e-10, atol=1e-12)


def test_every_readme_python_block_is_tested():
    tested = [block_using(t) for t in ("gsbench.make_method(", "gsbench.summarize(", "class PlainGD",
                                       "fit_sweep(")]
    assert sorted(tested) == sorted(BLOCKS)


def test_benchmark_scripts_compile_and_solvers_lists_its_sections(root):
    """The benchmark scripts are not imported by any other test: a merge that breaks one
    must fail here, not when someone next measures."""
    import py_compile

    for script in sorted((root / "benchmarks").glob("*.py")):
        py_compile.compile(str(script), doraise=True)
    proc = subprocess.run([sys.executable, str(root / "benchmarks" / "solvers.py"), "--help"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for flag in ("--study-only", "--float32", "--sweep-only", "--path-only"):
        assert flag in proc.stdout


def test_files_the_readme_quotes_are_in_the_repository():
    # Every measurement file the README quotes numbers from must come with a checkout
    # (a `results/` pattern in .gitignore once kept them out).
    root = ROOT
    cited = set(re.findall(r"`((?:benchmarks|docs)/results/[^`\s]*)`", README))
    assert {"benchmarks/results/solvers.json", "docs/results/paper/"} <= cited
    missing = sorted(c for c in cited if not (root / c).exists())
    assert not missing, f"README quotes files missing from the repository: {missing}"
    tracked = subprocess.run(["git", "-C", str(root), "ls-files", "benchmarks/results",
                              "docs/results"], capture_output=True, text=True)
    if tracked.returncode == 0:  # a git checkout: the files are committed, not just present
        files = set(tracked.stdout.split())
        for c in cited:
            assert (c in files) if not c.endswith("/") else any(f.startswith(c) for f in files), c
    for name in ("verdict.md", "transitions.csv", "laws.csv"):
        assert (root / "docs" / "results" / "paper" / name).stat().st_size > 0
