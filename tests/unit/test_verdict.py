"""The verdict: records, the Markdown writer, and the workflow stage on a saved transitions table."""

import math

import numpy as np
import pandas as pd
import pytest

from gsbench.analysis.theory import cell_references
from gsbench.rules import verdict_laws_stage, verdict_stage
from gsbench.verdict import Finding, Measure, Section, read_sections, render_markdown, write_sections

CONFIG = {"study": "unit", "bootstrap": 50}


def test_labelled_measures_show_in_the_measured_cell_and_survive_json(tmp_path):
    """A claim's finding: several labelled measures replace the value in the table."""
    f = Finding("depth helps", "N in [2, 3]", criterion="interval", verdict="partly",
                claim="depth_range", source="Li et al.",
                measured=[Measure("N=2", 1.5, 1.0, 2.0), Measure("N=3", math.nan)],
                runs={"total": 4, "budget_exhausted": 1})
    assert "| depth helps | N in [2, 3] | N=2: 1.5 [1, 2]; N=3: n/a | interval | partly |" in (
        render_markdown([Section("Claims", [f])]).splitlines())
    (back,) = read_sections(write_sections(tmp_path / "c.json", [Section("Claims", [f])]))[0].findings
    assert back.measured[0] == f.measured[0] and math.isnan(back.measured[1].value)
    assert (back.claim, back.source, back.runs) == (f.claim, f.source, f.runs)
    assert Finding.read_json(f.write_json(tmp_path / "f.json")).measured_text() == f.measured_text()


def test_markdown_table_and_json_round_trip(tmp_path):
    sections = [
        Section("Laws", [Finding("a | b", "12 cells", 0.81234, 0.7, 0.95, "lowest AIC", "entry"),
                         Finding("law", "3 cells", "group", criterion="named", verdict="ok")],
                "Fitted per method."),
        Section("Empty"),
    ]
    text = render_markdown(sections, "Verdict: study x")
    lines = text.splitlines()
    assert lines[0] == "# Verdict: study x"
    assert "| a \\| b | 12 cells | 0.812 [0.7, 0.95] | lowest AIC | entry |" in lines
    assert "| law | 3 cells | group | named | ok |" in lines
    assert lines[-3:] == ["## Empty", "", "No findings."]
    path = write_sections(tmp_path / "s.json", sections)
    back = read_sections(path)
    assert back[0].findings[0] == sections[0].findings[0]
    assert math.isnan(back[0].findings[1].low) and back[1].title == "Empty"


def _transitions(cells, laws):
    """A transitions table whose n* follow a known law per method (5% log-noise)."""
    rng = np.random.default_rng(0)
    rows = []
    for method, law in laws.items():
        for p, g, s in cells:
            n = law(s, g, p) * np.exp(0.05 * rng.standard_normal())
            rows.append({"method": method, "p": p, "group_size": g, "active_groups": s,
                         "sigma": 0.0, "design": "rademacher", "n_star": n,
                         "n_star_low": 0.9 * n, "n_star_high": 1.1 * n, "transition": "ok"})
    rows.append({**rows[0], "active_groups": 16, "n_star": np.nan, "transition": "above_grid"})
    return pd.DataFrame(rows)


