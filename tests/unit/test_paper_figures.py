"""The DGLNN paper's figures 2-5 (gsbench.paper_figures) on shortened runs. (The real rule,
`snakemake paper_figures`: tests/workflow/test_paper_figures_target.py.)"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gsbench import paper_figures as pf
from workflow_helpers import is_nonblank_png, paper_figures_tiny_settings

OUTPUTS = pf.output_names()
ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "config" / "paper_figures.yaml"


def short_settings() -> dict:
    """The real settings with runs long enough for the qualitative outcomes only."""
    s = pf.load_settings(SETTINGS)
    s["fig2"].update(iterations=1500, plot_iterations=2000)
    s["fig3"].update(iterations=1500, plot_iterations=1500)
    # DGLNN needs ~4500 iterations to fit the weak (all-ones) signal of Fig. 4.
    s["fig4"].update(iterations=6000, plot_iterations=6000, robustness_repetitions=3)
    s["fig4"]["authors"].update(iterations=500, plot_iterations=2000)  # u*u: least at ~1600
    s["fig5"].update(iterations=2000, plot_iterations=2000, repetitions=5)
    s["plot"]["dpi"] = 60  # the images are checked for content, not resolution
    return s


#: Marks the tests reading `short_run` slow: it runs the four figures long enough for their
#: outcomes (about 15 s).
SHORT_RUN = pytest.mark.slow


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("paper_figures")
    numbers = pf.run_all(short_settings(), out)
    return out, numbers


@SHORT_RUN
def test_every_output_is_written(short_run):
    out, numbers = short_run
    assert sorted(numbers) == sorted(pf.FIGURES)
    for name in OUTPUTS:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name


@SHORT_RUN
@pytest.mark.parametrize("fig", pf.FIGURES)
def test_curve_csv_is_tidy(short_run, fig):
    out, _ = short_run
    frame = pd.read_csv(out / f"{fig}.csv")
    assert tuple(frame.columns) == pf.CSV_COLUMNS
    assert len(frame) > 0 and (frame["figure"] == fig).all()
    assert np.isfinite(frame["value"]).all()
    for key, sub in frame.groupby(["panel", "method", "series"]):
        it = sub["iteration"].to_numpy()
        assert it.size > 10, key
        assert np.all(np.diff(it) > 0), f"iteration axis of {key} is not increasing"
    panels = set(frame["panel"])
    expected = {
        "fig2": {"error", "group_magnitude"},
        "fig3": {"error", "coefficient", "group_magnitude", "direction"},
        "fig4": {"error"},
        "fig5": {"coefficient", "log_error", "log_error_repetition"},
    }[fig]
    assert panels == expected
    if fig == "fig4":
        assert set(frame["method"]) == {"dglnn2", "hadamard", "dglnn2:authors", "hadamard:authors"}
    if fig == "fig5":
        assert set(frame.loc[frame["panel"] == "log_error", "series"]) == {"q25", "median", "q75", "mean"}
        assert frame.loc[frame["panel"] == "log_error_repetition", "series"].nunique() == 5
    if fig in ("fig2", "fig3"):
        groups = frame[frame["panel"] == "group_magnitude"]
        assert groups.loc[groups["active"], "index"].nunique() == 3  # the 3 active groups
        assert (groups["value"] >= 0).all()


@SHORT_RUN
@pytest.mark.parametrize("fig", pf.FIGURES)
def test_images_are_not_blank(short_run, fig):
    out, _ = short_run
    assert is_nonblank_png(out / f"{fig}.png")
    assert (out / f"{fig}.pdf").read_bytes().startswith(b"%PDF")


@SHORT_RUN
def test_summary_has_the_four_sections_with_numbers(short_run):
    out, numbers = short_run
    md = (out / "paper_figures.md").read_text()
    assert re.search(r"^Provenance: gsbench .*settings sha256 [0-9a-f]{12}, method code keys: "
                     r"dglnn1 [0-9a-f]{8}, dglnn2 [0-9a-f]{8}, hadamard [0-9a-f]{8}", md, flags=re.M)
    sections = re.split(r"^## ", md, flags=re.M)[1:]
    assert [s.split(":")[0] for s in sections] == ["Figure 2", "Figure 3", "Figure 4", "Figure 5"]
    for section, fig in zip(sections, pf.FIGURES):
        assert pf.QUOTES[fig] in section
        assert "Criterion:" in section
        assert re.search(r"\*\*Verdict: (agrees|partly|disagrees)\.\*\*", section)
        assert re.search(r"least error \d+\.\d+", section), fig
        assert numbers[fig]["verdict"] in ("agrees", "partly", "disagrees")
    assert "step-size switch at iteration" in sections[1]
    assert "order in which groups were learned" in sections[1]
    assert "`dglnn2`: least error" in sections[2] and "`hadamard`: least error" in sections[2]
    assert "median least error" in sections[3]
    # the JSON holds the same numbers
    data = pd.read_json(out / "paper_figures.json", typ="series")
    assert data["fig2"]["least_error"] == pytest.approx(numbers["fig2"]["least_error"])


@SHORT_RUN
def test_fig2_error_has_a_clear_minimum(short_run):
    _, numbers = short_run
    m = numbers["fig2"]
    assert m["least_error"] < 0.1 * m["w_star_norm"]  # recovered up to noise
    assert m["least_error"] <= m["final_error"]
    assert 0 < m["least_iteration"] <= m["final_iteration"]
    # off-support groups are still at the initial scale alpha^2 when the error is least
    assert m["max_offsupport_magnitude_at_least"] < 1e-3


@SHORT_RUN
def test_fig3_switch_and_incremental_learning(short_run):
    _, numbers = short_run
    m = numbers["fig3"]
    assert m["switch_iteration"] > 0
    assert m["all_learned"]
    assert m["learned_order"] == m["norm_order"]  # larger groups first
    assert m["switch_after_all_learned"]


@SHORT_RUN
def test_fig4_dglnn_beats_the_unstructured_method(short_run):
    _, numbers = short_run
    m = numbers["fig4"]
    dglnn, hadamard = m["methods"]["dglnn2"], m["methods"]["hadamard"]
    assert dglnn["least_error"] < 0.5 * hadamard["least_error"]
    assert dglnn["least_error"] < 0.1 * m["w_star_norm"]
    assert m["robustness"]["ratio_holds"] >= 2


@SHORT_RUN
def test_fig4_is_rerun_under_the_authors_settings(short_run):
    """The authors' own code's settings (preset `authors`, 500 iterations, n_val = n // 3):
    DGLNN recovers within the 500 iterations, after its step-size switch, and the
    paper_figures.md says whether the verdict changes."""
    out, numbers = short_run
    m, au = numbers["fig4"], numbers["fig4"]["authors"]
    assert au["method_order"] == ["dglnn2:authors", "hadamard:authors"]
    assert au["problem"]["n_val"] == 33 and au["iterations"] == 500
    dglnn, baseline = au["methods"]["dglnn2:authors"], au["methods"]["hadamard:authors"]
    assert {dglnn["preset"], baseline["preset"]} == {"authors"}
    assert 0 < dglnn["switch_iteration"] < dglnn["least_iteration"] <= 500
    assert dglnn["least_error"] < 0.1 * au["w_star_norm"]
    assert dglnn["least_error"] < 0.5 * baseline["least_error"]
    assert au["verdict"] in ("agrees", "partly", "disagrees")
    md = (out / "paper_figures.md").read_text()
    section = md.split("## Figure 4")[1].split("## Figure 5")[0]
    changes = "does not change" if au["verdict"] == m["verdict"] else "changes"
    assert f"Verdict under the authors' settings (same criterion): {au['verdict']}; the verdict {changes}" in section


@SHORT_RUN
def test_fig5_batches_the_repetitions(short_run):
    _, numbers = short_run
    m = numbers["fig5"]
    assert m["repetitions"] == 5 and len(m["least_error"]) == 5
    assert m["q25_least_error"] <= m["median_least_error"] <= m["q75_least_error"]


def test_output_is_deterministic(tmp_path):
    s = paper_figures_tiny_settings()
    a = pf.figure2(s, tmp_path / "a")
    b = pf.figure2(copy.deepcopy(s), tmp_path / "b")
    assert a == b
    for name in ("fig2.csv", "fig2.png", "fig2.pdf"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_scaled_settings_shortens_runs():
    s = pf.load_settings(SETTINGS)
    short = pf.scaled_settings(s, 0.1, repetitions=4)
    assert short["fig2"]["iterations"] == s["fig2"]["iterations"] // 10
    assert short["fig2"]["plot_iterations"] == s["fig2"]["plot_iterations"] // 10
    assert short["fig5"]["repetitions"] == 4
    assert short["fig4"]["robustness_repetitions"] == 4
    assert short["fig4"]["authors"]["iterations"] == s["fig4"]["authors"]["iterations"] // 10
    assert s["fig5"]["repetitions"] == 30  # the original is untouched


def test_default_settings_are_the_papers():
    s = pf.load_settings(SETTINGS)
    for fig, (n, p, g, k) in {"fig2": (150, 300, 3, 3), "fig3": (150, 300, 3, 3),
                              "fig4": (100, 500, 4, 4), "fig5": (80, 200, 1, 5)}.items():
        prob = s[fig]["problem"]
        assert (prob["n"], prob["p"], prob["group_size"], prob["active_groups"]) == (n, p, g, k)
        assert prob["sigma"] == 0.5 and prob["design"] == "rademacher"
        assert s[fig]["iterations"] == 20000
    assert s["fig3"]["problem"]["signal_range"] == [5.0, 13.0]
    assert s["fig5"]["problem"]["values"] == [1, -1, 1, -1, 1]
    assert s["fig5"]["repetitions"] == 30


def test_missing_setting_is_named():
    s = pf.load_settings(SETTINGS)
    del s["fig4"]["criteria"]["ratio"]
    with pytest.raises(pf.SettingsError, match=r"key 'fig4\.criteria': 'ratio' is a required property"):
        pf.validate_settings(s)
    with pytest.raises(pf.SettingsError, match="plot_iterations"):
        pf.validate_settings({**s, "fig2": {**s["fig2"], "plot_iterations": 10}}, ["fig2"])
    s = pf.load_settings(SETTINGS)
    au = {k: v for k, v in s["fig4"]["authors"].items() if k != "iterations"}
    with pytest.raises(pf.SettingsError, match=r"key 'fig4\.authors': 'iterations' is a required property"):
        pf.validate_settings({**s, "fig4": {**s["fig4"], "authors": au}}, ["fig4"])
