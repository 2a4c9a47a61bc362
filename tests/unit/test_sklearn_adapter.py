"""Any scikit-learn regressor as a path method: fitting, selection, group passing, errors."""

import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Lasso

from gsbench.methods import MethodError, make_method
from gsbench.problems import make_problem
from gsbench.runner import fit_problems
from gsbench.study import ConfigError, load_config, method_specs

OMP = "sklearn.linear_model.OrthogonalMatchingPursuit"


class GroupRecorder(RegressorMixin, BaseEstimator):
    """Least squares on the first ``groups`` columns; records what it was given."""

    seen: list = []

    def __init__(self, groups=None, scale=1.0):
        self.groups = groups
        self.scale = scale

    def fit(self, X, y):
        GroupRecorder.seen.append(self.groups)
        self.coef_ = np.zeros(X.shape[1])
        self.coef_[:4] = self.scale * np.linalg.lstsq(X[:, :4], y, rcond=None)[0]
        return self


def test_sklearn_omp_over_a_path_recovers_with_validation_selection():
    prs = [make_problem(48, 128, 1, 6, seed=i) for i in range(2)]
    params = {"estimator": OMP, "path": {"n_nonzero_coefs": [2, 4, 6, 8]}}
    rows, results = fit_problems("sklearn", prs, params)
    for row, res in zip(rows, results):
        assert row["status"] == "ok", row["message"]
        assert res.iterations == 4
        assert res.stop_iteration == 2 and res.oracle_iteration == 2  # 6 non-zeros
        assert row["rel_error_validation"] < 1e-10
        assert res.path["oracle_error"][0] > 0.1
        assert row["converged"] and json.loads(row["resolved"]) == {}


def test_sklearn_lasso_path_equals_separate_lasso_fits():
    """Path value k is Lasso(alpha_k) fitted without intercept (the adapter's default)."""
    pr = make_problem(40, 60, 1, 3, sigma=0.1, seed=3)
    alphas = [0.3, 0.1, 0.03]
    est = make_method("sklearn", {"estimator": "sklearn.linear_model.Lasso",
                                  "params": {"tol": 1e-10}, "path": {"alpha": alphas}})
    from gsbench.methods._base import GroupOps, group_structure

    coefs, _ = est._path(pr.X, pr.y, GroupOps(*group_structure(1, 60)))
    for w, a in zip(coefs, alphas):
        ref = Lasso(alpha=a, fit_intercept=False, tol=1e-10).fit(pr.X, pr.y).coef_
        np.testing.assert_allclose(w, ref, atol=1e-8)
    res = est.fit_batch(pr.X, pr.y, pr.X_val, pr.y_val, pr.w_star)[0]
    np.testing.assert_array_equal(res.coef_validation, coefs[res.stop_iteration])
    np.testing.assert_array_equal(res.coef_final, coefs[-1])


def test_groups_are_passed_as_size_or_index_lists():
    GroupRecorder.seen.clear()
    path = f"{__name__}.GroupRecorder"
    for sizes in (4, [4, 2, 2]):
        pr = make_problem(20, 8, sizes, 1, seed=0)
        fit_problems("sklearn", [pr], {"estimator": path, "path": {"scale": [1.0]}})
    # (before them, validation's probe fit may have recorded its own groups: once per config)
    assert GroupRecorder.seen[-2:] == [4, [[0, 1, 2, 3], [4, 5], [6, 7]]]


@pytest.mark.parametrize("params, pattern", [
    ({"estimator": "sklearn.linear_model.NoSuchModel", "path": {"alpha": [1.0]}},
     r"module 'sklearn.linear_model' has no class 'NoSuchModel'"),
    ({"estimator": "nosuchpackage.Model", "path": {"alpha": [1.0]}},
     r"no installed package or configured plugin provides module 'nosuchpackage'"),
    ({"estimator": "Lasso", "path": {"alpha": [1.0]}}, r"'Lasso' is not a dotted class path"),
    ({"estimator": OMP, "path": {"n_nonzero": [2]}},
     r"'sklearn.linear_model.OrthogonalMatchingPursuit' has no parameter 'n_nonzero'"),
    ({"estimator": OMP, "params": {"tolerance": 1.0}, "path": {"n_nonzero_coefs": [2]}},
     r"has no parameter 'tolerance'"),
    ({"estimator": "sklearn.linear_model.Lasso", "path": {"alpha": [1.0, -1.0]}},
     r"'alpha' parameter of Lasso must be a float in the range \[0.0, inf\)"),
    ({"estimator": "sklearn.linear_model.Lasso", "path": {"alpha": [1.0], "tol": [1, 2]}},
     r"path lists must have one length"),
    ({"estimator": None, "path": {"alpha": [1.0]}},
     r"estimator \(a dotted class path\) is required"),
])  # fmt: skip
def test_bad_estimator_or_parameter_names_it(params, pattern):
    with pytest.raises(MethodError, match=pattern):
        make_method("sklearn", params)


def test_default_is_one_lasso_cv_fit():
    pr = make_problem(60, 40, 1, 3, sigma=0.05, seed=4)
    (row,), (res,) = fit_problems("sklearn", [pr])
    assert res.iterations == 1 and row["status"] == "ok"
    assert row["rel_error_final"] < 0.05


def test_config_estimator_entry_is_the_sklearn_adapter(tmp_path):
    base = {"grid": {"p": [32], "group_size": [4], "active_groups": [1], "n": [16],
                     "sigma": [0.0], "design": ["rademacher"]}, "trials": 1}  # fmt: skip
    cfg = load_config({**base, "methods": {
        "omp_sklearn": {"estimator": OMP, "path": {"n_nonzero_coefs": [2, 4]}}}})
    assert method_specs(cfg)["omp_sklearn"] == (
        "sklearn", None, {"estimator": OMP, "path": {"n_nonzero_coefs": [2, 4]}})
    with pytest.raises(ConfigError, match=r"methods.bad.*has no class 'Nope'"):
        load_config({**base, "methods": {"bad": {"estimator": "sklearn.linear_model.Nope",
                                                 "path": {"alpha": [1.0]}}}})
    with pytest.raises(ConfigError, match=r"methods.bad2.*has no parameter 'alpah'"):
        load_config({**base, "methods": {"bad2": {"estimator": "sklearn.linear_model.Lasso",
                                                  "path": {"alpah": [1.0]}}}})


@pytest.mark.slow  # skglm's solvers are compiled (numba) on first use
def test_skglm_group_lasso_through_the_adapter_matches_group_lasso():
    try:
        import skglm  # noqa: F401
    except ImportError:
        pytest.skip("skglm is not installed (optional): pip install skglm")
    from gsbench.methods._base import GroupOps, group_structure
    from gsbench.methods.group_lasso import fista_path

    pr = make_problem(40, 64, 4, 2, sigma=0.1, seed=1)
    ops = GroupOps(*group_structure(4, 64))
    lambdas = [0.3, 0.1]
    # skglm's default weights are 1, ours sqrt(p_l) = 2: alpha = 2 lambda
    est = make_method("sklearn", {"estimator": "skglm.GroupLasso", "params": {"tol": 1e-10},
                                  "path": {"alpha": [2 * lam for lam in lambdas]}}, groups=4)
    coefs, _ = est._path(pr.X, pr.y, ops)
    ref, _, converged = fista_path(pr.X, pr.y, np.array(lambdas), ops, tol=1e-11,
                                   max_iter=100000)
    assert converged.all()
    np.testing.assert_allclose(coefs, ref, atol=1e-6)
