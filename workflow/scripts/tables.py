from gsbench.stages import run_rule, tables_stage

inp = snakemake.input
outputs = dict(zip(snakemake.params.names, snakemake.output))
run_rule(snakemake, tables_stage, inp.transitions, inp.scaling, outputs, inp.summary)
