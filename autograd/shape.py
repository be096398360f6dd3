"""Ops that move elements without arithmetic: reshape, transpose, indexing, concat, repeat, pad.

Each backward puts the gradient back where the element came from: reshape/transpose undo
themselves, indexing scatters (``GetItemGrad``, which repeated indices add into), concat splits.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .core import Function, Variable, as_variable
from .devices import array_module, as_array, device_of, is_array, to_device, to_numpy
from .errors import OpIndexError, ShapeError
from .reduce import broadcast_to, normalize_axis


class Reshape(Function):
    """x.reshape(shape) (one entry may be -1). grad_x = grad.reshape(x.shape)."""

    def forward(self, x, *, shape):
        self.x_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError as err:
            raise ShapeError(f"Reshape: cannot reshape input of shape {x.shape} (size "
                             f"{x.size}) into shape {shape}") from err

    def backward(self, grad):
        return reshape(grad, self.x_shape)


class Transpose(Function):
    """x.transpose(axes) (axes reversed by default). grad_x = grad.transpose(argsort(axes))."""

    def forward(self, x, *, axes=None):
        if axes is None:
            axes = tuple(reversed(range(x.ndim)))
        if sorted(int(a) % max(x.ndim, 1) for a in axes) != list(range(x.ndim)) or \
                any(not -x.ndim <= a < x.ndim for a in axes):
            raise ShapeError(f"Transpose: axes {tuple(axes)} are not a permutation of the "
                             f"{x.ndim} axes of input of shape {x.shape}")
        self.axes = tuple(int(a) % x.ndim for a in axes)
        return x.transpose(self.axes)

    def backward(self, grad):
        return transpose(grad, tuple(np.argsort(self.axes)))


class GetItem(Function):
    """x[index] for basic and advanced (integer or boolean array) indices.

    grad_x = zeros like x with grad added at ``index`` (see GetItemGrad).
    """

    freed_after_backward = ("index",)

    def forward(self, x, *, index):
        self.index = index
        self.x_shape = x.shape
        return x[index]

    def backward(self, grad):
        return GetItemGrad()(grad, index=self.index, shape=self.x_shape)


class GetItemGrad(Function):
    """Scatter-add: zeros of ``shape`` with ``grad`` added at ``index`` (repeats accumulate).

    The adjoint of GetItem: grad_grad = grad[index].
    """

    freed_after_backward = ("index",)

    def forward(self, grad, *, index, shape):
        self.index = index
        out = array_module(grad).zeros(shape, dtype=grad.dtype)
        if _is_basic(index):
            out[index] = grad  # basic indices never repeat an element
        else:
            xp = array_module(grad)
            if xp is not np:  # CuPy scatters only with indices on its device
                index = _index_on(index, device_of(grad))
            xp.add.at(out, index, grad)  # not np.add.at: CuPy's arrays refuse its tuple index
        return out

    def backward(self, grad):
        return getitem(grad, self.index)


class Concat(Function):
    """np.concatenate(xs, axis). Each input's gradient is its slice of grad along axis."""

    freed_after_backward = ("bounds",)

    def forward(self, *xs, axis=0):
        if not xs:
            raise ShapeError("Concat: need at least one input")
        if any(x.ndim == 0 for x in xs):
            raise ShapeError("Concat: 0-d inputs cannot be concatenated")
        self.axis = normalize_axis(axis, xs[0].ndim, "Concat", xs[0].shape)[0]
        for x in xs[1:]:
            if x.ndim != xs[0].ndim or any(a != b for i, (a, b) in
                                             enumerate(zip(x.shape, xs[0].shape))
                                             if i != self.axis):
                raise ShapeError(f"Concat: all inputs must match except along axis "
                                 f"{self.axis} (shapes {', '.join(str(y.shape) for y in xs)})")
        self.bounds = np.cumsum([0] + [x.shape[self.axis] for x in xs])
        return np.concatenate(xs, axis=self.axis)

    def backward(self, grad):
        lead = (slice(None),) * self.axis
        return tuple(grad[lead + (slice(int(a), int(b)),)]
                     for a, b in zip(self.bounds[:-1], self.bounds[1:]))


