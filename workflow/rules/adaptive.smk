# An adaptive sample-size grid (grid.n: {adaptive: ...}; gsbench.study.adaptive): round 0
# fits the coarse grid; each checkpoint `adaptive_round` plans the next round from every
# earlier round's n* estimates, and the DAG is re-evaluated after it. The rule `trials`
# takes the union of all rounds' fit files (adaptive_fit_files in common.smk).


checkpoint adaptive_round:
    """Round {round}'s cells per method and fit job: the coarse grid (round 0), else sample
    sizes around each (method, setting)'s n* from all earlier rounds (and those estimates).
    """
    input:
        adaptive_round_inputs,
    output:
        plan=f"{ADAPTIVE_DIR}/round{{round}}.csv",
        estimates=f"{ADAPTIVE_DIR}/round{{round}}_estimates.csv",
    log:
        f"{OUT}/logs/adaptive/round{{round}}.log",
    conda:
        "../envs/gsbench.yaml"
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        code=ANALYSIS["code"],
    script:
        "../scripts/rule.py"


rule fit_round:
    """One job of an adaptive round: one method on every trial of its cells in one chunk of
    the round's plan (and the table's SHA-256)."""
    input:
        plan=f"{ADAPTIVE_DIR}/round{{round}}.csv",
    output:
        f"{OUT}/fits/{{method}}/round{{round}}-{{chunk}}.parquet",
        f"{OUT}/fits/{{method}}/round{{round}}-{{chunk}}.parquet.sha256",
    log:
        f"{OUT}/logs/fit/{{method}}/round{{round}}-{{chunk}}.log",
    benchmark:
        f"{OUT}/benchmarks/fit/{{method}}/round{{round}}-{{chunk}}.tsv"
    conda:
        "../envs/gsbench.yaml"
    threads: fit_threads
    resources:
        mem_mb=fit_resource("mem_mb"),
        runtime=fit_resource("runtime"),
        cpus_per_task=lambda wildcards, threads: threads,
    script:
        "../scripts/rule.py"
