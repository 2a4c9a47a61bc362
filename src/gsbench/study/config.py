"""Study configuration: reading, schema validation, defaults, plugins, method specs.

:func:`load_config` validates a study configuration against the JSON schema shipped with the
package (``gsbench/data/config.schema.yaml``; ``workflow/schemas/config.schema.yaml`` is a
link to it) plus what a schema cannot say: YAML duplicate keys, non-finite numbers, problem
options (:func:`gsbench.problems.check_problem_options`, the one place shared with the CLI and
:func:`~gsbench.problems.make_problem`), registered method names, hyperparameter names and
values, a grid with no possible cell, and the size of the study (:mod:`.plan`). Errors name
the key and the value, as ``config key '<key>': <what is wrong>``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import os
from typing import Any, Iterable

import yaml

from ..errors import ConfigError
from ..methods import REGISTRY, MethodError, make_method
from ..problems import ProblemError, check_problem_options
from ..config_sweeps import SweepError, expand_sweeps
from .method_specs import import_plugins, method_specs
from .grid_designs import grid_designs
from .plan import check_plan
from .sample_sizes import AdaptiveGrid

SCHEMA_PATH = importlib.resources.files("gsbench") / "data" / "config.schema.yaml"

#: What the schema's name patterns mean, for the error message (pattern -> allowed form).
NAME_FORMS = {
    "^[A-Za-z0-9][A-Za-z0-9_.-]*$": "letters, digits, '_', '-' and '.', starting with a letter "
                                    "or digit",
    "^[A-Za-z0-9][A-Za-z0-9_-]*$": "letters, digits, '_' and '-', starting with a letter or digit",
}  # fmt: skip


def schema() -> dict:
    """The config JSON schema (a mapping)."""
    return yaml.safe_load(SCHEMA_PATH.read_text())


def _is_integer(checker, value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(checker, value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@functools.cache
def _validator_class():
    """Draft 2020-12 where integers are ints (2.0 is not a number of trials) and numbers are
    finite (nan and inf pass every range keyword, comparisons with them being false or
    unbounded). jsonschema is imported here: ``gsbench methods`` and ``fit`` start faster."""
    import jsonschema

    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine_many({"integer": _is_integer, "number": _is_number})
    return jsonschema.validators.extend(base, type_checker=checker)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key twice in one mapping (PyYAML keeps the last).

    Merge keys (``<<: *anchor``) are YAML's own: the mapping's explicit keys override the
    merged ones, as in Snakemake's reader; only the explicit keys must be distinct."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConfigError(
                    f"config key {key!r} appears twice in one mapping (line "
                    f"{key_node.start_mark.line + 1}); keep one"
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def read_yaml(path: str | os.PathLike) -> Any:
    """Parse a YAML config file, refusing duplicate keys; errors name the file."""
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_UniqueKeyLoader)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} "
                          f"at offset {exc.start}); save it as UTF-8") from None
    except ConfigError as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from None


#: Longest study name and method label (after sweeps): they name directories and files,
#: whose names are limited to 255 bytes (a label is followed by e.g. ``.parquet.sha256``).
MAX_NAME_LENGTH = 100
MAX_LABEL_LENGTH = 200


def _check_keys(value: Any, path: tuple = ()) -> None:
    """Refuse a mapping key that YAML read as something other than text (``123:``,
    ``true:``, ``1e-4:`` is text): labels and option names are strings."""
    if isinstance(value, dict):
        for key, sub in value.items():
            if not isinstance(key, str):
                raise ConfigError(f"config key '{_key(path + (str(key),))}': keys must be text, "
                                  f"got the {type(key).__name__} {key!r}; quote it ('{key}':)")
            _check_keys(sub, path + (key,))
    elif isinstance(value, list):
        for sub in value:
            _check_keys(sub, path)


def _fill_defaults(config: dict, schema: dict) -> dict:
    out = dict(config)
    for key, sub in schema.get("properties", {}).items():
        if key not in out and "default" in sub:
            out[key] = json.loads(json.dumps(sub["default"]))
        if isinstance(out.get(key), dict) and sub.get("type") == "object":
            out[key] = _fill_defaults(out[key], sub)
    return out


def _key(path: Iterable) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<top level>"


def _schema_message(err) -> str:
    if err.validator == "type" and isinstance(err.instance, float) and not math.isfinite(err.instance):
        return f"{err.instance!r} is not a finite number"
    if err.validator == "maxLength":
        return (f"{err.instance[:40]!r}... has {len(err.instance)} characters, at most "
                f"{err.validator_value} (it names directories and files)")
    if err.validator == "pattern" and err.validator_value in NAME_FORMS:
        return f"{err.instance!r} is not allowed: use {NAME_FORMS[err.validator_value]}"
    return err.message


def _check_problem_options(config: dict) -> None:
    grid, problem = config["grid"], config["problem"]
    designs = grid_designs(grid["design"])  # a real design: ConfigError naming its item
    for key in ("sigma", "design", "decoy_rho", "decoy_layout"):
        for i, value in enumerate(grid[key]):
            if key == "design" and designs[i].spec:
                continue
            try:
                check_problem_options(**{key: value})
            except ProblemError as exc:
                raise ConfigError(f"config key 'grid.{key}[{i}]': {exc}") from None
    synthetic = [d.name for d in designs if not d.spec]
    for key in ("p", "group_size"):
        if synthetic and key not in grid:
            raise ConfigError(f"config key 'grid.{key}': needed by the synthetic design(s) "
                              f"{synthetic} (only a real design takes p and groups from its data)")
    try:
        check_problem_options(**problem)
    except ProblemError as exc:
        raise ConfigError(f"config key 'problem.{exc.key}': {exc}") from None


def _check_adaptive(config: dict, schema_: dict) -> None:
    """Fill ``grid.n.adaptive``'s defaults and check what its schema cannot say."""
    n = config["grid"]["n"]
    if not (isinstance(n, dict) and "adaptive" in n):
        return
    sub = schema_["properties"]["grid"]["properties"]["n"]["properties"]["adaptive"]
    config["grid"]["n"] = n = {"adaptive": _fill_defaults(n["adaptive"], sub)}
    AdaptiveGrid.from_mapping(n["adaptive"])
    if any(d == "decoy" for d in config["grid"]["design"]):
        raise ConfigError("config key 'grid.n.adaptive': decoy designs are analysed in rho at "
                          "one n per (p, g, s), not in n; use a list of sample sizes or statdim_l1")


