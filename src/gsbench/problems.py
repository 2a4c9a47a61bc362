"""Synthetic group-sparse regression problems.

A problem is the linear model of the DGLNN paper (Section 2)::

    y = X w* + xi,    xi ~ N(0, sigma^2 I_n),

with the p features partitioned into L disjoint groups G_1, ..., G_L and w* non-zero on
exactly ``s`` of them (every entry of an active group is non-zero).  A validation set
(X_val, y_val) is drawn independently from the same model; it is what a practitioner
would use to choose the stopping time.

Every random draw comes from ``numpy.random.SeedSequence(seed)``, split into independent
streams for the design, the signal, the noise and the validation set, so that changing
one ingredient (say ``n_val``) does not change the others.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
from scipy.signal import lfilter

from .errors import ProblemError, UserError  # noqa: F401 (ProblemError: raised here, imported from here)

SIGNALS = ("constant", "uniform", "random_signs", "values")

#: Largest magnitude accepted for sigma, amplitude and signal values: beyond it squared norms
#: (``||w*||^2``, ``||y||^2``) overflow float64 even for p = 10^8 features.
MAX_MAGNITUDE = 1e100
#: Smallest non-zero magnitude accepted for amplitude and signal values: below it ``||w*||^2``
#: underflows towards 0 (``1e-200 ** 2 == 0.0``), and every estimate would score a relative
#: error of 0, a "perfect recovery" of a signal that is numerically zero.
MIN_MAGNITUDE = 1e-100


@dataclass(frozen=True)
class ProblemOptions:
    """Problem settings other than the grid's shape, with their defaults.

    The one source of these defaults: :func:`make_problem`'s signature, the CLI's flags and a
    study cell's problem parameters read them, and a test checks that the config schema's
    defaults agree. They enter the seed hash (:func:`derive_seed`), so a change here changes
    every derived seed.

    Attributes
    ----------
    sigma : float
        Noise standard deviation (0 gives noiseless data).
    design : str
        One of :data:`DESIGNS`.
    rho : float
        Correlation of neighbouring features for ``design="correlated"``, in (-1, 1).
    signal : str
        One of :data:`SIGNALS`.
    amplitude : float
        Support value for ``signal="constant"`` and ``"random_signs"``.
    signal_range : (float, float)
        ``(low, high)`` of the support values for ``signal="uniform"`` (the paper's Fig. 3).
    n_val : int or None
        Validation-set size; None means n.
    decoy_rho, decoy_layout, decoy_groups : float, str, int or None
        ``design="decoy"`` only: the signal's weight in each decoy column, one of
        :data:`DECOY_LAYOUTS`, and how many inactive groups hold decoys (see
        :func:`add_decoys`).
    """

    sigma: float = 0.0
    design: str = "rademacher"
    rho: float = 0.5
    signal: str = "constant"
    amplitude: float = 1.0
    signal_range: tuple[float, float] = (5.0, 13.0)
    n_val: int | None = None
    decoy_rho: float = 0.0
    decoy_layout: str = "scattered"
    decoy_groups: int | None = None


DEFAULTS = ProblemOptions()


@dataclass(frozen=True)
class Problem:
    """One synthetic regression problem.

    Attributes
    ----------
    X : ndarray of shape (n, p)
        Design matrix.
    y : ndarray of shape (n,)
        Responses ``X @ w_star + noise``.
    w_star : ndarray of shape (p,)
        True coefficients, non-zero exactly on the active groups.
    groups : ndarray of shape (p,)
        Group label (0, ..., L-1) of every feature; groups are contiguous blocks.
    X_val : ndarray of shape (n_val, p)
        Independent validation design from the same distribution.
    y_val : ndarray of shape (n_val,)
        Validation responses ``X_val @ w_star + noise``.
    seed : int
        The seed everything was drawn from.
    spec : dict
        The arguments of :func:`make_problem` that produced it.
    """

    X: np.ndarray
    y: np.ndarray
    w_star: np.ndarray
    groups: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    seed: int
    spec: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def p(self) -> int:
        return self.X.shape[1]

    @property
    def group_sizes(self) -> np.ndarray:
        return np.bincount(self.groups)

    @property
    def active_groups(self) -> np.ndarray:
        """Indices of the groups on which ``w_star`` is non-zero."""
        norms = np.sqrt(np.bincount(self.groups, weights=self.w_star**2))
        return np.flatnonzero(norms > 0)

    def to_npz(self, path) -> None:
        """Write X, y, w_star, groups, X_val, y_val (and the seed) to a ``.npz`` file."""
        np.savez(
            path,
            X=self.X,
            y=self.y,
            w_star=self.w_star,
            groups=self.groups,
            X_val=self.X_val,
            y_val=self.y_val,
            seed=np.int64(self.seed),
        )


def stack_problems(problems: Sequence[Problem]) -> tuple[np.ndarray, ...]:
    """X (B, n, p), y (B, n), X_val (B, m, p), y_val (B, m), w_star (B, p) of problems of one
    shape, stacked on a leading batch axis: the arguments of a method's ``fit_batch``."""
    return tuple(np.stack([getattr(pr, a) for pr in problems])
                 for a in ("X", "y", "X_val", "y_val", "w_star"))


def group_labels(p: int, group_size: int | Sequence[int]) -> np.ndarray:
    """Group label of each of ``p`` features for contiguous groups.

    Parameters
    ----------
    p : int
        Number of features.
    group_size : int or sequence of int
        One size for all groups (must divide ``p``) or the list of sizes (must sum to ``p``).

    Returns
    -------
    ndarray of shape (p,)
        ``labels[i] = l`` when feature ``i`` belongs to group ``G_l``.
    """
    if np.ndim(group_size) == 0:
        g = int(group_size)
        if g <= 0:
            raise ProblemError(f"group_size must be positive, got {group_size}")
        if p % g:
            raise ProblemError(f"group_size={g} does not divide p={p}")
        sizes = np.full(p // g, g)
    else:
        sizes = np.asarray(group_size, dtype=int)
        if sizes.size == 0 or np.any(sizes <= 0):
            raise ProblemError(f"group sizes must be positive, got {list(group_size)}")
        if sizes.sum() != p:
            raise ProblemError(f"group sizes {sizes.tolist()} sum to {sizes.sum()}, not p={p}")
    return np.repeat(np.arange(sizes.size), sizes)


def _rademacher(rng: np.random.Generator, n: int, p: int, rho: float) -> np.ndarray:
    return rng.integers(0, 2, size=(n, p)).astype(float) * 2.0 - 1.0


def _gaussian(rng: np.random.Generator, n: int, p: int, rho: float) -> np.ndarray:
    return rng.standard_normal((n, p))


def _correlated(rng: np.random.Generator, n: int, p: int, rho: float) -> np.ndarray:
    # AR(1) across columns: x_j = rho x_{j-1} + sqrt(1 - rho^2) z_j has Cov = rho^|i-j|.
    z = rng.standard_normal((n, p))
    x = np.empty_like(z)
    x[:, 0] = z[:, 0]
    if p > 1:
        x[:, 1:], _ = lfilter(
            [np.sqrt(1.0 - rho**2)], [1.0, -rho], z[:, 1:], axis=1, zi=rho * z[:, :1]
        )
    return x


def _orthogonal(rng: np.random.Generator, n: int, p: int, rho: float) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, p)))
    # Sign fix makes Q unique (Haar-distributed) given the Gaussian draw.
    return np.sqrt(n) * q * np.sign(np.diag(r))


