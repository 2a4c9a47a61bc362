"""gsbench comparison study: grid of problems -> fits -> tables, figures, report.

Run:  snakemake --workflow-profile workflow/profiles/default --configfile config/config.yaml
"""

from snakemake.utils import min_version

min_version("9.0")


# The default study, unless --configfile names one: a study's config replaces it rather
# than being merged into it (merging would add the default's methods to every study).
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


include: "workflow/rules/common.smk"


onstart:
    start_study(PROVENANCE, config, main_executor(workflow))


onsuccess:
    finish_study(PROVENANCE, "complete", f"{OUT}/trials.parquet")


onerror:
    finish_study(PROVENANCE, "failed", f"{OUT}/trials.parquet")


report: "workflow/report/workflow.rst"


rule all:
    default_target: True
    input:
        study_outputs(),
        f"{OUT}/verdict.md",


include: "workflow/rules/fit.smk"
include: "workflow/rules/adaptive.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/verdict.smk"
include: "workflow/rules/paper_figures.smk"
include: "workflow/rules/claims.smk"
include: "workflow/rules/incoherence.smk"
include: "workflow/rules/regimes.smk"
