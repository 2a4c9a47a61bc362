"""What each workflow rule does, as plain functions of file paths.

Every Snakemake rule runs the one script ``workflow/scripts/rule.py``, which calls
:func:`run`; :data:`RULES` maps the rule's name to the function below that does its work,
with the rule's inputs, outputs and wildcards as arguments. Everything here can be called
and tested without Snakemake.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import traceback
from pathlib import Path
from typing import Callable

import pandas as pd

from .results_schema import STATUS_OK
from .targets import STUDY_FIGURES
from .study.io import read_fits, read_trials, with_design_columns, write_table_atomic

# Figure name (gsbench.targets.STUDY_FIGURES, in its order) -> how it draws from the aggregated
# tables (summary, transitions, scaling) into out, the rule's declared (png, pdf) pair.
# Plotting modules are imported only by the jobs that plot, the estimators only by the jobs
# that fit: every job starts with what it uses.
FIGURES: dict[str, Callable] = dict(zip(STUDY_FIGURES, [
    lambda s, t, c, out: _report().plot_phase_heatmaps(s, out),
    lambda s, t, c, out: _report().plot_success_curves(s, out),
    lambda s, t, c, out: _report().plot_scaling_groups(t, c, out),
    lambda s, t, c, out: _report().plot_scaling_entries(t, c, out),
    lambda s, t, c, out: _report().plot_error_curves(s, out),
    lambda s, t, c, out: _theory_figures().plot_phase_diagram(s, out),
], strict=True))  # fmt: skip


def _report():
    from . import report

    return report


def _theory_figures():
    from .report import theory_figures

    return theory_figures


def fit_stage(config: dict, method: str, chunk: str, output: str) -> None:
    from .study.chunks import run_chunk  # the estimators: only fit jobs import them

    _log_fits(run_chunk(config, method, chunk, output), method, chunk)


def _log_fits(frame: pd.DataFrame, method: str, chunk: str) -> None:
    bad = frame[frame["status"] != STATUS_OK]
    logging.info("%s %s: %d trials, %d not ok", method, chunk, len(frame), len(bad))
    for _, row in bad.iterrows():
        logging.warning("%s trial %d: %s (%s)", row["cell_id"], row["trial"], row["status"], row["message"])


def fit_round_stage(config: dict, method: str, plan: str, chunk: str, output: str) -> None:
    """One fit job of an adaptive round (:func:`gsbench.study.adaptive.run_round_chunk`)."""
    from .study.adaptive import run_round_chunk

    frame = run_round_chunk(config, method, plan, chunk, output)
    _log_fits(frame, method, chunk)


def adaptive_round_stage(config: dict, round_: int, fit_files: list[str], plan: str, estimates: str) -> None:
    """Checkpoint ``adaptive_round``: round `round_`'s plan from the earlier rounds' fits."""
    from .study.adaptive import round_stage

    round_stage(config, round_, fit_files, plan, estimates)
    logging.info("round %d planned from %d fit files", round_, len(fit_files))


def trials_stage(config: dict, inputs: list[str], output: str) -> None:
    """trials.parquet: the fit files joined, with the early-stopping windows of the study's
    success threshold (:func:`gsbench.study.io.read_fits`)."""
    trials = read_fits(inputs, config["success"]["threshold"], config["allow_code_changes"])
    write_table_atomic(with_design_columns(trials, config), output)


def aggregate_stage(config: dict, trials_path: str, summary: str, transitions: str, scaling: str) -> None:
    from . import analysis

    trials = read_trials([trials_path])
    metric, threshold = config["success"]["metric"], config["success"]["threshold"]
    summ = analysis.summarize(trials, metric=metric, threshold=threshold)
    trans = analysis.transitions(trials, metric=metric, threshold=threshold,
                                 n_boot=config["bootstrap"], seed=0)
    scal = analysis.scaling(trans)
    trans = _theory_columns(trans, trials)
    failed = int((trials["status"] != STATUS_OK).sum())
    logging.info("%d trials, %d not ok (counted as failures)", len(trials), failed)
    for frame, path in ((summ, summary), (trans, transitions), (scal, scaling)):
        write_table_atomic(frame, path)


def _theory_columns(trans: pd.DataFrame, trials: pd.DataFrame | None = None) -> pd.DataFrame:
    """transitions.csv with the convex references n_ref_l1, n_ref_group and n*'s ratios to them;
    a study with real designs adds their spec and group sizes (from `trials`, by design) first,
    so that their references use the unequal groups."""
    from .analysis.references import add_references
    from .study.io import DESIGN_COLUMNS

    if trials is not None and all(c in trials.columns for c in DESIGN_COLUMNS):
        designs = trials[["design", *DESIGN_COLUMNS]].drop_duplicates("design")
        trans = trans.drop(columns=[c for c in DESIGN_COLUMNS if c in trans.columns])
        trans = trans.merge(designs, on="design", how="left")
    return add_references(trans)


#: Success definitions the verdict recomputes beside the study's own: (metric, threshold).
SUCCESS_VARIANTS: dict[str, tuple[str, float]] = {
    "validation-stopped error ≤ 0.05": ("rel_error_validation", 0.05),
    "oracle error ≤ 0.05": ("rel_error_oracle", 0.05),
    "oracle error ≤ 0.01": ("rel_error_oracle", 0.01),
    "oracle error ≤ 0.001": ("rel_error_oracle", 0.001),
}


def success_variants(config: dict, trials) -> dict:
    """n* (transitions, point estimates) under each of :data:`SUCCESS_VARIANTS` other than
    the study's own definition, recomputed from the trials without refitting."""
    from .analysis.transitions import transitions

    own = (config["success"]["metric"], float(config["success"]["threshold"]))
    return {name: transitions(trials, metric=metric, threshold=tau, n_boot=0)
            for name, (metric, tau) in SUCCESS_VARIANTS.items()
            if (metric, tau) != own and metric in trials.columns}


