# Configuration validation, the grid of cells and its jobs, wildcard constraints, and the
# checks that run before any job: duplicate YAML keys, the study's size, damaged fit files.
import re
import sys

from gsbench.study import (
    ConfigError,
    ResultsSchemaError,
    check_results_files,
    chunk_cells,
    describe,
    expand_cells,
    load_config,
    plan_study,
    read_yaml,
    warn_skipped,
)

try:
    # Snakemake's own YAML reader keeps the last of two equal keys; read the files again.
    for _configfile in workflow.overwrite_configfiles or ["config/config.yaml"]:
        read_yaml(_configfile)
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
print(f"gsbench: study {STUDY!r}: {describe(plan_study(config))}", file=sys.stderr)
try:
    check_results_files(f"{OUT}/fits")
except ResultsSchemaError as exc:
    sys.exit(f"gsbench: {exc}")

FIGURES = [
    "phase_heatmaps",
    "success_curves",
    "scaling_groups",
    "scaling_entries",
    "error_curves",
    "phase_diagram",
]
COHERENCE_MEASURES = ["delta_out", "mu"]
TABLES = ["transitions.tex", "transitions.md", "scaling.tex", "scaling.md"]


# Decoy studies are analysed in rho at one n per (p, g, s): no transitions in n.
DECOY_STUDY = (
    isinstance(config["grid"]["n"], dict) or "decoy" in config["grid"]["design"]
)


wildcard_constraints:
    method="|".join(map(re.escape, METHODS)),
    chunk="chunk[0-9]+-[0-9a-f]{8}",
    figure="|".join(FIGURES),
    measure="|".join(COHERENCE_MEASURES),


def fit_outputs():
    """Every per-trial result file of the study: methods x chunks."""
    return expand(
        f"{OUT}/fits/{{method}}/{{chunk}}.parquet", method=METHODS, chunk=CHUNKS
    )


def incoherence_outputs():
    """Success-vs-coherence figures; with decoy designs, rho*, its figure and verdict."""
    out = expand(
        f"{OUT}/figures/success_vs_{{measure}}.{{ext}}",
        measure=COHERENCE_MEASURES,
        ext=["png", "pdf"],
    )
    if "decoy" in config["grid"]["design"]:
        out += [f"{OUT}/incoherence/rho_star.csv"]
    return out


def study_outputs():
    """Targets of the default target: every fit file and trials.parquet too (a deleted one is
    then rebuilt, with everything after it), the tables, figures and report inputs."""
    if DECOY_STUDY:
        return fit_outputs() + [f"{OUT}/trials.parquet"] + incoherence_outputs()
    return (
        fit_outputs()
        + [f"{OUT}/trials.parquet"]
        + [f"{OUT}/{name}.csv" for name in ("summary", "transitions", "scaling")]
        + expand(
            f"{OUT}/figures/{{figure}}.{{ext}}", figure=FIGURES, ext=["png", "pdf"]
        )
        + [f"{OUT}/tables/{name}" for name in TABLES]
        + incoherence_outputs()
    )
