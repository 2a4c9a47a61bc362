"""The smoke study end to end, through the real `snakemake` command: its outputs, a rerun,
the report, a bad config, and an interrupted run on another number of cores.

Every test that reads the shared smoke study (`smoke_study`, tests/conftest.py) is in
this file, so that `--dist loadfile` runs that study once, on one worker.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

import pandas as pd
import pytest

from gsbench.study import ROW_SCHEMA, expand_cells, load_config
from gsbench.verdict import read_sections
from workflow_helpers import (
    is_nonblank_png,
    smoke_config,
    snakemake,
    snakemake_command,
    table_targets,
    write_config,
)

pytestmark = pytest.mark.slow
FIGURES = ["phase_heatmaps", "success_curves", "scaling_groups", "scaling_entries", "error_curves",
           "phase_diagram"]


def test_smoke_study_outputs(smoke_study):
    work, cfg = smoke_study
    out = work / "results" / "smoke"
    config = load_config(cfg)
    cells, skipped = expand_cells(config)
    methods = list(config["methods"])
    n_rows = len(methods) * len(cells) * config["trials"]

    trials = pd.read_parquet(out / "trials.parquet")
    assert list(trials.columns) == list(ROW_SCHEMA)
    assert len(trials) == n_rows
    assert set(trials["method"]) == set(methods)
    assert (trials["status"] == "ok").all()
    assert trials[["rel_error_oracle", "rel_error_validation", "rel_error_final"]].ge(0).all().all()
    assert trials["support_recall"].between(0, 1).all()
    # the oracle-stopped estimate is never worse than the final one
    assert (trials["rel_error_oracle"] <= trials["rel_error_final"] + 1e-12).all()
    # the same problems for all methods of a cell
    seeds = trials.pivot_table(index=["cell_id", "trial"], columns="method", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()

    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == len(methods) * len(cells)
    assert summary["success_rate"].between(0, 1).all()
    assert (summary["success_low"] <= summary["success_rate"]).all()
    assert (summary["success_rate"] <= summary["success_high"]).all()
    assert (summary["trials"] == config["trials"]).all()
    # easy cells succeed, hard ones fail: the grid spans a phase transition
    assert summary.loc[summary["n"] == 48, "success_rate"].min() == 1.0
    assert summary.loc[(summary["n"] == 8) & (summary["active_groups"] == 4), "success_rate"].max() == 0.0

    transitions = pd.read_csv(out / "transitions.csv")
    assert len(transitions) == len(methods) * 2 * 3  # group sizes x active groups
    ok = transitions[transitions["transition"] == "ok"]
    assert len(ok) > 0
    assert ((ok["n_star"] >= ok["n_min"]) & (ok["n_star"] <= ok["n_max"])).all()
    assert ((ok["n_star_low"] <= ok["n_star"]) & (ok["n_star"] <= ok["n_star_high"])).all()
    outside = transitions[transitions["transition"] != "ok"]
    assert outside["n_star"].isna().all()

    scaling = pd.read_csv(out / "scaling.csv")
    assert sorted(scaling["method"]) == sorted(methods)
    for col in ("b", "b_low", "b_high", "c", "c_low", "c_high"):
        assert col in scaling.columns
    assert scaling["b"].notna().all()

    for name in FIGURES:
        assert is_nonblank_png(out / "figures" / f"{name}.png"), name
        assert (out / "figures" / f"{name}.pdf").read_bytes().startswith(b"%PDF")
    tex = (out / "tables" / "transitions.tex").read_text()
    assert "\\toprule" in tex and "\\bottomrule" in tex
    md = (out / "tables" / "scaling.md").read_text()
    assert all(m in md for m in methods)

    # verdict.md: the Summary, then the sections the laws stage saved (Regime first), in
    # order, each method with its row
    verdict = (out / "verdict.md").read_text()
    assert verdict.startswith(f"# Verdict: study {config['study']}\n")
    sections = read_sections(out / "verdict" / "laws.json")
    parts = verdict.split("\n## ")[1:]
    assert sections[0].title == "Regime"
    assert [part.splitlines()[0] for part in parts] == ["Summary"] + [sec.title for sec in sections]
    statements = [row.split(" | ")[0].removeprefix("| ") for row in parts[2].splitlines()
                  if row.startswith("| ") and not row.startswith("| Statement")]
    assert sorted(st.rsplit(" of ", 1)[1] for st in statements) == sorted(methods)


def test_rerun_recomputes_nothing(smoke_study):
    work, cfg = smoke_study
    files = sorted((work / "results").rglob("*"))
    before = {f: f.stat().st_mtime_ns for f in files if f.is_file()}
    proc = snakemake(work, cfg)
    assert "Nothing to be done" in proc.stderr + proc.stdout
    after = {f: f.stat().st_mtime_ns for f in files if f.is_file()}
    assert before == after


def test_report_has_every_figure_and_the_config(smoke_study, tmp_path):
    work, cfg = smoke_study
    report = tmp_path / "report.html"  # outside the shared study: it stays as the run left it
    snakemake(work, cfg, "--report", str(report))
    html = report.read_text(errors="replace")
    assert len(html) > 100_000
    for name in FIGURES:
        assert f"{name}.png" in html
    assert "trials per cell" in html and "rel_error_oracle" in html
    assert "Provenance: gsbench" in html and "method code keys: dglnn2" in html


def test_invalid_config_stops_before_any_job(tmp_path):
    cfg = write_config(tmp_path, smoke_config(trials=0))
    proc = snakemake(tmp_path, cfg, check=False)
    assert proc.returncode != 0
    assert "config key 'trials': 0 is less than the minimum of 1" in proc.stderr
    assert not (tmp_path / "results").exists()


def comparable(out) -> dict[str, str]:
    """The study's outputs as text with timing columns removed (they are expected to differ)."""
    trials = pd.read_parquet(out / "trials.parquet").drop(columns=["seconds"])
    texts = {"trials": trials.to_csv(index=False)}
    for name in ("summary", "transitions", "scaling"):
        frame = pd.read_csv(out / f"{name}.csv")
        frame = frame[[c for c in frame.columns if not c.startswith("seconds")]]
        texts[name] = frame.to_csv(index=False)
    for name in ("transitions.md", "scaling.md", "transitions.tex", "scaling.tex"):
        texts[name] = (out / "tables" / name).read_text()
    return texts


