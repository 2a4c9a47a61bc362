from gsbench.stages import claims_summary_stage, run_rule

run_rule(
    snakemake,
    claims_summary_stage,
    snakemake.input.settings,
    list(snakemake.input.findings),
    snakemake.output[0],
)
