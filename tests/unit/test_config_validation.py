"""Invalid study configurations are stopped before any job, naming the key and the value."""

import copy

import pytest
import yaml

from gsbench.study import ConfigError, expand_cells, load_config
from workflow_helpers import ROOT, smoke_config


def with_change(path: str, value):
    """The smoke config with ``path`` (dotted) set to ``value`` (or deleted if value is DELETE)."""
    config = copy.deepcopy(smoke_config())
    *parents, last = path.split(".")
    node = config
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return config


DELETE = object()

CASES = [
    ("bogus", 1, "config key '<top level>': Additional properties are not allowed ('bogus' was unexpected)"),
    ("grid.q", [1], "config key 'grid': Additional properties are not allowed ('q' was unexpected)"),
    ("grid.n", DELETE, "config key 'grid': 'n' is a required property"),
    ("trials", DELETE, "'trials' is a required property"),
    ("trials", "ten", "config key 'trials': 'ten' is not of type 'integer'"),
    ("trials", 0, "config key 'trials': 0 is less than the minimum of 1"),
    ("grid.n", [], "config key 'grid.n': [] should be non-empty"),
    ("grid.n", [16, 0], "config key 'grid.n[1]': 0 is less than the minimum of 1"),
    ("grid.n", [-8], "config key 'grid.n[0]': -8 is less than the minimum of 1"),
    ("grid.n", 16, "config key 'grid.n': 16 is not of type 'array'"),
    ("grid.p", [64.5], "config key 'grid.p[0]': 64.5 is not of type 'integer'"),
    ("grid.sigma", [-0.1], "config key 'grid.sigma[0]': -0.1 is less than the minimum of 0"),
    ("grid.design", ["sparse"], "config key 'grid.design[0]': 'sparse' is not one of"),
    ("grid.active_groups", [2, 2], "config key 'grid.active_groups': [2, 2] has non-unique elements"),
    ("methods", {}, "config key 'methods': {} should be non-empty"),
    ("methods", {"nope": {}}, "config key 'methods.nope': unknown method 'nope'"),
    ("methods", {"x": {"method": "nope"}}, "config key 'methods.x': unknown method 'nope'"),
    ("methods", {"dglnn2": {"alpah": 1e-6}}, "config key 'methods.dglnn2': unknown parameter 'alpah' for method 'dglnn2'"),
    ("methods", {"dglnn2": {"alpha": -1.0}}, "config key 'methods.dglnn2': .*'alpha' parameter .* Got -1.0"),
    ("methods", {"hadamard": {"preset": "fast"}}, "config key 'methods.hadamard': method 'hadamard' has no preset 'fast'"),
    ("methods", {"dglnn2": {"groups": 4}}, "config key 'methods.dglnn2.groups': groups come from the grid"),
    ("methods", {"dglnn2": []}, "config key 'methods.dglnn2': \\[\\] is not of type 'object', 'null'"),
    ("success.threshold", 0, "config key 'success.threshold': 0 is less than or equal to the minimum of 0"),
    ("success.threshold", 1.5, "config key 'success.threshold': 1.5 is greater than the maximum of 1"),
    ("success.metric", "rel_error", "config key 'success.metric': 'rel_error' is not one of"),
    ("study", "my study", "config key 'study': 'my study' is not allowed: use letters, digits"),
    # names that escape results/ or break the wildcard regex
    ("study", "..", "config key 'study': '..' is not allowed: use letters, digits, '_', '-' and '.', starting with a letter or digit"),
    ("study", ".", "config key 'study': '.' is not allowed"),
    ("methods", {"../x": {"method": "lasso"}}, "config key 'methods': '../x' is not allowed: use letters, digits, '_' and '-', starting with a letter or digit"),
    ("methods", {"a|b": {"method": "lasso"}}, "config key 'methods': 'a|b' is not allowed"),
    # types, finiteness and ranges
    ("trials", 2.0, "config key 'trials': 2.0 is not of type 'integer'"),
    ("grid.sigma", [float("inf")], "config key 'grid.sigma[0]': inf is not a finite number"),
    ("grid.sigma", [float("nan")], "config key 'grid.sigma[0]': nan is not a finite number"),
    ("grid.sigma", [1e308], "config key 'grid.sigma[0]': sigma must be finite and at most 1e+100 in magnitude, got 1e+308"),
    ("problem", {"amplitude": float("inf")}, "config key 'problem.amplitude': inf is not a finite number"),
    ("problem", {"amplitude": 1e200}, "config key 'problem.amplitude': amplitude must be finite and at most 1e+100"),
    ("success.threshold", float("nan"), "config key 'success.threshold': nan is not a finite number"),
    ("problem", {"signal_range": [13, 5]}, "config key 'problem.signal_range': signal_range must have low <= high, got [13, 5]"),
    ("problem", {"signal_range": [float("nan"), 5]}, "config key 'problem.signal_range[0]': nan is not a finite number"),
    # a zero signal is no recovery problem
    ("problem", {"signal": "uniform", "signal_range": [0, 0]}, "config key 'problem.signal_range': signal_range (0, 0) draws a zero signal"),
    ("problem", {"amplitude": 0}, "config key 'problem.amplitude': 0 is less than or equal to the minimum of 0"),
    ("grid.active_groups", [0], "config key 'grid.active_groups[0]': 0 is less than the minimum of 1"),
    # nothing to run, or far too much
    ("grid.group_size", [3], "config key 'grid': every grid cell is impossible, nothing to run (18 skipped, e.g. p64_g3_s1_n8_sigma0_rademacher (group_size=3 does not divide p=64))"),
    ("trials", 100_000_000, "config key 'max_fits': the study has 10,800,000,000 fits (36 cells x 100000000 trials x 3 methods) in 3 jobs; "),
    ("grid.n", [10**9], "config key 'grid': grid cell p64_g1_s1_n1000000000_sigma0_rademacher (4 trials in one batch) needs about 9.22 TB of memory, but only"),
    ("jobs_per_method", 0, "config key 'jobs_per_method': 0 is less than the minimum of 1"),
    ("plugins", ["no_such_module_xyz"], "config key 'plugins\\[0\\]': cannot import 'no_such_module_xyz'"),
]


