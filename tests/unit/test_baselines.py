"""Group MCP, group OMP, group IHT and group basis pursuit: optimality / stationarity
conditions, exact recovery on easy and orthogonal designs, agreement with independent solvers."""

import numpy as np
import pytest
from scipy.linalg import hadamard

from gsbench.methods import MethodError, make_method
from gsbench.methods._base import GroupOps, group_structure
from gsbench.methods.group_iht import hard_threshold, iht
from gsbench.methods.group_lasso import lambda_max
from gsbench.methods.group_mcp import mcp_path, mcp_penalty, stationarity_violation
from gsbench.problems import make_problem
from gsbench.runner import fit_problems


def _ops(sizes, p):
    return GroupOps(*group_structure(sizes, p))


# ----------------------------------------------------------------------------- group MCP


def test_group_mcp_path_is_stationary():
    """Every path value satisfies the group-MCP stationarity conditions to 1e-8 lambda_max
    (unequal groups, noise, n < p)."""
    pr = make_problem(80, 160, [4] * 30 + [2] * 20, 3, sigma=0.3, seed=0)
    ops = _ops(pr.group_sizes, pr.p)
    est = make_method("group_mcp", {"tol": 1e-9, "n_lambdas": 6, "max_iter": 20000},
                      groups=pr.group_sizes.tolist())
    lambdas = est.lambdas(pr.X, pr.y, ops)
    coefs, resolved = est._path(pr.X, pr.y, ops)
    assert resolved["converged"] == 1.0
    assert lambdas[0] == pytest.approx(lambda_max(pr.X, pr.y, ops))
    assert np.abs(coefs[0]).max() == 0.0
    assert np.count_nonzero(coefs[-1]) > 0
    for w, lam in zip(coefs, lambdas):
        assert stationarity_violation(pr.X, pr.y, w, lam, 3.0, ops) <= 1e-8 * lambdas[0]
    # some group sits in MCP's unpenalised region ||w_l|| > gamma lambda_l: MCP is not lasso
    wn = ops.norm(coefs[-1][None])[0]
    assert np.any(wn > 3.0 * lambdas[-1] * np.sqrt(ops.sizes))


def test_group_mcp_batch_equals_problem_by_problem_fits():
    """Solving B problems together (with compaction as they converge) gives each problem's
    own path, iteration count and convergence flag."""
    from gsbench.methods._base import PathRegressor

    prs = [make_problem(48, 128, 4, s, sigma=0.1, seed=s) for s in (1, 3, 6)]
    X, y = np.stack([q.X for q in prs]), np.stack([q.y for q in prs])
    est = make_method("group_mcp", {"n_lambdas": 8, "max_iter": 300}, groups=4)
    ops = _ops(4, 128)
    batch = est._fit_batch(X, y, None, None, None, ops)
    single = PathRegressor._fit_batch(est, X, y, None, None, None, ops)  # one _path per problem
    assert len({r.resolved["solver_iterations"] for r in batch}) == 3
    for a, b in zip(batch, single):
        np.testing.assert_allclose(a.coef_final, b.coef_final, rtol=0, atol=1e-12)
        assert a.resolved == b.resolved


def _cd_mcp(X, y, lam, gamma, n_epochs=5000):
    """Independent reference: cyclic coordinate descent for the scalar MCP (Breheny & Huang
    2011), w_j <- argmin of the objective in w_j with the others fixed."""
    n, p = X.shape
    v = (X**2).sum(axis=0) / n
    w = np.zeros(p)
    r = y.copy()
    for _ in range(n_epochs):
        w_old = w.copy()
        for j in range(p):
            z = X[:, j] @ r / n + v[j] * w[j]
            if abs(z) <= v[j] * gamma * lam:
                new = np.sign(z) * max(abs(z) - lam, 0.0) / (v[j] - 1.0 / gamma)
            else:
                new = z / v[j]
            r -= X[:, j] * (new - w[j])
            w[j] = new
        if np.abs(w - w_old).max() < 1e-13:
            break
    return w


