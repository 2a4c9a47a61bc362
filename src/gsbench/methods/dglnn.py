"""DGLNN: the diagonally grouped linear network of Li, Nguyen, Hegde & Wong (ICLR 2023).

The model is ``w_i = u_{g(i)}^2 v_i``, i.e. ``w = (D u)^2 ⊙ v`` with one magnitude ``u_l`` per
group and a direction ``v_l`` per group, trained on

    L(u, v) = ||y - X[(D u)^2 ⊙ v]||^2 / (2n),

whose gradients are (``g = -X^T r / n``, ``r = y - X w``)::

    grad_v L = (D u)^2 ⊙ g,        grad_u L = 2 u ⊙ D^T (v ⊙ g).

Algorithm 1 (weight normalisation), for t = 0, 1, ...::

    z(t+1)   = v(t) - eta_{l,t} grad_v L(u(t), v(t))
    v_l(t+1) = z_l(t+1) / ||z_l(t+1)||                    (unit-norm group directions)
    u(t+1)   = u(t) - gamma grad_u L(u(t), v(t+1))

Step size on v. The algorithm box writes ``eta_{l,t} = 1/u_l^2``, Theorem 3 (and the text
around it) ``1/u_l^4``. We implement ``1/u_l^4`` by default (``v_step="u4"``), which makes
``eta grad_v L = g_l / u_l^2``: the direction update is dimensionless (g has the units of w,
u^2 too), so fitting ``c y`` with ``gamma / c`` and ``alpha sqrt(c)`` gives exactly ``c w_t``,
and early on (u tiny) ``v_l`` is the normalised gradient, whatever the initial direction.
With ``1/u_l^2`` the update is ``v - g_l``, which compares a unit vector with a quantity in
the units of w: for a weak signal (|w*| << 1) the gradient cannot turn v and a group grows
along its initial, wrong direction. ``tests/unit/test_methods.py::test_v_step_u4_is_scale_free``
shows the difference; ``v_step="u2"`` stays available.

Algorithm 2 runs Algorithm 1 and, once
``max_l |u_l(t+1) - u_l(t)| / |u_l(t) + eps| < tau``, switches to a constant step ``eta`` on
v (per problem; ``switch_iteration`` reports when). :class:`DGLNN1` is Algorithm 1 alone;
:class:`DGLNN2` adds only the switch (its state, the step on the switched problems, the test).

The authors' code (preset ``authors``) differs in three ways the parameters express: its loss
is the mean squared error without the ½ (``v_step_factor=2``, steps doubled), both gradients
come from one residual at ``(u(t), v(t))`` (``update="simultaneous"``), and after the switch
every parameter takes the same plain step.

``dglnn_gd`` is plain gradient descent on (u, v) with the initialisation of Theorem 2,
``v_l(0) ∝ X_l^T y / n`` with ``||v_l(0)||^2 = u_l(0)^2 / 2``: no normalisation.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import correlation_scales
from ._design import rmatvec
from ._iterative import (
    INTERPOLATION_TOL,
    POSITIVE_OR_NONE,
    STALL_TOL,
    IterativeRegressor,
    loss_gradient,
)

GROUPS = ["array-like", Interval(Integral, 1, None, closed="left")]


def grad_u(u: np.ndarray, v: np.ndarray, g: np.ndarray, ops, out=None) -> np.ndarray:
    """``grad_u L = 2 u ⊙ D^T (v ⊙ g)``, shape (B, L), from ``g = grad_w L`` of shape (B, p);
    ``v ⊙ g`` is written into ``out`` (shape (B, p), e.g. ``g`` once no longer needed) when
    given."""
    return 2.0 * u * ops.sum(np.multiply(v, g, out=out))


def grad_v(u: np.ndarray, g: np.ndarray, ops) -> np.ndarray:
    """``grad_v L = (D u)^2 ⊙ g``, shape (B, p)."""
    return ops.expand(u * u) * g


class DGLNN1(IterativeRegressor):
    """DGLNN trained by gradient descent with weight normalisation (Algorithm 1).

    Parameters
    ----------
    groups : int or array-like
        Group size (dividing p), list of group sizes, or p contiguous group labels.
    alpha : float or None, default=None
        Initial magnitude ``u_l(0)``. None: ``1e-6 * sqrt(S)`` with
        ``S = max_l ||X_l^T y||_2 / n`` (an estimate of ``(u*_max)^2``), so that off-support
        groups stay near ``alpha^2 = 1e-12 S`` (Theorem 3 wants alpha small) whatever the
        signal's scale; the escape time grows only like ``log(1/alpha)``.
    step_u : float or None, default=None
        gamma. None: ``1 / (20 S)``, Theorem 3's bound ``gamma <= 1 / (20 (u*_max)^2)``
        with the unknown ``(u*_max)^2`` replaced by ``S``.
    v_step : {"u4", "u2"}, default="u4"
        ``eta_{l,t} = 1/u_l^4`` (Theorem 3) or ``1/u_l^2`` (algorithm box); see module docs.
    v_step_factor : float, default=1.0
        c in ``eta_{l,t} = c/u_l^4`` (or ``c/u_l^2``). The authors' code takes ``1/u_l^4`` on
        the mean squared error without the ½, whose gradient is twice ours: c = 2 there.
    update : {"sequential", "simultaneous"}, default="sequential"
        ``"sequential"``: Algorithm 1's order, u's gradient taken at the new direction
        ``v(t+1)``. ``"simultaneous"``: both gradients at ``(u(t), v(t))`` from one residual,
        as the authors' code does (one backward pass, then both optimiser steps); 2 products
        with X per iteration instead of 4.
    max_iter : int, default=4000
        With the default gamma a group of norm ``||w*_l||`` escapes from alpha in about
        ``140 S / ||w*_l||`` iterations; 4000 leaves room for groups ~25x weaker than the
        strongest.
    stride : int, default=10
        Iterations between records of the oracle error and validation loss.
    patience : int or None, default=None
        Early-termination window (``max_iter // 10`` if None); see ``_iterative``.
    interpolation_tol : float in (0, 1) or None, default=1e-5
        Stop once the training loss ``||y - X w_t||^2 / (2n)`` is at most this fraction of
        ``||y||^2 / (2n)`` (interpolation). None: never.
    stall_tol : float in (0, 1) or None, default=None
        Stop once the training loss has fallen by at most this fraction over the last
        ``max(patience, t/2)`` iterations without accelerating (the stopping rules of
        ``gsbench.methods._iterative``; e.g. 1e-6). None (the default): never, since a
        long flat plateau before a late escape looks the same.
    record : list of str or None
        Extra paths to keep: ``"coef"`` (w_t), ``"group_norms"`` (u_l^2), ``"directions"`` (v).
    dtype : {"float64", "float32"}, default="float64"
        Precision of the iterations: ``"float32"`` casts X, y and (u, v) once so that every
        product is a float32 BLAS call; recorded errors, losses and estimates stay float64
        (see ``gsbench.methods._iterative``).
    """

    name = "dglnn1"
    description = "DGLNN w=(Du)^2*v, gradient descent with weight normalisation (Algorithm 1)"
    #: ``paper``: Section 5's values; at gamma = 1e-3 a group of norm ||w*_l|| needs about
    #: ln(1/alpha) / (2 gamma ||w*_l||) ~ 7000 / ||w*_l|| iterations to escape, hence max_iter.
    #: ``authors``: the authors' code (groupTrainer without the switch): lr 0.01 on the mean
    #: squared error (0.02 here), 500 iterations.
    presets = {
        "paper": {"alpha": 1e-6, "step_u": 1e-3, "v_step": "u4", "max_iter": 20000},
        "authors": {
            "alpha": 1e-6, "step_u": 0.02, "v_step": "u4", "v_step_factor": 2.0,
            "update": "simultaneous", "max_iter": 500,
        },
    }  # fmt: skip
    products_per_iteration = 4
    sweep_parameters = ("max_iter", "alpha", "step_u", "v_step_factor")
    _parameter_constraints = {
        **IterativeRegressor._parameter_constraints,
        "groups": GROUPS,
        "alpha": POSITIVE_OR_NONE,
        "step_u": POSITIVE_OR_NONE,
        "v_step": [StrOptions({"u4", "u2"})],
        "v_step_factor": [Interval(Real, 0, None, closed="neither")],
        "update": [StrOptions({"sequential", "simultaneous"})],
    }

    def __init__(
        self, groups=1, *, alpha=None, step_u=None, v_step="u4", v_step_factor=1.0,
        update="sequential", max_iter=4000, stride=10, patience=None,
        interpolation_tol=INTERPOLATION_TOL, stall_tol=STALL_TOL, record=None, dtype="float64",
    ):  # fmt: skip
        self.groups = groups
        self.alpha = alpha
        self.step_u = step_u
        self.v_step = v_step
        self.v_step_factor = v_step_factor
        self.update = update
        self.max_iter = max_iter
        self.stride = stride
        self.patience = patience
        self.interpolation_tol = interpolation_tol
        self.stall_tol = stall_tol
        self.record = record
        self.dtype = dtype

    def _scales(self, X, y, ops):
        _, S = correlation_scales(X, y, ops)
        alpha = self._hyperparameter("alpha", 1e-6 * np.sqrt(S))
        gamma = self._hyperparameter("step_u", 1.0 / (20.0 * S))
        return S, alpha, gamma

    def _init_state(self, X, y, ops):
        B, _, p = X.shape
        S, alpha, gamma = self._scales(X, y, ops)
        u = np.repeat(alpha[:, None], ops.n_groups, axis=1)
        v = ops.expand(1.0 / np.sqrt(ops.sizes)[None, :].repeat(B, axis=0))
        state = {"u": u, "v": v, "gamma": gamma[:, None], "S": S}
        if self._varies("v_step_factor"):
            state["v_step_factor"] = self._given("v_step_factor", B)[:, None]
        return state, {"alpha": alpha, "step_u": gamma}

    def _direction_step(self, state, u2, g):
        """``z = v - eta_{l,t} (D u)^2 ⊙ g`` with ``eta_{l,t} = c/u_l^4`` (or ``c/u_l^2``),
        a new array (``u2`` and ``g`` are left as they are)."""
        c = state.get("v_step_factor", self.v_step_factor)
        unit = isinstance(c, (int, float)) and c == 1  # c g = g exactly: skip the product
        if self.v_step == "u4":
            if unit:
                step = g / u2
            else:
                step = c * g
                step /= u2
            return np.subtract(state["v"], step, step)
        return state["v"] - (g if unit else c * g)

    def _step(self, state, X, y, ops, t):
        # The arithmetic of the module docstring, operation for operation; the (B, p)
        # temporaries are reused (``out=``) once their value is no longer needed.
        u, v = state["u"], state["v"]
        u2 = ops.expand(u * u)
        loss, g = loss_gradient(X, y, u2 * v)
        v_new = self._direction_step(state, u2, g)  # z, normalised in place:
        v_new /= ops.expand(ops.norm(v_new))
        if self.update == "sequential":  # u's gradient at v(t+1) (Algorithm 1)
            u2 *= v_new  # now w = (D u)^2 ⊙ v(t+1)
            loss, g = loss_gradient(X, y, u2)
            v = v_new
        state["u"] = u - state["gamma"] * grad_u(u, v, g, ops, out=g)
        state["v"] = v_new
        return loss

    def _coef(self, state, ops):
        return ops.expand(state["u"] ** 2) * state["v"]

    def _recordables(self, state, ops):
        return {
            "coef": self._coef(state, ops),
            "group_norms": state["u"] ** 2,
            "directions": state["v"],
        }


class DGLNN2(DGLNN1):
    """DGLNN Algorithm 2: Algorithm 1, then a constant step ``eta`` on v once
    ``max_l |u_l(t+1) - u_l(t)| / |u_l(t) + eps| < tau``.

    Parameters
    ----------
    eta : float or None, default=None
        Constant step on v after the switch. None: ``4 / (9 S^2)``. The step moves v by
        ``eta u_l^2 g_l`` and w by about ``eta u_l^4 g_l``, so eta is in units of 1/w^2
        (v is dimensionless, u^2 and g are in units of w). Theorem 4's bound
        ``eta <= 4 / (9 (u*_max)^2)`` is in units of 1/w (the analysis has |w*| of order
        one, where the two agree); the default takes ``(u*_max)^4 ~ S^2`` for the square.
        A step then moves the largest group's w by about ``4/9 g`` whatever the signal's
        scale, and fitting ``c y`` gives ``c w``. ``4 / (9 S)`` (the previous default) moves
        w by ``4 S g / 9``, which destabilises the directions above S ~ 5 (oracle error 0.17
        instead of 0.004 at amplitude 10; see
        ``tests/unit/test_methods.py::test_data_derived_defaults_are_scale_equivariant``).
    tau : float or None, default=None
        Switch tolerance on the relative change of the magnitudes per iteration. A group's
        relative change is ``2 gamma |v_l . X_l^T r / n|``, at most about ``2 gamma S`` (at
        t = 1, where ``r = y``), so a fixed tau would mean different things for different
        gamma and signal scales. None: ``0.2 gamma S``, i.e. switch once every group's
        correlation with the residual has fallen below ``0.1 S``, a tenth of the largest
        group's norm: the groups that carry signal are fitted and what is left is noise-level
        (``sigma sqrt(p_l / n)``). If the noise stays above that level the switch never
        happens and the run is Algorithm 1. A tau given with ``tau >= 2 gamma S`` switches at
        the first iteration, i.e. Algorithm 2 without its first phase: a ``UserWarning``
        says so and names the values.
    eps : float or None, default=None
        The ``eps`` of ``|u_l(t) + eps|``, a guard against division by zero. None:
        ``1e-3 alpha``, negligible against every ``u_l`` (magnitudes start at alpha and
        grow).

    Notes
    -----
    Other parameters as :class:`DGLNN1`.

    Presets: ``paper`` (Section 5), ``authors`` (the authors' code for Fig. 4, notebook
    ``group_vs_sparse.ipynb``: lr 0.01 on the mean squared error, i.e. ``step_u = eta =
    0.02`` here, ``1/u^4`` on that loss before the switch (``v_step_factor = 2``), both
    gradients at ``(u(t), v(t))``, switch when ``max_l |u_l(t+1) - u_l(t)| / |u_l(t) +
    1e-12| < 3e-2``, 500 iterations).
    """

    name = "dglnn2"
    description = "DGLNN Algorithm 2: Algorithm 1, then a constant step on v once u settles"
    presets = {
        "paper": {"alpha": 1e-6, "step_u": 1e-3, "eta": 1e-3, "v_step": "u4", "max_iter": 20000},
        "authors": {
            **DGLNN1.presets["authors"], "eta": 0.02, "tau": 3e-2, "eps": 1e-12,
        },
    }  # fmt: skip
    sweep_parameters = DGLNN1.sweep_parameters + ("eta", "tau", "eps")
    _parameter_constraints = {
        **DGLNN1._parameter_constraints,
        "eta": POSITIVE_OR_NONE,
        "tau": POSITIVE_OR_NONE,
        "eps": POSITIVE_OR_NONE,
    }

    def __init__(
        self, groups=1, *, alpha=None, step_u=None, v_step="u4", v_step_factor=1.0,
        update="sequential", eta=None, tau=None, eps=None, max_iter=4000, stride=10,
        patience=None,
        interpolation_tol=INTERPOLATION_TOL, stall_tol=STALL_TOL, record=None, dtype="float64",
    ):  # fmt: skip
        super().__init__(
            groups, alpha=alpha, step_u=step_u, v_step=v_step, v_step_factor=v_step_factor,
            update=update, max_iter=max_iter, stride=stride, patience=patience,
            interpolation_tol=interpolation_tol, stall_tol=stall_tol, record=record, dtype=dtype,
        )  # fmt: skip
        self.eta = eta
        self.tau = tau
        self.eps = eps

    def _init_state(self, X, y, ops):
        state, resolved = super()._init_state(X, y, ops)
        S, alpha, gamma = state["S"], resolved["alpha"], resolved["step_u"]
        B = S.shape[0]
        eta = self._hyperparameter("eta", 4.0 / (9.0 * S**2))
        eps = self._hyperparameter("eps", 1e-3 * alpha)
        tau = self._hyperparameter("tau", 0.2 * gamma * S)
        early = ~np.isnan(self._given("tau", B)) & (tau >= 2.0 * gamma * S)
        if early.any():
            b = int(np.argmax(np.where(early, tau / (gamma * S), -np.inf)))
            warnings.warn(
                f"dglnn2: tau={tau[b]:g} >= 2*step_u*S = {2.0 * gamma[b] * S[b]:.3g}, the "
                "largest relative change of u at iteration 1, so the step on v switches at "
                "iteration 1 (no 1/u^4 phase); use tau well below 2*step_u*S, or tau=None "
                "(0.2*step_u*S)",
                UserWarning, stacklevel=2,
            )  # fmt: skip
        state.update(
            eta=eta[:, None], eps=eps[:, None], tau=tau,
            switched=np.zeros(B, dtype=bool), switch_iteration=np.full(B, -1),
        )  # fmt: skip
        resolved.update(eta=eta, eps=eps, tau=tau)
        return state, resolved

    def _direction_step(self, state, u2, g):
        """Algorithm 1's step, then ``z = v - eta (D u)^2 ⊙ g`` for the switched problems."""
        sw = state["switched"]
        if sw.all():  # every problem has switched: no gathers, no Algorithm-1 step
            z = np.multiply(state["eta"], u2)
            z *= g
            return np.subtract(state["v"], z, out=z)
        z = super()._direction_step(state, u2, g)
        if sw.any():
            z[sw] = state["v"][sw] - state["eta"][sw] * u2[sw] * g[sw]
        return z

    def _step(self, state, X, y, ops, t):
        u = state["u"]
        loss = super()._step(state, X, y, ops, t)
        change = np.abs(state["u"] - u) / np.abs(u + state["eps"])
        now = ~state["switched"] & (change.max(axis=1) < state["tau"])
        state["switched"] |= now
        state["switch_iteration"][now] = t
        return loss

    def _extra(self, state):
        return {"switch_iteration": state["switch_iteration"]}


class DGLNNGD(IterativeRegressor):
    """DGLNN trained by plain gradient descent on (u, v), without normalisation.

    ``u(0) = alpha``, ``v_l(0) = X_l^T y / ||X_l^T y|| * alpha / sqrt(2)`` (Theorem 2's
    balanced start ``||v_l(0)||^2 = u_l(0)^2 / 2``), then
    ``u <- u - step grad_u L``, ``v <- v - step grad_v L``.

    Parameters
    ----------
    groups : int or array-like
    alpha : float or None, default=None
        None: ``0.02 S^(1/3)``. ``w = u^2 v`` is cubic in the parameters (``||w_l|| =
        u_l^3 / sqrt 2`` on the balanced path), so the parameters scale like ``S^(1/3)``; the
        escape time grows like ``1/alpha`` (not ``log 1/alpha``), which rules out the
        tiny initialisations of Algorithm 1.
    step : float or None, default=None
        None: ``0.04 / S^(4/3)``: an update moves ``w_l`` by about
        ``3 step u_l^4 g_l`` and ``u_l^4 ~ (sqrt 2 S)^(4/3)``, so this keeps that factor
        near 0.2 at the largest group, the same margin as Theorem 3's gamma.
    max_iter, stride, patience, interpolation_tol, stall_tol, record, dtype : as
        :class:`DGLNN1` (``max_iter=6000``).
    """

    name = "dglnn_gd"
    description = "DGLNN by plain gradient descent on (u, v), Theorem 2 initialisation, no normalisation"
    presets = {}
    sweep_parameters = ("max_iter", "alpha", "step")
    _parameter_constraints = {
        **IterativeRegressor._parameter_constraints,
        "groups": GROUPS,
        "alpha": POSITIVE_OR_NONE,
        "step": POSITIVE_OR_NONE,
    }

    def __init__(
        self, groups=1, *, alpha=None, step=None, max_iter=6000, stride=10, patience=None,
        interpolation_tol=INTERPOLATION_TOL, stall_tol=STALL_TOL, record=None, dtype="float64",
    ):  # fmt: skip
        self.groups = groups
        self.alpha = alpha
        self.step = step
        self.max_iter = max_iter
        self.stride = stride
        self.patience = patience
        self.interpolation_tol = interpolation_tol
        self.stall_tol = stall_tol
        self.record = record
        self.dtype = dtype

    def _init_state(self, X, y, ops):
        B, n, _ = X.shape
        _, S = correlation_scales(X, y, ops)
        alpha = self._hyperparameter("alpha", 0.02 * np.cbrt(S))
        step = self._hyperparameter("step", 0.04 / S ** (4.0 / 3.0))
        c = rmatvec(X, y) / n
        norms = ops.norm(c)
        norms[norms == 0] = 1.0
        v = c / ops.expand(norms) * (alpha[:, None] / np.sqrt(2.0))
        u = np.repeat(alpha[:, None], ops.n_groups, axis=1)
        return {"u": u, "v": v, "step": step[:, None]}, {"alpha": alpha, "step": step}

    def _step(self, state, X, y, ops, t):
        u, v, step = state["u"], state["v"], state["step"]
        u2 = ops.expand(u * u)
        w = u2 * v
        loss, g = loss_gradient(X, y, w)
        state["u"] = u - step * grad_u(u, v, g, ops, out=w)  # w no longer needed
        # v - step ⊙ grad_v(u, g), grad_v = (D u)^2 ⊙ g with u2 at hand, v updated in place
        u2 *= step
        u2 *= g
        v -= u2
        return loss

    def _coef(self, state, ops):
        return ops.expand(state["u"] ** 2) * state["v"]

    def _recordables(self, state, ops):
        return {"coef": self._coef(state, ops), "group_norms": state["u"] ** 2}