def case_id(case) -> str:
    path, value, _ = case
    return f"{path}={'<deleted>' if value is DELETE else repr(value)}"[:40]


@pytest.mark.parametrize("path, value, message", CASES, ids=[case_id(c) for c in CASES])
def test_invalid_config_names_key_and_value(path, value, message):
    with pytest.raises(ConfigError, match=message if "\\" in message or ".*" in message else None) as info:
        load_config(with_change(path, value))
    if "\\" not in message and ".*" not in message:
        assert message in str(info.value)


def test_unreadable_and_non_mapping_configs(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config file .*missing.yaml"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("grid: [unclosed\n")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_config(bad)
    bad.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="config must be a mapping, got list"):
        load_config(bad)


@pytest.mark.slow  # paper.yaml's memory check builds each method once per cell (~90,000 times)
def test_shipped_configs_are_valid_and_defaults_are_filled():
    for name in ("config.yaml", "smoke.yaml", "paper.yaml"):
        config = load_config(ROOT / "config" / name)
        assert config["success"]["metric"] in ("rel_error_oracle", "rel_error_validation")
        assert config["jobs_per_method"] >= 1 and config["bootstrap"] >= 10
    minimal = yaml.safe_load("grid: {p: [8], group_size: [2], active_groups: [1], n: [4]}\n"
                             "trials: 1\nmethods: {lasso: }\n")
    config = load_config(minimal)
    assert config["study"] == "default" and config["grid"]["sigma"] == [0.0]
    assert config["success"] == {"metric": "rel_error_oracle", "threshold": 0.05}


def test_impossible_cells_are_skipped_with_a_reason(capsys):
    from gsbench.study import warn_skipped

    config = load_config(with_change("grid.active_groups", [1, 20]))
    cells, skipped = expand_cells(config)
    assert all(c.active_groups == 1 or c.group_size == 1 for c in cells)
    assert skipped and all("s=20 > p/group_size=16" in s for s in skipped)
    warn_skipped(skipped)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"skipping {len(skipped)} impossible grid cell(s)" in err


def test_schema_defaults_are_the_problem_defaults():
    """The schema's problem defaults and ProblemOptions are one fact: they feed every seed."""
    from dataclasses import asdict

    from gsbench.problems import DEFAULTS
    from gsbench.study.config import schema

    props = schema()["properties"]
    defaults = asdict(DEFAULTS)
    assert props["grid"]["properties"]["sigma"]["default"] == [defaults.pop("sigma")]
    assert props["grid"]["properties"]["design"]["default"] == [defaults.pop("design")]
    for axis in ("decoy_rho", "decoy_layout"):
        assert props["grid"]["properties"][axis]["default"] == [defaults.pop(axis)]
    problem = {k: v["default"] for k, v in props["problem"]["properties"].items()}
    defaults["signal_range"] = list(defaults["signal_range"])
    assert problem == defaults


def test_max_fits_is_the_documented_limit_and_can_be_raised():
    config = with_change("trials", 100_000)
    with pytest.raises(ConfigError, match="more than max_fits=1,000,000; reduce the grid or "
                                          "trials, or raise max_fits to run it"):
        load_config(config)
    config["max_fits"] = 20_000_000
    assert load_config(config)["trials"] == 100_000


def test_plugin_raising_at_import_is_a_config_error(tmp_path, monkeypatch):
    (tmp_path / "broken_plugin_xyz.py").write_text("raise RuntimeError('no GPU found')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ConfigError, match=r"^config key 'plugins\[0\]': cannot import "
                                          r"'broken_plugin_xyz' \(RuntimeError: no GPU found\)$"):
        load_config(with_change("plugins", ["broken_plugin_xyz"]))


def test_yaml_duplicate_keys_are_rejected_naming_the_key(tmp_path):
    path = tmp_path / "dup.yaml"
    text = (ROOT / "config" / "smoke.yaml").read_text()
    path.write_text(text.replace("trials: 4", "trials: 4\ntrials: 8"))
    with pytest.raises(ConfigError, match=r"config file .*dup.yaml: config key 'trials' appears "
                                          r"twice in one mapping \(line 11\); keep one"):
        load_config(path)
    path.write_text(text.replace("  p: [64]", "  p: [64]\n  p: [32]"))
    with pytest.raises(ConfigError, match="config key 'p' appears twice"):
        load_config(path)


def test_yaml_exponent_strings_are_float_hyperparameters(tmp_path):
    path = tmp_path / "exp.yaml"
    text = (ROOT / "config" / "smoke.yaml").read_text()
    path.write_text(text.replace("dglnn2: {}", "dglnn2: {alpha: 1e-6, v_step: u2}"))
    assert yaml.safe_load(path.read_text())["methods"]["dglnn2"]["alpha"] == "1e-6"  # YAML 1.1
    config = load_config(path)
    assert config["methods"]["dglnn2"] == {"alpha": 1e-6, "v_step": "u2"}
    from gsbench.study import method_specs

    assert method_specs(config)["dglnn2"] == ("dglnn2", None, {"alpha": 1e-6, "v_step": "u2"})
    path.write_text(text.replace("dglnn2: {}", "dglnn2: {alpha: nan}"))
    with pytest.raises(ConfigError, match="config key 'methods.dglnn2'"):
        load_config(path)


def test_schema_metrics_are_the_error_columns():
    from gsbench.results_schema import ERROR_FIELDS, ROW_SCHEMA
    from gsbench.study.config import schema

    metric = schema()["properties"]["success"]["properties"]["metric"]
    assert metric["enum"] == list(ERROR_FIELDS) and metric["default"] in ERROR_FIELDS
    assert set(ERROR_FIELDS) <= set(ROW_SCHEMA)


def test_schema_is_package_data_and_the_workflow_reads_the_same_file():
    from gsbench.study.config import SCHEMA_PATH

    assert SCHEMA_PATH.is_file() and "gsbench/data" in str(SCHEMA_PATH).replace("\\", "/")
    assert (ROOT / "workflow" / "schemas" / "config.schema.yaml").samefile(SCHEMA_PATH)
