from gsbench.regimes.stages import part_stage
from gsbench.stages import run_rule

run_rule(
    snakemake,
    part_stage,
    snakemake.params.kind,
    snakemake.input.settings,
    snakemake.wildcards.part,
    snakemake.output.csv,
)
