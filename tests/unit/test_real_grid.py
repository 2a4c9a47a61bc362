"""Real designs as values of the study grid (`grid.design`): parsing and its errors, cells
that carry their design's unequal groups, seeds, fit keys, the convex references with
unequal groups, memory and cost estimates, and one tiny study end to end."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from gsbench.analysis.references import add_references, real_design_references
from gsbench.analysis.theory import cell_references, expected_group_references, group_references
from gsbench.designs import load
from gsbench.errors import ConfigError
from gsbench.problems import derive_seed
from gsbench.study import expand_cells, load_config
from gsbench.study.cells import Cell
from gsbench.study.cost_model import cells_cpu_seconds
from gsbench.study.fingerprint import fit_key
from gsbench.study.grid_designs import design_specs, grid_designs, parse_design, real_design
from gsbench.study.io import DESIGN_COLUMNS, with_design_columns
from gsbench.study.memory import cell_nbytes, data_nbytes
from gsbench.study.resources import job_resources

DIGITS = {"real": {"name": "digits", "orthonormalise": True}}


def real_config(*designs, **over) -> dict:
    config = {"study": "rg", "grid": {"design": list(designs) or [DIGITS], "active_groups": [1, 2],
                                      "n": [24, 64]},
              "trials": 2, "methods": {"dglnn2": {}, "group_lasso": {}},
              "problem": {"signal": "random_signs"}}
    config.update(over)
    return load_config(config)


@pytest.fixture(scope="module")
def digits():
    return load({"name": "digits", "orthonormalise": True})


@pytest.fixture(scope="module")
def npy_design(tmp_path_factory):
    """A user's 120 x 7 matrix in two groups of sizes 3 and 4."""
    path = tmp_path_factory.mktemp("file") / "X.npy"
    np.save(path, np.random.default_rng(3).standard_normal((120, 7)))
    return path


# --- the design axis -----------------------------------------------------------------------


def test_a_real_design_becomes_one_named_design_with_its_spec(digits):
    gd = parse_design(DIGITS, "grid.design[0]")
    assert gd.name == "real-digits"
    body = json.loads(gd.spec)
    assert body["data"]["name"] == "digits" and body["data"]["orthonormalise"] is True
    assert body["coherence_cap"] is None
    assert np.array_equal(real_design(gd.spec).sizes, digits.sizes)
    assert parse_design("rademacher", "k") == type(gd)("rademacher")
    capped = parse_design({**DIGITS, "coherence_cap": 0.7, "label": "dig7"}, "k")
    assert capped.name == "real-dig7" and json.loads(capped.spec)["coherence_cap"] == 0.7


def test_the_file_shorthand_is_the_file_data_spec(npy_design):
    gd = parse_design({"file": str(npy_design), "groups": {"sizes": [3, 4]}}, "grid.design[1]")
    assert gd.name == "real-X"
    assert json.loads(gd.spec)["data"]["path"] == str(npy_design)
    assert real_design(gd.spec).sizes.tolist() == [3, 4]


@pytest.mark.parametrize("entry, key, words", [
    ("real", "grid.design[0]", "a real design is a mapping"),
    ({"real": {"name": "digits"}, "file": "x.npy"}, "grid.design[0]", "exactly one of"),
    ({"real": {"name": "digits"}, "block": 2}, "grid.design[0]", "unknown key(s) ['block']"),
    ({"real": {"name": "mnist"}}, "grid.design[0].real", "data name must be one of"),
    ({"real": {"name": "digits", "blok": 2}}, "grid.design[0].real", "unknown option(s) ['blok']"),
    ({"file": "missing.npy", "groups": {"sizes": [2]}}, "grid.design[0]", "not found"),
    ({"real": {"name": "digits"}, "coherence_cap": -1}, "grid.design[0].coherence_cap", "> 0"),
    ({"real": {"name": "digits"}, "coherence_cap": 0.01}, "grid.design[0].coherence_cap",
     "no group of 'digits'"),
    ({"real": {"name": "digits"}, "label": "a b"}, "grid.design[0].label", "not allowed"),
    (3, "grid.design[0]", "is not of type 'string', 'object'"),
])
def test_a_bad_real_design_is_one_line_naming_its_key(entry, key, words):
    with pytest.raises(ConfigError) as info:
        real_config(entry)
    msg = str(info.value)
    assert f"config key '{key}'" in msg and words in msg and "\n" not in msg


