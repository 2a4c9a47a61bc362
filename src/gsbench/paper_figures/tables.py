"""Tidy curve tables: thinning the records, the long-format rows and the CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from ..atomic import write_table

CSV_COLUMNS = ("figure", "panel", "method", "series", "index", "active", "iteration", "value")


def _thin(it: np.ndarray, max_points: int, xscale: str, keep: Iterable[int] = ()) -> np.ndarray:
    """Indices of at most ~``max_points`` records, even in iteration (or in log iteration)."""
    m = it.size
    if m <= max_points:
        return np.arange(m)
    if xscale == "log" and np.any(it > 0):
        pos = it[it > 0]
        targets = np.geomspace(pos[0], it[-1], max_points)
        idx = np.clip(np.searchsorted(it, targets), 0, m - 1)
    else:
        idx = np.linspace(0, m - 1, max_points).round().astype(int)
    return np.unique(np.concatenate([[0, m - 1], idx, np.asarray(list(keep), dtype=int)]))


def _curves(figure: str, panel: str, method: str, labels, indices, active, it, values) -> pd.DataFrame:
    """Tidy rows for K curves: ``values`` of shape (T, K) against ``it`` of shape (T,)."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    T, K = values.shape
    return pd.DataFrame({
        "figure": figure,
        "panel": panel,
        "method": method,
        "series": np.repeat(np.asarray(labels, dtype=object), T),
        "index": np.repeat(np.asarray(indices, dtype=np.int64), T),
        "active": np.repeat(np.asarray(active, dtype=bool), T),
        "iteration": np.tile(np.asarray(it, dtype=np.int64), K),
        "value": values.T.reshape(-1),
    })  # fmt: skip


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return write_table(frame[list(CSV_COLUMNS)], path, float_format="%.10g")