def budget_stage(config: dict, trials: str, transitions: str, output: str) -> None:
    """budget.csv: iterative methods refitted near their transition with a larger budget
    and a smaller alpha (gsbench.analysis.budget)."""
    from .analysis.budget import budget_check

    table = budget_check(config, read_trials([trials]), pd.read_csv(transitions))
    write_table_atomic(table, output)


def noise_stage(config: dict, trials: str, transitions: str, output: str) -> None:
    """noise.csv: iterative methods refitted near their transition under gradient noise
    (gsbench.analysis.noise_spread)."""
    from .analysis.noise_spread import noise_spread

    table = noise_spread(config, read_trials([trials]), pd.read_csv(transitions))
    write_table_atomic(table, output)


def verdict_laws_stage(config: dict, transitions: str, laws: str, sections: str,
                       trials: str | None = None, budget: str | None = None,
                       noise: str | None = None) -> None:
    """Fit the competing n* laws (laws.csv) and save the verdict's n* sections (JSON): laws,
    exponents, paired comparisons, the budget check (``budget``: budget.csv), the
    gradient-noise check (``noise``: noise.csv, folded into the n* intervals where it
    dominates) and the success definitions recomputed from ``trials`` (trials.parquet)."""
    from .analysis.law_verdict import law_sections
    from .analysis.laws import law_table
    from .analysis.noise_spread import fold_noise
    from .verdict import write_sections

    noise_df = pd.read_csv(noise) if noise else None
    trans = fold_noise(pd.read_csv(transitions), noise_df)
    table = law_table(trans, n_boot=config["bootstrap"], seed=0)
    write_table_atomic(table, laws)
    variants = success_variants(config, read_trials([trials])) if trials else None
    budget_df = pd.read_csv(budget) if budget else None
    write_sections(sections, law_sections(trans, table, n_boot=config["bootstrap"], seed=0,
                                          variants=variants, budget=budget_df, noise=noise_df))


def verdict_stage(config: dict, section_files: list[str], output: str, trials: str | None = None) -> None:
    """Join the saved verdict sections, in the given order, into verdict.md: the provenance
    line (the code keys of the fits in `trials`), a Summary (one line per method and
    question), then the Regime sections, then the rest; decisive rows Holm-adjusted over the
    whole document."""
    from .findings import read_sections, render_markdown, summary_section
    from .provenance import fits_record, provenance_line
    from .verdict import control_multiplicity, write_text_atomic

    sections = [s for path in section_files for s in read_sections(path)]
    sections, holm_text = control_multiplicity(sections)
    regime = [s for s in sections if s.title == "Regime"]
    rest = [s for s in sections if s.title != "Regime"]
    summary = summary_section(rest, holm_text)
    line = provenance_line(config, fits_record(trials) if trials else None)
    write_text_atomic(output, render_markdown([summary, *regime, *rest],
                                              f"Verdict: study {config['study']}", line))


