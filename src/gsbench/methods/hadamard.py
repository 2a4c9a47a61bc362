"""Implicit sparse regularisation by power reparameterisation (unstructured sparsity).

``w = u^N - v^N`` (element-wise powers, u, v > 0), gradient descent on
``L = ||y - X w||^2 / (2n)`` from ``u(0) = v(0) = alpha``::

    grad_u L = N u^(N-1) ⊙ g,    grad_v L = -N v^(N-1) ⊙ g,    g = -X^T (y - X w) / n.

N = 2 is the Hadamard product parameterisation of Vaskevicius, Kanade & Rebeschini (2019);
With ``positive=True`` the model is ``w = u^N`` alone (``v`` stays 0), for non-negative
signals; the authors of the DGLNN paper ran this variant (``w = v∘v`` in their code) as the
unstructured baseline of their Fig. 4.

N >= 2 the depth-N diagonal networks of Li, Nguyen, Hegde & Wong (2021) and Chou, Maly &
Rauhut (2021). One update moves ``w`` by about ``-step N^2 |w|^(2 - 2/N) g``, so the step
size is tied to the signal's size ``E = ||X^T y||_inf / n`` (an estimate of ``max |w*_i|``).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import correlation_scales
from ._iterative import (
    INTERPOLATION_TOL,
    POSITIVE_OR_NONE,
    STALL_TOL,
    IterativeRegressor,
    loss_gradient,
)


def power_gradients(u: np.ndarray, v: np.ndarray, g: np.ndarray, depth: int, powers=None):
    """``(grad_u L, grad_v L) = (N u^(N-1) ⊙ g, -N v^(N-1) ⊙ g)`` from ``g = grad_w L``.

    ``powers = (u^(N-1), v^(N-1))``, when given (already computed for w), are overwritten by
    the two gradients instead of new arrays."""
    pu, pv = powers if powers is not None else (u ** (depth - 1), v ** (depth - 1))
    pu *= depth
    pu *= g
    pv *= -depth
    pv *= g
    return pu, pv


class HadamardDepth(IterativeRegressor):
    """Gradient descent on ``w = u^N - v^N`` with small initialisation and early stopping.

    Parameters
    ----------
    depth : int, default=3
        N >= 2.
    alpha : float or None, default=None
        ``u(0) = v(0)``. None: ``(a E)^(1/N)`` so that off-support entries start at
        ``alpha^N = a E``, with ``a = 1e-12`` for N = 2 (the escape time grows only like
        ``log 1/alpha``) and ``a = 1e-4`` for N >= 3 (it grows like ``alpha^-(N-2)``, which is
        why depth "enlarges the scale of working initialisation").
    step : float or None, default=None
        None: ``1 / (5 N^2 E^(2 - 2/N))``, keeping ``step N^2 |w|^(2-2/N)`` at 0.2 for the
        largest entry; for N = 2 this is ``1 / (20 E)``, Vaskevicius et al.'s
        ``step <= 1 / (20 w*_max)`` with ``E`` for ``w*_max``.
    max_iter : int, default=10000
        Deeper models escape more slowly: on the paper's Fig. 4 setting the oracle-stopped
        iterate comes at ~1800-3800 iterations for N = 3 and ~4200-7500 for N = 4; early
        termination ends runs well before this cap.
    positive : bool, default=False
        Fit ``w = u^N`` (non-negative coefficients only): ``v(0) = 0``, where it stays.
    stride, patience, interpolation_tol, stall_tol, record, dtype : see
        :class:`gsbench.methods.dglnn.DGLNN1`.
    """

    name = "hadamard_depth"
    description = "depth-N diagonal network w=u^N-v^N, gradient descent from small init (Li et al. 2021)"
    presets = {}
    sweep_parameters = ("max_iter", "depth", "alpha", "step")
    _parameter_constraints = {
        **IterativeRegressor._parameter_constraints,
        "groups": ["array-like", Interval(Integral, 1, None, closed="left")],
        "depth": [Interval(Integral, 2, None, closed="left")],
        "alpha": POSITIVE_OR_NONE,
        "step": POSITIVE_OR_NONE,
        "positive": ["boolean"],
    }

    def __init__(
        self, groups=1, *, depth=3, alpha=None, step=None, positive=False, max_iter=10000,
        stride=10, patience=None,
        interpolation_tol=INTERPOLATION_TOL, stall_tol=STALL_TOL, record=None, dtype="float64",
    ):  # fmt: skip
        self.groups = groups
        self.depth = depth
        self.alpha = alpha
        self.step = step
        self.positive = positive
        self.max_iter = max_iter
        self.stride = stride
        self.patience = patience
        self.interpolation_tol = interpolation_tol
        self.stall_tol = stall_tol
        self.record = record
        self.dtype = dtype

    def _init_state(self, X, y, ops):
        B, _, p = X.shape
        N = self._given("depth", B).astype(np.int64)  # self.depth, or each element's in a sweep
        E, _ = correlation_scales(X, y, ops)
        a = np.where(N == 2, 1e-12, 1e-4)
        alpha = self._hyperparameter("alpha", (a * E) ** (1.0 / N))
        step = self._hyperparameter("step", 1.0 / (5.0 * N**2 * E ** (2.0 - 2.0 / N)))
        u = np.repeat(alpha[:, None], p, axis=1)
        v = np.zeros_like(u) if self.positive else u.copy()
        state = {"u": u, "v": v, "step": step[:, None]}
        if self._varies("depth"):
            state["depth"] = N
        return state, {"alpha": alpha, "step": step}

    def _depth_blocks(self, state) -> list[tuple[int, slice]]:
        """``(N, rows)`` for every run of consecutive batch elements of one depth: one block
        with ``self.depth``, unless a sweep varies the depth (``fit_sweep`` sorts the
        settings by depth, so there is one block per depth)."""
        depth = state.get("depth")
        if depth is None:
            return [(self.depth, slice(None))]
        cuts = [0, *(np.flatnonzero(np.diff(depth)) + 1).tolist(), depth.size]
        return [(int(depth[a]), slice(a, b)) for a, b in zip(cuts[:-1], cuts[1:])]

    def _step(self, state, X, y, ops, t):
        u, v, step = state["u"], state["v"], state["step"]
        blocks = self._depth_blocks(state)  # rows: slices, so that the update is in place
        w = np.empty_like(u)
        if len(blocks) == 1:
            N = blocks[0][0]
            powers = _power_coef(u, v, N, w)
            loss, g = loss_gradient(X, y, w)
            _power_update(u, v, g, step, N, powers)
            return loss
        lower = [_power_coef(u[rows], v[rows], N, w[rows]) for N, rows in blocks]
        loss, g = loss_gradient(X, y, w)
        for (N, rows), powers in zip(blocks, lower):
            _power_update(u[rows], v[rows], g[rows], step[rows], N, powers)
        return loss

    def _coef(self, state, ops, blocks=None):
        u, v = state["u"], state["v"]
        blocks = self._depth_blocks(state) if blocks is None else blocks
        w = np.empty_like(u)
        if len(blocks) == 1:
            _power_coef(u, v, blocks[0][0], w)
            return w
        for N, rows in blocks:
            _power_coef(u[rows], v[rows], N, w[rows])
        return w


def _power_coef(u, v, N: int, out):
    """``w = u^N - v^N`` into ``out``. For N >= 3 the powers are ``u^(N-1) ⊙ u`` (a
    product, not ``pow``, which costs several products), and ``(u^(N-1), v^(N-1))`` is
    returned for the gradient at the same point (:func:`_power_update`); None for N = 2."""
    if N == 2:
        np.square(u, out)
        out -= v**2
        return None
    pu, pv = u ** (N - 1), v ** (N - 1)
    np.multiply(pu, u, out)
    out -= pv * v
    return pu, pv


def _power_update(u, v, g, step, N: int, powers=None) -> None:
    """One gradient step on ``w = u^N - v^N`` in place: ``u <- u - step grad_u L``,
    ``v <- v - step grad_v L`` with the gradients of :func:`power_gradients`; for N = 2 ``g``
    is overwritten, for N >= 3 ``powers = (u^(N-1), v^(N-1))`` when given."""
    if N == 2:  # grad_u L = 2 u ⊙ g, grad_v L = -2 v ⊙ g: u (1 - 2 step g), v (1 + 2 step g)
        g *= step * 2.0  # sg = 2 step g
        u *= 1.0 - g
        g += 1.0
        v *= g
        return
    for x, gx in zip((u, v), power_gradients(u, v, g, N, powers)):
        gx *= step
        x -= gx


class Hadamard(HadamardDepth):
    """``w = u ⊙ u - v ⊙ v`` (Vaskevicius, Kanade & Rebeschini 2019): :class:`HadamardDepth`
    with N = 2.

    Parameters
    ----------
    groups : ignored by the fit (the method is unstructured); used only for group-level
        support metrics by callers.
    alpha : float or None, default=None
        None: ``1e-6 sqrt(E)``, i.e. off-support entries start at ``1e-12 E``.
    step : float or None, default=None
        None: ``1 / (20 E)``.
    positive : bool, default=False
        Fit ``w = u ⊙ u`` only (non-negative coefficients).
    max_iter : int, default=4000
    stride, patience, interpolation_tol, stall_tol, record, dtype : as
        :class:`HadamardDepth`.
    """

    name = "hadamard"
    description = "w=u*u-v*v, gradient descent from small init, early stopping (Vaskevicius et al. 2019)"
    #: The step and initialisation the DGLNN paper's Section 5 uses; at step 1e-3 an entry of
    #: size |w*_i| needs about ln(1/alpha^2) / (4 step |w*_i|) ~ 7000 / |w*_i| iterations.
    #: ``authors``: the DGLNN authors' Fig. 4 baseline (``sparseModel(only_pos=True)``):
    #: ``w = u ⊙ u``, ``u(0) = 1e-6``, lr 0.01 on the mean squared error (0.02 here),
    #: 500 iterations.
    presets = {
        "paper": {"alpha": 1e-6, "step": 1e-3, "max_iter": 20000},
        "authors": {"alpha": 1e-6, "step": 0.02, "positive": True, "max_iter": 500},
    }
    _parameter_constraints = {
        k: v for k, v in HadamardDepth._parameter_constraints.items() if k != "depth"
    }
    sweep_parameters = ("max_iter", "alpha", "step")

    depth = 2

    def __init__(
        self, groups=1, *, alpha=None, step=None, positive=False, max_iter=4000, stride=10,
        patience=None,
        interpolation_tol=INTERPOLATION_TOL, stall_tol=STALL_TOL, record=None, dtype="float64",
    ):  # fmt: skip
        self.groups = groups
        self.alpha = alpha
        self.step = step
        self.positive = positive
        self.max_iter = max_iter
        self.stride = stride
        self.patience = patience
        self.interpolation_tol = interpolation_tol
        self.stall_tol = stall_tol
        self.record = record
        self.dtype = dtype