#: Design name -> ``draw(rng, n, p, rho)`` returning an (n, p) matrix; see :func:`make_problem`.
#: A new design is one function added here (and to the config schema's ``grid.design`` enum).
DESIGN_DRAWS: dict[str, Callable[[np.random.Generator, int, int, float], np.ndarray]] = {
    "rademacher": _rademacher,
    "gaussian": _gaussian,
    "correlated": _correlated,
    "orthogonal": _orthogonal,
    "decoy": _rademacher,  # Rademacher columns, then chosen inactive ones replaced by add_decoys
}
#: ``"real"``: rows of a data set (gsbench.designs), given by make_problem's ``data``.
DESIGNS = (*DESIGN_DRAWS, "real")


def _design(rng: np.random.Generator, n: int, p: int, design: str, rho: float) -> np.ndarray:
    """Draw an (n, p) design matrix; see :func:`make_problem` for the designs."""
    if design not in DESIGN_DRAWS:
        raise ProblemError(f"design must be one of {DESIGNS}, got {design!r}", "design")
    return DESIGN_DRAWS[design](rng, n, p, rho)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_real(key: str, value: Any, *, low: float | None = None) -> float:
    if not _is_real(value):
        raise ProblemError(f"{key} must be a number, got {value!r}", key)
    value = float(value)
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise ProblemError(
            f"{key} must be finite and at most {MAX_MAGNITUDE:g} in magnitude, got {value!r}", key
        )
    if low is not None and value < low:
        raise ProblemError(f"{key} must be >= {low:g}, got {value!r}", key)
    return value


