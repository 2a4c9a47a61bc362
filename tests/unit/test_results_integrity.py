"""Fit files on disk: checksums, damaged or changed files named in one line, rebuilt when gone."""

import hashlib
import os

import pandas as pd
import pytest

from gsbench.study import (
    ResultsSchemaError,
    check_results_file,
    checksum_path,
    chunk_cells,
    load_config,
    read_fits,
    run_chunk,
)
from workflow_helpers import data_config

CONFIG = data_config("integrity_study")


@pytest.fixture
def fit_file(tmp_path):
    """One real fit job's output (lasso, 2 cells x 2 trials) and its checksum."""
    config = load_config(dict(CONFIG))
    (chunk,) = chunk_cells(config)["lasso"]
    path = tmp_path / "fits" / "lasso" / f"{chunk}.parquet"
    frame = run_chunk(config, "lasso", chunk, path)
    return path, frame


def test_fit_job_records_the_sha256_of_its_file(fit_file):
    path, frame = fit_file
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert checksum_path(path).read_text() == f"{digest}  {path.name}\n"  # sha256sum -c format
    fits = read_fits([path])
    assert len(fits) == len(frame) == 4
    assert fits["rel_error_oracle"].tolist() == frame["rel_error_oracle"].tolist()


def test_changed_file_with_its_old_mtime_is_detected(fit_file):
    path, frame = fit_file
    stat = path.stat()
    frame.assign(rel_error_oracle=0.0).to_parquet(path, index=False)  # readable, other content
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    message = (f"results file {path} changed after its job wrote it (its SHA-256 differs from "
               f"{path.name}.sha256); delete it (rm {path}) and run again to recompute it")
    with pytest.raises(ResultsSchemaError) as info:
        read_fits([path])
    assert str(info.value) == message


def test_truncated_file_names_the_file_to_delete(fit_file):
    path, _ = fit_file
    checksum_path(path).unlink()  # e.g. written by an older version: readability still checked
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ResultsSchemaError, match=rf"^results file {path} cannot be read \(.*\); "
                                                 rf"delete it \(rm {path}\) and run again"):
        check_results_file(path)
