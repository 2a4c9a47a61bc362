"""A comparison study: configuration -> cells -> jobs -> per-trial Parquet rows.

* :func:`load_config` validates a study configuration against
  ``workflow/schemas/config.schema.yaml`` plus what a schema cannot say (registered method
  names, hyperparameter names and values), filling defaults; errors name the key and value.
* :func:`expand_cells` takes the cartesian product of the grid, skipping impossible cells.
* :func:`chunk_cells` spreads the cells over ``jobs_per_method`` jobs of balanced cost.
* :func:`run_chunk` is one workflow job: every trial of every cell of a chunk, one method,
  written atomically as Parquet.
* :func:`read_trials` reads result files back, checking their columns.

Seeds come from :func:`gsbench.problems.derive_seed` of a cell's problem parameters and the
trial index only, so all methods see the same problems and adding grid points or methods
never changes another result.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
import yaml

from .coherence import COHERENCE_FIELDS, incoherence
from .methods import REGISTRY, MethodError, make_method
from .problems import Problem, derive_seed, make_problem
from .runner import RESULT_FIELDS, fit_problems

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"
CELL_FIELDS = ("p", "group_size", "active_groups", "n", "sigma", "design", "decoy_rho",
               "decoy_layout")
ROW_SCHEMA: dict[str, str] = {
    "study": "string", "method": "string", "method_name": "string", "cell_id": "string",
    "n": "int64", "p": "int64", "group_size": "int64", "active_groups": "int64",
    "sigma": "float64", "design": "string", "decoy_rho": "float64", "decoy_layout": "string",
    "trial": "int64", "seed": "int64", **COHERENCE_FIELDS, **RESULT_FIELDS,
}  # fmt: skip


class ConfigError(ValueError):
    """An invalid study configuration; the message names the key and the value."""


class ResultsSchemaError(ValueError):
    """A results file whose columns are not the per-trial schema; names the file."""


# --------------------------------------------------------------------------- config


def _schema() -> dict:
    with open(SCHEMA_PATH) as fh:
        return yaml.safe_load(fh)


def _fill_defaults(config: dict, schema: dict) -> dict:
    out = dict(config)
    for key, sub in schema.get("properties", {}).items():
        if key not in out and "default" in sub:
            out[key] = json.loads(json.dumps(sub["default"]))
        if isinstance(out.get(key), dict) and sub.get("type") == "object":
            out[key] = _fill_defaults(out[key], sub)
    return out


def _key(path: Iterable) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<top level>"


def import_plugins(modules: Iterable[str]) -> None:
    """Import plugin modules (they call :func:`gsbench.methods.register`)."""
    for i, module in enumerate(modules):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ConfigError(f"config key 'plugins[{i}]': cannot import {module!r} ({exc})")


def method_specs(config: dict) -> dict[str, tuple[str, str | None, dict]]:
    """``label -> (registry name, preset, hyperparameters)`` for the config's methods."""
    specs = {}
    for label, body in config["methods"].items():
        body = dict(body or {})
        name = body.pop("method", label)
        preset = body.pop("preset", None)
        specs[label] = (name, preset, body)
    return specs


def load_config(source: str | os.PathLike | dict) -> dict:
    """Validate a study configuration and fill its defaults.

    Parameters
    ----------
    source : path to a YAML file, or the parsed mapping (e.g. Snakemake's ``config``).

    Raises
    ------
    ConfigError
        With the first problem found, as ``config key '<key>': <what is wrong>``.
    """
    import jsonschema

    if isinstance(source, dict):
        config = source
    else:
        try:
            with open(source) as fh:
                config = yaml.safe_load(fh)
        except OSError as exc:
            raise ConfigError(f"cannot read config file {source}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"config file {source} is not valid YAML: {exc}") from None
    if not isinstance(config, dict):
        raise ConfigError(f"config must be a mapping, got {type(config).__name__}")
    schema = _schema()
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(config),
        key=lambda e: (list(map(str, e.absolute_path)), e.message),
    )
    if errors:
        err = errors[0]
        raise ConfigError(f"config key '{_key(err.absolute_path)}': {err.message}")
    config = _fill_defaults(config, schema)
    import_plugins(config["plugins"])
    for label, (name, preset, params) in method_specs(config).items():
        if name not in REGISTRY:
            raise ConfigError(
                f"config key 'methods.{label}': unknown method {name!r}; registered: "
                f"{', '.join(sorted(REGISTRY))}"
            )
        if "groups" in params:
            raise ConfigError(
                f"config key 'methods.{label}.groups': groups come from the grid's group_size"
            )
        try:
            make_method(name, params, preset=preset)
        except MethodError as exc:
            raise ConfigError(f"config key 'methods.{label}': {exc}") from None
    return config


