"""Pooling: the maximum or mean of each window.

Windows that tile the input (stride = kernel, no padding, the usual 2x2 pooling) need no
im2col: a reshape shows them, and ``MaxPoolTiles`` takes their maxima slice by slice.
Overlapping or padded windows go through im2col and a reduction.

One tie rule serves every max-pooling path: where a window holds its maximum more than once,
the whole gradient goes to the first of them in row-major order (PyTorch's max_pool2d and the
book's Pooling layer do the same). ``ag.max``, a reduction, splits it evenly instead, as
``torch.amax`` does.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Function, ShapeError, Variable, parallel
from autograd.devices import array_module

from .im2col import Pair, check_input, im2col, pair


class MaxPoolTiles(Function):
    """The maximum of each KH x KW tile of x (N, C, H, W) -> (N, C, H // KH, W // KW); rows and
    columns that do not fill a tile are dropped.

    Fused for speed; ``_tiles(x).max(axis=(3, 5))`` is the composed reference. NumPy reduces
    a 2-element axis one tiny loop at a time, so the maxima come from KH KW strided slices
    instead, and forward notes which slice held each tile's first maximum (``self.argmax``,
    one byte per output): backward then needs neither x nor y, and the gradient goes to that
    first maximum, as in PyTorch: grad_x[tile slice k] = grad where argmax == k, else 0.
    """

    freed_after_backward = ("argmax",)

    def forward(self, x, *, kernel):
        kh, kw = self.kernel = kernel
        self.x_shape = x.shape
        n, c, h, w = x.shape
        xc = x[:, :, :h // kh * kh, :w // kw * kw]
        xp = array_module(x)
        y = xp.empty((n, c, h // kh, w // kw), x.dtype)
        argmax = None
        if self.requires_grad:  # only backward reads the argmax
            argmax = self.argmax = xp.zeros(y.shape, np.uint8 if kh * kw < 256 else np.intp)
            greater = xp.empty(y.shape, bool)
            step = xp.empty(y.shape, argmax.dtype)

        def work(i):
            np.copyto(y[i], xc[i, :, 0::kh, 0::kw])
            for k in range(1, kh * kw):
                tile = xc[i, :, k // kw::kh, k % kw::kw]
                if argmax is not None:
                    # argmax = k where this slice beats every earlier one: k only grows, so
                    # a maximum records it (cheaper than a masked write)
                    np.greater(tile, y[i], out=greater[i])
                    np.maximum(argmax[i], np.multiply(greater[i], step.dtype.type(k),
                                                      out=step[i]), out=argmax[i])
                np.maximum(y[i], tile, out=y[i])

        parallel.chunked(work, x, x.size)
        return y

    def backward(self, grad):
        # grad spread over each tile, times a 0/1 mask of the first maxima
        kh, kw = self.kernel
        n, c, h, w = self.x_shape
        oh, ow = self.argmax.shape[2:]
        mask = array_module(grad.data).empty((n, c, oh * kh, ow * kw), dtype=grad.dtype)
        for k in range(kh * kw):
            np.equal(self.argmax, k, out=mask[:, :, k // kw::kh, k % kw::kw])
        spread = ag.broadcast_to(grad.reshape(n, c, oh, 1, ow, 1), (n, c, oh, kh, ow, kw))
        grad_x = spread.reshape(n, c, oh * kh, ow * kw) * mask
        if (oh * kh, ow * kw) != (h, w):
            grad_x = ag.pad(grad_x, ((0, 0), (0, 0), (0, h - oh * kh), (0, w - ow * kw)))
        return grad_x

    def fast_backward(self, grad):
        """The same on arrays: each tile slice written once, split over zerograd's threads."""
        kh, kw = self.kernel
        n, c, h, w = self.x_shape
        oh, ow = self.argmax.shape[2:]
        # every element of the tiles is written: only cropped rows and columns need zeros
        cropped = (oh * kh, ow * kw) != (h, w)
        xp = array_module(grad)
        grad_x = (xp.zeros if cropped else xp.empty)(self.x_shape, dtype=grad.dtype)

        def work(i):
            for k in range(kh * kw):
                np.multiply(grad[i], self.argmax[i] == k,
                            out=grad_x[i, :, k // kw:oh * kh:kh, k % kw:ow * kw:kw])

        parallel.chunked(work, grad_x, grad_x.size)
        return grad_x


def max_pool2d(x: Any, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0,
               dilation: Pair = 1) -> Variable:
    """The maximum of each window (padding never wins: it is -inf). Where a window holds its
    maximum more than once, the gradient goes to the first of them (row-major), on every path.

    Shape:
        (N, C, H, W) -> (N, C, OH, OW); ``stride`` defaults to ``kernel_size``.
    """
    x = ag.as_variable(x)
    check_input(x, "MaxPool2d")
    pad = pair(padding, "padding", "MaxPool2d")
    k = pair(kernel_size, "kernel_size", "MaxPool2d", 1)
    if pad[0] > k[0] // 2 or pad[1] > k[1] // 2:
        raise ShapeError(f"MaxPool2d: padding {pad} must be at most half the kernel {k}")
    st = k if stride is None else pair(stride, "stride", "MaxPool2d", 1)
    if pad == (0, 0) and st == k and pair(dilation, "dilation", "MaxPool2d", 1) == (1, 1):
        _fits(x, k, "MaxPool2d")
        return MaxPoolTiles()(x, kernel=k)
    return max_pool2d_windows(x, k, st, pad, dilation)


def max_pool2d_windows(x: Any, kernel_size: Pair, stride: Pair | None = None,
                       padding: Pair = 0, dilation: Pair = 1) -> Variable:
    """``max_pool2d`` through im2col, for any geometry (``max_pool2d`` takes it unless the
    windows tile the input); the same values and the same tie rule.

    Shape:
        (N, C, H, W) -> (N, C, OH, OW)
    """
    x = ag.as_variable(x)
    check_input(x, "MaxPool2d")
    k = pair(kernel_size, "kernel_size", "MaxPool2d", 1)
    st = k if stride is None else pair(stride, "stride", "MaxPool2d", 1)
    pad = pair(padding, "padding", "MaxPool2d")
    if pad != (0, 0):
        x = ag.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])), value=-np.inf)
    cols = im2col(x, k, st, 0, dilation, op="MaxPool2d")  # (N, C, KH, KW, OH, OW)
    n, c, kh, kw, oh, ow = cols.shape
    return _first_max(cols.reshape(n, c, kh * kw, oh, ow), axis=2)