def _check_positive_int(key: str, value: Any) -> int:
    if not _is_int(value) or value <= 0:
        raise ProblemError(f"{key} must be a positive integer, got {value!r}", key)
    return int(value)


def check_problem_options(
    *,
    sigma: Any = DEFAULTS.sigma,
    design: Any = DEFAULTS.design,
    rho: Any = DEFAULTS.rho,
    signal: Any = DEFAULTS.signal,
    amplitude: Any = DEFAULTS.amplitude,
    signal_range: Any = DEFAULTS.signal_range,
    values: Any = None,
    n_val: Any = DEFAULTS.n_val,
    decoy_rho: Any = DEFAULTS.decoy_rho,
    decoy_layout: Any = DEFAULTS.decoy_layout,
    decoy_groups: Any = DEFAULTS.decoy_groups,
) -> None:
    """Check the types, finiteness and ranges of problem options (one place for all callers).

    :func:`make_problem`, the CLI (through it) and the study configuration (every grid value
    and the ``problem`` section, before any job) call this, so the same bad value gets the
    same message everywhere. Raises :class:`ProblemError` whose ``key`` names the option.
    Zero signals are refused (w* = 0 would be "recovered" perfectly by any method).
    """
    _check_real("sigma", sigma, low=0.0)
    if design not in DESIGNS:
        raise ProblemError(f"design must be one of {DESIGNS}, got {design!r}", "design")
    if signal not in SIGNALS:
        raise ProblemError(f"signal must be one of {SIGNALS}, got {signal!r}", "signal")
    if not _is_real(rho) or not -1.0 < rho < 1.0:
        raise ProblemError(f"rho must lie in (-1, 1), got {rho!r}", "rho")
    amplitude = _check_real("amplitude", amplitude)
    if amplitude == 0 and signal in ("constant", "random_signs"):
        raise ProblemError(f"amplitude must be non-zero (w* = 0 is not a signal), got {amplitude!r}",
                           "amplitude")
    if 0 < abs(amplitude) < MIN_MAGNITUDE:
        raise ProblemError(f"amplitude must be at least {MIN_MAGNITUDE:g} in magnitude (a smaller "
                           f"signal is numerically zero: ||w*||^2 underflows), got {amplitude!r}",
                           "amplitude")
    try:
        rng_values = list(signal_range)
    except TypeError:
        rng_values = [signal_range]
    if len(rng_values) != 2:
        raise ProblemError(f"signal_range must be (low, high), got {signal_range!r}", "signal_range")
    for v in rng_values:
        if not _is_real(v) or not math.isfinite(v) or abs(v) > MAX_MAGNITUDE:
            raise ProblemError(f"signal_range must be two finite numbers (low, high), got "
                               f"{rng_values!r}", "signal_range")
    low, high = map(float, rng_values)
    if low > high:
        raise ProblemError(f"signal_range must have low <= high, got {rng_values!r}", "signal_range")
    if signal == "uniform" and low == high == 0:
        raise ProblemError("signal_range (0, 0) draws a zero signal w* = 0", "signal_range")
    if signal == "uniform" and max(abs(low), abs(high)) < MIN_MAGNITUDE:
        raise ProblemError(f"signal_range must reach {MIN_MAGNITUDE:g} in magnitude (a smaller "
                           f"signal is numerically zero), got {rng_values!r}", "signal_range")
    if values is not None:
        vals = list(values)
        if not all(_is_real(v) and math.isfinite(v) and abs(v) <= MAX_MAGNITUDE for v in vals):
            raise ProblemError(f"values must be finite numbers at most {MAX_MAGNITUDE:g} in "
                               f"magnitude, got {vals!r}", "values")
        if signal == "values" and not any(vals):
            raise ProblemError(f"values are all zero (w* = 0 is not a signal): {vals!r}", "values")
        tiny = [v for v in vals if 0 < abs(v) < MIN_MAGNITUDE]
        if tiny:
            raise ProblemError(f"values must be 0 or at least {MIN_MAGNITUDE:g} in magnitude (a "
                               f"smaller value is numerically zero), got {tiny[0]!r}", "values")
    if n_val is not None:
        _check_positive_int("n_val", n_val)
    if not _is_real(decoy_rho) or not 0.0 <= decoy_rho <= 1.0:
        raise ProblemError(f"decoy_rho must lie in [0, 1], got {decoy_rho!r}", "decoy_rho")
    if decoy_layout not in DECOY_LAYOUTS:
        raise ProblemError(f"decoy_layout must be one of {tuple(DECOY_LAYOUTS)}, got "
                           f"{decoy_layout!r}", "decoy_layout")
    if decoy_groups is not None:
        _check_positive_int("decoy_groups", decoy_groups)


