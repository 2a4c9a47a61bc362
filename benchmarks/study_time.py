"""The default study's wall time with this checkout against a baseline commit.

    python benchmarks/study_time.py --baseline COMMIT [--cores 2] [--config config/config.yaml] [--out ...]

Runs the study (``--config``, default ``config/config.yaml``) twice in the same invocation,
one after the other, each from a clean results directory with ``--cores``: with this
checkout, then with a temporary ``git worktree`` of ``--baseline``, whose code the Snakemake
process and its jobs import through ``PYTHONPATH`` (checked: the parameters recorded in the baseline's
fits are those of the baseline's methods). It records both wall times, their ratio (this /
baseline) and the side-by-side comparison of ``benchmarks/compare_studies.py`` (n* moved
outside the other run's interval, success rates, fit time per method) under the key ``"study"``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bench import ROOT, baseline_checkout, parser, remove_checkout, update_report

def study_wall_time(root: Path, work: Path, config: str, cores: int,
                    pythonpath: Path | None = None) -> float:
    """Wall time of ``snakemake`` on the Snakefile of checkout ``root`` with its ``config``,
    from the clean directory ``work`` (its results go to ``work/results``); with
    ``pythonpath``, the Snakemake process and its jobs import gsbench from there."""
    snakemake = Path(sys.executable).parent / "snakemake"
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    work.mkdir(parents=True)
    start = time.perf_counter()
    subprocess.run([str(snakemake), "--snakefile", str(root / "Snakefile"), "--directory",
                    str(work), "--configfile", str(root / config), "--cores", str(cores),
                    "--quiet"], check=True, capture_output=True, env=env)  # fmt: skip
    return time.perf_counter() - start


IMPORT_CHECK = r"""
import json, sys
import gsbench
from gsbench.methods import get_method
print(json.dumps({"file": gsbench.__file__,
                  "params": {m: sorted(set(get_method(m)().get_params()) - {"groups"})
                             for m in sys.argv[1:]}}))
"""


def imported_code(results: Path, pythonpath: Path | None) -> dict:
    """Which gsbench a study's jobs ran: the package file the environment imports and whether
    the parameters recorded in the fits (``trials.parquet``, all but ``groups``) are exactly
    that package's parameters of each method."""
    import pandas as pd

    trials = pd.read_parquet(results / "trials.parquet", columns=["method_name", "params"])
    methods = sorted(trials["method_name"].unique())
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    proc = subprocess.run([sys.executable, "-c", IMPORT_CHECK, *methods], check=True,
                          capture_output=True, text=True, env=env)  # fmt: skip
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    recorded = {m: sorted(set().union(*(json.loads(p) for p in trials.loc[
        trials["method_name"] == m, "params"]))) for m in methods}  # fmt: skip
    return {"gsbench": seen["file"], "params_match": recorded == seen["params"]}


def study_section(args) -> dict:
    """The default study with this checkout and with ``args.baseline``, one after the
    other, and their comparison (see the module docstring)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from compare_studies import compare_transitions, fit_times

    import pandas as pd

    config, cores = args.config, args.cores
    with tempfile.TemporaryDirectory() as tmp:
        base = baseline_checkout(args.baseline, Path(tmp) / "baseline")
        try:
            print(f"\ndefault study ({config}, --cores {cores}): this checkout ...", flush=True)
            new = study_wall_time(ROOT, Path(tmp) / "new", config, cores)
            print(f"  {new:.0f} s; baseline {args.baseline} ...", flush=True)
            old = study_wall_time(base, Path(tmp) / "old", config, cores, pythonpath=base / "src")
            print(f"  {old:.0f} s; ratio this / baseline = {new / old:.3f}", flush=True)
            study = yaml_study_name(ROOT / config)
            res_new = Path(tmp) / "new" / "results" / study
            res_old = Path(tmp) / "old" / "results" / study
            check_new = imported_code(res_new, None)
            check_old = imported_code(res_old, base / "src")
            if not (check_old["params_match"] and check_old["gsbench"].startswith(str(base))):
                raise RuntimeError(f"the baseline study did not run its own code: {check_old}")
            tr = compare_transitions(pd.read_csv(res_old / "transitions.csv"),
                                     pd.read_csv(res_new / "transitions.csv"))  # fmt: skip
            times = fit_times(res_old).merge(fit_times(res_new), on="method",
                                             suffixes=("_baseline", "_new"))  # fmt: skip
        finally:
            remove_checkout(base)
    moved = tr[tr["moved"]]
    print(f"  settings compared: {len(tr)}, n* outside the other run's interval or label "
          f"changed: {len(moved)}")
    return {"config": config, "cores": cores, "baseline": args.baseline,
            "wall_seconds": new, "baseline_wall_seconds": old, "ratio": new / old,
            "imported": {"new": check_new, "baseline": check_old},
            "settings_compared": len(tr), "settings_moved": len(moved),
            "moved": json.loads(moved.to_json(orient="records")),
            "fit_time": json.loads(times.to_json(orient="records"))}  # fmt: skip


def yaml_study_name(config: Path) -> str:
    import yaml

    return str(yaml.safe_load(config.read_text())["study"])


def main(argv=None) -> int:
    ap = parser(__doc__)
    ap.add_argument("--baseline", metavar="COMMIT", required=True,
                    help="commit whose study is timed side by side (a git worktree)")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--config", default="config/config.yaml",
                    help="study config, relative to each checkout (config/smoke.yaml checks quickly)")
    args = ap.parse_args(argv)
    return update_report(args.out, "study", study_section(args))


if __name__ == "__main__":
    sys.exit(main())
