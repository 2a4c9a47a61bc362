"""Drawing helpers shared by the figures: style, figure and file, axes, lines, legend,
palette."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

METHOD_LABELS = {
    "dglnn1": "DGLNN, Algorithm 1",
    "dglnn2": "DGLNN, Algorithm 2",
    "hadamard": "u∘u − v∘v",
}

_GREY = "0.72"


@contextlib.contextmanager
def _style():
    with sns.axes_style("whitegrid"), sns.plotting_context("paper", font_scale=1.05):
        yield


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, outdir: Path, stem: str, dpi: int) -> tuple[Path, Path]:
    """PNG and PDF, byte-deterministic for a given matplotlib (no creation date)."""
    png, pdf = outdir / f"{stem}.png", outdir / f"{stem}.pdf"
    fig.savefig(png, dpi=dpi, metadata={"Software": None})
    fig.savefig(pdf, metadata={"CreationDate": None, "Producer": None, "Creator": None})
    fig.clf()
    return png, pdf


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


def _palette(k: int):
    return sns.color_palette("deep", max(k, 1))
