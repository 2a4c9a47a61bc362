"""Hostile inputs: each bad input gets one line naming the
offending value and exit status 2 (``gsbench fit``, ``gsbench study validate``). (Ctrl-C on
``gsbench study run``: tests/workflow/test_study_run_interrupt.py.)"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gsbench.cli import main
from gsbench.methods import make_method
from gsbench.problems import ProblemError, make_problem
from gsbench.runner import batch_nbytes
from gsbench.study import ResultsSchemaError, check_results_files, load_config, write_checksum
from gsbench.study.io import check_results_file, write_table_atomic
from gsbench.study.plan import cell_nbytes
from gsbench.study.cells import expand_cells

FIT = ["fit", "--method", "lasso", "--n", "16", "--p", "16", "--group-size", "4",
       "--active-groups", "1"]
GRID = "grid: {p: [16], group_size: [4], active_groups: [1], n: [16]}\ntrials: 2\n"


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error(code, err, pattern):
    """Exit status 2 and one line on stderr that matches ``pattern``."""
    import re

    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and re.search(pattern, lines[0]), err


def validate(tmp_path, text, capsys, name="c.yaml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return run(["study", "validate", "--config", path], capsys)


# --- numerically zero signals -------------------------------------------------------------


@pytest.mark.parametrize("args, pattern", [
    (["--amplitude", "1e-200"], r"--amplitude: amplitude must be at least 1e-100 in magnitude .*"
                                r"got 1e-200"),
    (["--amplitude=-1e-120"], r"--amplitude: .*got -1e-120"),
    (["--signal", "uniform", "--signal-range", "0,1e-150"], r"--signal-range: .*reach 1e-100"),
])
def test_numerically_zero_signal_is_refused(args, pattern, capsys):
    one_error(*run(FIT + args, capsys)[::2], pattern)


def test_numerically_zero_signal_in_a_config(tmp_path, capsys):
    code, _, err = validate(tmp_path, GRID + "methods: {lasso: {}}\nproblem: {amplitude: 1.0e-200}\n",
                            capsys)
    one_error(code, err, r"config key 'problem.amplitude': amplitude must be at least 1e-100")


def test_values_that_underflow_are_refused():
    with pytest.raises(ProblemError, match="values must be 0 or at least 1e-100 .* got 1e-200"):
        make_problem(8, 4, 2, 1, signal="values", values=[1e-200, 0.0])
    pr = make_problem(8, 4, 2, 1, amplitude=1e-100)  # the smallest accepted: ||w*|| > 0
    assert np.linalg.norm(pr.w_star) > 0


# --- memory, max_iter and magnitudes --------------------------------------------------------


def test_memory_estimate_counts_the_recorded_path():
    small, big = make_method("dglnn2", {"max_iter": 1000}), make_method("dglnn2", {"max_iter": 10**10})
    # 10^10 / stride 10 records of four 8-byte numbers, twice (records and results): 64 GB
    assert batch_nbytes(big, 1, 16, 16) - batch_nbytes(small, 1, 16, 16) == pytest.approx(64e9, rel=1e-3)
    recorded = make_method("dglnn2", {"max_iter": 1000, "record": ["coef"]})
    assert recorded.fit_nbytes(3, 16, 16) - small.fit_nbytes(3, 16, 16) == 3 * 2 * 102 * 8 * 16
    config = load_config({"grid": {"p": [16], "group_size": [4], "active_groups": [1], "n": [16]},
                          "trials": 2, "methods": {"a": {"method": "dglnn2", "max_iter": 1000},
                                                   "lasso": {}}})
    (cell,), _ = expand_cells(config)
    assert cell_nbytes(cell, config) == cell_nbytes(cell, config, "a") > cell_nbytes(cell, config, "lasso")


def test_a_fit_whose_path_exceeds_memory_is_refused(capsys):
    code, out, err = run(FIT[:2] + ["dglnn2"] + FIT[3:] + ["--param", "max_iter=10000000000"], capsys)
    one_error(code, err, r"--method dglnn2 --param max_iter=10000000000 on n=16, p=16 needs about "
                         r"64 GB of memory, but only .* is available \(the path the fit records")
    assert out == ""


def test_a_study_whose_path_exceeds_memory_is_refused(tmp_path, capsys):
    code, _, err = validate(tmp_path, GRID + "methods: {dglnn2: {max_iter: 10000000000}}\n", capsys)
    one_error(code, err, r"config key 'methods.dglnn2': method 'dglnn2' on grid cell .* needs about "
                         r"128 GB of memory")


@pytest.mark.parametrize("param, pattern", [
    ("max_iter=100000000000000000000", r"'max_iter' parameter of dglnn2 must be an int in the "
                                       r"range \[1, 1000000000000\]"),
    ("alpha=1e200", r"parameter 'alpha' must be finite and at most 1e\+100 in magnitude, got 1e\+200"),
    ("alpha=.inf", r"parameter 'alpha' must be finite .* got inf"),
])
def test_huge_method_numbers_are_refused(param, pattern, capsys):
    one_error(*run(FIT[:2] + ["dglnn2"] + FIT[3:] + ["--param", param], capsys)[::2], pattern)


def test_huge_numbers_nested_in_a_method_entry_are_refused(tmp_path, capsys):
    code, _, err = validate(tmp_path, GRID + "methods: {x: {estimator: sklearn.linear_model.Lasso,"
                                             " path: {alpha: [1.0e+300]}}}\n", capsys)
    one_error(code, err, r"config key 'methods.x': .*parameter 'path.alpha\[0\]' must be finite")


# --- config files ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, pattern", [
    (GRID + "methods: {dglnn2: {sweep: {alpha: [.inf]}}}\n",
     r"config key 'methods.dglnn2.sweep.alpha': value inf is not a finite number"),
    (GRID + "methods:\n  123: {method: lasso}\n",
     r"config key 'methods.123': keys must be text, got the int 123; quote it \('123':\)"),
    (f"study: {'x' * 300}\n" + GRID + "methods: {lasso: {}}\n",
     r"config key 'study': 'x{40}'... has 300 characters, at most 100"),
    (GRID + "methods: {lasso: {}}\nbootstrap: 1000000000\n",
     r"config key 'bootstrap': 1000000000 is greater than the maximum of 100000"),
    (GRID + "methods: {lasso: {}}\njobs_per_method: 1000000000\n",
     r"config key 'jobs_per_method': 1000000000 is greater than the maximum of 10000"),
    (GRID.encode() + b"methods: {lasso: {}}\n# caf\xe9\n",
     r"config file .*c.yaml is not UTF-8 text \(byte 0xe9 at offset \d+\); save it as UTF-8"),
])
def test_bad_config_files(tmp_path, text, pattern, capsys):
    one_error(*validate(tmp_path, text, capsys)[::2], pattern)


def test_a_long_sweep_label_is_refused(tmp_path, capsys):
    values = ", ".join(f"{v}.0e-9" for v in range(1, 4))
    text = GRID + f"methods:\n  {'d' * 190}: {{method: dglnn2, sweep: {{step_u: [{values}]}}}}\n"
    one_error(*validate(tmp_path, text, capsys)[::2],
              r"config key 'methods.d{40}...': label of \d+ characters \(after sweeps\); at most 200")


def test_yaml_merge_keys_are_read(tmp_path, capsys):
    text = GRID + "methods:\n  dglnn2: &fast {max_iter: 100}\n  slow:\n    <<: *fast\n" \
                  "    method: dglnn2\n    max_iter: 200\n"
    path = tmp_path / "merge.yaml"
    path.write_text(text)
    config = load_config(path)
    assert config["methods"]["slow"] == {"method": "dglnn2", "max_iter": 200}
    path.write_text(text.replace("    max_iter: 200\n", "    max_iter: 200\n    max_iter: 300\n"))
    code, _, err = run(["study", "validate", "--config", path], capsys)
    one_error(code, err, r"config key 'max_iter' appears twice in one mapping")


# --- decoy settings -------------------------------------------------------------------------


@pytest.mark.parametrize("args, pattern", [
    (["--active-groups", "4", "--design", "decoy"],
     r"^gsbench: error: --active-groups: design 'decoy' needs an inactive group to hold decoys, "
     r"but all 4 groups are active \(active_groups=4\)$"),
    (["--active-groups", "2", "--design", "decoy", "--decoy-groups", "3"],
     r"--decoy-groups: decoy_groups=3 is impossible with 2 inactive groups"),
    (["--active-groups", "1", "--decoy-rho", "0.5"],
     r"--decoy-rho 0.5 applies only to --design decoy \(got --design rademacher\)"),
    (["--active-groups", "1", "--decoy-layout", "aligned"], r"--decoy-layout aligned applies only"),
])
def test_impossible_decoy_settings_on_the_command_line(args, pattern, capsys):
    base = [a for a in FIT if a not in ("--active-groups", "1")]
    one_error(*run(base + args, capsys)[::2], pattern)


def test_impossible_decoy_cells_are_skipped_or_refused_at_validation(tmp_path, capsys):
    grid = "grid: {p: [16], group_size: [4], active_groups: [%s], n: [16], design: [decoy]}\n"
    code, _, err = validate(tmp_path, grid % "4" + "trials: 2\nmethods: {lasso: {}}\n", capsys)
    one_error(code, err, r"every grid cell is impossible.*all 4 groups are active")
    code, out, err = validate(tmp_path, grid % "1, 2" + "trials: 2\nmethods: {lasso: {}}\n"
                              "problem: {decoy_groups: 3}\n", capsys)
    assert code == 0 and "1 cells" in out
    assert "problem.decoy_groups=3 is impossible with 2 inactive groups" in err


# --- results files, output ------------------------------------------------------------------


def test_a_fit_file_without_its_checksum_is_refused(tmp_path):
    path = tmp_path / "fits" / "lasso" / "chunk00.parquet"
    write_table_atomic(pd.DataFrame({"a": [1.0]}), path)
    write_checksum(path)
    check_results_files(tmp_path / "fits")
    write_table_atomic(pd.DataFrame({"a": [2.0]}), path)  # edited ...
    Path(f"{path}.sha256").unlink()  # ... and its checksum deleted
    check_results_file(path)  # a table without a checksum (trials.parquet) is fine
    with pytest.raises(ResultsSchemaError, match=r"chunk00.parquet has no checksum "
                                                 r"chunk00.parquet.sha256 .* delete it"):
        check_results_files(tmp_path / "fits")


def test_results_honour_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_table_atomic(pd.DataFrame({"a": [1.0]}), tmp_path / "t.parquet")
        write_table_atomic(pd.DataFrame({"a": [1.0]}), tmp_path / "t.csv")
        os.umask(0o077)
        write_table_atomic(pd.DataFrame({"a": [1.0]}), tmp_path / "private.csv")
    finally:
        os.umask(old)
    assert (tmp_path / "t.parquet").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "t.csv").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "private.csv").stat().st_mode & 0o777 == 0o600


def test_save_files_have_exactly_the_names_given(tmp_path, capsys):
    coef, prob = tmp_path / "coef", tmp_path / "problem.data"
    code, _, err = run(FIT + ["--save-coef", coef, "--save-problem", prob], capsys)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coef", "problem.data"]
    assert np.load(coef).shape == (16,) and np.load(prob)["X"].shape == (16, 16)
    one_error(*run(FIT + ["--save-coef", tmp_path], capsys)[::2],
              rf"--save-coef: {tmp_path} is a directory; give a file name, e.g. .*coef.npy")


def test_fit_into_a_closed_pipe_ends_quietly():
    exe = Path(sys.executable).parent / "gsbench"
    proc = subprocess.Popen([str(exe), *FIT], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader (`head`) has gone
    _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err.decode()
    assert proc.returncode == 0


# --- estimator: entries ---------------------------------------------------------------------


def test_estimator_modules_from_the_working_directory_are_not_imported(tmp_path, monkeypatch,
                                                                       capsys):
    (tmp_path / "stray_estimator_mod.py").write_text(
        "open('RAN', 'w').write('top-level code ran')\nclass Est:\n    pass\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # as `python -m`, `python -c` and snakemake do
    code, _, err = validate(tmp_path, GRID + "methods: {x: {estimator: stray_estimator_mod.Est}}\n",
                            capsys)
    one_error(code, err, r"config key 'methods.x': .*module 'stray_estimator_mod' would be "
                         r"imported from the working directory")
    assert not (tmp_path / "RAN").exists() and "stray_estimator_mod" not in sys.modules


@pytest.mark.parametrize("estimator, pattern", [
    ("sklearn.linear_model.LogisticRegression", "is a classifier; a regressor is needed"),
    ("sklearn.tree.DecisionTreeRegressor", "has no coef_ after fit; a linear regressor is needed"),
    ("sklearn.cluster.KMeans", "has no coef_ after fit"),
    ("nonexistent_pkg_xyz.Est", "no installed package or configured plugin provides module "
                                "'nonexistent_pkg_xyz'"),
])
def test_estimators_that_cannot_fit_a_study_are_refused(estimator, pattern, tmp_path, capsys):
    code, _, err = validate(tmp_path, GRID + f"methods: {{x: {{estimator: {estimator}}}}}\n", capsys)
    one_error(code, err, rf"config key 'methods.x': .*{pattern}")


# --- Ctrl-C on gsbench study run ------------------------------------------------------------
