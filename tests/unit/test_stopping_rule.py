"""The stopping rules shared by the methods (``gsbench.methods._iterative`` for the iterative
methods: interpolation and a stalled training loss; ``PathPatience`` for the path methods)."""

from __future__ import annotations

import numpy as np
import pytest

from gsbench.claims.fitting import fit_whole_runs
from gsbench.methods import MethodError, make_method
from gsbench.problems import make_problem, stack_problems

#: The problem's active groups have strengths 8, 3 and 1 (two entries each): from a small
#: initialisation gradient descent learns them one after another, with long plateaus of
#: the training loss in between (each group's escape time grows like log(1/alpha) / strength).
PLATEAU_VALUES = [8.0] * 2 + [3.0] * 2 + [1.0] * 2
#: The rules off except the one under test: no settling on minima, no interpolation stop.
ONLY_STALL = {"patience": 100, "interpolation_tol": None, "max_iter": 20000}
INCREMENTAL = {"hadamard": {"alpha": 1e-6, "step": 0.01},
               "dglnn1": {"alpha": 1e-6, "step_u": 0.005}}  # fmt: skip


def plateau_problem(sigma: float):
    return make_problem(64, 32, 2, 3, sigma=sigma, design="orthogonal", signal="values",
                        values=PLATEAU_VALUES, active=[0, 1, 2], seed=0)  # fmt: skip


def train_loss(pr, w):
    r = pr.y - pr.X @ w
    return float(r @ r) / (2 * pr.X.shape[0])


@pytest.mark.parametrize("name", ["hadamard", "dglnn2"])
def test_interpolation_stop_fires_and_sets_converged(name):
    """Noiseless, n < p: the training loss goes to 0; the fit ends once it is at most
    interpolation_tol times ||y||^2 / (2n), and only then."""
    pr = make_problem(48, 96, 4, 2, sigma=0.0, seed=1)
    base = {"patience": 10**9, "stall_tol": None, "max_iter": 6000}
    res = make_method(name, {**base, "interpolation_tol": 1e-4}, groups=4).fit(pr.X, pr.y).result_
    loss0 = float(pr.y @ pr.y) / (2 * pr.X.shape[0])
    assert res.converged and res.iterations < 6000
    assert train_loss(pr, res.coef_final) <= 1e-4 * loss0
    # one record (stride 10) earlier the loss was still above the tolerance
    before = make_method(name, {**base, "interpolation_tol": None, "max_iter": res.iterations - 10},
                         groups=4).fit(pr.X, pr.y).result_  # fmt: skip
    assert train_loss(pr, before.coef_final) > 1e-4 * loss0
    # disabled: the same fit runs to max_iter and is not converged
    off = make_method(name, {**base, "interpolation_tol": None}, groups=4).fit(pr.X, pr.y).result_
    assert off.iterations == 6000 and not off.converged


@pytest.mark.parametrize("name", sorted(INCREMENTAL))
@pytest.mark.parametrize("stall_tol", [1e-6, 1e-3])
def test_stall_stop_keeps_the_plateaus_of_incremental_learning(name, stall_tol):
    """Groups of strengths 8, 3, 1 are learned one after another from alpha = 1e-6; between
    them the loss is nearly flat for longer than the patience (with stall_tol = 1e-3 a rule on
    the loss decrease alone ends dglnn1 in its first plateau, at iteration 100, with nothing
    learned). The rule waits for every group and then stops at the noise level."""
    pr = plateau_problem(sigma=0.1)
    res = make_method(name, {**INCREMENTAL[name], **ONLY_STALL, "stall_tol": stall_tol},
                      groups=2).fit(pr.X, pr.y).result_  # fmt: skip
    assert res.converged and res.iterations < 20000
    np.testing.assert_allclose(res.coef_final[:6], PLATEAU_VALUES, rtol=0.05)
    # It stopped at the least-squares loss on the support, where the loss stays for ever
    # (the off-support entries, 1e-12 at the start, grow only at the noise's rate).
    support = np.zeros(32, dtype=bool)
    support[:6] = True
    w_s = np.zeros(32)
    w_s[support] = np.linalg.lstsq(pr.X[:, support], pr.y, rcond=None)[0]
    assert train_loss(pr, res.coef_final) <= (1 + 1e-3) * train_loss(pr, w_s)


