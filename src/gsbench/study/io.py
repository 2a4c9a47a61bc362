"""Per-trial results on disk: the row schema, atomic writes, schema-checked reads."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow.parquet as pq

from ..atomic import write_table as write_table_atomic  # noqa: F401 (the name the study modules import)
from ..atomic import write_text
from ..errors import UserError
from ..results_schema import FIT_SCHEMA, PATH_FIELDS, ROW_SCHEMA
from ..stopping_windows import DEFAULT_THRESHOLD, WINDOW_FIELDS, windows_from_paths

#: Parquet metadata key of a fit file: the JSON list of its cells' fit keys
#: (:class:`gsbench.study.fingerprint.FitKey`).
FIT_KEYS_METADATA = "gsbench.fit_keys"

#: Columns a study with real designs adds to its per-trial table (:func:`with_design_columns`):
#: a real design's canonical spec and its group sizes (a JSON list); empty on the rows of
#: synthetic designs. A study of synthetic designs only has exactly :data:`ROW_SCHEMA`.
DESIGN_COLUMNS: dict[str, str] = {"design_spec": "string", "group_sizes": "string"}


def with_design_columns(trials: pd.DataFrame, config: dict) -> pd.DataFrame:
    """``trials`` with :data:`DESIGN_COLUMNS` filled from the config's real designs (by the
    rows' ``design``), or unchanged when the config has none."""
    from .grid_designs import design_specs, real_design

    specs = design_specs(config)
    if not specs:
        return trials
    sizes = {name: json.dumps(real_design(spec).sizes.tolist(), separators=(",", ":"))
             for name, spec in specs.items()}
    design = trials["design"].astype(str)
    out = trials.assign(design_spec=design.map(specs).fillna(""),
                        group_sizes=design.map(sizes).fillna(""))
    return out.astype(DESIGN_COLUMNS)


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


def write_checked_table(frame: pd.DataFrame, path: str | os.PathLike,
                        metadata: dict[str, str] | None = None) -> None:
    """``frame`` to ``path`` (Parquet, with `metadata`) atomically, its SHA-256 recorded
    *before* the file appears: a reader (another job's start-up check, on a cluster) never
    sees a new fit file without its checksum."""
    from ..atomic import atomic_path, dump_table

    path = Path(path)
    checksum_path(path).unlink(missing_ok=True)  # never a new file beside an old checksum
    with atomic_path(path) as tmp:
        dump_table(frame, tmp, path.suffix, metadata)
        write_text(checksum_path(path), f"{_sha256(tmp)}  {path.name}\n")


def check_results_file(path: str | os.PathLike, *, require_checksum: bool = False) -> None:
    """Raise :class:`ResultsSchemaError` (one line naming the file to delete) if a results file
    was changed since its job wrote it (its recorded checksum differs), has no recorded
    checksum while ``require_checksum`` (a fit file: its job always writes one), or cannot be
    read.

    A file with the same mtime but other content (truncated, copied over, edited) passes
    Snakemake's timestamp check; the checksum catches it.
    """
    advice = f"delete it (rm {path}) and run again to recompute it"
    record = checksum_path(path)
    if require_checksum and not record.exists():
        raise ResultsSchemaError(
            f"results file {path} has no checksum {record.name} (its job writes one; deleted "
            f"or never finished), so it cannot be trusted; {advice}"
        )
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
    """:func:`check_results_file` for every Parquet file under ``directory`` (if it exists),
    each of which must have its checksum (the fits directory: every fit job writes one)."""
    for path in sorted(Path(directory).glob("**/*.parquet")):
        check_results_file(path, require_checksum=True)


def _read_checked(path: str | os.PathLike, schema: dict[str, str],
                  require_checksum: bool = False, optional: dict[str, str] | None = None) -> pd.DataFrame:
    """One results file, checked (:func:`check_results_file`), with the columns of `schema`
    in order and with their dtypes (and those of `optional` when the file has them all); a
    :class:`ResultsSchemaError` naming the file otherwise."""
    check_results_file(path, require_checksum=require_checksum)
    try:
        frame = pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path)
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ResultsSchemaError(f"results file {path} cannot be read ({first}); delete it "
                                 f"(rm {path}) and run again to recompute it") from None
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise ResultsSchemaError(
            f"results file {path} lacks column(s) {', '.join(missing)}; it was not written "
            "by this version of gsbench (rerun its job, e.g. delete the file)"
        )
    if optional and all(c in frame.columns for c in optional):
        schema = {**schema, **optional}
    try:
        return frame[list(schema)].astype(schema)
    except (ValueError, TypeError) as exc:
        raise ResultsSchemaError(f"results file {path} has a column of the wrong type: {exc}") from None


