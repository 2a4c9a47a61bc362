"""A config's methods as (registry name, preset, hyperparameters), and its plugins.

Below :mod:`.config` (which validates whole configs) so that :mod:`.chunks` can read a
validated config's methods without importing the validation.
"""

from __future__ import annotations

import importlib
import re
from typing import Any, Iterable

from ..errors import ConfigError

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def number_or_string(value: Any) -> Any:
    """``"1e-6"`` -> ``1e-06``: YAML 1.1 reads exponent notation without a dot as a string;
    a hyperparameter that looks like a decimal number is that number. Other values unchanged."""
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value)
    return value


def import_plugins(modules: Iterable[str]) -> None:
    """Import plugin modules (they call :func:`gsbench.methods.register`); ``estimator:``
    entries may name their classes (``gsbench.methods.sklearn_adapter.PLUGIN_MODULES``).

    Anything a plugin raises at import (not only ``ImportError``) is a configuration error
    naming the plugin.
    """
    from ..methods.sklearn_adapter import PLUGIN_MODULES

    for i, module in enumerate(modules):
        PLUGIN_MODULES.add(str(module).split(".")[0])
        try:
            importlib.import_module(module)
        except Exception as exc:
            raise ConfigError(
                f"config key 'plugins[{i}]': cannot import {module!r} "
                f"({type(exc).__name__}: {exc})"
            ) from None


def method_specs(config: dict) -> dict[str, tuple[str, str | None, dict]]:
    """``label -> (registry name, preset, hyperparameters)`` for the config's methods."""
    specs = {}
    for label, body in config["methods"].items():
        body = dict(body or {})
        # an `estimator:` entry (a dotted class path) is the `sklearn` adapter
        name = body.pop("method", "sklearn" if "estimator" in body else label)
        preset = body.pop("preset", None)
        specs[label] = (name, preset, {k: number_or_string(v) for k, v in body.items()})
    return specs
