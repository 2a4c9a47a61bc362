"""The method registry: name -> estimator class.

Adding a method is one module in this package (a :class:`GroupSparseRegressor` subclass,
usually an :class:`IterativeRegressor` that only defines its update step) and one entry in
``REGISTRY`` (:mod:`._registry`). Code outside the package (a plugin, a test) calls :func:`register`.
"""

from __future__ import annotations

from ._base import FitResult, GroupSparseRegressor, PathRegressor
from ._iterative import IterativeRegressor
from ._registry import REGISTRY, MethodError, get_method, make_method, register
from ._settings_batch import fit_sweep
from .dglnn import DGLNN1, DGLNN2, DGLNNGD
from .group_bp import GroupBasisPursuit
from .group_iht import GroupIHT
from .group_lasso import GroupLassoPath
from .group_mcp import GroupMCPPath
from .group_omp import GroupOMP
from .hadamard import Hadamard, HadamardDepth
from .lasso import LassoPath
from .sklearn_adapter import SklearnPath

__all__ = [
    "REGISTRY", "FitResult", "GroupSparseRegressor", "IterativeRegressor", "PathRegressor",
    "MethodError", "register", "get_method", "make_method", "fit_sweep",
    "DGLNN1", "DGLNN2", "DGLNNGD", "Hadamard", "HadamardDepth", "GroupLassoPath", "LassoPath",
    "GroupMCPPath", "GroupOMP", "GroupIHT", "GroupBasisPursuit", "SklearnPath",
]  # fmt: skip
