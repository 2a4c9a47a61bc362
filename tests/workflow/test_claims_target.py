"""The real `snakemake claims` target on a shortened settings file (tests/data/claims_tiny.yaml)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from gsbench.claims import CLAIMS, Finding
from gsbench.claims.verdicts import rule_of
from workflow_helpers import DATA, ROOT, is_nonblank_png, snakemake

TINY = DATA / "claims_tiny.yaml"


@pytest.mark.slow
def test_snakemake_claims_target_on_short_settings(tmp_path):
    settings = tmp_path / "claims_tiny.yaml"
    settings.write_text(TINY.read_text())
    snakemake(tmp_path, ROOT / "config" / "smoke.yaml", "claims", "--config",
              f"claims_settings={settings}", cores=1, timeout=300)
    out = tmp_path / "results" / "claims"
    md = (out / "claims.md").read_text()
    assert re.search(r"^Provenance: gsbench .*settings claims_tiny\.yaml sha256 [0-9a-f]{12}, "
                     r"method code keys: .*dglnn", md, flags=re.M)
    rows = [line for line in md.splitlines() if re.match(r"^\| \d+ \|", line)]
    assert len(rows) == len(CLAIMS) == 7
    for row, name in zip(rows, CLAIMS):
        assert re.search(r"\*\*(agrees|partly|disagrees|inconclusive)\*\*: \S", row)
        record = json.loads((out / f"{name}.json").read_text())
        rule, multiplicity = rule_of(Finding.read_json(out / f"{name}.json"))
        assert rule and multiplicity and f"| {rule} ({multiplicity}) |" in row
        assert record["claim"] == name and record["measured"] is not None
        assert set(record["runs"]) >= {"total", "converged", "budget_exhausted", "failed"}
        assert is_nonblank_png(out / f"{name}.png")
        assert len(pd.read_csv(out / f"{name}.csv")) > 0
    assert "Chou, Maly & Rauhut" in md and "Corollary 1" in md
    # claim 5 measures basis pursuit's n* beside the models, against D_l1, and the paired ratio
    assert "basis_pursuit n*/D_l1" in md and "n*/n*_BP paired" in md
    # claim 7: plain GD's convergence flags and both references per (trial, alpha)
    gd = pd.read_csv(out / "min_group_l12.csv")
    assert {"distance", "distance_bp", "ratio", "l1_ratio", "doubling_change", "converged"} <= set(gd.columns)
    assert (gd[gd["model"] == "gd"]["ratio"] >= 1 - 1e-6).all()  # projected: an interpolant
    trials = pd.read_csv(out / "depth_trials.csv")
    assert {"near_min_first", "near_min_last", "val_settled"} <= set(trials.columns)
    assert (out / "logs" / "claims.log").is_file()
