"""Seaborn figures of the study: phase diagrams, success curves, scaling plots, error curves.

Every ``plot_*`` function takes the analysis table(s) and an output ``out``: a path (for
example ``figs/phase.png``; the PDF gets the same name with suffix ``.pdf``) or an
explicit ``(png, pdf)`` pair; it writes both and returns both paths.  Style, canvas,
palette and the byte-reproducible files come from :mod:`gsbench.report.figure_base`.  An
empty table (or one without any usable value) gives a figure that says "no data"; a
method whose every trial diverged or failed is named on the figure as such rather than
left out silently.

When the table holds several values of ``p``, ``sigma`` or ``design``, the figure shows
the first value (in sorted order) of each and says so in its title.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, LogFormatter, NullFormatter

from ..analysis.columns import require_columns
from ..analysis.transitions import ALL_FAILED_TEXT
from .figure_base import method_styles, new_figure, save
from .figure_base import style as _style
from .theory_figures import draw_references

__all__ = [
    "save",
    "plot_phase_heatmaps",
    "plot_success_curves",
    "plot_scaling_groups",
    "plot_scaling_entries",
    "plot_error_curves",
]

CONTEXT_COLUMNS: tuple[str, ...] = ("p", "sigma", "design")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")
_LINESTYLES = ("-", "--", ":", "-.")


# --------------------------------------------------------------------------- helpers
def _figure(nrows: int, ncols: int, panel: tuple[float, float], extra_w: float = 0.0):
    fig = new_figure(min(ncols * panel[0] + extra_w, 40.0), min(nrows * panel[1] + 0.6, 40.0))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _no_data(out: str | Path, title: str, reason: str = "no data") -> tuple[Path, Path]:
    with _style():
        fig = new_figure(5.0, 3.0)
        ax = fig.subplots()
        ax.set_axis_off()
        ax.text(0.5, 0.5, reason, ha="center", va="center", fontsize=16, transform=ax.transAxes)
        fig.suptitle(title)
        return save(fig, out)


def _fmt(value) -> str:
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return str(int(v)) if v.is_integer() else f"{v:g}"
    return str(value)


def _restrict_context(df: pd.DataFrame, shown: Sequence[str] = ()) -> tuple[pd.DataFrame, str]:
    """Keep the first value of each context column not in `shown` (the columns a figure
    draws every value of); describe the choice for the title."""
    parts = []
    for col in CONTEXT_COLUMNS:
        if col in shown or col not in df.columns or df.empty:
            continue
        values = sorted(df[col].dropna().unique(), key=lambda v: (str(type(v)), v))
        if not values:
            continue
        first = values[0]
        df = df[df[col] == first]
        label = "σ" if col == "sigma" else col
        parts.append(f"{label}={_fmt(first)}" + (f" (first of {len(values)})" if len(values) > 1 else ""))
    return df, ", ".join(parts)


def _palette(methods: Sequence) -> dict:
    """Each method's colour (:func:`gsbench.report.figure_base.method_styles`)."""
    return {m: style.colour for m, style in method_styles(methods).items()}


def _method_lines(ax, data: pd.DataFrame, y: str, methods: Sequence, band: tuple[str, str] | None = None) -> None:
    """One line per method against n, in its own colour, marker and line style (the family's),
    with the shaded ``band`` columns (low, high) behind it."""
    styles = method_styles(methods)
    alpha = 0.2 if len(methods) <= 4 else 0.06  # many overlapping bands would turn opaque
    for method in methods:
        part = data[data["method"] == method].sort_values("n")
        if part.empty:
            continue
        st = styles[method]
        x = part["n"].to_numpy(dtype=float)
        if band is not None:
            ax.fill_between(x, part[band[0]].to_numpy(dtype=float), part[band[1]].to_numpy(dtype=float),
                            color=st.colour, alpha=alpha, linewidth=0)
        ax.plot(x, part[y].to_numpy(dtype=float), color=st.colour, marker=st.marker,
                linestyle=st.linestyle, markersize=4, linewidth=1.2)


