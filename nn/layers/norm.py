"""Batch normalisation layers, with running statistics kept as buffers."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Variable

from .. import functional as F
from ..module import Module, Parameter


class _BatchNorm(Module):
    _ndim = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 dtype: Any = np.float32) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(np.ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype=dtype)) if affine else None
        self.track_running_stats = track_running_stats
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype=dtype))

    def forward(self, x: Any) -> Variable:
        shape = np.shape(x.data if isinstance(x, Variable) else x)
        if len(shape) != self._ndim or shape[1] != self.num_features:
            want = "(N, {c})" if self._ndim == 2 else "(N, {c}, H, W)"
            raise ShapeError(f"{type(self).__name__}: expected input of shape "
                             f"{want.format(c=self.num_features)}, got {shape}")
        stats = (self.running_mean, self.running_var) if self.track_running_stats else \
            (None, None)
        return F.batch_norm(x, *stats, self.weight, self.bias, training=self.training,
                            momentum=self.momentum, eps=self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Normalise each feature over the batch. Shape: (N, C) -> (N, C)."""

    _ndim = 2


class BatchNorm2d(_BatchNorm):
    """Normalise each channel over the batch and both spatial axes.

    Shape: (N, C, H, W) -> (N, C, H, W).
    """

    _ndim = 4
