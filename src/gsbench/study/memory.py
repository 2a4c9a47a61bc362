"""The one memory estimate of a study's fits (the planner's check, the jobs' ``mem_mb``).

A cell's batch holds its trials' problems (designs X and validation sets), their stacked
copy, one problem's temporary draws, and what the method keeps of each fit (the recorded
path of an iterative method): :func:`gsbench.runner.batch_nbytes`; a real design adds its
data matrix (:func:`data_nbytes`), from which the trials' rows are drawn.
"""

from __future__ import annotations

import json

from ..methods import get_method, make_method
from ..runner import batch_nbytes
from .cells import Cell
from .method_specs import method_specs


def cell_nbytes(cell: Cell, config: dict, label: str | None = None) -> int:
    """Peak memory of one cell's batch (:func:`gsbench.runner.batch_nbytes`): its trials'
    problems, their stacked copy, one draw, and what method ``label`` keeps of the fit (its
    recorded path); without ``label``, the most any of the config's methods needs."""
    n_val = config["problem"].get("n_val") or cell.n
    specs = method_specs(config)
    labels = [label] if label is not None else list(specs)
    nbytes = [batch_nbytes(estimator_of(specs[lab]), config["trials"], cell.n, cell.p, n_val)
              for lab in labels]
    batch = max(nbytes, default=batch_nbytes(None, config["trials"], cell.n, cell.p, n_val))
    return batch + data_nbytes(cell)


def data_nbytes(cell: Cell) -> int:
    """Bytes of a real design's curated data matrix (N x p float64, held once per process
    while its cells are fitted; 0 for a synthetic design)."""
    if not cell.is_real:
        return 0
    from .grid_designs import real_design

    return int(real_design(cell.design_spec).Z.nbytes)


#: Estimators built for memory estimates, by (registered class, preset, parameters as
#: canonical JSON):
#: a study's plan asks for the same few thousands of times (one per cell and method).
_ESTIMATORS: dict[tuple, object] = {}


def estimator_of(spec: tuple):
    """The estimator of a ``method_specs`` entry (for its memory estimate; built once per
    distinct entry and shared, so callers only read it)."""
    name, preset, params = spec
    try:
        key = (get_method(name), preset, json.dumps(params, sort_keys=True))
    except TypeError:  # a parameter JSON cannot write: no caching
        return make_method(name, params, preset=preset)
    if key not in _ESTIMATORS:
        _ESTIMATORS[key] = make_method(name, params, preset=preset)
    return _ESTIMATORS[key]
