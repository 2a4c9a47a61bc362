rule trials:
    """All per-trial rows of the study in one schema-checked table."""
    input:
        trials_inputs(),
    output:
        f"{OUT}/trials.parquet",
    log:
        f"{OUT}/logs/trials.log",
    conda:
        "../envs/gsbench.yaml"
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        threshold=ANALYSIS["success"]["threshold"],
        allow_code_changes=ANALYSIS["allow_code_changes"],
        code=ANALYSIS["code"],
    script:
        "../scripts/rule.py"


rule aggregate:
    """Success rates, phase transitions n* and the scaling fit log n* ~ log s + log g."""
    input:
        f"{OUT}/trials.parquet",
    output:
        summary=f"{OUT}/summary.csv",
        transitions=f"{OUT}/transitions.csv",
        scaling=f"{OUT}/scaling.csv",
    log:
        f"{OUT}/logs/aggregate.log",
    conda:
        "../envs/gsbench.yaml"
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        success=ANALYSIS["success"],
        bootstrap=ANALYSIS["bootstrap"],
        code=ANALYSIS["code"],
    script:
        "../scripts/rule.py"
