"""The working-set, batched group-lasso path (``fista_path``) against a plain full-set FISTA:
same objective at every lambda, KKT conditions, no active group lost to screening, batched
equal to one-by-one, and the per-lambda convergence flags."""

import numpy as np
import pytest

from gsbench.methods import make_method
from gsbench.methods._base import GroupOps, group_structure
from gsbench.methods.group_lasso import fista_path, kkt_violation, lambda_max
from gsbench.problems import make_problem, stack_problems

UNEQUAL = [4] * 20 + [2] * 10 + [1] * 10 + [8] * 5  # p = 150


def objective(X, y, w, lam, ops):
    return np.sum((y - X @ w) ** 2) / (2 * len(y)) + lam * np.sum(
        np.sqrt(ops.sizes) * ops.norm(w[None])[0]
    )


def reference_path(X, y, lambdas, ops, tol=1e-9, max_iter=50000):
    """FISTA on all groups, step 1/||X||^2 (exact), warm-started: the solver before screening."""
    n, p = X.shape
    L = 1.01 * np.linalg.norm(X, 2) ** 2 / n
    w, out = np.zeros(p), []
    for lam in lambdas:
        z, t = w.copy(), 1.0
        for it in range(1, max_iter + 1):
            step = (z + X.T @ (y - X @ z) / (n * L))[None]
            norms = ops.norm(step)
            thresh = lam * np.sqrt(ops.sizes) / L
            shrink = np.maximum(0.0, 1 - thresh / np.where(norms > 0, norms, 1))
            w_new = (ops.expand(shrink) * step)[0]
            t_new = 0.5 * (1 + np.sqrt(1 + 4 * t * t))
            z, w, t = w_new + (t - 1) / t_new * (w_new - w), w_new, t_new
            if it % 10 == 0 and kkt_violation(X, y, w, lam, ops) <= tol * lambdas[0]:
                break
        out.append(w)
    return np.array(out)


CASES = {  # (n, p, groups, active groups, sigma): n < p, n > p, unequal groups, noiseless
    "n<p-size4-noisy": (40, 120, 4, 3, 0.5),
    "n<p-unequal-noisy": (50, 150, UNEQUAL, 4, 0.3),
    "n<p-lasso-noiseless": (30, 90, 1, 5, 0.0),
    "n>p-size8-noiseless": (120, 64, 8, 2, 0.0),
}


def case(name, seed=0):
    n, p, groups, s, sigma = CASES[name]
    pr = make_problem(n, p, groups, s, sigma=sigma, seed=seed)
    ops = GroupOps(*group_structure(pr.group_sizes.tolist(), p))
    lambdas = lambda_max(pr.X, pr.y, ops) * np.geomspace(1.0, 1e-3, 12)
    return pr, ops, lambdas


@pytest.fixture(scope="module", params=list(CASES))
def solved(request):
    pr, ops, lambdas = case(request.param)
    coefs, iterations, converged = fista_path(pr.X, pr.y, lambdas, ops, tol=1e-7, max_iter=20000)
    return pr, ops, lambdas, coefs, converged, reference_path(pr.X, pr.y, lambdas, ops)


def test_same_objective_as_full_set_fista(solved):
    pr, ops, lambdas, coefs, _, ref = solved
    for w, w_ref, lam in zip(coefs, ref, lambdas):
        f, f_ref = objective(pr.X, pr.y, w, lam, ops), objective(pr.X, pr.y, w_ref, lam, ops)
        assert abs(f - f_ref) <= 1e-6 * f_ref


def test_kkt_conditions_hold_at_every_lambda(solved):
    pr, ops, lambdas, coefs, converged, _ = solved
    assert converged.shape == (lambdas.size,) and converged.all()
    assert np.abs(coefs[0]).max() == 0.0  # lambda_max gives exactly zero
    for w, lam in zip(coefs, lambdas):
        assert kkt_violation(pr.X, pr.y, w, lam, ops) <= 1e-7 * lambdas[0] * (1 + 1e-9)


def test_screening_keeps_every_active_group(solved):
    """The groups active in the full-set solution (norm above 1e-4 of the largest) are active
    in the screened one at every lambda, and no group is active in one only."""
    _, ops, _, coefs, _, ref = solved
    for w, w_ref in zip(coefs[1:], ref[1:]):
        gn, gn_ref = ops.norm(w[None])[0], ops.norm(w_ref[None])[0]
        assert np.all(gn[gn_ref > 1e-4 * gn_ref.max()] > 0)
        assert np.all(gn_ref[gn > 1e-4 * gn.max()] > 0)


