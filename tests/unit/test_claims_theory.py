"""The ℓ1 statistical dimension used by the claims (gsbench.analysis.theory.statdim_l1)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from gsbench.analysis.theory import statdim_l1


def _by_quadrature(k, p):
    def tail(tau):  # E[(|z| - tau)_+^2] by numerical integration
        return 2 * integrate.quad(lambda z: (z - tau) ** 2 * stats.norm.pdf(z), tau, np.inf)[0]

    return min(k * (1 + t * t) + (p - k) * tail(t) for t in np.arange(0.0, 4.0, 0.05))


@pytest.mark.parametrize("k, p", [(5, 100), (20, 100), (3, 500)])
def test_statdim_l1_matches_its_definition(k, p):
    d = statdim_l1(k, p)
    assert k < d < p
    assert d == pytest.approx(_by_quadrature(k, p), rel=2e-3)  # grid step 0.05 in tau


def test_statdim_l1_edges_and_errors():
    assert statdim_l1(0, 10) == 0 and statdim_l1(10, 10) == 10
    assert statdim_l1(5, 100) < statdim_l1(6, 100)
    with pytest.raises(ValueError, match="k=11, p=10"):
        statdim_l1(11, 10)