@pytest.fixture(scope="module")
def reference(smoke_study):
    """The shared smoke study's outputs, run on 2 cores."""
    work, _ = smoke_study
    return comparable(work / "results" / "smoke")


def test_interrupted_one_core_study_resumes_to_the_two_core_outputs(tmp_path, reference):
    """Two properties at the price of one run: a study killed mid-way and resumed loses
    nothing, and the number of cores does not change a result (this run and its resumption
    use 1 core, the reference used 2)."""
    cfg = write_config(tmp_path, smoke_config())
    cmd = snakemake_command(tmp_path, cfg, *table_targets(), cores=1)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    fits = tmp_path / "results" / "smoke" / "fits"
    deadline = time.time() + 120
    while time.time() < deadline and not (fits.exists() and any(fits.rglob("*.parquet"))):
        time.sleep(0.2)
    assert proc.poll() is None, "the study finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(1.0)
    with contextlib.suppress(ProcessLookupError):  # then the hard way, jobs included
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = list(fits.glob("*/*.parquet"))  # the jobs' outputs (stored cells: fits/*/cells/)
    assert len(done) < 3, "nothing was left to redo"
    for path in fits.rglob("*.parquet"):  # what exists is complete, stored cells included
        assert len(pd.read_parquet(path)) > 0
    # A killed Snakemake leaves its lock: unlock, then rerun (docs/study.md, "Interrupted runs").
    snakemake(tmp_path, cfg, "--unlock")
    snakemake(tmp_path, cfg, "--rerun-incomplete", *table_targets())
    assert comparable(tmp_path / "results" / "smoke") == reference
    leftovers = [p for p in (tmp_path / "results").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