def figure_stage(name: str, summary: str, transitions: str, scaling: str, png: str, pdf: str) -> None:
    """Figure ``name`` drawn from the three CSVs into the declared ``png`` and ``pdf``."""
    FIGURES[name](pd.read_csv(summary), pd.read_csv(transitions), pd.read_csv(scaling), (png, pdf))


def tables_stage(transitions: str, scaling: str, outputs: dict[str, str], summary: str) -> None:
    """The tables into the declared paths: ``outputs`` maps a table's file name
    (``"transitions.tex"``, ...; :data:`gsbench.report.TABLE_FILES`) to its path; ``summary``
    gives the transitions table's converged column."""
    _report().write_tables(transitions, scaling, outputs, summary_csv=summary)


def process_usage() -> tuple[float, float]:
    """``(CPU seconds, peak RSS in MB)`` of this process and its waited-for children so far
    (``getrusage``: user + system time; the kernel's peak resident set, exact where a
    sampling monitor such as Snakemake's benchmark files misses the last interval)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    return cpu, max(own.ru_maxrss, kids.ru_maxrss) / 1024.0


#: The line every rule job's log ends with (:func:`process_usage`): written by
#: :func:`run_rule`, read back by :func:`read_usage`.
USAGE_FORMAT = "job used: cpu_seconds={:.3f} peak_rss_mb={:.1f}"
_USAGE_PATTERN = re.compile(r"job used: cpu_seconds=([\d.]+) peak_rss_mb=([\d.]+)")


def read_usage(log_text: str) -> tuple[float, float] | None:
    """``(CPU seconds, peak RSS MB)`` of the last usage line of a rule's log, or None."""
    found = _USAGE_PATTERN.findall(log_text)
    return (float(found[-1][0]), float(found[-1][1])) if found else None


def run_rule(smk, stage: Callable, *args) -> None:
    """Run ``stage(*args)`` in a Snakemake ``script:`` job: log to the rule's log file, one
    BLAS thread per job thread (jobs running side by side must not oversubscribe the
    cores), a last line with the job's CPU time and peak memory (:func:`process_usage`),
    and a traceback in the log on failure."""
    from threadpoolctl import threadpool_limits

    log_path = Path(smk.log[0])
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(log_path, "w") as log, contextlib.redirect_stderr(log), contextlib.redirect_stdout(log):
            logging.basicConfig(stream=log, level=logging.INFO, force=True,
                                format="%(asctime)s %(levelname)s %(message)s")
            try:
                with threadpool_limits(limits=max(1, int(smk.threads))):
                    stage(*args)
                logging.info(USAGE_FORMAT.format(*process_usage()))
            except BaseException:
                traceback.print_exc(file=log)
                raise
    except BaseException:
        # stderr is the job's own again (Snakemake shows it): the pointer, not in the log.
        sys.stderr.write(f"gsbench: rule failed, see {log_path}\n")
        raise


# --------------------------------------------------------------------------- claims


def claims_depth_trials_stage(settings: str, output: str) -> None:
    """Rule ``claims_depth_trials``: the fits claims 1 and 2 share."""
    from .claims import depth_trials_stage

    depth_trials_stage(settings, output)


def claim_stage(claim: str, settings: str, outputs: list[str], depth_trials: str | None) -> None:
    """Rule ``claim``: one claim's CSV, figure and JSON record."""
    from . import claims

    claims.claim_stage(claim, settings, outputs, depth_trials)


def claims_summary_stage(settings: str, findings: list[str], output: str) -> None:
    """Rule ``claims``: ``claims.md`` from the claims' JSON records."""
    from .claims import summary_stage

    summary_stage(settings, findings, output)


def coherence_figure_stage(config: dict, trials_path: str, measure: str, png: str) -> None:
    """Success against measured s*delta_out or s*g*mu (``measure``), per method."""
    from .report.coherence_figures import plot_success_vs_coherence

    success = config["success"]
    plot_success_vs_coherence(read_trials([trials_path]), png, measure,
                              success["metric"], success["threshold"])


