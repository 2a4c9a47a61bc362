"""Incoherence measures (DGLNN Assumption 1) against a brute-force loop over groups."""

import numpy as np
import pytest

from gsbench.coherence import incoherence
from gsbench.problems import group_labels


def brute_force(X, groups):
    n = X.shape[0]
    labels = np.unique(groups)
    blocks = [X[:, groups == lab] for lab in labels]
    d_in = max(np.linalg.norm(b.T @ b / n - np.eye(b.shape[1]), 2) for b in blocks)
    d_out = max(
        (np.linalg.norm(blocks[i].T @ blocks[j] / n, 2)
         for i in range(len(blocks)) for j in range(len(blocks)) if i != j),
        default=0.0,
    )
    p = X.shape[1]
    mu = max((abs(X[:, i] @ X[:, j]) / n for i in range(p) for j in range(p) if i != j),
             default=0.0)
    return d_in, d_out, mu


@pytest.mark.parametrize(
    "p, group_size",
    [(12, 1), (12, 3), (12, [2, 5, 1, 4]), (6, 6)],
    ids=["g1", "g3", "unequal", "one-group"],
)
def test_incoherence_matches_brute_force_on_a_stack(p, group_size):
    rng = np.random.default_rng(0)
    groups = group_labels(p, group_size)
    stack = rng.standard_normal((3, 9, p))
    got = incoherence(stack, groups)
    for b in range(3):
        want = brute_force(stack[b], groups)
        np.testing.assert_allclose(
            [got["delta_in"][b], got["delta_out"][b], got["mu"][b]], want, rtol=1e-12, atol=1e-12
        )


def test_incoherence_of_shuffled_group_labels_matches_brute_force():
    rng = np.random.default_rng(1)
    groups = rng.permutation(group_labels(10, [3, 3, 4]))
    X = rng.standard_normal((7, 10))
    got = incoherence(X, groups)
    np.testing.assert_allclose([got["delta_in"], got["delta_out"], got["mu"]],
                               brute_force(X, groups), rtol=1e-12)


def test_orthogonal_design_is_perfectly_incoherent():
    q, _ = np.linalg.qr(np.random.default_rng(2).standard_normal((16, 8)))
    got = incoherence(np.sqrt(16) * q, group_labels(8, 2))
    assert max(got.values()) < 1e-12


def test_shape_mismatch_names_the_shapes():
    with pytest.raises(ValueError, match=r"groups must have shape \(5,\)"):
        incoherence(np.ones((4, 5)), np.zeros(4, dtype=int))


def test_a_stack_larger_than_one_pass_gives_the_same_values(monkeypatch):
    import gsbench.coherence as coherence

    rng = np.random.default_rng(3)
    stack, groups = rng.standard_normal((5, 6, 8)), group_labels(8, 2)
    whole = incoherence(stack, groups)
    monkeypatch.setattr(coherence, "_MAX_GRAM_ENTRIES", 2 * 8 * 8)  # two designs per pass
    chunked = incoherence(stack, groups)
    for key in whole:
        np.testing.assert_array_equal(chunked[key], whole[key])
