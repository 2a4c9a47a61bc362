"""Drawing helpers shared by the paper's figures: axes, lines, legend; style, figure,
palette and files come from the one plotting base, :mod:`gsbench.report.figure_base`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ..report.figure_base import new_figure, palette, save, style

METHOD_LABELS = {
    "dglnn1": "DGLNN, Algorithm 1",
    "dglnn2": "DGLNN, Algorithm 2",
    "hadamard": "u∘u − v∘v",
}

_GREY = "0.72"


_style = style
_new_figure = new_figure


def _save(fig: Figure, outdir: Path, stem: str, dpi: int) -> tuple[Path, Path]:
    """``outdir/stem.png`` and ``.pdf``, byte-reproducible (:func:`gsbench.report.figure_base.save`)."""
    return save(fig, outdir / stem, dpi=dpi)


def _xaxis(ax, xscale: str, horizon: int | None = None, end: int | None = None) -> None:
    ax.set_xscale(xscale)
    ax.set_xlabel("iteration" + (" (log scale)" if xscale == "log" else ""))
    if horizon is not None and end is not None and end > horizon:
        ax.axvline(horizon, color="0.35", ls=":", lw=1.0)


def _lines(ax, frame: pd.DataFrame, xscale: str, color_of, style_of=None, lw_active=1.6,
           lw_other=0.6, label_of=None) -> None:
    """One line per series of ``frame``; off-support series first, in grey."""
    groups = frame.groupby(["active", "index", "series"], sort=False)
    for (active, _, series), sub in sorted(groups, key=lambda kv: (kv[0][0], kv[0][1])):
        sub = sub[sub["iteration"] > 0] if xscale == "log" else sub
        idx = int(sub["index"].iloc[0])
        ax.plot(
            sub["iteration"], sub["value"],
            color=color_of(idx) if active else _GREY,
            lw=lw_active if active else lw_other,
            ls=(style_of(idx) if style_of and active else "-"),
            label=(label_of(idx) if label_of and active else None),
            zorder=3 if active else 1,
        )  # fmt: skip


def _legend(ax, **kw) -> None:
    """A legend when something is labelled (no warning otherwise)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kw)


_palette = palette
