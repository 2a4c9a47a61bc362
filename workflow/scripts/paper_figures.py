from gsbench.paper_figures import paper_figures_stage
from gsbench.stages import run_rule

run_rule(
    snakemake,
    paper_figures_stage,
    snakemake.input.settings,
    list(snakemake.output),
)
