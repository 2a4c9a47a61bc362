"""Batched products with the design matrix, for one design per batch element or one design
shared by several elements (a hyperparameter sweep).

Every iterative method touches X only through :func:`matvec` (``X w``) and :func:`rmatvec`
(``X^T r``). ``X`` is either a stack of B designs, an ndarray of shape (B, n, p), where the
products are B matrix-vector products, or a :class:`SharedDesign`: T designs of shape
(n, p) shared by B = K T batch elements (K settings of one method on T problems), where the
products are T matrix-matrix products of X_t (n, p) with a p x K matrix. Both give the same
numbers (to rounding): a method's update is written once for either.
"""

from __future__ import annotations

import numpy as np

#: Largest n p for which :class:`SharedDesign` keeps a C-contiguous copy of each X_t^T.
TRANSPOSE_MAX_ELEMENTS = 1 << 18


class SharedDesign:
    """T designs X_t of shape (n, p) shared by B batch elements; element b uses X[owner[b]].

    A sweep of K settings on T problems orders its elements setting-major,
    ``b = k T + t`` (``owner = [0, 1, ..., T-1] * K``): then ``w`` of shape (B, p) is a
    (K, T, p) block and the products are one ``np.matmul`` of (T, K, p) with (T, p, n)
    (for T = 1, one matrix-matrix product ``W X^T`` of (K, p) with (p, n)).
    Dropping elements (``design[keep]``, as the iterative loop does when a fit ends) keeps the
    T designs and only shortens ``owner``: X is never copied. While whole settings are
    dropped the layout stays a (K', T) block; otherwise the products loop over the T designs,
    each with the p x K_t matrix of its remaining elements.

    Small designs (``n p <= TRANSPOSE_MAX_ELEMENTS``, 2 MB in float64: the size that stays
    in a core's cache, where the products are bound by arithmetic) are kept in both layouts:
    ``X^T r`` reads ``data`` (T, n, p) and ``X w`` reads ``data_t`` (T, p, n), the designs'
    transposes, C-contiguous, copied once on first use and shared by every ``design[keep]``
    (``W @ X^T`` on a C-ordered X costs about 1.7x ``W @ data_t`` at (n, p, K) =
    (100, 500, 16)). A larger design is bound by memory traffic, where the layout barely
    matters and the copy would cost more than it saves: ``data_t`` is then a view.

    Parameters
    ----------
    data : ndarray of shape (T, n, p)
    owner : ndarray of int of shape (B,)
        Index into ``data`` of every element.
    data_t : ndarray of shape (T, p, n), optional
        ``data.transpose(0, 2, 1)`` as ``matvec`` reads it, when already at hand (else made
        on the first ``matvec``).
    """

    ndim = 3

    def __init__(self, data: np.ndarray, owner: np.ndarray, data_t: np.ndarray | None = None):
        self.data = data
        self._data_t = data_t
        self.owner = np.asarray(owner, dtype=np.intp)
        T, n, p = data.shape
        self.shape = (self.owner.size, n, p)
        K, rest = divmod(self.owner.size, T)
        regular = rest == 0 and np.array_equal(self.owner, np.tile(np.arange(T), K))
        self._blocks = K if regular else None
        self._rows = None if regular else [
            (int(t), np.flatnonzero(self.owner == t)) for t in np.unique(self.owner)
        ]

    @classmethod
    def tiled(cls, data: np.ndarray, K: int) -> "SharedDesign":
        """K copies of the T designs, setting-major: element ``k T + t`` uses ``data[t]``."""
        return cls(data, np.tile(np.arange(data.shape[0]), K))

    @property
    def dtype(self) -> np.dtype:
        """The designs' dtype (as ``ndarray.dtype``)."""
        return self.data.dtype

    @property
    def data_t(self) -> np.ndarray:
        """The T transposes ``X_t^T``, shape (T, p, n): C-contiguous (copied once) for a small
        design, a view of ``data`` for a large one."""
        if self._data_t is None:
            T, n, p = self.data.shape
            view = self.data.transpose(0, 2, 1)
            self._data_t = np.ascontiguousarray(view) if n * p <= TRANSPOSE_MAX_ELEMENTS else view
        return self._data_t

    def astype(self, dtype, copy: bool = True) -> "SharedDesign":
        """The same sharing over the T designs cast to ``dtype``."""
        copied = self._data_t is not None and not np.shares_memory(self._data_t, self.data)
        data_t = self._data_t.astype(dtype, copy=copy) if copied else None
        return SharedDesign(self.data.astype(dtype, copy=copy), self.owner, data_t)

    def __getitem__(self, keep) -> "SharedDesign":
        return SharedDesign(self.data, self.owner[keep], self.data_t)

    def matvec(self, w: np.ndarray) -> np.ndarray:
        """``out[b] = X[owner[b]] w[b]``: (B, p) -> (B, n)."""
        T, n, p = self.data.shape
        data_t = self.data_t
        out = np.empty((w.shape[0], n), dtype=np.result_type(self.data, w))
        if self._blocks is not None:
            if T == 1:  # a 2-D product: BLAS gemm without matmul's stacked-loop overhead
                return np.matmul(w, data_t[0], out=out)
            K = self._blocks
            np.matmul(w.reshape(K, T, p).transpose(1, 0, 2), data_t,
                      out=out.reshape(K, T, n).transpose(1, 0, 2))
            return out
        for t, rows in self._rows:
            out[rows] = w[rows] @ data_t[t]
        return out

    def rmatvec(self, r: np.ndarray) -> np.ndarray:
        """``out[b] = X[owner[b]]^T r[b]``: (B, n) -> (B, p)."""
        T, n, p = self.data.shape
        out = np.empty((r.shape[0], p), dtype=np.result_type(self.data, r))
        if self._blocks is not None:
            if T == 1:
                return np.matmul(r, self.data[0], out=out)
            K = self._blocks
            np.matmul(r.reshape(K, T, n).transpose(1, 0, 2), self.data,
                      out=out.reshape(K, T, p).transpose(1, 0, 2))
            return out
        for t, rows in self._rows:
            out[rows] = r[rows] @ self.data[t]
        return out


def matvec(X, w: np.ndarray) -> np.ndarray:
    """Batched ``X w``: X (B, n, p) or a :class:`SharedDesign`, w (B, p) -> (B, n)."""
    if isinstance(X, SharedDesign):
        return X.matvec(w)
    return np.matmul(X, w[:, :, None])[:, :, 0]


def rmatvec(X, r: np.ndarray) -> np.ndarray:
    """Batched ``X^T r``: X (B, n, p) or a :class:`SharedDesign`, r (B, n) -> (B, p)."""
    if isinstance(X, SharedDesign):
        return X.rmatvec(r)
    return np.matmul(r[:, None, :], X)[:, 0, :]
