"""Jobs of a study: cells spread over balanced chunks; one job fits one method on one chunk.

A chunk only groups cells into a job. The fits themselves are stored per cell, under their
key (:mod:`.fingerprint`), in ``<fits>/<method>/cells/<cell_id>.<fit key>-<code key>.parquet``;
a job reuses every cell whose file exists and fits the others, then writes the chunk's
table (the job's output, ``<fits>/<method>/<chunk>.parquet``). A chunk's id hashes its cells'
keys, so any change that changes a fit (parameters, trials, problem options, code) renames
exactly the chunks holding it, and Snakemake reruns those jobs and no other; re-chunking a
study (another ``jobs_per_method``) reuses every fit.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from .cells import Cell, expand_cells
from ..errors import ConfigError
from .method_specs import import_plugins, method_specs
from .fingerprint import FitKey, fit_key
from .cost_model import chunk_count
from .fits import cell_frame
from .io import (
    FIT_KEYS_METADATA,
    ResultsSchemaError,
    check_results_file,
    read_fit_keys,
    write_checked_table,
)


def chunk_cells(config: dict) -> dict[str, dict[str, list[Cell]]]:
    """``method label -> {chunk id -> cells}``: each method's cells spread over
    ``jobs_per_method`` chunks of balanced estimated cost (or as many as the target job
    duration ``resources.target_minutes`` asks, :func:`.cost_model.chunk_count`;
    :func:`balance_chunks`), the ids hashing the cells' fit keys."""
    import_plugins(config.get("plugins", []))
    cells, _ = expand_cells(config)
    return {label: method_chunks(config, label, cells) for label in config["methods"]}


def method_chunks(config: dict, label: str, cells: list[Cell]) -> dict[str, list[Cell]]:
    """Method `label`'s chunks of `cells` (ids hash the cells' fit keys).

    With ``jobs_per_method``, the cells are balanced over that many chunks. With a target
    job duration (``resources.target_minutes``) the chunks are cut per value of p, each p's
    cells over as many chunks as their cost asks (:func:`.cost_model.chunk_count`): a job
    then holds cells of one size and asks for the memory of that size, not of the largest
    p of the study (:mod:`.resources`)."""
    keys = {c.cell_id: fit_key(config, label, c).file_stem for c in cells}
    if config["resources"]["target_minutes"] is None:
        return balance_chunks(cells, chunk_count(config, cells, label), config["trials"], keys)
    chunks: dict[str, list[Cell]] = {}
    for p in sorted({c.p for c in cells}):
        same_p = [c for c in cells if c.p == p]
        chunks.update(balance_chunks(same_p, chunk_count(config, same_p, label), config["trials"],
                                     keys, first=len(chunks)))  # fmt: skip
    return chunks


def balance_chunks(cells: list[Cell], jobs: int, trials: int,
                   keys: dict[str, str] | None = None, first: int = 0) -> dict[str, list[Cell]]:
    """``chunkNN-<hash>`` -> cells: at most `jobs` chunks of balanced cost ``trials * n * p``
    (largest cell first into the least loaded chunk; every iteration of every method is
    dominated by products with the n x p design), numbered from `first`. The hash is of the
    chunk's cells' `keys` (cell id -> fit key; the cell ids themselves without keys)."""
    k = max(1, min(jobs, len(cells)))
    loads = [0.0] * k
    members: list[list[Cell]] = [[] for _ in range(k)]
    for cell in sorted(cells, key=lambda c: (-c.n * c.p, c.cell_id)):
        j = int(np.argmin(loads))
        loads[j] += trials * cell.n * cell.p
        members[j].append(cell)
    keys = keys or {}
    chunks = {}
    for j, group in enumerate(members):
        if not group:
            continue
        group.sort(key=lambda c: c.cell_id)
        names = ",".join(keys.get(c.cell_id, c.cell_id) for c in group)
        chunks[f"chunk{first + len(chunks):02d}-{hashlib.sha1(names.encode()).hexdigest()[:8]}"] = group
    return chunks


