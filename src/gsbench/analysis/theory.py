r"""Theoretical sample-size references: convex phase transitions and incoherence laws.

Convex limits.  For a norm :math:`f` and a point :math:`x`, noiseless recovery of
:math:`x` by :math:`\min f(w)\ \text{s.t.}\ Xw = Xx` from :math:`n` Gaussian measurements
succeeds with high probability when :math:`n \gtrsim \delta(\mathcal D(f, x))` and fails
when :math:`n \lesssim \delta`, the *statistical dimension* of the descent cone
(Amelunxen, Lotz, McCoy & Tropp 2014, "Living on the edge", Theorem II); by universality
the same holds for Rademacher designs.  The statistical dimension is

.. math::

    \delta(\mathcal D(f, x)) = \mathbb E\,\mathrm{dist}^2\big(g, \operatorname{cone}\partial f(x)\big)
    = \mathbb E \min_{\tau \ge 0} \mathrm{dist}^2\big(g, \tau\,\partial f(x)\big),
    \qquad g \sim N(0, I_p),

and its upper bound :math:`\inf_{\tau\ge0} \mathbb E\,\mathrm{dist}^2(g, \tau\partial f(x))`
(their Recipe 4.1) is accurate to :math:`2\sup_{u\in\partial f(x)}\lVert u\rVert /
f(x/\lVert x\rVert)` (their Theorem 4.3).  That bound is what :func:`statdim_l1` and
:func:`statdim_group` return.

Incoherence laws.  The DGLNN paper's Theorem 3 asks for block coherence
:math:`\delta_{out} \lesssim 1/s`; the unstructured analyses (Vaskevicius et al. 2019)
ask for entry coherence :math:`\mu \lesssim 1/(s g)`.  For a design with i.i.d.
standardised entries both shrink like :math:`1/\sqrt n`, which turns the requirements into
sample-size laws (:func:`n_incoherence_group`, :func:`n_incoherence_entry`).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import optimize, special

__all__ = [
    "chi_tail_moments",
    "statdim_l1",
    "statdim_group",
    "statdim_monte_carlo",
    "n_incoherence_group",
    "n_incoherence_entry",
    "cell_references",
    "group_references",
    "expected_group_references",
]


def chi_tail_moments(d, t):
    r"""Tail moments of a chi variable :math:`\chi_d` (norm of :math:`N(0, I_d)`) beyond `t`.

    With :math:`Q(a, x)` the regularised upper incomplete gamma function
    (``scipy.special.gammaincc``) and :math:`m_1 = \sqrt2\,\Gamma(\tfrac{d+1}2)/\Gamma(\tfrac d2)`,

    .. math::

        \Pr(\chi_d > t) &= Q(\tfrac d2, \tfrac{t^2}2), \\
        \mathbb E[\chi_d\,1\{\chi_d > t\}] &= m_1\,Q(\tfrac{d+1}2, \tfrac{t^2}2), \\
        \mathbb E[\chi_d^2\,1\{\chi_d > t\}] &= d\,Q(\tfrac d2 + 1, \tfrac{t^2}2),

    so that :math:`\mathbb E(\chi_d - t)_+ = \mathbb E[\chi 1] - t\Pr` and
    :math:`\mathbb E(\chi_d - t)_+^2 = \mathbb E[\chi^2 1] - 2t\,\mathbb E[\chi 1] + t^2\Pr`.
    For :math:`d = 1` these are the folded-normal formulas, e.g.
    :math:`\mathbb E(|z| - t)_+^2 = 2[(1 + t^2)\bar\Phi(t) - t\varphi(t)]`.

    Parameters
    ----------
    d : array_like of int
        Degrees of freedom (positive).
    t : array_like of float
        Thresholds (non-negative); broadcast against `d`.

    Returns
    -------
    first, second : ndarray
        :math:`\mathbb E(\chi_d - t)_+` and :math:`\mathbb E(\chi_d - t)_+^2`.
    """
    d = np.asarray(d, dtype=float)
    t = np.asarray(t, dtype=float)
    x = 0.5 * t * t
    tail = special.gammaincc(0.5 * d, x)
    m1 = np.sqrt(2.0) * np.exp(special.gammaln(0.5 * (d + 1)) - special.gammaln(0.5 * d))
    e1 = m1 * special.gammaincc(0.5 * (d + 1), x)
    e2 = d * special.gammaincc(0.5 * d + 1, x)
    first = np.clip(e1 - t * tail, 0.0, None)
    second = np.clip(e2 - 2.0 * t * e1 + t * t * tail, 0.0, None)
    return first, second


def _check_count(value, name: str, where: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{where}: {name}={value!r} must be a non-negative integer")
    return int(value)


def _statdim_weighted(active_sizes, active_w, inactive_sizes, inactive_w) -> float:
    r"""Minimise :math:`J(\tau) = \sum_{S}(p_l + \tau^2 w_l^2) + \sum_{S^c}\mathbb E(\chi_{p_l} - \tau w_l)_+^2`.

    :math:`J` is convex with :math:`J'(\tau) = 2\tau\sum_S w_l^2 - 2\sum_{S^c} w_l\,\mathbb E(\chi_{p_l} - \tau w_l)_+`,
    increasing from :math:`J'(0) < 0`, so the minimiser is the root of :math:`J'`
    (bracketed by :math:`[0, \tau_{hi}]`).  No active group: :math:`\inf J = 0`
    (:math:`\tau\to\infty`); no inactive group: :math:`\inf J = J(0) = \sum_S p_l`.
    """
    a_sizes, a_w = np.asarray(active_sizes, float), np.asarray(active_w, float)
    i_sizes, i_w = np.asarray(inactive_sizes, float), np.asarray(inactive_w, float)
    if a_sizes.size == 0:
        return 0.0
    if i_sizes.size == 0:
        return float(a_sizes.sum())
    # Collapse repeated (size, weight) pairs of the inactive part: one chi moment each.
    pairs, counts = np.unique(np.column_stack([i_sizes, i_w]), axis=0, return_counts=True)
    sizes, weights = pairs[:, 0], pairs[:, 1]
    sum_w2 = float((a_w**2).sum())

    def deriv(tau: float) -> float:
        first, _ = chi_tail_moments(sizes, tau * weights)
        return 2.0 * tau * sum_w2 - 2.0 * float((counts * weights * first).sum())

    def value(tau: float) -> float:
        _, second = chi_tail_moments(sizes, tau * weights)
        return float(a_sizes.sum() + tau * tau * sum_w2 + (counts * second).sum())

    hi = 1.0
    while deriv(hi) < 0.0:
        hi *= 2.0
    tau = optimize.brentq(deriv, 0.0, hi, xtol=1e-12, rtol=1e-12)
    return value(tau)


def statdim_l1(k: int, p: int) -> float:
    r"""Statistical dimension of the :math:`\ell_1` descent cone at a k-sparse point in :math:`\mathbb R^p`.

    .. math::

        D_{\ell_1}(k, p) = \inf_{\tau\ge0}\; k(1 + \tau^2) + (p - k)\,\mathbb E(|z| - \tau)_+^2,
        \qquad z \sim N(0, 1),

    with :math:`\mathbb E(|z|-\tau)_+^2 = 2[(1+\tau^2)\bar\Phi(\tau) - \tau\varphi(\tau)]`
    (ALMT 2014, Eq. (4.7)).  It is within :math:`2\sqrt{p/k}` of the exact statistical
    dimension (for equal-magnitude entries) and predicts the sample size at which basis
    pursuit switches from failure to success.  Limits: :math:`D(0, p) = 0`,
    :math:`D(p, p) = p` (the exact value is :math:`p - 1/2`, a half-space).

    Parameters
    ----------
    k : int
        Number of non-zero coefficients, :math:`0 \le k \le p`.
    p : int
        Dimension, positive.

    Returns
    -------
    float
        :math:`D_{\ell_1}(k, p)`, in :math:`[0, p]`.

    Raises
    ------
    ValueError
        If `k` or `p` is not an integer with :math:`0 \le k \le p`, :math:`p \ge 1`.
    """
    k = _check_count(k, "k", "statdim_l1")
    p = _check_count(p, "p", "statdim_l1")
    if p < 1 or k > p:
        raise ValueError(f"statdim_l1: need 0 <= k <= p and p >= 1, got k={k}, p={p}")
    return _statdim_weighted(np.ones(k), np.ones(k), np.ones(p - k), np.ones(p - k))


def _group_weights(sizes: np.ndarray, weights, where: str) -> np.ndarray:
    if isinstance(weights, str):
        if weights == "sqrt":
            return np.sqrt(sizes)
        if weights == "unit":
            return np.ones_like(sizes)
    raise ValueError(f"{where}: weights={weights!r} must be 'sqrt' or 'unit'")


def _sizes(values, name: str, where: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or (arr.size and (not np.issubdtype(arr.dtype, np.integer) or (arr < 1).any())):
        raise ValueError(f"{where}: {name}={list(np.ravel(values))!r} must be positive integers")
    return arr.astype(float)


def statdim_group(active_sizes, inactive_sizes, weights="sqrt") -> float:
    r"""Statistical dimension of the weighted group-:math:`\ell_{1,2}` descent cone.

    For the group-lasso norm :math:`f(w) = \sum_l c_l \lVert w_{G_l}\rVert_2` with groups
    of sizes :math:`p_l` and weights :math:`c_l` (``"sqrt"``: :math:`c_l = \sqrt{p_l}`, the
    group lasso's usual weights; ``"unit"``: :math:`c_l = 1`), at a point whose non-zero
    groups are :math:`S`:

    .. math::

        \partial f(x) = \{u : u_l = c_l x_l/\lVert x_l\rVert\ (l \in S),\
        \lVert u_l\rVert \le c_l\ (l \notin S)\},

    .. math::

        D_{\mathrm{group}} = \inf_{\tau \ge 0}\; \sum_{l\in S} (p_l + \tau^2 c_l^2)
        + \sum_{l\notin S} \mathbb E(\chi_{p_l} - \tau c_l)_+^2,

    the expected squared distance :math:`\mathbb E\,\mathrm{dist}^2(g, \tau\partial f(x))`
    minimised over :math:`\tau` (ALMT 2014, Recipe 4.1; the chi moments in closed form
    by :func:`chi_tail_moments`, the minimiser as the root of the derivative).  With
    equal sizes :math:`g` the weights cancel into :math:`\tau` and this is
    :math:`\inf_\tau s(g + \tau^2) + (L - s)\mathbb E(\chi_g - \tau)_+^2`; with
    :math:`p_l = 1` it is :func:`statdim_l1`.  Limits: no inactive group gives
    :math:`\sum_S p_l`; no active group gives 0.

    Parameters
    ----------
    active_sizes : sequence of int
        Sizes :math:`p_l` of the non-zero groups.
    inactive_sizes : sequence of int
        Sizes of the zero groups.
    weights : {"sqrt", "unit"}, default "sqrt"
        Group weights :math:`c_l`.

    Returns
    -------
    float
        :math:`D_{\mathrm{group}}`, in :math:`[0, \sum_l p_l]`.

    Raises
    ------
    ValueError
        On a non-positive or non-integer size, or unknown `weights`.
    """
    where = "statdim_group"
    act = _sizes(active_sizes, "active_sizes", where)
    ina = _sizes(inactive_sizes, "inactive_sizes", where)
    return _statdim_weighted(act, _group_weights(act, weights, where),
                             ina, _group_weights(ina, weights, where))


def statdim_monte_carlo(active_sizes, inactive_sizes, weights="sqrt", *, n_samples=2000, seed=0):
    r"""Monte Carlo estimate of :math:`\mathbb E\,\mathrm{dist}^2(g, \operatorname{cone}\partial f(x))`.

    For each draw :math:`g \sim N(0, I_p)` the distance to the cone,
    :math:`\min_{\tau\ge0} \sum_S \lVert g_l - \tau c_l e_l\rVert^2 + \sum_{S^c}(\lVert g_l\rVert - \tau c_l)_+^2`
    (:math:`e_l` the unit direction of :math:`x_l`; by rotation invariance :math:`e_l = e_1`),
    is minimised exactly: the objective is convex and piecewise quadratic in :math:`\tau`,
    and its derivative is found to vanish by vectorised bisection over all draws.  This is
    the exact statistical dimension (ALMT 2014, Prop. 4.1), against which the closed-form
    upper bounds are tested.

    Returns
    -------
    mean, stderr : float
        Sample mean of the squared distances and its standard error.
    """
    where = "statdim_monte_carlo"
    act = _sizes(active_sizes, "active_sizes", where)
    ina = _sizes(inactive_sizes, "inactive_sizes", where)
    wa, wi = _group_weights(act, weights, where), _group_weights(ina, weights, where)
    rng = np.random.default_rng(seed)
    # Active part: ||g_l - tau c_l e_1||^2 = ||g_l||^2 - 2 tau c_l g_l1 + tau^2 c_l^2.
    a_sq = np.zeros(n_samples)
    a_lin = np.zeros(n_samples)
    for size, w in zip(act.astype(int), wa):
        first = rng.standard_normal(n_samples)
        rest = rng.chisquare(size - 1, n_samples) if size > 1 else 0.0
        a_sq += first**2 + rest
        a_lin += w * first
    a_quad = float((wa**2).sum())
    norms = np.sqrt(np.column_stack([rng.chisquare(int(s), n_samples) for s in ina])) if ina.size \
        else np.zeros((n_samples, 0))

    def deriv(tau):
        return 2 * tau * a_quad - 2 * a_lin - 2 * (wi * np.clip(norms - tau[:, None] * wi, 0, None)).sum(1)

    lo = np.zeros(n_samples)
    hi = np.ones(n_samples)
    if a_quad > 0:
        for _ in range(200):
            grow = deriv(hi) < 0
            if not grow.any():
                break
            hi[grow] *= 2.0
        for _ in range(100):
            mid = 0.5 * (lo + hi)
            neg = deriv(mid) < 0
            lo, hi = np.where(neg, mid, lo), np.where(neg, hi, mid)
        tau = np.where(deriv(np.zeros(n_samples)) >= 0, 0.0, 0.5 * (lo + hi))
        dist2 = (a_sq - 2 * tau * a_lin + tau**2 * a_quad
                 + (np.clip(norms - tau[:, None] * wi, 0, None) ** 2).sum(1))
    else:
        dist2 = np.zeros(n_samples)
    return float(dist2.mean()), float(dist2.std(ddof=1) / np.sqrt(n_samples))


def n_incoherence_group(s, g, constant: float = 1.0):
    r"""Sample-size law from Theorem 3's block-incoherence requirement :math:`\delta_{out} \lesssim 1/s`.

    For an :math:`n\times p` design with i.i.d. standardised (Gaussian or Rademacher)
    entries, the block coherence of two groups of size :math:`g` is the operator norm of
    :math:`\tfrac1n X_l^\top X_{l'}`, which concentrates at
    :math:`\delta_{out} \approx 2\sqrt{g/n}` (largest singular value of a
    :math:`g\times g` product of independent :math:`n`-sample blocks; the maximum over the
    :math:`L^2` pairs adds a :math:`\sqrt{\log L / n}` term, dropped here).  Requiring
    :math:`\delta_{out} \le \kappa / s` gives

    .. math::

        n \gtrsim \frac{4}{\kappa^2}\, s^2 g = A\, s^2 g,

    returned as ``constant * s**2 * g``.
    """
    s, g = np.asarray(s, float), np.asarray(g, float)
    return constant * s**2 * g


def n_incoherence_entry(s, g, constant: float = 1.0):
    r"""Sample-size law from the unstructured requirement :math:`\mu \lesssim 1/(s g)`.

    The entry coherence :math:`\mu = \max_{i\ne j} |x_i^\top x_j|/n` of a design with
    i.i.d. standardised entries concentrates at :math:`\sqrt{2\log(p^2)/n} \propto n^{-1/2}`
    (up to the :math:`\sqrt{\log p}` factor, dropped here).  Requiring
    :math:`\mu \le \kappa/(s g)` gives

    .. math::

        n \gtrsim \frac{4\log p}{\kappa^2}\,(s g)^2 = A\,(s g)^2,

    returned as ``constant * (s * g)**2``.
    """
    s, g = np.asarray(s, float), np.asarray(g, float)
    return constant * (s * g) ** 2


def cell_references(p, group_size, active_groups) -> tuple[np.ndarray, np.ndarray]:
    r"""Convex references per cell: :math:`D_{\ell_1}(s g, p)` and :math:`D_{\mathrm{group}}`.

    Groups are :math:`L = p/g` equal groups of size :math:`g` (the study's cells), so the
    group reference is :func:`statdim_group` with ``[g] * s`` active and ``[g] * (L - s)``
    inactive sizes.  Repeated cells are computed once.

    Parameters
    ----------
    p, group_size, active_groups : array_like of int
        One entry per cell (broadcast together).

    Returns
    -------
    n_ref_l1, n_ref_group : ndarray of float
    """
    p, g, s = np.broadcast_arrays(np.asarray(p), np.asarray(group_size), np.asarray(active_groups))
    cache: dict[tuple[int, int, int], tuple[float, float]] = {}
    l1 = np.empty(p.shape)
    grp = np.empty(p.shape)
    for idx in np.ndindex(p.shape):
        key = (int(p[idx]), int(g[idx]), int(s[idx]))
        if key not in cache:
            pp, gg, ss = key
            if gg < 1 or pp % gg or ss > pp // gg:
                raise ValueError(f"cell_references: impossible cell p={pp}, group_size={gg}, s={ss}")
            cache[key] = (statdim_l1(ss * gg, pp),
                          statdim_group(np.full(ss, gg), np.full(pp // gg - ss, gg)))
        l1[idx], grp[idx] = cache[key]
    return l1, grp


def group_references(sizes, active) -> tuple[float, float]:
    r"""Convex references of one design with unequal groups: :math:`D_{\ell_1}(k, p)` and
    :math:`D_{\mathrm{group}}`, each group with its own size.

    With sizes :math:`p_1, \dots, p_L` and active set :math:`S`, :math:`k = \sum_{l\in S} p_l`,
    :math:`p = \sum_l p_l`, and the group reference is :func:`statdim_group` with the active
    groups' sizes and the inactive groups' sizes (the sum over groups of the ALMT recipe, each
    term with its :math:`p_l`).  With equal sizes :math:`g` it is :func:`cell_references`'s
    ``(p, g, |S|)``.

    Parameters
    ----------
    sizes : sequence of int
        Size of every group.
    active : sequence of int
        Indices of the non-zero groups (distinct, in ``range(len(sizes))``).

    Returns
    -------
    n_ref_l1, n_ref_group : float
    """
    where = "group_references"
    sizes = _sizes(sizes, "sizes", where).astype(int)
    active = np.asarray(active, dtype=int).reshape(-1)
    if np.unique(active).size != active.size or (active.size and (
            active.min() < 0 or active.max() >= sizes.size)):
        raise ValueError(f"{where}: active={active.tolist()} must be distinct group indices "
                         f"below {sizes.size}")
    mask = np.zeros(sizes.size, dtype=bool)
    mask[active] = True
    return (statdim_l1(int(sizes[mask].sum()), int(sizes.sum())),
            statdim_group(sizes[mask], sizes[~mask]))


def expected_group_references(sizes, eligible, s: int) -> tuple[float, float]:
    r"""Convex references of a design with unequal groups, averaged over its draw of active
    groups: :math:`\mathbb E_S\,D_{\ell_1}(k_S, p)` and :math:`\mathbb E_S\,D_{\mathrm{group}}(S)`.

    The active set :math:`S` is uniform over the :math:`s`-subsets of the ``eligible`` groups
    (how :func:`gsbench.problems.make_problem` draws it, e.g. the groups below a real
    design's coherence cap); each term is :func:`group_references` of :math:`S`, the groups
    with their own sizes :math:`p_l` and :math:`k_S = \sum_{l\in S} p_l`.  Both references
    depend on :math:`S` only through the multiset of its sizes, so the expectation is the
    exact finite sum over the numbers :math:`a_v` of active groups of each size :math:`v`,

    .. math::

        \mathbb E_S\, D(S) = \sum_{(a_v)\,:\,\sum_v a_v = s}
        \frac{\prod_v \binom{c_v}{a_v}}{\binom{E}{s}}\, D(a),

    :math:`c_v` the eligible groups of size :math:`v`, :math:`E = \sum_v c_v`.  With equal
    sizes :math:`g` it is :func:`cell_references`'s ``(p, g, s)``.

    Parameters
    ----------
    sizes : sequence of int
        Size of every group.
    eligible : sequence of int
        Indices of the groups the active set is drawn from (distinct).
    s : int
        Number of active groups, ``1 <= s <= len(eligible)``.

    Returns
    -------
    n_ref_l1, n_ref_group : float
    """
    where = "expected_group_references"
    sizes = _sizes(sizes, "sizes", where).astype(int)
    eligible = np.unique(np.asarray(eligible, dtype=int).reshape(-1))
    s = _check_count(s, "s", where)
    if eligible.size and (eligible.min() < 0 or eligible.max() >= sizes.size):
        raise ValueError(f"{where}: eligible groups must be indices below {sizes.size}")
    if not 1 <= s <= eligible.size:
        raise ValueError(f"{where}: need 1 <= s <= {eligible.size} eligible groups, got s={s}")
    values, counts = np.unique(sizes[eligible], return_counts=True)
    total, p = special.comb(eligible.size, s, exact=True), int(sizes.sum())
    l1 = grp = 0.0
    for a in _compositions(counts.tolist(), s):
        weight = np.prod([special.comb(c, k, exact=True) for c, k in zip(counts, a)]) / total
        active = np.repeat(values, a)
        inactive = sizes.tolist()
        for v in active:
            inactive.remove(int(v))
        l1 += weight * statdim_l1(int(active.sum()), p)
        grp += weight * statdim_group(active, np.asarray(inactive, dtype=int))
    return float(l1), float(grp)


def _compositions(caps: list[int], s: int):
    """Every tuple ``a`` with ``0 <= a[i] <= caps[i]`` and ``sum(a) == s``."""
    if not caps:
        if s == 0:
            yield ()
        return
    rest = sum(caps[1:])
    for first in range(max(0, s - rest), min(caps[0], s) + 1):
        for tail in _compositions(caps[1:], s - first):
            yield (first, *tail)
