"""The smoke study end to end, through the real `snakemake` command: its outputs, a rerun,
the report, a bad config, and a run killed mid-way then resumed.

Every test that reads the shared smoke study (`smoke_study`, tests/workflow/conftest.py) is
in this file, so that `--dist loadfile` runs that study once, on one worker.
"""

from __future__ import annotations

import pandas as pd
import pytest

from gsbench.rules import aggregate_stage, tables_stage, trials_stage
from gsbench.study import ROW_SCHEMA, chunk_cells, expand_cells, load_config, run_chunk
from gsbench.verdict import read_sections
from workflow_helpers import AGGREGATES, TABLES, is_nonblank_png, smoke_config, snakemake, write_config

pytestmark = pytest.mark.slow
FIGURES = ["phase_heatmaps", "success_curves", "scaling_groups", "scaling_entries", "error_curves",
           "phase_diagram"]


def test_smoke_study_outputs(smoke_study):
    cfg, out = smoke_study.config, smoke_study.out
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
    work, cfg = smoke_study.work, smoke_study.config
    files = sorted((work / "results").rglob("*"))
    before = {f: f.stat().st_mtime_ns for f in files if f.is_file()}
    proc = snakemake(work, cfg)
    assert "Nothing to be done" in proc.stderr + proc.stdout
    after = {f: f.stat().st_mtime_ns for f in files if f.is_file()}
    assert before == after


def test_report_has_every_figure_and_the_config(smoke_study, tmp_path):
    work, cfg = smoke_study.work, smoke_study.config
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
    """The study's outputs as text with timing columns removed (they are expected to differ),
    trials in one row order."""
    trials = pd.read_parquet(out / "trials.parquet").drop(columns=["seconds"])
    trials = trials.sort_values(["method", "cell_id", "trial"], kind="stable")
    texts = {"trials": trials.to_csv(index=False)}
    for name in ("summary", "transitions", "scaling"):
        frame = pd.read_csv(out / f"{name}.csv")
        frame = frame[[c for c in frame.columns if not c.startswith("seconds")]]
        texts[name] = frame.to_csv(index=False)
    for name in ("transitions.md", "scaling.md", "transitions.tex", "scaling.tex"):
        texts[name] = (out / "tables" / name).read_text()
    return texts


def test_interrupted_study_resumes_to_the_outputs_of_an_uninterrupted_computation(smoke_study,
                                                                                 tmp_path):
    """A study killed mid-way (on 1 core) and resumed (on 2 cores) loses nothing: every file
    the kill left is complete, and the resumed study's trials, aggregates and tables equal
    those of the same fits, aggregation and tables computed here without Snakemake (one
    process, one after the other), so neither the interruption nor the number of cores
    changes a result."""
    killed = smoke_study.interruption
    assert killed.running, "the study finished before it could be interrupted"
    assert killed.jobs_done < 3, "nothing was left to redo"
    assert killed.rows and all(rows > 0 for rows in killed.rows.values()), killed.rows
    config = load_config(smoke_study.config)
    fits = []
    for method, chunks in chunk_cells(config).items():
        for chunk in chunks:
            fits.append(tmp_path / "fits" / method / f"{chunk}.parquet")
            run_chunk(config, method, chunk, fits[-1])
    trials_stage(config, [str(f) for f in fits], str(tmp_path / "trials.parquet"))
    aggregate_stage(config, str(tmp_path / "trials.parquet"),
                    *(str(tmp_path / name) for name in AGGREGATES))
    tables = {name: str(tmp_path / "tables" / name) for name in TABLES}
    tables_stage(str(tmp_path / "transitions.csv"), str(tmp_path / "scaling.csv"), tables,
                 str(tmp_path / "summary.csv"))
    assert comparable(smoke_study.out) == comparable(tmp_path)
    leftovers = [p for p in (smoke_study.work / "results").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
