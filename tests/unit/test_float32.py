"""``dtype="float32"``: the iterative methods compute in float32, recover what float64
recovers, and record float64; other values and the path methods are refused by name."""

import json

import numpy as np
import pytest
import yaml

from gsbench.cli import main
from gsbench.methods import REGISTRY, IterativeRegressor, MethodError, make_method
from gsbench.problems import make_problem, stack_problems
from gsbench.study import ConfigError, load_config
from workflow_helpers import ROOT

ITERATIVE = sorted(name for name, cls in REGISTRY.items() if issubclass(cls, IterativeRegressor))
PATH_METHODS = sorted(set(REGISTRY) - set(ITERATIVE))


def stacked(n, p, g, s, trials, sigma=0.0):
    problems = [make_problem(n, p, g, s, sigma=sigma, n_val=n, seed=b) for b in range(trials)]
    return stack_problems(problems)


def oracle_errors(results, w_star):
    coefs = np.stack([r.coef_oracle for r in results])
    return np.linalg.norm(coefs - w_star, axis=1) / np.linalg.norm(w_star, axis=1)


@pytest.mark.parametrize("name", ITERATIVE)
def test_float32_recovers_what_float64_recovers(name):
    # Two cells of the default study's kind (p = 64, groups of 4, 2 active groups, no noise):
    # n = 48 is above every method's transition, n = 8 below it.
    for n in (48, 8):
        X, y, Xv, yv, ws = stacked(n, 64, 4, 2, trials=3)
        errors = {}
        for dtype in ("float64", "float32"):
            est = make_method(name, {"dtype": dtype}, groups=4)
            results = est.fit_batch(X, y, Xv, yv, ws)
            assert all(r.status == "ok" for r in results), (name, dtype, n)
            errors[dtype] = oracle_errors(results, ws)
        e64, e32 = errors["float64"], errors["float32"]
        assert np.array_equal(e32 <= 0.05, e64 <= 0.05), (name, n, e64, e32)
        assert (e64 <= 0.05).all() == (n == 48), (name, n, e64)
        # Where recovery succeeds (errors 1e-5 to 3e-2) they agree to 1e-3 of ||w*||, far
        # inside the 0.05 threshold. Below the transition the fit is one of many
        # interpolants, and rounding may pick a slightly different one: they agree to 0.1.
        assert np.abs(e32 - e64).max() < (1e-3 if n == 48 else 0.1), (name, n, e64, e32)


def spy(cls, seen):
    """``cls`` whose every step logs the dtypes of the data, the state, the loss and w."""

    class Spy(cls):
        def _step(self, state, X, y, *args, **kwargs):
            loss = super()._step(state, X, y, *args, **kwargs)
            dtypes = {key: val.dtype for key, val in state.items() if val.dtype.kind == "f"}
            dtypes.update(X=X.dtype, y=y.dtype, loss=loss.dtype, w=self._coef(state, args[0]).dtype)
            seen.append(dtypes)
            return loss

    return Spy


