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
from ..settings_files import read_schema, read_yaml, schema_error, validate

FIGURES = ("fig2", "fig3", "fig4", "fig5")
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
    settings = validate(read_yaml(path, WHAT), read_schema("paper_figures"), WHAT)
    validate_settings(settings)
    return settings


def validate_settings(settings: dict, figures: Iterable[str] | None = None) -> None:
    """Check that ``settings`` is valid for the chosen figures.

    Parameters
    ----------
    settings : dict
        Parsed settings.
    figures : iterable of str, optional
        Figures to check (default: all of :data:`FIGURES`); the others' sections may be
        missing.

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
    error = schema_error(chosen, schema, WHAT)
    if error is not None:
        raise error
    for fig in figures:
        fs = settings[fig]
        _check_horizon(fig, fs)
        if isinstance(fs.get("authors"), dict):
            _check_horizon(f"{fig}.authors", fs["authors"])
        _check_problem(f"{fig}.problem", fs["problem"])
        for key, name, spec in _method_entries(fig, fs):
            try:
                make_method(name, spec.get("params"), preset=spec.get("preset"))
            except MethodError as exc:
                raise ConfigError(f"{WHAT} key '{key}': {exc}") from None


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


def _method_entries(fig: str, fs: dict):
    """``(key, registry name, {preset, params})`` of every method a figure fits."""
    if "method" in fs:
        yield f"{fig}.method", fs["method"], fs
    if fs.get("reference_method"):
        yield f"{fig}.reference_method", fs["reference_method"], {"preset": "paper"}  # as fig5 fits it
    for where, entries in (("methods", fs.get("methods")),
                           ("authors.methods", (fs.get("authors") or {}).get("methods"))):
        for label, spec in (entries or {}).items():
            yield f"{fig}.{where}.{label}", spec.get("method", label), spec


def scaled_settings(settings: dict, scale_iterations: float = 1.0,
                    repetitions: int | None = None) -> dict:
    """A copy of ``settings`` with shorter runs (for tests and quick looks).

    Parameters
    ----------
    settings : dict
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
    for fig in FIGURES:
        fs = out.get(fig)
        if not isinstance(fs, dict):
            continue
        if scale_iterations != 1.0:
            subs = [fs] + ([fs["authors"]] if isinstance(fs.get("authors"), dict) else [])
            for sub in subs:
                for key in ("iterations", "plot_iterations"):
                    if key in sub:
                        sub[key] = max(int(round(sub[key] * scale_iterations)),
                                       int(fs.get("stride", 1)))
        if repetitions is not None:
            if fig == "fig5":
                fs["repetitions"] = int(repetitions)
            if fig == "fig4" and "robustness_repetitions" in fs:
                fs["robustness_repetitions"] = min(fs["robustness_repetitions"], int(repetitions))
    return out


def output_names(figures: Iterable[str] = FIGURES) -> list[str]:
    """File names :func:`run_all` writes into its output directory."""
    names = [f"{fig}.{ext}" for fig in figures for ext in ("png", "pdf", "csv")]
    return names + ["paper_figures.md", "paper_figures.json"]
