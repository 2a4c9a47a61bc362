"""Malformed result files and failed rules: a file with missing columns is refused naming
it, a failed rule leaves its traceback in its log. (Plugin methods, failing and diverging
trials in a study run by Snakemake: tests/workflow/test_plugin_study.py; interruption:
tests/workflow/test_smoke_study.py.)"""

from __future__ import annotations

import pandas as pd
import pytest

from gsbench.rules import trials_stage
from gsbench.study import ROW_SCHEMA, ResultsSchemaError, read_trials


def test_result_file_with_missing_columns_is_rejected_naming_the_file(tmp_path):
    good = pd.DataFrame({c: pd.Series([1], dtype="int64" if t == "int64" else None)
                         for c, t in ROW_SCHEMA.items()})
    good = good.astype({c: ("float64" if t == "float64" else "string" if t == "string" else t)
                        for c, t in ROW_SCHEMA.items()})
    old = tmp_path / "old.parquet"
    good.drop(columns=["support_recall", "extra"]).to_parquet(old)
    with pytest.raises(ResultsSchemaError, match=r"results file .*old.parquet lacks column\(s\) "
                                                 r"support_recall, extra"):
        read_trials([old])
    with pytest.raises(ResultsSchemaError, match="old.parquet"):
        study = {"success": {"threshold": 0.05}, "allow_code_changes": False}
        trials_stage(study, [str(old)], str(tmp_path / "trials.parquet"))
    typed = tmp_path / "typed.parquet"
    good.assign(n="many").to_parquet(typed)
    with pytest.raises(ResultsSchemaError, match="typed.parquet has a column of the wrong type"):
        read_trials([typed])
    assert len(read_trials([])) == 0 and list(read_trials([]).columns) == list(ROW_SCHEMA)


def test_a_failed_rule_leaves_its_traceback_in_the_log_and_the_pointer_outside(tmp_path, capsys):
    from types import SimpleNamespace

    from gsbench.rules import run_rule

    log = tmp_path / "logs" / "x.log"

    def stage(value):
        print("working on", value)
        raise ValueError(f"bad value {value}")

    with pytest.raises(ValueError, match="bad value 3"):
        run_rule(SimpleNamespace(log=[str(log)], threads=1), stage, 3)
    text = log.read_text()
    assert "working on 3" in text and "ValueError: bad value 3" in text
    assert "rule failed" not in text
    assert f"gsbench: rule failed, see {log}" in capsys.readouterr().err


def test_a_rule_job_logs_the_cpu_time_and_peak_memory_it_used(tmp_path):
    """The log's last line: this process's CPU seconds and peak RSS, as getrusage counts them
    (a stage that burns CPU and holds 200 MB shows both)."""
    import re
    import time
    from types import SimpleNamespace

    import numpy as np

    from gsbench.rules import run_rule

    log = tmp_path / "x.log"

    def stage():
        block = np.ones(25_000_000)  # 200 MB, touched
        end = time.process_time() + 0.3
        while time.process_time() < end:
            block[:1000] += 1.0

    before = time.process_time()
    run_rule(SimpleNamespace(log=[str(log)], threads=1), stage)
    used = time.process_time() - before
    found = re.search(r"job used: cpu_seconds=([\d.]+) peak_rss_mb=([\d.]+)$", log.read_text().strip())
    assert found, log.read_text()
    cpu, peak = float(found[1]), float(found[2])
    assert 0.3 <= cpu and cpu >= used - 0.05  # the whole process so far, the stage included
    assert peak >= 200
