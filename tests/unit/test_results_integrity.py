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
from workflow_helpers import snakemake, write_config

CONFIG = {
    "study": "integrity",
    "grid": {"p": [16], "group_size": [4], "active_groups": [1], "n": [8, 12]},
    "trials": 2,
    "methods": {"lasso": {}},
    "jobs_per_method": 1,
    "bootstrap": 10,
}


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


def _jobs(proc) -> set[str]:
    """Rule names of a dry run's "Job stats" table."""
    lines = proc.stdout.splitlines()
    if "Job stats:" not in lines:
        return set()
    table = lines[lines.index("Job stats:") + 3:]
    return {line.split()[0] for line in table[:table.index("") if "" in table else None]
            if line.split() and line.split()[0] != "total"}


@pytest.mark.slow
def test_damaged_deleted_fit_files_and_trials_are_caught_and_rebuilt(tmp_path):
    config = write_config(tmp_path, CONFIG)
    out = tmp_path / "results" / "integrity"
    trials_target = "results/integrity/trials.parquet"
    snakemake(tmp_path, config, trials_target, cores=1)
    (fit,) = (out / "fits" / "lasso").glob("*.parquet")
    # Stand-ins for the tables, figures and report inputs of an earlier complete run.
    summary = snakemake(tmp_path, config, "--summary", cores=1).stdout.splitlines()[1:]
    future = fit.stat().st_mtime + 60
    for line in summary:
        target = tmp_path / line.split("\t")[0]
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("")
            os.utime(target, (future, future))

    trials = (out / "trials.parquet").read_bytes()
    (out / "trials.parquet").unlink()  # `rule all` asks for it: rebuilt, nothing else
    assert _jobs(snakemake(tmp_path, config, "-n", cores=1)) == {
        "trials", "aggregate", "figure", "coherence_figure", "tables", "budget_check", "verdict_laws", "verdict",
        "all"}
    (out / "trials.parquet").write_bytes(trials)
    os.utime(out / "trials.parquet", (future - 30, future - 30))

    stat = fit.stat()
    fit.write_bytes(fit.read_bytes()[:300])  # truncated, old mtime: Snakemake sees nothing
    os.utime(fit, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    proc = snakemake(tmp_path, config, "-n", cores=1, check=False)
    assert proc.returncode != 0
    (line,) = [x for x in proc.stderr.splitlines() if x.startswith("gsbench: results file")]
    assert f"results/integrity/fits/lasso/{fit.name} changed after its job wrote it" in line
    assert f"delete it (rm results/integrity/fits/lasso/{fit.name})" in line

    fit.unlink()  # as advised: `rule all` asks for it, so it and everything after it rerun
    assert {"fit", "trials", "aggregate"} <= _jobs(snakemake(tmp_path, config, "-n", cores=1))
