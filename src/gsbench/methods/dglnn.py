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
along its initial, wrong direction. ``tests/test_dglnn.py::test_v_step_u4_is_scale_free``
shows the difference; ``v_step="u2"`` stays available.

Algorithm 2 runs Algorithm 1 and, once
``max_l |u_l(t+1) - u_l(t)| / |u_l(t) + eps| < tau``, switches to a constant step ``eta`` on
v (per problem; ``switch_iteration`` reports when).

``dglnn_gd`` is plain gradient descent on (u, v) with the initialisation of Theorem 2,
``v_l(0) ∝ X_l^T y / n`` with ``||v_l(0)||^2 = u_l(0)^2 / 2``: no normalisation.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import correlation_scales
from ._iterative import POSITIVE_OR_NONE, IterativeRegressor, loss_gradient

GROUPS = ["array-like", Interval(Real, 1, None, closed="left")]


def grad_u(u: np.ndarray, v: np.ndarray, g: np.ndarray, ops) -> np.ndarray:
    """``grad_u L = 2 u ⊙ D^T (v ⊙ g)``, shape (B, L), from ``g = grad_w L`` of shape (B, p)."""
    return 2.0 * u * ops.sum(v * g)


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
    max_iter : int, default=4000
        With the default gamma a group of norm ``||w*_l||`` escapes from alpha in about
        ``140 S / ||w*_l||`` iterations; 4000 leaves room for groups ~25x weaker than the
        strongest.
    stride : int, default=10
        Iterations between records of the oracle error and validation loss.
    patience : int or None, default=None
        Early-termination window (``max_iter // 10`` if None); see ``_iterative``.
    record : list of str or None
        Extra paths to keep: ``"coef"`` (w_t), ``"group_norms"`` (u_l^2), ``"directions"`` (v).
    """

    name = "dglnn1"
    description = "DGLNN w=(Du)^2*v, gradient descent with weight normalisation (Algorithm 1)"
    #: Section 5's values; at gamma = 1e-3 a group of norm ||w*_l|| needs about
    #: ln(1/alpha) / (2 gamma ||w*_l||) ~ 7000 / ||w*_l|| iterations to escape, hence max_iter.
    presets = {"paper": {"alpha": 1e-6, "step_u": 1e-3, "v_step": "u4", "max_iter": 20000}}
    products_per_iteration = 4
    _parameter_constraints = {
        **IterativeRegressor._parameter_constraints,
        "groups": GROUPS,
        "alpha": POSITIVE_OR_NONE,
        "step_u": POSITIVE_OR_NONE,
        "v_step": [StrOptions({"u4", "u2"})],
    }
    _switching = False

    def __init__(
        self, groups=1, *, alpha=None, step_u=None, v_step="u4",
        max_iter=4000, stride=10, patience=None, record=None,
    ):  # fmt: skip
        self.groups = groups
        self.alpha = alpha
        self.step_u = step_u
        self.v_step = v_step
        self.max_iter = max_iter
        self.stride = stride
        self.patience = patience
        self.record = record

    def _scales(self, X, y, ops):
        _, S = correlation_scales(X, y, ops)
        B = X.shape[0]
        alpha = np.full(B, self.alpha) if self.alpha is not None else 1e-6 * np.sqrt(S)
        gamma = np.full(B, self.step_u) if self.step_u is not None else 1.0 / (20.0 * S)
        return S, alpha, gamma

    def _init_state(self, X, y, ops):
        B, _, p = X.shape
        S, alpha, gamma = self._scales(X, y, ops)
        u = np.repeat(alpha[:, None], ops.n_groups, axis=1)
        v = ops.expand(1.0 / np.sqrt(ops.sizes)[None, :].repeat(B, axis=0))
        state = {"u": u, "v": v, "gamma": gamma[:, None]}
        resolved = {"alpha": alpha, "step_u": gamma}
        if self._switching:
            eta = np.full(B, self.eta) if self.eta is not None else 4.0 / (9.0 * S)
            eps = np.full(B, self.eps) if self.eps is not None else 1e-3 * alpha
            tau = np.full(B, self.tau) if self.tau is not None else 0.2 * gamma * S
            state.update(
                eta=eta[:, None], eps=eps[:, None], tau=tau,
                switched=np.zeros(B, dtype=bool), switch_iteration=np.full(B, -1),
            )  # fmt: skip
            resolved.update(eta=eta, eps=eps, tau=tau)
        return state, resolved

    def _direction_step(self, state, u2, g):
        """``z = v - eta_{l,t} (D u)^2 ⊙ g`` for the chosen step on v."""
        v = state["v"]
        if self.v_step == "u4":
            z = v - g / u2
        else:
            z = v - g
        if self._switching and state["switched"].any():
            sw = state["switched"]
            z[sw] = v[sw] - state["eta"][sw] * u2[sw] * g[sw]
        return z

    def _step(self, state, X, y, ops, t):
        u, v = state["u"], state["v"]
        u2 = ops.expand(u * u)
        _, g = loss_gradient(X, y, u2 * v)
        z = self._direction_step(state, u2, g)
        v = z / ops.expand(ops.norm(z))
        loss, g = loss_gradient(X, y, u2 * v)
        u_new = u - state["gamma"] * grad_u(u, v, g, ops)
        if self._switching:
            change = np.abs(u_new - u) / np.abs(u + state["eps"])
            now = ~state["switched"] & (change.max(axis=1) < state["tau"])
            state["switched"] |= now
            state["switch_iteration"][now] = t
        state["u"], state["v"] = u_new, v
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
        Constant step on v after the switch. None: ``4 / (9 S)``, Theorem 4's bound
        ``eta <= 4 / (9 (u*_max)^2)`` with ``S`` for ``(u*_max)^2``.
    tau : float or None, default=None
        Switch tolerance on the relative change of the magnitudes per iteration. A group's
        relative change is ``2 gamma |v_l . X_l^T r / n|``, so a fixed tau would mean
        different things for different gamma and signal scales. None: ``0.2 gamma S``,
        i.e. switch once every group's correlation with the residual has fallen below
        ``0.1 S``, a tenth of the largest group's norm: the groups that carry signal are
        fitted and what is left is noise-level (``sigma sqrt(p_l / n)``). If the noise stays
        above that level the switch never happens and the run is Algorithm 1.
    eps : float or None, default=None
        The ``eps`` of ``|u_l(t) + eps|``, a guard against division by zero. None:
        ``1e-3 alpha``, negligible against every ``u_l`` (magnitudes start at alpha and
        grow).

    Other parameters as :class:`DGLNN1`.
    """

    name = "dglnn2"
    description = "DGLNN Algorithm 2: Algorithm 1, then a constant step on v once u settles"
    presets = {
        "paper": {"alpha": 1e-6, "step_u": 1e-3, "eta": 1e-3, "v_step": "u4", "max_iter": 20000}
    }
    _parameter_constraints = {
        **DGLNN1._parameter_constraints,
        "eta": POSITIVE_OR_NONE,
        "tau": POSITIVE_OR_NONE,
        "eps": POSITIVE_OR_NONE,
    }
    _switching = True

    def __init__(
        self, groups=1, *, alpha=None, step_u=None, v_step="u4", eta=None, tau=None,
        eps=None, max_iter=4000, stride=10, patience=None, record=None,
    ):  # fmt: skip
        super().__init__(
            groups, alpha=alpha, step_u=step_u, v_step=v_step, max_iter=max_iter,
            stride=stride, patience=patience, record=record,
        )  # fmt: skip
        self.eta = eta
        self.tau = tau
        self.eps = eps

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
    max_iter, stride, patience, record : as :class:`DGLNN1` (``max_iter=6000``).
    """

    name = "dglnn_gd"
    description = "DGLNN by plain gradient descent on (u, v), Theorem 2 initialisation, no normalisation"
    presets = {}
    _parameter_constraints = {
        **IterativeRegressor._parameter_constraints,
        "groups": GROUPS,
        "alpha": POSITIVE_OR_NONE,
        "step": POSITIVE_OR_NONE,
    }

    def __init__(
        self, groups=1, *, alpha=None, step=None, max_iter=6000, stride=10, patience=None,
        record=None,
    ):  # fmt: skip
        self.groups = groups
        self.alpha = alpha
        self.step = step
        self.max_iter = max_iter
        self.stride = stride
        self.patience = patience
        self.record = record

    def _init_state(self, X, y, ops):
        B, n, _ = X.shape
        _, S = correlation_scales(X, y, ops)
        alpha = np.full(B, self.alpha) if self.alpha is not None else 0.02 * np.cbrt(S)
        step = np.full(B, self.step) if self.step is not None else 0.04 / S ** (4.0 / 3.0)
        c = np.matmul(y[:, None, :], X)[:, 0, :] / n
        norms = ops.norm(c)
        norms[norms == 0] = 1.0
        v = c / ops.expand(norms) * (alpha[:, None] / np.sqrt(2.0))
        u = np.repeat(alpha[:, None], ops.n_groups, axis=1)
        return {"u": u, "v": v, "step": step[:, None]}, {"alpha": alpha, "step": step}

    def _step(self, state, X, y, ops, t):
        u, v = state["u"], state["v"]
        u2 = ops.expand(u * u)
        loss, g = loss_gradient(X, y, u2 * v)
        state["u"] = u - state["step"] * grad_u(u, v, g, ops)
        state["v"] = v - state["step"] * u2 * g  # grad_v(u, g) with u2 already at hand
        return loss

    def _coef(self, state, ops):
        return ops.expand(state["u"] ** 2) * state["v"]

    def _recordables(self, state, ops):
        return {"coef": self._coef(state, ops), "group_norms": state["u"] ** 2}
