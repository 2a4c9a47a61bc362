"""Committed results know their code: every folder under docs/results/ carries the
provenance.json of the run that produced it (a study's, or the real-design and noisy
studies' settings record), and a method whose code changed since is named in the folder's
README.md with its recorded code key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gsbench.study.fingerprint import code_fingerprint

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = sorted(p for p in (ROOT / "docs" / "results").iterdir() if p.is_dir())


def outdated_methods(folder: Path) -> dict[str, tuple[str, str]]:
    """method label -> (recorded code key, current code key) where they differ."""
    record = json.loads((folder / "provenance.json").read_text())
    out = {}
    for label, spec in record["methods"].items():
        params = json.loads(spec.get("params") or "{}")
        current = code_fingerprint(spec["method"], params.get("estimator"))["key"]
        if current != spec["code"]:
            out[label] = (spec["code"], current)
    return out


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_committed_results_name_the_code_they_came_from(folder):
    assert (folder / "provenance.json").is_file(), f"{folder} has no provenance.json"
    record = json.loads((folder / "provenance.json").read_text())
    assert record["status"] == "complete" and record["git"]["commit"] and record["methods"]
    outdated = outdated_methods(folder)
    note = (folder / "README.md").read_text() if (folder / "README.md").exists() else ""
    unsaid = {m: keys for m, keys in outdated.items() if not (m in note and keys[0] in note)}
    assert not unsaid, (
        f"{folder.relative_to(ROOT)}: fitted by older code for {sorted(unsaid)} (recorded, "
        f"current code key: {unsaid}); regenerate the folder or say so in its README.md")


def test_the_check_notices_a_changed_method(tmp_path):
    """A recorded code key other than the current one is reported, and a README naming the
    method with its recorded key is what makes the folder pass."""
    record = {"methods": {"dglnn2": {"method": "dglnn2", "params": "{}", "code": "0ldc0de0"},
                          "lasso": {"method": "lasso", "params": "{}",
                                    "code": code_fingerprint("lasso")["key"]}}}
    (tmp_path / "provenance.json").write_text(json.dumps(record))
    assert set(outdated_methods(tmp_path)) == {"dglnn2"}