def load_config(source: str | os.PathLike | dict) -> dict:
    """Validate a study configuration and fill its defaults.

    Parameters
    ----------
    source : path to a YAML file, or the parsed mapping (e.g. Snakemake's ``config``).

    Returns
    -------
    dict
        The configuration with defaults filled and method hyperparameters that YAML read as
        numeric strings (``1e-6``) turned into numbers.

    Raises
    ------
    ConfigError
        With the first problem found, as ``config key '<key>': <what is wrong>``.
    """
    config = source if isinstance(source, dict) else read_yaml(source)
    if not isinstance(config, dict):
        raise ConfigError(f"config must be a mapping, got {type(config).__name__}")
    _check_keys(config)
    schema_ = schema()
    errors = sorted(
        _validator_class()(schema_).iter_errors(config),
        key=lambda e: (list(map(str, e.absolute_path)), e.message),
    )
    if errors:
        err = errors[0]
        raise ConfigError(f"config key '{_key(err.absolute_path)}': {_schema_message(err)}")
    config = _fill_defaults(config, schema_)
    _check_adaptive(config, schema_)
    try:  # `sweep:` entries -> one label per combination (gsbench.config_sweeps)
        config["methods"] = expand_sweeps(config["methods"])
    except SweepError as exc:
        raise ConfigError(str(exc)) from None
    for label in config["methods"]:
        if len(label) > MAX_LABEL_LENGTH:
            raise ConfigError(f"config key 'methods.{label[:40]}...': label of {len(label)} "
                              f"characters (after sweeps); at most {MAX_LABEL_LENGTH}, as it names "
                              "files")
    _check_problem_options(config)
    import_plugins(config["plugins"])
    methods = {}
    for label, (name, preset, params) in method_specs(config).items():
        if name not in REGISTRY:
            raise ConfigError(
                f"config key 'methods.{label}': unknown method {name!r}; registered: "
                f"{', '.join(sorted(REGISTRY))}"
            )
        if "groups" in params:
            raise ConfigError(
                f"config key 'methods.{label}.groups': groups come from the grid's group_size"
            )
        try:
            make_method(name, params, preset=preset)
        except MethodError as exc:
            raise ConfigError(f"config key 'methods.{label}': {exc}") from None
        body = dict(config["methods"][label] or {})
        methods[label] = {**body, **params} if body else body
    config["methods"] = methods
    check_plan(config)
    return config
