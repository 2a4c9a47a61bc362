r"""Figures of the incoherence analysis.

* :func:`plot_success_vs_coherence`: success rate of each cell against its measured
  scaled coherence, :math:`s\,\delta_{out}` (the paper's Theorem 3 asks
  :math:`\delta_{out} \lesssim 1/s`) or :math:`s g\,\mu` (unstructured:
  :math:`\mu \lesssim 1/(sg)`), one panel per method.  If a method's requirement is the
  right one, its curves for different (s, g) collapse onto one.
* :func:`plot_rho_star`: the tolerated decoy coherence :math:`\rho^\star` against s, one
  line per g, one panel per (method, layout), with the references :math:`1/\sqrt{s}` and
  :math:`1/\sqrt{sg}`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter, ScalarFormatter

from ..analysis.columns import require_columns, success_indicator
from ..targets import COHERENCE_MEASURES
from .figure_base import new_figure, save
from .figure_base import style as _style

__all__ = ["SCALED_COHERENCE", "plot_success_vs_coherence", "plot_rho_star"]

#: Scaled coherence name (:data:`gsbench.targets.COHERENCE_MEASURES`: delta_out, mu) ->
#: (label, function of a per-cell frame).
SCALED_COHERENCE = dict(zip(COHERENCE_MEASURES, [
    (r"$s\,\delta_{out}$ (measured)", lambda d: d["active_groups"] * d["delta_out"]),
    (r"$s\,g\,\mu$ (measured)", lambda d: d["active_groups"] * d["group_size"] * d["mu"]),
], strict=True))  # fmt: skip


def _panels(n_panels: int, width: float = 4.2, height: float = 3.4):
    ncols = min(n_panels, 3)
    nrows = -(-n_panels // ncols)
    fig = new_figure(ncols * width + 1.8, nrows * height + 0.6)
    return fig, fig.subplots(nrows, ncols, squeeze=False).ravel()


def plot_success_vs_coherence(
    trials: pd.DataFrame,
    out: str | Path,
    measure: str = "delta_out",
    metric: str = "rel_error_oracle",
    threshold: float = 0.05,
) -> tuple[Path, Path]:
    """Success rate per cell against its mean scaled coherence, one panel per method.

    One curve per (s, g), and per decoy layout and noise level when those vary.

    Parameters
    ----------
    trials : pandas.DataFrame
        Per-trial rows with ``method, active_groups, group_size, delta_out, mu, status``,
        the `metric` and the cell columns (``cell_id``).
    out : str or Path
        Output path (PNG and PDF are written).
    measure : {"delta_out", "mu"}
        Plot against :math:`s\\,\\delta_{out}` or :math:`s g\\,\\mu`.
    """
    if measure not in SCALED_COHERENCE:
        raise ValueError(f"measure must be one of {tuple(SCALED_COHERENCE)}, got {measure!r}")
    require_columns(trials, ["method", "cell_id", "active_groups", "group_size", measure,
                             "status", metric], "plot_success_vs_coherence")
    label, scaled = SCALED_COHERENCE[measure]
    work = trials.assign(_x=scaled(trials), _y=success_indicator(trials, metric, threshold))
    # One curve per (s, g) and, when they vary, per decoy layout and noise level.
    styles = [c for c in ("decoy_layout", "sigma") if c in work and work[c].nunique() > 1]
    work["_style"] = work[styles].astype(str).agg(", ".join, axis=1) if styles else ""
    cells = (work.groupby(["method", "cell_id", "active_groups", "group_size", "_style"],
                          observed=True)
             .agg(x=("_x", "mean"), rate=("_y", "mean")).reset_index())
    linestyles = {v: ("-", "--", ":", "-.")[i % 4] for i, v in enumerate(sorted(cells["_style"].unique()))}
    methods = sorted(cells["method"].unique())
    combos = sorted({(s, g) for s, g in zip(cells["active_groups"], cells["group_size"])})
    with _style():
        fig, axes = _panels(max(1, len(methods)))
        colors = {c: f"C{i % 10}" for i, c in enumerate(combos)}
        for ax, method in zip(axes, methods):
            sub = cells[cells["method"] == method]
            for (s, g, style), curve in sub.groupby(["active_groups", "group_size", "_style"]):
                curve = curve.sort_values("x")
                ax.plot(curve["x"], curve["rate"], marker="o", ms=3, lw=1, alpha=0.8,
                        ls=linestyles[style], color=colors[(s, g)],
                        label=f"s={s}, g={g}" + (f" ({style})" if style else ""))
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(ScalarFormatter())
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_ylim(-0.03, 1.03)
            ax.set_title(method)
            ax.set_xlabel(label)
            ax.set_ylabel(f"success ({metric} <= {threshold:g})")
        for ax in axes[len(methods):]:
            ax.set_axis_off()
        handles, labels = axes[0].get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="outside right upper", fontsize=7)
        fig.suptitle(f"Success against measured coherence: curves collapse if {label.split(' ')[0]} "
                     "is what a method needs small")
        return save(fig, out)


def plot_rho_star(rho_star: pd.DataFrame, out: str | Path) -> tuple[Path, Path]:
    """Tolerated decoy coherence against s, lines per g, panels per (method, layout)."""
    require_columns(rho_star, ["method", "decoy_layout", "active_groups", "group_size",
                               "rho_star", "rho_star_low", "rho_star_high", "transition"],
                    "plot_rho_star")
    panels = sorted({(m, lay) for m, lay in zip(rho_star["method"], rho_star["decoy_layout"])})
    sigmas = sorted(rho_star["sigma"].unique()) if "sigma" in rho_star else [None]
    with _style():
        fig, axes = _panels(max(1, len(panels)))
        s_all = np.sort(rho_star["active_groups"].unique()).astype(float)
        for ax, (method, layout) in zip(axes, panels):
            sub = rho_star[(rho_star["method"] == method) & (rho_star["decoy_layout"] == layout)]
            for j, g in enumerate(sorted(sub["group_size"].unique())):
                for k, sigma in enumerate(sigmas):
                    line = sub[sub["group_size"] == g]
                    if sigma is not None:
                        line = line[line["sigma"] == sigma]
                    line = line[line["transition"] == "ok"].sort_values("active_groups")
                    if line.empty:
                        continue
                    yerr = np.vstack([line["rho_star"] - line["rho_star_low"],
                                      line["rho_star_high"] - line["rho_star"]])
                    ax.errorbar(line["active_groups"], line["rho_star"], yerr=yerr, fmt="o",
                                ms=4, capsize=2, color=f"C{j}", ls=("-", "--", ":")[k % 3],
                                label=f"g={g}" + (f", σ={sigma:g}" if len(sigmas) > 1 else ""))
            if s_all.size:
                ax.plot(s_all, 1 / np.sqrt(s_all), color="0.4", lw=1, ls=":",
                        label=r"$1/\sqrt{s}$")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_title(f"{method}, {layout}")
            ax.set_xlabel("active groups s")
            ax.set_ylabel(r"tolerated coherence $\rho^\star$")
            ax.legend(fontsize=7)
        for ax in axes[len(panels):]:
            ax.set_axis_off()
        fig.suptitle(r"Tolerated decoy coherence $\rho^\star$ (50% success, 95% interval)")
        return save(fig, out)