def read_trials(paths: Iterable[str | os.PathLike]) -> pd.DataFrame:
    """Concatenate per-trial tables (``trials.parquet``, :data:`ROW_SCHEMA` and, in a study
    with real designs, :data:`DESIGN_COLUMNS`), checking each (:func:`check_results_file`) and
    its columns. A study's fit files are read by :func:`read_fits`."""
    frames = [_read_checked(path, ROW_SCHEMA, optional=DESIGN_COLUMNS) for path in paths]
    if not frames:
        return conform(pd.DataFrame({c: pd.Series(dtype=t) for c, t in ROW_SCHEMA.items()}))
    out = pd.concat(frames, ignore_index=True)
    for column, dtype in DESIGN_COLUMNS.items():  # a table without them beside one with them
        if column in out.columns:
            out[column] = out[column].fillna("").astype(dtype)
    return out.sort_values(["method", "cell_id", "trial"], kind="stable").reset_index(drop=True)


def read_fit_keys(path: str | os.PathLike) -> list:
    """The fit keys recorded in a fit file's metadata (:data:`FIT_KEYS_METADATA`); a
    :class:`ResultsSchemaError` naming the file when it has none."""
    from .fingerprint import FitKey

    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(FIT_KEYS_METADATA.encode())
    if raw is None:
        raise ResultsSchemaError(f"results file {path} records no fit keys (written by an older "
                                 f"gsbench); delete it (rm {path}) and run again to recompute it")
    return [FitKey.from_json(json.dumps(item)) for item in json.loads(raw)]


class MixedCodeError(ResultsSchemaError):
    """Fits of one method computed by different code; names the files of each code key."""


def read_fits(paths: Iterable[str | os.PathLike], threshold: float = DEFAULT_THRESHOLD,
              allow_code_changes: bool = False) -> pd.DataFrame:
    """A study's fit files (:data:`~gsbench.results_schema.FIT_SCHEMA`) as one per-trial table
    (:data:`ROW_SCHEMA`): each file checked (:func:`check_results_file`), the early-stopping
    windows computed from the recorded paths for the success `threshold`.

    Fits of one method whose code keys differ are refused (:class:`MixedCodeError`, naming
    the files of each key) unless `allow_code_changes` (the config key of that name).
    """
    paths = [Path(p) for p in paths]
    frames, sources = [], []
    for path in paths:
        frame = _read_checked(path, FIT_SCHEMA, require_checksum=True)
        frames.append(frame)
        sources.append(pd.Series(str(path), index=frame.index))
    if not frames:
        return conform(pd.DataFrame({c: pd.Series(dtype=t) for c, t in ROW_SCHEMA.items()}))
    out = pd.concat(frames, ignore_index=True)
    source = pd.concat(sources, ignore_index=True)
    if not allow_code_changes:
        for method, grp in out.groupby("method", sort=True):
            codes = grp["code_key"].unique()
            if len(codes) > 1:
                files = "; ".join(
                    f"code {code}: " + ", ".join(sorted(set(source[grp.index[grp['code_key'] == code]])))
                    for code in sorted(codes)
                )
                raise MixedCodeError(
                    f"method {method!r}: fits computed by {len(codes)} versions of its code ({files});"
                    " refit the older ones (delete them) or set allow_code_changes: true in the "
                    "config to aggregate them anyway")
    windows = windows_from_paths(out["path_iteration"], out["path_rel_error"], threshold)
    for key in WINDOW_FIELDS:
        out[key] = windows[key]
    out = conform(out.drop(columns=list(PATH_FIELDS)))
    return out.sort_values(["method", "cell_id", "trial"], kind="stable").reset_index(drop=True)
