"""Minimum-ℓ1 and minimum-group-ℓ1,2 interpolants (gsbench.claims.convex_refs)."""

from __future__ import annotations

import numpy as np
import pytest

from gsbench.claims.convex_refs import ConvexSolverError, basis_pursuit, group_basis_pursuit


def test_basis_pursuit_known_answer():
    # w1 + w2 = 1, w2 + w3 = 1: ||w||_1 = |w2| + 2|1 - w2| is least (= 1) only at w = (0, 1, 0)
    X = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    w = basis_pursuit(X, np.array([1.0, 1.0]))
    np.testing.assert_allclose(w, [0.0, 1.0, 0.0], atol=1e-9)


def test_basis_pursuit_recovers_a_sparse_vector_above_the_transition():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 100))
    w_star = np.zeros(100)
    w_star[[3, 50, 77]] = [1.0, -2.0, 0.5]
    np.testing.assert_allclose(basis_pursuit(X, X @ w_star), w_star, atol=1e-7)


def test_basis_pursuit_bad_input():
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        basis_pursuit(np.ones((3, 2)), np.ones(2))
    with pytest.raises(ConvexSolverError, match="HiGHS"):  # x1 = 1 and x1 = 2
        basis_pursuit(np.array([[1.0], [1.0]]), np.array([1.0, 2.0]))


@pytest.mark.parametrize("n, weights", [(24, None), (40, "random")])
def test_group_basis_pursuit_meets_its_optimality_conditions(n, weights):
    rng = np.random.default_rng(n)
    p, g = 96, 4
    labels = np.repeat(np.arange(p // g), g)
    c = rng.uniform(0.5, 2.0, p // g) if weights else np.ones(p // g)
    w_star = np.zeros(p)
    w_star[:8] = rng.standard_normal(8)
    w_star[40:44] = 1.0
    X = rng.standard_normal((n, p))
    y = X @ w_star
    w, cert = group_basis_pursuit(X, y, labels, c)
    assert cert["converged"] and cert["residual"] < 1e-9
    # KKT: X^T nu is a subgradient of sum_l c_l ||w_l|| at w
    s = X.T @ cert["nu"]
    norms = np.sqrt(np.bincount(labels, weights=w * w))
    snorm = np.sqrt(np.bincount(labels, weights=s * s))
    assert np.all(snorm <= c * (1 + 1e-9))
    on = norms > 1e-6 * norms.max()
    for l in np.flatnonzero(on):
        gl = labels == l
        np.testing.assert_allclose(s[gl], c[l] * w[gl] / norms[l], atol=1e-3)
    assert abs(cert["primal"] - c @ norms) < 1e-9
    assert cert["gap"] >= -1e-9 and cert["relative_gap"] <= 1e-8
    # no other interpolant does better: move along the null space of X
    null = np.linalg.svd(X)[2][n:]
    for d in null[:20]:
        for t in (1e-3, -1e-3):
            v = w + t * d
            assert c @ np.sqrt(np.bincount(labels, weights=v * v)) >= cert["primal"] - 1e-9


def test_group_basis_pursuit_below_the_transition_differs_from_w_star():
    rng = np.random.default_rng(7)
    p, g = 64, 4
    labels = np.repeat(np.arange(p // g), g)
    w_star = np.zeros(p)
    w_star[:16] = 1.0  # 4 active groups, 16 measurements: too few to recover
    X = rng.standard_normal((16, p))
    w, cert = group_basis_pursuit(X, X @ w_star, labels)
    assert cert["converged"]
    assert cert["primal"] < np.sqrt(np.bincount(labels, weights=w_star**2)).sum()
