from pathlib import Path

from gsbench.regimes.stages import verdict_stage
from gsbench.stages import run_rule

run_rule(
    snakemake,
    verdict_stage,
    snakemake.params.kind,
    snakemake.input.settings,
    list(snakemake.input.parts),
    str(Path(snakemake.output.verdict).parent),
)
