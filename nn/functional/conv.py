"""Convolution: im2col and one batched matrix product, fused into one op (``Convolution``,
see docs/speed.rst), with ``conv2d_composed`` (Im2col, MatMul, Add) as its reference."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Function, ShapeError, Variable

from .im2col import (Col2im, Im2col, Pair, check_input, correlate, input_grad_array,
                     output_shape, weight_grad_array, window_geometry)


class Convolution(Function):
    """2-D convolution of x (N, C, H, W) with weight (OC, C, KH, KW) and an optional bias
    (OC,) -> (N, OC, OH, OW), fused into one op: im2col, one batched matrix product and the
    bias added in place. ``conv2d_composed`` (Im2col, MatMul, Add) is its reference.

    With cols = im2col(x) as (N, C KH KW, OH OW), W as (OC, C KH KW) and G the gradient as
    (N, OC, OH OW): grad_W = sum_n G[n] cols[n]^T, grad_b = G summed over n and positions,
    grad_x = col2im(W^T G); each is computed only if its input requires it.
    """

    def forward(self, x, weight, *bias, stride, padding, dilation):
        grad_x, grad_w = self.needs_input_grad[:2]
        self.save_for_backward(x if grad_w else None, weight if grad_x else None)
        oc, _, kh, kw = weight.shape
        self.geometry = ((kh, kw), stride, padding, dilation)
        self.x_shape = x.shape
        y = correlate(x, weight, *self.geometry)
        if bias and np.result_type(y, bias[0]) == y.dtype:
            y += bias[0].reshape(oc, 1)  # in place: the product is a fresh array
        elif bias:
            y = y + bias[0].reshape(oc, 1)
        return y.reshape(x.shape[0], oc, *output_shape(x.shape, *self.geometry))

    def backward(self, grad):
        x, weight = self.saved  # None where the other one's gradient is not wanted
        kernel, stride, padding, dilation = self.geometry
        n, oc = grad.shape[:2]
        g = grad.reshape(n, oc, -1)
        grad_x = grad_w = None
        if weight is not None:
            gcols = weight.reshape(oc, -1).T @ g
            grad_x = Col2im()(gcols.reshape(n, -1, *kernel, *grad.shape[2:]),
                              x_shape=self.x_shape, kernel=kernel, stride=stride,
                              padding=padding, dilation=dilation)
        if x is not None:
            cols = Im2col()(x, kernel=kernel, stride=stride, padding=padding,
                            dilation=dilation).reshape(n, -1, g.shape[2])
            grad_w = (g @ ag.swapaxes(cols, 1, 2)).sum(axis=0).reshape(oc, x.shape[1], *kernel)
        return (grad_x, grad_w) + self._bias_grad(g)

    def fast_backward(self, grad):
        """The same gradient on arrays: grad_W from the columns made again block by block
        (see weight_grad_array), grad_x as a correlation with the flipped kernel where the
        stride is 1 (see input_grad_array)."""
        x, weight = self.saved
        grad_x = grad_w = None
        if weight is not None:
            grad_x = input_grad_array(grad, weight.data, self.x_shape, *self.geometry)
        if x is not None:
            grad_w = weight_grad_array(x.data, grad, *self.geometry)
        return (grad_x, grad_w) + self._bias_grad(grad.reshape(grad.shape[0], grad.shape[1], -1))

    def _bias_grad(self, g):
        """() without a bias, else (G summed over n and positions,) or (None,)."""
        if len(self.edges) == 2:
            return ()
        return (g.sum(axis=(0, 2)) if self.needs_input_grad[2] else None,)


def conv2d(x: Any, weight: Any, bias: Any = None, stride: Pair = 1, padding: Pair = 0,
           dilation: Pair = 1) -> Variable:
    """2-D convolution (cross-correlation, as in PyTorch) as im2col and one matrix product.

    Shape:
        x (N, C, H, W), weight (OC, C, KH, KW), bias (OC,) -> (N, OC, OH, OW) with
        OH = (H + 2 padding - dilation (KH - 1) - 1) // stride + 1, and likewise OW.
    """
    x, weight = ag.as_variable(x), ag.as_variable(weight)
    kernel, st, pad, dil = _conv_geometry(x, weight, stride, padding, dilation)
    if bias is None:
        return Convolution()(x, weight, stride=st, padding=pad, dilation=dil)
    bias = ag.as_variable(bias)
    if bias.shape != (weight.shape[0],):
        raise ShapeError(f"Conv2d: expected bias of shape ({weight.shape[0]},) for weight "
                         f"{weight.shape}, got {bias.shape}")
    return Convolution()(x, weight, bias, stride=st, padding=pad, dilation=dil)


def conv2d_composed(x: Any, weight: Any, bias: Any = None, stride: Pair = 1, padding: Pair = 0,
                    dilation: Pair = 1) -> Variable:
    """The reference that Convolution fuses: Im2col, a batched MatMul and a broadcast Add."""
    x, weight = ag.as_variable(x), ag.as_variable(weight)
    kernel, st, pad, dil = _conv_geometry(x, weight, stride, padding, dilation)
    oc, c, kh, kw = weight.shape
    cols = Im2col()(x, kernel=kernel, stride=st, padding=pad, dilation=dil)
    n, _, _, _, oh, ow = cols.shape
    y = weight.reshape(oc, c * kh * kw) @ cols.reshape(n, c * kh * kw, oh * ow)
    y = y.reshape(n, oc, oh, ow)
    if bias is not None:
        y = y + ag.reshape(bias, (1, oc, 1, 1))
    return y


def _conv_geometry(x: Variable, weight: Variable, stride: Pair, padding: Pair,
                   dilation: Pair) -> tuple[tuple[int, int], ...]:
    """Checked (kernel, stride, padding, dilation) pairs; raises if no window fits."""
    if weight.ndim != 4:
        raise ShapeError(f"Conv2d: expected weight of shape (OC, C, KH, KW), got {weight.shape}")
    check_input(x, "Conv2d", weight.shape[1])
    return window_geometry(x, weight.shape[2:], stride, padding, dilation, "Conv2d")
