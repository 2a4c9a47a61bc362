"""Hyperparameter sweeps fitted together (gsbench.methods.fit_sweep): the same results as K
separate fits, per-element divergence and budgets, the shared design's products, the refused
parameter mixes, and the claims' use of it."""

import numpy as np
import pytest

from gsbench.methods import REGISTRY, IterativeRegressor, fit_sweep, make_method
from gsbench.methods import _design
from gsbench.methods._design import SharedDesign, matvec, rmatvec
from gsbench.problems import make_problem, stack_problems
from gsbench.runner import fit_problems, fit_problems_sweep

RTOL = 1e-10


@pytest.fixture(scope="module")
def problems():
    return [make_problem(40, 80, 4, 3, sigma=0.2, seed=s) for s in range(3)]


def assert_same_fit(a, b):
    """A result of the sweep against the same setting fitted alone."""
    assert a.status == b.status and a.message == b.message
    assert (a.iterations, a.oracle_iteration, a.stop_iteration, a.converged) == (
        b.iterations, b.oracle_iteration, b.stop_iteration, b.converged)
    for name in ("coef_oracle", "coef_validation", "coef_final"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=RTOL,
                                   atol=RTOL * np.nanmax(np.abs(getattr(b, name)), initial=0))
    assert a.resolved.keys() == b.resolved.keys()
    for key in b.resolved:
        assert a.resolved[key] == pytest.approx(b.resolved[key], rel=1e-14)
    assert a.extra == b.extra
    for key in ("iteration", "oracle_error", "val_loss"):
        np.testing.assert_allclose(a.path[key], b.path[key], rtol=RTOL)


