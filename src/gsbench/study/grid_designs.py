"""The grid's design axis: a synthetic design's name, or a real design as a mapping.

Items of ``grid.design``:

* a synthetic design's name (:data:`gsbench.problems.DESIGN_DRAWS`): ``rademacher``,
  ``gaussian``, ``correlated``, ``orthogonal``, ``decoy``;
* ``{real: {name: ames | digits | file, <options>}}``: the rows of a data set
  (:mod:`gsbench.designs`, the options of :func:`gsbench.designs.check_spec`);
* ``{file: X.parquet | X.csv | X.npy, groups: {sizes | labels | labels_file}, <curation
  options>}``: the user's own matrix, short for ``{real: {name: file, path: ..., groups: ...}}``.

A real design's mapping may add ``coherence_cap: c`` (plant the signal only on groups whose
coherence with the other groups is below ``c``) and ``label: <name>`` (default: the data set's
name, or the file's stem). Its cells have ``design = "real-<label>"`` and ``design_spec`` the
canonical JSON ``{"data": <full data spec>, "coherence_cap": c}``, from which the curated
design, its ``p`` and its unequal group sizes follow deterministically; the grid's ``p`` and
``group_size`` do not apply to them.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, ProblemError

#: Keys of a real design's mapping beside the data spec.
REAL_KEYS = ("real", "file", "groups", "coherence_cap", "label")
#: Prefix of a real design's name in the cells (``real-<label>``).
REAL_PREFIX = "real-"
_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class GridDesign:
    """One value of the design axis: ``name`` is the cells' ``design``; ``spec`` is a real
    design's canonical JSON spec (empty for a synthetic design)."""

    name: str
    spec: str = ""


def canonical_spec(data: dict, coherence_cap: float | None) -> str:
    """The canonical JSON of a real design (sorted keys, no spaces)."""
    return json.dumps({"data": data, "coherence_cap": coherence_cap}, sort_keys=True,
                      separators=(",", ":"), default=str)


def parse_design(entry, key: str) -> GridDesign:
    """The :class:`GridDesign` of one ``grid.design`` item; ``key`` names it in errors
    (``grid.design[2]``). Raises :class:`~gsbench.errors.ConfigError`, one line per problem,
    for a bad mapping, a data set or file that does not load, and a bad cap or label."""
    from ..designs import check_spec, load

    if isinstance(entry, str):
        if entry == "real":
            raise ConfigError(f"config key '{key}': a real design is a mapping, "
                              "{real: {name: ames | digits | file, ...}} or {file: X.parquet, "
                              "groups: {sizes: [...]}} (docs/real_designs.md)")
        return GridDesign(entry)
    if not isinstance(entry, dict):
        raise ConfigError(f"config key '{key}': a design is a name or a mapping, got {entry!r}")
    if ("real" in entry) == ("file" in entry):
        raise ConfigError(f"config key '{key}': a real design needs exactly one of real: "
                          f"{{name: ...}} or file: <path>, got keys {sorted(entry)}")
    if "real" in entry:
        data, extra = entry["real"], sorted(set(entry) - {"real", "coherence_cap", "label"})
        if extra:
            raise ConfigError(f"config key '{key}': unknown key(s) {extra} beside real: (the data "
                              "set's options go inside real: {name: ..., ...})")
        where = f"{key}.real"
    else:
        data = {"name": "file", "path": entry["file"],
                **{k: v for k, v in entry.items() if k not in ("file", "coherence_cap", "label")}}
        where = key
    try:
        full = check_spec(data)
        design = load(full)
    except ProblemError as exc:
        raise ConfigError(f"config key '{where}': {exc}") from None
    cap = entry.get("coherence_cap")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, (int, float)) or cap <= 0):
        raise ConfigError(f"config key '{key}.coherence_cap': must be a number > 0, got {cap!r}")
    cap = None if cap is None else float(cap)
    label = entry.get("label", Path(str(full["path"])).stem if full["name"] == "file" else full["name"])
    if not isinstance(label, str) or not _LABEL.match(label) or len(label) > 60:
        raise ConfigError(f"config key '{key}.label': {label!r} is not allowed: use letters, digits, "
                          "'_', '-' and '.', starting with a letter or digit (at most 60)")
    eligible = design.eligible_groups(cap).size
    if eligible == 0:
        raise ConfigError(f"config key '{key}.coherence_cap': no group of {design.name!r} has "
                          f"coherence below {cap} (the smallest is {design.coherence.min():.3g})")
    return GridDesign(REAL_PREFIX + label, canonical_spec(full, cap))


def grid_designs(designs: list, key: str = "grid.design") -> list[GridDesign]:
    """Every item of ``grid.design`` parsed; two real designs with one label are refused."""
    out, seen = [], {}
    for i, entry in enumerate(designs):
        gd = parse_design(entry, f"{key}[{i}]")
        if gd.spec and seen.setdefault(gd.name, gd.spec) != gd.spec:
            raise ConfigError(f"config key '{key}[{i}].label': {gd.name[len(REAL_PREFIX):]!r} names "
                              "two different real designs; give each its own label:")
        out.append(gd)
    return out


@functools.lru_cache(maxsize=32)
def real_design(spec: str):
    """The curated :class:`~gsbench.designs.RealDesign` of a canonical spec."""
    from ..designs import load

    return load(json.loads(spec)["data"])


def spec_parts(spec: str) -> tuple[dict, float | None]:
    """``(data spec, coherence_cap)`` of a canonical spec."""
    body = json.loads(spec)
    return body["data"], body["coherence_cap"]


def design_specs(config: dict) -> dict[str, str]:
    """``{design name: canonical spec}`` of a validated config's real designs."""
    return {gd.name: gd.spec for gd in grid_designs(config["grid"]["design"]) if gd.spec}
