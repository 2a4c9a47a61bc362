"""Settings of the real-design and noisy-regime studies: reading, schema validation, defaults.

``config/real.yaml`` and ``config/noisy.yaml`` follow ``gsbench/data/regimes.schema.yaml``
(sections ``real`` and ``noisy``); beyond the schema, method labels must name registered
methods with valid hyperparameters, the reference method must be one of them, and every
real design's ``data`` must load (so a bad file fails before any job).  Errors read
``<kind> settings key '<key>': <what is wrong>``.
"""

from __future__ import annotations

from ..errors import ConfigError
from ..methods import MethodError, make_method
from ..problems import ProblemError
from ..settings_files import DATA, read_schema, read_yaml
from ..settings_files import validate as validate_schema

SCHEMA_PATH = DATA / "regimes.schema.yaml"
KINDS = ("real", "noisy")


#: The one error type of settings files (:class:`~gsbench.errors.ConfigError`), kept under
#: this name for callers.
SettingsError = ConfigError


def validate(kind: str, settings: dict) -> dict:
    """The settings with defaults filled in; raises :class:`SettingsError`."""
    if kind not in KINDS:
        raise SettingsError(f"kind must be one of {KINDS}, got {kind!r}")
    root = read_schema("regimes")
    schema = {"$defs": root["$defs"], **root[kind]}
    out = validate_schema(settings, schema, f"{kind} settings")
    if kind == "real":
        for label, body in out["designs"].items():
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
    """Read (duplicate keys refused, :func:`gsbench.settings_files.read_yaml`) and
    :func:`validate` a settings file."""
    return validate(kind, read_yaml(path, f"{kind} settings"))
