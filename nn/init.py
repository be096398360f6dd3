"""Weight initialisers (in place on a Parameter's value), drawn from ``nn.random``.

He (Kaiming) keeps the variance of ReLU activations constant from layer to layer
(std = gain / sqrt(fan_in), gain = sqrt(2)); Xavier (Glorot) does so for tanh and sigmoid
(std = sqrt(2 / (fan_in + fan_out))). See the book's chapter 6.2.
"""
from __future__ import annotations

import math

import numpy as np

from autograd import ArgumentError, ShapeError, Variable
from autograd.devices import to_device

from . import random


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain that keeps activations' variance: 1 for linear/sigmoid, 5/3 for tanh, sqrt(2)
    for relu, sqrt(2 / (1 + slope^2)) for leaky_relu."""
    if nonlinearity in ("linear", "identity", "conv2d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ArgumentError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}")


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight: (out, in) for Linear, (out, in, KH, KW) for Conv2d."""
    if len(shape) < 2:
        raise ShapeError(f"init: fan in and fan out need a weight with at least 2 dimensions, "
                         f"got shape {shape}")
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive


def _fill(p: Variable, values: np.ndarray) -> Variable:
    p.data = to_device(values.astype(p.dtype), p.device)  # drawn by NumPy, kept where p is
    return p


def normal_(p: Variable, mean: float = 0.0, std: float = 1.0) -> Variable:
    return _fill(p, random.generator().normal(mean, std, p.shape))


def uniform_(p: Variable, a: float = 0.0, b: float = 1.0) -> Variable:
    return _fill(p, random.generator().uniform(a, b, p.shape))


def constant_(p: Variable, value: float) -> Variable:
    return _fill(p, np.full(p.shape, value))


def zeros_(p: Variable) -> Variable:
    return constant_(p, 0.0)


def ones_(p: Variable) -> Variable:
    return constant_(p, 1.0)


def kaiming_normal_(p: Variable, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "relu") -> Variable:
    """He normal: N(0, std^2) with std = gain / sqrt(fan)."""
    fan = _fan(p, mode)
    return normal_(p, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan))


def kaiming_uniform_(p: Variable, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "relu") -> Variable:
    """He uniform: U(-b, b) with b = gain * sqrt(3 / fan)."""
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(p, mode))
    return uniform_(p, -bound, bound)


def xavier_normal_(p: Variable, gain: float = 1.0) -> Variable:
    """Glorot normal: std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(p.shape)
    return normal_(p, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def xavier_uniform_(p: Variable, gain: float = 1.0) -> Variable:
    """Glorot uniform: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(p.shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(p, -bound, bound)


def _fan(p: Variable, mode: str) -> int:
    fan_in, fan_out = fans(p.shape)
    if mode not in ("fan_in", "fan_out"):
        raise ArgumentError(f"init: mode must be 'fan_in' or 'fan_out' (got {mode!r})")
    return max(fan_in if mode == "fan_in" else fan_out, 1)
