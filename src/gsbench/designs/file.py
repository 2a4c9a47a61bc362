"""The user's own design matrix: ``data: {name: file, path: X.parquet|csv|npy, groups: ...}``.

The file holds the N x p matrix (Parquet or CSV: one column per feature, a header row; NPY:
a 2-d numeric array).  ``groups`` says which columns form a group, one of

* ``{sizes: [3, 2, 4]}``: contiguous groups of these sizes, in column order (summing to p);
* ``{labels: [a, a, b, ...]}``: one label per column (p of them);
* ``{labels_file: groups.csv, column: group}``: a CSV or Parquet table with one row per
  feature, whose column ``column`` holds the labels.

Columns of one label need not be adjacent: they are gathered (in the order of each label's
first column).  Every problem with the file or the spec is one line naming it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ProblemError

#: Options of ``name: file`` (beyond the curation options).
FILE_OPTIONS = {"path": None, "groups": None}
GROUP_FORMS = ("sizes", "labels", "labels_file")


def _fail(message: str):
    raise ProblemError(message, "data")


def _read_table(path: Path, what: str):
    import pandas as pd

    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except Exception as exc:  # one line: the reader's complaint
        _fail(f"{what} {path}: cannot be read as {path.suffix[1:]}: {type(exc).__name__}: "
              f"{str(exc).splitlines()[0] if str(exc) else ''}")


def _read_matrix(path: Path) -> tuple[np.ndarray, list[str]]:
    if path.suffix == ".npy":
        try:
            Z = np.load(path, allow_pickle=False)
        except Exception as exc:
            _fail(f"design file {path}: cannot be read as npy: {type(exc).__name__}: {exc}")
        if Z.ndim != 2:
            _fail(f"design file {path}: needs a 2-d array (rows x features), got shape {Z.shape}")
        if not (np.issubdtype(Z.dtype, np.number) or Z.dtype == bool):
            _fail(f"design file {path}: needs a numeric array, got dtype {Z.dtype}")
        return Z.astype(float), [f"x{j}" for j in range(Z.shape[1])]
    frame = _read_table(path, "design file")
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    bad = [str(c) for c in frame.columns
           if not (is_numeric_dtype(frame[c].dtype) or is_bool_dtype(frame[c].dtype))]
    if bad:
        _fail(f"design file {path}: non-numeric column(s) {bad[:5]}{' ...' if len(bad) > 5 else ''}"
              f" (encode them, e.g. as dummy columns, before use)")
    return frame.to_numpy(dtype=float), [str(c) for c in frame.columns]


def _labels(groups, p: int, path: Path) -> list:
    if not isinstance(groups, dict) or len(groups.keys() & set(GROUP_FORMS)) != 1:
        _fail(f"design file {path}: groups must be one of {{sizes: [...]}}, {{labels: [...]}} or "
              f"{{labels_file: ..., column: ...}}, got {groups!r}")
    extra = set(groups) - set(GROUP_FORMS) - {"column"}
    if extra:
        _fail(f"design file {path}: unknown groups key(s) {sorted(extra)}")
    if "sizes" in groups:
        sizes = groups["sizes"]
        if (not isinstance(sizes, (list, tuple)) or not sizes
                or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in sizes)):
            _fail(f"design file {path}: groups.sizes must be a list of positive integers, got {sizes!r}")
        if sum(sizes) != p:
            _fail(f"design file {path}: groups.sizes sum to {sum(sizes)}, but the file has {p} columns")
        return list(np.repeat(np.arange(len(sizes)), sizes))
    if "labels" in groups:
        labels = groups["labels"]
        if not isinstance(labels, (list, tuple)) or len(labels) != p:
            _fail(f"design file {path}: groups.labels needs one label per column ({p}), got "
                  f"{len(labels) if isinstance(labels, (list, tuple)) else repr(labels)}")
        return list(labels)
    if "column" not in groups:
        _fail(f"design file {path}: groups.labels_file needs column: <name of the label column>")
    lpath = Path(groups["labels_file"])
    if not lpath.is_file():
        _fail(f"labels file {lpath}: not found")
    table = _read_table(lpath, "labels file")
    if groups["column"] not in table.columns:
        _fail(f"labels file {lpath}: no column {groups['column']!r} (columns: {list(table.columns)[:8]})")
    labels = table[groups["column"]]
    if len(labels) != p or labels.isna().any():
        _fail(f"labels file {lpath}: column {groups['column']!r} needs {p} labels (one per feature, "
              f"none missing), got {len(labels)} with {int(labels.isna().sum())} missing")
    return labels.tolist()


def read_design_file(path, groups) -> tuple[np.ndarray, list, list[str]]:
    """Read ``path`` and its group spec: ``(Z, labels, column names)``.

    Raises :class:`~gsbench.problems.ProblemError` (one line each) for no path, a missing
    file, an unknown suffix, an unreadable or non-2-d file, non-numeric columns, NaN or
    infinite entries, fewer than 2 rows, and a group spec that does not fit the columns.
    """
    if path is None:
        _fail("data name 'file' needs path: <X.parquet | X.csv | X.npy>")
    if groups is None:
        _fail(f"design file {path}: needs groups: {{sizes | labels | labels_file}}")
    path = Path(path)
    if path.suffix not in (".parquet", ".csv", ".npy"):
        _fail(f"design file {path}: suffix must be .parquet, .csv or .npy, got {path.suffix!r}")
    if not path.is_file():
        _fail(f"design file {path}: not found")
    Z, names = _read_matrix(path)
    bad = ~np.isfinite(Z)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        _fail(f"design file {path}: {int(bad.sum())} NaN or infinite entries (first at row {i}, "
              f"column {names[j]!r})")
    if Z.shape[0] < 2 or Z.shape[1] < 1:
        _fail(f"design file {path}: needs at least 2 rows and 1 column, got shape {Z.shape}")
    return Z, _labels(groups, Z.shape[1], path), names
