"""What determines a fit, as hashes: the key of a cell's fit file and the code behind it.

A study's fit of one method on one cell is keyed by

* its **configuration part** (:func:`fit_key`): the cell and its problem options (everything
  :meth:`~gsbench.study.cells.Cell.problem_params` feeds the problem and its seeds: for a
  real design its data spec, coherence cap and group sizes), the
  trial count, the method's label, registry name, preset and resolved parameters (the
  estimator's full ``get_params()``, defaults included, so a changed default counts);
* its **code part** (:func:`code_fingerprint`): the SHA-256 of the source of every gsbench
  module the fit runs, i.e. the method's module and the fit pipeline (runner, problems,
  metrics, coherence, the row writer) with what they import from gsbench, found statically
  (``ast``) and closed transitively. The registry package ``gsbench.methods`` is hashed
  but not followed, so one method's edit does not change another method's fingerprint. A
  plugin method adds its own file; the scikit-learn adapter adds the estimator package's
  version.

A fit file's name holds both (``<cell_id>.<fit key>-<code key>.parquet``): a change to any
of them is a new file name, so Snakemake reruns exactly the jobs whose cells changed, and a
job reuses every cell whose file already exists (:mod:`.chunks`). The success threshold is
not part of the key: the fit files keep each trial's recorded error path and the analysis
computes the success windows for the study's threshold (:func:`gsbench.stopping_windows.path_windows`).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: Modules every study fit runs besides its method's: drawing the problem, fitting the batch,
#: scoring the rows, measuring coherence, writing the row.
PIPELINE_MODULES: tuple[str, ...] = (
    "gsbench.runner", "gsbench.problems", "gsbench.metrics", "gsbench.coherence",
    "gsbench.results_schema", "gsbench.study.fits",
)  # fmt: skip
#: Modules hashed but not followed: the registry, whose imports pull in every method.
NOT_FOLLOWED: frozenset[str] = frozenset({"gsbench", "gsbench.methods", "gsbench.methods._registry"})
#: Length of the hex digests in file names.
KEY_LENGTH, CODE_LENGTH = 12, 8


def _sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def canonical_json(value: Any) -> str:
    """A value as JSON with sorted keys and no spaces (numbers as Python writes them)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


#: The gsbench package's folder: its modules' files are found there, without importing them.
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


@functools.cache
def _module_file(name: str) -> str | None:
    """The source file of module `name` (None if there is none). A gsbench module is looked
    up in the package's folder (``find_spec`` would import its parent packages, e.g. the
    report's matplotlib, while the workflow builds its DAG); another one by ``find_spec``."""
    parts = name.split(".")
    if parts[0] == "gsbench":
        base = _PACKAGE_DIR.joinpath(*parts[1:])
        for path in (base.with_suffix(".py") if len(parts) > 1 else None, base / "__init__.py"):
            if path is not None and path.is_file():
                return str(path)
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.origin not in (None, "built-in") else None


def _is_package(name: str) -> bool:
    origin = _module_file(name)
    return origin is not None and Path(origin).name == "__init__.py"


def _statements(node: ast.AST):
    """Every statement of `node`, nested ones included (an import is a statement: the
    expressions, most of a module's nodes, need not be visited)."""
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        for child in getattr(node, field, ()):
            if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)):
                yield child
                yield from _statements(child)


@functools.cache
def imported_gsbench_modules(name: str) -> frozenset[str]:
    """The gsbench modules that module ``name``'s source imports (anywhere in the file)."""
    origin = _module_file(name)
    if origin is None:
        return frozenset()
    tree = ast.parse(Path(origin).read_text(encoding="utf-8"))
    package = name if _is_package(name) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _statements(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            if target != "gsbench" and not target.startswith("gsbench."):
                continue  # another package's: finding `from x.y import z`'s spec imports x.y
            for alias in node.names:  # `from .pkg import module` names a module
                if _module_file(f"{target}.{alias.name}") is not None:
                    found.add(f"{target}.{alias.name}")
    if _is_package(name):
        found.update(_lazy_export_modules(tree, package))
    return frozenset(m for m in found if m == "gsbench" or m.startswith("gsbench."))


def _lazy_export_modules(tree: ast.Module, package: str) -> set[str]:
    """The modules a package's ``_EXPORTS = {name: module}`` (:mod:`gsbench.lazy_imports`)
    imports on first use of a name: edges of the package as much as its import statements."""
    found: set[str] = set()
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
                and any(isinstance(t, ast.Name) and t.id == "_EXPORTS" for t in node.targets)):
            for value in node.value.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    module = value.value
                    found.add(f"{package}{module}" if module.startswith(".") else module)
    return found


def module_closure(roots: tuple[str, ...]) -> dict[str, str]:
    """``module -> SHA-256 of its source`` for `roots` and every gsbench module they import,
    transitively (modules in :data:`NOT_FOLLOWED` are hashed, not followed)."""
    seen: dict[str, str] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        origin = _module_file(name)
        if origin is None:
            continue
        seen[name] = _sha(Path(origin).read_bytes())
        if name not in NOT_FOLLOWED:
            todo.extend(imported_gsbench_modules(name))
    return dict(sorted(seen.items()))