@pytest.mark.parametrize("name", ITERATIVE)
@pytest.mark.parametrize("groups", [4, [2, 6, 4, 4, 8, 4, 4]], ids=["equal", "unequal"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_step_computes_in_the_requested_dtype(name, groups, dtype):
    # A float64 scalar or constant mixed into a step would upcast the state (and every later
    # product) to float64 silently: the state after every step must still be float32.
    X, y, Xv, yv, ws = stacked(32, 32, 4, 2, trials=2)
    seen = []
    est = spy(REGISTRY[name], seen)(groups=groups, dtype=dtype, max_iter=30,
                                    record=["coef"])
    results = est.fit_batch(X, y, Xv, yv, ws)
    assert len(seen) == 30
    assert {dt for step in seen for dt in step.values()} == {np.dtype(dtype)}
    assert {"X", "y", "loss", "w", "u", "v"} <= set(seen[0])
    for r in results:  # what is recorded stays float64 whatever the arithmetic
        for coef in (r.coef_oracle, r.coef_validation, r.coef_final):
            assert coef.dtype == np.float64
        for key in ("oracle_error", "val_loss", "coef"):
            assert r.path[key].dtype == np.float64, key
        assert all(type(v) is float for v in r.resolved.values())


def test_float32_results_are_the_float32_iterates_in_float64():
    # The recorded estimate is the float32 iterate widened (exactly representable), and the
    # recorded oracle error is computed from it in float64 (from the float64 w*).
    X, y, Xv, yv, ws = stacked(48, 64, 4, 2, trials=2)
    (r,) = make_method("dglnn2", {"dtype": "float32"}, groups=4).fit_batch(
        X[:1], y[:1], Xv[:1], yv[:1], ws[:1])
    assert np.array_equal(r.coef_oracle.astype(np.float32).astype(np.float64), r.coef_oracle)
    k = list(r.path["iteration"]).index(r.oracle_iteration)
    # (an error computed in float32 would differ by ~1e-7 relative)
    assert r.path["oracle_error"][k] == pytest.approx(np.linalg.norm(r.coef_oracle - ws[0]),
                                                      rel=1e-12)


def test_dtype_is_an_estimator_parameter():
    est = make_method("dglnn2", {"dtype": "float32"})
    assert est.get_params()["dtype"] == "float32"
    assert all(REGISTRY[name]().get_params()["dtype"] == "float64" for name in ITERATIVE)
    from sklearn.base import clone

    assert clone(est).dtype == "float32"


@pytest.mark.parametrize("value", ["float16", "single", 32])
def test_bad_dtype_is_refused_naming_the_parameter_and_value(value):
    with pytest.raises(MethodError) as info:
        make_method("hadamard", {"dtype": value})
    message = str(info.value)
    assert "'dtype'" in message and repr(value) in message and "float32" in message
    assert "\n" not in message


@pytest.mark.parametrize("name", PATH_METHODS)
def test_path_methods_refuse_float32_by_name(name):
    with pytest.raises(MethodError) as info:
        make_method(name, {"dtype": "float32"})
    message = str(info.value)
    assert f"method {name!r} computes in float64 only" in message
    assert "dtype='float32' is not supported" in message and "\n" not in message
    # float64, what they compute in anyway, is accepted (a config may set it everywhere)
    if name != "sklearn":
        assert "dtype" not in make_method(name, {"dtype": "float64"}).get_params()


def test_study_config_with_float32(tmp_path):
    config = yaml.safe_load((ROOT / "config" / "float32.yaml").read_text())
    loaded = load_config(config)
    assert loaded["methods"]["dglnn2"]["dtype"] == "float32"
    config["methods"]["group_lasso"] = {"dtype": "float32"}
    with pytest.raises(ConfigError, match=r"config key 'methods.group_lasso': method "
                                          r"'group_lasso' computes in float64 only"):
        load_config(config)
    config["methods"]["group_lasso"] = {"dtype": "half"}
    with pytest.raises(ConfigError, match=r"'methods.group_lasso'.*dtype='half'"):
        load_config(config)


def test_cli_param_dtype_float32(capsys):
    args = ["fit", "--method", "hadamard", "--n", "48", "--p", "64", "--group-size", "4",
            "--active-groups", "2", "--seed", "3"]
    outs = []
    for extra in ([], ["--param", "dtype=float32"]):
        assert main(args + extra) == 0
        outs.append(json.loads(capsys.readouterr().out))
    f64, f32 = outs
    assert f32["params"]["dtype"] == "float32" and f32["status"] == "ok"
    assert f32["rel_error_oracle"] < 0.05 and f64["rel_error_oracle"] < 0.05
    assert abs(f32["rel_error_oracle"] - f64["rel_error_oracle"]) < 1e-2
    assert main(args + ["--param", "dtype=float16"]) != 0
    err = capsys.readouterr().err
    assert "'dtype'" in err and "float16" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["dglnn2", "hadamard"])
def test_float32_sweep_equals_separate_float32_fits(name):
    # A sweep shares the float32 designs between its settings (X times a p x K matrix in
    # float32): its fits equal the separate float32 fits up to the products' rounding.
    from gsbench.methods import fit_sweep

    X, y, Xv, yv, ws = stacked(48, 64, 4, 2, trials=2)
    base = {"dtype": "float32", "max_iter": 200, "patience": 10**6, "interpolation_tol": None}
    settings = [{"alpha": a} for a in (1e-6, 1e-4)] if name == "dglnn2" else \
        [{"alpha": a} for a in (1e-4, 1e-2)]
    swept = fit_sweep(make_method(name, base, groups=4), settings, X, y, Xv, yv, ws)
    for setting, results in zip(settings, swept):
        alone = make_method(name, {**base, **setting}, groups=4).fit_batch(X, y, Xv, yv, ws)
        for a, b in zip(results, alone):
            assert a.coef_final.dtype == np.float64
            assert np.abs(a.coef_final - b.coef_final).max() < 1e-4 * np.abs(b.coef_final).max()
