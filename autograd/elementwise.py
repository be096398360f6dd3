"""Elementwise ops: arithmetic, exp/log, trigonometry, maximum, where, dtype casts and moves
between devices.

Binary ops broadcast as NumPy does; their backward returns gradients of the broadcast shape and
the engine reduces them to each input's shape.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import devices
from .core import Function, Variable
from .conversion import raw as _raw


class Add(Function):
    """a + b. grad_a = grad, grad_b = grad."""

    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        return grad, grad


class Sub(Function):
    """a - b. grad_a = grad, grad_b = -grad."""

    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    """a * b. grad_a = grad * b, grad_b = grad * a."""

    def forward(self, a, b):
        grad_a, grad_b = self.needs_input_grad
        self.save_for_backward(b if grad_a else None, a if grad_b else None)
        return a * b

    def backward(self, grad):
        b, a = self.saved  # None where that input's gradient is not wanted
        return (None if b is None else grad * b, None if a is None else grad * a)


class Div(Function):
    """a / b. grad_a = grad / b, grad_b = -grad * a / b**2."""

    def forward(self, a, b):
        grad_b = self.needs_input_grad[1]
        self.save_for_backward(a if grad_b else None, b)
        return a / b

    def backward(self, grad):
        a, b = self.saved  # a is None when b's gradient is not wanted
        grad_a = grad / b
        return (grad_a if self.needs_input_grad[0] else None,
                None if a is None else -grad_a * a / b)


class Neg(Function):
    """-x. grad_x = -grad."""

    def forward(self, x):
        return -x

    def backward(self, grad):
        return -grad


class Pow(Function):
    """x ** exponent for a constant exponent. grad_x = grad * exponent * x ** (exponent - 1)."""

    def forward(self, x, *, exponent):
        self.save_for_backward(x)
        self.exponent = exponent
        return x ** exponent

    def backward(self, grad):
        x, = self.saved
        c = self.exponent
        if np.all(np.equal(c, 0)):
            return grad * 0  # NOTE: not 0 * x ** -1, which is NaN at x = 0
        return grad * c * x ** (c - 1)


class Exp(Function):
    """exp(x). grad_x = grad * exp(x), read from the output."""

    def forward(self, x):
        y = np.exp(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        y, = self.saved
        return grad * y


class Log(Function):
    """log(x), the natural logarithm. grad_x = grad / x."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.log(x)

    def backward(self, grad):
        x, = self.saved
        return grad / x


class Sin(Function):
    """sin(x). grad_x = grad * cos(x)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.sin(x)

    def backward(self, grad):
        x, = self.saved
        return grad * cos(x)


class Cos(Function):
    """cos(x). grad_x = -grad * sin(x)."""

    def forward(self, x):
        self.save_for_backward(x)
        return np.cos(x)

    def backward(self, grad):
        x, = self.saved
        return -grad * sin(x)


class Tanh(Function):
    """tanh(x). grad_x = grad * (1 - y**2) with y = tanh(x), read from the output."""

    def forward(self, x):
        y = np.tanh(x)
        self.save_for_backward(y)
        return y

    def backward(self, grad):
        y, = self.saved
        return grad * (1 - y * y)


class Maximum(Function):
    """maximum(a, b) elementwise. The gradient goes to the larger input; ties split it evenly."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.maximum(a, b)

    def backward(self, grad):
        a, b = self.saved
        # NOTE: at a == b the derivative does not exist; half to each matches PyTorch.
        share_a = (a.data > b.data) + 0.5 * (a.data == b.data)
        return grad * share_a.astype(grad.dtype), grad * (1 - share_a).astype(grad.dtype)


class Where(Function):
    """where(condition, a, b) with a constant boolean condition.

    grad_a = grad where condition holds, else 0; grad_b the other way round.
    """

    freed_after_backward = ("condition",)

    def forward(self, a, b, *, condition):
        self.condition = condition
        return np.where(condition, a, b)

    def backward(self, grad):
        grad_a, grad_b = self.needs_input_grad
        return (where(self.condition, grad, 0) if grad_a else None,
                where(self.condition, 0, grad) if grad_b else None)


class Cast(Function):
    """x.astype(dtype). grad_x = grad (the engine casts it back to x's dtype)."""

    def forward(self, x, *, dtype):
        return x.astype(dtype, copy=False)

    def backward(self, grad):
        return grad


class ToDevice(Function):
    """x moved to another device (``Variable.to``). grad_x = grad moved back to x's device."""

    def forward(self, x, *, device):
        self.source = devices.device_of(x)
        return devices.to_device(x, device)

    def backward(self, grad):
        return to_device(grad, self.source)


def to_device(x: Any, device: Any) -> Variable:
    """``x`` copied to ``device`` ("cpu", "cuda:N"), differentiably; see ``Variable.to``."""
    return ToDevice()(x, device=devices.Device(device))


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
    xp = devices.get_array_module(a, b)
    return Where()(a, b, condition=xp.asarray(_raw(condition), dtype=bool))


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
    data = devices.as_array(_raw(x))
    inside = devices.get_array_module(data).ones(data.shape, dtype=bool)
    if lo is not None:
        inside &= data >= lo
    if hi is not None:
        inside &= data <= hi
    return where(inside, x, np.clip(data, lo, hi).astype(data.dtype))


def sigmoid(x: Any) -> Variable:
    """1 / (1 + exp(-x)), computed as 0.5 * tanh(x / 2) + 0.5 so it never overflows."""
    return tanh(x * 0.5) * 0.5 + 0.5

