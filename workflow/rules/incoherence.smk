# Incoherence: success against the measured coherence of every study, and for
# studies with decoy designs (config/incoherence.yaml) the tolerated coherence rho*.


rule coherence_figure:
    """Success rate per cell against measured s*delta_out or s*g*mu, one panel per method."""
    input:
        f"{OUT}/trials.parquet",
    output:
        png=report(
            f"{OUT}/figures/success_vs_{{measure}}.png",
            caption="../report/coherence.rst",
            category="Figures",
        ),
        pdf=f"{OUT}/figures/success_vs_{{measure}}.pdf",
    log:
        f"{OUT}/logs/figures/success_vs_{{measure}}.log",
    conda:
        "../envs/gsbench.yaml"
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        success=ANALYSIS["success"],
        code=ANALYSIS["code"],
    script:
        "../scripts/rule.py"


rule incoherence:
    """Tolerated decoy coherence rho* per (method, layout, s, g, sigma) with 95% intervals,
    the fit rho* ~ s^-b' g^-c' per method and layout, its figure and the verdict section.
    """
    input:
        f"{OUT}/trials.parquet",
    output:
        rho_star=f"{OUT}/incoherence/rho_star.csv",
        fits=f"{OUT}/incoherence/rho_star_scaling.csv",
        png=report(
            f"{OUT}/figures/rho_star.png",
            caption="../report/coherence.rst",
            category="Figures",
        ),
        pdf=f"{OUT}/figures/rho_star.pdf",
        sections=f"{OUT}/verdict/incoherence.json",
    log:
        f"{OUT}/logs/incoherence.log",
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
