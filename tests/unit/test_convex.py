"""Convex references: basis pursuit (HiGHS) and group basis pursuit (ADMM) with certificates."""

import numpy as np
import pytest
from scipy.linalg import hadamard

from gsbench.methods.convex import _ConstraintProjector, basis_pursuit, group_basis_pursuit
from gsbench.methods._base import GroupOps, group_structure


def _sparse_problem(n, p, g, s, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    for l in rng.choice(p // g, s, replace=False):
        w[l * g:(l + 1) * g] = rng.choice([-1.0, 1.0], g) * rng.uniform(1, 2, g)
    return X, w


def test_basis_pursuit_known_answer():
    """X = [[1,0,1],[0,1,1]], y = (1,1): w = (1-t, 1-t, t) has l1 norm 2|1-t| + |t|,
    least at t = 1, so w = (0, 0, 1) with value 1."""
    X = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    cert = basis_pursuit(X, np.array([1.0, 1.0]))
    np.testing.assert_allclose(cert.coef, [0.0, 0.0, 1.0], atol=1e-10)
    assert cert.primal_value == pytest.approx(1.0)
    assert cert.dual_value == pytest.approx(1.0)
    assert np.abs(X.T @ cert.dual).max() <= 1 + 1e-12


def test_basis_pursuit_certificate_on_random_problem():
    X, w = _sparse_problem(30, 80, 1, 5, seed=1)
    cert = basis_pursuit(X, X @ w)
    corr = X.T @ cert.dual
    support = np.abs(cert.coef) > 1e-9
    assert np.abs(corr).max() <= 1 + 1e-9                               # dual feasible
    np.testing.assert_allclose(corr[support], np.sign(cert.coef[support]), atol=1e-8)
    assert abs(cert.gap) <= 1e-8 * cert.primal_value
    np.testing.assert_allclose(cert.coef, w, atol=1e-8)                 # exact recovery


def test_group_basis_pursuit_optimality_conditions():
    """||X_l^T nu|| <= sqrt(p_l) everywhere, X_l^T nu = sqrt(p_l) w_l/||w_l|| on the support,
    X w = y, and a certified relative duality gap <= tol."""
    X, w = _sparse_problem(40, 128, 4, 4, seed=2)
    y = X @ w
    cert = group_basis_pursuit(X, y, 4, tol=1e-9)
    ops = GroupOps(*group_structure(4, 128))
    corr = (X.T @ cert.dual)[None]
    c = np.sqrt(ops.sizes)
    assert cert.converged
    assert np.max(ops.norm(corr)[0] / c) <= 1 + 1e-12
    wn = ops.norm(cert.coef[None])[0]
    on = wn > 1e-8
    align = corr - ops.expand((c / np.where(on, wn, 1.0))[None]) * cert.coef[None]
    assert np.max(ops.norm(align)[0][on]) <= 1e-4
    assert cert.gap <= 1e-9 * cert.primal_value
    assert np.linalg.norm(X @ cert.coef - y) <= 1e-8 * np.linalg.norm(y)
    np.testing.assert_allclose(cert.coef, w, atol=1e-6)


def test_group_basis_pursuit_with_groups_of_one_is_basis_pursuit():
    X, w = _sparse_problem(25, 60, 1, 10, seed=3)  # too many non-zeros: BP does not recover w
    y = X @ w
    lp = basis_pursuit(X, y)
    admm = group_basis_pursuit(X, y, 1, tol=1e-10, max_iter=50000)
    assert np.linalg.norm(lp.coef - w) > 0.1
    assert admm.primal_value == pytest.approx(lp.primal_value, rel=1e-8)
    np.testing.assert_allclose(admm.coef, lp.coef, atol=1e-6)


def test_group_basis_pursuit_recovers_on_a_partial_orthogonal_design():
    """Rows of a 256 x 256 Hadamard matrix (orthogonal design), 64 of them, s = 3 groups of 4."""
    rng = np.random.default_rng(4)
    X = hadamard(256)[rng.choice(256, 64, replace=False)] / 16.0
    w = np.zeros(256)
    w[[8, 9, 10, 11, 100, 101, 102, 103, 200, 201, 202, 203]] = rng.choice([-1.0, 1.0], 12)
    cert = group_basis_pursuit(X, X @ w, 4, tol=1e-9)
    assert cert.converged
    np.testing.assert_allclose(cert.coef, w, atol=1e-7)


def test_noisy_group_basis_pursuit_meets_its_constraint_with_a_certificate():
    X, w = _sparse_problem(40, 128, 4, 2, seed=5)
    y = X @ w + 0.1 * np.random.default_rng(6).standard_normal(40)
    eps = 0.12 * np.sqrt(40)  # ||noise|| = 0.64 < eps = 0.76: w is feasible
    cert = group_basis_pursuit(X, y, 4, eps=eps, tol=1e-8)
    assert cert.converged
    assert np.linalg.norm(X @ cert.coef - y) <= eps * (1 + 1e-6)
    assert abs(cert.gap) <= 1e-7 * cert.primal_value
    assert np.linalg.norm(X @ w - y) <= eps
    ops = GroupOps(*group_structure(4, 128))
    assert cert.primal_value <= 2.0 * ops.norm(w[None])[0].sum()  # w feasible: no better
    assert np.linalg.norm(cert.coef - w) / np.linalg.norm(w) < 0.2


def test_constraint_projection_is_the_closest_point():
    """P(v) lies on ||Xw - y|| = eps and v - P(v) = mu X^T (X P(v) - y) with mu >= 0."""
    rng = np.random.default_rng(7)
    X, y, v = rng.standard_normal((10, 30)), rng.standard_normal(10), rng.standard_normal(30)
    eps = 0.3 * np.linalg.norm(X @ v - y)
    w = _ConstraintProjector(X, y, eps)(v)
    r = X @ w - y
    assert np.linalg.norm(r) == pytest.approx(eps, rel=1e-9)
    g = X.T @ r
    mu = (v - w) @ g / (g @ g)
    assert mu > 0
    np.testing.assert_allclose(v - w, mu * g, atol=1e-9)
    w0 = _ConstraintProjector(X, y, 0.0)(v)
    np.testing.assert_allclose(X @ w0, y, atol=1e-10)
    assert np.abs(np.linalg.lstsq(X.T, v - w0, rcond=None)[1]).max() < 1e-18  # v - w0 in range X^T


def test_radius_below_the_least_squares_residual_is_raised_to_it():
    """n > p with noise: X w = y has no solution; the program keeps the least-squares
    residual as its radius, and its only feasible point is the least-squares solution."""
    rng = np.random.default_rng(8)
    X, y = rng.standard_normal((50, 20)), rng.standard_normal(50)
    ls = np.linalg.lstsq(X, y, rcond=None)[0]
    cert = group_basis_pursuit(X, y, 4, eps=0.0, tol=1e-10)
    assert cert.extra["radius"] == pytest.approx(np.linalg.norm(X @ ls - y), rel=1e-10)
    np.testing.assert_allclose(cert.coef, ls, atol=1e-7)


def test_basis_pursuit_known_answer_with_a_shared_coordinate():
    # w1 + w2 = 1, w2 + w3 = 1: ||w||_1 = |w2| + 2|1 - w2| is least (= 1) only at w = (0, 1, 0)
    X = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    np.testing.assert_allclose(basis_pursuit(X, np.array([1.0, 1.0])).coef, [0.0, 1.0, 0.0],
                               atol=1e-9)  # fmt: skip


def test_basis_pursuit_bad_input():
    with pytest.raises(ValueError, match=r"\(3, 2\) and \(2,\)"):
        basis_pursuit(np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match="HiGHS"):  # x1 = 1 and x1 = 2
        basis_pursuit(np.array([[1.0], [1.0]]), np.array([1.0, 2.0]))


@pytest.mark.parametrize("n, random_weights", [(24, False), (40, True)])
def test_group_basis_pursuit_with_given_weights_is_optimal(n, random_weights):
    """Unit weights (the claims' unweighted sum_l ||w_l||) and random c_l: KKT holds, and no
    interpolant along the null space of X has a smaller objective."""
    rng = np.random.default_rng(n)
    p, g = 96, 4
    labels = np.repeat(np.arange(p // g), g)
    c = rng.uniform(0.5, 2.0, p // g) if random_weights else np.ones(p // g)
    w_star = np.zeros(p)
    w_star[:8] = rng.standard_normal(8)
    w_star[40:44] = 1.0
    X = rng.standard_normal((n, p))
    y = X @ w_star
    cert = group_basis_pursuit(X, y, labels, weights=c, max_iter=50000)
    w = cert.coef
    assert cert.converged and cert.residual < 1e-7 * np.linalg.norm(y)
    s = X.T @ cert.dual
    norms = np.sqrt(np.bincount(labels, weights=w * w))
    snorm = np.sqrt(np.bincount(labels, weights=s * s))
    assert np.all(snorm <= c * (1 + 1e-9))
    for l in np.flatnonzero(norms > 1e-6 * norms.max()):
        gl = labels == l
        np.testing.assert_allclose(s[gl], c[l] * w[gl] / norms[l], atol=1e-3)
    assert cert.primal_value == pytest.approx(c @ norms, rel=1e-12)
    assert -1e-9 <= cert.gap <= 1e-8 * cert.primal_value
    wf = w - np.linalg.pinv(X) @ (X @ w - y)  # exactly feasible
    for d in np.linalg.svd(X)[2][n:][:20]:
        for t in (1e-3, -1e-3):
            v = wf + t * d
            assert c @ np.sqrt(np.bincount(labels, weights=v * v)) >= cert.primal_value - 1e-7


def test_group_basis_pursuit_below_the_transition_differs_from_w_star():
    rng = np.random.default_rng(7)
    p, g = 64, 4
    labels = np.repeat(np.arange(p // g), g)
    w_star = np.zeros(p)
    w_star[:16] = 1.0  # 4 active groups, 16 measurements: too few to recover
    X = rng.standard_normal((16, p))
    cert = group_basis_pursuit(X, X @ w_star, labels, weights=np.ones(p // g), max_iter=50000)
    assert cert.converged
    assert cert.primal_value < np.sqrt(np.bincount(labels, weights=w_star**2)).sum()
