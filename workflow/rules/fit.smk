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
    threads: fit_threads
    resources:
        mem_mb=fit_resource("mem_mb"),
        runtime=fit_resource("runtime"),
        cpus_per_task=lambda wildcards, threads: threads,
    script:
        "../scripts/rule.py"