def problem_nbytes(n: int, p: int, n_val: int | None = None) -> int:
    """Peak memory in bytes to draw one problem: ``8 p (n + n_val)`` for X and X_val plus
    ``16 p max(n, n_val)`` for the temporary draws of the larger one (integer or Gaussian
    draws and the products that turn them into X)."""
    n_val = n if n_val is None else n_val
    return 8 * p * (n + n_val) + 16 * p * max(n, n_val)


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def format_bytes(nbytes: float) -> str:
    """``1.5e9`` -> ``"1.5 GB"``."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if nbytes < 1000 or unit == "TB":
            return f"{nbytes:.3g} {unit}"
        nbytes /= 1000
    raise AssertionError  # pragma: no cover


def check_memory(nbytes: int, what: str) -> None:
    """Raise :class:`ProblemError` when ``nbytes`` exceed the available memory."""
    available = available_memory()
    if available is not None and nbytes > available:
        raise ProblemError(f"{what} needs about {format_bytes(nbytes)} of memory, but only "
                           f"{format_bytes(available)} is available")


def _signal_values(
    rng: np.random.Generator,
    size: int,
    signal: str,
    amplitude: float,
    signal_range: Sequence[float],
    values: Sequence[float] | None,
) -> np.ndarray:
    if signal == "constant":
        return np.full(size, float(amplitude))
    if signal == "uniform":
        low, high = map(float, signal_range)
        return rng.uniform(low, high, size)
    if signal == "random_signs":
        return float(amplitude) * rng.choice([-1.0, 1.0], size)
    if signal == "values":
        vals = np.asarray(values, dtype=float) if values is not None else np.empty(0)
        if vals.shape != (size,):
            raise ProblemError(
                f"signal='values' needs {size} values (one per support entry), got {vals.size}"
            )
        return vals
    raise ProblemError(f"signal must be one of {SIGNALS}, got {signal!r}")


def make_problem(
    n: int,
    p: int,
    group_size: int | Sequence[int],
    active_groups: int,
    *,
    sigma: float = DEFAULTS.sigma,
    design: str = DEFAULTS.design,
    rho: float = DEFAULTS.rho,
    signal: str = DEFAULTS.signal,
    amplitude: float = DEFAULTS.amplitude,
    signal_range: Sequence[float] = DEFAULTS.signal_range,
    values: Sequence[float] | None = None,
    active: Sequence[int] | None = None,
    n_val: int | None = DEFAULTS.n_val,
    decoy_rho: float = DEFAULTS.decoy_rho,
    decoy_layout: str = DEFAULTS.decoy_layout,
    decoy_groups: int | None = DEFAULTS.decoy_groups,
    seed: int = 0,
    data: dict | None = None,
    coherence_cap: float | None = None,
    snr: float | None = None,
) -> Problem:
    """Draw a group-sparse regression problem ``y = X w* + xi``.

    Parameters
    ----------
    n, p : int
        Number of samples and of features.
    group_size : int or sequence of int
        Size of every group, or the list of unequal sizes (summing to ``p``).
    active_groups : int
        Number ``s`` of groups on which ``w*`` is non-zero (chosen uniformly at random
        unless ``active`` fixes them).
    sigma : float, default=0.0
        Noise standard deviation (0 gives noiseless data).
    design : {"rademacher", "gaussian", "correlated", "orthogonal", "decoy", "real"}, default="rademacher"
        Rows of X: i.i.d. +-1 entries (the paper's), i.i.d. N(0, 1), Gaussian with Toeplitz
        covariance ``rho^|i-j|``, or columns with ``X^T X / n = I`` (needs ``n >= p``);
        ``"real"``: rows of a data set (see ``data``).
    rho : float, default=0.5
        Correlation of neighbouring features for ``design="correlated"``, in (-1, 1).
    signal : {"constant", "uniform", "random_signs", "values"}, default="constant"
        Support entries equal to ``amplitude``; uniform on ``signal_range``; ``+-amplitude``
        with random signs; or exactly ``values`` (in feature order).
    amplitude : float, default=1.0
    signal_range : (float, float), default=(5.0, 13.0)
        The paper's Fig. 3 draws the support entries from 5 to 13.
    values : sequence of float, optional
        Support entries for ``signal="values"`` (Fig. 5 uses ``[1, -1, 1, -1, 1]``).
    active : sequence of int, optional
        Explicit active group indices (default: ``s`` groups drawn at random).
    n_val : int, optional
        Size of the validation set (default ``n``).
    decoy_rho, decoy_layout, decoy_groups
        For ``design="decoy"`` (Rademacher columns, some replaced by decoys coherent with
        the signal): see :func:`add_decoys` and :data:`DECOY_LAYOUTS`.  The decoy features
        are drawn once and shared by the training and the validation design; each design's
        decoys follow its own noiseless signal.
    seed : int, default=0
    data : dict, optional
        ``design="real"`` only: the data set, ``{"name": "ames" | "digits" | "file", ...}``
        (:func:`gsbench.designs.check_spec`).  ``p`` and ``group_size`` may be None (taken
        from the data) or must equal the data's; X and X_val are disjoint row draws,
        standardised on X's rows (:meth:`gsbench.designs.RealDesign.draw`).
    coherence_cap : float, optional
        ``design="real"`` only: plant w* only on groups whose largest absolute correlation
        with a column outside the group is below this.
    snr : float, optional
        Signal-to-noise ratio ``||X w*||^2 / (n sigma^2)``: sets sigma per problem (then
        ``sigma`` must be 0).

    Returns
    -------
    Problem

    Raises
    ------
    ProblemError
        For an impossible or ill-specified problem (see :func:`check_problem_options`), a zero
        signal, or one whose arrays would not fit in the available memory.
    """
    real = None
    if design == "real":
        from .designs import load

        real = load(data)
        p = real.p if p is None else p
        group_size = real.sizes.tolist() if group_size is None else group_size
        if p != real.p or not np.array_equal(group_labels(p, group_size), real.groups):
            raise ProblemError(f"p and group_size must be the data set {real.name!r}'s (p={real.p}, "
                               f"sizes {real.sizes.tolist()}) or None", "group_size")
    elif data is not None or coherence_cap is not None:
        raise ProblemError(f"data and coherence_cap apply to design 'real' only, got design "
                           f"{design!r}", "data")
    if snr is not None and (_check_real("snr", snr) <= 0 or sigma != 0):
        raise ProblemError(f"snr must be positive and sigma 0 (snr sets sigma), got snr={snr!r}, "
                           f"sigma={sigma!r}", "snr")
    n, p = _check_positive_int("n", n), _check_positive_int("p", p)
    check_problem_options(sigma=sigma, design=design, rho=rho, signal=signal, amplitude=amplitude,
                          signal_range=signal_range, values=values, n_val=n_val,
                          decoy_rho=decoy_rho, decoy_layout=decoy_layout, decoy_groups=decoy_groups)
    spec = dict(
        n=n, p=p, group_size=group_size, active_groups=active_groups, sigma=sigma,
        design=design, rho=rho, signal=signal, amplitude=amplitude,
        signal_range=list(signal_range), values=None if values is None else list(values),
        active=None if active is None else list(active), n_val=n_val, seed=seed,
    )  # fmt: skip
    n_val = n if n_val is None else int(n_val)
    if design == "decoy":
        spec.update(decoy_rho=decoy_rho, decoy_layout=decoy_layout, decoy_groups=decoy_groups)
    if design == "real":
        spec.update(data=data, coherence_cap=coherence_cap)
    if snr is not None:
        spec.update(snr=snr)
    if design == "orthogonal" and (n < p or n_val < p):
        raise ProblemError(
            f"design 'orthogonal' needs n >= p and n_val >= p (got n={n}, n_val={n_val}, p={p})"
        )
    groups = group_labels(p, group_size)
    n_groups = groups[-1] + 1
    if not _is_int(active_groups) or not 0 <= active_groups <= n_groups:
        raise ProblemError(
            f"active_groups={active_groups} is impossible with {n_groups} groups", "active_groups"
        )
    if active_groups == 0:
        raise ProblemError("active_groups must be >= 1 (w* = 0 is not a signal), got 0",
                           "active_groups")
    if not _is_int(seed) or seed < 0:
        raise ProblemError(f"seed must be a non-negative integer, got {seed!r}", "seed")
    check_memory(problem_nbytes(n, p, n_val), f"a problem with n={n}, n_val={n_val}, p={p}")

    design_ss, signal_ss, noise_ss, val_ss = np.random.SeedSequence(int(seed)).spawn(4)
    rng_signal = np.random.default_rng(signal_ss)
    eligible = np.arange(n_groups) if real is None else real.eligible_groups(coherence_cap)
    if eligible.size < active_groups:
        raise ProblemError(f"active_groups={active_groups} but only {eligible.size} groups of "
                           f"{real.name!r} have coherence below coherence_cap={coherence_cap}",
                           "coherence_cap")
    if active is None:
        chosen = np.sort(rng_signal.choice(eligible, size=int(active_groups), replace=False))
    else:
        chosen = np.sort(np.asarray(active, dtype=int))
        if chosen.size != active_groups or np.unique(chosen).size != chosen.size or (
            chosen.size and (chosen[0] < 0 or chosen[-1] >= n_groups)
        ):
            raise ProblemError(f"active={list(active)} is not {active_groups} distinct groups")
    support = np.isin(groups, chosen)
    w_star = np.zeros(p)
    w_star[support] = _signal_values(
        rng_signal, int(support.sum()), signal, amplitude, signal_range, values
    )

    if not np.linalg.norm(w_star) > 0:  # also a signal whose norm underflows
        raise ProblemError("the drawn signal w* is numerically zero (||w*|| = 0); nothing to "
                           "recover", "signal")

    rng_val = np.random.default_rng(val_ss)
    if real is not None:
        X, X_val = real.draw(np.random.default_rng(design_ss), n, n_val)
    else:
        X = _design(np.random.default_rng(design_ss), n, p, design, rho)
        X_val = _design(rng_val, n_val, p, design, rho)
    if design == "decoy":
        decoy_ss = np.random.SeedSequence(int(seed)).spawn(5)[4]
        columns = decoy_columns(np.random.default_rng(decoy_ss), groups, chosen, decoy_layout,
                                decoy_groups)
        X = add_decoys(X, X @ w_star, columns, decoy_rho)
        X_val = add_decoys(X_val, X_val @ w_star, columns, decoy_rho)
    if snr is not None:
        sigma = float(np.linalg.norm(X @ w_star) / np.sqrt(n * snr))
        spec["sigma_drawn"] = sigma
    y = X @ w_star + sigma * np.random.default_rng(noise_ss).standard_normal(n)
    y_val = X_val @ w_star + sigma * rng_val.standard_normal(n_val)
    return Problem(X, y, w_star, groups, X_val, y_val, int(seed), spec)


def _scattered(rng, members: list[np.ndarray]) -> np.ndarray:
    return np.array([rng.choice(m) for m in members], dtype=int)


def _aligned(rng, members: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(members)


#: Decoy layouts: ``name -> f(rng, members)``, where ``members`` lists the feature indices of
#: each chosen inactive group and ``f`` returns the decoy features.  Add a layout here.
DECOY_LAYOUTS = {"scattered": _scattered, "aligned": _aligned}


def decoy_columns(
    rng: np.random.Generator,
    groups: np.ndarray,
    active: np.ndarray,
    layout: str,
    n_groups: int | None = None,
) -> np.ndarray:
    """Features that become decoys: ``n_groups`` random inactive groups, then the layout.

    ``"scattered"`` takes one random feature of each chosen group, ``"aligned"`` every
    feature.  ``n_groups`` defaults to one group for ``"aligned"`` and, for ``"scattered"``,
    to as many groups as the largest group has features (so both layouts hold about ``g``
    decoys), capped by the number of inactive groups.
    """
    if layout not in DECOY_LAYOUTS:
        raise ProblemError(f"decoy_layout must be one of {tuple(DECOY_LAYOUTS)}, got {layout!r}")
    inactive = np.setdiff1d(np.arange(groups.max() + 1), active)
    reason = decoy_impossible(groups.max() + 1, len(active), n_groups)
    if reason:
        raise ProblemError(reason, "active_groups" if n_groups is None else "decoy_groups")
    if n_groups is None:
        n_groups = 1 if layout == "aligned" else min(int(np.bincount(groups).max()), inactive.size)
    chosen = np.sort(rng.choice(inactive, size=int(n_groups), replace=False))
    return np.sort(DECOY_LAYOUTS[layout](rng, [np.flatnonzero(groups == l) for l in chosen]))


def decoy_impossible(n_groups: int, active_groups: int, decoy_groups: int | None) -> str | None:
    """Why a decoy design cannot be drawn with ``active_groups`` of ``n_groups`` groups active
    and ``decoy_groups`` decoy groups asked for (None: the default), or None if it can."""
    inactive = n_groups - active_groups
    if inactive < 1:
        return (f"design 'decoy' needs an inactive group to hold decoys, but all {n_groups} "
                f"groups are active (active_groups={active_groups})")
    if decoy_groups is not None and not 1 <= decoy_groups <= inactive:
        return (f"decoy_groups={decoy_groups} is impossible with {inactive} inactive groups "
                f"({n_groups} groups, active_groups={active_groups})")
    return None


def add_decoys(X: np.ndarray, signal: np.ndarray, columns: np.ndarray, rho: float) -> np.ndarray:
    r"""Mix the normalised noiseless signal into chosen (inactive) columns.

    .. math::

        x_d \leftarrow \sqrt{1 - \rho^2}\, z_d + \rho \sqrt{n}\, y^* / \|y^*\|,
        \qquad d \in \text{columns},

    where :math:`z_d` is the column as drawn and :math:`y^* = X w^*`.  With i.i.d. unit
    columns and :math:`s` active groups of :math:`g` equal entries, a decoy has entrywise
    coherence :math:`\approx \rho/\sqrt{s g}` with every active feature, and a group with
    one decoy has block coherence :math:`\approx \rho/\sqrt{s}` with every active group.
    Two decoys share the direction :math:`y^*`, so their mutual coherence is
    :math:`\approx \rho^2`: the design's measured :math:`\mu` is about
    :math:`\max(\rho/\sqrt{sg}, \rho^2)` and, scattered, its :math:`\delta_{out}` about
    :math:`\max(\rho/\sqrt{s}, \rho^2)`.
    Decoys are inactive, so :math:`y^*` is unchanged.

    Parameters
    ----------
    X : ndarray of shape (n, p)
    signal : ndarray of shape (n,)
        The noiseless signal :math:`y^* = X w^*` (must be non-zero).
    columns : ndarray of int
        Decoy features (must be outside the support).
    rho : float in [0, 1]

    Returns
    -------
    ndarray of shape (n, p)
        A copy of ``X`` with the decoy columns replaced.
    """
    if not 0.0 <= rho <= 1.0:
        raise ProblemError(f"decoy_rho must lie in [0, 1], got {rho}")
    norm = np.linalg.norm(signal)
    if norm == 0:
        raise ProblemError("design 'decoy' needs a non-zero signal (active_groups >= 1)")
    out = X.copy()
    direction = np.sqrt(X.shape[0]) * signal / norm
    out[:, columns] = np.sqrt(1.0 - rho**2) * X[:, columns] + rho * direction[:, None]
    return out


def derive_seed(cell: dict[str, Any], trial: int) -> int:
    """A 63-bit seed determined by a grid cell's problem parameters and the trial index only.

    The cell is serialised as canonical JSON (sorted keys, numbers normalised so that
    ``0`` and ``0.0`` agree), hashed with SHA-256, and the first 8 bytes are the seed.
    Adding grid points or methods therefore never changes another cell's problems.
    """

    def canonical(value):
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return value
        if isinstance(value, (int, float, np.integer, np.floating)):
            f = float(value)
            return int(f) if f.is_integer() else f
        if isinstance(value, dict):
            return {str(k): canonical(v) for k, v in value.items()}
        return [canonical(v) for v in value]

    payload = json.dumps([canonical(cell), int(trial)], sort_keys=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(payload.encode()).digest()[:8], "big") >> 1