def max_pool2d_composed(x: Any, kernel_size: Pair) -> Variable:
    """The reference that MaxPoolTiles fuses: a reshape into tiles and the first maximum."""
    x = ag.as_variable(x)
    k = pair(kernel_size, "kernel_size", "MaxPool2d", 1)
    tiles = _tiles(x, k, "MaxPool2d")  # (N, C, OH, KH, OW, KW)
    n, c, oh, kh, ow, kw = tiles.shape
    return _first_max(tiles.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh, ow, kh * kw), axis=4)


def _first_max(windows: Variable, axis: int) -> Variable:
    """The maximum along ``axis`` (the window's elements, row-major), taken by indexing the
    first maximal element: its gradient goes to that element alone. A NaN wins, as in max."""
    first = windows.data.argmax(axis=axis)
    index = list(np.indices(first.shape, sparse=True))
    index.insert(axis, first)
    return windows[tuple(index)]


def avg_pool2d(x: Any, kernel_size: Pair, stride: Pair | None = None,
               padding: Pair = 0) -> Variable:
    """The mean of each window, zero padding counted (PyTorch's count_include_pad=True).

    Shape:
        (N, C, H, W) -> (N, C, OH, OW); ``stride`` defaults to ``kernel_size``.
    """
    x = ag.as_variable(x)
    check_input(x, "AvgPool2d")
    k = pair(kernel_size, "kernel_size", "AvgPool2d", 1)
    st = k if stride is None else pair(stride, "stride", "AvgPool2d", 1)
    if st == k and pair(padding, "padding", "AvgPool2d") == (0, 0):
        return _tiles(x, k, "AvgPool2d").mean(axis=(3, 5))
    cols = im2col(x, k, st, padding, 1, op="AvgPool2d")
    return cols.mean(axis=(2, 3))


def _fits(x: Variable, k: tuple[int, int], op: str) -> None:
    if x.shape[2] < k[0] or x.shape[3] < k[1]:
        raise ShapeError(f"{op}: kernel {k} does not fit the input {x.shape[2]}x{x.shape[3]} "
                         f"(input shape {x.shape})")


def _tiles(x: Variable, k: tuple[int, int], op: str) -> Variable:
    """Non-overlapping windows as a reshape: (N, C, OH, KH, OW, KW), no copy of the input.
    Rows and columns that do not fill a window are dropped, as the output-size formula does."""
    _fits(x, k, op)
    n, c, h, w = x.shape
    oh, ow = h // k[0], w // k[1]
    if (oh * k[0], ow * k[1]) != (h, w):
        x = x[:, :, :oh * k[0], :ow * k[1]]
    return x.reshape(n, c, oh, k[0], ow, k[1])