def test_a_bad_file_group_spec_names_the_grid_item(npy_design):
    with pytest.raises(ConfigError, match=r"config key 'grid.design\[1\]': .*sum to 6, but the "
                                          r"file has 7 columns"):
        real_config(DIGITS, {"file": str(npy_design), "groups": {"sizes": [3, 3]}})


def test_two_real_designs_need_two_labels():
    with pytest.raises(ConfigError, match=r"grid.design\[1\].label.*'digits' names two different"):
        real_config(DIGITS, {"real": {"name": "digits"}})
    config = real_config(DIGITS, {"real": {"name": "digits"}, "label": "raw"})
    assert set(design_specs(config)) == {"real-digits", "real-raw"}


def test_p_and_group_size_are_needed_by_synthetic_designs_only():
    assert "p" not in real_config()["grid"]
    with pytest.raises(ConfigError, match=r"config key 'grid.p': needed by the synthetic design"):
        real_config(DIGITS, "rademacher")
    with pytest.raises(ConfigError, match=r"config key 'grid.design\[1\]': 'rademachr' is not one of"):
        load_config({"grid": {"p": [8], "group_size": [2], "design": [DIGITS, "rademachr"],
                              "active_groups": [1], "n": [8]}, "trials": 1, "methods": {"lasso": {}}})


# --- cells ------------------------------------------------------------------------------------


def test_real_cells_carry_the_designs_p_and_unequal_groups(digits):
    config = real_config(DIGITS, "rademacher", grid={
        "p": [64], "group_size": [4], "design": [DIGITS, "rademacher"], "active_groups": [1, 2],
        "n": [24, 64]})
    cells, skipped = expand_cells(config)
    real = [c for c in cells if c.is_real]
    synthetic = [c for c in cells if not c.is_real]
    assert len(real) == len(synthetic) == 4 and not skipped
    for cell in real:
        assert cell.design == "real-digits" and cell.p == digits.p == 61
        assert cell.group_size == 0  # sizes 3 and 4: no common size
        assert cell.sizes == tuple(digits.sizes.tolist()) and len(set(cell.sizes)) == 2
        assert json.loads(cell.group_sizes) == digits.sizes.tolist()
        assert "real-digits" in cell.cell_id
    assert all(c.sizes == (4,) * 16 and c.group_sizes == "" for c in synthetic)


def test_impossible_real_cells_are_skipped_with_the_reason():
    config = real_config({**DIGITS, "coherence_cap": 0.7}, grid={
        "design": [{**DIGITS, "coherence_cap": 0.7}], "active_groups": [1, 15], "n": [24, 1000]})
    cells, skipped = expand_cells(config)
    assert [(c.active_groups, c.n) for c in cells] == [(1, 24)]
    text = " ".join(skipped)
    assert "s=15 > 14 groups of 'digits' with coherence below 0.7" in text
    assert "n=1000 plus n_val=1000 rows exceed the 1797 rows of 'digits'" in text


