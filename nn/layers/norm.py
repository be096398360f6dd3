"""Normalisation layers: batch normalisation (running statistics kept as buffers) and layer
normalisation."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Variable

from .. import functional as F
from ..module import Module, Parameter
from .linear import in_layer_dtype


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


class LayerNorm(Module):
    """Normalise each sample over its last axes, as ``torch.nn.LayerNorm``: the mean and the
    (biased) variance over ``normalized_shape``, then ``weight`` (ones) and ``bias`` (zeros),
    one per element of ``normalized_shape``.

    Shape: ``(*, *normalized_shape) -> (*, *normalized_shape)``.

    >>> import numpy as np
    >>> y = LayerNorm(4)(np.arange(8.0).reshape(2, 4))
    >>> np.round(y.data.mean(axis=1), 6), y.dtype
    (array([0., 0.], dtype=float32), dtype('float32'))
    """

    def __init__(self, normalized_shape: Any, eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True,
                 dtype: Any = np.float32) -> None:
        super().__init__()
        shape = (int(normalized_shape),) if np.ndim(normalized_shape) == 0 else \
            tuple(int(s) for s in normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        self.elementwise_affine = elementwise_affine
        self.weight = Parameter(np.ones(shape, dtype)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(shape, dtype)) if elementwise_affine and bias else None
        self._dtype = np.dtype(dtype)

    def forward(self, x: Any) -> Variable:
        dtype = self.weight.dtype if self.weight is not None else self._dtype
        return F.layer_norm(in_layer_dtype(x, dtype), self.normalized_shape, self.weight,
                            self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
