# Claims checker: published statements re-measured, with intervals and verdicts:
#   snakemake claims --cores 2
# Settings: config/claims.yaml (relative to the working directory), or another file given
# as `--config claims_settings=<path>` (CLAIMS_SETTINGS, common.smk: checked while the DAG is
# built). Independent of the study config.
from gsbench.claims import CLAIMS

CLAIMS_OUT = "results/claims"
CLAIMS_USING_DEPTH_FITS = ["depth_range", "depth_window"]


wildcard_constraints:
    claim="|".join(CLAIMS),


rule claims:
    """claims.md: one row per claim (source, statement, setting, measured value with a 95%
    interval, verdict with its reason), from each claim's JSON record."""
    input:
        settings=checked_settings(CLAIMS_SETTINGS),
        findings=expand(f"{CLAIMS_OUT}/{{claim}}.json", claim=CLAIMS),
        figures=expand(f"{CLAIMS_OUT}/{{claim}}.png", claim=CLAIMS),
    output:
        report(
            f"{CLAIMS_OUT}/claims.md",
            caption="../report/claims.rst",
            category="Claims",
        ),
    log:
        f"{CLAIMS_OUT}/logs/claims.log",
    conda:
        "../envs/gsbench.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/rule.py"


rule claims_depth_trials:
    """The fits claims 1 and 2 share: depth-N models over a sweep of alpha, two designs."""
    input:
        settings=checked_settings(CLAIMS_SETTINGS),
    output:
        f"{CLAIMS_OUT}/depth_trials.csv",
    log:
        f"{CLAIMS_OUT}/logs/depth_trials.log",
    conda:
        "../envs/gsbench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    script:
        "../scripts/rule.py"


rule claim:
    """One claim: tidy CSV, figure and JSON record (gsbench.claims.run_claim)."""
    input:
        settings=checked_settings(CLAIMS_SETTINGS),
        depth_trials=lambda w: (
            [f"{CLAIMS_OUT}/depth_trials.csv"]
            if w.claim in CLAIMS_USING_DEPTH_FITS
            else []
        ),
    output:
        report(
            f"{CLAIMS_OUT}/{{claim}}.png",
            caption="../report/claim.rst",
            category="Claims",
            subcategory="{claim}",
        ),
        f"{CLAIMS_OUT}/{{claim}}.csv",
        f"{CLAIMS_OUT}/{{claim}}.json",
    log:
        f"{CLAIMS_OUT}/logs/{{claim}}.log",
    conda:
        "../envs/gsbench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    script:
        "../scripts/rule.py"
