"""Activation layers: thin Modules over ``nn.functional``."""
from __future__ import annotations

from typing import Any

from autograd import Variable

from .. import functional as F
from ..module import Module


class ReLU(Module):
    """max(x, 0), elementwise."""

    def forward(self, x: Any) -> Variable:
        return F.relu(x)


class LeakyReLU(Module):
    """x for x > 0, else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Any) -> Variable:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """1 / (1 + exp(-x)), elementwise."""

    def forward(self, x: Any) -> Variable:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, x: Any) -> Variable:
        return F.tanh(x)


class Softmax(Module):
    """softmax along ``dim`` (default the last)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Any) -> Variable:
        return F.softmax(x, axis=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
