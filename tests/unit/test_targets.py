"""The names of a study's outputs exist once (gsbench.targets): the workflow's default
target, the figure drawers, the table writer and the coherence figures all take them there."""

from __future__ import annotations

from pathlib import Path

from gsbench import targets
from gsbench.report import TABLE_FILES
from gsbench.report.coherence_figures import SCALED_COHERENCE
from gsbench.rules import FIGURES

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())


def test_each_figure_name_draws_the_figure_of_that_name():
    assert tuple(FIGURES) == targets.STUDY_FIGURES
    for name, draw in FIGURES.items():
        assert f"plot_{name}" in draw.__code__.co_names, name


def test_tables_and_coherence_measures_are_the_targets_lists():
    assert TABLE_FILES is targets.TABLE_FILES
    assert tuple(SCALED_COHERENCE) == targets.COHERENCE_MEASURES


def test_study_outputs_of_a_fixed_grid_and_of_a_decoy_study():
    grid = {"n": [8, 16], "design": ["rademacher"]}
    out = targets.study_outputs({"grid": grid}, "results/x")
    assert out[:3] == ["results/x/summary.csv", "results/x/transitions.csv", "results/x/scaling.csv"]
    assert "results/x/figures/phase_diagram.pdf" in out and "results/x/tables/scaling.md" in out
    assert out[-1] == "results/x/figures/success_vs_mu.pdf"
    assert len(out) == 3 + 2 * len(targets.STUDY_FIGURES) + len(TABLE_FILES) + 4
    decoy = {"grid": {"n": {"statdim_l1": 2.0}, "design": ["decoy"]}}
    assert targets.is_decoy_study(decoy)
    assert targets.study_outputs(decoy, "r") == [
        "r/figures/success_vs_delta_out.png", "r/figures/success_vs_delta_out.pdf",
        "r/figures/success_vs_mu.png", "r/figures/success_vs_mu.pdf", "r/incoherence/rho_star.csv"]


def test_the_workflow_writes_no_name_list_of_its_own():
    common = (ROOT / "workflow" / "rules" / "common.smk").read_text()
    paper = (ROOT / "workflow" / "rules" / "paper_figures.smk").read_text()
    for name in (*targets.STUDY_FIGURES, *TABLE_FILES, *targets.COHERENCE_MEASURES):
        assert f'"{name}"' not in common, name
    assert "fig2.png" not in paper and "paper_figures_outputs()" in paper
