"""`gsbench methods` and `gsbench fit`, as a user runs them."""

import json
import subprocess
import sys

import numpy as np
import pytest

from gsbench.cli import main
from gsbench.methods import REGISTRY
from gsbench.problems import make_problem

BASE = ["fit", "--n", "40", "--p", "60", "--group-size", "3", "--active-groups", "2"]


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_methods_lists_every_registered_method(capsys):
    code, out, _ = run(["methods"], capsys)
    assert code == 0
    lines = out.strip().splitlines()
    assert [line.split()[0] for line in lines] == sorted(REGISTRY)
    assert all(len(line.split(None, 1)) == 2 for line in lines)


def test_fit_prints_one_json_object_with_every_field(tmp_path, capsys):
    prob, coef = tmp_path / "p.npz", tmp_path / "c.npy"
    code, out, _ = run(BASE[:1] + ["--method", "dglnn2"] + BASE[1:] + [
        "--sigma", "0.1", "--seed", "4", "--param", "tau=0.01", "--param", "v_step=u4",
        "--save-problem", str(prob), "--save-coef", str(coef)], capsys)
    assert code == 0
    result = json.loads(out)
    for key in ("method", "n", "p", "group_size", "active_groups", "sigma", "design", "seed",
                "rel_error_oracle", "rel_error_validation", "rel_error_final",
                "support_precision", "support_recall", "stop_iteration", "iterations",
                "seconds", "status", "params", "resolved"):
        assert key in result, key
    assert result["status"] == "ok" and result["method"] == "dglnn2" and result["seed"] == 4
    assert result["params"]["tau"] == 0.01 and result["params"]["v_step"] == "u4"
    assert result["resolved"]["step_u"] > 0  # data-derived value reported
    assert result["rel_error_oracle"] < 0.1
    saved = np.load(prob)
    expected = make_problem(40, 60, 3, 2, sigma=0.1, seed=4)
    for name in ("X", "y", "w_star", "groups", "X_val", "y_val"):
        assert np.array_equal(saved[name], getattr(expected, name))
    w = np.load(coef)
    err = np.linalg.norm(w - expected.w_star) / np.linalg.norm(expected.w_star)
    assert err == pytest.approx(result["rel_error_validation"])


@pytest.mark.parametrize("args, message", [
    (["--method", "nope"], "unknown method 'nope'"),
    (["--method", "dglnn2", "--active-groups", "21"], "active_groups=21 is impossible with 20 groups"),
    (["--method", "dglnn2", "--group-size", "30,20"], r"sum to 50, not p=60"),
    (["--method", "dglnn2", "--sigma", "-0.5"], "sigma must be >= 0, got -0.5"),
    (["--method", "dglnn2", "--param", "foo=1"], "unknown parameter 'foo' for method 'dglnn2'"),
    (["--method", "dglnn2", "--param", "alpha=-1"], "'alpha' parameter of dglnn2 .* Got -1"),
    (["--method", "dglnn2", "--param", "alpha"], "--param expects key=value, got 'alpha'"),
    (["--method", "dglnn2", "--bogus", "3"], "unrecognized arguments: --bogus 3"),
    (["--method", "dglnn2", "--design", "sparse"], "design must be one of .* got 'sparse'"),
    (["--method", "lasso", "--design", "decoy", "--decoy-rho", "1.5"], r"--decoy-rho: decoy_rho must lie in \[0, 1\], got 1.5"),
    (["--method", "lasso", "--design", "decoy", "--decoy-layout", "diagonal"], "--decoy-layout: decoy_layout must be one of .* got 'diagonal'"),
    (["--method", "lasso", "--preset", "paper"], "method 'lasso' has no preset 'paper'"),
    # a zero signal is refused, not reported as perfect recovery
    (["--method", "lasso", "--active-groups", "0"], "--active-groups: active_groups must be >= 1 .w. = 0 is not a signal., got 0"),
    (["--method", "lasso", "--amplitude", "0"], "--amplitude: amplitude must be non-zero"),
    (["--method", "lasso", "--signal", "values", "--values", "0,0,0,0,0,0"], "--values: values are all zero"),
    (["--method", "lasso", "--signal", "uniform", "--signal-range", "0,0"], r"--signal-range: signal_range \(0, 0\) draws a zero signal"),
    # non-finite, overflowing and reversed values name the flag
    (["--method", "lasso", "--sigma", "1e308"], r"--sigma: sigma must be finite and at most 1e\+100 in magnitude, got 1e\+308"),
    (["--method", "lasso", "--amplitude", "nan"], "--amplitude: amplitude must be finite .* got nan"),
    (["--method", "lasso", "--amplitude", "inf"], "--amplitude: amplitude must be finite .* got inf"),
    (["--method", "lasso", "--amplitude", "1e200"], "--amplitude: amplitude must be finite .* got 1e\\+200"),
    (["--method", "lasso", "--signal", "values", "--values", "nan,1,1,1,1,1"], "--values: values must be finite numbers"),
    (["--method", "lasso", "--signal", "uniform", "--signal-range", "13,5"], r"--signal-range: signal_range must have low <= high, got \[13.0, 5.0\]"),
    (["--method", "lasso", "--signal", "uniform", "--signal-range", "nan,5"], r"--signal-range: signal_range must be two finite numbers"),
    # a problem that cannot fit in memory stops before drawing
    (["--method", "lasso", "--n", "200000", "--p", "100000", "--group-size", "10"], r"a problem with n=200000, n_val=200000, p=100000 needs about 640 GB of memory, but only .* is available"),
])
def test_errors_exit_nonzero_with_one_line_naming_the_value(args, message, capsys):
    argv = BASE[:1] + args[:2] + BASE[1:] + args[2:]
    # later flags win, so the overrides in args replace BASE's values
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    import re

    assert re.search(message, err), err


