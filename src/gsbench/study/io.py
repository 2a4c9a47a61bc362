"""Per-trial results on disk: the row schema, atomic writes, schema-checked reads."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..errors import UserError
from ..results_schema import ROW_SCHEMA

class ResultsSchemaError(UserError, ValueError):
    """A results file whose columns are not the per-trial schema; names the file."""


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of :data:`ROW_SCHEMA`, in order, with their dtypes."""
    return frame[list(ROW_SCHEMA)].astype(ROW_SCHEMA)


def write_table_atomic(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``frame`` as Parquet (``.parquet``) or CSV (otherwise) to a temporary file beside
    ``path`` and rename it: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a killed job
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if path.suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_trials(paths: Iterable[str | os.PathLike]) -> pd.DataFrame:
    """Concatenate per-trial result files, checking each against :data:`ROW_SCHEMA`."""
    frames = []
    for path in paths:
        try:
            frame = pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path)
        except Exception as exc:
            raise ResultsSchemaError(f"results file {path} cannot be read: {exc}") from None
        missing = [c for c in ROW_SCHEMA if c not in frame.columns]
        if missing:
            raise ResultsSchemaError(
                f"results file {path} lacks column(s) {', '.join(missing)}; it was not written "
                "by this version of gsbench (rerun its job, e.g. delete the file)"
            )
        try:
            frames.append(conform(frame))
        except (ValueError, TypeError) as exc:
            raise ResultsSchemaError(f"results file {path} has a column of the wrong type: {exc}")
    if not frames:
        return conform(pd.DataFrame({c: pd.Series(dtype=t) for c, t in ROW_SCHEMA.items()}))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["method", "cell_id", "trial"], kind="stable").reset_index(drop=True)
