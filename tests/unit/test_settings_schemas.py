"""Every settings file goes through one reader and one schema check (gsbench.settings_files):
hostile claim and paper-figure settings are refused at load with a ConfigError naming the
key, and the packaged schemas accept the shipped files."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import yaml

from gsbench import paper_figures as pf
from gsbench.claims import load_settings as load_claims
from gsbench.claims import validate_settings as validate_claims
from gsbench.errors import ConfigError, UserError
from gsbench.settings_files import DATA, read_yaml

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
CLAIMS_FILE = ROOT / "config" / "claims.yaml"
PAPER_FILE = ROOT / "config" / "paper_figures.yaml"


@pytest.fixture(scope="module")
def claims() -> dict:
    return yaml.safe_load(CLAIMS_FILE.read_text())


@pytest.fixture(scope="module")
def paper() -> dict:
    return yaml.safe_load(PAPER_FILE.read_text())


def changed(settings: dict, key: str, value) -> dict:
    """A deep copy of `settings` with the dotted `key` set to `value` (list items by index)."""
    out = copy.deepcopy(settings)
    *parents, last = key.split(".")
    node = out
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return out


def test_shipped_files_load_and_keep_their_values(claims, paper):
    loaded = load_claims(CLAIMS_FILE)
    assert loaded["depth"]["problem"] == claims["depth"]["problem"]
    assert "hadamard_depth[depth=3,alpha=0.01]" in loaded["depth"]["methods"]  # sweeps expanded
    assert loaded["plot"]["dpi"] == claims["plot"]["dpi"]
    assert loaded["min_group_l12"]["gd"]["direction_seed"] == 0  # the schema's default
    figures = pf.load_settings(PAPER_FILE)
    assert figures == paper  # every key given: nothing filled in, nothing changed


def test_schemas_are_package_data():
    for name in ("config", "claims", "paper_figures", "regimes"):
        assert (DATA / f"{name}.schema.yaml").is_file(), name


HOSTILE_CLAIMS = [
    # (key, value, message)
    ("depth.designs.correlated.rho", 1.5,
     r"'depth\.designs\.correlated\.rho': 1\.5 is greater than or equal to the maximum of 1"),
    ("depth.designs.correlated.rho", math.nan, r"'depth\.designs\.correlated\.rho': nan is not a finite"),
    ("depth.problem.sigma", math.inf, r"'depth\.problem\.sigma': inf is not a finite number"),
    ("depth.designs.correlated.design", "wishart", r"'depth\.designs\.correlated\.design': 'wishart' is not one of"),
    ("min_l1.problem.design", "toeplitz", r"'min_l1\.problem\.design': 'toeplitz' is not one of"),
    ("min_l1.problem.sigma", -0.5, r"'min_l1\.problem\.sigma': -0\.5 is less than the minimum of 0"),
    ("early_stopping.sigmas.1", -0.25, r"'early_stopping\.sigmas\[1\]': -0\.25 is less than the minimum"),
    ("depth.problem.n", -80, r"'depth\.problem\.n': -80 is less than the minimum of 1"),
    ("recovery_rate.ns.0", 0, r"'recovery_rate\.ns\[0\]': 0 is less than the minimum of 1"),
    ("dglnn_rate.vary.n.0", -100, r"'dglnn_rate\.vary\.n\[0\]': -100 is less than the minimum"),
    ("depth.trials", 2.0, r"'depth\.trials': 2\.0 is not of type 'integer'"),
    ("min_l1.trials", 1, r"'min_l1\.trials': 1 is less than the minimum of 2"),
    ("bootstrap", -1, r"'bootstrap': -1 is less than the minimum of 0"),
    ("dglnn_rate.methods", {"dglnn2": {}, "no_such_method": {}},
     r"'dglnn_rate\.methods\.no_such_method': unknown method 'no_such_method'"),
    ("early_stopping.methods", {"h": {"method": "hadamard_dept", "depth": 2}},
     r"'early_stopping\.methods\.h': unknown method 'hadamard_dept'"),
    ("dglnn_rate.methods", {"dglnn2": {"learning_rat": 0.1}},
     r"'dglnn_rate\.methods\.dglnn2': unknown parameter 'learning_rat' for method 'dglnn2'"),
    ("depth.methods", {"hadamard_depth": {"sweep": {"depth": [2], "alfa": [0.1]}}},
     r"'depth\.methods\.hadamard_depth\[depth=2,alfa=0\.1\]': unknown parameter 'alfa'"),
    ("min_l1.methods", {"hadamard_depth": {"alpha": math.nan}}, r"'min_l1\.methods\.hadamard_depth'"),
    ("dglnn_rate.criteria.method", "lasso",
     r"'dglnn_rate\.criteria\.method': 'lasso' is not one of the section's methods"),
    ("depth.problem.signal_range", [13.0, 5.0], r"'depth\.problem\.signal_range'"),
    ("min_group_l12.gd.direction", "diagonal", r"'min_group_l12\.gd\.direction': 'diagonal' is not one of"),
]


@pytest.mark.parametrize("key, value, message", HOSTILE_CLAIMS)
def test_hostile_claim_settings_are_refused_naming_the_key(claims, key, value, message):
    with pytest.raises(ConfigError, match=r"^claim settings key " + message):
        validate_claims(changed(claims, key, value))


@pytest.mark.parametrize("where", ["<top level>", "depth", "depth.criteria", "min_group_l12.gd",
                                   "depth.problem", "plot"])
def test_extra_claim_keys_are_refused(claims, where):
    bad = copy.deepcopy(claims)
    node = bad
    if where != "<top level>":
        for part in where.split("."):
            node = node[part]
    node["typo_key"] = 1
    with pytest.raises(ConfigError, match=rf"^claim settings key '{where}': Additional properties "
                                          r"are not allowed \('typo_key' was unexpected\)"):
        validate_claims(bad)


def test_missing_claim_section_is_named(claims):
    bad = {k: v for k, v in claims.items() if k != "recovery_rate"}
    with pytest.raises(ConfigError, match=r"'<top level>': 'recovery_rate' is a required property"):
        validate_claims(bad)


def test_claim_settings_file_is_read_by_the_duplicate_key_reader(tmp_path):
    text = CLAIMS_FILE.read_text().replace("  trials: 12\n", "  trials: 12\n  trials: 3\n", 1)
    path = tmp_path / "claims.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"claim settings file .*claims\.yaml: claim settings key "
                                          r"'trials' appears twice in one mapping \(line \d+\)"):
        load_claims(path)
    with pytest.raises(ConfigError, match=r"cannot read claim settings file .*absent\.yaml"):
        load_claims(tmp_path / "absent.yaml")
    path.write_text("bootstrap: [1,\n")
    with pytest.raises(ConfigError, match=r"claim settings file .*claims\.yaml is not valid YAML"):
        load_claims(path)


def test_one_error_type_for_every_settings_file(tmp_path):
    from gsbench.claims import SettingsError as ClaimsError
    from gsbench.regimes.settings import SettingsError as RegimesError

    assert ClaimsError is pf.SettingsError is RegimesError is ConfigError
    assert issubclass(ConfigError, UserError) and issubclass(ConfigError, ValueError)


HOSTILE_FIGURES = [
    ("fig2.problem.sigma", -0.5, r"'fig2\.problem\.sigma': -0\.5 is less than the minimum of 0"),
    ("fig3.problem.design", "wishart", r"'fig3\.problem\.design': 'wishart' is not one of"),
    ("fig2.iterations", 0, r"'fig2\.iterations': 0 is less than the minimum of 1"),
    ("fig2.plot_iterations", 10, r"'fig2\.plot_iterations': 10 is below iterations \(20000\)"),
    ("fig5.repetitions", 0, r"'fig5\.repetitions': 0 is less than the minimum of 1"),
    ("fig2.method", "dglnn9", r"'fig2\.method': unknown method 'dglnn9'"),
    ("fig3.params", {"bogus": 1}, r"'fig3\.method': unknown parameter 'bogus' for method 'dglnn2'"),
    ("fig2.preset", "fastest", r"'fig2\.method': method 'dglnn1' has no preset 'fastest'"),
    ("fig5.reference_method", "no_such", r"'fig5\.reference_method': unknown method 'no_such'"),
    ("fig4.methods", {"dglnn2": {}}, r"'fig4\.methods': \{'dglnn2': \{\}\} does not have enough properties"),
    ("fig4.criteria.ratio", math.nan, r"'fig4\.criteria\.ratio': nan is not a finite number"),
    ("fig2.xscale", "symlog", r"'fig2\.xscale': 'symlog' is not one of"),
    ("fig2.extra", 1, r"'fig2': Additional properties are not allowed \('extra' was unexpected\)"),
]


@pytest.mark.parametrize("key, value, message", HOSTILE_FIGURES)
def test_hostile_paper_figure_settings_are_refused_naming_the_key(paper, tmp_path, key, value, message):
    path = tmp_path / "paper_figures.yaml"
    path.write_text(yaml.safe_dump(changed(paper, key, value)))
    with pytest.raises(ConfigError, match=r"^paper-figure settings key " + message):
        pf.load_settings(path)


def test_read_yaml_names_the_kind_of_file(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb: {c: 1, c: 2}\n")
    with pytest.raises(ConfigError, match=r"^paper-figure settings file .*x\.yaml: paper-figure "
                                          r"settings key 'c' appears twice in one mapping \(line 2\)"):
        read_yaml(path, "paper-figure settings")
    with pytest.raises(ConfigError, match=r"^config file .*: config key 'c' appears twice"):
        read_yaml(path)


#: JSON-schema keywords the settings schemas may use (anything else is a typo, e.g. a flow
#: mapping split at a comma inside an unquoted description).
KEYWORDS = {
    "$schema", "title", "description", "type", "additionalProperties", "required", "properties",
    "$defs", "$ref", "default", "pattern", "maxLength", "items", "minItems", "maxItems",
    "uniqueItems", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minProperties", "maxProperties", "propertyNames", "allOf", "if", "then", "else",
}


def _unknown_keywords(node, path=()):
    """Keys of schema objects that are not JSON-schema keywords (property names, $defs
    entries, defaults and enum values are data, not keywords)."""
    if isinstance(node, list):
        for item in node:
            yield from _unknown_keywords(item, path)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key not in KEYWORDS:
            yield ".".join(map(str, path + (key,)))
        elif key in ("properties", "$defs"):
            for name, sub in value.items():
                if key == "$defs" and "type" not in sub and "$ref" not in sub and "enum" not in sub \
                        and "allOf" not in sub:
                    for inner_name, inner in sub.items():  # a group of definitions
                        yield from _unknown_keywords(inner, path + (key, name, inner_name))
                else:
                    yield from _unknown_keywords(sub, path + (key, name))
        elif key not in ("default", "enum", "required"):
            yield from _unknown_keywords(value, path + (key,))


@pytest.mark.parametrize("name", ["config", "claims", "paper_figures"])
def test_schemas_use_only_known_keywords(name):
    from gsbench.settings_files import read_schema

    assert list(_unknown_keywords(read_schema(name))) == []


def test_config_readme_key_tables_are_generated_from_the_schemas():
    from gsbench.settings_docs import render_readme

    readme = ROOT / "config" / "README.md"
    text = readme.read_text(encoding="utf-8")
    for name in ("config", "claims", "paper_figures"):
        assert f"<!-- keys: {name} -->" in text, name
    assert text == render_readme(text), (
        "config/README.md's key tables are stale: python -m gsbench.settings_docs config/README.md")


def test_key_table_reads_types_defaults_and_required_from_the_schema():
    from gsbench.settings_docs import key_table

    table = key_table("config").splitlines()
    row = {line.split(" | ")[0].strip("| `"): line for line in table[2:]}
    assert row["trials"].startswith("| `trials` | int ≥ 1 | required | Independent problems")
    assert "| `problem.rho` | number in (-1, 1) | `0.5` |" in row["problem.rho"]  # ProblemOptions
    assert "| `success.threshold` | number in (0, 1] | `0.05` |" in row["success.threshold"]
    assert "| `grid.design` | list of `rademacher` / `gaussian`" in row["grid.design"]
    claims = key_table("claims")
    assert "| `depth.problem` | mapping, keys `<problem>.*` | required |" in claims
    assert "| `<problem>.sigma` | number ≥ 0 | optional |" in claims
    assert "| `min_group_l12.gd.direction_seed` | int ≥ 0 | `0` |" in claims
