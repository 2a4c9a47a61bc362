from gsbench.stages import adaptive_round_stage, run_rule

run_rule(
    snakemake,
    adaptive_round_stage,
    snakemake.config,
    int(snakemake.wildcards.round),
    list(snakemake.input),
    snakemake.output.plan,
    snakemake.output.estimates,
)
