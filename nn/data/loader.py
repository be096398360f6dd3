"""``DataLoader``: iterate a dataset in (optionally shuffled) mini-batches of NumPy arrays;
``OnDevice``, what every loader shares to hand its batches out on a device (``to``)."""
from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence, TypeVar

import numpy as np

from autograd.devices import CPU, Device, backend, is_array, to_device
from autograd.errors import ArgumentError, OpTypeError

from .collate import default_collate
from .dataset import Dataset


Loader = TypeVar("Loader", bound="OnDevice")


class OnDevice:
    """A loader that hands its batches out on ``device``, set by ``to``: the part of
    `DataLoader` and `BPTTLoader` that moves them. A subclass passes each batch it makes
    through ``on_device``."""

    device: Device = CPU

    def to(self: Loader, device: str | Device) -> Loader:
        """Yield every batch on ``device`` ("cpu", "cuda", "cuda:1") from now on: its arrays
        (in tuples and lists too) copied there as the loader makes them (a `DataLoader`: each
        batch; a `BPTTLoader`: its rows, once per epoch). Returns the loader.

        >>> from nn.data import ArrayDataset
        >>> loader = DataLoader(ArrayDataset(np.zeros((4, 2)), np.arange(4)), 2).to("cpu")
        >>> loader.device
        device(type='cpu')
        """
        self.device = Device(device)
        if self.device.type != "cpu":
            backend(self.device.type)  # "cuda" without CuPy says so now, not at the first batch
        return self

    def on_device(self, batch: Any) -> Any:
        """``batch`` on the loader's device: itself on the CPU, else ``batch_to`` a copy."""
        return batch if self.device.type == "cpu" else batch_to(batch, self.device)


class DataLoader(OnDevice):
    """Mini-batches of a dataset, one epoch per ``for`` loop.

    With ``shuffle=True`` every epoch draws a new permutation from the loader's random
    generator, so each sample appears exactly once per epoch, in a different order each epoch;
    the same ``seed`` replays the same sequence of epochs. A dataset with a ``get_batch``
    method (``ArrayDataset``, ``MNIST``, a ``Subset`` of them) is fetched with one index array
    per batch, with no Python loop over samples; other datasets (or a custom ``collate_fn``)
    take one ``dataset[i]`` per sample and collate the list.

    Args:
        dataset: a map-style dataset (``__len__`` and ``__getitem__``).
        batch_size: samples per batch; the last batch may be smaller unless ``drop_last``.
        shuffle: draw a new random order every epoch (else the dataset's order).
        drop_last: drop the last batch when it has fewer than ``batch_size`` samples.
        seed: seed of the shuffling generator (None: fresh entropy).
        generator: a NumPy ``Generator`` to shuffle with, instead of ``seed``.
        collate_fn: turns a list of samples into a batch; None fetches array-backed datasets
            whole-batch and collates others with ``default_collate``.

    Raises:
        ValueError: a batch size that is not a positive integer, or both seed and generator.

    Example:
        >>> from nn.data import ArrayDataset
        >>> ds = ArrayDataset(np.arange(10).reshape(5, 2), np.arange(5))
        >>> loader = DataLoader(ds, batch_size=2)
        >>> len(loader), [t.tolist() for _, t in loader]
        (3, [[0, 1], [2, 3], [4]])
        >>> loader = DataLoader(ds, batch_size=2, shuffle=True, drop_last=True, seed=0)
        >>> [x.shape for x, _ in loader]
        [(2, 2), (2, 2)]
    """

    def __init__(self, dataset: Dataset | Sequence[Any], batch_size: int = 1,
                 shuffle: bool = False, drop_last: bool = False, seed: int | None = None,
                 generator: np.random.Generator | None = None,
                 collate_fn: Callable[[list[Any]], Any] | None = None) -> None:
        if (isinstance(batch_size, (bool, np.bool_))
                or not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
            raise ArgumentError(f"DataLoader: invalid batch_size {batch_size!r} "
                                f"(must be a positive integer)")
        if seed is not None and generator is not None:
            raise ArgumentError("DataLoader: pass seed or generator, not both")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise OpTypeError(f"DataLoader: generator must be a numpy.random.Generator, "
                              f"got {type(generator).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.generator = generator if generator is not None else np.random.default_rng(seed)

    def __len__(self) -> int:
        """Batches per epoch."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        # The permutation is drawn when iteration starts, so each epoch gets a fresh one.
        order = self.generator.permutation(n) if self.shuffle else np.arange(n)
        stop = len(self) * self.batch_size
        fetch = getattr(self.dataset, "get_batch", None) if self.collate_fn is None else None
        collate = self.collate_fn if self.collate_fn is not None else default_collate
        for start in range(0, stop, self.batch_size):
            idx = order[start:start + self.batch_size]
            batch = fetch(idx) if fetch is not None else \
                collate([self.dataset[int(i)] for i in idx])
            yield self.on_device(batch)

    def __repr__(self) -> str:
        device = "" if self.device.type == "cpu" else f", device='{self.device}'"
        return (f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}{device})")


def batch_to(batch: Any, device: str | Device) -> Any:
    """``batch`` with its arrays (alone, or in tuples and lists) copied to ``device``;
    anything else as it is."""
    if is_array(batch):
        return to_device(batch, device)
    if isinstance(batch, (tuple, list)):
        return type(batch)(batch_to(b, device) for b in batch)
    return batch
