from gsbench.stages import claims_depth_trials_stage, run_rule

run_rule(
    snakemake, claims_depth_trials_stage, snakemake.input.settings, snakemake.output[0]
)
