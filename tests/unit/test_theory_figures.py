"""Theory drawn on figures: reference curves and the Donoho-Tanner phase diagram."""

import numpy as np
import pandas as pd
import pytest

from gsbench.analysis.theory import statdim_l1
from gsbench.report import plot_scaling_groups
from gsbench.report.theory_figures import plot_phase_diagram, transition_curve


def test_transition_curve_l1_coordinates():
    x, y = transition_curve(64, 1)
    k = 5
    assert x[k - 1] == pytest.approx(statdim_l1(k, 64) / 64)
    assert y[k - 1] == pytest.approx(k / statdim_l1(k, 64))
    assert x[-1] == pytest.approx(1.0) and y[-1] == pytest.approx(1.0)


def _summary():
    rows = []
    for method in ("m1", "m2"):
        for g in (1, 4):
            for s in (1, 2, 4):
                for n in (8, 16, 32, 64):
                    rows.append({"method": method, "p": 64, "group_size": g, "active_groups": s,
                                 "n": n, "success_rate": float(n >= 4 * s * g ** 0.5),
                                 "sigma": 0.0, "design": "rademacher"})
    return pd.DataFrame(rows)


def test_phase_diagram_draws_a_panel_per_method_with_its_cells_and_curves(tmp_path, monkeypatch):
    """Two methods: two panels (titled by method) and a colour bar; each panel holds one
    scatter per group size, its points at (n/p, k/n) with k <= n, and the l1 and g = 4
    transition curves; the PNG is the figure's size at the figure DPI, not blank, and a
    second drawing of the same summary is byte-identical."""
    import matplotlib.image as mpimg

    import gsbench.report.theory_figures as theory_figures
    from gsbench.report.figure_base import DPI

    drawn = {}
    real_save = theory_figures.save

    def spy(fig, out):
        drawn["size"] = tuple(fig.get_size_inches())
        drawn["axes"] = [(ax.get_title(), [np.array(c.get_offsets()) for c in ax.collections],
                          [line.get_xydata() for line in ax.get_lines()]) for ax in fig.axes]
        return real_save(fig, out)

    monkeypatch.setattr(theory_figures, "save", spy)
    summary = _summary()
    png, pdf = plot_phase_diagram(summary, tmp_path / "phase_diagram.png")
    panels = [a for a in drawn["axes"] if a[0]]
    assert [title for title, _, _ in panels] == ["m1", "m2"] and len(drawn["axes"]) == 3
    shown = summary[summary["active_groups"] * summary["group_size"] <= summary["n"]]
    for title, scatters, lines in panels:
        points = np.concatenate(scatters)
        assert len(scatters) == 2 and len(points) == (shown["method"] == title).sum()
        assert (points[:, 0] == points[:, 0].clip(0, 1)).all() and (points[:, 1] <= 1).all()
        assert len(lines) == 2  # the l1 and the g = 4 transition curves
        np.testing.assert_allclose(lines[0], np.column_stack(transition_curve(64, 1)))
    image = mpimg.imread(png)
    width, height = drawn["size"]
    assert image.shape[:2] == (round(height * DPI), round(width * DPI))
    assert float(image[..., :3].std()) > 0.01  # not blank
    assert pdf.read_bytes().startswith(b"%PDF")
    again, _ = plot_phase_diagram(summary, tmp_path / "again.png")
    assert again.read_bytes() == png.read_bytes()


def test_scaling_figure_draws_both_references(tmp_path, monkeypatch):
    trans = pd.DataFrame([{"method": "m", "p": 64, "group_size": g, "active_groups": s,
                           "sigma": 0.0, "design": "rademacher", "n_star": 10.0 * s,
                           "n_star_low": 8.0 * s, "n_star_high": 12.0 * s, "transition": "ok"}
                          for g in (1, 4) for s in (1, 2, 4)])
    drawn = {}
    import gsbench.report.figures as figures

    real_save = figures.save

    def spy(fig, out):
        ax = fig.axes[0]
        drawn.update({line.get_label(): line.get_ydata() for line in ax.get_lines()})
        return real_save(fig, out)

    monkeypatch.setattr(figures, "save", spy)
    plot_scaling_groups(trans, None, tmp_path / "s.png")
    assert "ℓ1 limit D_ℓ1" in drawn and "group limit D_group" in drawn
    # The first pair drawn is g = 1, where both limits coincide with D_l1(s, 64).
    np.testing.assert_allclose(drawn["ℓ1 limit D_ℓ1"], [statdim_l1(s, 64) for s in (1, 2, 4)])
