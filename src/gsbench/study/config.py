"""Study configuration: schema validation, defaults, plugins, method specs.

:func:`load_config` validates a study configuration against the JSON schema
(``config.schema.yaml``) plus what a schema cannot say (registered method names,
hyperparameter names and values), filling defaults; errors name the key and value.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Iterable

import yaml

from ..methods import REGISTRY, MethodError, make_method

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    """An invalid study configuration; the message names the key and the value."""


def _schema() -> dict:
    with open(SCHEMA_PATH) as fh:
        return yaml.safe_load(fh)


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


def import_plugins(modules: Iterable[str]) -> None:
    """Import plugin modules (they call :func:`gsbench.methods.register`)."""
    for i, module in enumerate(modules):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ConfigError(f"config key 'plugins[{i}]': cannot import {module!r} ({exc})")


def method_specs(config: dict) -> dict[str, tuple[str, str | None, dict]]:
    """``label -> (registry name, preset, hyperparameters)`` for the config's methods."""
    specs = {}
    for label, body in config["methods"].items():
        body = dict(body or {})
        name = body.pop("method", label)
        preset = body.pop("preset", None)
        specs[label] = (name, preset, body)
    return specs


def load_config(source: str | os.PathLike | dict) -> dict:
    """Validate a study configuration and fill its defaults.

    Parameters
    ----------
    source : path to a YAML file, or the parsed mapping (e.g. Snakemake's ``config``).

    Raises
    ------
    ConfigError
        With the first problem found, as ``config key '<key>': <what is wrong>``.
    """
    import jsonschema

    if isinstance(source, dict):
        config = source
    else:
        try:
            with open(source) as fh:
                config = yaml.safe_load(fh)
        except OSError as exc:
            raise ConfigError(f"cannot read config file {source}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"config file {source} is not valid YAML: {exc}") from None
    if not isinstance(config, dict):
        raise ConfigError(f"config must be a mapping, got {type(config).__name__}")
    schema = _schema()
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(config),
        key=lambda e: (list(map(str, e.absolute_path)), e.message),
    )
    if errors:
        err = errors[0]
        raise ConfigError(f"config key '{_key(err.absolute_path)}': {err.message}")
    config = _fill_defaults(config, schema)
    import_plugins(config["plugins"])
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
    return config
