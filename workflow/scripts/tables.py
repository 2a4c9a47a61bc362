from gsbench.stages import run_rule, tables_stage

inp = snakemake.input
run_rule(snakemake, tables_stage, inp.transitions, inp.scaling, list(snakemake.output))