class Repeat(Function):
    """np.repeat(x, repeats, axis) for an int ``repeats``: each element appears ``repeats`` times
    in a row. grad_x sums each run of copies: reshape to (..., n, repeats, ...) and sum."""

    def forward(self, x, *, repeats, axis=None):
        if repeats < 0:
            raise ShapeError(f"Repeat: repeats must be >= 0 (got {repeats})")
        self.x_shape = x.shape
        self.repeats = repeats
        if axis is None:
            self.axis = None
            return np.repeat(x.reshape(-1), repeats)
        self.axis = normalize_axis(axis, x.ndim, "Repeat", x.shape)[0]
        return np.repeat(x, repeats, axis=self.axis)

    def backward(self, grad):
        r = self.repeats
        if self.axis is None:
            return grad.reshape((int(np.prod(self.x_shape)), r)).sum(axis=1).reshape(self.x_shape)
        a = self.axis
        split = self.x_shape[:a] + (self.x_shape[a], r) + self.x_shape[a + 1:]
        return grad.reshape(split).sum(axis=a + 1)


class Pad(Function):
    """np.pad(x, pad_width) with a constant ``value``. grad_x = grad with the padding cut off."""

    def forward(self, x, *, pad_width, value=0.0):
        self.inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(pad_width, x.shape))
        return np.pad(x, pad_width, constant_values=value)

    def backward(self, grad):
        return grad[self.inner]


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return not any(isinstance(i, np.ndarray) or is_array(i) for i in items)


def _normalize_index(index: Any) -> Any:
    """Variables and lists inside an index become arrays, so NumPy reads them as advanced."""
    def one(i: Any) -> Any:
        if isinstance(i, Variable):
            i = i.data
        if isinstance(i, (list, np.ndarray)) or is_array(i):
            arr = as_array(i)
            if arr.dtype.kind not in "biu" and arr.size:
                raise OpIndexError(f"GetItem: index arrays must be integers or booleans "
                                   f"(got dtype {arr.dtype})")
            return arr.astype(np.intp) if arr.size == 0 else arr
        return i
    return tuple(one(i) for i in index) if isinstance(index, tuple) else one(index)


def reshape(x: Any, shape: Any) -> Variable:
    shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(s) for s in shape)
    if isinstance(x, Variable) and x.shape == shape:
        return x
    return Reshape()(x, shape=shape)


def transpose(x: Any, axes: Sequence[int] | None = None) -> Variable:
    return Transpose()(x, axes=None if axes is None else tuple(axes))


def _index_on(index: Any, device: Any) -> Any:
    """``index`` with its NumPy arrays moved to ``device``."""
    def move(i: Any) -> Any:
        return to_device(i, device) if type(i) is np.ndarray else i
    return tuple(move(i) for i in index) if isinstance(index, tuple) else move(index)


def getitem(x: Any, index: Any) -> Variable:
    index = _normalize_index(index)
    if isinstance(x, Variable) and type(x._data) is not np.ndarray:
        # index arrays go where x is (CuPy takes NumPy ones; an explicit move says so)
        index = _index_on(index, x.device)
    return GetItem()(x, index=index)


def concatenate(xs: Sequence[Any], axis: int = 0) -> Variable:
    return Concat()(*xs, axis=axis)


def pad(x: Any, pad_width: Any, value: float = 0.0) -> Variable:
    """Constant padding as ``np.pad(x, pad_width, constant_values=value)``; ``pad_width`` is an
    int, a (before, after) pair, or one pair per axis."""
    x = as_variable(x)
    try:
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    except ValueError as err:
        raise ShapeError(f"Pad: pad_width {pad_width!r} does not fit input of shape "
                         f"{x.shape}") from err
    if (widths < 0).any():
        raise ShapeError(f"Pad: pad widths must be >= 0 (got {pad_width!r})")
    return Pad()(x, pad_width=tuple((int(a), int(b)) for a, b in widths), value=value)


