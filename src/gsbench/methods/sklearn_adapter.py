"""Any scikit-learn-style regressor as a gsbench path method.

A study config entry ::

    omp_sklearn:
      estimator: sklearn.linear_model.OrthogonalMatchingPursuit
      path: {n_nonzero_coefs: [2, 4, 8, 16, 32]}

    grouplasso_skglm:
      estimator: skglm.GroupLasso
      params: {tol: 1.0e-6}
      path: {alpha: [0.1, 0.03, 0.01, 0.003]}

fits the estimator (``fit(X, y)``, then ``coef_``) once per path value, with the fixed
``params``, and selects over the path by oracle and validation like every path method. The
``path`` mapping holds one or more hyperparameters with lists of one common length K, zipped
(the k-th fit uses the k-th value of each); order them from strongest regularisation to
weakest. Set ``warm_start: true`` in ``params`` if the estimator supports it.

Conventions, applied only where the estimator's constructor takes the parameter and
``params`` does not set it:

* ``groups``: the problem's groups, as the group size (int) when all groups have one size,
  else a list of index lists (skglm's ``GroupLasso`` convention);
* ``fit_intercept``: ``False`` (the studies' problems have no intercept).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import warnings
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.base import ClassifierMixin, clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval

from ._base import PATH_PATIENCE, PATH_PATIENCE_CONSTRAINT, PathRegressor


#: Top-level modules of the configured plugins (``plugins:`` of a study config, recorded by
#: :func:`gsbench.study.config.import_plugins`): ``estimator:`` may name them besides
#: installed packages.
PLUGIN_MODULES: set[str] = set()


def _module_refusal(module_name: str) -> str | None:
    """Why ``module_name`` must not be imported for ``estimator:``, or None.

    Only installed packages (and the standard library) and the configured plugins are
    imported: a module resolved from the working directory (a stray ``.py`` beside the
    config, which Python and Snakemake put first on ``sys.path``) is refused before any of
    its code runs. Finding a top-level module's spec imports nothing.
    """
    top = module_name.split(".")[0]
    if top in PLUGIN_MODULES or top in sys.builtin_module_names:
        return None
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError) as exc:
        return f"cannot find module {top!r} ({exc})"
    if spec is None:
        return f"no installed package or configured plugin provides module {top!r}"
    where = spec.origin if spec.origin not in (None, "namespace") else next(
        iter(spec.submodule_search_locations or []), None)
    if where is not None:
        home = Path(where).resolve().parent
        if spec.submodule_search_locations and spec.origin not in (None, "namespace"):
            home = home.parent  # a package: .../<top>/__init__.py
        if home == Path.cwd().resolve():
            return (f"module {top!r} would be imported from the working directory ({where}); "
                    "estimator classes come from installed packages or the config's plugins")
    return None


def import_estimator(path: str) -> type:
    """The class named by the dotted ``path`` (e.g. ``sklearn.linear_model.Lasso``), from an
    installed package or a configured plugin (:func:`_module_refusal`); it must be a class
    with ``fit`` and ``get_params`` that is not a classifier."""
    module_name, _, attr = str(path).rpartition(".")
    if not module_name:
        raise ValueError(f"estimator {path!r} is not a dotted class path such as "
                         "'sklearn.linear_model.Lasso'")  # fmt: skip
    refusal = _module_refusal(module_name)
    if refusal:
        raise ValueError(f"estimator {path!r}: {refusal}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(
            f"estimator {path!r}: cannot import module {module_name!r} ({exc})"
        ) from None
    cls = getattr(module, attr, None)
    if not isinstance(cls, type):
        raise ValueError(f"estimator {path!r}: module {module_name!r} has no class {attr!r}")
    if not (hasattr(cls, "fit") and hasattr(cls, "get_params")):
        raise ValueError(f"estimator {path!r} is not a scikit-learn estimator (no fit/get_params)")
    if getattr(cls, "_estimator_type", None) == "classifier" or issubclass(cls, ClassifierMixin):
        raise ValueError(f"estimator {path!r} is a classifier; a regressor is needed")
    return cls


#: (estimator, params, first path value) -> None or the refusal, of :func:`probe_estimator`.
_PROBED: dict[str, str | None] = {}


def probe_estimator(est, path: str, values: dict, group_size: int) -> None:
    """Fit a clone of ``est`` (with path ``values``) on a small noiseless problem (n = 24,
    p = 2 group sizes) and check that it is a regressor with ``coef_`` of p entries after
    fitting; raises ``ValueError`` naming ``path`` otherwise. Cached per configuration."""
    key = repr((path, est.get_params(deep=False), values))
    if key not in _PROBED:
        _PROBED[key] = _probe(clone(est).set_params(**values), path, group_size)
    if _PROBED[key]:
        raise ValueError(_PROBED[key])


def _probe(est, path: str, group_size: int) -> str | None:
    if is_classifier(est):
        return f"estimator {path!r} is a classifier; a regressor is needed"
    n, p = 24, 2 * group_size
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, p))
    y = X @ np.r_[np.ones(group_size), np.zeros(p - group_size)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
    except Exception as exc:
        return (f"estimator {path!r} failed on a small test problem (n={n}, p={p}): "
                f"{type(exc).__name__}: {exc}")
    coef = getattr(est, "coef_", None)
    if coef is None:
        return f"estimator {path!r} has no coef_ after fit; a linear regressor is needed"
    if np.size(coef) != p:
        return (f"estimator {path!r}: coef_ has shape {np.shape(coef)} after fitting {p} "
                f"features, expected ({p},)")
    return None


def _estimator_groups(sizes) -> int | list[list[int]]:
    """The group structure as estimators take it: the size if all are equal, else the
    list of index lists of contiguous groups."""
    sizes = [int(s) for s in np.atleast_1d(sizes)]
    if len(set(sizes)) == 1:
        return sizes[0]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).tolist()
    return [list(range(a, a + n)) for a, n in zip(starts, sizes)]


class SklearnPath(PathRegressor):
    """A scikit-learn regressor fitted over a path of hyperparameter values.

    Parameters
    ----------
    groups : int or array-like
        Passed to the estimator as described in the module docstring.
    estimator : str, default="sklearn.linear_model.LassoCV"
        Dotted class path. The default tunes its own penalty (5-fold cross-validation), so
        ``sklearn`` with no parameters is a tuning-free lasso baseline.
    params : dict, default=None
        Fixed constructor parameters.
    path : dict of lists, default=None
        Swept constructor parameters, lists of one common length; ``None``: one fit.
    path_patience : int or None, default=3
        With a validation set, end the path once the validation loss has not decreased for
        this many consecutive path values (the rule of every path method,
        :class:`gsbench.methods._base.PathPatience`). None: the whole path.
    """

    name = "sklearn"
    description = "any scikit-learn regressor (estimator: dotted path) over a list of values"
    presets = {}
    _parameter_constraints = {
        "groups": ["array-like", Interval(Integral, 1, None, closed="left")],
        "estimator": [str, None],
        "params": [dict, None],
        "path": [dict, None],
        "path_patience": PATH_PATIENCE_CONSTRAINT,
    }

    def __init__(self, groups=1, *, estimator="sklearn.linear_model.LassoCV", params=None,
                 path=None, path_patience=PATH_PATIENCE):  # fmt: skip
        self.groups = groups
        self.estimator = estimator
        self.params = params
        self.path = path
        self.path_patience = path_patience

    def _path_values(self) -> list[dict]:
        path = self.path or {}
        lengths = {k: len(v) if isinstance(v, (list, tuple)) else -1 for k, v in path.items()}
        bad = [k for k, n in lengths.items() if n <= 0]
        if bad:
            raise ValueError(f"path.{bad[0]} must be a non-empty list of values")
        if len(set(lengths.values())) > 1:
            raise ValueError(f"path lists must have one length, got {lengths}")
        K = next(iter(lengths.values()), 1)
        return [{k: v[i] for k, v in path.items()} for i in range(K)]

    def _base_estimator(self, groups=None):
        """The configured estimator (unfitted); raises ValueError naming a bad parameter."""
        if self.estimator is None:
            raise ValueError("estimator (a dotted class path) is required")
        cls = import_estimator(self.estimator)
        accepted = set(inspect.signature(cls.__init__).parameters) - {"self"}
        params = dict(self.params or {})
        for key in [*params, *(self.path or {})]:
            if key not in accepted:
                raise ValueError(f"estimator {self.estimator!r} has no parameter {key!r}; "
                                 f"valid: {', '.join(sorted(accepted))}")  # fmt: skip
        if "fit_intercept" in accepted:
            params.setdefault("fit_intercept", False)
        if groups is not None and "groups" in accepted:
            params.setdefault("groups", groups)
        try:
            est = cls(**params)
        except Exception as exc:
            raise ValueError(
                f"estimator {self.estimator!r} rejects params {params}: {exc}"
            ) from None
        for values in self._path_values():
            trial = clone(est).set_params(**values)
            if hasattr(trial, "_parameter_constraints"):  # scikit-learn's declarative checks
                try:
                    trial._validate_params()
                except Exception as exc:
                    raise ValueError(f"estimator {self.estimator!r}: {exc}") from None
        return est

    def _validate(self) -> None:
        super()._validate()
        # Sizes or labels can only be told apart knowing p: a list is checked at fit time.
        size = self.groups if isinstance(self.groups, Integral) else 1
        est = self._base_estimator(size)
        probe_estimator(est, self.estimator, self._path_values()[0], size)

    def _path(self, X, y, ops, stop=None):
        est = self._base_estimator(_estimator_groups(ops.sizes))
        values = self._path_values()
        coefs = np.empty((len(values), X.shape[1]))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            for k, v in enumerate(values):
                est.set_params(**v)
                est.fit(X, y)
                coefs[k] = np.ravel(est.coef_)
                if stop is not None and stop.update(coefs[k])[0]:
                    coefs = coefs[: k + 1]
                    break
        converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        return coefs, {"converged": float(converged)}