def test_verdict_stage_names_the_generating_law(tmp_path):
    cells = [(p, g, s) for p in (128, 256, 512) for g in (1, 2, 4, 8) for s in (1, 2, 4, 8)
             if s * g <= p // 4]
    l1 = dict(zip(cells, cell_references(*zip(*cells))[0]))
    trans = _transitions(cells, {
        "entrywise": lambda s, g, p: 2.0 * s * g * np.log(np.e * p / (s * g)),
        "blockwise": lambda s, g, p: 3.0 * s**2 * g,
        "at_l1_limit": lambda s, g, p: l1[(p, g, s)],
    })
    path = tmp_path / "transitions.csv"
    trans.to_csv(path, index=False)
    laws, sections, out = tmp_path / "laws.csv", tmp_path / "v" / "laws.json", tmp_path / "verdict.md"
    verdict_laws_stage(CONFIG, str(path), str(laws), str(sections))
    verdict_stage(CONFIG, [str(sections)], str(out))

    text = out.read_text()
    assert text.startswith("# Verdict: study unit")
    assert text.splitlines()[2].startswith("Provenance: gsbench ")  # what made the numbers
    rows = {line.split(" | ")[0]: line for line in text.splitlines() if line.startswith("| ")}
    assert "| entry (A k log(e p/k)) |" in rows["| which law explains n* of entrywise"]
    assert "| incoh_grp (A s^2 g)" in rows["| which law explains n* of blockwise"]
    # n* equal to D_l1 (up to 5% noise): median ratio near 1, interval containing 1.
    ratio = rows["| median n*/D_ℓ1 of at_l1_limit"]
    assert "context: at the ℓ1 reference (interval contains 1)" in ratio
    # Numbers in the verdict are those of laws.csv.
    table = pd.read_csv(laws)
    a = table[(table["method"] == "blockwise") & (table["law"] == "incoh_grp")].iloc[0]
    assert f"{a['estimate']:.3g} [{a['low']:.3g}, {a['high']:.3g}]" in text
    assert abs(a["estimate"] - 3.0) < 0.2
    s2g = rows["| (b, c) of log n* = a + b log s + c log g for blockwise equals s²g (Theorem 3 reading)"]
    assert s2g.endswith("| consistent |")
    k_alone = rows["| (b, c) of log n* = a + b log s + c log g for blockwise equals k alone (n ∝ s g)"]
    assert k_alone.endswith("| rejected |")


def test_verdict_stage_without_transitions(tmp_path):
    trans = pd.DataFrame([{"method": "m", "p": 64, "group_size": 1, "active_groups": 1,
                           "n_star": np.nan, "transition": "above_grid"}])
    path = tmp_path / "t.csv"
    trans.to_csv(path, index=False)
    verdict_laws_stage(CONFIG, str(path), str(tmp_path / "laws.csv"), str(tmp_path / "s.json"))
    verdict_stage(CONFIG, [str(tmp_path / "s.json")], str(tmp_path / "verdict.md"))
    text = (tmp_path / "verdict.md").read_text()
    assert "| which law explains n* of m |" in text
    assert "no fit: too few cells with a transition" in text


@pytest.mark.parametrize("bad", [{"title": "x"}])
def test_read_sections_rejects_malformed(tmp_path, bad):
    (tmp_path / "s.json").write_text(f"[{{\"title\": \"{bad['title']}\"}}]")
    with pytest.raises(KeyError, match="findings"):
        read_sections(tmp_path / "s.json")


def test_aggregate_then_verdict_on_a_trials_table(tmp_path):
    """aggregate_stage adds the convex references to transitions.csv; the verdict stages
    then find a method that succeeds exactly above D_l1 at the l1 limit."""
    from gsbench.rules import aggregate_stage
    from gsbench.study import ROW_SCHEMA, write_table_atomic

    defaults = {"string": "", "int64": 0, "float64": 0.0, "bool": False}
    rows = []
    for p in (64, 128):
        for g in (1, 4):
            for s in (1, 2, 4):
                d_l1 = cell_references(p, g, s)[0].item()
                for n in (8, 12, 16, 24, 32, 48, 64, 96):
                    for trial in range(4):
                        ok = n * (1 + 0.1 * (trial - 1.5)) > d_l1
                        row = {c: defaults[t] for c, t in ROW_SCHEMA.items()}
                        row.update(method="at_l1", n=n, p=p, group_size=g, active_groups=s,
                                   design="rademacher", trial=trial, status="ok",
                                   cell_id=f"p{p}_g{g}_s{s}_n{n}",
                                   rel_error_oracle=0.0 if ok else 1.0)
                        rows.append(row)
    trials = pd.DataFrame(rows).astype(ROW_SCHEMA)
    write_table_atomic(trials, tmp_path / "trials.parquet")
    config = {**CONFIG, "success": {"metric": "rel_error_oracle", "threshold": 0.05}}
    paths = [str(tmp_path / f) for f in ("summary.csv", "transitions.csv", "scaling.csv")]
    aggregate_stage(config, str(tmp_path / "trials.parquet"), *paths)
    trans = pd.read_csv(paths[1])
    ok = trans[trans["transition"] == "ok"]
    assert len(ok) >= 6
    np.testing.assert_allclose(ok["ratio_l1"], ok["n_star"] / ok["n_ref_l1"])
    assert ok["ratio_l1"].between(0.7, 1.4).all()
    verdict_laws_stage(config, paths[1], str(tmp_path / "laws.csv"), str(tmp_path / "s.json"))
    verdict_stage(config, [str(tmp_path / "s.json")], str(tmp_path / "verdict.md"))
    text = (tmp_path / "verdict.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| median n*/D_ℓ1 of at_l1"))
    # n* lies between the last failing and the first succeeding grid n (steps <= 1.5x) above D_l1.
    med = float(row.split(" | ")[2].split(" ")[0])
    assert 1.0 <= med <= 1.5 and "below the ℓ1 reference" not in row