def repeat(x: Any, repeats: Any, axis: int | None = None) -> Variable:
    """np.repeat; a sequence of repeats (one per element) becomes an index gather."""
    x = as_variable(x)
    if np.ndim(repeats) == 0:
        return Repeat()(x, repeats=int(repeats), axis=axis)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    ax = normalize_axis(axis, x.ndim, "repeat", x.shape)[0]
    repeats = to_numpy(as_array(repeats))
    if repeats.shape != (x.shape[ax],):
        raise ShapeError(f"repeat: {repeats.size} repeats given for an axis of length "
                         f"{x.shape[ax]}")
    index = (slice(None),) * ax + (np.repeat(np.arange(x.shape[ax]), repeats),)
    return getitem(x, index)


def flatten(x: Any, start_axis: int = 0) -> Variable:
    """Merge the axes from ``start_axis`` on into one (all of them by default)."""
    x = as_variable(x)
    start = normalize_axis(start_axis, x.ndim, "flatten", x.shape)[0] if x.ndim else 0
    return reshape(x, x.shape[:start] + (int(np.prod(x.shape[start:], dtype=np.int64)),))


def squeeze(x: Any, axis: int | tuple[int, ...] | None = None) -> Variable:
    x = as_variable(x)
    axes = tuple(i for i, s in enumerate(x.shape) if s == 1) if axis is None else \
        normalize_axis(axis, x.ndim, "squeeze", x.shape)
    if any(x.shape[a] != 1 for a in axes):
        raise ShapeError(f"squeeze: cannot squeeze axis {axis} of size != 1 (input shape "
                         f"{x.shape})")
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if i not in axes))


def expand_dims(x: Any, axis: int | tuple[int, ...]) -> Variable:
    x = as_variable(x)
    try:
        return reshape(x, np.expand_dims(np.empty(x.shape, dtype=bool), axis).shape)
    except np.exceptions.AxisError as err:
        raise ShapeError(f"expand_dims: {err} (input shape {x.shape})") from err


def stack(xs: Sequence[Any], axis: int = 0) -> Variable:
    xs = [as_variable(x) for x in xs]
    if not xs:
        raise ShapeError("stack: need at least one input")
    if any(x.shape != xs[0].shape for x in xs):
        raise ShapeError(f"stack: all inputs must have the same shape (got "
                         f"{', '.join(str(x.shape) for x in xs)})")
    return concatenate([expand_dims(x, axis) for x in xs], axis=axis)


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Variable]:
    """np.split as Variables: a number of equal sections or the indices to cut at."""
    x = as_variable(x)
    ax = normalize_axis(axis, x.ndim, "split", x.shape)[0]
    n = x.shape[ax]
    if np.ndim(indices_or_sections) == 0:
        k = int(indices_or_sections)
        if k <= 0 or n % k:
            raise ShapeError(f"split: axis of length {n} does not split into {k} equal parts")
        cuts = list(range(0, n + 1, n // k)) if n else [0] * (k + 1)
    else:
        cuts = [0] + [int(i) for i in indices_or_sections] + [n]
    lead = (slice(None),) * ax
    return [getitem(x, lead + (slice(a, b),)) for a, b in zip(cuts[:-1], cuts[1:])]


def swapaxes(x: Any, axis1: int, axis2: int) -> Variable:
    x = as_variable(x)
    a, b = (normalize_axis(a, x.ndim, "swapaxes", x.shape)[0] for a in (axis1, axis2))
    axes = list(range(x.ndim))
    axes[a], axes[b] = b, a
    return transpose(x, axes)


def tile(x: Any, reps: int | Sequence[int]) -> Variable:
    """np.tile: the whole of ``x`` repeated ``reps`` times along each axis."""
    x = as_variable(x)
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    ndim = max(len(reps), x.ndim)
    reps = (1,) * (ndim - len(reps)) + reps
    shape = (1,) * (ndim - x.ndim) + x.shape
    x = reshape(x, tuple(d for s in shape for d in (1, s)))
    x = broadcast_to(x, tuple(d for r, s in zip(reps, shape) for d in (r, s)))
    return reshape(x, tuple(r * s for r, s in zip(reps, shape)))

