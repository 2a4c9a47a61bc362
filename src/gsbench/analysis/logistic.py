"""Batched ridge-penalised binomial logistic regression with one covariate.

Many small fits (one per phase-transition curve and bootstrap replicate) are solved
simultaneously by damped Newton iterations on stacked arrays; each fit has only two
parameters, so the 2x2 Newton systems are solved in closed form.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = ["fit_logistic_batch"]


def _objective(a, b, x, k, m, ridge):
    eta = a[:, None] + b[:, None] * x
    nll = np.sum(m * np.logaddexp(0.0, eta) - k * eta, axis=1)
    return nll + 0.5 * ridge * (a * a + b * b)


def fit_logistic_batch(
    x: np.ndarray,
    k: np.ndarray,
    m: np.ndarray,
    ridge: float = 1e-3,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Fit many binomial logistic regressions :math:`\mathrm{logit}\,\pi_j = a + b x_j` at once.

    Fit :math:`f` has design points :math:`x_{fj}` with :math:`k_{fj}` successes out of
    :math:`m_{fj}` trials (padding entries have :math:`m_{fj} = 0`) and minimises the
    ridge-penalised negative log-likelihood

    .. math::

        L_f(a, b) = \sum_j \Big[ m_{fj} \log\big(1 + e^{\eta_{fj}}\big) - k_{fj}\,\eta_{fj} \Big]
                    + \frac{\lambda}{2}\,(a^2 + b^2), \qquad \eta_{fj} = a + b\,x_{fj},

    which equals the per-trial Bernoulli likelihood of the success indicators.  The
    ridge :math:`\lambda > 0` makes :math:`L_f` strictly convex and keeps :math:`(a, b)`
    finite for separable data (all failures below some :math:`x`, all successes above),
    where the crossing :math:`-a/b` then settles between the two groups.  Newton steps
    :math:`\theta \leftarrow \theta - t H^{-1} g` with gradient
    :math:`g = \sum_j (m_{fj}\pi_{fj} - k_{fj})(1, x_{fj}) + \lambda\theta` and Hessian
    :math:`H = \sum_j m_{fj}\pi_{fj}(1-\pi_{fj})(1, x_{fj})^{\otimes 2} + \lambda I`, with
    Armijo backtracking on :math:`t`, until the Newton decrement
    :math:`g^\top H^{-1} g < \mathrm{tol}` for every fit.

    Parameters
    ----------
    x, k, m : numpy.ndarray, shape (F, J)
        Covariate, successes and trials.  Use a centred and scaled covariate for a
        well-conditioned problem and a scale-free meaning of `ridge`.
    ridge : float, default 1e-3
        Penalty :math:`\lambda > 0`.
    max_iter : int, default 100
        Maximum number of Newton iterations.
    tol : float, default 1e-10
        Threshold on the Newton decrement.

    Returns
    -------
    a, b : numpy.ndarray, shape (F,)
        Intercepts and slopes.
    converged : numpy.ndarray of bool, shape (F,)
    """
    if ridge <= 0:
        raise ValueError("fit_logistic_batch: ridge must be > 0")
    x = np.asarray(x, dtype=float)
    k = np.asarray(k, dtype=float)
    m = np.asarray(m, dtype=float)
    n_fits = x.shape[0]
    a = np.zeros(n_fits)
    b = np.zeros(n_fits)
    active = np.ones(n_fits, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        xa, ka, ma = x[idx], k[idx], m[idx]
        aa, ba = a[idx], b[idx]
        pi = expit(aa[:, None] + ba[:, None] * xa)
        r = ma * pi - ka
        g0 = r.sum(axis=1) + ridge * aa
        g1 = (r * xa).sum(axis=1) + ridge * ba
        w = ma * pi * (1.0 - pi)
        h00 = w.sum(axis=1) + ridge
        h01 = (w * xa).sum(axis=1)
        h11 = (w * xa * xa).sum(axis=1) + ridge
        det = h00 * h11 - h01 * h01
        d0 = -(h11 * g0 - h01 * g1) / det
        d1 = -(h00 * g1 - h01 * g0) / det
        decrement = -(g0 * d0 + g1 * d1)  # g^T H^{-1} g >= 0
        done = decrement < tol
        active[idx[done]] = False
        keep = ~done
        if not keep.any():
            break
        idx, xa, ka, ma = idx[keep], xa[keep], ka[keep], ma[keep]
        aa, ba, d0, d1, decrement = aa[keep], ba[keep], d0[keep], d1[keep], decrement[keep]
        f0 = _objective(aa, ba, xa, ka, ma, ridge)
        step = np.ones(idx.size)
        pending = np.ones(idx.size, dtype=bool)
        for _ in range(60):
            p_idx = np.flatnonzero(pending)
            f_new = _objective(
                aa[p_idx] + step[p_idx] * d0[p_idx],
                ba[p_idx] + step[p_idx] * d1[p_idx],
                xa[p_idx], ka[p_idx], ma[p_idx], ridge,
            )
            accepted = f_new <= f0[p_idx] - 1e-4 * step[p_idx] * decrement[p_idx]
            pending[p_idx[accepted]] = False
            if not pending.any():
                break
            step[pending] *= 0.5
        step[pending] = 0.0  # no decrease possible: at the optimum up to rounding
        active[idx[pending]] = False
        a[idx] = aa + step * d0
        b[idx] = ba + step * d1
    converged = ~active
    return a, b, converged
