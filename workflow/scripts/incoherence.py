from gsbench.stages import incoherence_stage, run_rule

out = snakemake.output
run_rule(
    snakemake,
    incoherence_stage,
    snakemake.config,
    snakemake.input[0],
    out.rho_star,
    out.fits,
    out.png,
    out.sections,
)
