rule fit:
    """One job: one method on every trial of every cell of one chunk of the grid."""
    output:
        f"{OUT}/fits/{{method}}/{{chunk}}.parquet",
    log:
        f"{OUT}/logs/fit/{{method}}/{{chunk}}.log",
    benchmark:
        f"{OUT}/benchmarks/fit/{{method}}/{{chunk}}.tsv"
    conda:
        "../envs/gsbench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    script:
        "../scripts/fit.py"
