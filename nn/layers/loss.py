"""Loss layers over ``nn.functional``'s losses."""
from __future__ import annotations

from typing import Any

from autograd import Variable

from .. import functional as F
from ..module import Module


class CrossEntropyLoss(Module):
    """Cross-entropy of logits (N, C) against labels (N,) or probabilities (N, C)."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, x: Any, t: Any) -> Variable:
        return F.cross_entropy(x, t, self.reduction)


class MSELoss(Module):
    """Mean squared error between input and target of the same shape."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, x: Any, t: Any) -> Variable:
        return F.mse_loss(x, t, self.reduction)
