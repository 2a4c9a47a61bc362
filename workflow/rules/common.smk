# Configuration validation, the grid of cells and its jobs, wildcard constraints, and the
# checks that run before any job: duplicate YAML keys, the study's size, damaged fit files.
import functools
import os
import re
import sys

from snakemake_interface_executor_plugins.settings import ExecMode

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
from gsbench.study.fingerprint import analysis_fingerprint, study_key
from gsbench.provenance import finish_study, main_executor, start_study
from gsbench.study.adaptive import adaptive_grid, plan_cells, read_plan, round_plan
from gsbench.study.resources import job_resources, job_threads
from gsbench.targets import (
    COHERENCE_MEASURES,
    STUDY_FIGURES,
    TABLE_FILES,
    is_decoy_study,
    paper_figures_outputs,
)
from gsbench.targets import study_outputs as analysis_outputs

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
# Where this study's numbers came from (gsbench.provenance), written by onstart/onsuccess.
PROVENANCE = f"{OUT}/provenance.json"
METHODS = list(config["methods"])
# method -> {chunk id -> cells}; a chunk id hashes its cells' fit keys (gsbench.study.chunks)
CHUNKS = chunk_cells(config)
warn_skipped(expand_cells(config)[1])
print(f"gsbench: study {STUDY!r}: {describe(plan_study(config))}", file=sys.stderr)
# Checked once, by the run that schedules the jobs (a cluster job reads the Snakefile again
# while other jobs may be writing their fit files).
if workflow.exec_mode == ExecMode.DEFAULT:
    try:
        check_results_files(f"{OUT}/fits")
    except ResultsSchemaError as exc:
        sys.exit(f"gsbench: {exc}")

# Names of the figures, tables and coherence measures: the package's (gsbench.targets).
FIGURES = list(STUDY_FIGURES)
TABLES = list(TABLE_FILES)


# Rerun triggers of the analysis rules (Snakemake's `params:` trigger): the settings each
# rule reads, and the code of the analysis (a new gsbench reruns the analysis, not the fits).
ANALYSIS = {
    "success": config["success"],
    "bootstrap": config["bootstrap"],
    "allow_code_changes": config["allow_code_changes"],
    "code": analysis_fingerprint(),
}
# An adaptive grid's plans live under a key of everything they depend on (the config and the
# methods' code): a change plans the rounds again, and the fits it keeps are reused.
ADAPTIVE_DIR = f"{OUT}/adaptive/{study_key(config)}"

# Decoy studies are analysed in rho at one n per (p, g, s): no transitions in n.
DECOY_STUDY = is_decoy_study(config)
# grid.n: {adaptive: ...}: rounds of fits planned by the checkpoint adaptive_round. Round
# 0's plan (the coarse grid) follows from the config alone: its fit jobs, and the resources
# they ask, are in the DAG (and a dry run) before any round has run.
ADAPTIVE = adaptive_grid(config)
ROUND0 = round_plan(config, 0)[0] if ADAPTIVE else None


wildcard_constraints:
    method="|".join(map(re.escape, METHODS)),
    chunk="chunk[0-9]+-[0-9a-f]{8}",
    round="[0-9]+",
    figure="|".join(FIGURES),
    measure="|".join(COHERENCE_MEASURES),


def fit_outputs():
    """Every per-trial result file of a fixed grid: methods x chunks (adaptive: none known
    before the rounds run; trials.parquet asks for them through adaptive_fit_files)."""
    if ADAPTIVE:
        return []
    return [
        f"{OUT}/fits/{method}/{chunk}.parquet"
        for method in METHODS
        for chunk in CHUNKS[method]
    ]


def adaptive_fits(rounds):
    """Fit files of adaptive rounds 0 .. rounds - 1, each round's from its checkpoint's plan
    (stops at the first empty round: every curve met the precision or cannot be refined).
    """
    files = []
    for r in range(rounds):
        plan = (
            ROUND0
            if r == 0
            else read_plan(checkpoints.adaptive_round.get(round=str(r)).output.plan)
        )
        jobs = plan[["method", "chunk"]].drop_duplicates().itertuples(index=False)
        new = [f"{OUT}/fits/{m}/round{r}-{c}.parquet" for m, c in jobs]
        if not new:
            break
        files += new
    return files


