"""``Dropout`` (inverted): active in training, the identity in evaluation."""
from __future__ import annotations

from typing import Any

from autograd import ArgumentError, Variable

from .. import functional as F
from ..module import Module


class Dropout(Module):
    """Zero each element with probability ``p`` in training and scale the rest by 1/(1-p)."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ArgumentError(f"Dropout: invalid probability {p} (must be in [0, 1])")
        self.p = p

    def forward(self, x: Any) -> Variable:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