def test_stall_stop_disabled_runs_to_max_iter():
    pr = plateau_problem(sigma=0.1)
    off = {**INCREMENTAL["hadamard"], **ONLY_STALL, "patience": 10**9, "stall_tol": None,
           "max_iter": 3000}  # fmt: skip
    res = make_method("hadamard", off, groups=2).fit(pr.X, pr.y).result_
    assert res.iterations == 3000 and not res.converged


def test_claims_whole_runs_keep_the_full_budget():
    """The claims checker needs whole runs: its fits end at max_iter even where the training
    loss interpolates long before."""
    problems = [make_problem(48, 96, 4, 2, sigma=0.0, seed=s) for s in range(2)]
    section = {"methods": {"hadamard": {}}, "max_iter": 3000, "stride": 10, "interp_tol": 1e-3}
    (frame,) = fit_whole_runs(section, problems, threshold=0.05)
    assert (frame["iterations"] == 3000).all()
    # ||y - X w|| / ||y|| < 3e-3, i.e. the loss below 1e-5 of its start: the default
    # interpolation rule would have ended these fits
    assert (frame["train_residual"] < 3e-3).all()
    early = make_method("hadamard", {"max_iter": 3000}, groups=4)
    assert all(r.iterations < 3000 for r in early.fit_batch(
        np.stack([p.X for p in problems]), np.stack([p.y for p in problems])))


PATH_METHODS = ["group_lasso", "lasso", "group_mcp", "group_omp", "group_iht"]


def first_stop(val_loss: np.ndarray, patience: int) -> int:
    """Number of path values the rule fits, from the whole path's validation losses."""
    best, since = np.inf, 0
    for k, v in enumerate(val_loss):
        best, since = (v, 0) if v < best else (best, since + 1)
        if since >= patience:
            return k + 1
    return val_loss.size


@pytest.mark.parametrize("name", PATH_METHODS)
def test_path_patience_ends_the_path_with_the_same_estimates(name):
    """Noisy cells, where the validation loss rises past its minimum: the path ends after
    path_patience values without a decrease and selects the estimates of the whole path."""
    problems = [make_problem(100, 200, 4, 4, sigma=1.0, seed=s) for s in range(3)]
    arrays = stack_problems(problems)
    full = make_method(name, {"path_patience": None}, groups=4).fit_batch(*arrays)
    early = make_method(name, {}, groups=4).fit_batch(*arrays)  # default path_patience = 3
    for a, b in zip(full, early):
        assert b.iterations == first_stop(a.path["val_loss"], 3) < a.iterations
        assert (b.stop_iteration, b.oracle_iteration) == (a.stop_iteration, a.oracle_iteration)
        for est in ("coef_validation", "coef_oracle"):
            ref = getattr(a, est)
            assert np.linalg.norm(getattr(b, est) - ref) <= 1e-6 * np.linalg.norm(ref)
        assert b.converged


def test_path_patience_needs_validation_data_to_act():
    pr = make_problem(100, 200, 4, 4, sigma=1.0, seed=0)
    res = make_method("lasso", {}, groups=4).fit(pr.X, pr.y).result_
    assert res.iterations == 20  # no validation set: the whole path


@pytest.mark.parametrize("name, key, value", [
    ("dglnn2", "interpolation_tol", 0.0), ("hadamard", "interpolation_tol", 1.0),
    ("dglnn1", "stall_tol", -1e-3), ("hadamard_depth", "stall_tol", "small"),
    ("lasso", "path_patience", 0), ("group_lasso", "path_patience", 2.5),
])  # fmt: skip
def test_bad_stopping_values_name_the_parameter(name, key, value):
    with pytest.raises(MethodError, match=f"'{key}' parameter of {name}"):
        make_method(name, {key: value}, groups=4)
