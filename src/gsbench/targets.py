"""What a study writes: the names of its figures, tables and analysis files, and the paths of
the default target's outputs, which the workflow asks for (``workflow/rules/common.smk``).

Each name is written once, here: the figure drawers (:data:`gsbench.rules.FIGURES`), the
table writer (:data:`gsbench.report.TABLE_FILES`) and the coherence figures
(:data:`gsbench.report.coherence_figures.SCALED_COHERENCE`) are keyed by these lists. This
module imports nothing (the workflow reads it while it builds the DAG).

>>> study_outputs({"grid": {"n": [8, 16], "design": ["rademacher"]}}, "results/smoke")[:2]
['results/smoke/summary.csv', 'results/smoke/transitions.csv']
"""

from __future__ import annotations

__all__ = [
    "ANALYSIS_TABLES",
    "COHERENCE_MEASURES",
    "PAPER_FIGURES",
    "FIGURE_FORMATS",
    "STUDY_FIGURES",
    "TABLE_FILES",
    "is_decoy_study",
    "incoherence_outputs",
    "paper_figures_outputs",
    "study_outputs",
]

#: The study's figures (``figures/<name>.png`` and ``.pdf``), drawn from the three CSVs.
STUDY_FIGURES = (
    "phase_heatmaps",
    "success_curves",
    "scaling_groups",
    "scaling_entries",
    "error_curves",
    "phase_diagram",
)
#: Formats every figure is saved in.
FIGURE_FORMATS = ("png", "pdf")
#: The aggregated tables (``<name>.csv``) the figures, tables and verdict are made from.
ANALYSIS_TABLES = ("summary", "transitions", "scaling")
#: The table files of a study (``tables/<file>``): file name -> (table, format).
TABLE_FILES: dict[str, tuple[str, str]] = {
    "transitions.tex": ("transitions", "latex"),
    "transitions.md": ("transitions", "markdown"),
    "scaling.tex": ("scaling", "latex"),
    "scaling.md": ("scaling", "markdown"),
}
#: The DGLNN paper's figures that the ``paper_figures`` target re-runs (:mod:`gsbench.paper_figures`).
PAPER_FIGURES = ("fig2", "fig3", "fig4", "fig5")
#: Scaled coherence measures of the success-vs-coherence figures
#: (``figures/success_vs_<measure>``): s·δ_out and s·g·μ.
COHERENCE_MEASURES = ("delta_out", "mu")


def is_decoy_study(config: dict) -> bool:
    """A study analysed in the decoy weight rho at one n per (p, g, s) (decoy designs, or
    ``grid.n: {statdim_l1: c}``): no n-transitions, hence no tables, laws or n* figures."""
    n = config["grid"]["n"]
    return (isinstance(n, dict) and "statdim_l1" in n) or "decoy" in config["grid"]["design"]


def incoherence_outputs(config: dict, out: str) -> list[str]:
    """Success-vs-coherence figures; with decoy designs, rho* too."""
    paths = [f"{out}/figures/success_vs_{m}.{ext}" for m in COHERENCE_MEASURES
             for ext in FIGURE_FORMATS]
    if "decoy" in config["grid"]["design"]:
        paths.append(f"{out}/incoherence/rho_star.csv")
    return paths


def study_outputs(config: dict, out: str) -> list[str]:
    """The analysis outputs of a study (beyond its fit files and ``trials.parquet``), under
    the results directory `out`: the aggregated tables, the figures, the table files and the
    coherence outputs (:func:`incoherence_outputs`; a decoy study has only those)."""
    if is_decoy_study(config):
        return incoherence_outputs(config, out)
    return (
        [f"{out}/{name}.csv" for name in ANALYSIS_TABLES]
        + [f"{out}/figures/{fig}.{ext}" for fig in STUDY_FIGURES for ext in FIGURE_FORMATS]
        + [f"{out}/tables/{name}" for name in TABLE_FILES]
        + incoherence_outputs(config, out)
    )


def paper_figures_outputs(figures=PAPER_FIGURES) -> list[str]:
    """File names the ``paper_figures`` target writes into its output directory
    (:func:`gsbench.paper_figures.run_all`): each figure's PNG, PDF and curve CSV, and the
    summary in Markdown and JSON."""
    names = [f"{fig}.{ext}" for fig in figures for ext in ("png", "pdf", "csv")]
    return names + ["paper_figures.md", "paper_figures.json"]
