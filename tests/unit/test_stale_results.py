"""Results never go stale, without Snakemake: a mixed-code aggregate is refused, a job
reuses the stored cells and refits a damaged one, and `gsbench study status` names what is
current, stale or missing. (Reruns through the real `snakemake` after each change of a study:
tests/workflow/test_stale_results_workflow.py.)
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from gsbench.study import load_config, read_fits
from gsbench.study.chunks import fit_cells
from gsbench.study.cells import expand_cells
from gsbench.study.io import MixedCodeError
from workflow_helpers import data_config


def test_fits_of_two_code_versions_are_refused_unless_allowed(tmp_path):
    """Two fit files of one method whose code keys differ cannot be aggregated silently."""
    config = load_config(data_config("stale_study", methods={"lasso": {}}, plugins=[]))
    cells, _ = expand_cells(config)
    a, b = tmp_path / "a" / "x.parquet", tmp_path / "b" / "y.parquet"
    fit_cells(config, "lasso", cells[:1], a)
    frame = fit_cells(config, "lasso", cells[1:], b)
    frame["code_key"] = "0ldc0de0"  # as an older gsbench would have written it
    from gsbench.study.chunks import _write_fit
    from gsbench.study.fingerprint import fit_key

    _write_fit(frame, b, [fit_key(config, "lasso", cells[1])])
    with pytest.raises(MixedCodeError, match=r"'lasso'.*0ldc0de0: .*y\.parquet.*allow_code_changes"):
        read_fits([a, b])
    mixed = read_fits([a, b], allow_code_changes=True)
    assert "0ldc0de0" in set(mixed["code_key"]) and mixed["code_key"].nunique() == 2 and len(mixed) == 6


def test_a_job_reuses_stored_cells_and_refits_a_damaged_one(tmp_path):
    """The per-cell store: a second job over the same cells reads them; a cell file edited
    after its job wrote it is fitted again, not used."""
    config = load_config(data_config("stale_study", methods={"lasso": {}}, plugins=[]))
    cells, _ = expand_cells(config)
    out = tmp_path / "fits" / "lasso" / "chunk00-00000000.parquet"
    first = fit_cells(config, "lasso", cells, out)
    stored = sorted((out.parent / "cells").glob("*.parquet"))
    assert len(stored) == 2
    times = [p.stat().st_mtime_ns for p in stored]
    again = fit_cells(config, "lasso", cells, out.with_name("chunk01-00000000.parquet"))
    assert [p.stat().st_mtime_ns for p in stored] == times
    pd.testing.assert_frame_equal(first.drop(columns="seconds"), again.drop(columns="seconds"))
    shutil.copy(stored[1], stored[0])  # damaged: its checksum no longer matches
    fit_cells(config, "lasso", cells, out)
    assert stored[0].stat().st_mtime_ns != times[0] and stored[1].stat().st_mtime_ns == times[1]


def test_status_names_current_stale_and_missing_fits_with_the_reason(tmp_path):
    from gsbench.study.status import format_status, study_status

    config = load_config(data_config("stale_study", methods={"lasso": {}, "group_lasso": {}}, plugins=[]))
    cells, _ = expand_cells(config)
    fits = tmp_path / "results" / "stale" / "fits"
    fit_cells(config, "lasso", cells, fits / "lasso" / "chunk00-00000000.parquet")
    fit_cells(config, "group_lasso", cells[:1], fits / "group_lasso" / "chunk00-00000000.parquet")
    lasso, group = study_status(config, tmp_path)
    assert (lasso.current, lasso.stale, lasso.missing) == (2, 0, 0)
    assert (group.current, group.stale, group.missing) == (1, 0, 1) and group.cpu_seconds > 0
    changed = load_config(data_config("stale_study", methods={"lasso": {"n_lambdas": 10}, "group_lasso": {}},
                                  plugins=[], trials=3))
    lasso, group = study_status(changed, tmp_path)
    assert (lasso.current, lasso.stale, lasso.missing) == (0, 2, 0)
    assert dict(lasso.reasons) == {"parameters": 2}
    more = load_config(data_config("stale_study", methods={"lasso": {}, "group_lasso": {}}, plugins=[], trials=4))
    text = format_status(more, study_status(more, tmp_path))
    assert "problem options" not in text and "trials (2)" in text
    assert "4 cell fit(s) to compute" in text


def test_the_analysis_key_covers_the_code_behind_lazily_imported_names():
    """The analysis rules rerun when the code they run changes: the static closure behind
    the analysis key follows a package's ``_EXPORTS`` (names imported on first use, as
    ``gsbench.report.plot_error_curves`` is by the figure jobs) like an import statement."""
    import ast

    from gsbench.study import fingerprint

    closure = fingerprint.module_closure(fingerprint.ANALYSIS_MODULES)
    assert {"gsbench.report", "gsbench.report.figures", "gsbench.report.tables"} <= set(closure)
    source = '_EXPORTS = {"draw": ".drawing", "metric": "gsbench.metrics"}\nOTHER = {"x": ".y"}\n'
    assert fingerprint._lazy_export_modules(ast.parse(source), "gsbench.probe") == {
        "gsbench.probe.drawing", "gsbench.metrics"}
