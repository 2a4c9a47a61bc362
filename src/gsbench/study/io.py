"""Per-trial results on disk: the row schema, atomic writes, schema-checked reads."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow.parquet as pq

from ..atomic import write_table as write_table_atomic  # noqa: F401 (the name the study modules import)
from ..atomic import write_text
from ..errors import UserError
from ..results_schema import ROW_SCHEMA

class ResultsSchemaError(UserError, ValueError):
    """A results file whose columns are not the per-trial schema; names the file."""


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of :data:`ROW_SCHEMA`, in order, with their dtypes."""
    return frame[list(ROW_SCHEMA)].astype(ROW_SCHEMA)


def checksum_path(path: str | os.PathLike) -> Path:
    """Where the SHA-256 of a results file is recorded: ``<file>.sha256`` beside it."""
    return Path(f"{path}.sha256")


def _sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksum(path: str | os.PathLike) -> None:
    """Record ``path``'s SHA-256 in :func:`checksum_path` (``sha256sum -c`` format)."""
    write_text(checksum_path(path), f"{_sha256(path)}  {Path(path).name}\n")


def check_results_file(path: str | os.PathLike) -> None:
    """Raise :class:`ResultsSchemaError` (one line naming the file to delete) if a results file
    was changed since its job wrote it (its recorded checksum differs) or cannot be read.

    A file with the same mtime but other content (truncated, copied over, edited) passes
    Snakemake's timestamp check; the checksum catches it.
    """
    advice = f"delete it (rm {path}) and run again to recompute it"
    record = checksum_path(path)
    if record.exists():
        expected = record.read_text().split()[0] if record.read_text().strip() else ""
        if _sha256(path) != expected:
            raise ResultsSchemaError(
                f"results file {path} changed after its job wrote it (its SHA-256 differs from "
                f"{record.name}); {advice}"
            )
    try:
        if str(path).endswith(".parquet"):
            pq.read_metadata(path)
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ResultsSchemaError(f"results file {path} cannot be read ({first}); {advice}") from None


def check_results_files(directory: str | os.PathLike) -> None:
    """:func:`check_results_file` for every Parquet file under ``directory`` (if it exists)."""
    for path in sorted(Path(directory).glob("**/*.parquet")):
        check_results_file(path)


def read_trials(paths: Iterable[str | os.PathLike]) -> pd.DataFrame:
    """Concatenate per-trial result files, checking each (:func:`check_results_file`) and its
    columns against :data:`ROW_SCHEMA`."""
    frames = []
    for path in paths:
        check_results_file(path)
        try:
            frame = pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path)
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ResultsSchemaError(f"results file {path} cannot be read ({first}); delete it "
                                     f"(rm {path}) and run again to recompute it") from None
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
