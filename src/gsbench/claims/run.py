"""Running the claims: one claim into a directory, the shared depth fits, the summary."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pandas as pd

from . import depth_range, depth_window, dglnn_rate, early_stopping, min_group_l12, min_l1, recovery_rate
from .depth import depth_trials
from ..verdict import Finding
from .settings import CLAIMS, load_settings
from .summary import write_summary

log = logging.getLogger(__name__)

#: Claims that read the shared depth fits (``depth_trials.csv``).
USES_DEPTH_TRIALS = {"depth_range": depth_range.run, "depth_window": depth_window.run}
#: Claims that fit their own problems.
FITS_OWN = {"early_stopping": early_stopping.run, "min_l1": min_l1.run,
            "recovery_rate": recovery_rate.run, "dglnn_rate": dglnn_rate.run,
            "min_group_l12": min_group_l12.run}


def run_claim(claim: str, settings: dict, outdir: str | Path,
              depth_trials_csv: str | Path | None = None) -> Finding:
    """Check one claim; writes ``<claim>.csv``, ``<claim>.png`` and ``<claim>.json``."""
    if claim not in CLAIMS:
        raise ValueError(f"unknown claim {claim!r}; claims: {', '.join(CLAIMS)}")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if claim in USES_DEPTH_TRIALS:
        if depth_trials_csv is None:
            raise ValueError(f"claim {claim!r} needs the depth fits (depth_trials.csv)")
        finding = USES_DEPTH_TRIALS[claim](settings, outdir, pd.read_csv(depth_trials_csv))
    else:
        finding = FITS_OWN[claim](settings, outdir)
    finding.write_json(outdir / f"{claim}.json")
    log.info("%s: %s in %.1f s", claim, finding.verdict, time.perf_counter() - start)
    return finding


def depth_trials_stage(settings_path: str, output: str) -> None:
    """Workflow stage of rule ``claims_depth_trials``."""
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    depth_trials(load_settings(settings_path), output)


def claim_stage(claim: str, settings_path: str, outputs: list[str], depth_trials_csv: str | None = None) -> None:
    """Workflow stage of rule ``claim``: check one claim into the directory of ``outputs``."""
    run_claim(claim, load_settings(settings_path), Path(outputs[0]).parent, depth_trials_csv)
    missing = [o for o in outputs if not Path(o).exists()]
    if missing:
        raise RuntimeError(f"claim {claim} did not write {missing}")


def summary_stage(settings_path: str, findings: list[str], output: str) -> None:
    """Workflow stage of rule ``claims``: ``claims.md`` from the claims' JSON records."""
    from ..provenance import settings_provenance_line
    from .settings import load_settings

    by_name = {Path(p).stem: Finding.read_json(p) for p in findings}
    line = settings_provenance_line(load_settings(settings_path), settings_path)
    write_summary([by_name[c] for c in CLAIMS if c in by_name], output, settings_path, line)
