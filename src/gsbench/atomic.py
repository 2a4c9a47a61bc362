"""Atomic file writes: every results file, table, figure and report appears whole or not at all.

Each writer fills a temporary file beside the target (same directory, so the rename is on one
file system) and renames it onto the target with :func:`os.replace`; a reader, or a job killed
mid-write, never leaves or sees half a file. The temporary file is named
``.<name>.<random>.tmp``: hidden, and never matching the target's suffix, so a glob for
``*.parquet`` does not pick up a half-written one; one left behind by a killed process is
removed by the next write of the same target. The written file gets the permissions a plain ``open(path, "w")`` would give,
``0o666 & ~umask`` (0644 under umask 022), not the 0600 of :func:`tempfile.mkstemp`.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:  # imported by callers that have them; this module needs neither
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["atomic_path", "save_figure", "write_bytes", "write_table", "write_text"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on normal exit rename it onto ``path``.

    Parent directories are created. If the body raises, the temporary file is removed and
    ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a killed job
        stale.unlink(missing_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_table(frame: "pd.DataFrame", path: str | os.PathLike,
                metadata: dict[str, str] | None = None, **to_csv: Any) -> Path:
    """Write ``frame`` without its index atomically: Parquet for a ``.parquet`` path (with
    `metadata` added to the file's key-value metadata), else CSV (``to_csv`` keywords such as
    ``float_format`` passed to :meth:`pandas.DataFrame.to_csv`)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        dump_table(frame, tmp, path.suffix, metadata, **to_csv)
    return path


def dump_table(frame: "pd.DataFrame", target: str | os.PathLike, suffix: str,
               metadata: dict[str, str] | None = None, **to_csv: Any) -> None:
    """Write ``frame`` into `target` (not atomically: `target` is a temporary path of
    :func:`atomic_path`) in the format of `suffix` (``".parquet"``, else CSV)."""
    if suffix == ".parquet":
        if to_csv:
            raise TypeError(f"write_table: CSV options {sorted(to_csv)} given for a Parquet file")
        if metadata:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            extra = {k.encode(): v.encode() for k, v in metadata.items()}
            pq.write_table(table.replace_schema_metadata({**(table.schema.metadata or {}), **extra}), target)
        else:
            frame.to_parquet(target, index=False)
    else:
        frame.to_csv(target, index=False, **to_csv)


def save_figure(fig: "Figure", path: str | os.PathLike, **savefig: Any) -> Path:
    """``fig.savefig(path, **savefig)`` atomically (format from the path's suffix unless
    ``format`` is given); return the path."""
    path = Path(path)
    savefig.setdefault("format", path.suffix.lstrip(".").lower() or None)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, **savefig)
    return path
