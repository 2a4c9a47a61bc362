"""The package's import graph has no cycle (read statically with ast, local imports included).

An import of ``a.b.c`` from a module outside ``a.b`` also runs ``a/b/__init__.py`` first, so
it is an edge to that package too: ``gsbench.convex`` importing ``gsbench.methods._base``
depends on everything ``gsbench.methods`` imports. A name taken from the enclosing package
(``from . import make_method`` in ``gsbench.methods._settings_batch``) is an edge to its
``__init__``. A cycle hidden by a function-level import is still a cycle here.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def _modules(src: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is_package) for every module under ``src/gsbench``."""
    out = {}
    for path in (src / "gsbench").rglob("*.py"):
        parts = list(path.relative_to(src).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return out


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    """Module -> the package modules importing it runs (see the module docstring)."""
    modules = _modules(src)
    graph: dict[str, set[str]] = {}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                for alias in node.names:  # `from pkg import sub` imports the submodule
                    sub = f"{module}.{alias.name}"
                    targets.add(sub if sub in modules else module)
        deps = set()
        for target in targets:
            if target not in modules:
                continue
            if target != name:  # a name taken from an enclosing package's __init__ counts
                deps.add(target)
            # the packages the import initialises first, except those enclosing `name`
            own = {*_ancestors(name), name}
            deps.update(m for m in _ancestors(target) if m in modules and m not in own)
        graph[name] = deps
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a list of modules (first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_package_import_graph_has_no_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_sees_a_cycle_through_a_package_init(tmp_path):
    pkg = tmp_path / "gsbench"
    (pkg / "methods").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "methods" / "__init__.py").write_text("from .bp import solve\n")
    (pkg / "methods" / "_base.py").write_text("X = 1\n")
    (pkg / "methods" / "bp.py").write_text("def solve():\n    from ..convex import f\n")
    (pkg / "convex.py").write_text("from .methods._base import X\n")
    cycle = find_cycle(import_graph(tmp_path))
    assert cycle is not None and set(cycle) == {"gsbench.convex", "gsbench.methods", "gsbench.methods.bp"}
    (pkg / "methods" / "bp.py").write_text("def solve():\n    pass\n")
    assert find_cycle(import_graph(tmp_path)) is None
    (pkg / "methods" / "bp.py").write_text("def solve():\n    from . import X\n")
    (pkg / "methods" / "__init__.py").write_text("from .bp import solve\nX = 1\n")
    assert set(find_cycle(import_graph(tmp_path))) == {"gsbench.methods", "gsbench.methods.bp"}
