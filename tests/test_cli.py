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
    (["--method", "lasso", "--preset", "paper"], "method 'lasso' has no preset 'paper'"),
])
def test_errors_exit_nonzero_with_one_line_naming_the_value(args, message, capsys):
    argv = BASE[:1] + args[:2] + BASE[1:] + args[2:]
    # later flags win, so the overrides in args replace BASE's values
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    import re

    assert re.search(message, err), err


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
