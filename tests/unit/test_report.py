"""Tests of gsbench.report: seaborn figures (PNG + PDF) and LaTeX/Markdown tables."""

from __future__ import annotations

import math
import re
from pathlib import Path

import matplotlib
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from gsbench.analysis import scaling, summarize, transitions
from gsbench.analysis.transitions import ALL_FAILED_TEXT
from gsbench.report import (
    TABLE_FILES,
    plot_error_curves,
    plot_phase_heatmaps,
    plot_scaling_entries,
    plot_scaling_groups,
    plot_success_curves,
    scaling_table,
    transitions_table,
    write_tables,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def make_trials(methods=("dglnn", "group_lasso"), g_values=(2, 8), s_values=(1, 2, 4),
                ns=(6, 12, 24, 48, 96, 192), trials=12, seed=0) -> pd.DataFrame:
    """Per-trial rows: success probability sigmoid(4 (log n - log n*)); n* = 8 s (dglnn)
    or 2 s g (others); ~5% diverged/failed trials."""
    rng = np.random.default_rng(seed)
    frames = []
    for method in methods:
        for g in g_values:
            for s in s_values:
                n_star = 8.0 * s if method == "dglnn" else 2.0 * s * g
                for n in ns:
                    prob = 1 / (1 + math.exp(-4 * (math.log(n) - math.log(n_star))))
                    success = rng.random(trials) < prob
                    u = rng.random(trials)
                    status = np.where(u < 0.03, "failed", np.where(u < 0.06, "diverged", "ok"))
                    err = np.where(success, 0.01, 0.4) * np.exp(0.1 * rng.standard_normal(trials))
                    err = np.where(status == "failed", np.nan, err)
                    frames.append(pd.DataFrame({
                        "method": method, "cell_id": f"n{n}-g{g}-s{s}", "n": n, "p": 128,
                        "group_size": g, "active_groups": s, "sigma": 0.05, "design": "gaussian",
                        "trial": np.arange(trials), "seed": np.arange(trials),
                        "rel_error_oracle": err, "rel_error_validation": 1.3 * err,
                        "rel_error_final": 1.6 * err, "support_precision": 1.0,
                        "support_recall": 1.0, "oracle_iteration": 3, "stop_iteration": 4,
                        "iterations": 10, "seconds": 0.001 * n, "status": status,
                        "message": "", "params": "{}",
                    }))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def results():
    trials = make_trials()
    summary = summarize(trials)
    trans = transitions(trials, "rel_error_oracle", 0.05, n_boot=50, seed=0)
    fits = scaling(trans)
    return summary, trans, fits


def assert_image_pair(png: Path) -> np.ndarray:
    png = Path(png)
    pdf = png.with_suffix(".pdf")
    assert png.read_bytes()[:8] == PNG_MAGIC
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 1000
    image = mpimg.imread(png)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert float(image[..., :3].std()) > 0.01  # not blank
    return image


# --------------------------------------------------------------------------- figures
@pytest.mark.slow  # draws the full set of study figures
def test_all_figures_written(results, tmp_path):
    summary, trans, fits = results
    calls = {
        "phase.png": lambda out: plot_phase_heatmaps(summary, out),
        "success.png": lambda out: plot_success_curves(summary, out),
        "scaling_groups.png": lambda out: plot_scaling_groups(trans, fits, out),
        "scaling_entries.png": lambda out: plot_scaling_entries(trans, fits, out),
        "errors.png": lambda out: plot_error_curves(summary, out),
    }
    for name, plot in calls.items():
        out = tmp_path / "figs" / name  # parent directory does not exist yet
        png, pdf = plot(out)
        assert png == out and pdf == out.with_suffix(".pdf")
        assert_image_pair(out)
    assert matplotlib.get_backend()  # backend untouched and usable
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []  # nothing left open in pyplot


def test_scaling_legend_has_slopes(results, tmp_path, monkeypatch):
    _, trans, fits = results
    # The legend shows the slope b of each method, e.g. "dglnn, g=2 (b=0.97)".
    import gsbench.report.figures as figures

    labels = []
    original = figures.save

    def spy(fig, path):
        for legend in fig.legends:
            labels.extend(t.get_text() for t in legend.get_texts())
        return original(fig, path)

    monkeypatch.setattr(figures, "save", spy)
    plot_scaling_groups(trans, fits, tmp_path / "g.png")
    plot_scaling_entries(trans, fits, tmp_path / "e.png")
    b = fits.set_index("method")["b"]
    b_e = fits.set_index("method")["b_entries"]
    assert f"dglnn, g=2 (b={b['dglnn']:.2f})" in labels
    assert f"group_lasso, g=8 (b_e={b_e['group_lasso']:.2f})" in labels


def test_figures_single_method_single_group(tmp_path):
    trials = make_trials(methods=("dglnn",), g_values=(4,), s_values=(2,), ns=(8, 16, 32))
    summary = summarize(trials)
    trans = transitions(trials, "rel_error_oracle", 0.05, n_boot=20)
    fits = scaling(trans)
    for plot, args in [
        (plot_phase_heatmaps, (summary,)),
        (plot_success_curves, (summary,)),
        (plot_error_curves, (summary,)),
        (plot_scaling_groups, (trans, fits)),
        (plot_scaling_entries, (trans, fits)),
    ]:
        out = tmp_path / f"{plot.__name__}.png"
        plot(*args, out)
        assert_image_pair(out)


def test_figures_empty_inputs_say_no_data(results, tmp_path):
    summary, trans, fits = results
    outside = trans.assign(transition="above_grid", n_star=np.nan)
    cases = {
        "phase": lambda o: plot_phase_heatmaps(summary.iloc[:0], o),
        "success": lambda o: plot_success_curves(pd.DataFrame(), o),
        "errors": lambda o: plot_error_curves(summary.iloc[:0], o),
        "groups": lambda o: plot_scaling_groups(outside, scaling(outside), o),
        "entries": lambda o: plot_scaling_entries(trans.iloc[:0], fits.iloc[:0], o),
    }
    for name, plot in cases.items():
        out = tmp_path / f"{name}.png"
        plot(out)
        assert_image_pair(out)


def test_figure_path_without_suffix_and_several_contexts(results, tmp_path):
    summary, _, _ = results
    two_sigmas = pd.concat([summary, summary.assign(sigma=0.5, success_rate=0.0)])
    png, pdf = plot_success_curves(two_sigmas, tmp_path / "curves")
    assert png.name == "curves.png" and pdf.name == "curves.pdf"
    assert_image_pair(png)


def figure_texts(fig) -> str:
    """Every text a figure shows: titles, legends, annotations."""
    return "\n".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


@pytest.mark.slow  # draws two figures twice
def test_identical_inputs_give_byte_identical_figures(tmp_path):
    trials = make_trials(methods=("dglnn",), g_values=(2, 4), s_values=(1, 2), ns=(8, 16, 32))
    summary = summarize(trials)
    trans = transitions(trials, "rel_error_oracle", 0.05, n_boot=20)
    fits = scaling(trans)
    written = {}
    for run in ("a", "b"):
        for name, plot in (("phase", lambda o: plot_phase_heatmaps(summary, o)),  # an image
                           ("groups", lambda o: plot_scaling_groups(trans, fits, o))):  # lines, text
            for path in plot(tmp_path / run / f"{name}.png"):
                written.setdefault(path.name, []).append(path.read_bytes())
    assert len(written) == 4
    for name, (first, second) in written.items():
        assert first == second, name
        # no creation date, producer or software version that would differ between runs
        assert b"CreationDate" not in first and b"Producer" not in first, name
        assert b"Software" not in first and b"Matplotlib v" not in first, name


def test_paper_figures_share_the_reproducible_save(tmp_path):
    from gsbench.paper_figures import plotting
    from gsbench.report import figure_base

    assert plotting._save.__module__ == plotting.__name__  # a thin wrapper ...
    pairs = []
    for run in ("a", "b"):
        with plotting._style():
            fig = plotting._new_figure(3.0, 2.0)
            fig.subplots().plot([0, 1, 2], [0, 1, 4], color=plotting._palette(1)[0])
            pairs.append(plotting._save(fig, tmp_path / run, "fig", 80))
    (png_a, pdf_a), (png_b, pdf_b) = pairs  # ... over figure_base.save
    assert png_a.read_bytes() == png_b.read_bytes() and pdf_a.read_bytes() == pdf_b.read_bytes()
    assert b"CreationDate" not in pdf_a.read_bytes()
    assert plotting._palette(3) == figure_base.palette(3)


@pytest.mark.slow  # draws the full set of study figures
def test_a_method_whose_trials_all_failed_is_named_on_the_figures(tmp_path, monkeypatch):
    import gsbench.report.figures as figures

    trials = make_trials(methods=("dglnn", "broken"), g_values=(2,), s_values=(1, 2))
    broken = trials["method"] == "broken"
    trials.loc[broken, "status"] = np.where(trials.loc[broken, "trial"] % 2 == 0, "failed", "diverged")
    trials.loc[broken, ["rel_error_oracle", "rel_error_validation", "rel_error_final"]] = np.nan
    summary = summarize(trials)
    trans = transitions(trials, "rel_error_oracle", 0.05, n_boot=20)
    assert (trans.loc[trans["method"] == "broken", "transition"] == "all_failed").all()
    fits = scaling(trans)
    texts = {}
    original = figures.save
    monkeypatch.setattr(figures, "save", lambda fig, out: (texts.setdefault(Path(out).stem, figure_texts(fig)),
                                                           original(fig, out))[1])
    plot_error_curves(summary, tmp_path / "errors.png")
    plot_scaling_groups(trans, fits, tmp_path / "groups.png")
    plot_scaling_entries(trans, fits, tmp_path / "entries.png")
    plot_success_curves(summary, tmp_path / "success.png")
    for name, text in texts.items():
        assert f"broken: {ALL_FAILED_TEXT}" in text, name
        assert "dglnn" in text, name
    # the error figure still draws the method's panels (one note per panel, both columns)
    assert texts["errors"].count(f"broken: {ALL_FAILED_TEXT}\n") >= 4
    assert_image_pair(tmp_path / "errors.png")


def test_figures_reject_missing_columns(results, tmp_path):
    summary, _, _ = results
    with pytest.raises(ValueError, match="success_rate"):
        plot_phase_heatmaps(summary.drop(columns=["success_rate"]), tmp_path / "x.png")


# --------------------------------------------------------------------------- tables
@pytest.fixture
def table_inputs():
    trans = pd.DataFrame({
        "method": ["dglnn", "dglnn", "dglnn", "group_lasso"],
        "p": 128, "group_size": [4, 4, 4, 4], "active_groups": [1, 2, 4, 2], "sigma": 0.05,
        "design": "gaussian", "entries": [4, 8, 16, 8],
        "n_star": [np.nan, 64.2, np.nan, 30.04],
        "n_star_low": [np.nan, 58.1, np.nan, 25.0],
        "n_star_high": [np.nan, 70.3, np.nan, 35.56],
        "n_min": [20, 20, 20, 20], "n_max": [200, 200, 200, 200], "n_points": 8,
        "transition": ["below_grid", "ok", "above_grid", "ok"],
    })
    trans.loc[len(trans)] = {**trans.iloc[2].to_dict(), "active_groups": 8, "entries": 32,
                             "transition": "all_failed"}
    fits = pd.DataFrame({
        "method": ["dglnn", "group_lasso"], "n_points": [6, 2],
        "a": [2.3, np.nan], "b": [0.9213, np.nan], "b_low": [0.8, np.nan], "b_high": [1.05, np.nan],
        "c": [0.02, np.nan], "c_low": [-0.1, np.nan], "c_high": [0.14, np.nan],
        "r2": [0.987, np.nan], "a_entries": [2.0, np.nan], "b_entries": [0.5, np.nan],
        "b_entries_low": [0.3, np.nan], "b_entries_high": [0.7, np.nan],
        "note": ["ok", "too few points: 2 < 4 (parameters + 1); no fit"],
    })
    return trans, fits


def test_transitions_table_latex(table_inputs):
    trans, _ = table_inputs
    tex = transitions_table(trans, "latex")
    lines = tex.strip().splitlines()
    assert lines[0].startswith(r"\begin{tabular}") and lines[-1] == r"\end{tabular}"
    for rule in (r"\toprule", r"\midrule", r"\bottomrule"):
        assert rule in tex
    assert "64.2 [58.1, 70.3]" in tex
    assert "30.0 [25.0, 35.6]" in tex
    assert "$< 20$" in tex and "$> 200$" in tex
    assert r"group\_lasso" in tex and "group_lasso" not in tex  # escaped
    body = [l for l in lines if l.endswith(r"\\")]
    assert len(body) == 1 + 5  # header + rows
    assert r"dglnn & 4 & 8 & 32 & all trials diverged / failed \\" in lines
    # Constant p/sigma/design are not repeated as columns.
    assert r"$\sigma$" not in tex


def test_transitions_table_markdown(table_inputs):
    trans, _ = table_inputs
    md = transitions_table(trans, "markdown")
    lines = md.strip().splitlines()
    assert len(lines) == 2 + len(trans)  # header, separator, one line per row
    assert all(l.startswith("|") and l.endswith("|") for l in lines)
    assert set(lines[1]) <= set("|:-")
    assert len({l.count("|") for l in lines}) == 1  # same number of cells everywhere
    assert "| dglnn | 4 | 2 | 8 | 64.2 [58.1, 70.3] |" in lines
    assert "| dglnn | 4 | 1 | 4 | < 20 |" in lines
    assert "| dglnn | 4 | 4 | 16 | > 200 |" in lines
    # not "> 200": nothing is known about a setting without a single ok trial
    assert "| dglnn | 4 | 8 | 32 | all trials diverged / failed |" in lines


def test_scaling_table_both_formats(table_inputs):
    _, fits = table_inputs
    tex = scaling_table(fits, "latex")
    for rule in (r"\toprule", r"\midrule", r"\bottomrule"):
        assert rule in tex
    assert "0.92 [0.80, 1.05]" in tex and "0.02 [-0.10, 0.14]" in tex
    assert "0.50 [0.30, 0.70]" in tex and "0.987" in tex
    assert "too few points" in tex  # notes shown when a fit is degenerate
    md = scaling_table(fits, "markdown")
    lines = md.strip().splitlines()
    assert len(lines) == 2 + len(fits)
    assert lines[2].startswith("| dglnn | 6 | 0.92 [0.80, 1.05] | 0.02 [-0.10, 0.14] |")
    assert "| group_lasso | 2 | n/a | n/a | n/a | n/a |" in md
    with pytest.raises(ValueError, match="fmt"):
        scaling_table(fits, "html")


def test_write_tables_from_csv(results, tmp_path):
    _, trans, fits = results
    trans.to_csv(tmp_path / "transitions.csv", index=False)
    fits.to_csv(tmp_path / "scaling.csv", index=False)
    outdir = tmp_path / "tables" / "nested"
    written = write_tables(tmp_path / "transitions.csv", tmp_path / "scaling.csv", outdir)
    assert set(written) == {"transitions.tex", "transitions.md", "scaling.tex", "scaling.md"}
    for path in written.values():
        assert path.parent == outdir and path.stat().st_size > 0
    assert written["transitions.tex"].read_text() == transitions_table(trans, "latex")
    md = written["transitions.md"].read_text().strip().splitlines()
    assert len(md) == 2 + len(trans)
    ok = trans[trans["transition"] == "ok"].iloc[0]
    expected = f"{ok['n_star']:.1f} [{ok['n_star_low']:.1f}, {ok['n_star_high']:.1f}]"
    assert expected in written["transitions.md"].read_text()
    assert written["scaling.md"].read_text().count("\n") == 2 + len(fits)


def test_transitions_table_shows_converged_fits(table_inputs, tmp_path):
    """With the summary (n_converged, trials per cell), a last column gives k/m per
    setting, summed over n; "n/a" where the count is unknown."""
    trans, fits = table_inputs
    trans = trans[trans["transition"] != "all_failed"]  # four settings with counts
    keys = ["method", "group_size", "active_groups"]
    summary = trans[keys].copy()
    summary = pd.concat([summary.assign(n=20), summary.assign(n=40)], ignore_index=True)
    summary["trials"] = 10
    summary["n_converged"] = pd.array([10, 9, 8, None] * 2, dtype="Int64")
    md = transitions_table(trans, "markdown", summary=summary)
    lines = md.strip().splitlines()
    assert lines[0].endswith("| converged |")
    cells = [line.rsplit("|", 2)[1].strip() for line in lines[2:]]
    assert sorted(cells) == sorted(["20/20", "18/20", "16/20", "n/a"])
    assert "Converged" in transitions_table(trans, "latex", summary=summary)
    # write_tables finds summary.csv beside transitions.csv (the aggregate step writes both)
    trans.to_csv(tmp_path / "transitions.csv", index=False)
    fits.to_csv(tmp_path / "scaling.csv", index=False)
    summary.to_csv(tmp_path / "summary.csv", index=False)
    written = write_tables(tmp_path / "transitions.csv", tmp_path / "scaling.csv", tmp_path / "t")
    assert written["transitions.md"].read_text() == md


def test_write_tables_to_declared_paths(results, tmp_path):
    _, trans, fits = results
    trans.to_csv(tmp_path / "transitions.csv", index=False)
    fits.to_csv(tmp_path / "scaling.csv", index=False)
    declared = {"transitions.md": tmp_path / "a" / "t.md", "scaling.tex": tmp_path / "b" / "s.tex"}
    written = write_tables(tmp_path / "transitions.csv", tmp_path / "scaling.csv", declared)
    assert written == declared
    assert declared["transitions.md"].read_text() == transitions_table(trans, "markdown")
    assert declared["scaling.tex"].read_text() == scaling_table(fits, "latex")
    assert set(TABLE_FILES) == {"transitions.tex", "transitions.md", "scaling.tex", "scaling.md"}
    with pytest.raises(ValueError, match="unknown table file 'scaling.html'"):
        write_tables(tmp_path / "transitions.csv", tmp_path / "scaling.csv",
                     {"scaling.html": tmp_path / "x.html"})


@pytest.mark.slow  # draws a figure, PNG and PDF
def test_figure_stage_writes_the_declared_png_and_pdf(results, tmp_path):
    from gsbench.rules import figure_stage

    paths = {}
    for frame, name in zip(results, ("summary", "transitions", "scaling")):
        paths[name] = tmp_path / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    png, pdf = tmp_path / "png" / "groups.png", tmp_path / "pdf" / "groups-vector.pdf"
    figure_stage("scaling_groups", paths["summary"], paths["transitions"], paths["scaling"], png, pdf)
    assert png.read_bytes()[:8] == PNG_MAGIC and pdf.read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in tmp_path.rglob("groups*")) == ["groups-vector.pdf", "groups.png"]


