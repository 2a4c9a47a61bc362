"""`snakemake real` and `snakemake noisy` end to end on tiny settings."""

from __future__ import annotations

import pandas as pd
import pytest

from workflow_helpers import ROOT, is_nonblank_png, snakemake


@pytest.mark.slow
def test_snakemake_real_and_noisy_targets_on_tiny_settings(tmp_path):
    data = ROOT / "tests" / "data"
    snakemake(tmp_path, ROOT / "config" / "smoke.yaml", "real", "noisy", "--config",
              f"real_settings={data / 'real_tiny.yaml'}",
              f"noisy_settings={data / 'noisy_tiny.yaml'}", cores=2, timeout=300)
    real, noisy = tmp_path / "results" / "real", tmp_path / "results" / "noisy"
    md = (real / "verdict.md").read_text()
    assert "## Paired n* ratios" in md and "## Does the group advantage survive?" in md
    assert "removed 3 constant column(s)" in md
    trials = pd.read_csv(real / "trials.csv")
    assert set(trials["kind"]) == {"real", "rademacher"} and len(trials) == 2 * 2 * 2 * 2
    assert is_nonblank_png(real / "errors.png")
    md = (noisy / "verdict.md").read_text()
    assert "## Which rate law each method follows" in md and "oracle floor" in md
    floor = pd.read_csv(noisy / "floor.csv")
    assert set(floor["method"]) == {"dglnn2", "group_lasso"} and (floor["validation_ratio"] > 0).all()
    assert is_nonblank_png(noisy / "rates.png")
