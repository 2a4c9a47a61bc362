from gsbench.stages import run_rule, trials_stage

run_rule(
    snakemake, trials_stage, snakemake.config, list(snakemake.input), snakemake.output[0]
)
