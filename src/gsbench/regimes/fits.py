"""What the real-design and noisy studies share: every method on a batch of problems -> tidy
per-trial rows, plus measures of the problems themselves."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd

from ..claims.settings import method_spec
from ..coherence import incoherence
from ..problems import Problem
from ..runner import fit_problems

#: Columns of a fit row kept in the studies' CSVs (beyond the setting's own).
FIT_COLUMNS = ("method", "trial", "seed", "status", "message", "rel_error_oracle",
               "rel_error_validation", "rel_error_final", "sq_error_oracle",
               "sq_error_validation", "iterations", "seconds")


def fit_methods(methods: dict, problems: list[Problem], threshold: float = 0.05) -> pd.DataFrame:
    """Every method label of ``methods`` on all ``problems`` (one shape) in one batch each: one
    row per (label, problem) with :data:`FIT_COLUMNS` (squared errors absolute,
    ``||w - w*||^2``)."""
    rows = []
    norms2 = np.array([float(pr.w_star @ pr.w_star) for pr in problems])
    for label, body in methods.items():
        name, params = method_spec(label, body)
        start = time.perf_counter()
        fits, _ = fit_problems(name, problems, params, threshold=threshold)
        for t, (row, pr) in enumerate(zip(fits, problems)):
            rows.append({
                "method": label, "trial": t, "seed": pr.seed, "status": row["status"],
                "message": row["message"], **{k: row[k] for k in (
                    "rel_error_oracle", "rel_error_validation", "rel_error_final",
                    "iterations")},
                "sq_error_oracle": row["rel_error_oracle"] ** 2 * norms2[t],
                "sq_error_validation": row["rel_error_validation"] ** 2 * norms2[t],
                "seconds": row["seconds"] if np.isfinite(row["seconds"]) else
                (time.perf_counter() - start) / len(problems),
            })
    return pd.DataFrame(rows, columns=list(FIT_COLUMNS))


def problem_measures(problems: list[Problem]) -> pd.DataFrame:
    """Per problem: delta_in, delta_out, mu of its design (:func:`gsbench.coherence.incoherence`)
    and its active groups (JSON)."""
    X = np.stack([pr.X for pr in problems])
    inc = incoherence(X, problems[0].groups)
    return pd.DataFrame({"trial": np.arange(len(problems)), **inc,
                         "active": [json.dumps(pr.active_groups.tolist()) for pr in problems]})
