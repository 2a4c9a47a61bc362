from gsbench.stages import fit_round_stage, run_rule

run_rule(
    snakemake,
    fit_round_stage,
    snakemake.config,
    snakemake.wildcards.method,
    snakemake.input.plan,
    snakemake.wildcards.chunk,
    snakemake.output[0],
)
