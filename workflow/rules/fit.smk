rule fit:
    """One job: one method on every trial of every cell of one chunk of the grid (and the
    table's SHA-256, checked before any later run uses the table)."""
    output:
        f"{OUT}/fits/{{method}}/{{chunk}}.parquet",
        f"{OUT}/fits/{{method}}/{{chunk}}.parquet.sha256",
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
