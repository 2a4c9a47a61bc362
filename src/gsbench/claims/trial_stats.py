"""Statistics over a claim's trials: bootstrap intervals resampling whole trials, and the
run counts (converged, budget-exhausted, failed) every finding reports."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pandas as pd

from ..analysis.intervals import percentile_interval, resample_indices
from ..verdict import Measure


def bootstrap(frame: pd.DataFrame, stat: Callable[[pd.DataFrame], float], n_boot: int,
              seed: int, label: str) -> Measure:
    """``stat(frame)`` and its 95% percentile interval over ``n_boot`` resamplings of the
    trials (trial indices drawn with replacement and shared by every setting in ``frame``,
    which keeps the pairing: trial t is the same problem for every method and setting)."""
    if frame.empty:
        return Measure(label, math.nan, math.nan, math.nan)
    value = float(stat(frame))
    trial = frame["trial"].to_numpy()
    trials = np.unique(trial)
    rows_of = [np.flatnonzero(trial == t) for t in trials]
    draws = []
    for pick in resample_indices(np.random.default_rng(seed), trials.size, n_boot):
        rows = np.concatenate([rows_of[k] for k in pick])
        new_trial = np.repeat(np.arange(trials.size), [rows_of[k].size for k in pick])
        draws.append(float(stat(frame.iloc[rows].assign(trial=new_trial))))
    draws = np.array([d for d in draws if np.isfinite(d)])
    if not np.isfinite(value) or draws.size < 0.5 * n_boot:
        return Measure(label, value, math.nan, math.nan)
    return Measure(label, value, *percentile_interval(draws))


def counts(frame: pd.DataFrame, flag: str) -> dict:
    """Trial counts of a claim: total, converged by ``flag``, budget-exhausted (ok or not
    run, but not ``flag``), failed (diverged or failed)."""
    failed = frame["status"].isin(["diverged", "failed"])
    conv = frame[flag].astype(bool)
    return {"total": int(len(frame)), "converged": int(conv.sum()),
            "budget_exhausted": int((~conv & ~failed).sum()), "failed": int(failed.sum()),
            "criterion": flag}
