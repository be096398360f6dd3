"""Activations: relu and friends, softmax and log_softmax (stable: the max is subtracted)."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Function, Variable, parallel
from autograd.devices import array_module


class Relu(Function):
    """max(x, 0) (the op; ``nn.ReLU`` is the layer). grad_x = grad where x > 0, else 0.

    Fused for speed (one ``np.maximum``); ``relu_composed`` is the reference. Forward keeps
    the mask x > 0 (a byte per element, made only when the op is recorded) rather than x, so
    x can be freed while the graph lives. NOTE: the gradient at exactly 0 is 0, as in PyTorch.
    """

    freed_after_backward = ("mask",)

    def forward(self, x):
        xp = array_module(x)
        y = xp.empty(x.shape, np.result_type(x.dtype, 0))
        mask = self.mask = xp.empty(x.shape, bool) if self.requires_grad else None

        def work(i):
            if mask is not None:
                np.greater(x[i], 0, out=mask[i])
            np.maximum(x[i], 0, out=y[i])

        parallel.chunked(work, x, x.size)
        return y

    def backward(self, grad):
        return grad * self.mask

    def fast_backward(self, grad):
        """The same product on arrays, split over zerograd's threads."""
        out = array_module(grad).empty(grad.shape, grad.dtype)
        parallel.chunked(lambda i: np.multiply(grad[i], self.mask[i], out=out[i]), grad,
                         grad.size)
        return out


def relu(x: Any) -> Variable:
    """max(x, 0), elementwise."""
    return Relu()(x)


def relu_composed(x: Any) -> Variable:
    """The reference Relu fuses: where(x > 0, x, 0)."""
    x = ag.as_variable(x)
    return ag.where(x.data > 0, x, 0.0)


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Variable:
    """x for x > 0, else negative_slope * x."""
    x = ag.as_variable(x)
    return ag.where(x.data > 0, x, x * negative_slope)


def sigmoid(x: Any) -> Variable:
    """1 / (1 + exp(-x)), without overflow for large ``|x|``."""
    return ag.sigmoid(x)


def tanh(x: Any) -> Variable:
    return ag.tanh(x)


def softmax(x: Any, axis: int = -1) -> Variable:
    """exp(x) / sum(exp(x)) along ``axis``; the max is subtracted first so exp never overflows.

    >>> import numpy as np
    >>> softmax(np.array([1000.0, 1000.0])).data
    array([0.5, 0.5])
    """
    x = ag.as_variable(x)
    # max() of an empty axis fails (CuPy's max has no ``initial``); an empty softmax is empty
    shifted = x - x.data.max(axis=axis, keepdims=True) if x.size else x
    e = ag.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x: Any, axis: int = -1) -> Variable:
    """x - logsumexp(x) along ``axis``: finite even where softmax underflows to 0."""
    x = ag.as_variable(x)
    return x - ag.logsumexp(x, axis=axis, keepdims=True)
