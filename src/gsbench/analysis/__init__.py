"""Statistical analysis of per-trial study results.

Public functions
----------------
wilson_interval
    Wilson score interval of a binomial proportion.
summarize
    One row per (method, cell): success counts and rates, Wilson bounds, error quartiles.
transitions
    Critical sample size n* per setting from a ridge logistic fit on log n, with
    bootstrap intervals and grid-edge labels.
scaling
    OLS fit log n* = a + b log s + c log g per method (and on the number of entries).
"""

from .columns import CELL_KEYS, ERROR_COLUMNS, SETTING_KEYS, STAT_COLUMNS, success_indicator
from .intervals import wilson_interval
from .logistic import fit_logistic_batch
from .scaling import SCALING_COLUMNS, ols_fit, scaling
from .success import summarize
from .transitions import TRANSITION_COLUMNS, TRANSITION_LABELS, transitions

__all__ = [
    "wilson_interval",
    "summarize",
    "transitions",
    "scaling",
    "success_indicator",
    "fit_logistic_batch",
    "ols_fit",
    "SETTING_KEYS",
    "CELL_KEYS",
    "ERROR_COLUMNS",
    "STAT_COLUMNS",
    "TRANSITION_COLUMNS",
    "TRANSITION_LABELS",
    "SCALING_COLUMNS",
]
