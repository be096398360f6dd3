"""Reductions and their adjoints: sum, max, broadcast_to and sum_to, and what is composed of them.

``BroadcastTo`` and ``SumTo`` are each other's backward: broadcasting copies, so its gradient
sums the copies back. The engine uses ``sum_to`` to undo broadcasting for every op.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .core import Function, Variable, as_variable
from .devices import array_module
from .errors import ShapeError

Axis = int | Sequence[int] | None


def normalize_axis(axis: Axis, ndim: int, op: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    """``axis`` as a sorted tuple of non-negative ints; None means every axis."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise ShapeError(f"{op}: axis must be an int or a tuple of ints (got {axis!r})")
        if not -ndim <= a < ndim:
            raise ShapeError(f"{op}: axis {a} is out of bounds for input of shape {shape}")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(out))


def keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with each reduced axis kept as size 1."""
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def sum_to_array(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``x`` down to ``shape``, undoing NumPy broadcasting (``shape`` broadcasts to x)."""
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
    y = x.sum(axis=axes, keepdims=True) if axes else x
    return y.reshape(shape) if lead or y.shape != shape else y


# the reductions reduce_keepdims makes, and the ufunc that combines two slices for each
_COMBINE = {"sum": np.add, "max": np.maximum}


def reduce_keepdims(x: np.ndarray, name: str, axes: tuple[int, ...]) -> np.ndarray:
    """``x.sum`` or ``x.max`` (``name``) over ``axes`` with kept dims.

    NOTE: NumPy reduces a short axis (a 2x2 pooling window, say) one tiny inner loop at a time,
    about 40x slower than combining the slices elementwise, which is what this does for axes of
    at most 8 elements; the result is the same (for sums, up to rounding order). Other array
    modules (CuPy) reduce in one call: one kernel beats a kernel per slice on a GPU.
    """
    if type(x) is not np.ndarray:
        return getattr(x, name)(axis=axes, keepdims=True)
    combine = _COMBINE[name]
    for a in sorted(axes, key=lambda a: x.shape[a]):
        k = x.shape[a]
        if k > 8 or k == 0 or x.size < 4096:
            x = getattr(x, name)(axis=a, keepdims=True)
            continue
        lead = (slice(None),) * a
        out = combine(x[lead + (slice(0, 1),)], x[lead + (slice(1, 2),)]) if k > 1 else \
            x[lead + (slice(0, 1),)].copy()
        for i in range(2, k):
            combine(out, x[lead + (slice(i, i + 1),)], out=out)
        x = out
    return x


