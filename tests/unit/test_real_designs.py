"""Real design matrices (gsbench.designs): drawing, curation, the user's file, make_problem's
design="real", and the unequal-group convex references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gsbench.analysis.theory import cell_references, group_references, statdim_group
from gsbench.designs import RealDesign, curate, load, standardise
from gsbench.designs.datasets import check_spec
from gsbench.problems import ProblemError, make_problem


def _file_design(tmp_path, n_rows=40):
    """A CSV design whose column x0 is the row index (so drawn rows can be identified),
    with groups given as non-adjacent labels."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.standard_normal((n_rows, 6)), columns=[f"x{j}" for j in range(6)])
    frame["x0"] = np.arange(n_rows, dtype=float)
    path = tmp_path / "X.csv"
    frame.to_csv(path, index=False)
    return {"name": "file", "path": str(path), "groups": {"labels": ["a", "b", "a", "c", "b", "c"]}}, frame


def test_rows_are_drawn_without_replacement_and_disjoint(tmp_path):
    spec, frame = _file_design(tmp_path)
    design = load(spec)
    X, X_val = design.draw(np.random.default_rng(1), 25, 15)  # all 40 rows
    col = np.flatnonzero(np.array(design.group_names)[design.groups] == "a")[0]  # x0 (first of a)
    rows = np.concatenate([X[:, col], X_val[:, col]])
    # x0 is the row index, mapped by one increasing affine map: 40 distinct rows, all of them
    assert np.unique(np.round(rows, 10)).size == 40
    with pytest.raises(ProblemError, match=r"'file .*X.csv' has 40 rows; n=30 .* need 60"):
        design.draw(np.random.default_rng(1), 30, 30)


def test_standardised_on_the_drawn_rows_and_validation_by_the_same_map():
    rng = np.random.default_rng(2)
    Z = rng.standard_normal((30, 4)) * [1, 5, 0.1, 3] + [0, 10, -2, 7]
    X, X_val = standardise(Z[:20], Z[20:])
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose((X**2).sum(axis=0), 20)
    mean, sd = Z[:20].mean(axis=0), Z[:20].std(axis=0)
    np.testing.assert_allclose(X_val, (Z[20:] - mean) / sd)
    Zc = Z.copy()
    Zc[:20, 1] = 3.0  # constant on the drawn rows: zero in both
    X, X_val = standardise(Zc[:20], Zc[20:])
    assert not X[:, 1].any() and not X_val[:, 1].any()


def test_groups_are_gathered_intact_with_their_columns(tmp_path):
    spec, frame = _file_design(tmp_path)
    design = load(spec)
    assert design.group_names == ("a", "b", "c")
    np.testing.assert_array_equal(design.groups, [0, 0, 1, 1, 2, 2])
    # the columns of each group are the labelled ones, in file order
    np.testing.assert_allclose(design.Z, frame[["x0", "x2", "x1", "x4", "x3", "x5"]].to_numpy())


def test_real_problem_is_reproducible_from_the_seed_and_keeps_the_groups(tmp_path):
    spec, _ = _file_design(tmp_path)
    a = make_problem(12, None, None, 2, design="real", data=spec, seed=5, n_val=10)
    b = make_problem(12, None, None, 2, design="real", data=spec, seed=5, n_val=10)
    c = make_problem(12, None, None, 2, design="real", data=spec, seed=6, n_val=10)
    for field in ("X", "y", "w_star", "X_val", "y_val"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X, c.X)
    np.testing.assert_array_equal(a.groups, [0, 0, 1, 1, 2, 2])
    assert a.active_groups.size == 2
    with pytest.raises(ProblemError, match="must be the data set"):
        make_problem(12, 6, 3, 1, design="real", data=spec, seed=0)
    with pytest.raises(ProblemError, match="apply to design 'real' only"):
        make_problem(12, 6, 2, 1, data=spec, seed=0)


def test_coherence_cap_plants_the_signal_on_incoherent_groups_only():
    rng = np.random.default_rng(3)
    base = rng.standard_normal((200, 6))
    Z = np.column_stack([base, base[:, 0] + 0.1 * rng.standard_normal(200)])  # col 6 ~ col 0
    design = RealDesign("toy", Z, np.array([0, 0, 1, 1, 2, 2, 3]), ("a", "b", "c", "d"))
    assert design.coherence[0] > 0.9 and design.coherence[3] > 0.9
    np.testing.assert_array_equal(design.eligible_groups(0.5), [1, 2])
    assert design.eligible_groups(None).size == 4


def test_snr_sets_sigma_from_the_signal():
    pr = make_problem(50, 20, 4, 2, snr=4.0, seed=1)
    sigma = pr.spec["sigma_drawn"]
    assert np.linalg.norm(pr.X @ pr.w_star) ** 2 / (50 * sigma**2) == pytest.approx(4.0)
    with pytest.raises(ProblemError, match="snr must be positive and sigma 0"):
        make_problem(50, 20, 4, 2, snr=4.0, sigma=1.0)


def test_curation_removes_constant_and_duplicate_columns_and_orthonormalises():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((50, 3))
    Z = np.column_stack([a, np.ones(50), -2 * a[:, 0] + 1, a[:, 1] + a[:, 2]])
    labels = ["g", "g", "g", "h", "h", "g"]
    Zc, groups, names, notes = curate(Z, labels, list("abcdef"))
    assert names == ("g",) and Zc.shape[1] == 4  # d constant, e duplicate of a
    assert any("constant column(s): d" in s for s in notes)
    assert any("duplicate column(s)" in s and "e" in s for s in notes)
    Zo, groups, _, notes = curate(Z, labels, list("abcdef"), orthonormalise=True)
    assert Zo.shape[1] == 3  # f = b + c is rank-deficient
    np.testing.assert_allclose(Zo.T @ Zo / 50, np.eye(3), atol=1e-10)
    assert "1 rank-deficient direction(s) dropped" in notes[-1]


