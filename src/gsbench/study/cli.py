"""``gsbench study validate|run|status|run-chunk``.

``run`` is the safe way to start a study: it validates the config, prints the plan (fits,
jobs, rough time and disk; :mod:`.plan`), refuses to start while another Snakemake run holds
this directory's lock, and then runs Snakemake with the default workflow profile.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from ..errors import UsageError
from .cells import expand_cells, warn_skipped
from .chunks import chunk_cells, run_chunk
from .config import load_config
from .plan import describe, plan_study

#: Where Snakemake keeps its directory lock while a run is going (relative to the workdir).
LOCK_DIR = Path(".snakemake") / "locks"
PROFILE = "workflow/profiles/default"


def add_study_commands(sub) -> None:
    """Add the ``study`` subcommand to the ``gsbench`` parser."""
    study = sub.add_parser("study", help="inspect or run parts of a study configuration")
    ssub = study.add_subparsers(dest="study_command", required=True)
    v = ssub.add_parser("validate", help="validate a config, list its cells, jobs and size")
    v.add_argument("--config", required=True, type=Path)
    run = ssub.add_parser("run", help="validate, check the lock, run the study with snakemake")
    run.add_argument("--config", required=True, type=Path)
    run.add_argument("--cores", default="2", help="snakemake --cores (default 2)")
    run.add_argument("snakemake_args", nargs=argparse.REMAINDER,
                     help="further snakemake arguments, after --")
    st = ssub.add_parser("status", help="which fits of a study are current, stale (and why) "
                         "or missing, and the CPU time to update them")
    st.add_argument("--config", required=True, type=Path)
    r = ssub.add_parser("run-chunk", help="run one fit job of a study")
    r.add_argument("--config", required=True, type=Path)
    r.add_argument("--method", required=True)
    r.add_argument("--chunk", required=True)
    r.add_argument("--output", required=True, type=Path)
    study.set_defaults(func=_cmd_study)


def check_lock(workdir: Path = Path(".")) -> None:
    """Raise :class:`UsageError` if a Snakemake run holds ``workdir``'s lock.

    Snakemake locks the whole working directory (``.snakemake/locks``) while it runs; a second
    run started beside it fails and reports the first run's files as "incomplete", advising
    ``--cleanup-metadata``, which would be wrong. A lock left by a killed run looks the same:
    the message says how to remove it.
    """
    locks = sorted(p.name for p in (workdir / LOCK_DIR).glob("*.lock"))
    if locks:
        raise UsageError(
            f"another snakemake run holds the lock of {workdir.resolve()} ({LOCK_DIR}/"
            f"{locks[0]}): wait for it to finish; if none is running (it was killed), "
            "remove the stale lock with `snakemake --unlock --configfile <config>`"
        )


def _run(args) -> int:
    if not Path("Snakefile").is_file():
        raise UsageError("gsbench study run: no Snakefile here; run it from the gsbench "
                         "project directory")
    check_lock()
    extra = args.snakemake_args[1:] if args.snakemake_args[:1] == ["--"] else args.snakemake_args
    exe = Path(sys.executable).parent / "snakemake"
    cmd = [str(exe) if exe.exists() else (shutil.which("snakemake") or "snakemake"),
           "--workflow-profile", PROFILE, "--configfile", str(args.config),
           "--cores", str(args.cores), *extra]
    print(f"gsbench: running {' '.join(cmd)}", file=sys.stderr, flush=True)
    return run_until_done(cmd, unlock=[*cmd[:1], "--unlock", "--configfile", str(args.config)])


def run_until_done(cmd: list[str], unlock: list[str] | None = None) -> int:
    """Run Snakemake and wait for it, also when interrupted, so that it removes its lock.

    Snakemake runs in a process group of its own: Ctrl-C (SIGINT, or SIGTERM) reaches
    gsbench alone, which forwards the first one to Snakemake and then waits for it to stop
    its jobs and remove ``.snakemake/locks`` (later signals are not forwarded: a second
    SIGINT would interrupt that clean-up, which left stale locks). If a lock is still there
    afterwards, ``unlock`` (``snakemake --unlock``) removes it. Returns Snakemake's exit status,
    130 when interrupted.
    """
    child = subprocess.Popen(cmd, process_group=0)
    received: list[int] = []

    def forward(signum, frame):
        if not received and child.poll() is None:
            child.send_signal(signal.SIGINT)
            print("gsbench: interrupted; waiting for snakemake to stop its jobs and remove its "
                  "lock", file=sys.stderr, flush=True)
        received.append(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received and unlock and any((Path(".") / LOCK_DIR).glob("*.lock")):
        subprocess.run(unlock, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return 130 if received else code


def _cmd_study(args) -> int:
    config = load_config(args.config)
    if args.study_command in ("validate", "run"):
        cells, skipped = expand_cells(config)
        warn_skipped(skipped)
        chunks = chunk_cells(config)
        print(f"config {args.config}: study {config['study']!r}, {len(cells)} cells x "
              f"{config['trials']} trials, methods {', '.join(config['methods'])}, "
              f"{sum(map(len, chunks.values()))} fit jobs")
        print(f"gsbench: study {config['study']!r}: {describe(plan_study(config))}")
        return _run(args) if args.study_command == "run" else 0
    if args.study_command == "status":
        from .status import format_status, study_status

        print(format_status(config, study_status(config)))
        return 0
    if args.method not in config["methods"]:
        raise UsageError(f"--method {args.method!r} is not a method of this config "
                         f"({', '.join(config['methods'])})")
    run_chunk(config, args.method, args.chunk, args.output)
    return 0
