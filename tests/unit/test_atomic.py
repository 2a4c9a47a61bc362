"""Every file gsbench writes goes through gsbench.atomic: whole or not at all, with the
permissions of a plain open() (0o666 & ~umask), no temporary file left behind."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from gsbench import atomic

SRC = Path(__file__).resolve().parents[2] / "src" / "gsbench"


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _figure() -> Figure:
    fig = Figure(figsize=(2, 2))
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig


def test_every_writer_honours_the_umask_and_leaves_no_temporary_file(tmp_path, umask_022):
    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]})
    paths = [
        atomic.write_text(tmp_path / "t.md", "text\n"),
        atomic.write_bytes(tmp_path / "b.bin", b"\x00\x01"),
        atomic.write_table(frame, tmp_path / "t.csv"),
        atomic.write_table(frame, tmp_path / "sub" / "t.parquet"),
        atomic.save_figure(_figure(), tmp_path / "f.png", dpi=50),
        atomic.save_figure(_figure(), tmp_path / "f.pdf"),
    ]
    assert [_mode(p) for p in paths] == [0o644] * len(paths)
    assert pd.read_parquet(paths[3]).equals(frame) and pd.read_csv(paths[2]).equals(frame)
    assert paths[4].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and paths[5].read_bytes()[:4] == b"%PDF"
    leftovers = [p.name for p in tmp_path.rglob(".*")]
    assert leftovers == []


def test_umask_077_gives_0600(tmp_path):
    old = os.umask(0o077)
    try:
        assert _mode(atomic.write_text(tmp_path / "x.txt", "x")) == 0o600
    finally:
        os.umask(old)


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary(tmp_path):
    target = atomic.write_text(tmp_path / "keep.txt", "old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_a_temporary_left_by_a_killed_writer_is_removed_by_the_next_write(tmp_path):
    stale = tmp_path / ".out.csv.abc123.tmp"
    stale.write_text("half a file")
    atomic.write_table(pd.DataFrame({"a": [1]}), tmp_path / "out.csv")
    assert not stale.exists() and (tmp_path / "out.csv").read_text() == "a\n1\n"


def test_parquet_refuses_csv_options(tmp_path):
    with pytest.raises(TypeError, match="float_format"):
        atomic.write_table(pd.DataFrame({"a": [1.0]}), tmp_path / "x.parquet", float_format="%.3g")


def test_figure_base_save_and_write_tables_are_atomic(tmp_path, monkeypatch, umask_022):
    """The report's figure and table writers keep the previous file when rendering fails."""
    from gsbench.report import figure_base, tables

    png, pdf = figure_base.save(_figure(), tmp_path / "fig")
    assert _mode(png) == _mode(pdf) == 0o644
    before = png.read_bytes()
    broken = _figure()
    monkeypatch.setattr(broken, "savefig", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        figure_base.save(broken, tmp_path / "fig")
    assert png.read_bytes() == before and not list(tmp_path.glob(".*"))


def _calls(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                owner = func.value.id if isinstance(func.value, ast.Name) else ""
                names.add(f"{owner}.{func.attr}" if owner in {"os", "tempfile", "np"} else f".{func.attr}")
    return names


def test_no_module_writes_a_file_except_through_gsbench_atomic():
    """savefig, to_csv, to_parquet, write_text, os.replace, mkstemp are called only in
    gsbench/atomic.py. (np.save/np.savez: the CLI's --save-* hand them atomic_path's temporary;
    Problem.to_npz is that writer.)"""
    writers = {".savefig", ".to_csv", ".to_parquet", ".write_text", ".write_bytes",
               "os.replace", "os.rename", "tempfile.mkstemp"}
    offenders = {}
    for path in SRC.rglob("*.py"):
        if path.name == "atomic.py":
            continue
        found = _calls(ast.parse(path.read_text(encoding="utf-8"))) & writers
        if found:
            offenders[str(path.relative_to(SRC))] = sorted(found)
    assert offenders == {}