class Sum(Function):
    """x.sum(axis, keepdims). grad_x = grad broadcast back to x's shape (the adjoint of a sum
    is a copy)."""

    def forward(self, x, *, axis=None, keepdims=False):
        self.axes = normalize_axis(axis, x.ndim, "Sum", x.shape)
        self.x_shape = x.shape
        if x.size >= 4096 and self.axes and all(x.shape[a] <= 8 for a in self.axes):
            y = reduce_keepdims(x, "sum", self.axes)
            return y if keepdims else y.reshape(
                tuple(s for i, s in enumerate(x.shape) if i not in self.axes))
        return x.sum(axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        grad = grad.reshape(keepdims_shape(self.x_shape, self.axes))
        return broadcast_to(grad, self.x_shape)


class Max(Function):
    """x.max(axis, keepdims). The gradient goes to the maximal elements; ties share it evenly."""

    freed_after_backward = ("top",)

    def forward(self, x, *, axis=None, keepdims=False):
        self.axes = normalize_axis(axis, x.ndim, "Max", x.shape)
        if any(x.shape[a] == 0 for a in self.axes):
            raise ShapeError(f"Max: cannot reduce a zero-size axis (input shape {x.shape}, "
                             f"axis {axis!r})")
        self.save_for_backward(x)
        self.top = reduce_keepdims(x, "max", self.axes)  # backward finds the maxima by it
        return self.top if keepdims else self.top.reshape(
            tuple(s for i, s in enumerate(x.shape) if i not in self.axes))

    def backward(self, grad):
        x, = self.saved
        top = x.data == self.top
        # Ties are counted as integers: in float16 a count above 65,504 would be inf and turn
        # every share into 0. Each share, 1 / count, is rounded to the gradient's dtype once.
        count = np.sum(top, axis=self.axes, keepdims=True, dtype=np.int64)
        if (count != 1).any():  # ties share the gradient evenly
            share = (top / count).astype(grad.dtype)
        else:
            share = top.astype(grad.dtype)
        grad = grad.reshape(keepdims_shape(x.shape, self.axes))
        return broadcast_to(grad, x.shape) * share


class BroadcastTo(Function):
    """np.broadcast_to(x, shape). grad_x = sum_to(grad, x.shape)."""

    def forward(self, x, *, shape):
        self.x_shape = x.shape
        try:
            return np.broadcast_to(x, shape)
        except ValueError as err:
            raise ShapeError(f"BroadcastTo: cannot broadcast shape {x.shape} to "
                             f"{tuple(shape)}") from err

    def backward(self, grad):
        return sum_to(grad, self.x_shape)


class SumTo(Function):
    """Sum x down to ``shape`` (the reverse of broadcasting).

    grad_x = broadcast_to(grad, x.shape).
    """

    def forward(self, x, *, shape):
        self.x_shape = x.shape
        try:
            fits = len(shape) <= x.ndim and np.broadcast_shapes(shape, x.shape) == x.shape
        except ValueError:
            fits = False
        if not fits:
            raise ShapeError(f"SumTo: cannot sum shape {x.shape} down to {shape} "
                             f"({shape} does not broadcast to {x.shape})")
        return sum_to_array(x, shape)

    def backward(self, grad):
        return broadcast_to(grad, self.x_shape)


def _shape_tuple(shape: Any, op: str) -> tuple[int, ...]:
    try:
        return (int(shape),) if np.ndim(shape) == 0 else tuple(int(s) for s in shape)
    except (TypeError, ValueError) as err:
        raise ShapeError(f"{op}: shape must be an int or a sequence of ints "
                         f"(got {shape!r})") from err


def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Variable:  # noqa: A001
    return Sum()(x, axis=axis, keepdims=keepdims)


def broadcast_to(x: Any, shape: Any) -> Variable:
    shape = _shape_tuple(shape, "BroadcastTo")
    if isinstance(x, Variable) and x.shape == shape:
        return x
    return BroadcastTo()(x, shape=shape)


def sum_to(x: Any, shape: Any) -> Variable:
    shape = _shape_tuple(shape, "SumTo")
    if isinstance(x, Variable) and x.shape == shape:
        return x
    return SumTo()(x, shape=shape)


def max(x: Any, axis: Axis = None, keepdims: bool = False) -> Variable:  # noqa: A001
    return Max()(x, axis=axis, keepdims=keepdims)


def min(x: Any, axis: Axis = None, keepdims: bool = False) -> Variable:  # noqa: A001
    return -max(-as_variable(x), axis, keepdims)


def _count(x: Variable, axis: Axis, op: str) -> int:
    axes = normalize_axis(axis, x.ndim, op, x.shape)
    return int(np.prod([x.shape[a] for a in axes], dtype=np.int64))


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Variable:
    """The average over ``axis`` (all axes by default)."""
    x = as_variable(x)
    n = _count(x, axis, "mean")
    return sum(x, axis, keepdims) * (1.0 / n if n else float("nan"))


def var(x: Any, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Variable:
    """The variance over ``axis``, dividing by ``n - ddof``."""
    x = as_variable(x)
    n = _count(x, axis, "var")
    d = x - mean(x, axis, keepdims=True)
    return sum(d * d, axis, keepdims) * (1.0 / (n - ddof) if n > ddof else float("nan"))


def std(x: Any, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Variable:
    """The standard deviation over ``axis``. NOTE: its gradient is infinite where it is 0."""
    return var(x, axis, keepdims, ddof) ** 0.5


def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> Variable:
    """log(sum(exp(x), axis)), stable for large ``|x|``: the max is subtracted first."""
    x = as_variable(x)
    axes = normalize_axis(axis, x.ndim, "logsumexp", x.shape)
    top = x.data.max(axis=axes, keepdims=True) if x.size else array_module(x.data).zeros(
        keepdims_shape(x.shape, axes), x.dtype)
    top = np.where(np.isfinite(top), top, 0).astype(x.dtype)  # all -inf rows stay -inf
    out = (x - top).exp().sum(axis=axes, keepdims=True).log() + top
    return out if keepdims else out.reshape(tuple(
        s for i, s in enumerate(out.shape) if i not in axes))