@functools.cache
def code_fingerprint(method_name: str, estimator: str | None = None) -> dict[str, Any]:
    """The code behind a fit of registered method ``method_name``.

    Returns ``{"key": <8 hex>, "modules": {module: sha256}, "external": {...}}``. A plugin's
    module (outside gsbench) is hashed by its file; ``estimator`` (the scikit-learn
    adapter's dotted class path) adds ``<top-level package>==<version>``.
    """
    from ..methods import get_method

    cls = get_method(method_name)
    roots = (cls.__module__, *PIPELINE_MODULES)
    modules = module_closure(roots)
    external: dict[str, str] = {}
    if not cls.__module__.startswith("gsbench."):
        origin = getattr(sys.modules.get(cls.__module__), "__file__", None)
        external[cls.__module__] = _sha(Path(origin).read_bytes()) if origin else "unknown"
        for name in imported_gsbench_modules(cls.__module__):
            modules.update(module_closure((name,)))
    if estimator:
        top = estimator.split(".")[0]
        try:
            from importlib.metadata import version

            external[top] = version(top)
        except Exception:
            external[top] = "unknown"
    key = _sha(canonical_json({"modules": modules, "external": external}))[:CODE_LENGTH]
    return {"key": key, "modules": modules, "external": external}


@dataclass(frozen=True)
class FitKey:
    """The key of one (method, cell) fit: hashes of its parts and of their whole."""

    cell_id: str
    label: str
    problem: str  # hash of the problem options (the cell's problem_params)
    trials: int
    params: str  # hash of (registry name, preset, resolved parameters)
    code: str  # code_fingerprint()["key"]

    @property
    def config_key(self) -> str:
        """Everything but the code, hashed (the part of the file name before the dash)."""
        parts = (self.cell_id, self.label, self.problem, self.trials, self.params)
        return _sha(canonical_json(parts))[:KEY_LENGTH]

    @property
    def file_stem(self) -> str:
        return f"{self.cell_id}.{self.config_key}-{self.code}"

    def to_json(self) -> str:
        return canonical_json({**asdict(self), "config_key": self.config_key})

    def stale_reasons(self, other: "FitKey") -> list[str]:
        """What differs between an older key `other` of the same cell and this one."""
        names = {"label": "method label", "problem": "problem options", "trials": "trials",
                 "params": "parameters", "code": "code"}  # fmt: skip
        return [text for field, text in names.items() if getattr(self, field) != getattr(other, field)]

    @classmethod
    def from_json(cls, text: str) -> "FitKey":
        data = json.loads(text)
        data.pop("config_key", None)
        return cls(**data)


@functools.cache
def _resolved_params(name: str, preset: str | None, params_json: str, groups: tuple) -> str:
    from ..methods import make_method

    est = make_method(name, json.loads(params_json), groups=list(groups), preset=preset)
    used = est.get_params(deep=False)
    used.pop("groups", None)
    return _sha(canonical_json({"name": name, "preset": preset, "params": used}))[:KEY_LENGTH]


def fit_key(config: dict, label: str, cell) -> FitKey:
    """The :class:`FitKey` of method `label` on `cell` under a validated `config`."""
    from .method_specs import method_specs

    name, preset, params = method_specs(config)[label]
    group_sizes = tuple(cell.sizes)  # a real design's unequal sizes, else p / g of g
    resolved = _resolved_params(name, preset, canonical_json(params), group_sizes)
    code = code_fingerprint(name, params.get("estimator"))["key"]
    problem = _sha(canonical_json(cell.problem_params(config)))[:KEY_LENGTH]
    return FitKey(cell_id=cell.cell_id, label=label, problem=problem,
                  trials=int(config["trials"]), params=resolved, code=code)


#: Roots of the analysis code: what turns fit files into the study's tables, figures and
#: verdict (a change reruns those rules, never the fits).
ANALYSIS_MODULES: tuple[str, ...] = (
    "gsbench.rules", "gsbench.analysis", "gsbench.report", "gsbench.verdict",
    "gsbench.study.io", "gsbench.stopping_windows",
)  # fmt: skip


def analysis_fingerprint() -> str:
    """Hash of the analysis code's sources (:data:`ANALYSIS_MODULES` and their gsbench
    imports), for the analysis rules' rerun trigger."""
    return _sha(canonical_json(module_closure(ANALYSIS_MODULES)))[:CODE_LENGTH]


def method_fingerprints(config: dict) -> dict[str, dict[str, str]]:
    """Per method label: registry name, preset, resolved-parameter hash (of the grid's first
    group size) and code key; what a study's provenance records of its methods."""
    from .method_specs import method_specs

    out = {}
    for label, (name, preset, params) in method_specs(config).items():
        code = code_fingerprint(name, params.get("estimator"))["key"]
        out[label] = {"method": name, "preset": preset, "params": canonical_json(params),
                      "code": code}  # fmt: skip
    return out


def study_key(config: dict) -> str:
    """Hash of a validated config and its methods' code: what an adaptive grid's plans
    depend on."""
    return _sha(canonical_json({"config": config, "methods": method_fingerprints(config)}))[:CODE_LENGTH]
