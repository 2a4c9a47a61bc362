from gsbench.stages import fit_stage, run_rule

run_rule(
    snakemake,
    fit_stage,
    snakemake.config,
    snakemake.wildcards.method,
    snakemake.wildcards.chunk,
    snakemake.output[0],
)