CASES = {
    # method, parameters common to all settings, the settings (None: data-derived default)
    "hadamard": ("hadamard", {"max_iter": 1500, "patience": 100},
                 [{"alpha": a, "step": s} for a in (1e-3, 1e-6, None) for s in (None, 0.05)]),
    "hadamard_depth": ("hadamard_depth", {"max_iter": 1500, "patience": 100},
                       [{"depth": d, "alpha": a} for d in (3, 2, 4) for a in (0.1, 0.03, None)]),
    # 200 iterations: once a group's gradient is down to rounding level, Algorithm 1's
    # direction step g_l / u_l^2 turns its direction at random, so later iterates differ
    # from a separate fit as much as a fit of y perturbed by one ulp does (1e-2 by t = 300)
    "dglnn2": ("dglnn2", {"patience": 30},
               [{"alpha": a, "eta": e, "tau": t, "max_iter": m} for a in (1e-4, None)
                for e in (None, 0.3) for t in (None, 1e-3) for m in (150, 200)]),
    "dglnn_gd": ("dglnn_gd", {"patience": 100},
                 [{"alpha": a, "step": s, "max_iter": m} for a in (0.1, None) for s in (None, 0.5)
                  for m in (600, 1500)]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_sweep_equals_separate_fits(case, problems):
    name, common, settings = CASES[case]
    arrays = stack_problems(problems)
    swept = fit_sweep(name, [{**common, **s} for s in settings], *arrays, groups=4)
    assert len(swept) == len(settings) and all(len(r) == len(problems) for r in swept)
    ended = set()
    for setting, results in zip(settings, swept):
        alone = make_method(name, {**common, **setting}, groups=4).fit_batch(*arrays)
        for a, b in zip(results, alone):
            assert_same_fit(a, b)
            ended.add(a.iterations)
    assert len(ended) > 1  # elements ended at different iterations (early termination, budgets)


def test_sweep_of_budgets_runs_each_setting_for_its_own_max_iter(problems):
    arrays = stack_problems(problems)
    settings = [{"depth": d, "alpha": 0.05, "max_iter": m, "patience": 10**9}
                for d, m in ((2, 300), (3, 700), (3, 1000))]
    swept = fit_sweep("hadamard_depth", settings, *arrays, groups=4)
    for setting, results in zip(settings, swept):
        alone = make_method("hadamard_depth", setting, groups=4).fit_batch(*arrays)
        for a, b in zip(results, alone):
            assert a.iterations == setting["max_iter"]
            assert_same_fit(a, b)


def test_a_diverging_setting_is_recorded_and_leaves_the_others_unchanged(problems):
    arrays = stack_problems(problems)
    settings = [{"step": None}, {"step": 50.0}, {"step": 0.01}]
    swept = fit_sweep("hadamard", settings, *arrays, groups=4, preset=None)
    assert all(r.status == "diverged" for r in swept[1])
    assert "training loss reached" in swept[1][0].message
    for setting, results in zip(settings, swept):
        alone = make_method("hadamard", setting, groups=4).fit_batch(*arrays)
        for a, b in zip(results, alone):
            assert_same_fit(a, b)
    assert all(r.status == "ok" for k in (0, 2) for r in swept[k])


def test_a_single_problem_and_a_single_setting(problems):
    X, y, Xv, yv, ws = stack_problems(problems[:1])
    (res,), = fit_sweep("hadamard", [{"max_iter": 400}], X[0], y[0], Xv[0], yv[0], ws[0])
    alone = make_method("hadamard", {"max_iter": 400}).fit(X[0], y[0], X_val=Xv[0], y_val=yv[0],
                                                           w_star=ws[0])
    assert_same_fit(res, alone.result_)


@pytest.mark.parametrize("method, settings, match", [
    ("dglnn2", [{"update": "sequential"}, {"update": "simultaneous"}],
     r"settings differ in 'update' \('sequential', 'simultaneous'\), which cannot vary"),
    ("hadamard", [{"positive": False}, {"positive": True}], r"settings differ in 'positive'"),
    ("dglnn1", [{"v_step": "u4"}, {"v_step": "u2"}], r"settings differ in 'v_step'"),
    ("hadamard", [{"stride": 10}, {"stride": 20}], r"settings differ in 'stride'"),
    ("hadamard", [{"max_iter": 100}, {"max_iter": 200}],
     r"differ in 'max_iter' \(100, 200\) with patience=None"),
    ("hadamard", [{"max_iter": 105, "patience": 50}, {"max_iter": 200, "patience": 50}],
     r"multiple of stride=10 \(105 is not\)"),
    ("hadamard", [{"alpha": 1e-3}, {"alpha": -1.0}],
     r"setting 1 \{'alpha': -1.0\} of 'hadamard'.*alpha"),
    ("hadamard", [{"alpha": 1e-3}, {"depth_typo": 3}], r"setting 1 .*depth_typo"),
    ("group_lasso", [{}, {}], r"method 'group_lasso' is not iterative"),
    ("hadamard", [], r"non-empty list"),
])  # fmt: skip
def test_refused_parameter_mixes_name_the_parameter(method, settings, match, problems):
    with pytest.raises(ValueError, match=match):
        fit_sweep(method, settings, *stack_problems(problems), groups=4)


def test_shared_design_products_and_retirement_without_copies():
    rng = np.random.default_rng(0)
    T, K, n, p = 3, 4, 7, 11
    data = rng.standard_normal((T, n, p))
    design = SharedDesign.tiled(data, K)
    w, r = rng.standard_normal((K * T, p)), rng.standard_normal((K * T, n))
    stacked = data[np.tile(np.arange(T), K)]  # the same designs as a plain (B, n, p) stack
    np.testing.assert_allclose(matvec(design, w), matvec(stacked, w), rtol=1e-12)
    np.testing.assert_allclose(rmatvec(design, r), rmatvec(stacked, r), rtol=1e-12)
    for keep in (np.arange(K * T) >= T,  # a whole setting retired: still one (K-1, T) block
                 np.array([True, False, True] * K)):  # every setting lost problem 1
        part = design[keep]
        assert part.data is data and part.shape == (keep.sum(), n, p)
        assert part.data_t is design.data_t  # the transposes are copied once, shared
        np.testing.assert_allclose(matvec(part, w[keep]), matvec(stacked[keep], w[keep]),
                                   rtol=1e-12)
        np.testing.assert_allclose(rmatvec(part, r[keep]), rmatvec(stacked[keep], r[keep]),
                                   rtol=1e-12)
    odd = design[rng.permutation(K * T)[:5]]  # not sorted: any owner order works
    np.testing.assert_allclose(matvec(odd, w[:5]), matvec(data[odd.owner], w[:5]), rtol=1e-12)


def test_runner_sweep_rows_equal_fit_problems_and_group_incompatible_settings(problems):
    settings = [{"alpha": 1e-3, "max_iter": 300}, {"positive": True, "max_iter": 300},
                {"alpha": 1e-5, "max_iter": 300}, {"max_iter": 200}]
    out = fit_problems_sweep("hadamard", problems, settings, threshold=0.1)
    for setting, (rows, results) in zip(settings, out):
        ref_rows, ref_results = fit_problems("hadamard", problems, setting, threshold=0.1)
        for row, ref in zip(rows, ref_rows):
            assert row["params"] == ref["params"] and row["status"] == ref["status"]
            assert row["iterations"] == ref["iterations"] == setting["max_iter"]
            assert row["rel_error_oracle"] == pytest.approx(ref["rel_error_oracle"], rel=RTOL)
    # path methods are fitted one setting at a time, with the same rows
    gl = fit_problems_sweep("group_lasso", problems, [{"n_lambdas": 5}, {"n_lambdas": 8}])
    assert [len(res.path["iteration"]) for res in gl[1][1]] == [8, 8, 8]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_shared_design_of_one_problem_equals_the_stacked_products(dtype):
    # T = 1 (a sweep on one problem) takes 2-D products with the stored transpose
    rng = np.random.default_rng(1)
    K, n, p = 5, 7, 11
    data = rng.standard_normal((1, n, p))
    design = SharedDesign.tiled(data, K).astype(dtype)
    w, r = rng.standard_normal((K, p)).astype(dtype), rng.standard_normal((K, n)).astype(dtype)
    stacked = np.repeat(data, K, axis=0).astype(dtype)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    for part, keep in ((design, slice(None)), (design[1:], slice(1, None))):
        out = matvec(part, w[keep])
        assert out.dtype == dtype and out.flags.c_contiguous
        np.testing.assert_allclose(out, matvec(stacked[keep], w[keep]), rtol=rtol)
        np.testing.assert_allclose(rmatvec(part, r[keep]), rmatvec(stacked[keep], r[keep]),
                                   rtol=rtol)
    assert design.dtype == design.data_t.dtype == dtype and design.data_t.flags.c_contiguous


def test_large_shared_design_is_not_copied(monkeypatch):
    # above TRANSPOSE_MAX_ELEMENTS the products read X^T as a view of X: no second copy
    monkeypatch.setattr(_design, "TRANSPOSE_MAX_ELEMENTS", 10)
    rng = np.random.default_rng(2)
    K, n, p = 3, 4, 6
    data = rng.standard_normal((1, n, p))
    design = SharedDesign.tiled(data, K)
    w, r = rng.standard_normal((K, p)), rng.standard_normal((K, n))
    stacked = np.repeat(data, K, axis=0)
    np.testing.assert_allclose(matvec(design, w), matvec(stacked, w), rtol=1e-12)
    np.testing.assert_allclose(rmatvec(design, r), rmatvec(stacked, r), rtol=1e-12)
    assert np.shares_memory(design.data_t, data) and design[1:].data_t is design.data_t
    single = design.astype(np.float32)
    np.testing.assert_allclose(matvec(single, w.astype(np.float32)), matvec(stacked, w),
                               rtol=1e-5)
    assert np.shares_memory(single.data_t, single.data)


@pytest.mark.parametrize("name", sorted(n for n, c in REGISTRY.items() if issubclass(c, IterativeRegressor)))
def test_a_batch_fitted_in_chunks_equals_the_whole_batch(name, monkeypatch):
    # fit_batch advances a large batch in chunks of designs that stay in cache
    # (_iterative.CHUNK_BYTES): every problem's arithmetic is its own, so chunks of one,
    # two or all problems give the same results, bit for bit.
    import gsbench.methods._iterative as loop

    problems = [make_problem(40, 64, 4, 2, sigma=0.1, n_val=40, seed=s) for s in range(5)]
    X, y, Xv, yv, ws = stack_problems(problems)
    runs = []
    for budget in (1 << 40, 2 * X[0].nbytes, 1):  # whole batch, chunks of 2 (2, 2, 1), of 1
        monkeypatch.setattr(loop, "CHUNK_BYTES", budget)
        runs.append(make_method(name, {"max_iter": 300}, groups=4).fit_batch(X, y, Xv, yv, ws))
    whole = runs[0]
    for chunked in runs[1:]:
        assert len(chunked) == len(whole) == 5
        for a, b in zip(whole, chunked):
            for key in ("coef_oracle", "coef_validation", "coef_final"):
                assert np.array_equal(getattr(a, key), getattr(b, key)), key
            assert (a.iterations, a.stop_iteration, a.status) == (b.iterations, b.stop_iteration, b.status)
            assert np.array_equal(a.path["oracle_error"], b.path["oracle_error"])
