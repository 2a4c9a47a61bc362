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


def test_phase_diagram_writes_png_and_pdf(tmp_path):
    png, pdf = plot_phase_diagram(_summary(), tmp_path / "phase_diagram.png")
    assert png.stat().st_size > 10_000 and pdf.stat().st_size > 1_000


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
