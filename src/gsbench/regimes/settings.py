"""Settings of the real-design and noisy-regime studies: reading, schema validation, defaults.

``config/real.yaml`` and ``config/noisy.yaml`` follow ``gsbench/data/regimes.schema.yaml``
(sections ``real`` and ``noisy``); beyond the schema, method labels must name registered
methods with valid hyperparameters, the reference method must be one of them, and every
real design's ``data`` must load (so a bad file fails before any job).  Errors read
``<kind> settings key '<key>': <what is wrong>``.
"""

from __future__ import annotations

import importlib.resources

import yaml

from ..errors import UserError
from ..methods import MethodError, make_method
from ..problems import ProblemError

SCHEMA_PATH = importlib.resources.files("gsbench") / "data" / "regimes.schema.yaml"
KINDS = ("real", "noisy")


class SettingsError(UserError, ValueError):
    """Invalid real/noisy settings; the message names the key and the value."""


def _defaults(schema: dict, node: dict, value: dict, root: dict) -> dict:
    out = dict(value)
    for key, sub in node.get("properties", {}).items():
        if "$ref" in sub:
            path = sub["$ref"].lstrip("#/").split("/")
            sub = root
            for part in path:
                sub = sub[part]
        if key not in out and "default" in sub:
            out[key] = sub["default"]
    return out


def validate(kind: str, settings: dict) -> dict:
    """The settings with defaults filled in; raises :class:`SettingsError`."""
    import jsonschema

    if kind not in KINDS:
        raise SettingsError(f"kind must be one of {KINDS}, got {kind!r}")
    root = yaml.safe_load(SCHEMA_PATH.read_text())
    schema = {"$defs": root["$defs"], **root[kind]}
    if not isinstance(settings, dict):
        raise SettingsError(f"{kind} settings must be a mapping, got {type(settings).__name__}")
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(settings),
                    key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        key = ".".join(str(k) for k in e.absolute_path) or "(top level)"
        raise SettingsError(f"{kind} settings key '{key}': {e.message}")
    out = _defaults(root, schema, settings, root)
    if kind == "real":
        for label, body in out["designs"].items():
            body.setdefault("coherence_cap", [1.01])
            try:
                from ..designs import load

                load(body["data"])
            except ProblemError as exc:
                raise SettingsError(f"real settings key 'designs.{label}.data': {exc}") from exc
    for label, body in out["methods"].items():
        params = dict(body or {})
        try:
            make_method(params.pop("method", label), params)
        except MethodError as exc:
            raise SettingsError(f"{kind} settings key 'methods.{label}': {exc}") from exc
    if out["reference"] not in out["methods"]:
        raise SettingsError(f"{kind} settings key 'reference': {out['reference']!r} is not one of "
                            f"the methods {list(out['methods'])}")
    return out


def load_settings(kind: str, path) -> dict:
    """Read and :func:`validate` a settings file."""
    try:
        with open(path) as fh:
            raw = yaml.safe_load(fh)
    except OSError as exc:
        raise SettingsError(f"{kind} settings file {path}: {exc.strerror}") from exc
    return validate(kind, raw)
