from gsbench.stages import aggregate_stage, run_rule

out = snakemake.output
run_rule(
    snakemake,
    aggregate_stage,
    snakemake.config,
    snakemake.input[0],
    out.summary,
    out.transitions,
    out.scaling,
)
