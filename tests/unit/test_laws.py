"""The competing n* laws: n* generated from a known law is attributed to that law."""

import numpy as np
import pandas as pd
import pytest

from gsbench.analysis.laws import LAW_COLUMNS, fit_laws, law_table

# The shipped paper grid's cells with enough room for a transition (k <= p/4).
CELLS = [(s, g, p) for p in (128, 256, 512) for g in (1, 2, 4, 8) for s in (1, 2, 4, 8)
         if s * g <= p // 4]
S, G, P = (np.array(v, float) for v in zip(*CELLS))

TRUTH = {
    "entry": (2.0 * S * G * np.log(np.e * P / (S * G)), {"A": 2.0}),
    "group": (1.5 * S * G + 3.0 * S * np.log(np.e * P / G / S), {"A": 1.5, "B": 3.0}),
    "incoh_grp": (2.0 * S**2 * G, {"A": 2.0}),
    "incoh_ent": (0.5 * (S * G) ** 2, {"A": 0.5}),
    "power": (5.0 * S**1.2 * G**0.4 * P**0.3, {"b": 1.2, "c": 0.4, "d": 0.3}),
}


@pytest.mark.parametrize("name", list(TRUTH))
def test_known_law_is_attributed_and_recovered(name):
    n_star, constants = TRUTH[name]
    rng = np.random.default_rng(7)
    noisy = n_star * np.exp(0.1 * rng.standard_normal(n_star.size))
    fits = fit_laws(S, G, P, noisy, n_boot=50, seed=1)
    assert min(fits, key=lambda k: fits[k]["aic"]) == name
    assert min(fits, key=lambda k: fits[k]["loo_rmse"]) == name
    for param, value in constants.items():
        est, lo, hi = fits[name]["params"][param]
        # The interval holds the estimate and reaches within about one width of the truth.
        assert lo <= est <= hi and abs(est - value) <= 1.5 * (hi - lo), (param, est, lo, hi)
        assert est == pytest.approx(value, rel=0.15)


def test_power_law_ratio_interval():
    fits = fit_laws(S, G, P, TRUTH["incoh_grp"][0] * np.exp(
        0.05 * np.random.default_rng(3).standard_normal(S.size)), n_boot=50)
    est, lo, hi = fits["power"]["ratio_b_c"]
    assert lo <= 2.0 <= hi and est == pytest.approx(2.0, rel=0.1)


def test_single_p_drops_log_p_and_unidentifiable_laws():
    keep = P == 256
    fits = fit_laws(S[keep], np.ones(keep.sum()), P[keep], 3 * S[keep], n_boot=0)
    assert "power" not in fits  # log g constant: b, c not separately identifiable
    assert set(fits) >= {"entry", "incoh_grp", "incoh_ent"}
    assert np.isnan(fits["entry"]["params"]["A"][1])  # no bootstrap, no interval


def test_law_table_marks_best_per_method():
    rows = []
    for method, name in (("m_group", "group"), ("m_entry", "entry")):
        for (s, g, p), n in zip(CELLS, TRUTH[name][0]):
            rows.append({"method": method, "p": p, "group_size": g, "active_groups": s,
                         "n_star": n, "transition": "ok"})
    rows.append({"method": "m_entry", "p": 64, "group_size": 1, "active_groups": 1,
                 "n_star": np.nan, "transition": "above_grid"})
    table = law_table(pd.DataFrame(rows), n_boot=20)
    assert list(table.columns) == list(LAW_COLUMNS)
    best = table[table["best_aic"]].drop_duplicates("method").set_index("method")["law"]
    assert best.to_dict() == {"m_entry": "entry", "m_group": "group"}
    assert (table["n_cells"] == len(CELLS)).all()
