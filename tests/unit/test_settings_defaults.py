"""One definition of every settings default: the schema's ``default``.

The claims, paper-figure and real / noisy settings are validated by
:func:`gsbench.settings_files.validate`, which fills the schema's defaults in; the code then
reads the validated settings without fallbacks of its own. Two guards: (1) for every shipped
and test settings file, leaving out every key that has a schema default validates to the
same settings as giving each such key its default value (the defaults are filled wherever
the schema declares them: nested, per label, under a nullable mapping), and (2) no module of
gsbench.claims, gsbench.paper_figures or gsbench.regimes reads an optional settings key with
a fallback (``.get("<key>", ...)``, ``.get("<key>")``, ``.setdefault``, ``.pop``)."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest
import yaml

from gsbench import paper_figures as pf
from gsbench.claims import validate_settings as validate_claims
from gsbench.regimes import settings as regimes
from gsbench.settings_files import _resolve as resolve_ref
from gsbench.settings_files import read_schema

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
SRC = ROOT / "src" / "gsbench"


def _schema(kind: str) -> dict:
    """The schema a kind of settings is validated against (real and noisy: one section of
    regimes.schema.yaml with its $defs)."""
    if kind in regimes.KINDS:
        root = read_schema("regimes")
        return {"$defs": root["$defs"], **root[kind]}
    return read_schema(kind)


#: kind -> (validator returning the settings as the code reads them, the files checked)
KINDS = {
    "claims": (validate_claims, ["config/claims.yaml", "tests/data/claims_tiny.yaml"]),
    "paper_figures": (pf.validate_settings, ["config/paper_figures.yaml"]),
    "real": (lambda s: regimes.validate("real", s), ["config/real.yaml", "tests/data/real_tiny.yaml"]),
    "noisy": (lambda s: regimes.validate("noisy", s),
              ["config/noisy.yaml", "tests/data/noisy_tiny.yaml"]),
}
CASES = [(kind, path) for kind, (_, paths) in KINDS.items() for path in paths]


def _resolve(node: dict, root: dict) -> dict:
    """`node` with ``$ref`` followed (as fill_defaults does) and ``allOf`` merged."""
    node = resolve_ref(node, root)
    for part in node.get("allOf", []):
        part = _resolve(part, root)
        node = {**node, "properties": {**node.get("properties", {}), **part.get("properties", {})},
                "required": [*node.get("required", []), *part.get("required", [])]}
    return node


def _edit_defaults(data, schema: dict, root: dict, action, innermost: bool) -> None:
    """Apply ``action(mapping, key, default)`` in place to every key of `data` that has a
    schema default: named properties and the entries of per-label mappings. ``innermost``:
    a given mapping with a default is entered (its own defaults edited) instead of edited."""
    if not isinstance(data, dict):
        return
    schema = _resolve(schema, root)
    named = schema.get("properties", {})
    for key, sub in named.items():
        sub = _resolve(sub, root)
        enter = key in data and isinstance(data[key], dict)
        if "default" in sub and not (innermost and enter):
            action(data, key, sub["default"])
        elif enter:
            _edit_defaults(data[key], sub, root, action, innermost)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for key, item in data.items():
            if key not in named:
                _edit_defaults(item, extra, root, action, innermost)


def _drop(mapping: dict, key: str, default) -> None:
    mapping.pop(key, None)


def _reset(mapping: dict, key: str, default) -> None:
    mapping[key] = copy.deepcopy(default)


@pytest.mark.parametrize("innermost", [False, True], ids=["outermost", "innermost"])
@pytest.mark.parametrize("kind, path", CASES)
def test_left_out_defaults_validate_to_the_schema_defaults(kind, path, innermost):
    validate, _ = KINDS[kind]
    schema = _schema(kind)
    given = yaml.safe_load((ROOT / path).read_text())
    dropped, reset = copy.deepcopy(given), copy.deepcopy(given)
    _edit_defaults(dropped, schema, schema, _drop, innermost)
    _edit_defaults(reset, schema, schema, _reset, innermost)
    assert dropped != given or innermost, f"{path}: no key with a schema default to leave out"
    assert validate(dropped) == validate(reset)


def test_defaults_under_labels_and_nullable_mappings_are_filled():
    """The places fill_defaults reaches beyond named nested objects: a per-label mapping
    (real designs' coherence_cap, fig4 methods' preset and params) and a mapping that may
    be null (fig4.authors)."""
    real = yaml.safe_load((ROOT / "tests" / "data" / "real_tiny.yaml").read_text())
    for body in real["designs"].values():
        body.pop("coherence_cap", None)
    out = regimes.validate("real", real)
    assert all(body["coherence_cap"] == [1.01] for body in out["designs"].values())
    figures = yaml.safe_load((ROOT / "config" / "paper_figures.yaml").read_text())
    figures["fig4"]["methods"] = {"dglnn2": {}, "hadamard": {}}
    figures["fig4"]["authors"]["methods"] = {"dglnn2": {"preset": "authors"}, "hadamard": {}}
    del figures["fig4"]["authors"]["problem"]
    fig4 = pf.validate_settings(figures)["fig4"]
    assert fig4["methods"] == {"dglnn2": {"preset": None, "params": {}},
                               "hadamard": {"preset": None, "params": {}}}
    assert fig4["authors"]["methods"]["dglnn2"] == {"preset": "authors", "params": {}}
    assert fig4["authors"]["problem"] == {}


def _optional_keys(schema: dict) -> set[str]:
    """Property names that some mapping of `schema` may leave out (not in its required)."""
    keys: set[str] = set()

    def visit(node):
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                required = set(_resolve(node, schema).get("required", []))
                keys.update(k for k in node["properties"] if k not in required)
            for key, value in node.items():
                if key not in ("default", "enum", "description"):
                    visit(value)

    visit(schema)
    return keys


#: package -> the optional settings keys its code could read with a fallback
PACKAGES = {
    "claims": _optional_keys(_schema("claims")),
    "paper_figures": _optional_keys(_schema("paper_figures")),
    "regimes": _optional_keys(_schema("real")) | _optional_keys(_schema("noisy")),
}
#: (module, key) -> why its `.get` / `.pop` of that key is not a settings fallback
NOT_SETTINGS_DEFAULTS = {
    ("claims/settings.py", "method"): "a method entry without `method:` names the method by its "
                                      "label (the schema's rule, not a value to fill in)",
    ("paper_figures/fig4.py", "authors"): "the figure's numbers, which hold `authors` only "
                                          "when fig4.authors is set",
    ("paper_figures/summary.py", "authors"): "the figure's numbers (paper_figures.json), as above",
}


def _fallback_calls(text: str, keys: set[str]) -> list[tuple[int, str, str]]:
    """``(line, key, source)`` of every ``.get`` / ``.setdefault`` / ``.pop`` in the Python
    source `text` whose first argument is one of `keys`, written out."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "setdefault", "pop") and node.args
                and isinstance(node.args[0], ast.Constant) and node.args[0].value in keys):
            found.append((node.lineno, node.args[0].value, ast.get_source_segment(text, node)))
    return sorted(found)


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_code_reads_validated_settings_without_fallbacks(package):
    found = []
    for path in sorted((SRC / package).glob("*.py")):
        module = f"{package}/{path.name}"
        found += [f"{module}:{line}: {source}"
                  for line, key, source in _fallback_calls(path.read_text(encoding="utf-8"), PACKAGES[package])
                  if (module, key) not in NOT_SETTINGS_DEFAULTS]
    assert found == [], "a settings default belongs in the schema (`default:`), read as settings[key]"


def test_the_fallback_scan_sees_settings_keys_only():
    assert {"dpi", "direction_seed", "plot"} <= PACKAGES["claims"]
    assert {"xscale", "max_points", "preset", "authors", "reference_method"} <= PACKAGES["paper_figures"]
    assert {"coherence_cap", "reference", "success"} <= PACKAGES["regimes"]
    assert not {"depth", "trials", "iterations"} & (PACKAGES["claims"] | PACKAGES["paper_figures"])  # required
    text = ('dpi = settings.get("plot", {}).get("dpi", 120)\n'
            'switch = res.extra.get("switch_iteration", -1)\n'
            'body.setdefault("coherence_cap", [1.01])\n')
    assert [(line, key) for line, key, _ in _fallback_calls(text, PACKAGES["claims"])] == [(1, "dpi"), (1, "plot")]
    assert [key for _, key, _ in _fallback_calls(text, PACKAGES["regimes"])] == ["coherence_cap"]
