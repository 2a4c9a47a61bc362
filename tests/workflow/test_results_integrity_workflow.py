"""Fit files on disk through the real `snakemake`: damaged, changed or deleted fit files and
trials are caught, named in one line, and rebuilt with everything after them."""

import os

import pytest

from workflow_helpers import data_config, snakemake, write_config

CONFIG = data_config("integrity_study")


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
        "trials", "aggregate", "figure", "coherence_figure", "tables", "budget_check", "noise_check",
        "verdict_laws", "verdict",
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