# --------------------------------------------------------------------------- cells


@dataclass(frozen=True)
class Cell:
    """One point of the grid; ``problem_params`` feed :func:`make_problem` and the seed."""

    p: int
    group_size: int
    active_groups: int
    n: int
    sigma: float
    design: str
    decoy_rho: float = 0.0  # decoy design only (other designs: 0 and "scattered")
    decoy_layout: str = "scattered"

    @property
    def cell_id(self) -> str:
        sigma = np.format_float_positional(self.sigma, trim="-")
        cid = f"p{self.p}_g{self.group_size}_s{self.active_groups}_n{self.n}_sigma{sigma}_{self.design}"
        if self.design == "decoy":
            cid += f"_rho{np.format_float_positional(self.decoy_rho, trim='-')}_{self.decoy_layout}"
        return cid

    def problem_params(self, config: dict) -> dict[str, Any]:
        prob = config.get("problem", {})
        params = {
            "n": self.n, "p": self.p, "group_size": self.group_size,
            "active_groups": self.active_groups, "sigma": self.sigma, "design": self.design,
            "signal": prob.get("signal", "constant"),
            "amplitude": prob.get("amplitude", 1.0),
            "signal_range": list(prob.get("signal_range", [5.0, 13.0])),
            "n_val": prob.get("n_val"),
        }  # fmt: skip
        if self.design == "correlated":
            params["rho"] = prob.get("rho", 0.5)
        if self.design == "decoy":
            params.update(decoy_rho=self.decoy_rho, decoy_layout=self.decoy_layout,
                          decoy_groups=prob.get("decoy_groups"))
        return params

    def problem(self, config: dict, trial: int) -> Problem:
        params = self.problem_params(config)
        return make_problem(**params, seed=derive_seed(params, trial))


def impossible_reason(cell: Cell, config: dict) -> str | None:
    """Why a grid point cannot exist, or None."""
    if cell.p % cell.group_size:
        return f"group_size={cell.group_size} does not divide p={cell.p}"
    if cell.active_groups > cell.p // cell.group_size:
        return f"s={cell.active_groups} > p/group_size={cell.p // cell.group_size}"
    n_val = config.get("problem", {}).get("n_val") or cell.n
    if cell.design == "orthogonal" and min(cell.n, n_val) < cell.p:
        return f"orthogonal design needs n >= p (n={cell.n}, p={cell.p})"
    return None


def expand_cells(config: dict) -> tuple[list[Cell], list[str]]:
    """The grid's cells in a fixed order, and a description of each skipped one."""
    grid = config["grid"]
    cells, skipped = [], []
    axes = {k: grid.get(k, [Cell.__dataclass_fields__[k].default]) for k in CELL_FIELDS}
    if isinstance(grid["n"], dict):  # n = ceil(factor * D_l1(s g, p)), one per (p, g, s)
        axes["n"] = [None]
    seen = set()
    for values in itertools.product(*axes.values()):
        kw = dict(zip(CELL_FIELDS, values))
        kw["sigma"], kw["decoy_rho"] = float(kw["sigma"]), float(kw["decoy_rho"])
        if kw["design"] != "decoy":  # the decoy axes do not apply
            kw["decoy_rho"], kw["decoy_layout"] = 0.0, "scattered"
            if tuple(kw.values()) in seen:
                continue
            seen.add(tuple(kw.values()))
        if kw["n"] is None:
            kw["n"] = _n_from_statdim(grid["n"], kw["p"], kw["group_size"], kw["active_groups"])
        cell = Cell(**kw)
        reason = impossible_reason(cell, config)
        (skipped.append(f"{cell.cell_id} ({reason})") if reason else cells.append(cell))
    cells.sort(key=lambda c: (c.p, c.group_size, c.active_groups, c.sigma, c.design, c.n))
    return cells, skipped


def _n_from_statdim(rule: dict, p: int, g: int, s: int) -> int:
    """``n = ceil(statdim_l1 * D_l1(s g, p))`` (grid ``n: {statdim_l1: factor}``)."""
    from .analysis.theory import statdim_l1

    return max(1, int(np.ceil(rule["statdim_l1"] * statdim_l1(min(s * g, p), p))))


