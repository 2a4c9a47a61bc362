# The study's verdict: competing n* laws, convex limits, sections joined into verdict.md.
# Other evidence adds a rule writing {OUT}/verdict/<name>.json (gsbench.verdict.write_sections)
# and appends that path to VERDICT_PARTS.
# A decoy study (one n per cell) has no n-transitions, hence no law sections.
VERDICT_PARTS = ([] if DECOY_STUDY else [f"{OUT}/verdict/laws.json"]) + (
    [f"{OUT}/verdict/incoherence.json"] if "decoy" in config["grid"]["design"] else []
)


rule budget_check:
    """Refit each iterative method near its transition with a larger budget and a smaller
    alpha (gsbench.analysis.budget): budget.csv."""
    input:
        trials=f"{OUT}/trials.parquet",
        transitions=f"{OUT}/transitions.csv",
    output:
        f"{OUT}/budget.csv",
    log:
        f"{OUT}/logs/budget_check.log",
    benchmark:
        f"{OUT}/benchmarks/budget_check.tsv"
    conda:
        "../envs/gsbench.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        success=ANALYSIS["success"],
        code=ANALYSIS["code"],
    script:
        "../scripts/rule.py"


rule noise_check:
    """Refit each iterative method near its transition with every gradient perturbed far
    below the data's precision (gsbench.analysis.noise_spread): noise.csv."""
    input:
        trials=f"{OUT}/trials.parquet",
        transitions=f"{OUT}/transitions.csv",
    output:
        f"{OUT}/noise.csv",
    log:
        f"{OUT}/logs/noise_check.log",
    benchmark:
        f"{OUT}/benchmarks/noise_check.tsv"
    conda:
        "../envs/gsbench.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        success=ANALYSIS["success"],
        code=ANALYSIS["code"],
    script:
        "../scripts/rule.py"


rule verdict_laws:
    """Fit the competing sample-size laws to n* per method; the verdict's n* sections
    (laws, exponents, paired comparisons, budget and gradient-noise checks, success
    definitions)."""
    input:
        transitions=f"{OUT}/transitions.csv",
        trials=f"{OUT}/trials.parquet",
        budget=f"{OUT}/budget.csv",
        noise=f"{OUT}/noise.csv",
    output:
        laws=f"{OUT}/laws.csv",
        sections=f"{OUT}/verdict/laws.json",
    log:
        f"{OUT}/logs/verdict_laws.log",
    conda:
        "../envs/gsbench.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        bootstrap=ANALYSIS["bootstrap"],
        code=ANALYSIS["code"],
    script:
        "../scripts/rule.py"


rule verdict:
    """verdict.md: every saved verdict section, in VERDICT_PARTS order."""
    input:
        sections=VERDICT_PARTS,
        trials=f"{OUT}/trials.parquet",
    output:
        report(
            f"{OUT}/verdict.md",
            caption="../report/verdict.rst",
            category="Verdict",
        ),
    log:
        f"{OUT}/logs/verdict.log",
    conda:
        "../envs/gsbench.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        code=ANALYSIS["code"],
    script:
        "../scripts/rule.py"
