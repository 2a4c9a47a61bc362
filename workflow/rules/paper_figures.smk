# The DGLNN paper's simulation figures 2-5 (Section 5), re-run with gsbench's methods:
#   snakemake paper_figures --cores 2
# Settings: config/paper_figures.yaml (relative to the working directory), or another
# file given as `--config paper_figures_settings=<path>`. Independent of the study config.

PAPER_FIGURES_SETTINGS = config.get(
    "paper_figures_settings", "config/paper_figures.yaml"
)
PAPER_FIGURES_OUT = "results/paper_figures"


rule paper_figures:
    """Figures 2-5 of the DGLNN paper (PNG, PDF, tidy CSV each) and paper_figures.md:
    the paper's stated outcome, the numbers measured here and a verdict per figure."""
    input:
        settings=PAPER_FIGURES_SETTINGS,
    output:
        report(
            f"{PAPER_FIGURES_OUT}/fig2.png",
            caption="../report/paper_fig2.rst",
            category="Paper figures",
        ),
        f"{PAPER_FIGURES_OUT}/fig2.pdf",
        f"{PAPER_FIGURES_OUT}/fig2.csv",
        report(
            f"{PAPER_FIGURES_OUT}/fig3.png",
            caption="../report/paper_fig3.rst",
            category="Paper figures",
        ),
        f"{PAPER_FIGURES_OUT}/fig3.pdf",
        f"{PAPER_FIGURES_OUT}/fig3.csv",
        report(
            f"{PAPER_FIGURES_OUT}/fig4.png",
            caption="../report/paper_fig4.rst",
            category="Paper figures",
        ),
        f"{PAPER_FIGURES_OUT}/fig4.pdf",
        f"{PAPER_FIGURES_OUT}/fig4.csv",
        report(
            f"{PAPER_FIGURES_OUT}/fig5.png",
            caption="../report/paper_fig5.rst",
            category="Paper figures",
        ),
        f"{PAPER_FIGURES_OUT}/fig5.pdf",
        f"{PAPER_FIGURES_OUT}/fig5.csv",
        report(
            f"{PAPER_FIGURES_OUT}/paper_figures.md",
            caption="../report/paper_figures.rst",
            category="Paper figures",
        ),
        f"{PAPER_FIGURES_OUT}/paper_figures.json",
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
