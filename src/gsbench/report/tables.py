"""Paper tables of the phase transitions and the scaling fits, as LaTeX (booktabs) or Markdown.

The formatting is written here (no ``tabulate``/jinja2).  LaTeX output is a bare
``tabular`` (booktabs rules ``\\toprule``, ``\\midrule``, ``\\bottomrule``) meant to be
``\\input`` inside the paper's own ``table`` environment; Markdown output is a pipe table
with the same rows and cells.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.columns import SETTING_KEYS, require_columns
from ..analysis.intervals import format_interval as _format_interval
from ..atomic import write_text
from ..targets import TABLE_FILES  # file name -> (table, format)
from ..analysis.transitions import ALL_FAILED_TEXT

__all__ = ["transitions_table", "scaling_table", "write_tables", "format_interval", "TABLE_FILES"]

_FORMATS = ("latex", "markdown")
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


# --------------------------------------------------------------------------- formatting
def _check_fmt(fmt: str, where: str) -> str:
    if fmt not in _FORMATS:
        raise ValueError(f"{where}: fmt={fmt!r} must be 'latex' or 'markdown'")
    return fmt


def _float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _num(value, digits: int) -> str:
    """``value`` with `digits` decimals; ``"n/a"`` for NaN or missing."""
    v = _float(value)
    return f"{v:.{digits}f}" if math.isfinite(v) else "n/a"


def _plain(value) -> str:
    """Key values: integral numbers without decimals, others as given (``%g`` for floats)."""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if not math.isfinite(v):
            return "n/a"
        return str(int(v)) if v.is_integer() else f"{v:g}"
    return str(value)


def format_interval(estimate, low, high, digits: int = 1) -> str:
    """``"est [low, high]"`` with `digits` decimals, e.g. ``"64.2 [58.1, 70.3]"``.

    ``"n/a"`` when the estimate is NaN, no bracket when both bounds are
    (:func:`gsbench.analysis.intervals.format_interval`, the one interval formatter).
    """
    return _format_interval(_float(estimate), _float(low), _float(high), f".{digits}f")


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def _markdown_escape(text: str) -> str:
    return str(text).replace("|", r"\|")


def _render(
    header_latex: Sequence[str],
    header_md: Sequence[str],
    align: Sequence[str],
    rows: Sequence[Sequence[str]],
    fmt: str,
    groups: Sequence | None = None,
    latex_cells: Sequence[Sequence[str]] | None = None,
) -> str:
    """Render rows as booktabs LaTeX or a pipe table.

    `rows` hold plain cell text (escaped here); `latex_cells`, when given, replaces it
    in LaTeX with already-formatted LaTeX.  A ``\\midrule`` separates consecutive rows
    whose `groups` value changes.
    """
    if fmt == "markdown":
        lines = ["| " + " | ".join(_markdown_escape(h) for h in header_md) + " |"]
        lines.append("|" + "|".join(":---" if a == "l" else "---:" for a in align) + "|")
        lines += ["| " + " | ".join(_markdown_escape(c) for c in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    cells = latex_cells if latex_cells is not None else [[_latex_escape(c) for c in r] for r in rows]
    lines = [r"\begin{tabular}{" + "".join(align) + "}", r"\toprule"]
    lines.append(" & ".join(header_latex) + r" \\")
    lines.append(r"\midrule")
    for i, row in enumerate(cells):
        if groups is not None and i > 0 and groups[i] != groups[i - 1]:
            lines.append(r"\midrule")
        lines.append(" & ".join(row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- tables
def _converged_counts(transitions: pd.DataFrame, summary: pd.DataFrame | None) -> pd.Series | None:
    """``"k/m"`` per row of `transitions`: fits that met their stopping criterion out of all
    fits of the setting (summed over n), from the summary's ``n_converged`` and ``trials``;
    None when the summary lacks them."""
    if summary is None or not {"n_converged", "trials"} <= set(summary.columns):
        return None
    keys = [k for k in SETTING_KEYS if k in transitions.columns and k in summary.columns]
    sub = summary[[*keys, "n_converged", "trials"]].copy()
    sub["_known"] = sub["n_converged"].notna()
    sub["n_converged"] = pd.to_numeric(sub["n_converged"], errors="coerce").fillna(0)
    agg = sub.groupby(keys, dropna=False).agg(k=("n_converged", "sum"), m=("trials", "sum"),
                                              known=("_known", "all")).reset_index()
    merged = transitions[keys].merge(agg, on=keys, how="left")
    return pd.Series(
        [f"{int(k)}/{int(m)}" if known is True else "n/a"
         for k, m, known in zip(merged["k"], merged["m"], merged["known"])],
        index=transitions.index,
    )


def transitions_table(transitions: pd.DataFrame, fmt: str = "latex", digits: int = 1,
                      summary: pd.DataFrame | None = None) -> str:
    r"""Table of critical sample sizes :math:`n^\star` with their bootstrap intervals.

    One row per setting: method, then ``p``, ``sigma`` and ``design`` if they take
    several values, group size :math:`g`, active groups :math:`s`, entries :math:`s g`
    and :math:`n^\star` written ``"64.2 [58.1, 70.3]"`` (estimate [95% bootstrap
    interval]).  Settings whose transition lies outside the grid are written
    ``"< n_min"`` (``below_grid``: already successful at the smallest n) or
    ``"> n_max"`` (``above_grid``); in LaTeX as ``$< n_min$``.  A setting without any
    ok trial (``all_failed``) says ``"all trials diverged / failed"``.  Other labels give
    ``"n/a"``.  In LaTeX a ``\midrule`` separates methods.  With `summary` (the
    per-cell summary holding ``n_converged`` and ``trials``) a last column ``converged``
    gives ``k/m``: of the m fits of the setting (all n), k met their stopping criterion
    (early-termination rule, or the solver's tolerance at every lambda) rather than
    running out of iterations.

    Parameters
    ----------
    transitions : pandas.DataFrame
        Output of :func:`gsbench.analysis.transitions` (or its CSV).
    fmt : {"latex", "markdown"}
    digits : int, default 1
        Decimals of :math:`n^\star` and its bounds.
    summary : pandas.DataFrame, optional
        Output of :func:`gsbench.analysis.summarize` (or its CSV), for the converged column.

    Returns
    -------
    str
    """
    where = "transitions_table"
    _check_fmt(fmt, where)
    required = ["method", "group_size", "active_groups", "n_star", "n_star_low", "n_star_high",
                "n_min", "n_max", "transition"]
    require_columns(transitions, required, where)
    df = transitions.copy()
    if "entries" not in df.columns:
        df["entries"] = df["active_groups"] * df["group_size"]
    context = [c for c in ("p", "sigma", "design") if c in df.columns and df[c].nunique(dropna=True) > 1]
    sort_keys = ["method", *context, "group_size", "active_groups"]
    df = df.sort_values(sort_keys, kind="mergesort").reset_index(drop=True)
    converged = _converged_counts(df, summary)

    names_md = {"p": "p", "sigma": "sigma", "design": "design"}
    names_tex = {"p": "$p$", "sigma": r"$\sigma$", "design": "Design"}
    header_md = ["method", *[names_md[c] for c in context], "g", "s", "s·g", "n* [95% CI]"]
    header_tex = ["Method", *[names_tex[c] for c in context], "$g$", "$s$", "$s g$",
                  r"$n^\star$ [95\% CI]"]
    align = ["l", *["l" if c == "design" else "r" for c in context], "r", "r", "r", "r"]
    if converged is not None:
        header_md.append("converged")
        header_tex.append("Converged")
        align.append("r")

    rows, tex_rows = [], []
    for _, r in df.iterrows():
        label = str(r["transition"])
        if label == "ok":
            cell = format_interval(r["n_star"], r["n_star_low"], r["n_star_high"], digits)
            tex_cell = cell
        elif label == "below_grid":
            cell = f"< {_plain(r['n_min'])}"
            tex_cell = f"${cell}$"
        elif label == "above_grid":
            cell = f"> {_plain(r['n_max'])}"
            tex_cell = f"${cell}$"
        elif label == "all_failed":
            cell = tex_cell = ALL_FAILED_TEXT
        else:
            cell = tex_cell = "n/a"
        keys = [str(r["method"]), *[_plain(r[c]) for c in context],
                _plain(r["group_size"]), _plain(r["active_groups"]), _plain(r["entries"])]
        conv = [] if converged is None else [converged.iloc[len(rows)]]
        rows.append([*keys, cell, *conv])
        tex_rows.append([*(_latex_escape(k) for k in keys), tex_cell, *conv])
    return _render(header_tex, header_md, align, rows, fmt,
                   groups=df["method"].tolist(), latex_cells=tex_rows)


def scaling_table(scaling: pd.DataFrame, fmt: str = "latex", digits: int = 2) -> str:
    r"""Table of the scaling exponents per method.

    Columns: method, number of points, :math:`b` (exponent of :math:`s`), :math:`c`
    (exponent of :math:`g`), :math:`b_e` (exponent of :math:`s g`), each as
    ``"0.98 [0.91, 1.05]"`` with its 95% t interval, :math:`R^2`, and the fit's note
    when any method has one other than ``"ok"``.  Under the DGLNN claim,
    :math:`c \approx 0` for DGLNN and :math:`c \approx b` for an unstructured method.

    Parameters
    ----------
    scaling : pandas.DataFrame
        Output of :func:`gsbench.analysis.scaling` (or its CSV).
    fmt : {"latex", "markdown"}
    digits : int, default 2

    Returns
    -------
    str
    """
    where = "scaling_table"
    _check_fmt(fmt, where)
    required = ["method", "n_points", "b", "b_low", "b_high", "c", "c_low", "c_high", "r2",
                "b_entries", "b_entries_low", "b_entries_high"]
    require_columns(scaling, required, where)
    df = scaling.sort_values("method", kind="mergesort").reset_index(drop=True)
    notes = (df["note"] if "note" in df.columns else pd.Series("ok", index=df.index))
    notes = notes.fillna("").astype(str).replace("ok", "")
    with_notes = bool((notes != "").any())

    header_md = ["method", "points", "b (groups)", "c (group size)", "b_e (entries)", "R²"]
    header_tex = ["Method", "$N$", r"$b$ ($s$)", r"$c$ ($g$)", r"$b_e$ ($s g$)", "$R^2$"]
    align = ["l", "r", "r", "r", "r", "r"]
    if with_notes:
        header_md.append("note")
        header_tex.append("Note")
        align.append("l")
    rows = []
    for i, r in df.iterrows():
        row = [
            str(r["method"]),
            _plain(r["n_points"]),
            format_interval(r["b"], r["b_low"], r["b_high"], digits),
            format_interval(r["c"], r["c_low"], r["c_high"], digits),
            format_interval(r["b_entries"], r["b_entries_low"], r["b_entries_high"], digits),
            _num(r["r2"], 3),
        ]
        if with_notes:
            row.append(notes.iloc[i])
        rows.append(row)
    return _render(header_tex, header_md, align, rows, fmt)




def write_tables(transitions_csv: str | Path, scaling_csv: str | Path,
                 out: str | Path | Mapping[str, str | Path],
                 summary_csv: str | Path | None = None) -> dict[str, Path]:
    """Read the two CSV files and write the LaTeX and Markdown tables.

    Parameters
    ----------
    transitions_csv : str or Path
        CSV written from :func:`gsbench.analysis.transitions`.
    scaling_csv : str or Path
        CSV written from :func:`gsbench.analysis.scaling`.
    out : str, Path or mapping
        A directory (created if needed) that receives every file of :data:`TABLE_FILES`
        under its name, or a mapping from some of those names to the paths to write
        (for example the outputs a workflow rule declares).
    summary_csv : str or Path, optional
        CSV written from :func:`gsbench.analysis.summarize`, for the transitions table's
        converged column; default: ``summary.csv`` beside `transitions_csv` (the aggregate
        step writes both), skipped when absent.

    Returns
    -------
    dict
        The written paths keyed by file name (``"transitions.tex"``, ``"transitions.md"``,
        ``"scaling.tex"``, ``"scaling.md"``).
    """
    if isinstance(out, Mapping):
        unknown = sorted(set(out) - set(TABLE_FILES))
        if unknown:
            raise ValueError(f"write_tables: unknown table file {unknown[0]!r}; known: {', '.join(TABLE_FILES)}")
        paths = {name: Path(path) for name, path in out.items()}
    else:
        paths = {name: Path(out) / name for name in TABLE_FILES}
    if summary_csv is None:
        summary_csv = Path(transitions_csv).with_name("summary.csv")
    summary = pd.read_csv(summary_csv) if Path(summary_csv).is_file() else None
    frames = {"transitions": pd.read_csv(transitions_csv), "scaling": pd.read_csv(scaling_csv)}
    render = {
        "transitions": lambda df, fmt: transitions_table(df, fmt, summary=summary),
        "scaling": scaling_table,
    }
    for name, path in paths.items():
        table, fmt = TABLE_FILES[name]
        write_text(path, render[table](frames[table], fmt))
    return paths
