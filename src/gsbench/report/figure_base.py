"""What every figure of gsbench shares: style, figure, palette and reproducible files.

Used by the study's figures (:mod:`gsbench.report.figures`) and the paper's figures
(:mod:`gsbench.paper_figures`). Figures are :class:`matplotlib.figure.Figure` objects on
the Agg canvas, never registered with pyplot (no GUI backend, nothing to close); seaborn
styles are applied in a context manager and do not leak into the caller's rcParams.

Saved files are byte-reproducible: the same figure gives the same PNG and PDF bytes on
every run with the same matplotlib (no creation date, producer or software version in
the metadata).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..atomic import save_figure

__all__ = ["DPI", "PALETTE", "style", "new_figure", "palette", "output_paths", "save"]

DPI = 150
#: Seaborn palette of every figure (distinguishable with the common colour-vision deficiencies).
PALETTE = "colorblind"
# PNG: no "Software" text chunk; PDF: no dates, producer or creator in the info dictionary.
_PNG_METADATA = {"Software": None}
_PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}


@contextlib.contextmanager
def style():
    """Seaborn whitegrid axes in the ``paper`` context; rcParams are restored on exit."""
    with sns.axes_style("whitegrid"), sns.plotting_context("paper", font_scale=1.1):
        yield


def new_figure(width: float, height: float) -> Figure:
    """A constrained-layout figure of ``width`` x ``height`` inches on the Agg canvas."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def palette(k: int) -> list[tuple[float, float, float]]:
    """``k`` colours of :data:`PALETTE` (cycled beyond its length); at least one."""
    return list(sns.color_palette(PALETTE, max(int(k), 1)))


def output_paths(out: str | Path | Sequence[str | Path]) -> tuple[Path, Path]:
    """PNG and PDF paths of a figure.

    ``out`` is either one path -- ``figs/a.png``, ``figs/a.pdf`` and ``figs/a`` all give
    ``(figs/a.png, figs/a.pdf)`` -- or an explicit ``(png, pdf)`` pair, such as the two
    outputs a workflow rule declares, used as given.
    """
    if isinstance(out, (str, Path)):
        path = Path(out)
        stem = path.with_suffix("") if path.suffix.lower() in {".png", ".pdf"} else path
        return Path(f"{stem}.png"), Path(f"{stem}.pdf")
    png, pdf = (Path(p) for p in out)
    return png, pdf


def save(fig: Figure, out: str | Path | Sequence[str | Path], dpi: int = DPI) -> tuple[Path, Path]:
    """Write ``fig`` as PNG (``dpi``) and PDF, byte-reproducibly, and release it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    out : str, Path or (png, pdf) pair
        See :func:`output_paths`. Parent directories are created.
    dpi : int, default :data:`DPI`

    Returns
    -------
    (Path, Path)
        The PNG and PDF paths.
    """
    png, pdf = output_paths(out)
    if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    save_figure(fig, png, dpi=dpi, metadata=_PNG_METADATA)
    save_figure(fig, pdf, metadata=_PDF_METADATA)
    # A figure made through pyplot is closed there; ours are not registered with pyplot.
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None and plt.fignum_exists(getattr(fig, "number", -1)):
        plt.close(fig)
    fig.clf()
    return png, pdf
