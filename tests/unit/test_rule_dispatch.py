"""Every workflow rule runs the one script workflow/scripts/rule.py, which finds the rule's
function in gsbench.rules.RULES: the table and the workflow must name the same rules."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from gsbench.rules import RULES, run

ROOT = Path(__file__).resolve().parents[2]


def _script_rules() -> dict[str, str]:
    """Rule name -> its script, for every rule with a ``script:`` in workflow/rules."""
    out = {}
    for smk in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        for block in re.split(r"\n(?=rule |checkpoint )", smk.read_text()):
            head = re.match(r"(?:rule|checkpoint) (\w+):", block)
            script = re.search(r"script:\s*\n\s*\"([^\"]+)\"", block)
            if head and script:
                out[head.group(1)] = script.group(1)
    return out


def test_every_scripted_rule_runs_the_one_script_and_has_a_function():
    rules = _script_rules()
    assert set(rules.values()) == {"../scripts/rule.py"}
    assert set(rules) == set(RULES)
    assert [p.name for p in (ROOT / "workflow" / "scripts").glob("*.py")] == ["rule.py"]


def test_a_rule_without_a_function_is_named_in_the_error(tmp_path):
    smk = SimpleNamespace(rule="no_such_rule", log=[str(tmp_path / "x.log")], threads=1)
    with pytest.raises(KeyError, match="'no_such_rule'.*known: .*budget_check"):
        run(smk)


@pytest.mark.slow  # a fresh interpreter imports the packages
def test_jobs_import_only_what_their_rule_uses():
    """Every job imports gsbench.rules: that import, the study's file helpers and the tables
    leave out the estimators (hence scikit-learn) and the plotting stack (seaborn), which only
    fit and figure jobs load; the package names stay importable from the package."""
    import subprocess
    import sys

    probe = ("import sys, gsbench.rules, gsbench.study.io, gsbench.report\n"
             "gsbench.report.write_tables  # what the tables job calls\n"
             "print(sorted(m for m in ('sklearn', 'seaborn', 'gsbench.methods') if m in sys.modules))\n"
             "from gsbench.study import load_config, run_chunk, method_specs\n"
             "from gsbench.report import plot_error_curves, write_tables\n"
             "print(callable(method_specs), 'sklearn' in sys.modules, 'seaborn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True True True"]
