r"""Incoherence of a design matrix: the quantities of the DGLNN paper's Assumption 1.

For a design :math:`X = [X_1, \dots, X_L] \in \mathbb{R}^{n \times p}` split into column
blocks :math:`X_l \in \mathbb{R}^{n \times p_l}` (the groups) and its normalised Gram matrix
:math:`G = X^\top X / n`:

.. math::

    \delta_{in}  &= \max_l \big\| X_l^\top X_l / n - I_{p_l} \big\|_2,
    \qquad \text{(within-group eigenvalue condition (1))}\\
    \delta_{out} &= \max_{l \ne l'} \big\| X_l^\top X_{l'} / n \big\|_2,
    \qquad \text{(between-group block coherence (2))}\\
    \mu          &= \max_{i \ne j} |x_i^\top x_j| / n,
    \qquad \text{(entrywise coherence)}

where :math:`\|\cdot\|_2` is the spectral norm (largest singular value), which is exactly
the supremum over unit vectors :math:`\beta_1, \beta_2` in the paper's (1) and (2).  The
paper's Theorem 3 asks :math:`\delta_{out} \lesssim 1/s` (s active groups); unstructured
implicit sparsity asks :math:`\mu \lesssim 1/(s g)`.

Everything is batched: a stack of B designs of one shape, all :math:`L^2` blocks of each,
through one Gram product and batched symmetric eigenvalue problems of the (zero-padded,
for unequal groups) blocks; zero padding does not change a singular value.
"""

from __future__ import annotations

import numpy as np

__all__ = ["COHERENCE_FIELDS", "block_index", "incoherence"]

_MAX_GRAM_ENTRIES = 2**24  # stacked Gram matrices per pass (128 MiB of float64)

#: Per-trial columns written by the study, with their dtypes.
COHERENCE_FIELDS: dict[str, str] = {"delta_in": "float64", "delta_out": "float64", "mu": "float64"}


def block_index(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Padded feature indices of every group.

    Parameters
    ----------
    groups : ndarray of shape (p,)
        Group label 0, ..., L-1 of every feature (any order; every label used).

    Returns
    -------
    index : ndarray of int, shape (L, g_max)
        ``index[l, :p_l]`` are the features of group l in increasing order; padding repeats
        feature 0 and is masked.
    mask : ndarray of bool, shape (L, g_max)
        True on real entries.
    """
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.size == 0:
        raise ValueError(f"groups must be a non-empty 1-d label array, got shape {groups.shape}")
    sizes = np.bincount(groups)
    if np.any(sizes == 0):
        missing = np.flatnonzero(sizes == 0).tolist()
        raise ValueError(f"groups must use every label 0..{sizes.size - 1}; missing {missing}")
    order = np.argsort(groups, kind="stable")
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    slot = np.arange(sizes.max())
    mask = slot[None, :] < sizes[:, None]
    index = np.where(mask, order[np.minimum(starts[:, None] + slot[None, :], groups.size - 1)], 0)
    return index, mask


def _block_norms(blocks: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Spectral norms of the blocks, identity removed from the diagonal ones.

    ``blocks`` has shape (B, L, L, g, g); the result (B, L, L) holds
    ``||G_ll - I||_2`` on the diagonal and ``||G_ll'||_2`` off it.  Symmetric matrices
    go through ``eigvalsh`` (the Gram matrix is symmetric, so only blocks l < l' are
    decomposed, as ``||G_ll'||_2^2 = lambda_max(G_ll' G_ll'^T)``).
    """
    n_groups, g = blocks.shape[1], blocks.shape[-1]
    out = np.zeros(blocks.shape[:3])
    diag = np.arange(n_groups)
    within = blocks[:, diag, diag] - np.eye(g) * mask[:, :, None]  # (B, L, g, g)
    if g == 1:
        out[:, diag, diag] = np.abs(within[..., 0, 0])
        out[:, ~np.eye(n_groups, dtype=bool)] = np.abs(blocks[:, ~np.eye(n_groups, dtype=bool), 0, 0])
        return out
    out[:, diag, diag] = np.abs(np.linalg.eigvalsh(within)).max(axis=-1)
    upper, lower = np.triu_indices(n_groups, k=1)
    if upper.size:
        pair = blocks[:, upper, lower]  # (B, L(L-1)/2, g, g)
        top = np.linalg.eigvalsh(np.matmul(pair, pair.transpose(0, 1, 3, 2)))[..., -1]
        out[:, upper, lower] = out[:, lower, upper] = np.sqrt(np.clip(top, 0.0, None))
    return out


def incoherence(X: np.ndarray, groups: np.ndarray) -> dict[str, np.ndarray]:
    r""":math:`\delta_{in}`, :math:`\delta_{out}` and :math:`\mu` of one design or a stack.

    Parameters
    ----------
    X : ndarray of shape (n, p) or (B, n, p)
        One design, or B designs of the same shape.
    groups : ndarray of shape (p,)
        Group label of every feature (shared by the stack).

    Returns
    -------
    dict with keys "delta_in", "delta_out", "mu"
        Floats for one design, ndarrays of shape (B,) for a stack.  With a single group,
        ``delta_out`` is 0 (no pair of groups); with a single feature, ``mu`` is 0.

    Notes
    -----
    Cost: the Gram products, :math:`O(B n p^2)`, plus eigenvalues of the :math:`L(L+1)/2`
    :math:`g_{max} \times g_{max}` blocks, :math:`O(B L^2 g_{max}^3) = O(B p^2 g_{max})`.
    """
    X = np.asarray(X, dtype=float)
    single = X.ndim == 2
    if single:
        X = X[None]
    if X.ndim != 3:
        raise ValueError(f"X must have shape (n, p) or (B, n, p), got {X.shape}")
    n, p = X.shape[1:]
    if np.shape(groups) != (p,):
        raise ValueError(f"groups must have shape ({p},) to match X {X.shape}, got {np.shape(groups)}")
    per_chunk = max(1, _MAX_GRAM_ENTRIES // (p * p))
    if X.shape[0] > per_chunk:  # bound the memory of the stacked Gram matrices
        parts = [incoherence(X[i:i + per_chunk], groups) for i in range(0, X.shape[0], per_chunk)]
        return {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    gram = np.matmul(X.transpose(0, 2, 1), X) / n  # (B, p, p)
    index, mask = block_index(groups)
    n_groups, g_max = index.shape
    if mask.all() and np.array_equal(index.ravel(), np.arange(p)):
        # Contiguous equal groups: the blocks are a view of the Gram matrix.
        blocks = gram.reshape(-1, n_groups, g_max, n_groups, g_max).transpose(0, 1, 3, 2, 4)
    else:  # zero-padded copies of the blocks
        blocks = gram[:, index[:, None, :, None], index[None, :, None, :]]
        blocks = np.where(mask[:, None, :, None] & mask[None, :, None, :], blocks, 0.0)
    norms = _block_norms(blocks, mask)  # (B, L, L)
    diag = np.eye(n_groups, dtype=bool)
    delta_in = norms[:, diag].max(axis=1)
    delta_out = norms[:, ~diag].max(axis=1) if n_groups > 1 else np.zeros(X.shape[0])
    off = ~np.eye(p, dtype=bool)
    mu = np.abs(gram[:, off]).max(axis=1) if p > 1 else np.zeros(X.shape[0])
    out = {"delta_in": delta_in, "delta_out": delta_out, "mu": mu}
    return {k: float(v[0]) for k, v in out.items()} if single else out
