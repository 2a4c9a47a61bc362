"""The workflow checks the claims and paper-figure settings while it builds the DAG: a bad
settings file stops a dry run, naming the key, before any job runs."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLAIMS_FILE = ROOT / "config" / "claims.yaml"
PAPER_FILE = ROOT / "config" / "paper_figures.yaml"


@pytest.mark.parametrize("target, key, old, new, message", [
    ("claims", "claims_settings", "rho: 0.5}", "rho: 1.5}",
     "claim settings key 'depth.designs.correlated.rho': 1.5 is greater than or equal to the maximum of 1"),
    ("paper_figures", "paper_figures_settings", "    sigma: 0.5\n", "    sigma: -0.5\n",
     "paper-figure settings key 'fig2.problem.sigma': -0.5 is less than the minimum of 0"),
])
def test_the_workflow_refuses_bad_settings_before_any_job(tmp_path, target, key, old, new, message):
    """A dry run of the target with a bad settings file (passed by path, as the rule files
    do) stops while the DAG is built, naming the key; no job runs."""
    import subprocess
    import sys

    source = CLAIMS_FILE if target == "claims" else PAPER_FILE
    bad = tmp_path / "bad.yaml"
    bad.write_text(source.read_text().replace(old, new, 1))
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "snakemake"), target, "-n", "--snakefile",
         str(ROOT / "Snakefile"), "--directory", str(tmp_path), "--configfile",
         str(ROOT / "config" / "smoke.yaml"), "--config", f"{key}={bad}"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert message in proc.stdout + proc.stderr
    assert not (tmp_path / "results").exists()