def test_a_real_cells_problems_use_its_rows_and_groups_seeded_from_the_cell(digits):
    cell = next(c for c in expand_cells(real_config())[0] if c.active_groups == 2)
    config = real_config()
    params = cell.problem_params(config)
    assert params["design"] == "real" and params["group_size"] == digits.sizes.tolist()
    a, b, other = cell.problem(config, 0), cell.problem(config, 0), cell.problem(config, 1)
    assert a.X.shape == (cell.n, 61) and np.array_equal(a.groups, digits.groups)
    assert a.seed == derive_seed(params, 0) and other.seed == derive_seed(params, 1)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.w_star, b.w_star)
    assert not np.array_equal(a.X, other.X)
    assert len(a.active_groups) == 2
    # the rows are standardised data rows (norm^2 = n per column), not a random sign matrix
    assert np.allclose((a.X ** 2).sum(axis=0), cell.n)
    assert not np.isin(a.X, [-1.0, 1.0]).all()


def test_cell_from_row_restores_the_spec():
    config = real_config()
    cell = expand_cells(config)[0][0]
    row = {"p": cell.p, "group_size": 0, "active_groups": cell.active_groups, "n": cell.n,
           "sigma": 0.0, "design": cell.design}
    assert Cell.from_row(row, design_specs(config)) == cell
    assert Cell.from_row({**row, "design_spec": cell.design_spec}) == cell
    assert Cell.from_row(row, design_specs(config), n=7).n == 7
    del row["n"]  # a transitions row: no n, given as an override (the budget check's use)
    assert Cell.from_row(row, design_specs(config), n=cell.n) == cell


def test_the_fit_key_hashes_the_design_spec_and_its_groups():
    base = real_config()
    cell = expand_cells(base)[0][0]
    key = fit_key(base, "dglnn2", cell)
    assert fit_key(base, "dglnn2", cell) == key
    for other in ({"real": {"name": "digits"}},  # no orthonormalisation: other columns
                  {**DIGITS, "coherence_cap": 0.9},
                  {"real": {"name": "digits", "orthonormalise": True, "block": 4}}):
        config = real_config(other)
        twin = next(c for c in expand_cells(config)[0]
                    if (c.active_groups, c.n) == (cell.active_groups, cell.n))
        assert fit_key(config, "dglnn2", twin).problem != key.problem
    coarse = real_config({"real": {"name": "digits", "orthonormalise": True, "block": 4}})
    twin = expand_cells(coarse)[0][0]
    assert twin.sizes != cell.sizes  # 4 x 4 blocks: other groups, other key
    assert fit_key(coarse, "dglnn2", twin).problem != key.problem


def test_memory_and_cost_estimates_of_real_cells(digits):
    config = real_config()
    cells = expand_cells(config)[0]
    assert data_nbytes(cells[0]) == digits.Z.nbytes > 0
    synthetic = Cell(p=cells[0].p, group_size=1, active_groups=1, n=cells[0].n, sigma=0.0,
                     design="rademacher")
    assert cell_nbytes(cells[0], config) == cell_nbytes(synthetic, config) + digits.Z.nbytes
    cpu = cells_cpu_seconds(config, "dglnn2", cells)
    assert np.isfinite(cpu) and cpu > 0
    res = job_resources(config, "group_lasso", cells)
    assert res["mem_mb"] > 0 and res["runtime"] >= 2


# --- references with unequal groups -----------------------------------------------------------


def test_expected_references_are_the_mean_over_the_active_draws():
    sizes, eligible = [1, 3, 2, 3, 1, 4, 2], [0, 1, 2, 4, 5, 6]
    for s in (1, 2, 3):
        brute = np.mean([group_references(sizes, a) for a in itertools.combinations(eligible, s)],
                        axis=0)
        assert np.allclose(expected_group_references(sizes, eligible, s), brute, rtol=1e-12)
    equal = expected_group_references([4] * 16, range(16), 3)
    assert np.allclose(equal, [float(v) for v in cell_references(64, 4, 3)])
    with pytest.raises(ValueError, match="1 <= s <= 2 eligible"):
        expected_group_references([1, 2, 3], [0, 2], 3)


