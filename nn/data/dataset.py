"""Map-style datasets: the ``Dataset`` protocol, an array-backed ``ArrayDataset``, ``Subset`` and
a seeded ``random_split``. Array-backed datasets hand out whole batches with one fancy index.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from autograd.errors import ArgumentError, NotWrittenError, OpIndexError, OpTypeError, ShapeError

from .collate import default_collate
from .transforms import Transform


class Dataset:
    """Base of map-style datasets: ``len(ds)`` samples, ``ds[i]`` the i-th one.

    Subclasses implement ``__getitem__`` and ``__len__``. ``get_batch`` collates the samples at
    an index array; array-backed datasets override it to index every array once, which is what
    makes ``DataLoader`` fast.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotWrittenError(f"{type(self).__name__}: __getitem__ is not implemented")

    def __len__(self) -> int:
        raise NotWrittenError(f"{type(self).__name__}: __len__ is not implemented")

    def get_batch(self, indices: np.ndarray) -> Any:
        """The samples at ``indices``, collated (the slow path: one ``__getitem__`` per sample).

        Args:
            indices: 1-D integer array of sample indices.

        Returns:
            ``default_collate`` of the samples: a tuple of stacked arrays for tuple samples.
        """
        return default_collate([self[int(i)] for i in indices])


def _check_index(owner: str, index: Any, length: int) -> int:
    """A Python int in ``[0, length)`` from ``index`` (negative counts from the end)."""
    if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
        raise OpTypeError(f"{owner}: indices must be integers, got {type(index).__name__}")
    i = int(index)
    if not -length <= i < length:
        raise OpIndexError(f"{owner}: index {i} is out of range for {length} samples")
    return i + length if i < 0 else i


def _check_indices(owner: str, indices: Any, length: int) -> np.ndarray:
    """``indices`` as a 1-D int64 array, every entry in ``[0, length)``."""
    arr = np.asarray(indices)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise OpTypeError(f"{owner}: expected a 1-D sequence of integer indices, "
                          f"got shape {arr.shape}, dtype {arr.dtype}")
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0 or hi >= length:
        bad = lo if lo < 0 else hi
        raise OpIndexError(f"{owner}: index {bad} is out of range for {length} samples")
    return arr.astype(np.int64, copy=False)


