"""The study figures on a paper-sized study: every method its own colour and marker with its
family recognisable, every p in the success curves, heatmaps binned in log n on adaptive grids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gsbench.report import figures
from gsbench.report.figure_base import method_family, method_styles

PAPER_METHODS = ["dglnn1", "dglnn2", "dglnn_gd", "group_bp", "group_iht", "group_lasso", "group_mcp",
                 "group_omp", "hadamard", "hadamard_depth3", "lasso", "omp_sklearn"]


def test_twelve_methods_get_twelve_colours_and_their_family():
    styles = method_styles(PAPER_METHODS)
    assert len({s.colour for s in styles.values()}) == 12
    assert len({(s.colour, s.marker) for s in styles.values()}) == 12
    families = {m: s.family for m, s in styles.items()}
    assert {m for m, f in families.items() if f == "implicit"} == {"dglnn1", "dglnn2", "dglnn_gd", "hadamard", "hadamard_depth3"}
    assert {m for m, f in families.items() if f == "convex"} == {"group_bp", "group_lasso", "lasso"}
    assert {m for m, f in families.items() if f == "greedy"} == {"group_iht", "group_mcp", "group_omp", "omp_sklearn"}
    # one line style per family, shared inside it
    assert len({styles[m].linestyle for m in PAPER_METHODS}) == 3
    assert method_family("my_plugin") == "other"
    # a method's style does not depend on the order the methods come in
    assert method_styles(PAPER_METHODS[::-1]) == styles


def test_many_methods_of_one_family_never_share_colour_and_marker():
    styles = method_styles([f"dglnn_{i}" for i in range(20)])
    assert len({(s.colour, s.marker) for s in styles.values()}) == 20


def _summary(p_values=(128, 256, 512), adaptive=False):
    rng = np.random.default_rng(0)
    rows = []
    for method in ("dglnn2", "group_lasso", "group_omp"):
        for p in p_values:
            for g in (1, 4):
                for s in (1, 2):
                    ns = rng.choice(np.arange(16, 513), 9, replace=False) if adaptive else [16, 32, 64, 128]
                    for n in sorted(ns):
                        k = int(rng.integers(0, 11))
                        rows.append(dict(method=method, p=p, group_size=g, active_groups=s, sigma=0.0,
                                         design="rademacher", n=int(n), trials=10, successes=k,
                                         success_rate=k / 10, success_low=0.0, success_high=1.0))
    return pd.DataFrame(rows)


@pytest.fixture
def captured(monkeypatch):
    """The figure a plot function saves, before it is written and cleared."""
    seen = []

    def keep(fig, out):
        seen.append(fig)
        return out, out

    monkeypatch.setattr(figures, "save", keep)
    return seen


def test_success_curves_show_every_p(captured, tmp_path):
    figures.plot_success_curves(_summary(), tmp_path / "s.png")
    (fig,) = captured
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    for p in (128, 256, 512):
        assert {f"p={p}, g={g}, s={s}" for g in (1, 4) for s in (1, 2)} <= set(titles)
    assert "first of" not in fig._suptitle.get_text()
    # the lines carry each method's colour and marker
    styles = method_styles(["dglnn2", "group_lasso", "group_omp"])
    drawn = {(line.get_color(), line.get_marker()) for ax in fig.axes for line in ax.get_lines()
             if line.get_marker() not in (None, "None", "")}
    assert {(s.colour, s.marker) for s in styles.values()} <= drawn


@pytest.mark.slow  # draws heatmaps of an adaptive grid
def test_heatmaps_bin_an_adaptive_grid_in_log_n_and_show_every_p(captured, tmp_path):
    summary = _summary(adaptive=True)
    assert summary["n"].nunique() > 50
    figures.plot_phase_heatmaps(summary, tmp_path / "h.png", max_columns=8)
    (fig,) = captured
    heat = [ax for ax in fig.axes if ax.get_title()]
    assert len(heat) == 3 * 2  # methods x group sizes
    ax = heat[0]
    assert len(ax.get_xticklabels()) == 8
    ylabels = [t.get_text() for t in ax.get_yticklabels()]
    assert ylabels == [f"{p} | {s}" for p in (128, 256, 512) for s in (2, 1)]
    assert "log bins" in ax.get_xlabel() or any("log bins" in a.get_xlabel() for a in heat)


def test_heatmap_bins_pool_trials():
    summary = pd.DataFrame(dict(method="m", p=64, group_size=1, active_groups=1, n=[10, 11, 100],
                                trials=[10, 30, 10], successes=[0, 30, 10]))
    df, labels, binned = figures._n_columns(summary.assign(success_rate=0.0), 2)
    assert binned and labels == ["10–11", "100"]
    grid = figures._pooled_rates(df, [(64, 1)], labels, by_p=False)
    assert grid.to_numpy().tolist() == [[0.75, 1.0]]  # (0 + 30) / (10 + 30), 10 / 10