@pytest.mark.parametrize("caption", ["workflow.rst", "figure.rst"])
def test_report_captions_name_the_grid_of_a_real_design_study(caption, root):
    """The HTML report's captions (Jinja templates Snakemake renders with the validated
    config): a grid of real designs only has no p or group_size keys, and says where they
    come from instead of printing nothing; a synthetic grid prints its values."""
    from types import SimpleNamespace

    import jinja2

    from gsbench.study import load_config

    template = jinja2.Template((root / "workflow" / "report" / caption).read_text())
    real = load_config({"study": "real", "grid": {"design": [{"real": {"name": "digits"}}],
                                                  "active_groups": [1], "n": [24]},
                        "trials": 2, "methods": {"dglnn2": {}}})  # fmt: skip
    synthetic = load_config(root / "config" / "smoke.yaml")
    texts = {}
    for name, config in (("real", real), ("synthetic", synthetic)):
        smk = SimpleNamespace(config=config, wildcards=SimpleNamespace(figure="success_curves"))
        texts[name] = " ".join(template.render(snakemake=smk).split())
    assert "p = from each real design" in texts["real"]
    assert re.search(r"group sizes? (= )?from each real design", texts["real"])
    assert "p = [64]" in texts["synthetic"] and "[1, 4]" in texts["synthetic"]
    assert "real design" not in texts["synthetic"]
