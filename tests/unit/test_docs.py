"""The README and the pages under docs/: every Python block runs as written, the files they
quote numbers from are committed, and the README stays short with its two commands."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import gsbench

ROOT = Path(__file__).resolve().parents[2]
#: The pages with prose and examples (docs/results/ holds generated study outputs).
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md"))]
TEXT = {page: page.read_text(encoding="utf-8") for page in PAGES}
BLOCKS = [(page, block) for page in PAGES
          for block in re.findall(r"^```python\n(.*?)^```", TEXT[page], flags=re.S | re.M)]


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT))


def run_block(code: str, monkeypatch, page: Path = ROOT / "README.md") -> tuple[dict, str]:
    """Execute one block from the repository root; its namespace and stdout."""
    monkeypatch.chdir(ROOT)
    namespace: dict = {"__name__": "docs_example"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, _name(page), "exec"), namespace)
    return namespace, out.getvalue()


def block_using(text: str) -> tuple[Path, str]:
    (found,) = [(page, block) for page, block in BLOCKS if text in block]
    return found


#: Blocks with their own test below (which checks what they print or build).
CHECKED = {"gsbench.make_method(": "test_single_fit_example", "gsbench.summarize(": "test_analysis_example",
           "class PlainGD": "test_adding_a_method_example", "fit_sweep(": "test_sweep_example"}


def test_readme_is_short_and_keeps_its_two_commands():
    readme = TEXT[ROOT / "README.md"]
    assert len(readme.splitlines()) <= 150
    # .ci/run calls the README's test command; the study command is the README's promise
    assert "make study" in readme and "make test " in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_docs_prose_has_no_commit_hashes():
    """History (hashes, before/after comparisons) belongs in CHANGELOG.md, not in the docs."""
    for page in PAGES:
        prose = re.sub(r"`[^`]*`", "", TEXT[page])  # file names such as *_efe3a1a.json are quoted
        hashes = [h for h in re.findall(r"\b[0-9a-f]{7,40}\b", prose) if re.search(r"[a-f]", h)
                  and re.search(r"[0-9]", h)]
        assert hashes == [], f"{_name(page)}: {hashes}"


def test_readme_uses_the_top_level_api():
    code = "\n".join(block for page, block in BLOCKS)
    for name in ("gsbench.make_problem(", "gsbench.make_method(", "gsbench.list_methods()",
                 "gsbench.load_config(", "gsbench.summarize(", "gsbench.transitions(",
                 "gsbench.__version__"):
        assert name in code, name


@pytest.mark.parametrize("page,block", [pb for pb in BLOCKS if not any(k in pb[1] for k in CHECKED)],
                         ids=lambda v: _name(v) if isinstance(v, Path) else None)
def test_every_other_python_block_runs(page, block, monkeypatch):
    run_block(block, monkeypatch, page)


def test_every_python_block_is_run():
    checked = [block_using(text) for text in CHECKED]
    others = [pb for pb in BLOCKS if not any(k in pb[1] for k in CHECKED)]
    assert sorted(map(str, checked + others)) == sorted(map(str, BLOCKS))
    assert len(checked) == len(CHECKED)


def test_single_fit_example(monkeypatch):
    page, block = block_using("gsbench.make_method(")
    _, out = run_block(block, monkeypatch, page)
    lines = out.splitlines()
    assert lines[0] == gsbench.__version__
    assert lines[1] == ", ".join(gsbench.list_methods())
    error = float(re.search(r"relative error ([0-9.e-]+)", out).group(1))
    assert error < 0.05  # 3 active groups of 4 from 80 samples: recovered


def test_analysis_example(monkeypatch):
    page, block = block_using("gsbench.summarize(")
    namespace, out = run_block(block, monkeypatch, page)
    assert out.startswith("smoke ['dglnn2', 'hadamard', 'group_lasso']")
    summary = namespace["summary"]
    assert set(summary["method"]) == {"dglnn2", "group_lasso"}
    assert (summary.loc[summary["n"] == 64, "success_rate"] == 1.0).all()  # n = p: easy


def test_adding_a_method_example(monkeypatch):
    page, block = block_using("class PlainGD")
    assert len(block.strip().splitlines()) <= 16  # the file-name comment and 15 lines
    namespace, _ = run_block(block, monkeypatch, page)
    est = namespace["PlainGD"](groups=4, max_iter=200)
    problem = gsbench.make_problem(64, 32, 4, 2, seed=1)  # n > p: least squares is w*
    est.fit(problem.X, problem.y)
    assert np.linalg.norm(est.coef_ - problem.w_star) < 1e-2 * np.linalg.norm(problem.w_star)
    from gsbench.methods import REGISTRY, register
    from gsbench.runner import fit_problems

    register("gd", namespace["PlainGD"])  # registered, it runs through the study's runner
    try:
        pr = gsbench.make_problem(200, 20, 2, 2, sigma=0.0, design="gaussian", seed=0)
        (row,), _ = fit_problems("gd", [pr])
        assert row["status"] == "ok" and row["rel_error_final"] < 1e-3
    finally:
        del REGISTRY["gd"]


def test_sweep_example(monkeypatch):
    page, block = block_using("fit_sweep(")
    namespace, out = run_block(block, monkeypatch, page)
    lines = out.splitlines()
    assert len(lines) == 4 and lines[0].startswith("{'depth': 2, 'alpha': 0.1}")
    results, X, y = namespace["results"], namespace["X"], namespace["y"]
    alone = gsbench.make_method("hadamard_depth", {"depth": 3, "alpha": 0.01}, groups=4)
    for a, b in zip(results[3], alone.fit_batch(X, y, namespace["X_val"], namespace["y_val"],
                                                namespace["w_star"])):
        np.testing.assert_allclose(a.coef_validation, b.coef_validation, rtol=1e-10, atol=1e-12)


def test_links_between_pages_resolve():
    """Relative Markdown links of the README and the pages point to files that exist (mkdocs
    --strict checks the pages' links too, but not the README's)."""
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", TEXT[page]):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{_name(page)} links to missing {target}"


def test_files_the_docs_quote_are_in_the_repository():
    # Every measurement file the docs quote numbers from must come with a checkout
    # (a `results/` pattern in .gitignore once kept them out).
    cited = set()
    for text in TEXT.values():
        cited |= set(re.findall(r"`((?:benchmarks|docs)/results/[^`\s]*)`", text))
    assert {"benchmarks/results/solvers.json", "docs/results/paper/"} <= cited
    missing = sorted(c for c in cited if not list(ROOT.glob(c.rstrip("/"))))
    assert not missing, f"the docs quote files missing from the repository: {missing}"
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "benchmarks/results",
                              "docs/results"], capture_output=True, text=True)
    if tracked.returncode == 0 and tracked.stdout:  # a git checkout: the files are committed
        files = set(tracked.stdout.split())
        for c in cited:
            matched = [str(f.relative_to(ROOT)) for f in ROOT.glob(c.rstrip("/"))]
            if c.endswith("/"):
                assert any(f.startswith(c) for f in files), c
            else:
                assert matched and set(matched) <= files, c
    for name in ("verdict.md", "transitions.csv", "laws.csv"):
        assert (ROOT / "docs" / "results" / "paper" / name).stat().st_size > 0


def test_test_files_the_docs_cite_exist():
    """A test the documentation points to (`tests/<folder>/<file>.py`, optionally
    `::<test>`) exists under that name, so a moved or renamed test is not cited stale."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    cited = 0
    for page in pages:
        for path, test in re.findall(r"(tests/[\w/]+\.py)(?:::(\w+))?", page.read_text()):
            assert (ROOT / path).is_file(), f"{_name(page)} cites missing {path}"
            if test:
                assert f"def {test}(" in (ROOT / path).read_text(), f"{_name(page)}: {path}::{test}"
            cited += 1
    assert cited > 10


def test_every_api_reference_entry_names_an_object():
    """docs/api.md's `::: path` entries and their `members` lists name importable objects:
    mkdocstrings leaves out a member it cannot resolve without a warning (a package whose
    names are imported on first use hides them from it), so a stale entry would vanish
    from the reference silently."""
    import importlib

    text = (ROOT / "docs" / "api.md").read_text()
    entries = re.findall(r"^::: ([\w.]+)\n((?:    .*\n)*)", text, flags=re.M)
    assert len(entries) >= 8
    for path, options in entries:
        module, _, attr = path.rpartition(".")
        try:
            obj = importlib.import_module(path)
        except ModuleNotFoundError:
            obj = getattr(importlib.import_module(module), attr)
        members = re.search(r"members: \[(.*)\]", options)
        for name in (members.group(1).split(", ") if members else []):
            assert hasattr(obj, name), f"docs/api.md: {path} has no member {name!r}"
            assert name not in getattr(obj, "_EXPORTS", {}), (
                f"docs/api.md: {path}.{name} is imported on first use; cite its module")