def test_fit_draws_the_decoy_design_its_flags_name(tmp_path, capsys):
    prob = tmp_path / "p.npz"
    code, out, _ = run(BASE[:1] + ["--method", "lasso"] + BASE[1:] + [
        "--design", "decoy", "--decoy-rho", "0.4", "--decoy-layout", "aligned", "--seed", "2",
        "--save-problem", str(prob)], capsys)
    assert code == 0
    result = json.loads(out)
    assert (result["decoy_rho"], result["decoy_layout"]) == (0.4, "aligned")
    expected = make_problem(40, 60, 3, 2, design="decoy", decoy_rho=0.4, decoy_layout="aligned",
                            seed=2)
    assert np.array_equal(np.load(prob)["X"], expected.X)
    plain = make_problem(40, 60, 3, 2, design="decoy", decoy_rho=0.0, seed=2)
    assert not np.array_equal(expected.X, plain.X)  # the flags reached the draw


@pytest.mark.slow  # starts two Python processes
def test_console_script_runs(venv_bin):
    proc = subprocess.run([str(venv_bin / "gsbench"), "methods"], capture_output=True, text=True)
    assert proc.returncode == 0 and "dglnn2" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "gsbench.cli", "fit", "--method", "x"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("gsbench: error:")


def test_study_validate_lists_cells_and_jobs(root, tmp_path, capsys):
    code, out, err = run(["study", "validate", "--config", str(root / "config" / "smoke.yaml")], capsys)
    assert code == 0
    assert "study 'smoke', 36 cells x 4 trials" in out and "3 fit jobs" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text((root / "config" / "smoke.yaml").read_text().replace("trials: 4", "trials: -1"))
    code, out, err = run(["study", "validate", "--config", str(bad)], capsys)
    assert code == 2 and "config key 'trials': -1 is less than the minimum of 1" in err


def strict_json(text: str):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_failed_fit_prints_valid_json_with_null_and_exits_3(capsys, monkeypatch):
    """NaN is not JSON: a failed fit prints null errors and exits 3, never a success."""
    from gsbench.methods import make_method

    def boom(self, *args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(type(make_method("lasso")), "fit_batch", boom)
    code, out, err = run(BASE[:1] + ["--method", "lasso"] + BASE[1:], capsys)
    result = strict_json(out)
    assert code == 3 and err == ""
    assert result["status"] == "failed" and "RuntimeError: solver exploded" in result["message"]
    assert result["rel_error_oracle"] is None and result["support_recall"] is None


def test_successful_fit_exits_0_with_strict_json(capsys):
    code, out, _ = run(BASE[:1] + ["--method", "lasso"] + BASE[1:], capsys)
    assert code == 0 and strict_json(out)["status"] == "ok"


def test_internal_errors_keep_their_traceback(monkeypatch):
    """Only user errors become one-line messages; a bug keeps its traceback."""
    import gsbench.cli

    def bug(**kwargs):
        raise ValueError("operands could not be broadcast together")

    monkeypatch.setattr(gsbench.cli, "make_problem", bug)
    with pytest.raises(ValueError, match="broadcast"):
        main(BASE[:1] + ["--method", "lasso"] + BASE[1:])


def test_study_validate_prints_fits_time_and_disk(root, capsys):
    code, out, _ = run(["study", "validate", "--config", str(root / "config" / "smoke.yaml")], capsys)
    assert code == 0
    assert ("study 'smoke': 432 fits (36 cells x 4 trials x 3 methods) in 3 jobs; "
            in out) and "CPU-" in out and "kB of results" in out


def test_study_run_refuses_while_locked_then_runs_snakemake(root, tmp_path, monkeypatch, capsys):
    """A second run on a locked directory stops with one line before starting snakemake."""
    import gsbench.study.cli as study_cli

    calls = []
    monkeypatch.setattr(study_cli, "run_until_done", lambda cmd, unlock=None: calls.append(cmd) or 0)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Snakefile").write_text("")
    (tmp_path / ".snakemake" / "locks").mkdir(parents=True)
    (tmp_path / ".snakemake" / "locks" / "0.output.lock").write_text("results/smoke/x\n")
    config = str(root / "config" / "smoke.yaml")
    code, out, err = run(["study", "run", "--config", config], capsys)
    assert code == 2 and calls == []
    assert "another snakemake run holds the lock" in err and "snakemake --unlock" in err
    assert len(err.strip().splitlines()) == 1
    (tmp_path / ".snakemake" / "locks" / "0.output.lock").unlink()
    code, out, err = run(["study", "run", "--config", config, "--cores", "1", "--", "-n"], capsys)
    assert code == 0 and len(calls) == 1
    assert calls[0][1:] == ["--workflow-profile", "workflow/profiles/default", "--configfile",
                            config, "--cores", "1", "-n"]
