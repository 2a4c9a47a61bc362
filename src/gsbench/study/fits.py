"""One study fit: every trial of one cell fitted by one method, as rows of a fit file.

The rows are the per-trial table's (:data:`~gsbench.results_schema.FIT_SCHEMA`): the cell,
the trial and its seed, the fit's key (:mod:`.fingerprint`), the coherence measured on the
design, the fit's result, and the recorded error path from which the analysis computes the
early-stopping windows for the study's threshold. This module and what it imports are the
code part of every fit's key, so it imports no more than the fit needs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..coherence import incoherence
from ..results_schema import CELL_FIELDS, FIT_SCHEMA
from ..runner import fit_problems
from ..stopping_windows import path_columns


def cell_frame(study: str, label: str, spec: tuple, cell, problems: list, key) -> pd.DataFrame:
    """Rows of method `label` (``spec = (registry name, preset, parameters)``) on the trials
    `problems` of `cell` (one batch), keyed by `key` (a :class:`.fingerprint.FitKey`)."""
    name, preset, params = spec
    rows, results = fit_problems(name, problems, params, preset=preset)
    frame = pd.DataFrame(rows)
    paths = [path_columns(res, pr.w_star) for res, pr in zip(results, problems)]
    frame["path_iteration"] = pd.Series([it for it, _ in paths], dtype=object)
    frame["path_rel_error"] = pd.Series([rel for _, rel in paths], dtype=object)
    measured = incoherence(np.stack([pr.X for pr in problems]), problems[0].groups)
    for column, values in measured.items():
        frame[column] = values
    frame.insert(0, "code_key", key.code)
    frame.insert(0, "fit_key", key.config_key)
    frame.insert(0, "seed", [pr.seed for pr in problems])
    frame.insert(0, "trial", np.arange(len(problems)))
    for column in reversed(("cell_id",) + CELL_FIELDS):
        frame.insert(0, column, cell.cell_id if column == "cell_id" else getattr(cell, column))
    frame.insert(0, "method_name", name)
    frame.insert(0, "method", label)
    frame.insert(0, "study", study)
    return frame[list(FIT_SCHEMA)].astype(FIT_SCHEMA)
