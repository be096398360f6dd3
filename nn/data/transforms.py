"""Batch transforms for datasets: ``ToFloat``, ``Normalize``, ``Flatten`` and ``Compose``.

Every transform takes a whole batch (leading axis N) and returns a new array, so an array-backed
dataset applies it once per batch instead of once per sample.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import numpy.typing as npt

from autograd.errors import ArgumentError, OpTypeError, ShapeError

Transform = Callable[[np.ndarray], np.ndarray]


class Compose:
    """Apply transforms one after another.

    Args:
        transforms: the transforms, first applied first.

    Example:
        >>> f = Compose([ToFloat(), Flatten()])
        >>> f(np.full((2, 1, 2, 2), 255, dtype=np.uint8))
        array([[1., 1., 1., 1.],
               [1., 1., 1., 1.]], dtype=float32)
    """

    def __init__(self, transforms: Sequence[Transform]) -> None:
        for t in transforms:
            if not callable(t):
                raise OpTypeError(f"Compose: every transform must be callable, got "
                                  f"{type(t).__name__}")
        self.transforms = list(transforms)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        return f"Compose([{', '.join(repr(t) for t in self.transforms)}])"


class ToFloat:
    """uint8 pixels in ``0..255`` to floats in ``[0, 1]``: ``x / 255``.

    Args:
        dtype: the floating-point dtype of the result (float32, as images need no more).

    Raises:
        TypeError: an input that is not uint8, or a ``dtype`` that is not floating-point.

    Example:
        >>> ToFloat()(np.array([[0, 51, 255]], dtype=np.uint8))
        array([[0. , 0.2, 1. ]], dtype=float32)
    """

    def __init__(self, dtype: npt.DTypeLike = np.float32) -> None:
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise OpTypeError(f"ToFloat: dtype must be floating-point, got {self.dtype}")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.dtype != np.uint8:
            raise OpTypeError(f"ToFloat: expected uint8 pixels, got dtype {x.dtype}")
        # NOTE: multiplying by a rounded 1/255 would turn 255 into 0.99999994 in float32.
        return x.astype(self.dtype) / self.dtype.type(255)

    def __repr__(self) -> str:
        return f"ToFloat({self.dtype})"


class Normalize:
    """``(x - mean) / std``, with one mean and std for all, or one per channel (axis 1).

    Shape:
        Input ``(N, C, ...)`` floating-point; a per-channel ``mean``/``std`` needs ``C`` values.
        Output has the input's shape and dtype.

    Args:
        mean: a number, or one per channel.
        std: a positive number, or one per channel.

    Raises:
        ValueError: a std that is not positive, mean and std of different lengths, or a
            per-channel count that differs from the input's channels.
        TypeError: an integer input (apply ``ToFloat`` first).

    Example:
        >>> Normalize(0.5, 0.25)(np.array([[0.0, 0.5, 1.0]], dtype=np.float32))
        array([[-2.,  0.,  2.]], dtype=float32)
    """

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float]) -> None:
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ShapeError("Normalize: mean and std must be numbers or 1-D sequences")
        if len(self.mean) != len(self.std) and 1 not in (len(self.mean), len(self.std)):
            raise ShapeError(f"Normalize: mean and std have different lengths "
                             f"({len(self.mean)} vs {len(self.std)})")
        if not np.all(self.std > 0):
            raise ArgumentError(f"Normalize: std must be > 0, got {self.std.tolist()}")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.dtype.kind != "f":
            raise OpTypeError(f"Normalize: expected a floating-point input (apply ToFloat first), "
                              f"got dtype {x.dtype}")
        channels = max(len(self.mean), len(self.std))
        if channels == 1:
            mean, std = self.mean[0], self.std[0]
            return (x - x.dtype.type(mean)) / x.dtype.type(std)
        if x.ndim < 2 or x.shape[1] != channels:
            raise ShapeError(f"Normalize: expected input of shape (N, {channels}, ...), "
                             f"got {x.shape}")
        shape = (1, channels) + (1,) * (x.ndim - 2)
        mean_b = self.mean.astype(x.dtype).reshape(shape)
        std_b = self.std.astype(x.dtype).reshape(shape)
        return (x - mean_b) / std_b

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


class Flatten:
    """Flatten every axis from ``start_dim`` on: ``(N, 1, 28, 28)`` to ``(N, 784)`` by default.

    Args:
        start_dim: first axis to flatten (1 keeps the batch axis).

    Raises:
        ValueError: an input with fewer than ``start_dim`` axes.

    Example:
        >>> Flatten()(np.zeros((8, 1, 28, 28))).shape
        (8, 784)
    """

    def __init__(self, start_dim: int = 1) -> None:
        if start_dim < 0:
            raise ArgumentError(f"Flatten: start_dim must be >= 0, got {start_dim}")
        self.start_dim = start_dim

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim <= self.start_dim:
            raise ShapeError(f"Flatten: input of shape {x.shape} has no axis {self.start_dim}")
        return x.reshape(x.shape[:self.start_dim] + (-1,))

    def __repr__(self) -> str:
        return f"Flatten(start_dim={self.start_dim})"
