"""Plain gradient descent on DGLNN from a small data-independent start (claims.small_init_gd):
one step against the paper's gradients written out, the balance of Lemma 2, the batch over
alphas against separate runs, and the step only discretising the flow."""

from __future__ import annotations

import numpy as np
import pytest

from gsbench.claims.small_init_gd import init_direction, small_init_gd


def _problem(seed=0, B=2, n=12, p=16, g=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((B, n, p))
    w = np.zeros((B, p))
    w[:, :g] = 1.0
    return X, np.einsum("bnp,bp->bn", X, w)


def _reference_steps(X, y, g, alpha, d, step, iters):
    """The paper's gradients (Section 2), one problem, written out group by group."""
    n, p = X.shape
    L = p // g
    u = np.full(L, alpha)
    v = np.tile(alpha / np.sqrt(2) * d, L)
    for _ in range(iters):
        w = np.repeat(u**2, g) * v
        grad_w = -X.T @ (y - X @ w) / n
        gu = np.array([2 * u[l] * v[l * g:(l + 1) * g] @ grad_w[l * g:(l + 1) * g] for l in range(L)])
        gv = np.repeat(u**2, g) * grad_w
        u, v = u - step * gu, v - step * gv
    return np.repeat(u**2, g) * v


def test_steps_match_the_papers_gradients_and_batching_over_alpha():
    X, y = _problem()
    d = init_direction(4, "random", 0)
    alphas, budgets = np.array([0.5, 0.2]), np.array([30, 50])
    out = small_init_gd(X, y, 4, alphas, budgets, direction=d, step_factor=0.3)
    for b in range(2):
        for k in range(2):
            for j, iters in enumerate((budgets[k], 2 * budgets[k])):
                ref = _reference_steps(X[b], y[b], 4, alphas[k], d, out["step"][b], iters)
                assert np.allclose(out["coef"][b, k, j], ref, rtol=1e-10, atol=1e-14)
                res = np.linalg.norm(X[b] @ ref - y[b]) / np.linalg.norm(y[b])
                assert out["residual"][b, k, j] == pytest.approx(res, rel=1e-9)


def test_fits_and_the_step_only_discretises_the_flow():
    X, y = _problem(1, B=1, n=12, p=16)
    d = init_direction(4, "ones")
    a = small_init_gd(X, y, 4, [0.3], [3000], step_factor=0.3, direction=d)
    b = small_init_gd(X, y, 4, [0.3], [6000], step_factor=0.15, direction=d)
    assert a["residual"][0, 0, 1] < 1e-2 < a["residual"][0, 0, 0] * 10
    # the same flow time (iterations x step) with half the step: the same point up to the
    # discretisation error, which halves with the step
    wa, wb = a["coef"][0, 0, 1], b["coef"][0, 0, 1]
    assert np.linalg.norm(wa - wb) / np.linalg.norm(wa) < 1e-2


def test_balanced_start_stays_balanced_for_small_steps():
    # Lemma 2: u_l^2 / 2 - ||v_l||^2 is constant along the flow; 0 at the balanced start, so
    # ||w_l|| = u_l^2 ||v_l|| = u_l^3 / sqrt 2 for every group along the way.
    X, y = _problem(2, B=1)
    out = small_init_gd(X, y, 4, [0.3], [3000], direction=init_direction(4), step_factor=0.05)
    u, v = out["u"][0, 0], out["v"][0, 0].reshape(-1, 4)
    assert u.max() > 3 * 0.3  # the signal group has grown
    balance = u**2 / 2 - (v**2).sum(axis=1)
    assert np.abs(balance).max() < 1e-2 * (u**2).max()
    # balance means ||w_l|| = u_l^2 ||v_l|| = u_l^3 / sqrt 2
    w = out["coef"][0, 0, 1].reshape(-1, 4)
    assert np.allclose(np.linalg.norm(w, axis=1), u**3 / np.sqrt(2), rtol=2e-2, atol=1e-6)


def test_errors_name_the_shapes():
    X, y = _problem()
    with pytest.raises(ValueError, match=r"group_size=5 must divide p=16"):
        small_init_gd(X, y, 5, [0.1], [10], direction=np.ones(5) / np.sqrt(5))
    with pytest.raises(ValueError, match=r"\(2,\) and \(1,\)"):
        small_init_gd(X, y, 4, [0.1, 0.2], [10], direction=init_direction(4))
    with pytest.raises(ValueError, match=r"direction must have shape \(4,\)"):
        small_init_gd(X, y, 4, [0.1], [10], direction=np.ones(3))
    with pytest.raises(ValueError, match="'ones' or 'random'"):
        init_direction(4, "up")
