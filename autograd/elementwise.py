"""Elementwise ops: arithmetic, exp/log, trigonometry, maximum, where and dtype casts.

Binary ops broadcast as NumPy does; their backward returns gradients of the broadcast shape and
the engine reduces them to each input's shape.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .core import Function, Variable, _raw


class Add(Function):
    """a + b. grad_a = grad, grad_b = grad."""

    saves_inputs = False

    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    """a - b. grad_a = grad, grad_b = -grad."""

    saves_inputs = False

    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, (-grad if self.inputs[1].requires_grad else None)


class Mul(Function):
    """a * b. grad_a = grad * b, grad_b = grad * a."""

    input_reads = ((1,), (0,))

    def forward(self, a, b):
        return a * b

    def backward(self, grad):
        a, b = self.inputs
        return (grad * b if a.requires_grad else None,
                grad * a if b.requires_grad else None)


class Div(Function):
    """a / b. grad_a = grad / b, grad_b = -grad * a / b**2."""

    input_reads = ((1,), (0, 1))

    def forward(self, a, b):
        return a / b

    def backward(self, grad):
        a, b = self.inputs
        grad_a = grad / b
        return (grad_a if a.requires_grad else None,
                -grad_a * a / b if b.requires_grad else None)


class Neg(Function):
    """-x. grad_x = -grad."""

    saves_inputs = False

    def forward(self, x):
        return -x

    def backward(self, grad):
        return -grad


class Pow(Function):
    """x ** exponent for a constant exponent. grad_x = grad * exponent * x ** (exponent - 1)."""

    def forward(self, x, *, exponent):
        self.exponent = exponent
        return x ** exponent

    def backward(self, grad):
        x, = self.inputs
        c = self.exponent
        if np.all(np.equal(c, 0)):
            return grad * 0  # NOTE: not 0 * x ** -1, which is NaN at x = 0
        return grad * c * x ** (c - 1)


class Exp(Function):
    """exp(x). grad_x = grad * exp(x), read from the output."""

    saves_inputs = False
    saves_outputs = True

    def forward(self, x):
        return np.exp(x)

    def backward(self, grad):
        return grad * self.outputs[0]()


class Log(Function):
    """log(x), the natural logarithm. grad_x = grad / x."""

    def forward(self, x):
        return np.log(x)

    def backward(self, grad):
        x, = self.inputs
        return grad / x


class Sin(Function):
    """sin(x). grad_x = grad * cos(x)."""

    def forward(self, x):
        return np.sin(x)

    def backward(self, grad):
        x, = self.inputs
        return grad * cos(x)


class Cos(Function):
    """cos(x). grad_x = -grad * sin(x)."""

    def forward(self, x):
        return np.cos(x)

    def backward(self, grad):
        x, = self.inputs
        return -grad * sin(x)


class Tanh(Function):
    """tanh(x). grad_x = grad * (1 - y**2) with y = tanh(x), read from the output."""

    saves_inputs = False
    saves_outputs = True

    def forward(self, x):
        return np.tanh(x)

    def backward(self, grad):
        y = self.outputs[0]()
        return grad * (1 - y * y)


class Maximum(Function):
    """maximum(a, b) elementwise. The gradient goes to the larger input; ties split it evenly."""

    def forward(self, a, b):
        return np.maximum(a, b)

    def backward(self, grad):
        a, b = self.inputs
        # NOTE: at a == b the derivative does not exist; half to each matches PyTorch.
        share_a = (a.data > b.data) + 0.5 * (a.data == b.data)
        return grad * share_a.astype(grad.dtype), grad * (1 - share_a).astype(grad.dtype)


class Where(Function):
    """where(condition, a, b) with a constant boolean condition.

    grad_a = grad where condition holds, else 0; grad_b the other way round.
    """

    saves_inputs = False

    def forward(self, a, b, *, condition):
        self.condition = condition
        return np.where(condition, a, b)

    def backward(self, grad):
        a, b = self.inputs
        return (where(self.condition, grad, 0) if a.requires_grad else None,
                where(self.condition, 0, grad) if b.requires_grad else None)


class Cast(Function):
    """x.astype(dtype). grad_x = grad (the engine casts it back to x's dtype)."""

    saves_inputs = False

    def forward(self, x, *, dtype):
        return x.astype(dtype, copy=False)

    def backward(self, grad):
        return grad


def add(a: Any, b: Any) -> Variable:
    return Add()(a, b)


def sub(a: Any, b: Any) -> Variable:
    return Sub()(a, b)


def mul(a: Any, b: Any) -> Variable:
    return Mul()(a, b)


def div(a: Any, b: Any) -> Variable:
    return Div()(a, b)


def neg(x: Any) -> Variable:
    return Neg()(x)


def pow(x: Any, exponent: Any) -> Variable:  # noqa: A001 - NumPy's name
    """x ** exponent. A Variable exponent is differentiable too: exp(exponent * log(x))."""
    if isinstance(exponent, Variable):
        if isinstance(x, (int, float)):  # a Python base stays weak: float32 stays float32
            return exp(exponent * math.log(x))
        return exp(exponent * log(x))
    if isinstance(exponent, np.generic):
        exponent = exponent.item()  # keep it a weak Python scalar: float32 stays float32
    return Pow()(x, exponent=exponent)


def exp(x: Any) -> Variable:
    return Exp()(x)


def log(x: Any) -> Variable:
    return Log()(x)


def sin(x: Any) -> Variable:
    return Sin()(x)


def cos(x: Any) -> Variable:
    return Cos()(x)


def tanh(x: Any) -> Variable:
    return Tanh()(x)


def maximum(a: Any, b: Any) -> Variable:
    return Maximum()(a, b)


def where(condition: Any, a: Any, b: Any) -> Variable:
    """Elementwise ``a`` where ``condition`` holds, else ``b`` (condition has no gradient)."""
    return Where()(a, b, condition=np.asarray(_raw(condition), dtype=bool))


def astype(x: Any, dtype: Any) -> Variable:
    """x cast to ``dtype``; differentiable between floating dtypes."""
    return Cast()(x, dtype=np.dtype(dtype))


def sqrt(x: Any) -> Variable:
    return pow(x, 0.5)


def square(x: Any) -> Variable:
    return pow(x, 2)


def minimum(a: Any, b: Any) -> Variable:
    return -maximum(neg(a), neg(b))


def abs(x: Any) -> Variable:  # noqa: A001 - NumPy's name
    """``|x| = x * sign(x)``. NOTE: at 0 the gradient is taken as 0."""
    return mul(x, np.sign(_raw(x)))


def clip(x: Any, lo: float | None, hi: float | None) -> Variable:
    """x limited to [lo, hi]; the gradient is 1 inside (bounds included) and 0 outside."""
    data = _raw(x)
    inside = np.ones(np.shape(data), dtype=bool)
    if lo is not None:
        inside &= data >= lo
    if hi is not None:
        inside &= data <= hi
    return where(inside, x, np.clip(data, lo, hi).astype(np.asarray(data).dtype))


def sigmoid(x: Any) -> Variable:
    """1 / (1 + exp(-x)), computed as 0.5 * tanh(x / 2) + 0.5 so it never overflows."""
    return tanh(x * 0.5) * 0.5 + 0.5