def warn_skipped(skipped: list[str], stream=None) -> None:
    """One warning line for all skipped cells."""
    stream = stream or sys.stderr
    if skipped:
        shown = "; ".join(skipped[:3]) + (f"; ... {len(skipped) - 3} more" if len(skipped) > 3 else "")
        print(f"gsbench: warning: skipping {len(skipped)} impossible grid cell(s): {shown}",
              file=stream)


def chunk_cells(config: dict) -> dict[str, list[Cell]]:
    """Spread the cells over ``jobs_per_method`` chunks of balanced estimated cost.

    A cell's cost is estimated as ``trials * n * p`` (every iteration of every method is
    dominated by products with the n x p design). Cells are assigned largest first to the
    least loaded chunk. A chunk's id holds a hash of its cells, so a changed grid yields new
    ids and never reuses a stale file.
    """
    cells, _ = expand_cells(config)
    k = max(1, min(config["jobs_per_method"], len(cells)))
    loads = [0.0] * k
    members: list[list[Cell]] = [[] for _ in range(k)]
    for cell in sorted(cells, key=lambda c: (-c.n * c.p, c.cell_id)):
        j = int(np.argmin(loads))
        loads[j] += config["trials"] * cell.n * cell.p
        members[j].append(cell)
    chunks = {}
    for j, group in enumerate(members):
        if not group:
            continue
        group.sort(key=lambda c: c.cell_id)
        digest = hashlib.sha1(",".join(c.cell_id for c in group).encode()).hexdigest()[:8]
        chunks[f"chunk{j:02d}-{digest}"] = group
    return chunks


# --------------------------------------------------------------------------- jobs


def cell_rows(config: dict, label: str, cell: Cell) -> pd.DataFrame:
    """All trials of one cell fitted by method ``label`` (one batch), as rows."""
    name, preset, params = method_specs(config)[label]
    problems = [cell.problem(config, t) for t in range(config["trials"])]
    rows, _ = fit_problems(name, problems, params, preset=preset)
    frame = pd.DataFrame(rows)
    measured = incoherence(np.stack([pr.X for pr in problems]), problems[0].groups)
    for key, values in measured.items():
        frame[key] = values
    frame.insert(0, "seed", [pr.seed for pr in problems])
    frame.insert(0, "trial", np.arange(config["trials"]))
    for key in reversed(("cell_id",) + CELL_FIELDS):
        frame.insert(0, key, cell.cell_id if key == "cell_id" else getattr(cell, key))
    frame.insert(0, "method_name", name)
    frame.insert(0, "method", label)
    frame.insert(0, "study", config["study"])
    return conform(frame)


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of :data:`ROW_SCHEMA`, in order, with their dtypes."""
    return frame[list(ROW_SCHEMA)].astype(ROW_SCHEMA)


def write_table_atomic(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``frame`` as Parquet (``.parquet``) or CSV (otherwise) to a temporary file beside
    ``path`` and rename it: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a killed job
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if path.suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_chunk(config: dict, label: str, chunk_id: str, output: str | os.PathLike) -> pd.DataFrame:
    """One workflow job: method ``label`` on every trial of every cell of ``chunk_id``."""
    import_plugins(config.get("plugins", []))
    chunks = chunk_cells(config)
    if chunk_id not in chunks:
        raise ConfigError(f"chunk {chunk_id!r} is not a chunk of this config")
    frame = pd.concat([cell_rows(config, label, cell) for cell in chunks[chunk_id]],
                      ignore_index=True)
    write_table_atomic(frame, output)
    return frame


def read_trials(paths: Iterable[str | os.PathLike]) -> pd.DataFrame:
    """Concatenate per-trial result files, checking each against :data:`ROW_SCHEMA`."""
    frames = []
    for path in paths:
        try:
            frame = pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path)
        except Exception as exc:
            raise ResultsSchemaError(f"results file {path} cannot be read: {exc}") from None
        missing = [c for c in ROW_SCHEMA if c not in frame.columns]
        if missing:
            raise ResultsSchemaError(
                f"results file {path} lacks column(s) {', '.join(missing)}; it was not written "
                "by this version of gsbench (rerun its job, e.g. delete the file)"
            )
        try:
            frames.append(conform(frame))
        except (ValueError, TypeError) as exc:
            raise ResultsSchemaError(f"results file {path} has a column of the wrong type: {exc}")
    if not frames:
        return conform(pd.DataFrame({c: pd.Series(dtype=t) for c, t in ROW_SCHEMA.items()}))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["method", "cell_id", "trial"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- CLI


def add_study_commands(sub) -> None:
    """``gsbench study validate|cells|run-chunk`` (the workflow calls the package directly)."""
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
