"""Study configuration: reading, schema validation, defaults, plugins, method specs.

:func:`load_config` validates a study configuration against the JSON schema shipped with the
package (``gsbench/data/config.schema.yaml``; ``workflow/schemas/config.schema.yaml`` is a
link to it) plus what a schema cannot say: YAML duplicate keys, non-finite numbers, problem
options (:func:`gsbench.problems.check_problem_options`, the one place shared with the CLI and
:func:`~gsbench.problems.make_problem`), registered method names, hyperparameter names and
values, a grid with no possible cell, and the size of the study (:mod:`.plan`). Errors name
the key and the value, as ``config key '<key>': <what is wrong>``.
"""

from __future__ import annotations

import os
from dataclasses import asdict

from ..config_sweeps import SweepError, expand_sweeps
from ..errors import ConfigError
from ..methods import REGISTRY, MethodError, make_method
from ..problems import DEFAULTS, ProblemError, check_problem_options
from ..settings_files import DATA, fill_defaults, read_schema, read_yaml, validate
from .method_specs import import_plugins, method_specs
from .grid_designs import grid_designs
from .plan import check_plan
from .sample_sizes import AdaptiveGrid

SCHEMA_PATH = DATA / "config.schema.yaml"


def schema() -> dict:
    """The config JSON schema (a mapping), with the problem options' defaults filled in from
    :class:`gsbench.problems.ProblemOptions` (the one place they are written: they feed
    every derived seed)."""
    out = read_schema("config")
    defaults = asdict(DEFAULTS)
    grid = out["properties"]["grid"]["properties"]
    for axis in ("sigma", "design", "decoy_rho", "decoy_layout"):
        grid[axis]["default"] = [defaults.pop(axis)]
    problem = out["properties"]["problem"]["properties"]
    defaults["signal_range"] = list(defaults["signal_range"])
    for key, value in defaults.items():
        problem[key]["default"] = value
    return out


#: Longest study name and method label (after sweeps): they name directories and files,
#: whose names are limited to 255 bytes (a label is followed by e.g. ``.parquet.sha256``).
MAX_NAME_LENGTH = 100
MAX_LABEL_LENGTH = 200


def _check_problem_options(config: dict) -> None:
    grid, problem = config["grid"], config["problem"]
    designs = grid_designs(grid["design"])  # a real design: ConfigError naming its item
    for key in ("sigma", "design", "decoy_rho", "decoy_layout"):
        for i, value in enumerate(grid[key]):
            if key == "design" and designs[i].spec:
                continue
            try:
                check_problem_options(**{key: value})
            except ProblemError as exc:
                raise ConfigError(f"config key 'grid.{key}[{i}]': {exc}") from None
    synthetic = [d.name for d in designs if not d.spec]
    for key in ("p", "group_size"):
        if synthetic and key not in grid:
            raise ConfigError(f"config key 'grid.{key}': needed by the synthetic design(s) "
                              f"{synthetic} (only a real design takes p and groups from its data)")
    try:
        check_problem_options(**problem)
    except ProblemError as exc:
        raise ConfigError(f"config key 'problem.{exc.key}': {exc}") from None


def _check_adaptive(config: dict, schema_: dict) -> None:
    """Fill ``grid.n.adaptive``'s defaults and check what its schema cannot say."""
    n = config["grid"]["n"]
    if not (isinstance(n, dict) and "adaptive" in n):
        return
    sub = schema_["properties"]["grid"]["properties"]["n"]["properties"]["adaptive"]
    config["grid"]["n"] = n = {"adaptive": fill_defaults(n["adaptive"], sub)}
    AdaptiveGrid.from_mapping(n["adaptive"])
    if any(d == "decoy" for d in config["grid"]["design"]):
        raise ConfigError("config key 'grid.n.adaptive': decoy designs are analysed in rho at "
                          "one n per (p, g, s), not in n; use a list of sample sizes or statdim_l1")


def load_config(source: str | os.PathLike | dict) -> dict:
    """Validate a study configuration and fill its defaults.

    Parameters
    ----------
    source : path to a YAML file, or the parsed mapping (e.g. Snakemake's ``config``).

    Returns
    -------
    dict
        The configuration with defaults filled and method hyperparameters that YAML read as
        numeric strings (``1e-6``) turned into numbers.

    Raises
    ------
    ConfigError
        With the first problem found, as ``config key '<key>': <what is wrong>``.
    """
    config = source if isinstance(source, dict) else read_yaml(source)
    schema_ = schema()
    config = validate(config, schema_, "config")
    _check_adaptive(config, schema_)
    try:  # `sweep:` entries -> one label per combination (gsbench.config_sweeps)
        config["methods"] = expand_sweeps(config["methods"])
    except SweepError as exc:
        raise ConfigError(str(exc)) from None
    for label in config["methods"]:
        if len(label) > MAX_LABEL_LENGTH:
            raise ConfigError(f"config key 'methods.{label[:40]}...': label of {len(label)} "
                              f"characters (after sweeps); at most {MAX_LABEL_LENGTH}, as it names "
                              "files")
    _check_problem_options(config)
    import_plugins(config["plugins"])
    methods = {}
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
        body = dict(config["methods"][label] or {})
        methods[label] = {**body, **params} if body else body
    config["methods"] = methods
    check_plan(config)
    return config
