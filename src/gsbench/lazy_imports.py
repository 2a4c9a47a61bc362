"""Public names of a package imported from their modules on first use (PEP 562).

A package lists ``{name: module}`` and gets the module-level ``__getattr__`` and ``__dir__``
of :func:`lazy_exports`: ``import gsbench.study.io`` then no longer imports the rest of
:mod:`gsbench.study` (the estimators, hence scikit-learn and SciPy), which keeps every
workflow job that does not fit (tables, figures, verdicts) about a second faster to start.
"""

from __future__ import annotations

import importlib
from typing import Callable, Iterable


def lazy_exports(package: str, exports: dict[str, str], public: Iterable[str],
                 submodules: Iterable[str] = ()) -> tuple[Callable, Callable]:
    """``(__getattr__, __dir__)`` for ``package``.

    ``exports`` maps a public name to the module defining it (absolute, or relative to
    ``package`` with a leading dot); ``submodules`` are names answered with the submodule
    itself. A name is looked up once, then cached in the package's namespace. A name that is
    also a submodule's (``gsbench.study.method_specs``) must be imported by the package
    itself: importing the submodule binds the package attribute to the module.
    """
    module = importlib.import_module(package)
    submodules = frozenset(submodules)

    def __getattr__(name: str):
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name], package), name)
        setattr(module, name, value)
        return value

    names = sorted(set(public))

    def __dir__() -> list[str]:
        return sorted(set(vars(module)) | set(names))

    return __getattr__, __dir__