def test_working_set_grows_when_the_strong_rule_fails():
    """A path with one large step (lambda_max to lambda_max / 100) starts from a working set
    of 8 groups at the second value although many more are active: the KKT check on all
    groups must add them and reach the full-set solution."""
    pr, ops, lambdas = case("n<p-unequal-noisy")
    lambdas = lambdas[[0, -3]]
    coefs, _, converged = fista_path(pr.X, pr.y, lambdas, ops, tol=1e-8, max_iter=20000)
    ref = reference_path(pr.X, pr.y, lambdas, ops)
    assert np.count_nonzero(ops.norm(ref[1][None])) > 8
    assert converged.all()
    f, f_ref = objective(pr.X, pr.y, coefs[1], lambdas[1], ops), objective(
        pr.X, pr.y, ref[1], lambdas[1], ops)
    assert abs(f - f_ref) <= 1e-6 * f_ref


def test_batched_equals_one_by_one():
    """B problems advanced together (each with its own lambdas and stopping) give the paths
    of B separate calls, up to the solver tolerance (zero-padded working sets change the
    rounding, so a fit may stop at another check)."""
    cases = [case("n<p-unequal-noisy", seed=s) for s in range(4)]
    ops = cases[0][1]
    X = np.stack([pr.X for pr, _, _ in cases])
    y = np.stack([pr.y for pr, _, _ in cases])
    lambdas = np.stack([lam for _, _, lam in cases])
    coefs, iterations, converged = fista_path(X, y, lambdas, ops, tol=1e-7, max_iter=20000)
    assert coefs.shape == (4, 12, 150) and iterations.shape == (4,) and converged.shape == (4, 12)
    for b in range(4):
        single, it_b, conv_b = fista_path(X[b], y[b], lambdas[b], ops, tol=1e-7, max_iter=20000)
        np.testing.assert_allclose(coefs[b], single, rtol=0, atol=1e-6 * np.abs(single).max())
        for w, w1, lam in zip(coefs[b], single, lambdas[b]):
            f, f1 = objective(X[b], y[b], w, lam, ops), objective(X[b], y[b], w1, lam, ops)
            assert abs(f - f1) <= 1e-9 * f1
        assert abs(iterations[b] - it_b) <= 10 * lambdas.shape[1]
        assert np.array_equal(converged[b], conv_b)


def test_converged_flags_report_max_iter():
    pr, ops, lambdas = case("n<p-size4-noisy")
    _, iterations, converged = fista_path(pr.X, pr.y, lambdas, ops, tol=1e-10, max_iter=15)
    assert not converged[-1] and converged[0]  # lambda_max is solved at once, the end is not
    assert iterations <= 15 * lambdas.size


def test_fit_batch_reports_convergence_per_problem():
    pr, ops, _ = case("n<p-size4-noisy")
    X, y = np.stack([pr.X, pr.X]), np.stack([pr.y, 2 * pr.y])
    results = make_method("group_lasso", {"n_lambdas": 8}, groups=4).fit_batch(X, y)
    assert [r.converged for r in results] == [True, True]
    assert [r.status for r in results] == ["ok", "ok"]
    assert results[1].resolved["lambda_max"] == pytest.approx(2 * results[0].resolved["lambda_max"])
    short = make_method("group_lasso", {"n_lambdas": 8, "max_iter": 3, "tol": 1e-12}, groups=4)
    assert short.fit_batch(X, y)[0].converged is False


def test_path_patience_keeps_the_selected_estimates():
    """Ending the path once the validation loss has not decreased for 3 values (noisy cells,
    where it does end early) selects the same oracle- and validation-stopped estimates as
    the whole path."""
    problems = [make_problem(100, 200, 4, 4, sigma=1.0, n_val=100, seed=s) for s in range(4)]
    arrays = stack_problems(problems)
    full = make_method("group_lasso", {"path_patience": None}, groups=4).fit_batch(*arrays)
    early = make_method("group_lasso", {"path_patience": 3}, groups=4).fit_batch(*arrays)
    for a, b in zip(full, early):
        assert b.iterations < a.iterations == 20
        assert b.stop_iteration == a.stop_iteration and b.oracle_iteration == a.oracle_iteration
        for est in ("coef_validation", "coef_oracle"):
            ref = getattr(a, est)
            assert np.linalg.norm(getattr(b, est) - ref) <= 1e-6 * np.linalg.norm(ref)
        np.testing.assert_array_equal(b.path["val_loss"].argmin(), a.path["val_loss"].argmin())
        assert b.converged


def test_path_patience_needs_a_validation_set():
    pr, ops, lambdas = case("n<p-size4-noisy")
    with pytest.raises(ValueError, match="patience needs a validation set"):
        fista_path(pr.X, pr.y, lambdas, ops, patience=3)