def _method_legend(fig, methods: Sequence) -> None:
    """The methods' colour, marker and line style, grouped by family."""
    styles = method_styles(methods)
    order = sorted(methods, key=lambda m: (["implicit", "convex", "greedy", "other"].index(styles[m].family), str(m)))
    handles = [Line2D([], [], color=styles[m].colour, marker=styles[m].marker, linestyle=styles[m].linestyle,
                      label=f"{m} ({styles[m].family})") for m in order]
    fig.legend(handles=handles, title="method (family)", loc="outside right center")


def _evenly(values: Sequence, k: int) -> list:
    """At most `k` evenly spaced elements of the sorted `values` (ends included)."""
    values = list(values)
    if len(values) <= k:
        return values
    idx = np.unique(np.round(np.linspace(0, len(values) - 1, k)).astype(int))
    return [values[i] for i in idx]


def _facets(df: pd.DataFrame, max_panels: int) -> tuple[list[tuple], str]:
    """(group_size, active_groups) combinations to show, at most `max_panels`."""
    g_values = sorted(df["group_size"].unique())
    s_values = sorted(df["active_groups"].unique())
    note = ""
    if len(g_values) * len(s_values) > max_panels:
        keep = max(1, max_panels // len(g_values))
        s_values = _evenly(s_values, keep)
        note = "s ∈ {" + ", ".join(_fmt(s) for s in s_values) + "}"
    present = set(map(tuple, df[["group_size", "active_groups"]].drop_duplicates().to_numpy()))
    combos = [(g, s) for g in g_values for s in s_values if (g, s) in present]
    return combos, note


def _title(main: str, *details: str) -> str:
    """Main title, with the data selection (context, subsets) on a second line."""
    rest = "; ".join(d for d in details if d)
    return f"{main}\n{rest}" if rest else main


def _log_axis(axis, values: Sequence[float] | None = None) -> None:
    """Plain-number labels on a log axis; ticks at `values` when there are few of them."""
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ticks = sorted({float(v) for v in (values if values is not None else []) if np.isfinite(v) and v > 0})
    if 1 < len(ticks) <= 12:
        axis.set_major_locator(FixedLocator(ticks))
        axis.set_minor_formatter(NullFormatter())
    else:
        # Minor labels only when the axis spans less than about a decade.
        axis.set_minor_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


def _octaves(values: Iterable) -> list[float]:
    """Powers of two spanning `values` (ticks of a log n axis that never crowd)."""
    v = _positive(values)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return []
    lo, hi = math.floor(math.log2(v.min())), math.ceil(math.log2(v.max()))
    step = max(1, math.ceil((hi - lo + 1) / 8))
    return [2.0**k for k in range(lo, hi + 1, step)]


def _is_empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


def _positive(values: Iterable) -> np.ndarray:
    arr = np.asarray(pd.to_numeric(pd.Series(list(values)), errors="coerce"), dtype=float)
    return np.where(arr > 0, arr, np.nan)


_SETTING = ["method", "group_size", "active_groups"]


def _all_failed(df: pd.DataFrame) -> pd.DataFrame:
    """The (method, group_size, active_groups) settings of `df` without a single ok trial.

    `df` is a summary (a setting fails when ``n_ok`` is 0 at every n) or a transitions
    table (``transition == "all_failed"``); without either column, nothing is reported.
    """
    if "transition" in df.columns:
        failed = df.loc[df["transition"].astype("string") == "all_failed", _SETTING]
    elif "n_ok" in df.columns:
        n_ok = df.groupby(_SETTING, sort=True)["n_ok"].sum()
        failed = n_ok[n_ok == 0].reset_index()[_SETTING]
    else:
        return pd.DataFrame(columns=_SETTING)
    return failed.drop_duplicates().reset_index(drop=True)


def _all_failed_note(df: pd.DataFrame) -> str:
    """Names the methods with settings of no ok trial (which no line or point can show),
    e.g. ``"flaky: all trials diverged / failed (g=4, s=4)"``."""
    failed = _all_failed(df)
    if failed.empty:
        return ""
    total = df[_SETTING].drop_duplicates().groupby("method").size()
    parts = []
    for method, rows in failed.groupby("method", sort=True):
        if len(rows) == total.get(method, -1) and len(rows) > 1:
            where = "every setting"
        elif len(rows) <= 3:
            where = ", ".join(f"g={_fmt(g)}, s={_fmt(s)}" for g, s in
                              rows[["group_size", "active_groups"]].itertuples(index=False))
        else:
            where = f"{len(rows)} of {total.get(method, len(rows))} settings"
        parts.append(f"{method}: {ALL_FAILED_TEXT} ({where})")
    return "; ".join(parts)


# --------------------------------------------------------------------------- figures
def plot_phase_heatmaps(summary: pd.DataFrame, out: str | Path, max_columns: int = 12) -> tuple[Path, Path]:
    r"""Phase diagrams: empirical success rate over (n, s), one panel per method x group size.

    Panel ``(g, method)`` shows :math:`\hat p = k/m` (``success_rate``) with ``n`` on the
    x axis and the number of active groups :math:`s` on the y axis (largest at the
    top), on a fixed colour scale :math:`[0, 1]` shared by all panels; empty cells are
    left blank.  Columns are methods, rows are group sizes.  Every p is shown: with several,
    the y axis holds (p, s) in blocks of p.  With more than `max_columns` distinct sample
    sizes (an adaptive grid fits a different set per curve) n is grouped into `max_columns`
    geometric bins and each bin's rate pools its cells' trials, successes / trials.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`gsbench.analysis.summarize`.
    out : str or Path
        PNG path; the PDF goes next to it.
    max_columns : int, default 12
        Most columns of n before they are binned.

    Returns
    -------
    (Path, Path)
        PNG and PDF paths.
    """
    title = "Success rate"
    if _is_empty(summary):
        return _no_data(out, title)
    require_columns(summary, ["method", "group_size", "active_groups", "n", "success_rate"], "plot_phase_heatmaps")
    df, context = _restrict_context(summary, shown=("p",))
    df = df[np.isfinite(pd.to_numeric(df["success_rate"], errors="coerce").astype(float))]
    if df.empty:
        return _no_data(out, _title(title, context))
    df, n_labels, binned = _n_columns(df, max_columns)
    methods = sorted(df["method"].unique(), key=str)
    g_values = sorted(df["group_size"].unique())
    p_values = sorted(df["p"].unique()) if "p" in df.columns else [None]
    s_values = sorted(df["active_groups"].unique(), reverse=True)
    rows = [(p, s) for p in p_values for s in s_values]
    row_labels = [_fmt(s) if len(p_values) == 1 else f"{_fmt(p)} | {_fmt(s)}" for p, s in rows]
    annotate = len(n_labels) * len(rows) <= 120
    cmap = "viridis"
    with _style():
        fig, axes = _figure(
            len(g_values), len(methods),
            (max(2.6, 0.42 * len(n_labels) + 1.2), max(2.2, 0.3 * len(rows) + 1.0)), 1.0,
        )
        for r, g in enumerate(g_values):
            for c, method in enumerate(methods):
                ax = axes[r, c]
                sub = df[(df["group_size"] == g) & (df["method"] == method)]
                grid = _pooled_rates(sub, rows, n_labels, len(p_values) > 1)
                grid.index, grid.columns = row_labels, n_labels
                sns.heatmap(
                    grid, ax=ax, vmin=0.0, vmax=1.0, cmap=cmap, cbar=False,
                    annot=annotate, fmt=".2f", annot_kws={"fontsize": 6},
                    linewidths=0.3, linecolor="white",
                )
                for k in range(1, len(p_values)):  # a line between the blocks of p
                    ax.axhline(k * len(s_values), color="white", linewidth=2.0)
                ax.set_title(f"{method}, g={_fmt(g)}")
                ax.set_xlabel(("n (log bins)" if binned else "n") if r == len(g_values) - 1 else "")
                ax.set_ylabel(("p | active groups s" if len(p_values) > 1 else "active groups s") if c == 0 else "")
                ax.tick_params(axis="x", labelrotation=90)
                ax.tick_params(axis="y", labelrotation=0)
        mappable = ScalarMappable(norm=Normalize(0.0, 1.0), cmap=cmap)
        fig.colorbar(mappable, ax=axes.ravel().tolist(), label="success rate", shrink=0.9)
        fig.suptitle(_title(title, context, "n in geometric bins, trials pooled" if binned else ""))
        return save(fig, out)


def _n_columns(df: pd.DataFrame, max_columns: int) -> tuple[pd.DataFrame, list[str], bool]:
    """The heatmaps' columns: one per sample size, or, with more than `max_columns` distinct
    sizes (an adaptive grid), `max_columns` geometric bins of n labelled by their range.
    Adds the column ``n_column`` (the label of each row's column)."""
    n = df["n"].to_numpy(dtype=float)
    values = np.unique(n)
    if len(values) <= max_columns:
        return df.assign(n_column=[_fmt(v) for v in df["n"]]), [_fmt(v) for v in values], False
    edges = np.geomspace(values[0], values[-1], max_columns + 1)
    which = np.clip(np.searchsorted(edges, n, side="right") - 1, 0, max_columns - 1)
    labels = []
    for k in range(max_columns):
        inside = values[(values >= edges[k]) & ((values < edges[k + 1]) | (k == max_columns - 1))]
        labels.append(f"{_fmt(inside[0])}–{_fmt(inside[-1])}" if len(inside) > 1
                      else _fmt(inside[0]) if len(inside) else f"({edges[k]:.0f}–{edges[k + 1]:.0f})")
    return df.assign(n_column=[labels[k] for k in which]), labels, True


def _pooled_rates(sub: pd.DataFrame, rows: list[tuple], columns: list[str], by_p: bool) -> pd.DataFrame:
    """Success rate per (row, column) of a heatmap: successes over trials pooled across the
    cells a column holds (the mean rate without those counts); NaN where there is no cell."""
    keys = (["p"] if by_p else []) + ["active_groups", "n_column"]
    if {"successes", "trials"} <= set(sub.columns):
        sums = sub.groupby(keys)[["successes", "trials"]].sum()
        rate = sums["successes"] / sums["trials"]
    else:
        rate = sub.groupby(keys)["success_rate"].mean()
    grid = rate.unstack("n_column")
    index = pd.MultiIndex.from_tuples(rows) if by_p else [s for _, s in rows]
    return grid.reindex(index=index, columns=columns).astype(float)


def plot_success_curves(summary: pd.DataFrame, out: str | Path, max_panels: int = 16) -> tuple[Path, Path]:
    r"""Success rate against n (log x axis) with Wilson bands, one colour per method.

    One panel per (group size :math:`g`, active groups :math:`s`); the band is the 95%
    Wilson interval ``[success_low, success_high]`` and the dotted line marks
    :math:`\hat p = 1/2`, where :func:`gsbench.analysis.transitions` places :math:`n^\star`.
    With more than `max_panels` combinations, evenly spaced values of :math:`s` are
    shown and the title lists them.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`gsbench.analysis.summarize`.
    out : str or Path
        PNG path; the PDF goes next to it.
    max_panels : int, default 16

    Returns
    -------
    (Path, Path)
    """
    title = "Success rate vs n"
    if _is_empty(summary):
        return _no_data(out, title)
    require_columns(
        summary,
        ["method", "group_size", "active_groups", "n", "success_rate", "success_low", "success_high"],
        "plot_success_curves",
    )
    df, context = _restrict_context(summary, shown=("p",))
    df = df[np.isfinite(pd.to_numeric(df["success_rate"], errors="coerce").astype(float))]
    if df.empty:
        return _no_data(out, _title(title, context))
    combos, subset = _facets(df, max_panels)
    methods = sorted(df["method"].unique(), key=str)
    p_values = sorted(df["p"].unique()) if "p" in df.columns else [None]
    ncols = min(4, len(combos))
    block = math.ceil(len(combos) / ncols)  # rows of panels per p
    with _style():
        fig, axes = _figure(block * len(p_values), ncols, (3.0, 2.5), 2.2)
        for j, p in enumerate(p_values):
            at_p = df if p is None else df[df["p"] == p]
            for i, (g, s) in enumerate(combos):
                ax = axes[j * block + i // ncols, i % ncols]
                sub = at_p[(at_p["group_size"] == g) & (at_p["active_groups"] == s)]
                _method_lines(ax, sub, "success_rate", methods, band=("success_low", "success_high"))
                ax.axhline(0.5, color="0.4", linestyle=":", linewidth=0.8)
                ax.set_xscale("log")
                _log_axis(ax.xaxis, _octaves(df["n"]))
                ax.set_xlim(df["n"].min() / 1.15, df["n"].max() * 1.15)
                ax.set_ylim(-0.03, 1.03)
                where = f"g={_fmt(g)}, s={_fmt(s)}"
                ax.set_title(where if p is None else f"p={_fmt(p)}, {where}")
                if sub.empty:
                    ax.text(0.5, 0.5, "no cells", ha="center", va="center", transform=ax.transAxes)
                ax.set_xlabel("n")
                ax.set_ylabel("success rate")
            for k in range(len(combos), block * ncols):
                axes[j * block + k // ncols, k % ncols].set_axis_off()
        _method_legend(fig, methods)
        fig.suptitle(_title(title, context, subset, _all_failed_note(df)))
        return save(fig, out)


def _scaling_points(transitions: pd.DataFrame, x_col: str, where: str):
    """The rows a scaling plot draws: transitions inside the grid with a positive, finite
    n* (``entries`` = s g added when needed), the grid context and the all-failed note."""
    require_columns(
        transitions,
        ["method", "group_size", "active_groups", "n_star", "n_star_low", "n_star_high", "transition"],
        where,
    )
    df = transitions.copy()
    if x_col == "entries" and "entries" not in df.columns:
        df["entries"] = df["active_groups"] * df["group_size"]
    df, context = _restrict_context(df)
    failed = _all_failed_note(df)
    ok = (df["transition"].astype("string") == "ok").fillna(False).to_numpy(dtype=bool)
    df = df[ok]
    df = df.assign(
        n_star=_positive(df["n_star"]), n_star_low=_positive(df["n_star_low"]),
        n_star_high=_positive(df["n_star_high"]),
    )
    return df[np.isfinite(df["n_star"].to_numpy(dtype=float))], context, failed


def _scaling_coefficients(scaling: pd.DataFrame | None) -> Callable[[str, str], float]:
    """``coef(method, name)``: a fitted coefficient of the scaling table (NaN when absent)."""
    fits: dict = {}
    if scaling is not None and len(scaling) and "method" in scaling.columns:
        fits = {row["method"]: row for _, row in scaling.iterrows()}

    def coef(method, name):
        row = fits.get(method)
        if row is None or name not in row.index:
            return np.nan
        value = pd.to_numeric(pd.Series([row[name]]), errors="coerce").iloc[0]
        return float(value)

    return coef


def _fitted_curve(coef, method: str, slope: str, xs: np.ndarray, g, single_g: bool) -> np.ndarray:
    r"""The fitted power law over `xs`: :math:`e^{a} x^{b} g^{c}` (``slope == "b"``; c is 0
    for a method fitted at one group size) or :math:`e^{a_e} x^{b_e}`."""
    b = coef(method, slope)
    if slope == "b":
        a, c = coef(method, "a"), coef(method, "c")
        if not np.isfinite(c):
            c = 0.0 if single_g else np.nan
        return np.exp(a + b * np.log(xs) + c * np.log(float(g)))
    return np.exp(coef(method, "a_entries") + b * np.log(xs))


def _scaling_series(ax, part: pd.DataFrame, x_col: str, label: str, color, marker, linestyle,
                    curve: Callable[[np.ndarray], np.ndarray]) -> None:
    """One (method, group size): n* with its interval as error bars, and the fitted curve
    over the plotted range (when it spans more than one x and is finite)."""
    x = part[x_col].to_numpy(dtype=float)
    y = part["n_star"].to_numpy(dtype=float)
    lo = np.nan_to_num(np.clip(y - part["n_star_low"].to_numpy(dtype=float), 0, None))
    hi = np.nan_to_num(np.clip(part["n_star_high"].to_numpy(dtype=float) - y, 0, None))
    ax.errorbar(
        x, y, yerr=np.vstack([lo, hi]), color=color, marker=marker,
        linestyle="none", markersize=5, capsize=2.5, elinewidth=1, label=label,
    )
    if x.max() > x.min():
        xs = np.geomspace(x.min(), x.max(), 50)
        pred = curve(xs)
        if np.all(np.isfinite(pred)):
            ax.plot(xs, pred, color=color, linestyle=linestyle, linewidth=1.1, alpha=0.8)


def _scaling_plot(
    transitions: pd.DataFrame,
    scaling: pd.DataFrame | None,
    out: str | Path,
    x_col: str,
    x_label: str,
    title: str,
    where: str,
) -> tuple[Path, Path]:
    """n* against `x_col` (log-log), per method and group size, with the fitted laws of
    `scaling` (:func:`plot_scaling_groups`, :func:`plot_scaling_entries`)."""
    if _is_empty(transitions):
        return _no_data(out, title, "no data (no transitions)")
    df, context, failed = _scaling_points(transitions, x_col, where)
    if df.empty:
        return _no_data(out, _title(title, context, failed), "no data (no transition inside the grid)")
    coef = _scaling_coefficients(scaling)
    methods = sorted(df["method"].unique(), key=str)
    g_values = sorted(df["group_size"].unique())
    palette = _palette(methods)
    markers = {g: _MARKERS[i % len(_MARKERS)] for i, g in enumerate(g_values)}
    styles = {g: _LINESTYLES[i % len(_LINESTYLES)] for i, g in enumerate(g_values)}
    slope = "b" if x_col == "active_groups" else "b_entries"
    name = "b" if slope == "b" else "b_e"
    with _style():
        fig, axes = _figure(1, 1, (5.5, 4.2), 2.4)
        ax = axes[0, 0]
        for method in methods:
            b = coef(method, slope)
            tag = f"{name}={b:.2f}" if np.isfinite(b) else f"{name}=n/a"
            single_g = len(df.loc[df["method"] == method, "group_size"].unique()) == 1
            for g in g_values:
                part = df[(df["method"] == method) & (df["group_size"] == g)].sort_values(x_col)
                if part.empty:
                    continue
                label = f"{method}, g={_fmt(g)} ({tag})" if len(g_values) > 1 else f"{method} ({tag})"
                _scaling_series(ax, part, x_col, label, palette[method], markers[g], styles[g],
                                lambda xs, m=method, g=g: _fitted_curve(coef, m, slope, xs, g, single_g))
        draw_references(ax, df, x_col, styles)
        ax.set_xscale("log")
        ax.set_yscale("log")
        _log_axis(ax.xaxis, df[x_col].to_numpy(dtype=float))
        _log_axis(ax.yaxis)
        ax.set_xlabel(x_label)
        ax.set_ylabel("critical sample size n*")
        fig.legend(loc="outside right center", fontsize="small", title="n* ± 95% CI; lines: fit")
        fig.suptitle(_title(title, context, failed))
        return save(fig, out)


def plot_scaling_groups(
    transitions: pd.DataFrame, scaling: pd.DataFrame | None, out: str | Path
) -> tuple[Path, Path]:
    r"""Critical sample size against the number of active groups, log–log.

    Points are :math:`n^\star` with bootstrap intervals ``[n_star_low, n_star_high]``
    for the rows with ``transition == "ok"``; colour = method, marker = group size.
    Dashed/solid lines are the fitted power laws
    :math:`n^\star = e^{a} s^{b} g^{c}` from `scaling`, and the legend gives each
    method's exponent :math:`b` (e.g. ``"dglnn (b=0.92)"``).  Under the paper's claim
    the curves of different :math:`g` coincide for DGLNN (:math:`c \approx 0`).

    Parameters
    ----------
    transitions : pandas.DataFrame
        Output of :func:`gsbench.analysis.transitions`.
    scaling : pandas.DataFrame or None
        Output of :func:`gsbench.analysis.scaling`; without it no slope is shown.
    out : str or Path
        PNG path; the PDF goes next to it.

    Returns
    -------
    (Path, Path)
    """
    return _scaling_plot(
        transitions, scaling, out, "active_groups", "active groups s",
        "n* vs active groups", "plot_scaling_groups",
    )


def plot_scaling_entries(
    transitions: pd.DataFrame, scaling: pd.DataFrame | None, out: str | Path
) -> tuple[Path, Path]:
    r"""Critical sample size against the number of non-zero entries :math:`s g`, log–log.

    Same points as :func:`plot_scaling_groups`, plotted against ``entries``
    :math:`= s g`; lines are :math:`n^\star = e^{a_e} (s g)^{b_e}` and the legend gives
    ``b_entries`` (:math:`b_e`).  An entrywise method collapses onto one line with
    :math:`b_e \approx 1`; a method whose requirement depends on :math:`s` only shows
    separate, horizontally shifted lines per group size.

    Parameters
    ----------
    transitions, scaling, out
        As in :func:`plot_scaling_groups`.

    Returns
    -------
    (Path, Path)
    """
    return _scaling_plot(
        transitions, scaling, out, "entries", "non-zero entries s·g",
        "n* vs non-zero entries", "plot_scaling_entries",
    )


def plot_error_curves(summary: pd.DataFrame, out: str | Path, max_rows: int = 6) -> tuple[Path, Path]:
    r"""Median relative error against n (log–log) for oracle and validation stopping.

    Columns of panels: ``rel_error_oracle`` (best iterate in hindsight) and
    ``rel_error_validation`` (iterate chosen on validation data); rows: (group size,
    active groups) combinations (at most `max_rows`, evenly spaced :math:`s` otherwise).
    Lines are the medians over ok trials, bands the quartiles :math:`[Q_{0.25}, Q_{0.75}]`,
    colour = method.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`gsbench.analysis.summarize`.
    out : str or Path
        PNG path; the PDF goes next to it.
    max_rows : int, default 6

    Returns
    -------
    (Path, Path)
    """
    title = "Median relative error vs n"
    if _is_empty(summary):
        return _no_data(out, title)
    panels = {"rel_error_oracle": "oracle stopping", "rel_error_validation": "validation stopping"}
    needed = [f"{c}_{q}" for c in panels for q in ("median", "q25", "q75")]
    require_columns(summary, ["method", "group_size", "active_groups", "n", *needed], "plot_error_curves")
    df, context = _restrict_context(summary)
    df = df.copy()
    for col in needed:
        df[col] = _positive(df[col])
    # Settings without a single ok trial have no error to draw: their panels name them.
    failed = _all_failed(df)
    failed_keys = set(failed.itertuples(index=False, name=None))
    in_failed = np.array([k in failed_keys for k in df[_SETTING].itertuples(index=False, name=None)],
                         dtype=bool)
    medians = df[[f"{c}_median" for c in panels]].to_numpy(dtype=float)
    df = df[np.isfinite(medians).any(axis=1) | in_failed]
    if df.empty:
        return _no_data(out, _title(title, context))
    combos, subset = _facets(df, max_rows)
    methods = sorted(df["method"].unique(), key=str)
    with _style():
        fig, axes = _figure(len(combos), 2, (3.4, 2.5), 2.2)
        for r, (g, s) in enumerate(combos):
            sub = df[(df["group_size"] == g) & (df["active_groups"] == s)].sort_values(["method", "n"])
            for c, (col, label) in enumerate(panels.items()):
                ax = axes[r, c]
                part_all = sub[np.isfinite(sub[f"{col}_median"].to_numpy(dtype=float))]
                if not part_all.empty:
                    _method_lines(ax, part_all, f"{col}_median", methods, band=(f"{col}_q25", f"{col}_q75"))
                    ax.set_yscale("log")
                    _log_axis(ax.yaxis)
                gone = [m for m in methods if (m, g, s) in failed_keys]
                if gone:
                    ax.text(0.02, 0.02, "\n".join(f"{m}: {ALL_FAILED_TEXT}" for m in gone), fontsize=7,
                            ha="left", va="bottom", transform=ax.transAxes, color="0.25")
                elif part_all.empty:
                    ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
                ax.set_xscale("log")
                _log_axis(ax.xaxis)
                ax.set_title(f"{label}, g={_fmt(g)}, s={_fmt(s)}")
                ax.set_xlabel("n")
                ax.set_ylabel("relative error" if c == 0 else "")
        _method_legend(fig, methods)
        fig.suptitle(_title(title + " (median, IQR band)", context, subset, _all_failed_note(df)))
        return save(fig, out)
