"""Running the figures: all of them into one directory, and the workflow stage."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Iterable

from ..atomic import write_text
from .fig2 import figure2
from .fig3 import figure3
from .fig4 import figure4
from .fig5 import figure5
from .settings import (
    FIGURES,
    load_settings,
    scaled_settings,
    validate_settings,
)
from ..findings import json_ready
from .summary import write_summary

log = logging.getLogger(__name__)

FIGURE_FUNCTIONS = {"fig2": figure2, "fig3": figure3, "fig4": figure4, "fig5": figure5}


def run_all(settings: dict | str | Path, outdir: str | Path,
            figures: Iterable[str] | None = None, *, scale_iterations: float = 1.0,
            repetitions: int | None = None) -> dict[str, dict]:
    """Run the chosen figures, then write ``paper_figures.md`` and ``paper_figures.json``.

    Parameters
    ----------
    settings : dict, str or Path
        Settings mapping, or a YAML file (e.g. ``config/paper_figures.yaml``).
    outdir : str or Path
        Output directory (created).
    figures : iterable of str, optional
        Subset of :data:`FIGURES` (default: all four).
    scale_iterations : float, default=1.0
        Shorten every run by this factor (see :func:`scaled_settings`).
    repetitions : int, optional
        Override Fig. 5's repetitions (and cap Fig. 4's robustness seeds).

    Returns
    -------
    dict
        ``{figure: measured numbers}`` (also written to ``paper_figures.json``).
    """
    source = ""
    if isinstance(settings, (str, Path)):
        source = str(settings)
        settings = load_settings(settings)
    figures = list(figures or FIGURES)
    settings = scaled_settings(validate_settings(settings, figures), scale_iterations, repetitions)
    settings = validate_settings(settings, figures)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    numbers: dict[str, dict] = {}
    for fig in figures:
        start = time.perf_counter()
        numbers[fig] = FIGURE_FUNCTIONS[fig](settings, outdir)
        log.info("%s: %s in %.1f s", fig, numbers[fig]["verdict"], time.perf_counter() - start)
    from ..provenance import settings_provenance_line

    write_summary(numbers, outdir / "paper_figures.md", source,
                  settings_provenance_line(settings, source or None))
    write_text(outdir / "paper_figures.json", json.dumps(json_ready(numbers), indent=1) + "\n")
    return numbers


def paper_figures_stage(settings_path: str, outputs: list[str]) -> None:
    """Workflow stage of rule ``paper_figures``: run every figure into the directory of
    ``outputs`` and check that each declared output was written."""
    outdir = Path(outputs[0]).parent
    run_all(settings_path, outdir)
    missing = [o for o in outputs if not Path(o).exists()]
    if missing:
        raise RuntimeError(f"paper figures did not write {missing}")
