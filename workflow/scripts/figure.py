from gsbench.stages import figure_stage, run_rule

inp = snakemake.input
run_rule(
    snakemake,
    figure_stage,
    snakemake.wildcards.figure,
    inp.summary,
    inp.transitions,
    inp.scaling,
    snakemake.output.png,
    snakemake.output.pdf,
)
