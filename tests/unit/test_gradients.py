"""Analytic gradients of every reparameterisation against central finite differences."""

import numpy as np
import pytest

from gsbench.methods._base import GroupOps, group_structure
from gsbench.methods._iterative import loss_gradient
from gsbench.methods.dglnn import grad_u, grad_v
from gsbench.methods.hadamard import power_gradients

RNG = np.random.default_rng(0)
N, P, G = 12, 9, 3
X = RNG.standard_normal((1, N, P))
Y = RNG.standard_normal((1, N))
OPS = GroupOps(*group_structure(G, P))


def loss_of(w):
    return loss_gradient(X, Y, w)[0][0]


def finite_difference(f, x, h=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


def test_loss_gradient_in_w():
    w = RNG.standard_normal((1, P))
    _, g = loss_gradient(X, Y, w)
    assert np.allclose(g, finite_difference(loss_of, w), rtol=1e-6, atol=1e-8)


def test_dglnn_gradients():
    u = RNG.uniform(0.5, 1.5, (1, P // G))
    v = RNG.standard_normal((1, P))

    def loss_uv(u, v):
        return loss_of(OPS.expand(u * u) * v)

    _, g = loss_gradient(X, Y, OPS.expand(u * u) * v)
    assert np.allclose(grad_u(u, v, g, OPS), finite_difference(lambda a: loss_uv(a, v), u),
                       rtol=1e-6, atol=1e-8)
    assert np.allclose(grad_v(u, g, OPS), finite_difference(lambda b: loss_uv(u, b), v),
                       rtol=1e-6, atol=1e-8)
    # the methods' in-place form (v ⊙ g written over g) gives the same gradient
    gg = g.copy()
    assert np.array_equal(grad_u(u, v, gg, OPS, out=gg), grad_u(u, v, g, OPS))


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_power_gradients(depth):
    u = RNG.uniform(0.5, 1.2, (1, P))
    v = RNG.uniform(0.5, 1.2, (1, P))
    _, g = loss_gradient(X, Y, u**depth - v**depth)
    gu, gv = power_gradients(u, v, g, depth)
    # the methods' form, overwriting the powers already computed for w, is the same
    powers = (u ** (depth - 1), v ** (depth - 1))
    gu2, gv2 = power_gradients(u, v, g, depth, powers)
    assert gu2 is powers[0] and np.array_equal(gu2, gu) and np.array_equal(gv2, gv)
    assert np.allclose(gu, finite_difference(lambda a: loss_of(a**depth - v**depth), u),
                       rtol=1e-6, atol=1e-8)
    assert np.allclose(gv, finite_difference(lambda b: loss_of(u**depth - b**depth), v),
                       rtol=1e-6, atol=1e-8)
