# Beyond noiseless random designs: two studies with their own settings files.
#   snakemake real --cores 2    real design matrices   (config/real.yaml, or
#                                --config real_settings=<path>) -> results/real/verdict.md
#   snakemake noisy --cores 2   the noisy regime       (config/noisy.yaml, or
#                                --config noisy_settings=<path>) -> results/noisy/verdict.md
# Independent of the study config; one fit job per part (a design at one coherence cap, or
# one signal-to-noise ratio), then one verdict job. Settings are read only when a target
# of these rules is requested (the Ames data need the optional extra `pip install .[data]`).


wildcard_constraints:
    regime="real|noisy",


rule regime_part:
    """One part of the real or noisy study: every method on its problems (gsbench.regimes)."""
    input:
        settings=lambda w: REGIME_SETTINGS[w.regime],
    output:
        csv="results/{regime}/fits/{part}.csv",
        seconds="results/{regime}/fits/{part}.json",
    log:
        "results/{regime}/logs/{part}.log",
    conda:
        "../envs/gsbench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        kind=lambda w: w.regime,
    script:
        "../scripts/rule.py"


rule regime_verdict:
    """verdict.md of the real or noisy study, its tables and figure, from the parts."""
    input:
        settings=lambda w: REGIME_SETTINGS[w.regime],
        parts=lambda w: regime_parts(w.regime),
    output:
        verdict="results/{regime}/verdict.md",
        trials="results/{regime}/trials.csv",
        paired="results/{regime}/paired.csv",
    log:
        "results/{regime}/logs/verdict.log",
    conda:
        "../envs/gsbench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        kind=lambda w: w.regime,
    script:
        "../scripts/rule.py"


rule real:
    """Target: the real-design study's verdict."""
    input:
        "results/real/verdict.md",


rule noisy:
    """Target: the noisy-regime study's verdict."""
    input:
        "results/noisy/verdict.md",
