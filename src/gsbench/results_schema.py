"""The per-trial results table, declared once: its columns, their dtypes, the fit statuses.

One row per ``(method, cell, trial)``: the study and method, the grid cell
(:data:`CELL_FIELDS`), the trial and its seed, then a fit's result (:data:`RESULT_FIELDS`).
The runner writes rows of :data:`RESULT_FIELDS`, the study writes and checks
:data:`ROW_SCHEMA`, the analysis groups by the cell fields and reads the statuses.
"""

from __future__ import annotations

from .coherence import COHERENCE_FIELDS
from .stopping_windows import WINDOW_FIELDS

#: A fit that ran to its end (converged or out of budget).
STATUS_OK = "ok"
#: A fit whose iterates became non-finite or exploded: a result of the method, not an error.
STATUS_DIVERGED = "diverged"
#: A fit that raised; ``message`` holds the exception.
STATUS_FAILED = "failed"
STATUSES: tuple[str, ...] = (STATUS_OK, STATUS_DIVERGED, STATUS_FAILED)

#: One point of the study grid, in the order of the grid's cartesian product.
CELL_FIELDS: tuple[str, ...] = (
    "p", "group_size", "active_groups", "n", "sigma", "design", "decoy_rho", "decoy_layout",
)
#: Fields of the decoy design only (constant elsewhere); decoy cells are analysed in rho at
#: one n (:mod:`gsbench.analysis.incoherence`), not in n.
DECOY_FIELDS: tuple[str, ...] = ("decoy_rho", "decoy_layout")
#: A cell without its sample size: one phase-transition curve in n (per method).
SETTING_FIELDS: tuple[str, ...] = tuple(f for f in CELL_FIELDS if f not in ("n", *DECOY_FIELDS))
#: Relative errors ``||w - w*|| / ||w*||`` at the oracle, validation-stopped and final iterate;
#: each can serve as the success metric (the config schema's ``success.metric``).
ERROR_FIELDS: tuple[str, ...] = ("rel_error_oracle", "rel_error_validation", "rel_error_final")

#: Columns of one fit's result, in order, with their dtypes.
RESULT_FIELDS: dict[str, str] = {
    **dict.fromkeys(ERROR_FIELDS, "float64"),
    "support_precision": "float64", "support_recall": "float64",
    "oracle_iteration": "int64", "stop_iteration": "int64", "iterations": "int64",
    "seconds": "float64", "status": "string", "message": "string",
    "params": "string", "resolved": "string", "extra": "string",
    "converged": "bool",
    **WINDOW_FIELDS,  # early-stopping windows (gsbench.stopping_windows)
}  # fmt: skip

#: What a study's fit was computed from (:mod:`gsbench.study.fingerprint`): the hash of its
#: configuration part (cell, problem options, trials, method and parameters) and of its code.
KEY_FIELDS: dict[str, str] = {"fit_key": "string", "code_key": "string"}

#: A trial's recorded path in a study's fit file: the recorded iterations and the relative
#: error ``||w_t - w*|| / ||w*||`` at each (empty for a method without a path). The analysis
#: computes the early-stopping windows from it for the study's success threshold, so the
#: threshold is not part of a fit's key.
PATH_FIELDS: dict[str, str] = {"path_iteration": "object", "path_rel_error": "object"}

#: Columns of the per-trial table (``trials.parquet``), in order, with their dtypes.
ROW_SCHEMA: dict[str, str] = {
    "study": "string", "method": "string", "method_name": "string", "cell_id": "string",
    "n": "int64", "p": "int64", "group_size": "int64", "active_groups": "int64",
    "sigma": "float64", "design": "string", "decoy_rho": "float64", "decoy_layout": "string",
    "trial": "int64", "seed": "int64", **KEY_FIELDS, **COHERENCE_FIELDS, **RESULT_FIELDS,
}  # fmt: skip

#: Columns of a study's fit file: the per-trial row without the threshold-dependent windows,
#: with the recorded path they are computed from.
FIT_SCHEMA: dict[str, str] = {
    **{k: v for k, v in ROW_SCHEMA.items() if k not in WINDOW_FIELDS}, **PATH_FIELDS,
}
