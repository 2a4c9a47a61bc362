"""Memory a problem's arrays need, the memory available, and refusing what does not fit."""

from __future__ import annotations

import os

from ..errors import ProblemError


def problem_nbytes(n: int, p: int, n_val: int | None = None) -> int:
    """Peak memory in bytes to draw one problem: ``8 p (n + n_val)`` for X and X_val plus
    ``16 p max(n, n_val)`` for the temporary draws of the larger one (integer or Gaussian
    draws and the products that turn them into X)."""
    n_val = n if n_val is None else n_val
    return 8 * p * (n + n_val) + 16 * p * max(n, n_val)


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def format_bytes(nbytes: float) -> str:
    """``1.5e9`` -> ``"1.5 GB"``."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if nbytes < 1000 or unit == "TB":
            return f"{nbytes:.3g} {unit}"
        nbytes /= 1000
    raise AssertionError  # pragma: no cover


def check_memory(nbytes: int, what: str) -> None:
    """Raise :class:`ProblemError` when ``nbytes`` exceed the available memory."""
    available = available_memory()
    if available is not None and nbytes > available:
        raise ProblemError(f"{what} needs about {format_bytes(nbytes)} of memory, but only "
                           f"{format_bytes(available)} is available")
