"""Hyperparameter sweeps in a study config: one method label per combination.

A method entry may hold a ``sweep`` mapping of hyperparameter -> list of values::

    hadamard_depth: {sweep: {depth: [2, 3, 4], alpha: [1e-1, 1e-4]}, max_iter: 20000}

:func:`expand_sweeps` replaces it by the cartesian product of the lists (in the order the
keys are written, last key fastest), one label per combination::

    hadamard_depth[depth=2,alpha=1e-1], hadamard_depth[depth=2,alpha=1e-4], ...

Each expanded entry holds the fixed keys (``max_iter`` above, ``method``, ``preset``) plus
that combination's values, and ``method`` is set to the registry name (the original label
unless the entry names one), so the expanded labels go through the same validation
(``make_method``) as any other. Problems and their seeds depend on the grid cell only, so
every combination sees the same problems.

Labels use only ``[A-Za-z0-9_.=,+-]`` and brackets: they are valid path components and
Snakemake wildcard values. Numbers are written in their shortest round-trip form
(``1e-4``, ``0.1``, ``3``); a value that would need another character is an error. YAML
1.1 reads ``1e-4`` (no dot) as a string; swept strings of that form are read as floats.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

#: Characters a swept value may use once written into a label.
_VALUE_CHARS = re.compile(r"^[A-Za-z0-9_.+-]+$")
#: YAML 1.1 (PyYAML, Snakemake) reads ``1e-4`` as a string: such sweep values become floats.
_FLOAT_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")


def _coerce(value: Any) -> Any:
    if isinstance(value, str) and _FLOAT_TEXT.match(value.strip()):
        return float(value)
    return value


class SweepError(ValueError):
    """An invalid ``sweep`` entry; the message names the config key and value."""


def format_value(value: Any) -> str:
    """The shortest readable text of a swept value, as written into a label.

    ``1e-4 -> "1e-4"``, ``0.1 -> "0.1"``, ``3 -> "3"``, ``True -> "true"``,
    ``"u4" -> "u4"``; floats use ``repr`` (round-trips), in scientific notation below
    ``1e-3`` and from ``1e5`` on, with the exponent's ``+`` and leading zeros dropped
    (``0.0001 -> "1e-4"``, ``1e-05 -> "1e-5"``).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5) and "e" not in text:
            text = f"{value:e}"
            mant, exp = text.split("e")
            text = f"{mant.rstrip('0').rstrip('.')}e{exp}"
        if "e" in text:
            mant, exp = text.split("e")
            sign = "-" if exp.startswith("-") else ""
            text = f"{mant}e{sign}{int(exp.lstrip('+-'))}"
        return text
    return str(value)


def sweep_label(base: str, combination: dict[str, Any]) -> str:
    """``base[k1=v1,k2=v2]`` for one combination (keys in the given order)."""
    return base + "[" + ",".join(f"{k}={format_value(v)}" for k, v in combination.items()) + "]"


def expand_sweeps(methods: dict) -> dict:
    """Expand every ``sweep`` entry of a ``methods`` mapping into one label per combination.

    Parameters
    ----------
    methods : dict
        ``label -> body`` as in a study config (``body`` a dict or None). Entries without a
        ``sweep`` key are returned unchanged, in place in the order.

    Returns
    -------
    dict
        A new mapping; a swept entry becomes ``prod_k len(sweep[k])`` entries labelled by
        :func:`sweep_label`, each body ``{method: <registry name>, **fixed, **combination}``.

    Raises
    ------
    SweepError
        If ``sweep`` is not a non-empty mapping of non-empty lists, sweeps a key that the
        entry also fixes (or ``method``/``preset``/``groups``), holds a value that cannot be
        written into a label, or if an expanded label collides with another label.
    """
    out: dict = {}
    for label, body in methods.items():
        if not isinstance(body, dict) or "sweep" not in body:
            _put(out, label, body, label)
            continue
        body = dict(body)
        sweep = body.pop("sweep")
        sweep = dict(sweep) if isinstance(sweep, dict) else sweep
        where = f"methods.{label}.sweep"
        if not isinstance(sweep, dict) or not sweep:
            raise SweepError(f"config key '{where}': must be a non-empty mapping of "
                             f"hyperparameter -> list of values, got {sweep!r}")
        for key, values in sweep.items():
            if key in ("method", "preset", "groups", "sweep"):
                raise SweepError(f"config key '{where}.{key}': {key!r} cannot be swept")
            if key in body:
                raise SweepError(f"config key '{where}.{key}': also fixed in 'methods.{label}'")
            if not isinstance(values, list) or not values:
                raise SweepError(f"config key '{where}.{key}': must be a non-empty list, "
                                 f"got {values!r}")
            values = sweep[key] = [_coerce(v) for v in values]
            for v in values:
                if isinstance(v, float) and not math.isfinite(v):
                    raise SweepError(f"config key '{where}.{key}': value {v!r} is not a finite "
                                     "number")
                if isinstance(v, (dict, list)) or v is None or not _VALUE_CHARS.match(format_value(v)):
                    raise SweepError(f"config key '{where}.{key}': value {v!r} cannot be "
                                     "written into a label (use numbers or simple strings)")
            if len({format_value(v) for v in values}) != len(values):
                raise SweepError(f"config key '{where}.{key}': repeated value in {values!r}")
        body.setdefault("method", label)
        keys = list(sweep)
        for combo in itertools.product(*(sweep[k] for k in keys)):
            combination = dict(zip(keys, combo))
            _put(out, sweep_label(label, combination), {**body, **combination}, label)
    return out


def _put(out: dict, label: str, body: Any, source: str) -> None:
    if label in out:
        raise SweepError(f"config key 'methods.{source}': label {label!r} occurs twice after "
                         "expanding sweeps")
    out[label] = body
