r"""Real design matrices: a data set's rows subsampled per trial, its groups its own.

A :class:`RealDesign` holds a full data matrix :math:`Z \in \mathbb R^{N\times p}` (the
curated data set), the group label of each column (contiguous, unequal sizes allowed) and
the notes of its curation.  A trial draws rows without replacement,

.. math::

    X = \operatorname{std}(Z_{I,:}),\qquad X_{val} = \operatorname{std}_I(Z_{J,:}),
    \qquad I \cap J = \emptyset,\ |I| = n,\ |J| = n_{val},

where :math:`\operatorname{std}` centres each column on the drawn rows :math:`I` and scales
it to :math:`\lVert x_j\rVert_2^2 = n` (the scale of a Rademacher column), and the
validation rows are transformed with the training rows' means and scales (what a user can
do).  A column constant on the drawn rows stays zero.

Curation (:func:`curate`), each step optional and reported in ``notes``:

* constant columns are removed (always: they cannot be standardised);
* duplicate columns (:math:`|\mathrm{corr}| \ge 1 - 10^{-10}` with an earlier column) are
  removed;
* ``orthonormalise``: each group's centred columns are replaced by the left singular vectors
  of its non-negligible singular values (singular value :math:`> 10^{-8}\sigma_{max}`), scaled
  to norm :math:`\sqrt N` -- grpreg's practice; rank-deficient directions are dropped, so
  :math:`w^\star` planted on a group lies in its column space;
* the coherence of a group, :math:`\max |\mathrm{corr}(z_i, z_j)|` over its columns
  :math:`i` and the columns :math:`j` outside it, is measured on the full data; a problem's
  ``coherence_cap`` plants the signal only on groups whose coherence is below the cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ProblemError

#: Columns whose absolute correlation with an earlier column reaches this are duplicates.
DUPLICATE_CORR = 1.0 - 1e-10
#: Relative singular-value cut of the within-group orthonormalisation.
RANK_TOL = 1e-8


@dataclass(frozen=True)
class RealDesign:
    """A curated data matrix with its column groups.

    Attributes
    ----------
    name : str
        The data set's name (used in messages).
    Z : ndarray of shape (N, p)
        The rows a trial draws from (curated, not standardised).
    groups : ndarray of shape (p,)
        Contiguous group labels 0, ..., L-1.
    group_names : tuple of str
        One name per group (the variable, pixel block or label it came from).
    notes : tuple of str
        What curation did (constant and duplicate columns removed, ranks).
    """

    name: str
    Z: np.ndarray
    groups: np.ndarray
    group_names: tuple[str, ...]
    notes: tuple[str, ...] = ()
    coherence: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self):
        if self.coherence is None:
            object.__setattr__(self, "coherence", group_coherence(self.Z, self.groups))

    @property
    def n_rows(self) -> int:
        return self.Z.shape[0]

    @property
    def p(self) -> int:
        return self.Z.shape[1]

    @property
    def sizes(self) -> np.ndarray:
        """Group sizes, in group order."""
        return np.bincount(self.groups)

    def eligible_groups(self, cap: float | None) -> np.ndarray:
        """Groups whose coherence with the columns outside them is below ``cap`` (all groups
        for None)."""
        if cap is None:
            return np.arange(self.sizes.size)
        return np.flatnonzero(self.coherence < cap)

    def draw(self, rng: np.random.Generator, n: int, n_val: int) -> tuple[np.ndarray, np.ndarray]:
        """Standardised training rows and validation rows, disjoint, without replacement.

        Raises :class:`~gsbench.problems.ProblemError` naming the data set and its size when
        ``n + n_val`` exceeds the rows available.
        """
        if n + n_val > self.n_rows:
            raise ProblemError(
                f"data set {self.name!r} has {self.n_rows} rows; n={n} training plus n_val={n_val} "
                f"validation rows (drawn without replacement) need {n + n_val}", "n")
        rows = rng.permutation(self.n_rows)[: n + n_val]
        return standardise(self.Z[rows[:n]], self.Z[rows[n:]])


def standardise(X: np.ndarray, X_val: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Centre the columns of ``X`` and scale them to :math:`\lVert x_j\rVert^2 = n`; apply the
    same affine map to ``X_val``.  A column constant on ``X``'s rows becomes zero in both."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale = np.where(scale > 1e-12 * (1.0 + np.abs(mean)), scale, np.inf)
    return (X - mean) / scale, (X_val - mean) / scale


def group_coherence(Z: np.ndarray, groups: np.ndarray) -> np.ndarray:
    r"""Per group: :math:`\max |\mathrm{corr}(z_i, z_j)|` over its columns :math:`i` and the
    columns :math:`j` of every other group (0 with one group)."""
    Zc = Z - Z.mean(axis=0)
    norms = np.linalg.norm(Zc, axis=0)
    Zc = Zc / np.where(norms > 0, norms, 1.0)
    corr = np.abs(Zc.T @ Zc)
    corr[groups[:, None] == groups[None, :]] = 0.0
    per_column = corr.max(axis=1) if corr.size else np.zeros(0)
    return np.maximum.reduceat(per_column, np.flatnonzero(np.r_[True, np.diff(groups) != 0]))


def curate(Z: np.ndarray, labels, names=None, *, drop_duplicates: bool = True,
           orthonormalise: bool = False, what: str = "data") -> tuple[np.ndarray, np.ndarray,
                                                                        tuple[str, ...], list[str]]:
    """Curate a data matrix and its per-column group labels.

    Parameters
    ----------
    Z : ndarray of shape (N, p)
    labels : sequence of length p
        Group label of each column (any hashable); columns are reordered so that groups are
        contiguous, in the order of each label's first column.
    names : sequence of str, optional
        Column names for the notes.
    drop_duplicates, orthonormalise : bool
        See the module docstring.
    what : str
        The data set's name, for the notes.

    Returns
    -------
    Z : ndarray of shape (N, p')
    groups : ndarray of shape (p',)
        Contiguous labels 0, ..., L'-1 (groups left empty are removed).
    group_names : tuple of str
    notes : list of str
    """
    Z = np.asarray(Z, dtype=float)
    labels = list(labels)
    names = [str(c) for c in (names if names is not None else range(Z.shape[1]))]
    notes: list[str] = []
    order, seen = [], {}
    for j, lab in enumerate(labels):
        seen.setdefault(lab, []).append(j)
    for cols in seen.values():
        order.extend(cols)
    Z, labels, names = Z[:, order], [labels[j] for j in order], [names[j] for j in order]
    keep = np.ptp(Z, axis=0) > 0
    if not keep.all():
        dropped = [names[j] for j in np.flatnonzero(~keep)]
        notes.append(f"{what}: removed {len(dropped)} constant column(s): "
                     f"{', '.join(dropped[:8])}{' ...' if len(dropped) > 8 else ''}")
    if drop_duplicates and keep.any():
        idx = np.flatnonzero(keep)
        Zc = Z[:, idx] - Z[:, idx].mean(axis=0)
        Zc /= np.linalg.norm(Zc, axis=0)
        corr = np.abs(np.triu(Zc.T @ Zc, k=1))
        dup = (corr >= DUPLICATE_CORR).any(axis=0)
        if dup.any():
            keep[idx[dup]] = False
            notes.append(f"{what}: removed {int(dup.sum())} duplicate column(s) (|corr| = 1 with an "
                         f"earlier column): {', '.join(names[j] for j in idx[dup][:8])}")
    Z, labels, names = Z[:, keep], [l for l, k in zip(labels, keep) if k], [
        c for c, k in zip(names, keep) if k]
    uniq = list(dict.fromkeys(labels))
    groups = np.array([uniq.index(l) for l in labels], dtype=int) if labels else np.zeros(0, int)
    if orthonormalise:
        blocks, sizes, dropped = [], [], 0
        for l in range(len(uniq)):
            block = Z[:, groups == l]
            u, sv, _ = np.linalg.svd(block - block.mean(axis=0), full_matrices=False)
            rank = int((sv > RANK_TOL * sv[0]).sum()) if sv.size and sv[0] > 0 else 0
            dropped += block.shape[1] - rank
            blocks.append(u[:, :rank] * np.sqrt(Z.shape[0]))
            sizes.append(rank)
        Z = np.concatenate(blocks, axis=1)
        uniq = [u for u, r in zip(uniq, sizes) if r > 0]
        groups = np.repeat(np.arange(len(uniq)), [r for r in sizes if r > 0])
        notes.append(f"{what}: orthonormalised within groups; {dropped} rank-deficient "
                     f"direction(s) dropped")
    return Z, groups, tuple(str(u) for u in uniq), notes
