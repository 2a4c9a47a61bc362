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

Each name is imported from its module on first use: the tables do not import seaborn.
"""

from ..lazy_imports import lazy_exports

# public name -> module that defines it
_EXPORTS = {
    "save": ".figures",
    "plot_phase_heatmaps": ".figures",
    "plot_success_curves": ".figures",
    "plot_scaling_groups": ".figures",
    "plot_scaling_entries": ".figures",
    "plot_error_curves": ".figures",
    "transitions_table": ".tables",
    "scaling_table": ".tables",
    "write_tables": ".tables",
    "format_interval": ".tables",
    "TABLE_FILES": ".tables",
}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
