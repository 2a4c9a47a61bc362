"""Figures (seaborn, PNG + PDF) and paper tables (LaTeX booktabs, Markdown) of a study.

Public functions
----------------
plot_phase_heatmaps, plot_success_curves, plot_scaling_groups, plot_scaling_entries,
plot_error_curves
    Write ``out`` (PNG) and the same name with ``.pdf``; return both paths.
save
    Write a matplotlib figure as PNG and PDF, byte-reproducibly (module ``figure_base``:
    the style, figure, palette and files shared with :mod:`gsbench.paper_figures`).
transitions_table, scaling_table
    Format the analysis tables as LaTeX or Markdown strings.
write_tables
    Read the transitions/scaling CSVs and write ``transitions.{tex,md}``,
    ``scaling.{tex,md}`` (``TABLE_FILES``) into a directory or to given paths.
"""

from .figures import (
    plot_error_curves,
    plot_phase_heatmaps,
    plot_scaling_entries,
    plot_scaling_groups,
    plot_success_curves,
    save,
)
from .tables import TABLE_FILES, format_interval, scaling_table, transitions_table, write_tables

__all__ = [
    "save",
    "plot_phase_heatmaps",
    "plot_success_curves",
    "plot_scaling_groups",
    "plot_scaling_entries",
    "plot_error_curves",
    "transitions_table",
    "scaling_table",
    "write_tables",
    "format_interval",
    "TABLE_FILES",
]
