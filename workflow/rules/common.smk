# Configuration validation, the grid of cells and its jobs, wildcard constraints.
import sys

from gsbench.study import (
    ConfigError,
    chunk_cells,
    expand_cells,
    load_config,
    warn_skipped,
)

try:
    _validated = load_config(config)
except ConfigError as exc:
    sys.exit(f"gsbench: invalid configuration: {exc}")
config.clear()
config.update(_validated)

STUDY = config["study"]
OUT = f"results/{STUDY}"
METHODS = list(config["methods"])
CHUNKS = chunk_cells(config)
warn_skipped(expand_cells(config)[1])

FIGURES = [
    "phase_heatmaps",
    "success_curves",
    "scaling_groups",
    "scaling_entries",
    "error_curves",
    "phase_diagram",
]
TABLES = ["transitions.tex", "transitions.md", "scaling.tex", "scaling.md"]


wildcard_constraints:
    study=STUDY,
    method="|".join(METHODS),
    chunk="chunk[0-9]+-[0-9a-f]{8}",
    figure="|".join(FIGURES),


def fit_outputs():
    """Every per-trial result file of the study: methods x chunks."""
    return expand(
        f"{OUT}/fits/{{method}}/{{chunk}}.parquet", method=METHODS, chunk=CHUNKS
    )


def study_outputs():
    return (
        [f"{OUT}/{name}.csv" for name in ("summary", "transitions", "scaling")]
        + expand(
            f"{OUT}/figures/{{figure}}.{{ext}}", figure=FIGURES, ext=["png", "pdf"]
        )
        + [f"{OUT}/tables/{name}" for name in TABLES]
    )
