from gsbench.stages import claim_stage, run_rule

run_rule(
    snakemake,
    claim_stage,
    snakemake.wildcards.claim,
    snakemake.input.settings,
    list(snakemake.output),
    snakemake.input.depth_trials[0] if snakemake.input.depth_trials else None,
)