def adaptive_round_inputs(wildcards):
    """A round is planned from the fits of every earlier round."""
    return adaptive_fits(int(wildcards.round))


def adaptive_fit_files(wildcards):
    """The union of all rounds' fit files (round 0 and at most ADAPTIVE.rounds more)."""
    return adaptive_fits(ADAPTIVE.rounds + 1)


def trials_inputs():
    """Fit files that trials.parquet joins (a fixed grid's list, or the rounds' function)."""
    return adaptive_fit_files if ADAPTIVE else fit_outputs()


def study_outputs():
    """Targets of the default target: every fit file and trials.parquet too (a deleted one is
    then rebuilt, with everything after it), and the analysis outputs the package lists
    (gsbench.targets.study_outputs: tables, figures, report inputs)."""
    return fit_outputs() + [f"{OUT}/trials.parquet"] + analysis_outputs(config, OUT)


def paper_figures_output(out, name):
    """One output of the paper_figures target in `out`, named by the package
    (gsbench.targets.paper_figures_outputs); the figures' PNGs and paper_figures.md go into
    the report, each with its caption."""
    path = f"{out}/{name}"
    stem, ext = name.rsplit(".", 1)
    if ext not in ("png", "md"):
        return path
    caption = (
        f"../report/paper_{stem}.rst" if ext == "png" else "../report/paper_figures.rst"
    )
    return report(path, caption=caption, category="Paper figures")


# Resources of the rules that fit (fit, fit_round): from the cells of the job
# (gsbench.study.resources; docs/cluster.md). The SLURM profile does not repeat them.
def fit_job_cells(wildcards, input):
    """The cells of a fit job: its chunk of the grid, or of its adaptive round's plan."""
    if "round" in wildcards.keys():
        plan = ROUND0 if wildcards.round == "0" else read_plan(input.plan)
        return plan_cells(plan, wildcards.method, wildcards.chunk)
    return CHUNKS[wildcards.method][wildcards.chunk]


def fit_resource(name):
    """Resource callable: ``name`` (mem_mb, runtime) of the job's cells at this attempt."""
    return lambda wildcards, input, attempt: job_resources(
        config, wildcards.method, fit_job_cells(wildcards, input), attempt
    )[name]


def fit_threads(wildcards, input):
    """Threads (and BLAS threads) of a fit job: resources.blas_threads for large cells."""
    return job_threads(config, fit_job_cells(wildcards, input))


# Settings files of the claims and paper_figures targets, relative to the working directory
# (the package looks for no file itself). Rules take them through checked_settings: the
# package reads and checks the file while the DAG is built, so a bad key stops the run,
# naming the key, before any job starts.
CLAIMS_SETTINGS = config.get("claims_settings", "config/claims.yaml")
PAPER_FIGURES_SETTINGS = config.get(
    "paper_figures_settings", "config/paper_figures.yaml"
)


def load_claims_settings(path):
    # imported only when the claims target is asked for (the package pulls in matplotlib)
    from gsbench.claims import load_settings

    return load_settings(path)


def load_paper_figures_settings(path):
    from gsbench.paper_figures import load_settings

    return load_settings(path)


SETTINGS_LOADERS = {
    CLAIMS_SETTINGS: load_claims_settings,
    PAPER_FIGURES_SETTINGS: load_paper_figures_settings,
}


@functools.cache
def _check_settings(path):
    SETTINGS_LOADERS[path](path)


def checked_settings(path):
    """Input function: the settings file `path` once its loader accepted it."""

    def settings(wildcards):
        # A missing file is left to Snakemake's own "Missing input files" error.
        if os.path.exists(path):
            _check_settings(path)
        return path

    return settings


# The real-design and noisy studies' settings files (workflow/rules/regimes.smk).
REGIME_SETTINGS = {
    "real": config.get("real_settings", "config/real.yaml"),
    "noisy": config.get("noisy_settings", "config/noisy.yaml"),
}


def regime_parts(kind):
    """The part files (one fit job each) of the real or noisy study."""
    from gsbench.regimes import STUDIES
    from gsbench.regimes.settings import load_settings

    settings = load_settings(kind, REGIME_SETTINGS[kind])
    return expand(
        f"results/{kind}/fits/{{part}}.csv", part=STUDIES[kind].parts(settings)
    )
