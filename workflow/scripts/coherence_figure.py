from gsbench.stages import coherence_figure_stage, run_rule

run_rule(
    snakemake,
    coherence_figure_stage,
    snakemake.config,
    snakemake.input[0],
    snakemake.wildcards.measure,
    snakemake.output.png,
)
