"""Settings files: one reader and one JSON-schema check for every YAML file gsbench reads.

The study configuration (``config.schema.yaml``), the claims settings
(``claims.schema.yaml``), the paper-figure settings (``paper_figures.schema.yaml``) and the
real-design / noisy-regime settings (``regimes.schema.yaml``) all go through here: the schemas
are package data (``gsbench/data/``), the file is read by a YAML loader that refuses a key
given twice in one mapping, numbers must be finite and integers must be ints, and the first
problem found is raised as :class:`~gsbench.errors.ConfigError` naming the key, as
``<what> key '<key>': <what is wrong>`` (``what`` is ``config``, ``claim settings``, ...).
Each kind's own module adds what a schema cannot say (registered method names, valid
hyperparameters, problem options). No file is found by position in a source checkout: the
caller (the workflow, a test, the command line) passes the path.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import os
from typing import Any, Iterable

import yaml

from .errors import ConfigError

__all__ = [
    "DATA",
    "check_keys",
    "fill_defaults",
    "key_text",
    "problem_option",
    "read_schema",
    "read_yaml",
    "schema_error",
    "validate",
]

#: Where the schemas live (package data: also in a non-editable install).
DATA = importlib.resources.files("gsbench") / "data"

#: What the schemas' name patterns mean, for the error message (pattern -> allowed form).
NAME_FORMS = {
    "^[A-Za-z0-9][A-Za-z0-9_.-]*$": "letters, digits, '_', '-' and '.', starting with a letter "
                                    "or digit",
    "^[A-Za-z0-9][A-Za-z0-9_-]*$": "letters, digits, '_' and '-', starting with a letter or digit",
}  # fmt: skip


def read_schema(name: str) -> dict:
    """The JSON schema ``gsbench/data/<name>.schema.yaml`` (a fresh mapping)."""
    return yaml.safe_load((DATA / f"{name}.schema.yaml").read_text(encoding="utf-8"))


def _is_integer(checker, value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(checker, value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@functools.cache
def validator_class():
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

    what = "config"

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConfigError(
                    f"{self.what} key {key!r} appears twice in one mapping (line "
                    f"{key_node.start_mark.line + 1}); keep one"
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


@functools.cache
def _loader(what: str) -> type:
    return type("UniqueKeyLoader", (_UniqueKeyLoader,), {"what": what})


def read_yaml(path: str | os.PathLike, what: str = "config") -> Any:
    """Parse a YAML file, refusing duplicate keys; errors name the file (``<what> file``)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_loader(what))
    except OSError as exc:
        raise ConfigError(f"cannot read {what} file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what} file {path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} "
                          f"at offset {exc.start}); save it as UTF-8") from None
    except ConfigError as exc:
        raise ConfigError(f"{what} file {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{what} file {path} is not valid YAML: {exc}") from None


def key_text(path: Iterable) -> str:
    """``grid.n[0]`` from the path ``("grid", "n", 0)``; ``<top level>`` for the empty path."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<top level>"


def check_keys(value: Any, what: str = "config", path: tuple = ()) -> None:
    """Refuse a mapping key that YAML read as something other than text (``123:``,
    ``true:``, ``1e-4:`` is text): labels and option names are strings."""
    if isinstance(value, dict):
        for key, sub in value.items():
            if not isinstance(key, str):
                raise ConfigError(f"{what} key '{key_text(path + (str(key),))}': keys must be "
                                  f"text, got the {type(key).__name__} {key!r}; quote it ('{key}':)")
            check_keys(sub, what, path + (key,))
    elif isinstance(value, list):
        for sub in value:
            check_keys(sub, what, path)


def _message(err) -> str:
    if err.validator == "type" and isinstance(err.instance, float) and not math.isfinite(err.instance):
        return f"{err.instance!r} is not a finite number"
    if err.validator == "maxLength":
        return (f"{err.instance[:40]!r}... has {len(err.instance)} characters, at most "
                f"{err.validator_value} (it names directories and files)")
    if err.validator == "pattern" and err.validator_value in NAME_FORMS:
        return f"{err.instance!r} is not allowed: use {NAME_FORMS[err.validator_value]}"
    return err.message


def schema_error(data: Any, schema: dict, what: str = "config") -> ConfigError | None:
    """The first schema violation of `data` (in key order) as a :class:`ConfigError`, or None."""
    errors = sorted(
        validator_class()(schema).iter_errors(data),
        key=lambda e: (list(map(str, e.absolute_path)), e.message),
    )
    if not errors:
        return None
    err = errors[0]
    return ConfigError(f"{what} key '{key_text(err.absolute_path)}': {_message(err)}")


def _resolve(node: dict, root: dict) -> dict:
    while "$ref" in node:
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _is_object(schema: dict) -> bool:
    """Whether `schema` describes mappings (``type: object`` or a list of types with it)."""
    kind = schema.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


def fill_defaults(value: dict, schema: dict, root: dict | None = None) -> dict:
    """A copy of `value` with every absent key that has a schema ``default`` filled in,
    recursively through nested objects: named ``properties`` and the entries of a mapping
    whose values follow ``additionalProperties`` (e.g. one per label), of ``type: object``
    or ``[object, "null"]`` (``$ref`` to ``#/$defs/...`` followed). The one place the
    settings' defaults come from: code reads validated settings without fallbacks."""
    root = schema if root is None else root
    out = dict(value)
    named = schema.get("properties", {})
    for key, sub in named.items():
        sub = _resolve(sub, root)
        if key not in out and "default" in sub:
            out[key] = json.loads(json.dumps(sub["default"]))
        if isinstance(out.get(key), dict) and _is_object(sub):
            out[key] = fill_defaults(out[key], sub, root)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        extra = _resolve(extra, root)
        if _is_object(extra):
            for key, item in out.items():
                if key not in named and isinstance(item, dict):
                    out[key] = fill_defaults(item, extra, root)
    return out


def problem_option(problem: dict, key: str) -> Any:
    """The value of the problem option `key` (``sigma``, ``design``, ``amplitude``, ...)
    that the problem section `problem` of a settings file gives ``make_problem``: the
    section's own, else ``make_problem``'s default (:data:`gsbench.problems.DEFAULTS`).
    The schemas leave these keys unfilled on purpose: a problem's keys are hashed into its
    seeds (:func:`gsbench.problems.derive_seed`), so filling one in would change them."""
    from .problems import DEFAULTS

    return problem[key] if key in problem else getattr(DEFAULTS, key)


def validate(data: Any, schema: dict, what: str = "config") -> dict:
    """Check `data` against `schema` (text keys, finite numbers, the schema's keywords) and
    return a copy with the schema's defaults filled in; raises :class:`ConfigError`."""
    if not isinstance(data, dict):
        raise ConfigError(f"{what} must be a mapping, got {type(data).__name__}")
    check_keys(data, what)
    error = schema_error(data, schema, what)
    if error is not None:
        raise error
    return fill_defaults(data, schema)
