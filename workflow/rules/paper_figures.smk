# The DGLNN paper's simulation figures 2-5 (Section 5), re-run with gsbench's methods:
#   snakemake paper_figures --cores 2
# Settings: config/paper_figures.yaml (relative to the working directory), or another
# file given as `--config paper_figures_settings=<path>`. Independent of the study config.

PAPER_FIGURES_OUT = "results/paper_figures"


rule paper_figures:
    """Figures 2-5 of the DGLNN paper (PNG, PDF, tidy CSV each) and paper_figures.md:
    the paper's stated outcome, the numbers measured here and a verdict per figure."""
    input:
        settings=checked_settings(PAPER_FIGURES_SETTINGS),
    output:
        [
            paper_figures_output(PAPER_FIGURES_OUT, name)
            for name in paper_figures_outputs()
        ],
    log:
        f"{PAPER_FIGURES_OUT}/logs/paper_figures.log",
    conda:
        "../envs/gsbench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    script:
        "../scripts/rule.py"
