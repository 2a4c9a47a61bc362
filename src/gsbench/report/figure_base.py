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
from typing import NamedTuple

import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..atomic import save_figure

__all__ = ["DPI", "PALETTE", "MethodStyle", "method_family", "method_styles", "style", "new_figure",
           "palette", "output_paths", "save"]  # fmt: skip

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


#: Colours and markers of each family of methods. Implicit (the DGLNN and Hadamard networks):
#: blues and purples, round markers, solid lines; convex (group lasso, lasso, group basis
#: pursuit): oranges and reds, triangles, dashed; greedy and non-convex (group OMP, IHT, MCP,
#: OMP): greens and olives, crosses and stars, dash-dotted; anything else: greys, dotted.
FAMILY_STYLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "implicit": (("#0072B2", "#56B4E9", "#332288", "#882255", "#44AA99", "#6699CC"),
                 ("o", "s", "D", "h", "p", "8"), "-"),
    "convex": (("#D55E00", "#E69F00", "#CC6677", "#8C510A"), ("^", "v", "<", ">"), "--"),
    "greedy": (("#009E73", "#117733", "#999933", "#66A61E"), ("P", "X", "*", "d"), "-."),
    "other": (("#555555", "#999999", "#000000", "#BBBBBB"), ("o", "s", "^", "D"), ":"),
}
_FAMILY_PREFIXES = (("implicit", ("dglnn", "hadamard")), ("convex", ("group_lasso", "group_bp", "lasso")),
                    ("greedy", ("group_omp", "group_iht", "group_mcp", "omp")))  # fmt: skip


class MethodStyle(NamedTuple):
    """How one method is drawn in every figure."""

    colour: str
    marker: str
    linestyle: str
    family: str


def method_family(label: str) -> str:
    """``"implicit"``, ``"convex"``, ``"greedy"`` (greedy and non-convex) or ``"other"``, from
    a method label's prefix (study labels such as ``hadamard_depth3`` or ``omp_sklearn``)."""
    name = str(label).lower()
    for family, prefixes in _FAMILY_PREFIXES:
        if name.startswith(prefixes):
            return family
    return "other"


def method_styles(methods: Sequence) -> dict:
    """One :class:`MethodStyle` per method, distinct for every method: within a family the
    sorted labels take the family's colours and markers in turn (a family longer than its
    lists gets the next marker with a colour again, so no two methods share both)."""
    out, seen = {}, {}
    for method in sorted(dict.fromkeys(methods), key=str):
        family = method_family(method)
        colours, markers, linestyle = FAMILY_STYLES[family]
        i = seen.get(family, 0)
        seen[family] = i + 1
        out[method] = MethodStyle(colours[i % len(colours)], markers[(i + i // len(colours)) % len(markers)],
                                  linestyle, family)
    return out


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
