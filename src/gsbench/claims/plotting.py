"""The claims' figures on the study's plotting base: a row of axes, a line with its
interval band, log scales and legends that tolerate empty panels."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np


@contextmanager
def figure(path: str | Path, ncols: int, title: str, dpi: int | None = None, width: float = 4.6):
    """A row of ``ncols`` axes on the study's plotting base (:mod:`gsbench.report.figure_base`:
    its style, figure and byte-reproducible :func:`~gsbench.report.figure_base.save`), written
    on exit to ``path`` (PNG, ``dpi``, default the base's) and beside it as PDF."""
    from ..report.figure_base import DPI, new_figure, save, style

    path = Path(path)
    with style():
        fig = new_figure(width * ncols, 3.8)
        axes = fig.subplots(1, ncols, squeeze=False)
        yield fig, list(axes[0])
        fig.suptitle(title, fontsize=10)
        save(fig, (path, path.with_suffix(".pdf")), dpi=DPI if dpi is None else int(dpi))


def band(ax, x, m, lo, hi, label, **kw):
    """A line with its interval as a shaded band."""
    line = ax.plot(x, m, marker="o", ms=4, label=label, **kw)[0]
    ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    return line


def log_scale(ax, axis: str = "y") -> None:
    """Log scale on ``axis`` if the axes hold a drawable point (finite x and y) with a
    positive value there (a panel with no usable data stays linear instead of failing)."""
    for line in ax.get_lines():
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
        v = y if axis == "y" else x
        if np.any(np.isfinite(x) & np.isfinite(y) & (v > 0)):
            (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
            return


def legend(ax, **kw) -> None:
    """A legend, if anything on the axes has a label."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, **kw)
