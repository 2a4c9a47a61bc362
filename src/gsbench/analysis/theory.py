r"""Theoretical sample-size references (minimal: the :math:`\ell_1` statistical dimension).

Helper H4's fuller theory module replaces this file at merge; :func:`statdim_l1` keeps its
signature ``statdim_l1(k, p) -> float``.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats

__all__ = ["statdim_l1"]


def statdim_l1(k: int, p: int) -> float:
    r"""Statistical dimension of the :math:`\ell_1` descent cone at a k-sparse point of :math:`\mathbb R^p`.

    .. math::

        D_{\ell_1}(k, p) = \inf_{\tau \ge 0}\; k(1 + \tau^2)
            + 2(p - k)\big[(1 + \tau^2)\bar\Phi(\tau) - \tau\varphi(\tau)\big]

    (Amelunxen, Lotz, McCoy & Tropp 2014, Eq. (4.7)); basis pursuit recovers a k-sparse
    vector from about :math:`D_{\ell_1}` Gaussian measurements.

    Parameters
    ----------
    k : int
        Number of non-zero entries, ``0 <= k <= p``.
    p : int
        Dimension, ``p >= 1``.

    Returns
    -------
    float in [0, p]
    """
    if int(p) != p or int(k) != k or p < 1 or not 0 <= k <= p:
        raise ValueError(f"statdim_l1: need integers 0 <= k <= p, p >= 1; got k={k}, p={p}")
    if k == 0 or k == p:
        return float(k)

    def value(tau: float) -> float:
        tail = (1 + tau**2) * stats.norm.sf(tau) - tau * stats.norm.pdf(tau)
        return k * (1 + tau**2) + 2 * (p - k) * tail

    res = optimize.minimize_scalar(value, bounds=(0.0, 10.0 + np.sqrt(2 * np.log(p))),
                                   method="bounded", options={"xatol": 1e-10})
    return float(min(res.fun, p))
