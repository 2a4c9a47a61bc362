from gsbench.stages import run_rule, verdict_laws_stage

out = snakemake.output
run_rule(
    snakemake,
    verdict_laws_stage,
    snakemake.config,
    snakemake.input[0],
    out.laws,
    out.sections,
)
