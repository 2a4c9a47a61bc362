"""The simulation figures 2-5 of the DGLNN paper (Section 5), re-run with gsbench's methods.

Li, Nguyen, Hegde & Wong, "Implicit regularization for group sparsity" (ICLR 2023):

* Fig. 2: Algorithm 1 (``dglnn1``), recovery error and group magnitudes against iteration;
* Fig. 3: Algorithm 2 (``dglnn2``), recovered entries, group magnitudes and directions,
  with the step-size switch;
* Fig. 4: Algorithm 2 next to ``w = u∘u - v∘v`` (``hadamard``) with few samples;
* Fig. 5: the degenerate case (group size 1), coordinate paths and the log error over
  repetitions (median and quartile band).

Every ``figureN(settings, outdir)`` fits, writes ``figN.csv`` (tidy curves: ``figure,
panel, method, series, index, active, iteration, value``), draws ``figN.png`` and
``figN.pdf`` from that table (so the CSV re-plots the figure), and returns the measured
numbers with a verdict against the paper's statement, decided by the thresholds in
``settings[figN]["criteria"]``. :func:`run_all` runs them and writes ``paper_figures.md``
(quotes, numbers, criteria, verdicts) and ``paper_figures.json``.

Settings come from a file such as ``config/paper_figures.yaml`` (schema
``gsbench/data/paper_figures.schema.yaml``; :func:`load_settings`, the path passed by the
caller); every run is
deterministic (fixed seeds, no early termination: the figures show whole trajectories).

Modules
-------
settings
    :class:`SettingsError`, :func:`load_settings`, :func:`validate_settings`,
    :func:`scaled_settings`, :func:`output_names`.
statements
    Each figure's title and the paper's statement about it (:data:`TITLES`, :data:`QUOTES`).
fitting
    The problems, one batched fit without early termination, error statistics of a path.
tables
    Curve thinning, tidy curve rows and the CSV file (:data:`CSV_COLUMNS`).
plotting
    Style, figure and file, axis, line, legend and palette helpers.
fig2, fig3, fig4, fig5
    Each figure's ``figureN`` (fit, numbers, CSV, plot), its verdict and its drawing.
summary
    ``paper_figures.md`` (:func:`write_summary`) and the JSON-ready numbers.
run
    :func:`run_all` and the workflow stage :func:`paper_figures_stage`.
"""

from .fig2 import figure2
from .fig3 import figure3
from .fig4 import figure4
from .fig5 import figure5
from .fitting import NO_EARLY_STOP
from .plotting import METHOD_LABELS
from .run import FIGURE_FUNCTIONS, paper_figures_stage, run_all
from .settings import (
    FIGURES,
    SettingsError,
    load_settings,
    output_names,
    scaled_settings,
    validate_settings,
)
from .statements import QUOTES, TITLES
from .summary import write_summary
from .tables import CSV_COLUMNS

__all__ = [
    "FIGURES",
    "CSV_COLUMNS",
    "load_settings",
    "validate_settings",
    "scaled_settings",
    "figure2",
    "figure3",
    "figure4",
    "figure5",
    "write_summary",
    "run_all",
    "output_names",
    "SettingsError",
    "NO_EARLY_STOP",
    "METHOD_LABELS",
    "FIGURE_FUNCTIONS",
    "paper_figures_stage",
    "QUOTES",
    "TITLES",
]