def run_chunk(config: dict, label: str, chunk_id: str, output: str | os.PathLike) -> pd.DataFrame:
    """One workflow job: method ``label`` on every trial of every cell of ``chunk_id``, written
    atomically to ``output`` with its SHA-256 in ``<output>.sha256``."""
    chunks = chunk_cells(config)
    if label not in chunks:
        raise ConfigError(f"method {label!r} is not a method of this config")
    if chunk_id not in chunks[label]:
        raise ConfigError(f"chunk {chunk_id!r} is not a chunk of method {label!r} in this config "
                          "(its cells or their fit keys changed since the run was planned: was the config or "
                          "gsbench's code edited during the run? Start the run again)")
    return fit_cells(config, label, chunks[label][chunk_id], output)


def cell_store(output: str | os.PathLike) -> Path:
    """Where the per-cell fit files of the method of job output `output` live."""
    return Path(output).parent / "cells"


def cell_rows(config: dict, label: str, cell: Cell, store: str | os.PathLike | None = None) -> pd.DataFrame:
    """All trials of one cell fitted by method ``label``: read from `store` when a file of
    the cell's key is there (with ``allow_code_changes``, one of the same configuration key
    and another code key), else fitted (one batch) and, with a `store`, saved there."""
    import_plugins(config.get("plugins", []))
    key = fit_key(config, label, cell)
    if store is not None:
        found = _stored(Path(store), key, config.get("allow_code_changes", False))
        if found is not None:
            logging.info("%s %s: reused %s", label, cell.cell_id, found.name)
            return pd.read_parquet(found)
    problems = [cell.problem(config, t) for t in range(config["trials"])]
    frame = cell_frame(config["study"], label, method_specs(config)[label], cell, problems, key)
    if store is not None:
        path = Path(store) / f"{key.file_stem}.parquet"
        _write_fit(frame, path, [key])
    return frame


def _stored(store: Path, key: FitKey, any_code: bool) -> Path | None:
    """The stored fit file of `key` (or, with `any_code`, the newest of its configuration
    key), if it exists and is intact; a damaged one is removed and refitted."""
    exact = store / f"{key.file_stem}.parquet"
    candidates = [exact] if exact.exists() else []
    if not candidates and any_code:
        candidates = sorted(store.glob(f"{key.cell_id}.{key.config_key}-*.parquet"),
                            key=lambda p: p.stat().st_mtime, reverse=True)
    for path in candidates:
        try:
            check_results_file(path, require_checksum=True)
            (stored,) = read_fit_keys(path)
        except (ResultsSchemaError, ValueError):
            logging.warning("damaged fit file %s: fitted again", path)
            continue
        if stored.config_key == key.config_key and (any_code or stored.code == key.code):
            return path
    return None


def _write_fit(frame: pd.DataFrame, path: Path, keys: list[FitKey]) -> None:
    """`frame` to `path` atomically with its keys in the Parquet metadata and its SHA-256
    beside it (:func:`.io.write_checked_table`)."""
    meta = {FIT_KEYS_METADATA: json.dumps([json.loads(k.to_json()) for k in keys])}
    write_checked_table(frame, path, metadata=meta)


def fit_cells(config: dict, label: str, cells: list[Cell], output: str | os.PathLike) -> pd.DataFrame:
    """Method ``label`` on every trial of `cells` (stored cells reused), written atomically to
    ``output`` with the cells' fit keys in its metadata and its SHA-256 in
    ``<output>.sha256``."""
    store = cell_store(output)
    frames, keys = [], []
    for cell in cells:
        frame = cell_rows(config, label, cell, store)
        # the code that computed the rows (another than today's only with allow_code_changes)
        keys.append(replace(fit_key(config, label, cell), code=str(frame["code_key"].iloc[0])))
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    _write_fit(frame, Path(output), keys)
    return frame
