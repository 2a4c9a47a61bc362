"""Drawing one problem: :func:`make_problem` (design, signal, noise, validation set)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import ProblemError
from .decoys import add_decoys, decoy_columns
from .memory import check_memory, problem_nbytes
from .options import (DEFAULTS, SIGNALS, _check_positive_int, _check_real, _is_int,
                      check_problem_options)
from .problem import Problem, group_labels
from .random_designs import _design


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
        from ..designs import load

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
