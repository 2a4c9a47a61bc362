from gsbench.stages import run_rule, verdict_laws_stage

out = snakemake.output
run_rule(
    snakemake,
    verdict_laws_stage,
    snakemake.config,
    snakemake.input.transitions,
    out.laws,
    out.sections,
    snakemake.input.trials,
    snakemake.input.budget,
    snakemake.input.noise,
)
