"""The registry: name -> estimator class, and :func:`make_method` (presets, then parameters).

``gsbench.methods`` re-exports everything here; :mod:`._settings_batch` imports it directly, so the
package's ``__init__`` is never imported back by a module it imports.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from ._base import GroupSparseRegressor
from ._iterative import IterativeRegressor
from .dglnn import DGLNN1, DGLNN2, DGLNNGD
from .group_bp import GroupBasisPursuit
from .group_iht import GroupIHT
from .group_lasso import GroupLassoPath
from .group_mcp import GroupMCPPath
from .group_omp import GroupOMP
from .hadamard import Hadamard, HadamardDepth
from .lasso import LassoPath
from .sklearn_adapter import SklearnPath

REGISTRY: dict[str, type[GroupSparseRegressor]] = {
    "dglnn1": DGLNN1,
    "dglnn2": DGLNN2,
    "dglnn_gd": DGLNNGD,
    "hadamard": Hadamard,
    "hadamard_depth": HadamardDepth,
    "group_lasso": GroupLassoPath,
    "lasso": LassoPath,
    "group_mcp": GroupMCPPath,
    "group_omp": GroupOMP,
    "group_iht": GroupIHT,
    "group_bp": GroupBasisPursuit,
    "sklearn": SklearnPath,
}


class MethodError(ValueError):
    """Unknown method, preset or hyperparameter; the message names the value."""


def register(name: str, cls: type[GroupSparseRegressor]) -> None:
    """Add ``cls`` to the registry under ``name`` (e.g. from a plugin module)."""
    if not (isinstance(cls, type) and issubclass(cls, GroupSparseRegressor)):
        raise MethodError(f"method {name!r}: {cls!r} is not a GroupSparseRegressor subclass")
    REGISTRY[name] = cls


def get_method(name: str) -> type[GroupSparseRegressor]:
    try:
        return REGISTRY[name]
    except KeyError:
        raise MethodError(
            f"unknown method {name!r}; registered: {', '.join(sorted(REGISTRY))}"
        ) from None


def _float64_only(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` without ``dtype`` for a method that computes in float64 only (the path
    methods: their solvers' relative tolerances, 1e-6 by default, are within a few units of
    float32's resolution, 1.2e-7, so float32 could not certify them); any other value than
    ``"float64"`` is refused."""
    if params["dtype"] != "float64":
        iterative = sorted(k for k, c in REGISTRY.items() if issubclass(c, IterativeRegressor))
        raise MethodError(
            f"method {name!r} computes in float64 only, dtype={params['dtype']!r} is not "
            f"supported (dtype='float32' is for the iterative methods: {', '.join(iterative)})"
        )
    return {key: val for key, val in params.items() if key != "dtype"}


#: Largest magnitude of a number in a method entry (as for problem options): beyond it the
#: methods' squares and products overflow float64.
MAX_PARAM_MAGNITUDE = 1e100


def _check_magnitudes(name: str, key: str, value: Any) -> None:
    """Refuse non-finite numbers and numbers above :data:`MAX_PARAM_MAGNITUDE` in magnitude
    anywhere in a parameter value (nested lists and mappings included)."""
    if isinstance(value, dict):
        for k, v in value.items():
            _check_magnitudes(name, f"{key}.{k}", v)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_magnitudes(name, f"{key}[{i}]", v)
    elif isinstance(value, Real) and not isinstance(value, bool):
        if not math.isfinite(value) or abs(value) > MAX_PARAM_MAGNITUDE:
            raise MethodError(f"method {name!r}: parameter {key!r} must be finite and at most "
                              f"{MAX_PARAM_MAGNITUDE:g} in magnitude, got {value!r}")


def make_method(name: str, params: dict[str, Any] | None = None, *, groups=None,
                preset: str | None = None) -> GroupSparseRegressor:
    """Instantiate method ``name`` with ``preset`` values, then ``params`` on top.

    ``groups`` (the problem's group structure) is passed through unless ``params`` sets it.
    Unknown names and invalid values raise :class:`MethodError` naming them. ``dtype`` is a
    parameter of the iterative methods; the others accept ``dtype="float64"`` (dropped) and
    refuse any other value.
    """
    cls = get_method(name)
    merged: dict[str, Any] = {}
    if preset is not None:
        if preset not in cls.presets:
            raise MethodError(
                f"method {name!r} has no preset {preset!r}; presets: {sorted(cls.presets) or 'none'}"
            )
        merged.update(cls.presets[preset])
    merged.update(params or {})
    valid = set(cls().get_params(deep=False))
    if "dtype" in merged and "dtype" not in valid:
        merged = _float64_only(name, merged)
    unknown = sorted(set(merged) - valid)
    if unknown:
        raise MethodError(
            f"unknown parameter {unknown[0]!r} for method {name!r}; valid: {', '.join(sorted(valid))}"
        )
    for key, value in merged.items():
        _check_magnitudes(name, key, value)
    if groups is not None and "groups" not in merged:
        merged["groups"] = groups
    est = cls(**merged)
    try:
        est._validate()
    except (ValueError, TypeError) as exc:
        raise MethodError(f"method {name!r}: {exc}") from None
    return est