@pytest.fixture(scope="module")
def scalar_problem():
    """n > p and X^T X / n >= 0.5 I > I / gamma: the MCP objective is strongly convex, so
    every solver must reach the one minimiser."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 20))
    w = np.zeros(20)
    w[:5] = [3.0, -2.0, 1.0, 0.4, -0.2]
    y = X @ w + 0.5 * rng.standard_normal(200)
    assert np.linalg.eigvalsh(X.T @ X / 200).min() > 1 / 3
    return X, y, float(np.abs(X.T @ y).max() / 200)


@pytest.mark.parametrize("frac", [0.5, 0.1, 0.02])
def test_group_mcp_with_groups_of_one_matches_coordinate_descent_mcp(scalar_problem, frac):
    X, y, lmax = scalar_problem
    lam = frac * lmax
    ops = _ops(1, 20)
    coefs, _, ok = mcp_path(X, y, np.array([lam]), 3.0, ops, tol=1e-12, max_iter=100000)
    ref = _cd_mcp(X, y, lam, 3.0)
    assert ok
    assert np.count_nonzero(ref) >= 2
    np.testing.assert_allclose(coefs[0], ref, atol=1e-9)


@pytest.mark.slow  # skglm's solvers are compiled (numba) on first use
@pytest.mark.parametrize("frac", [0.5, 0.1])
def test_group_mcp_with_groups_of_one_matches_skglm(scalar_problem, frac):
    try:
        from skglm import MCPRegression
    except ImportError:
        pytest.skip("skglm is not installed (optional): pip install skglm")
    X, y, lmax = scalar_problem
    lam = frac * lmax
    coefs, _, _ = mcp_path(X, y, np.array([lam]), 3.0, _ops(1, 20), tol=1e-12, max_iter=100000)
    ref = MCPRegression(alpha=lam, gamma=3.0, fit_intercept=False, tol=1e-12).fit(X, y).coef_
    np.testing.assert_allclose(coefs[0], ref, atol=1e-7)


def test_mcp_penalty_is_continuous_and_flat_beyond_gamma_lambda():
    t = np.array([0.0, 1.0, 2.999999, 3.0, 5.0])
    vals = mcp_penalty(t, np.ones(5), 3.0)
    np.testing.assert_allclose(vals, [0.0, 1 - 1 / 6, 1.5, 1.5, 1.5], atol=1e-6)


# ----------------------------------------------------------------------------- group OMP


def test_group_omp_recovers_exactly_on_an_orthogonal_design():
    """X^T X = n I (Hadamard, n = p = 64): the first s steps pick the s true groups and the
    least-squares refit is w*."""
    X = hadamard(64).astype(float)
    w = np.zeros(64)
    support = [4, 5, 6, 7, 20, 21, 22, 23, 60, 61, 62, 63]
    w[support] = [3, -1, 2, 1, 0.5, -0.5, 0.5, 0.5, 1, 1, -1, 1]
    est = make_method("group_omp", groups=4)
    res = est.fit_batch(X, X @ w, w_star=w)[0]
    assert res.iterations == 3  # the residual vanishes after the 3rd group
    np.testing.assert_allclose(res.coef_oracle, w, atol=1e-12)
    np.testing.assert_allclose(res.coef_final, w, atol=1e-12)


def test_group_omp_refit_solves_the_normal_equations():
    """After k steps: exactly k groups are non-zero and X_S^T (y - X w) = 0 on them."""
    pr = make_problem(60, 128, 4, 3, sigma=0.5, seed=2)
    ops = _ops(4, 128)
    coefs, resolved = make_method("group_omp", {"max_groups": 8}, groups=4)._path(pr.X, pr.y, ops)
    assert coefs.shape == (8, 128)
    for k, w in enumerate(coefs, start=1):
        active = ops.norm(w[None])[0] > 0
        assert active.sum() == k
        grad = pr.X.T @ (pr.y - pr.X @ w)
        assert np.abs(grad[ops.expand(active[None])[0]]).max() <= 1e-9 * np.abs(pr.X.T @ pr.y).max()


# ----------------------------------------------------------------------------- group IHT


@pytest.mark.parametrize("n, g, s", [(80, 4, 3), (96, 1, 8)])
def test_group_iht_recovers_an_easy_problem_without_knowing_s(n, g, s):
    prs = [make_problem(n, 256, g, s, seed=i) for i in range(3)]
    rows, results = fit_problems("group_iht", prs)
    for row, res in zip(rows, results):
        assert row["status"] == "ok"
        assert row["rel_error_oracle"] < 1e-6 and row["rel_error_validation"] < 1e-6
        assert res.oracle_iteration >= s - 1  # path index s - 1 is s' = s groups
        assert res.path["oracle_error"][s - 2] > 0.1  # s - 1 groups cannot fit s
        assert row["converged"]


def json_loads(text):
    import json

    return json.loads(text)


@pytest.mark.parametrize("step", ["normalized", 0.5])
def test_group_iht_limit_is_a_fixed_point(step):
    """w = H_k(w + mu X^T (y - X w)/n) and X_G^T (y - X w) = 0 on its support G."""
    pr = make_problem(60, 128, 4, 4, sigma=0.2, seed=3)
    ops = _ops(4, 128)
    w0 = np.zeros(128)
    for k in (2, 4, 6):
        w, _, ok = iht(pr.X, pr.y, k, ops, w0, step=step, tol=1e-12, max_iter=20000)
        assert ok
        g = pr.X.T @ (pr.y - pr.X @ w) / 60
        support = w != 0
        assert (ops.norm(w[None])[0] > 0).sum() == k
        assert np.abs(g[support]).max() <= 1e-8
        mu = 0.5 if step == 0.5 else 1e-3
        np.testing.assert_allclose(hard_threshold((w + mu * g)[None], k, ops)[0], w, atol=1e-9)


def test_group_iht_path_length_default_and_cap():
    ops = _ops(4, 256)
    assert make_method("group_iht", groups=4)._levels(40, ops) == 5  # 5 x 4 = 20 = n/2
    assert make_method("group_iht", {"max_groups": 100}, groups=4)._levels(40, ops) == 64


# ----------------------------------------------------------------------------- group BP


def test_group_bp_method_recovers_noiseless_signals_with_certified_optimality():
    prs = [make_problem(48, 128, 4, 3, seed=i) for i in range(2)]
    rows, results = fit_problems("group_bp", prs, {"eps_ratios": [0.1, 0.0], "tol": 1e-8})
    for row, res in zip(rows, results):
        resolved = json_loads(row["resolved"])
        assert row["converged"] and resolved["max_gap"] <= 1e-8
        assert row["rel_error_final"] < 1e-6       # eps = 0 is last
        assert res.iterations == 2


def test_group_bp_rejects_bad_eps_ratios():
    with pytest.raises(MethodError, match=r"eps_ratios .*\[0\.5, 1\.5\]"):
        make_method("group_bp", {"eps_ratios": [0.5, 1.5]})
