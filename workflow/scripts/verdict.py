from gsbench.stages import run_rule, verdict_stage

run_rule(
    snakemake,
    verdict_stage,
    snakemake.config,
    list(snakemake.input.sections),
    snakemake.output[0],
    snakemake.input.trials,
)
