"""Claims checker: published statements re-measured with gsbench's methods (``snakemake claims``).

1. ``depth_range`` (Li et al. 2021): depth enlarges the working range of initialisation;
2. ``depth_window`` (Li et al. 2021): depth widens the early-stopping window;
3. ``early_stopping`` (Li et al. 2021): early stopping is essential under noise;
4. ``min_l1`` (Chou, Maly & Rauhut 2021): as alpha -> 0, the deep factorisation's final
   iterate approaches the minimum-ℓ1 interpolant;
5. ``recovery_rate`` (Chou et al.): the ℓ1 convex limit predicts the recovery rate;
6. ``dglnn_rate`` (DGLNN paper, Corollary 1): error rate ``s sigma^2 log p / n``;
7. ``min_group_l12`` (new): is DGLNN's implicit bias the minimum group-ℓ1,2 interpolant?

Every claim writes ``<claim>.csv`` (tidy), ``<claim>.png`` and ``<claim>.json`` (a
:class:`Finding`: source, statement, setting, measured values with 95% bootstrap
intervals, criterion headed by the rule in words and its multiplicity, verdict
agrees/partly/disagrees/inconclusive, reason, run counts);
``claims.md`` collects them. A Finding is :class:`gsbench.verdict.Finding` (the one verdict
record), with the claims' optional fields filled. Settings: a file such as
``config/claims.yaml`` (schema ``gsbench/data/claims.schema.yaml``), passed by the caller.

Modules
-------
settings       reading and checking the settings against their schema (method ``sweep:``
               entries expanded)
verdicts       :func:`claim_finding` (a Finding with a checked verdict and its rule), setting text
fitting        problems per setting, fits -> per-trial rows with convergence flags, the
               iteration budget of deep models
trial_stats    bootstrap intervals resampling whole trials; run counts
plotting       the claims' figures on the study's plotting base
depth          the fits claims 1 and 2 share
depth_range, depth_window, early_stopping, min_l1, recovery_rate, dglnn_rate, min_group_l12
               one module per claim (``run(settings, outdir[, trials]) -> Finding``)
implicit_bias  claim 4's comparison with basis pursuit (final iterate projected onto Xw = y)
small_init_gd  plain gradient descent on DGLNN from a data-independent small start (claim 7)
summary        ``claims.md``
run            :func:`run_claim` and the workflow stages
"""

from ..verdict import Finding, Measure
from .run import claim_stage, depth_trials_stage, run_claim, summary_stage
from .settings import CLAIMS, SettingsError, load_settings, validate_settings
from .summary import write_summary
from .verdicts import VERDICTS, claim_finding

__all__ = [
    "CLAIMS", "VERDICTS", "Finding", "Measure", "SettingsError",
    "claim_finding", "claim_stage", "depth_trials_stage", "load_settings", "run_claim", "summary_stage",
    "validate_settings", "write_summary",
]  # fmt: skip
