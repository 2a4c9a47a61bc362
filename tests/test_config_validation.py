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
    ("study", "my study", "config key 'study': 'my study' does not match"),
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
