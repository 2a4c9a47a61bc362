"""Problem settings other than the grid's shape, their defaults and their checks:
:class:`ProblemOptions`, :data:`DEFAULTS`, :func:`check_problem_options`."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from ..errors import ProblemError
from .decoys import DECOY_LAYOUTS
from .random_designs import DESIGNS


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
