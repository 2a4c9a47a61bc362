"""Paper-figure settings: reading, checking and shortening them, and the output names."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Iterable

import yaml

FIGURES = ("fig2", "fig3", "fig4", "fig5")
DEFAULT_SETTINGS_PATH = Path(__file__).resolve().parents[3] / "config" / "paper_figures.yaml"

_REQUIRED = {
    "fig2": ("method", "problem", "seed", "iterations", "plot_iterations", "stride", "criteria"),
    "fig3": ("method", "problem", "seed", "iterations", "plot_iterations", "stride", "criteria"),
    "fig4": ("methods", "problem", "seed", "iterations", "plot_iterations", "stride", "criteria"),
    "fig5": (
        "method", "problem", "seed", "repetitions", "iterations", "plot_iterations", "stride",
        "criteria",
    ),
}  # fmt: skip

_CRITERIA = {
    "fig2": ("accuracy", "rise"),
    "fig3": ("accuracy", "learned_fraction"),
    "fig4": ("ratio", "accuracy"),
    "fig5": ("accuracy", "fraction"),
}


class SettingsError(ValueError):
    """Invalid paper-figure settings; the message names the key."""


def load_settings(path: str | Path | None = None) -> dict:
    """Read and check the paper-figure settings.

    Parameters
    ----------
    path : str or Path, optional
        YAML file; default ``config/paper_figures.yaml`` of this checkout.

    Returns
    -------
    dict
        The settings (see the comments in ``config/paper_figures.yaml``).

    Raises
    ------
    SettingsError
        If a required key is missing or a value is impossible.
    """
    path = Path(path) if path is not None else DEFAULT_SETTINGS_PATH
    try:
        settings = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise SettingsError(f"cannot read paper-figure settings {path}: {exc.strerror}") from None
    validate_settings(settings)
    return settings


def validate_settings(settings: dict, figures: Iterable[str] | None = None) -> None:
    """Check that ``settings`` has every key the chosen figures need.

    Parameters
    ----------
    settings : dict
        Parsed settings.
    figures : iterable of str, optional
        Figures to check (default: all of :data:`FIGURES`).

    Raises
    ------
    SettingsError
    """
    if not isinstance(settings, dict):
        raise SettingsError(f"settings must be a mapping, got {type(settings).__name__}")
    for fig in figures or FIGURES:
        if fig not in _REQUIRED:
            raise SettingsError(f"unknown figure {fig!r}; figures: {', '.join(FIGURES)}")
        fs = settings.get(fig)
        if not isinstance(fs, dict):
            raise SettingsError(f"settings key '{fig}' is missing")
        for key in _REQUIRED[fig]:
            if key not in fs:
                raise SettingsError(f"settings key '{fig}.{key}' is missing")
        for key in _CRITERIA[fig]:
            if key not in fs["criteria"]:
                raise SettingsError(f"settings key '{fig}.criteria.{key}' is missing")
        for key in ("iterations", "plot_iterations", "stride"):
            if int(fs[key]) != fs[key] or fs[key] < 1:
                raise SettingsError(f"settings key '{fig}.{key}' must be a positive integer")
        if fs["plot_iterations"] < fs["iterations"]:
            raise SettingsError(f"settings key '{fig}.plot_iterations' must be >= iterations")
        if fig == "fig4" and len(fs["methods"]) != 2:
            raise SettingsError("settings key 'fig4.methods' must name exactly two methods")
        if fig == "fig4" and fs.get("authors") is not None:
            _validate_authors(fs["authors"])
        if fig == "fig5" and int(fs["repetitions"]) < 1:
            raise SettingsError("settings key 'fig5.repetitions' must be >= 1")


def _validate_authors(au) -> None:
    """``fig4.authors``: the comparison re-run with the authors' code's settings."""
    if not isinstance(au, dict):
        raise SettingsError("settings key 'fig4.authors' must be a mapping (or null)")
    for key in ("methods", "iterations", "plot_iterations"):
        if key not in au:
            raise SettingsError(f"settings key 'fig4.authors.{key}' is missing")
    if not isinstance(au["methods"], dict) or len(au["methods"]) != 2:
        raise SettingsError("settings key 'fig4.authors.methods' must name exactly two methods")
    for key in ("iterations", "plot_iterations"):
        if int(au[key]) != au[key] or au[key] < 1:
            raise SettingsError(f"settings key 'fig4.authors.{key}' must be a positive integer")
    if au["plot_iterations"] < au["iterations"]:
        raise SettingsError("settings key 'fig4.authors.plot_iterations' must be >= iterations")
    if not isinstance(au.get("problem") or {}, dict):
        raise SettingsError("settings key 'fig4.authors.problem' must be a mapping")


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
