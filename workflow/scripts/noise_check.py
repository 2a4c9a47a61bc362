from gsbench.stages import noise_stage, run_rule

run_rule(
    snakemake,
    noise_stage,
    snakemake.config,
    snakemake.input.trials,
    snakemake.input.transitions,
    snakemake.output[0],
)
