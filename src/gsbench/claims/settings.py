"""Claim settings (``config/claims.yaml``): reading and checking them.

The file follows ``gsbench/data/claims.schema.yaml`` and is read like the study
configuration (:mod:`gsbench.settings_files`: duplicate keys refused, finite numbers, no
unknown key); beyond the schema, every problem must pass
:func:`gsbench.problems.check_problem_options` and every method entry (after ``sweep:``
expansion) must name a registered method with valid hyperparameters. Errors are
:class:`~gsbench.errors.ConfigError` reading ``claim settings key '<key>': <what is wrong>``,
raised at load, before any claim runs. The caller passes the file (the workflow:
``config/claims.yaml`` of its working directory, or ``--config claims_settings=<path>``).
"""

from __future__ import annotations

from pathlib import Path

from ..config_sweeps import SweepError, expand_sweeps
from ..errors import ConfigError
from ..methods import MethodError, make_method
from ..problems import ProblemError, check_problem_options
from ..settings_files import read_schema, read_yaml, validate

#: The claims, in the order of claims.md.
CLAIMS = ("depth_range", "depth_window", "early_stopping", "min_l1", "recovery_rate",
          "dglnn_rate", "min_group_l12")
#: What the error messages call these settings.
WHAT = "claim settings"

#: Which settings section each claim reads (claims 1 and 2 share the depth fits).
SECTION = {"depth_range": "depth", "depth_window": "depth", "early_stopping": "early_stopping",
           "min_l1": "min_l1", "recovery_rate": "recovery_rate", "dglnn_rate": "dglnn_rate",
           "min_group_l12": "min_group_l12"}

#: The sections, in the file's order.
SECTIONS = ("depth", "early_stopping", "min_l1", "recovery_rate", "dglnn_rate", "min_group_l12")

#: The one error type of settings files (kept under this name for callers).
SettingsError = ConfigError


def load_settings(path: str | Path) -> dict:
    """Read (duplicate keys refused), check and expand (``sweep:`` entries) the claim
    settings file `path`; raises :class:`~gsbench.errors.ConfigError` naming the key."""
    return validate_settings(read_yaml(path, WHAT))


def validate_settings(settings: dict) -> dict:
    """Check `settings` against the claims schema, every problem's options and every method
    entry; fill the schema's defaults and expand method sweeps. Returns the expanded copy."""
    out = validate(settings, read_schema("claims"), WHAT)
    for section in SECTIONS:
        body = out[section]
        _check_problems(section, body)
        try:
            methods = expand_sweeps(body["methods"])
        except SweepError as exc:
            raise ConfigError(str(exc).replace("config key 'methods",
                                               f"{WHAT} key '{section}.methods")) from None
        for label, entry in methods.items():
            name, params = method_spec(label, entry)
            try:
                make_method(name, params)
            except MethodError as exc:
                raise ConfigError(f"{WHAT} key '{section}.methods.{label}': {exc}") from None
        out[section] = {**body, "methods": methods}
    criterion = out["dglnn_rate"]["criteria"]["method"]
    if criterion not in out["dglnn_rate"]["methods"]:
        raise ConfigError(f"{WHAT} key 'dglnn_rate.criteria.method': {criterion!r} is not one of "
                          f"the section's methods {list(out['dglnn_rate']['methods'])}")
    return out


def _check_problems(section: str, body: dict) -> None:
    """The problem options of a section's problem, and of each design of ``depth``."""
    variants = {"problem": body["problem"]}
    designs = body["designs"] if section == "depth" else {}  # only depth has designs
    variants.update({f"designs.{k}": {**body["problem"], **v} for k, v in designs.items()})
    for where, problem in variants.items():
        options = {k: v for k, v in problem.items()
                   if k not in ("n", "p", "group_size", "active_groups")}
        try:
            check_problem_options(**options)
        except ProblemError as exc:
            key = f"{section}.{where}" + (f".{exc.key}" if exc.key else "")
            raise ConfigError(f"{WHAT} key '{key}': {exc}") from None


def method_spec(label: str, body: dict | None) -> tuple[str, dict]:
    """``(registry name, hyperparameters)`` of a settings method entry."""
    params = dict(body or {})
    return params.pop("method", label), params
