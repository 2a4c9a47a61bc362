"""The decoy design: its measured coherence against the formulas mu ~ rho/sqrt(s g) and
(scattered) delta_out ~ rho/sqrt(s), at large n."""

import numpy as np
import pytest

from gsbench.coherence import incoherence
from gsbench.problems import ProblemError, group_labels, make_problem

N, P = 40000, 64


def _cross(problem, decoys):
    """|x_d^T x_i| / n for decoy d and active i, and the spectral norm of X_D^T X_l / n."""
    X, n = problem.X, problem.n
    active = np.flatnonzero(problem.w_star)
    return np.abs(X[:, decoys].T @ X[:, active]) / n


@pytest.mark.parametrize("s, g", [(2, 4), (4, 2), (3, 1)])
@pytest.mark.parametrize("rho", [0.3, 0.8])
def test_scattered_decoys_have_the_predicted_coherence(s, g, rho):
    pr = make_problem(N, P, g, s, design="decoy", decoy_rho=rho, decoy_layout="scattered",
                      seed=3)
    base = make_problem(N, P, g, s, design="rademacher", seed=3)
    decoys = np.flatnonzero(np.any(pr.X != base.X, axis=0))
    assert decoys.size == g and np.all(pr.w_star[decoys] == 0)
    assert np.unique(pr.groups[decoys]).size == g  # one decoy in each of g groups
    tol = 4 / np.sqrt(N)
    np.testing.assert_allclose(_cross(pr, decoys), rho / np.sqrt(s * g), atol=tol)
    # Two decoys share the direction y*/|y*|: their mutual coherence is rho^2.
    between = rho**2 if g > 1 else 0.0
    measured = incoherence(pr.X, pr.groups)
    assert measured["mu"] == pytest.approx(max(rho / np.sqrt(s * g), between), abs=tol)
    assert measured["delta_out"] == pytest.approx(max(rho / np.sqrt(s), between),
                                                  abs=np.sqrt(g) * tol)
    assert measured["delta_out"] >= incoherence(base.X, base.groups)["delta_out"]


@pytest.mark.parametrize("s, g", [(2, 4), (4, 2)])
def test_aligned_decoy_group_is_coherent_with_every_active_entry(s, g):
    rho = 0.5
    pr = make_problem(N, P, g, s, design="decoy", decoy_rho=rho, decoy_layout="aligned", seed=5)
    base = make_problem(N, P, g, s, design="rademacher", seed=5)
    decoys = np.flatnonzero(np.any(pr.X != base.X, axis=0))
    assert np.unique(pr.groups[decoys]).size == 1 and decoys.size == g
    tol = 4 / np.sqrt(N)
    np.testing.assert_allclose(_cross(pr, decoys), rho / np.sqrt(s * g), atol=tol)
    # block X_D^T X_l / n is rank one with entries rho/sqrt(sg): norm g rho/sqrt(sg)
    assert incoherence(pr.X, pr.groups)["delta_out"] == pytest.approx(
        rho * np.sqrt(g / s), abs=g * tol)


def test_validation_decoys_follow_the_validation_signal_and_y_is_unchanged():
    kw = dict(n=2000, p=32, group_size=4, active_groups=2, sigma=0.1, seed=7)
    pr = make_problem(**kw, design="decoy", decoy_rho=0.9, decoy_layout="aligned")
    base = make_problem(**kw, design="rademacher")
    decoys = np.flatnonzero(np.any(pr.X_val != base.X_val, axis=0))
    assert decoys.size == 4
    ystar = pr.X_val @ pr.w_star
    corr = pr.X_val[:, decoys].T @ ystar / (np.linalg.norm(ystar) * np.sqrt(pr.X_val.shape[0]))
    assert np.all(corr > 0.85)
    np.testing.assert_array_equal(pr.y, base.y)  # decoys are inactive: y* is the same


def test_rho_zero_is_the_rademacher_design():
    kw = dict(n=50, p=32, group_size=4, active_groups=2, seed=1)
    np.testing.assert_array_equal(make_problem(**kw, design="decoy").X,
                                  make_problem(**kw, design="rademacher").X)


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(decoy_rho=1.5), r"decoy_rho must lie in \[0, 1\], got 1.5"),
        (dict(decoy_layout="diagonal"), r"decoy_layout must be one of .*'diagonal'"),
        (dict(decoy_groups=8), r"decoy_groups=8 is impossible with 6 inactive groups"),
    ],
)
def test_bad_decoy_options_are_named(kw, message):
    with pytest.raises(ProblemError, match=message):
        make_problem(50, 32, 4, 2, design="decoy", seed=0, **kw)