def test_add_references_uses_a_real_designs_groups(digits):
    spec = parse_design(DIGITS, "k").spec
    frame = pd.DataFrame({"method": ["a", "a"], "p": [61, 64], "group_size": [0, 4],
                          "active_groups": [2, 2], "n_star": [30.0, 30.0],
                          "design_spec": [spec, ""]})
    out = add_references(frame)
    expected = expected_group_references(digits.sizes, np.arange(digits.sizes.size), 2)
    assert np.allclose(out.loc[0, ["n_ref_l1", "n_ref_group"]].to_numpy(float), expected)
    assert np.allclose(real_design_references(spec, 2), expected)
    assert np.allclose(out.loc[1, ["n_ref_l1", "n_ref_group"]].to_numpy(float),
                       [float(v) for v in cell_references(64, 4, 2)])
    assert out.loc[0, "ratio_group"] == pytest.approx(30.0 / expected[1])


def test_design_columns_are_added_only_to_a_study_with_real_designs():
    config = real_config()
    trials = pd.DataFrame({"design": ["real-digits", "real-digits"]})
    out = with_design_columns(trials, config)
    assert list(out.columns) == ["design", *DESIGN_COLUMNS]
    assert json.loads(out["group_sizes"].iloc[0]) == real_design(out["design_spec"].iloc[0]).sizes.tolist()
    synthetic = load_config({"grid": {"p": [8], "group_size": [2], "active_groups": [1], "n": [8]},
                             "trials": 1, "methods": {"lasso": {}}})
    assert with_design_columns(trials, synthetic) is trials


def test_grid_designs_parse_every_item_in_order():
    names = [gd.name for gd in grid_designs(["gaussian", DIGITS, "rademacher"])]
    assert names == ["gaussian", "real-digits", "rademacher"]


# --- the ordinary study workflow on a real design ---------------------------------------------


def test_the_studys_stages_on_a_real_design_in_process(tmp_path, digits):
    """The stages the workflow's rules call, in one process: fits, trials (with the design
    columns), transitions with the unequal-group references, and the budget check, which
    refits cells rebuilt from transitions rows."""
    from gsbench.rules import (aggregate_stage, budget_stage, trials_stage, verdict_laws_stage,
                               verdict_stage)
    from gsbench.study.chunks import chunk_cells, run_chunk

    config = real_config(grid={"design": [DIGITS], "active_groups": [1], "n": [8, 256]},
                         methods={"dglnn2": {}})
    files = []
    for label, chunks in chunk_cells(config).items():
        for chunk_id in chunks:
            files.append(tmp_path / f"{label}-{chunk_id}.parquet")
            run_chunk(config, label, chunk_id, files[-1])
    out = {name: str(tmp_path / name) for name in
           ("trials.parquet", "summary.csv", "transitions.csv", "scaling.csv", "budget.csv")}
    trials_stage(config, [str(f) for f in files], out["trials.parquet"])
    aggregate_stage(config, out["trials.parquet"], out["summary.csv"], out["transitions.csv"],
                    out["scaling.csv"])
    trans = pd.read_csv(out["transitions.csv"])
    assert trans["transition"].isin(["ok", "above_grid"]).all()  # n = 8 fails: a budget cell
    assert np.allclose(trans[["n_ref_l1", "n_ref_group"]].to_numpy(float),
                       expected_group_references(digits.sizes, np.arange(16), 1))
    budget_stage(config, out["trials.parquet"], out["transitions.csv"], out["budget.csv"])
    budget = pd.read_csv(out["budget.csv"])
    assert len(budget) and set(budget["design"]) == {"real-digits"}
    sections = tmp_path / "laws.json"
    verdict_laws_stage(config, out["transitions.csv"], str(tmp_path / "laws.csv"), str(sections),
                       out["trials.parquet"], out["budget.csv"])
    verdict_stage(config, [str(sections)], str(tmp_path / "verdict.md"), out["trials.parquet"])
    assert "real-digits (16 groups of sizes 3–4, p = 61)" in (tmp_path / "verdict.md").read_text()