def test_bundled_data_sets_load_with_unequal_groups():
    digits = load({"name": "digits"})
    assert digits.Z.shape == (1797, 61) and digits.sizes.size == 16
    assert sorted(set(digits.sizes.tolist())) == [3, 4]
    assert "removed 3 constant column(s)" in digits.notes[0]
    ames = load({"name": "ames"})
    assert ames.n_rows == 2930 and ames.sizes.size > 40 and ames.sizes.max() > ames.sizes.min()
    assert np.isfinite(ames.Z).all()


@pytest.mark.parametrize("spec, message", [
    ({"name": "nope"}, "data name must be one of"),
    ({"name": "digits", "blocks": 2}, r"unknown option\(s\) \['blocks'\]"),
    ("digits", "a real design needs data"),
])
def test_bad_specs(spec, message):
    with pytest.raises(ProblemError, match=message):
        check_spec(spec)


def _write(tmp_path, name, frame=None, array=None):
    path = tmp_path / name
    if array is not None:
        np.save(path, array)
    elif name.endswith(".parquet"):
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    return str(path)


GOOD = pd.DataFrame({"u": [1.0, 2, 3, 4], "v": [0.0, 1, 0, 2], "w": [5.0, 1, 2, 2]})


@pytest.mark.parametrize("case, message", [
    ("no path", "needs path"),
    ("missing", "X.csv: not found"),
    ("suffix", "suffix must be .parquet, .csv or .npy, got '.txt'"),
    ("no groups", "needs groups"),
    ("non-numeric", r"non-numeric column\(s\) \['name'\]"),
    ("nan", r"1 NaN or infinite entries \(first at row 2, column 'v'\)"),
    ("npy 1-d", r"needs a 2-d array .* shape \(4,\)"),
    ("one row", r"at least 2 rows and 1 column, got shape \(1, 3\)"),
    ("sizes sum", "groups.sizes sum to 4, but the file has 3 columns"),
    ("sizes type", "groups.sizes must be a list of positive integers"),
    ("labels length", r"groups.labels needs one label per column \(3\), got 2"),
    ("two forms", "groups must be one of"),
    ("labels file column", "no column 'grp'"),
    ("labels file length", "needs 3 labels"),
])
def test_file_design_errors_case_by_case(tmp_path, case, message):
    spec = {"name": "file", "path": _write(tmp_path, "X.csv", GOOD), "groups": {"sizes": [2, 1]}}
    if case == "no path":
        del spec["path"]
    elif case == "missing":
        spec["path"] = str(tmp_path / "nothing" / "X.csv")
    elif case == "suffix":
        spec["path"] = str(tmp_path / "X.txt")
    elif case == "no groups":
        del spec["groups"]
    elif case == "non-numeric":
        spec["path"] = _write(tmp_path, "Y.parquet", GOOD.assign(name=list("abcd")))
    elif case == "nan":
        spec["path"] = _write(tmp_path, "Y.csv", GOOD.assign(v=[0.0, 1, np.nan, 2]))
    elif case == "npy 1-d":
        spec["path"] = _write(tmp_path, "Y.npy", array=np.arange(4.0))
    elif case == "one row":
        spec["path"] = _write(tmp_path, "Y.csv", GOOD.iloc[:1])
    elif case == "sizes sum":
        spec["groups"] = {"sizes": [2, 2]}
    elif case == "sizes type":
        spec["groups"] = {"sizes": [2, 0.5]}
    elif case == "labels length":
        spec["groups"] = {"labels": ["a", "b"]}
    elif case == "two forms":
        spec["groups"] = {"sizes": [3], "labels": ["a", "a", "a"]}
    elif case == "labels file column":
        spec["groups"] = {"labels_file": _write(tmp_path, "g.csv", pd.DataFrame({"g": [1, 1, 2]})),
                          "column": "grp"}
    elif case == "labels file length":
        spec["groups"] = {"labels_file": _write(tmp_path, "g.csv", pd.DataFrame({"g": [1, 2]})),
                          "column": "g"}
    with pytest.raises(ProblemError, match=message):
        load(spec)


def test_file_design_accepts_npy_parquet_and_a_labels_file(tmp_path):
    labels = _write(tmp_path, "g.csv", pd.DataFrame({"g": ["x", "y", "x"]}))
    for path in (_write(tmp_path, "X.npy", array=GOOD.to_numpy()), _write(tmp_path, "X.parquet", GOOD)):
        d = load({"name": "file", "path": path, "groups": {"labels_file": labels, "column": "g"}})
        np.testing.assert_array_equal(d.sizes, [2, 1])
        np.testing.assert_allclose(d.Z, GOOD.to_numpy()[:, [0, 2, 1]])


def test_unequal_group_references_reduce_to_the_equal_size_formula():
    for p, g, s in [(64, 4, 3), (60, 5, 1), (32, 1, 4)]:
        l1, grp = group_references([g] * (p // g), list(range(s)))
        ref_l1, ref_grp = cell_references(p, g, s)
        assert l1 == pytest.approx(float(ref_l1)) and grp == pytest.approx(float(ref_grp))
    sizes = [1, 3, 8, 2, 8, 4]
    l1, grp = group_references(sizes, [1, 4])
    assert grp == pytest.approx(statdim_group([3, 8], [1, 8, 2, 4]))
    assert l1 == pytest.approx(float(cell_references(26, 1, 11)[0]))  # k = 3 + 8 entries of 26
    with pytest.raises(ValueError, match="distinct group indices below 6"):
        group_references(sizes, [1, 6])
