"""``gsbench study validate|run-chunk`` (the workflow calls the package directly)."""

from __future__ import annotations

from pathlib import Path

from .cells import expand_cells, warn_skipped
from .chunks import chunk_cells, run_chunk
from .config import ConfigError, load_config


def add_study_commands(sub) -> None:
    """Add the ``study`` subcommand to the ``gsbench`` parser."""
    study = sub.add_parser("study", help="inspect or run parts of a study configuration")
    ssub = study.add_subparsers(dest="study_command", required=True)
    v = ssub.add_parser("validate", help="validate a config and list its cells and jobs")
    v.add_argument("--config", required=True, type=Path)
    r = ssub.add_parser("run-chunk", help="run one fit job of a study")
    r.add_argument("--config", required=True, type=Path)
    r.add_argument("--method", required=True)
    r.add_argument("--chunk", required=True)
    r.add_argument("--output", required=True, type=Path)
    study.set_defaults(func=_cmd_study)


def _cmd_study(args) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    if args.study_command == "validate":
        cells, skipped = expand_cells(config)
        warn_skipped(skipped)
        chunks = chunk_cells(config)
        print(f"config {args.config}: study {config['study']!r}, {len(cells)} cells x "
              f"{config['trials']} trials, methods {', '.join(config['methods'])}, "
              f"{len(chunks) * len(config['methods'])} fit jobs")
        return 0
    if args.method not in config["methods"]:
        raise ValueError(f"--method {args.method!r} is not a method of this config")
    run_chunk(config, args.method, args.chunk, args.output)
    return 0
