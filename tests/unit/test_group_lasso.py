"""Group lasso: optimality conditions and agreement of the two backends."""

import warnings

import numpy as np
import pytest

from gsbench.methods import make_method
from gsbench.methods._base import GroupOps, group_structure
from gsbench.methods.group_lasso import kkt_violation, lambda_max
from gsbench.problems import make_problem


def objective(X, y, w, lam, ops):
    return np.sum((y - X @ w) ** 2) / (2 * len(y)) + lam * np.sum(
        np.sqrt(ops.sizes) * ops.norm(w[None])[0]
    )


@pytest.fixture(scope="module")
def problem():
    """20 groups of unequal sizes (4 and 2), 3 active; n > p keeps the package's FISTA
    (a Python loop over groups) to a few seconds at tol 1e-8."""
    pr = make_problem(80, 60, [4] * 10 + [2] * 10, 3, sigma=0.5, seed=0)
    return pr, GroupOps(*group_structure(pr.group_sizes, pr.p))


#: backend -> its tol here and the KKT bound (relative to lambda_max) it must meet.
BACKENDS = {"numpy": (1e-10, 1e-8), "group-lasso": (1e-8, 1e-5)}


@pytest.fixture(scope="module")
def paths(problem):
    """Each backend's path of 6 lambdas, fitted once for the tests below."""
    pr, ops = problem
    out = {}
    for backend, (tol, _) in BACKENDS.items():
        est = make_method("group_lasso", {"backend": backend, "tol": tol, "n_lambdas": 6,
                                          "max_iter": 50000}, groups=pr.group_sizes.tolist())
        coefs, resolved = est._path(pr.X, pr.y, ops)
        out[backend] = (est.lambdas(pr.X, pr.y, ops), coefs, resolved)
    return out


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_path_satisfies_kkt_conditions(problem, paths, backend):
    """Every path value is optimal: KKT violation <= bound * lambda_max (measured: numpy
    <= 1e-10, group-lasso package <= 5e-7 at tol 1e-8)."""
    pr, ops = problem
    lambdas, coefs, resolved = paths[backend]
    assert lambdas[0] == pytest.approx(lambda_max(pr.X, pr.y, ops))
    assert np.abs(coefs[0]).max() < 1e-8  # lambda_max gives zero
    assert np.count_nonzero(coefs[-1]) > 0
    for w, lam in zip(coefs, lambdas):
        assert kkt_violation(pr.X, pr.y, w, lam, ops) <= BACKENDS[backend][1] * lambdas[0]
    assert resolved["converged"] == 1.0  # the tolerance was met at every lambda


def test_backends_reach_the_same_objective(problem, paths):
    pr, ops = problem
    lambdas, numpy_path, _ = paths["numpy"]
    _, package_path, _ = paths["group-lasso"]
    for a, b, lam in zip(numpy_path, package_path, lambdas):
        fa, fb = objective(pr.X, pr.y, a, lam, ops), objective(pr.X, pr.y, b, lam, ops)
        assert abs(fa - fb) / fa < 1e-6


def test_solver_budget_exhausted_is_not_converged(problem):
    pr, ops = problem
    for backend in BACKENDS:
        est = make_method("group_lasso", {"backend": backend, "n_lambdas": 3, "max_iter": 2},
                          groups=pr.group_sizes.tolist())
        assert est._path(pr.X, pr.y, ops)[1]["converged"] == 0.0, backend


def test_group_lasso_package_solves_with_twice_its_group_reg(problem):
    """Why the backend passes group_reg = lambda / 2 (group-lasso 1.5.0)."""
    from group_lasso import GroupLasso

    pr, ops = problem
    lam = 0.2 * lambda_max(pr.X, pr.y, ops)
    model = GroupLasso(groups=ops.labels, group_reg=lam, l1_reg=0.0, n_iter=5000, tol=1e-9,
                       scale_reg="group_size", fit_intercept=False, supress_warning=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(pr.X, pr.y)
    w = model.coef_.ravel()
    assert kkt_violation(pr.X, pr.y, w, 2 * lam, ops) < 1e-4 * lam
    assert kkt_violation(pr.X, pr.y, w, lam, ops) > 0.1 * lam