class ArrayDataset(Dataset):
    """Samples are rows of arrays that share their first dimension, like PyTorch's TensorDataset.

    ``ds[i]`` is ``(arrays[0][i], arrays[1][i], ...)``. ``transform`` is applied to the first
    array and ``target_transform`` to the second. Both take a *batch* (leading axis N) and are
    applied lazily to each batch, so a single sample is transformed as a batch of one.

    Args:
        *arrays: one or more arrays (anything ``np.asarray`` accepts) with equal first dimension.
        transform: batch function applied to samples of ``arrays[0]``.
        target_transform: batch function applied to samples of ``arrays[1]``.

    Raises:
        ValueError: no arrays, a 0-d array, arrays of different lengths, or a target_transform
            with fewer than two arrays.

    Example:
        >>> ds = ArrayDataset(np.arange(6).reshape(3, 2), np.array([0, 1, 0]))
        >>> x, t = ds[1]
        >>> len(ds), x, int(t)
        (3, array([2, 3]), 1)
        >>> ds.get_batch(np.array([2, 0]))
        (array([[4, 5],
               [0, 1]]), array([0, 0]))
    """

    def __init__(self, *arrays: Any, transform: Transform | None = None,
                 target_transform: Transform | None = None) -> None:
        name = type(self).__name__
        if not arrays:
            raise ArgumentError(f"{name}: expected at least one array")
        arrs = tuple(np.asarray(a) for a in arrays)
        for a in arrs:
            if a.ndim == 0:
                raise ShapeError(f"{name}: arrays need a first (sample) dimension, got a scalar")
        lengths = [len(a) for a in arrs]
        if len(set(lengths)) != 1:
            raise ShapeError(f"{name}: arrays have different lengths "
                             f"({', '.join(map(str, lengths))})")
        if target_transform is not None and len(arrs) < 2:
            raise ArgumentError(f"{name}: target_transform needs a second (target) array")
        self.arrays = arrs
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        i = _check_index(type(self).__name__, index, len(self))
        if self.transform is None and self.target_transform is None:
            return tuple(a[i] for a in self.arrays)
        # A batch of one keeps transforms batch-only (Flatten keeps axis 0, Normalize axis 1).
        return tuple(a[0] for a in self._apply(tuple(a[i:i + 1] for a in self.arrays)))

    def get_batch(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        """Every array indexed once by ``indices`` (a copy), then the transforms.

        Args:
            indices: 1-D integer array of sample indices.

        Returns:
            One batched array per wrapped array.

        Raises:
            IndexError: an index outside ``[0, len(self))``.
        """
        idx = _check_indices(type(self).__name__, indices, len(self))
        return self._apply(tuple(a[idx] for a in self.arrays))

    def _apply(self, batch: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        if self.transform is None and self.target_transform is None:
            return batch
        out = list(batch)
        if self.transform is not None:
            out[0] = self.transform(out[0])
        if self.target_transform is not None:
            out[1] = self.target_transform(out[1])
        return tuple(out)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{a.dtype}{list(a.shape)}" for a in self.arrays)
        return f"{type(self).__name__}({shapes})"


TensorDataset = ArrayDataset
"""PyTorch's name for ``ArrayDataset``."""


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Batches of a Subset of an array-backed dataset still take the fast path.

    Args:
        dataset: the dataset to view.
        indices: integer indices into ``dataset``.

    Raises:
        IndexError: an index outside ``[0, len(dataset))``.

    Example:
        >>> sub = Subset(ArrayDataset(np.arange(10) * 10), [9, 0, 5])
        >>> len(sub), sub.get_batch(np.array([1, 2]))
        (3, (array([ 0, 50]),))
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        self.indices = _check_indices("Subset", indices, len(dataset))

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[_check_index("Subset", index, len(self))])]

    def get_batch(self, indices: np.ndarray) -> Any:
        idx = _check_indices("Subset", indices, len(self))
        fetch = getattr(self.dataset, "get_batch", None)
        if fetch is None:
            return super().get_batch(idx)
        return fetch(self.indices[idx])

    def __repr__(self) -> str:
        return f"Subset({self.dataset!r}, {len(self)} samples)"


def _split_lengths(lengths: Sequence[float], total: int) -> list[int]:
    """Integer lengths from counts, or from fractions summing to 1 (remainder dealt round-robin)."""
    if all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in lengths):
        counts = [int(n) for n in lengths]
        if any(n < 0 for n in counts):
            raise ArgumentError(f"random_split: lengths must be >= 0, got {counts}")
        if sum(counts) != total:
            raise ArgumentError(f"random_split: lengths sum to {sum(counts)} "
                                f"(expected {total}, the dataset's length)")
        return counts
    fractions = [float(f) for f in lengths]
    if any(not 0.0 <= f <= 1.0 for f in fractions) or not math.isclose(sum(fractions), 1.0):
        raise ArgumentError(f"random_split: fractions must lie in [0, 1] and sum to 1, "
                            f"got {fractions}")
    counts = [math.floor(total * f) for f in fractions]
    for k in range(total - sum(counts)):
        counts[k % len(counts)] += 1
    return counts


def random_split(dataset: Dataset, lengths: Sequence[float], *, seed: int | None = None,
                 generator: np.random.Generator | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random Subsets, e.g. a validation split.

    Args:
        dataset: the dataset to split.
        lengths: sample counts summing to ``len(dataset)``, or fractions summing to 1 (the
            remainder of flooring is dealt one by one to the first parts).
        seed: seed of the permutation; the same seed gives the same split.
        generator: a NumPy ``Generator`` to draw the permutation from (instead of ``seed``).

    Returns:
        One ``Subset`` per length, in order.

    Raises:
        ValueError: lengths that do not add up, or both ``seed`` and ``generator`` given.

    Example:
        >>> train, val = random_split(ArrayDataset(np.arange(10)), [8, 2], seed=0)
        >>> len(train), len(val)
        (8, 2)
        >>> sorted(int(i) for i in np.concatenate([train.indices, val.indices]))
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """
    if seed is not None and generator is not None:
        raise ArgumentError("random_split: pass seed or generator, not both")
    rng = generator if generator is not None else np.random.default_rng(seed)
    counts = _split_lengths(lengths, len(dataset))
    perm = rng.permutation(len(dataset))
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, perm[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
