from gsbench.stages import budget_stage, run_rule

run_rule(
    snakemake,
    budget_stage,
    snakemake.config,
    snakemake.input.trials,
    snakemake.input.transitions,
    snakemake.output[0],
)
