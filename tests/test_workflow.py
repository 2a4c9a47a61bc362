"""The study workflow end to end, through the real `snakemake` command."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gsbench.study import ROW_SCHEMA, expand_cells, load_config
from workflow_helpers import is_nonblank_png, smoke_config, snakemake, write_config

pytestmark = pytest.mark.slow
FIGURES = ["phase_heatmaps", "success_curves", "scaling_groups", "scaling_entries", "error_curves"]


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


def test_invalid_config_stops_before_any_job(tmp_path):
    cfg = write_config(tmp_path, smoke_config(trials=0))
    proc = snakemake(tmp_path, cfg, check=False)
    assert proc.returncode != 0
    assert "config key 'trials': 0 is less than the minimum of 1" in proc.stderr
    assert not (tmp_path / "results").exists()


def test_a_method_added_as_a_plugin_reaches_every_output(plugin_study):
    out = plugin_study  # tests/plugins/ridge_plugin.py, beside flaky_plugin.py
    trials = pd.read_parquet(out / "trials.parquet")
    ridge = trials[trials["method"] == "ridge"]
    assert len(ridge) == len(trials) / 2 and (ridge["status"] == "ok").all()
    assert json.loads(ridge["params"].iloc[0])["lam"] == 0.001
    # ridge does not do sparse recovery: it never reaches 5% error with n < p
    assert ridge.loc[ridge["n"] < ridge["p"], "rel_error_oracle"].min() > 0.05
    for name in ("summary.csv", "transitions.csv", "scaling.csv"):
        assert "ridge" in set(pd.read_csv(out / name)["method"]), name
    for name in ("transitions.md", "scaling.md", "transitions.tex"):
        assert "ridge" in (out / "tables" / name).read_text(), name
