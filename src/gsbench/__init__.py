"""gsbench: implicit versus explicit regularisation for group-sparse recovery.

The names a script needs, at the top level::

    import gsbench

    problem = gsbench.make_problem(n=80, p=128, group_size=4, active_groups=3, seed=0)
    est = gsbench.make_method("dglnn2", groups=4).fit(problem.X, problem.y)

Problems and methods
    :func:`make_problem` (a seeded synthetic problem), :func:`make_method` (a registered
    estimator with a preset and parameters), :func:`list_methods` (the registry: name ->
    description), :func:`register` (add a method, e.g. from a plugin), :func:`fit_problems`
    (one method on a batch of problems -> tidy result rows); :mod:`gsbench.methods` is the
    registry's subpackage (``REGISTRY``, the estimator classes).
Studies
    :func:`load_config` (a study's YAML or dict, validated, defaults filled).
Analysis of per-trial rows
    :func:`summarize` (success rates per cell), :func:`transitions` (critical sample size
    n* per setting), :func:`scaling` (log n* = a + b log s + c log g per method).

The submodules are imported on first use of a name, so ``import gsbench`` stays cheap.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .lazy_imports import lazy_exports

try:
    __version__ = version("gsbench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

# public name -> module that defines it
_EXPORTS = {
    "make_problem": "gsbench.problems",
    "Problem": "gsbench.problems",
    "make_method": "gsbench.methods",
    "register": "gsbench.methods",
    "fit_problems": "gsbench.runner",
    "load_config": "gsbench.study",
    "summarize": "gsbench.analysis",
    "transitions": "gsbench.analysis",
    "scaling": "gsbench.analysis",
}

__all__ = ["__version__", "methods", "list_methods", *_EXPORTS]


def list_methods() -> dict[str, str]:
    """The registered methods, sorted by name: ``{name: one-line description}``.

    Plugins appear once their module has been imported (it calls :func:`register`).
    """
    from .methods import REGISTRY

    return {name: REGISTRY[name].description for name in sorted(REGISTRY)}


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__, submodules=["methods"])
