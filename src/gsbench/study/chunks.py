"""Jobs of a study: cells spread over balanced chunks; one job fits one method on one chunk."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pandas as pd

from ..coherence import incoherence
from ..runner import fit_problems
from .cells import CELL_FIELDS, Cell, expand_cells
from .config import ConfigError, import_plugins, method_specs
from .cost_model import chunk_count
from .io import checksum_path, conform, write_checksum, write_table_atomic


def chunk_cells(config: dict) -> dict[str, list[Cell]]:
    """Spread the cells over ``jobs_per_method`` chunks of balanced estimated cost (or as many
    as the target job duration ``resources.target_minutes`` asks, :func:`.cost_model.chunk_count`).

    A cell's cost is estimated as ``trials * n * p`` (every iteration of every method is
    dominated by products with the n x p design). Cells are assigned largest first to the
    least loaded chunk. A chunk's id holds a hash of its cells, so a changed grid yields new
    ids and never reuses a stale file.
    """
    cells, _ = expand_cells(config)
    return balance_chunks(cells, chunk_count(config, cells), config["trials"])


def balance_chunks(cells: list[Cell], jobs: int, trials: int) -> dict[str, list[Cell]]:
    """``chunkNN-<hash>`` -> cells: at most `jobs` chunks of balanced cost ``trials * n * p``
    (largest cell first into the least loaded chunk; the hash is of the chunk's cell ids)."""
    k = max(1, min(jobs, len(cells)))
    loads = [0.0] * k
    members: list[list[Cell]] = [[] for _ in range(k)]
    for cell in sorted(cells, key=lambda c: (-c.n * c.p, c.cell_id)):
        j = int(np.argmin(loads))
        loads[j] += trials * cell.n * cell.p
        members[j].append(cell)
    chunks = {}
    for j, group in enumerate(members):
        if not group:
            continue
        group.sort(key=lambda c: c.cell_id)
        digest = hashlib.sha1(",".join(c.cell_id for c in group).encode()).hexdigest()[:8]
        chunks[f"chunk{j:02d}-{digest}"] = group
    return chunks


def cell_rows(config: dict, label: str, cell: Cell) -> pd.DataFrame:
    """All trials of one cell fitted by method ``label`` (one batch), as rows."""
    name, preset, params = method_specs(config)[label]
    problems = [cell.problem(config, t) for t in range(config["trials"])]
    rows, _ = fit_problems(name, problems, params, preset=preset,
                           threshold=config["success"]["threshold"])
    frame = pd.DataFrame(rows)
    measured = incoherence(np.stack([pr.X for pr in problems]), problems[0].groups)
    for key, values in measured.items():
        frame[key] = values
    frame.insert(0, "seed", [pr.seed for pr in problems])
    frame.insert(0, "trial", np.arange(config["trials"]))
    for key in reversed(("cell_id",) + CELL_FIELDS):
        frame.insert(0, key, cell.cell_id if key == "cell_id" else getattr(cell, key))
    frame.insert(0, "method_name", name)
    frame.insert(0, "method", label)
    frame.insert(0, "study", config["study"])
    return conform(frame)


def run_chunk(config: dict, label: str, chunk_id: str, output: str | os.PathLike) -> pd.DataFrame:
    """One workflow job: method ``label`` on every trial of every cell of ``chunk_id``, written
    atomically to ``output`` with its SHA-256 in ``<output>.sha256``."""
    chunks = chunk_cells(config)
    if chunk_id not in chunks:
        raise ConfigError(f"chunk {chunk_id!r} is not a chunk of this config")
    return fit_cells(config, label, chunks[chunk_id], output)


def fit_cells(config: dict, label: str, cells: list[Cell], output: str | os.PathLike) -> pd.DataFrame:
    """Method ``label`` on every trial of `cells`, written atomically to ``output`` with its
    SHA-256 in ``<output>.sha256``."""
    import_plugins(config.get("plugins", []))
    frame = pd.concat([cell_rows(config, label, cell) for cell in cells], ignore_index=True)
    checksum_path(output).unlink(missing_ok=True)  # never a new file beside an old checksum
    write_table_atomic(frame, output)
    write_checksum(output)
    return frame