def incoherence_stage(config: dict, trials_path: str, rho_star: str, fits: str, png: str,
                      sections: str) -> None:
    """Decoy study: the rho* table, its exponent fits, its figure and the verdict section
    (saved as JSON for the ``verdict`` rule)."""
    from .analysis.incoherence import incoherence_report
    from .report.coherence_figures import plot_rho_star
    from .verdict import write_sections

    success = config["success"]
    table, fit, parts = incoherence_report(read_trials([trials_path]), success["metric"],
                                             success["threshold"], config["bootstrap"])
    write_table_atomic(table, rho_star)
    write_table_atomic(fit, fits)
    plot_rho_star(table, png)
    write_sections(sections, parts)


# --------------------------------------------------------------------------- dispatch


def _paper_figures(s) -> None:
    from .paper_figures import paper_figures_stage

    paper_figures_stage(s.input.settings, list(s.output))


def _regimes(name: str):
    def call(s) -> None:
        from .regimes import rules as regimes

        if name == "part":
            regimes.part_stage(s.params.kind, s.input.settings, s.wildcards.part, s.output.csv)
        else:
            regimes.verdict_stage(s.params.kind, s.input.settings, list(s.input.parts),
                                  str(Path(s.output.verdict).parent))

    return call


#: Workflow rule name -> how its job calls the functions above: ``s`` is the ``snakemake``
#: object of a ``script:`` job (``s.config``, ``s.input``, ``s.output``, ``s.wildcards``,
#: ``s.params``). Every rule runs ``workflow/scripts/rule.py``, which calls :func:`run`.
RULES: dict[str, Callable] = {
    "fit": lambda s: fit_stage(s.config, s.wildcards.method, s.wildcards.chunk, s.output[0]),
    "fit_round": lambda s: fit_round_stage(s.config, s.wildcards.method, s.input.plan,
                                           s.wildcards.chunk, s.output[0]),
    "adaptive_round": lambda s: adaptive_round_stage(s.config, int(s.wildcards.round),
                                                     list(s.input), s.output.plan,
                                                     s.output.estimates),
    "trials": lambda s: trials_stage(s.config, list(s.input), s.output[0]),
    "aggregate": lambda s: aggregate_stage(s.config, s.input[0], s.output.summary,
                                           s.output.transitions, s.output.scaling),
    "budget_check": lambda s: budget_stage(s.config, s.input.trials, s.input.transitions,
                                           s.output[0]),
    "noise_check": lambda s: noise_stage(s.config, s.input.trials, s.input.transitions,
                                         s.output[0]),
    "verdict_laws": lambda s: verdict_laws_stage(s.config, s.input.transitions, s.output.laws,
                                                 s.output.sections, s.input.trials,
                                                 s.input.budget, s.input.noise),
    "verdict": lambda s: verdict_stage(s.config, list(s.input.sections), s.output[0],
                                       s.input.trials),
    "figure": lambda s: figure_stage(s.wildcards.figure, s.input.summary, s.input.transitions,
                                     s.input.scaling, s.output.png, s.output.pdf),
    "tables": lambda s: tables_stage(s.input.transitions, s.input.scaling,
                                     dict(zip(s.params.names, s.output)), s.input.summary),
    "coherence_figure": lambda s: coherence_figure_stage(s.config, s.input[0],
                                                         s.wildcards.measure, s.output.png),
    "incoherence": lambda s: incoherence_stage(s.config, s.input[0], s.output.rho_star,
                                               s.output.fits, s.output.png, s.output.sections),
    "claims_depth_trials": lambda s: claims_depth_trials_stage(s.input.settings, s.output[0]),
    "claim": lambda s: claim_stage(s.wildcards.claim, s.input.settings, list(s.output),
                                   s.input.depth_trials[0] if s.input.depth_trials else None),
    "claims": lambda s: claims_summary_stage(s.input.settings, list(s.input.findings),
                                             s.output[0]),
    "paper_figures": _paper_figures,
    "regime_part": _regimes("part"),
    "regime_verdict": _regimes("verdict"),
}


def run(smk) -> None:
    """The body of the workflow's one script: run rule ``smk.rule``'s function from
    :data:`RULES` under :func:`run_rule` (log file, thread limits, traceback)."""
    if smk.rule not in RULES:
        raise KeyError(f"workflow rule {smk.rule!r} has no function in gsbench.rules.RULES "
                       f"(known: {', '.join(sorted(RULES))})")
    run_rule(smk, RULES[smk.rule], smk)
