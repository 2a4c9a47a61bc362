"""A tiny decoy-design (incoherence) study end to end through the real `snakemake`."""

import pandas as pd
import pytest

from workflow_helpers import data_config, is_nonblank_png, snakemake, write_config


@pytest.mark.slow
def test_tiny_incoherence_study_end_to_end(tmp_path):
    snakemake(tmp_path, write_config(tmp_path, data_config("incoherence_tiny")), cores=1)
    out = tmp_path / "results" / "tinyinc"
    table = pd.read_csv(out / "incoherence" / "rho_star.csv")
    assert len(table) == 2 * 2 * 2 * 2  # methods x layouts x g x s
    assert set(table["transition"]) <= {"ok", "above_grid", "below_grid", "not_monotone"}
    fits = pd.read_csv(out / "incoherence" / "rho_star_scaling.csv")
    assert set(zip(fits["method"], fits["decoy_layout"])) == {
        (m, lay) for m in ("group_lasso", "hadamard") for lay in ("scattered", "aligned")}
    verdict = (out / "verdict.md").read_text()
    assert "## Start-gradient heuristic: the failure threshold (two-sided)" in verdict
    assert "## Sufficient condition: the paper's bound (one-sided)" in verdict
    assert verdict.index("## Summary") < verdict.index("## Regime") < verdict.index("## Sufficient")
    assert verdict.count("| heuristic: hadamard (entrywise)") == 2
    assert verdict.count("| bound (μ ≲ 1/(s g)): hadamard (entrywise)") == 2
    for name in ("rho_star", "success_vs_delta_out", "success_vs_mu"):
        assert is_nonblank_png(out / "figures" / f"{name}.png")
    assert not (out / "transitions.csv").exists()  # one n per cell: no n-transitions
