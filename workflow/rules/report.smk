rule figure:
    """One seaborn figure, PNG and PDF, from the aggregated CSVs."""
    input:
        summary=f"{OUT}/summary.csv",
        transitions=f"{OUT}/transitions.csv",
        scaling=f"{OUT}/scaling.csv",
    output:
        png=report(
            f"{OUT}/figures/{{figure}}.png",
            caption="../report/figure.rst",
            category="Figures",
        ),
        pdf=f"{OUT}/figures/{{figure}}.pdf",
    log:
        f"{OUT}/logs/figures/{{figure}}.log",
    conda:
        "../envs/gsbench.yaml"
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        code=ANALYSIS["code"],
    script:
        "../scripts/rule.py"


rule tables:
    """Paper tables (booktabs LaTeX and Markdown), from the CSVs alone."""
    input:
        transitions=f"{OUT}/transitions.csv",
        scaling=f"{OUT}/scaling.csv",
        summary=f"{OUT}/summary.csv",
    output:
        [f"{OUT}/tables/{name}" for name in TABLES],
    log:
        f"{OUT}/logs/tables.log",
    conda:
        "../envs/gsbench.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        names=TABLES,
        code=ANALYSIS["code"],
    script:
        "../scripts/rule.py"
