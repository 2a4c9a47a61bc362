"""Paper-figure settings: reading, checking and shortening them, and the output names.

The file (e.g. ``config/paper_figures.yaml``, passed by the caller) follows
``gsbench/data/paper_figures.schema.yaml`` and is read like the study configuration
(:mod:`gsbench.settings_files`: duplicate keys refused, finite numbers, no unknown key);
beyond the schema, ``plot_iterations >= iterations``, every method must accept its preset
and params, and every problem must pass :func:`gsbench.problems.check_problem_options`.
Errors are :class:`~gsbench.errors.ConfigError` reading ``paper-figure settings key '<key>':
<what is wrong>``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Iterable

from ..errors import ConfigError
from ..methods import MethodError, make_method
from ..problems import ProblemError, check_problem_options
from ..settings_files import read_schema, read_yaml, validate
from ..targets import PAPER_FIGURES, paper_figures_outputs

FIGURES = PAPER_FIGURES
#: File names :func:`gsbench.paper_figures.run_all` writes (one list, in :mod:`gsbench.targets`).
output_names = paper_figures_outputs
#: What the error messages call these settings.
WHAT = "paper-figure settings"

#: The one error type of settings files (kept under this name for callers).
SettingsError = ConfigError


def load_settings(path: str | Path) -> dict:
    """Read and check the paper-figure settings file `path`.

    Parameters
    ----------
    path : str or Path
        YAML file, e.g. ``config/paper_figures.yaml`` of a checkout (the workflow passes
        its ``paper_figures_settings``).

    Returns
    -------
    dict
        The settings with the schema's defaults filled in (see the comments in
        ``config/paper_figures.yaml``).

    Raises
    ------
    ConfigError
        If a key is missing, unknown or has an impossible value (the message names it).
    """
    return validate_settings(read_yaml(path, WHAT))


def validate_settings(settings: dict, figures: Iterable[str] | None = None) -> dict:
    """Check that ``settings`` is valid for the chosen figures; fill in the schema's defaults.

    Parameters
    ----------
    settings : dict
        Parsed settings.
    figures : iterable of str, optional
        Figures to check (default: all of :data:`FIGURES`); the others' sections may be
        missing.

    Returns
    -------
    dict
        A copy of ``settings`` whose chosen figures' sections and ``plot`` have the schema's
        defaults filled in: what the figures read (they have no defaults of their own).

    Raises
    ------
    ConfigError
    """
    figures = list(figures or FIGURES)
    for fig in figures:
        if fig not in FIGURES:
            raise ConfigError(f"unknown figure {fig!r}; figures: {', '.join(FIGURES)}")
    if not isinstance(settings, dict):
        raise ConfigError(f"{WHAT} must be a mapping, got {type(settings).__name__}")
    schema = read_schema("paper_figures")
    schema["required"] = figures
    chosen = {k: v for k, v in settings.items() if k not in FIGURES or k in figures}
    out = {**settings, **validate(chosen, schema, WHAT)}
    for fig in figures:
        fs = out[fig]
        _check_horizon(fig, fs)
        if fig == "fig4" and fs["authors"] is not None:
            _check_horizon(f"{fig}.authors", fs["authors"])
        _check_problem(f"{fig}.problem", fs["problem"])
        for key, name, spec in _method_entries(fig, fs):
            try:
                make_method(name, spec["params"], preset=spec["preset"])
            except MethodError as exc:
                raise ConfigError(f"{WHAT} key '{key}': {exc}") from None
    return out


def _check_horizon(where: str, fs: dict) -> None:
    if fs["plot_iterations"] < fs["iterations"]:
        raise ConfigError(f"{WHAT} key '{where}.plot_iterations': {fs['plot_iterations']} is "
                          f"below iterations ({fs['iterations']}); it must be >= iterations")


def _check_problem(where: str, problem: dict) -> None:
    options = {k: v for k, v in problem.items() if k not in ("n", "p", "group_size", "active_groups")}
    try:
        check_problem_options(**options)
    except ProblemError as exc:
        raise ConfigError(f"{WHAT} key '{where}" + (f".{exc.key}" if exc.key else "")
                          + f"': {exc}") from None


def method_name(label: str, spec: dict) -> str:
    """The registry name of the method entry ``label: spec`` (``fig4.methods``): its
    ``method``, else the label itself (the schema's rule, not a default to fill in)."""
    return spec["method"] if "method" in spec else label


def _method_entries(fig: str, fs: dict):
    """``(key, registry name, {preset, params})`` of every method the validated section
    ``fs`` of figure ``fig`` fits."""
    if fig != "fig4":  # figures 2, 3 and 5: one method, the section's preset and params
        yield f"{fig}.method", fs["method"], fs
    if fig == "fig5" and fs["reference_method"]:
        as_fitted = {"preset": "paper", "params": {}}  # as figure5 fits it
        yield f"{fig}.reference_method", fs["reference_method"], as_fitted
    if fig == "fig4":
        groups = [("methods", fs["methods"])]
        if fs["authors"] is not None:
            groups.append(("authors.methods", fs["authors"]["methods"]))
        for where, entries in groups:
            for label, spec in entries.items():
                yield f"{fig}.{where}.{label}", method_name(label, spec), spec


def scaled_settings(settings: dict, scale_iterations: float = 1.0,
                    repetitions: int | None = None) -> dict:
    """A copy of ``settings`` with shorter runs (for tests and quick looks).

    Parameters
    ----------
    settings : dict
        Validated settings (:func:`load_settings`, :func:`validate_settings`); figures
        left out of them are left out of the copy.
    scale_iterations : float, default=1.0
        Factor on ``iterations`` and ``plot_iterations`` of every figure (and of
        ``fig4.authors``; at least one stride is kept).
    repetitions : int, optional
        Replaces ``fig5.repetitions`` and caps ``fig4.robustness_repetitions``.

    Returns
    -------
    dict
    """
    out = copy.deepcopy(settings)
    for fig in (f for f in FIGURES if f in out):
        fs = out[fig]
        if scale_iterations != 1.0:
            subs = [fs] + ([fs["authors"]] if fig == "fig4" and fs["authors"] is not None else [])
            for sub in subs:
                for key in ("iterations", "plot_iterations"):
                    sub[key] = max(int(round(sub[key] * scale_iterations)), int(fs["stride"]))
        if repetitions is not None:
            if fig == "fig5":
                fs["repetitions"] = int(repetitions)
            if fig == "fig4" and fs["robustness_repetitions"] is not None:
                fs["robustness_repetitions"] = min(fs["robustness_repetitions"], int(repetitions))
    return out
