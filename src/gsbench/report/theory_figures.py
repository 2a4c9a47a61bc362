r"""Theory on the figures: convex-limit reference curves and a Donoho–Tanner phase diagram."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D

from ..analysis.columns import require_columns
from ..analysis.theory import cell_references, statdim_group, statdim_l1
from .figure_base import new_figure, save, style

__all__ = ["draw_references", "plot_phase_diagram", "transition_curve"]

_L1_COLOUR = "black"
_GROUP_COLOUR = "0.55"


def draw_references(ax, df: pd.DataFrame, x_col: str, styles: dict) -> None:
    r"""Draw :math:`D_{\ell_1}` (black) and :math:`D_{\mathrm{group}}` (grey) against `x_col`.

    One line pair per group size :math:`g` in `df` (line style ``styles[g]``), through
    the cells ``(p, g, s)`` of `df` sorted by `x_col`; uses ``n_ref_l1``/``n_ref_group`` when
    present, else computes them.  Labelled once each, for the figure legend.
    """
    if df.empty:
        return
    cells = df[list(dict.fromkeys(["p", "group_size", "active_groups", x_col]))].drop_duplicates()
    if "n_ref_l1" in df.columns and "n_ref_group" in df.columns:
        refs = df[["p", "group_size", "active_groups", "n_ref_l1", "n_ref_group"]].drop_duplicates(
            ["p", "group_size", "active_groups"])
        cells = cells.merge(refs, on=["p", "group_size", "active_groups"], how="left")
    else:
        l1, grp = cell_references(cells["p"].to_numpy(), cells["group_size"].to_numpy(),
                                  cells["active_groups"].to_numpy())
        cells = cells.assign(n_ref_l1=l1, n_ref_group=grp)
    labelled = set()
    for (p, g), part in cells.groupby(["p", "group_size"], sort=True):
        part = part.sort_values(x_col)
        x = part[x_col].to_numpy(dtype=float)
        for col, colour, name in (("n_ref_l1", _L1_COLOUR, "ℓ1 limit D_ℓ1"),
                                  ("n_ref_group", _GROUP_COLOUR, "group limit D_group")):
            label = name if name not in labelled else None
            labelled.add(name)
            ax.plot(x, part[col].to_numpy(dtype=float), color=colour, linestyle=styles.get(g, "-"),
                    linewidth=1.6, alpha=0.7, label=label, zorder=1)


def transition_curve(p: int, group_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
    r"""Donoho–Tanner coordinates of the convex phase transition at dimension `p`.

    For :math:`s = 1..L` active groups of size :math:`g` (:math:`L = p/g`), with
    :math:`D` the statistical dimension (ℓ1 for :math:`g = 1`, group otherwise):
    :math:`x = D/p` (undersampling :math:`n/p` at the transition) and
    :math:`y = s g / D` (sparsity :math:`k/n` at the transition).
    """
    L = p // group_size
    s = np.arange(1, L + 1)
    if group_size == 1:
        d = np.array([statdim_l1(int(k), p) for k in s])
    else:
        d = np.array([statdim_group(np.full(k, group_size), np.full(L - k, group_size)) for k in s])
    return d / p, s * group_size / d


def plot_phase_diagram(summary: pd.DataFrame, out: str | Path, max_panels: int = 8):
    r"""Donoho–Tanner phase diagram: success rate over :math:`(n/p,\ k/n)`, one panel per method.

    Every cell ``(p, g, s, n)`` is a point at :math:`x = n/p`, :math:`y = k/n`
    (:math:`k = s g` non-zero entries) coloured by its empirical success rate (cells
    with :math:`k > n` lie above the plotted range :math:`y \le 1` and are not shown);
    marker = group size.  Curves: the ℓ1 convex transition (black, solid) and the
    group transition for each :math:`g > 1` of the grid (grey, marker-matched
    linestyles), from :func:`transition_curve` at the largest :math:`p`.  Several
    ``sigma``/``design`` values: the first of each is shown.
    """

    require_columns(summary, ["method", "p", "group_size", "active_groups", "n", "success_rate"],
                    "plot_phase_diagram")
    df = summary.copy()
    notes = []
    for col in ("sigma", "design"):
        if col in df.columns and df[col].nunique() > 1:
            first = sorted(df[col].unique(), key=str)[0]
            df = df[df[col] == first]
            notes.append(f"{col}={first}")
    df["x"] = df["n"] / df["p"]
    df["y"] = df["active_groups"] * df["group_size"] / df["n"]
    df = df[df["y"] <= 1.0]
    methods = sorted(df["method"].unique(), key=str)[:max_panels]
    g_values = sorted(df["group_size"].unique())
    markers = dict(zip(g_values, ("o", "s", "^", "D", "v", "P", "X")))
    styles = dict(zip([g for g in g_values if g > 1], ("--", ":", "-.", (0, (5, 1)))))
    p_ref = int(df["p"].max()) if len(df) else 0
    cmap = sns.color_palette("rocket", as_cmap=True)
    norm = Normalize(0.0, 1.0)
    ncols = min(4, max(1, len(methods)))
    nrows = max(1, -(-len(methods) // ncols))
    with style():
        fig = new_figure(3.6 * ncols + 1.8, 3.3 * nrows + 0.8)
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        curves = {}
        if p_ref:
            curves[1] = transition_curve(p_ref, 1)
            for g in styles:
                if p_ref % g == 0:
                    curves[g] = transition_curve(p_ref, int(g))
        for ax, method in zip(axes, methods):
            part = df[df["method"] == method]
            for g in g_values:
                pg = part[part["group_size"] == g]
                ax.scatter(pg["x"], pg["y"], c=pg["success_rate"], cmap=cmap, norm=norm,
                           marker=markers[g], s=22, edgecolors="0.3", linewidths=0.3)
            for g, (cx, cy) in curves.items():
                ax.plot(cx, cy, color=_L1_COLOUR if g == 1 else _GROUP_COLOUR,
                        linestyle="-" if g == 1 else styles[g], linewidth=1.5)
            ax.set_xlim(0, min(1.05, max(1.0, float(df["x"].max()) if len(df) else 1.0)))
            ax.set_ylim(0, 1.02)
            ax.set_title(str(method))
            ax.set_xlabel("n/p")
            ax.set_ylabel("k/n")
        for ax in axes[len(methods):]:
            ax.set_axis_off()
        fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=axes.tolist(), label="success rate",
                     shrink=0.8)
        handles = [Line2D([], [], color=_L1_COLOUR, label="ℓ1 transition D_ℓ1")]
        handles += [Line2D([], [], color=_GROUP_COLOUR, linestyle=styles[g],
                           label=f"group transition, g={g:g}") for g in curves if g > 1]
        handles += [Line2D([], [], color="0.3", marker=markers[g], linestyle="none",
                           label=f"cells, g={g:g}") for g in g_values]
        fig.legend(handles=handles, loc="outside lower center", ncols=min(4, len(handles)),
                   fontsize="small")
        title = f"Phase diagram (curves at p={p_ref})" + (f"; {', '.join(notes)}" if notes else "")
        fig.suptitle(title)
        return save(fig, out)
