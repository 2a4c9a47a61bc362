"""Claim settings (``config/claims.yaml``): reading and checking them."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..config_sweeps import SweepError, expand_sweeps

#: The claims, in the order of claims.md.
CLAIMS = ("depth_range", "depth_window", "early_stopping", "min_l1", "recovery_rate",
          "dglnn_rate", "min_group_l12")
DEFAULT_SETTINGS_PATH = Path(__file__).resolve().parents[3] / "config" / "claims.yaml"

#: Which settings section each claim reads (claims 1 and 2 share the depth fits).
SECTION = {"depth_range": "depth", "depth_window": "depth", "early_stopping": "early_stopping",
           "min_l1": "min_l1", "recovery_rate": "recovery_rate", "dglnn_rate": "dglnn_rate",
           "min_group_l12": "min_group_l12"}

_REQUIRED = {
    "depth": ("problem", "designs", "trials", "methods", "stride", "min_iter", "max_iter",
              "budget_factor", "threshold", "criteria"),
    "early_stopping": ("problem", "sigmas", "trials", "methods", "stride", "max_iter",
                       "interp_tol", "criteria"),
    "min_l1": ("problem", "trials", "methods", "stride", "min_iter", "max_iter", "budget_factor",
               "interp_tol", "criteria"),
    "recovery_rate": ("problem", "ns", "trials", "methods", "stride", "max_iter", "interp_tol",
                      "threshold", "criteria"),
    "dglnn_rate": ("problem", "vary", "trials", "methods", "criteria"),
    "min_group_l12": ("problem", "trials", "gd", "methods", "stride", "max_iter", "interp_tol",
                      "criteria"),
}  # fmt: skip


class SettingsError(ValueError):
    """Invalid claim settings; the message names the key."""


def load_settings(path: str | Path | None = None) -> dict:
    """Read, check and expand (``sweep:`` entries) the claim settings."""
    path = Path(path) if path is not None else DEFAULT_SETTINGS_PATH
    try:
        settings = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise SettingsError(f"cannot read claim settings {path}: {exc.strerror}") from None
    return validate_settings(settings)


def validate_settings(settings: dict) -> dict:
    """Check every section has its keys; expand method sweeps. Returns the expanded copy."""
    if not isinstance(settings, dict):
        raise SettingsError(f"claim settings must be a mapping, got {type(settings).__name__}")
    out = dict(settings)
    for key in ("bootstrap", "seed"):
        if not isinstance(out.get(key), int) or out[key] < 0:
            raise SettingsError(f"claim settings key '{key}' must be a non-negative integer, "
                                f"got {out.get(key)!r}")
    for section, keys in _REQUIRED.items():
        body = out.get(section)
        if not isinstance(body, dict):
            raise SettingsError(f"claim settings key '{section}' is missing")
        for key in keys:
            if key not in body:
                raise SettingsError(f"claim settings key '{section}.{key}' is missing")
        if not isinstance(body["trials"], int) or body["trials"] < 2:
            raise SettingsError(f"claim settings key '{section}.trials' must be an integer >= 2")
        try:
            methods = expand_sweeps(body["methods"])
        except SweepError as exc:
            raise SettingsError(str(exc).replace("config key 'methods",
                                                 f"claim settings key '{section}.methods")) from None
        out[section] = {**body, "methods": methods}
    return out


def method_spec(label: str, body: dict | None) -> tuple[str, dict]:
    """``(registry name, hyperparameters)`` of a settings method entry."""
    params = dict(body or {})
    return params.pop("method", label), params
