"""Batch normalisation, composed: in training it normalises with the batch's statistics and
updates the running ones; in evaluation it uses the running statistics."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import ShapeError, Variable


def batch_norm(x: Any, running_mean: np.ndarray | None, running_var: np.ndarray | None,
               weight: Any = None, bias: Any = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Variable:
    """(x - mean) / sqrt(var + eps) * weight + bias, per channel (axis 1).

    In training, mean and var are the batch's (biased var), and the running statistics, if
    given, are updated in place: running = (1 - momentum) running + momentum batch (with the
    unbiased var, as PyTorch). Otherwise the running statistics are used.

    Shape:
        x (N, C) or (N, C, H, W); running_mean, running_var, weight, bias (C,).
    """
    x = ag.as_variable(x)
    if x.ndim not in (2, 4):
        raise ShapeError(f"BatchNorm: expected input of shape (N, C) or (N, C, H, W), got "
                         f"{x.shape}")
    c = x.shape[1]
    for name, v in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if v is not None and np.shape(v.data if isinstance(v, Variable) else v) != (c,):
            raise ShapeError(f"BatchNorm: {name} must have shape ({c},) for input of shape "
                             f"{x.shape}")
    axes = (0,) if x.ndim == 2 else (0, 2, 3)
    shape = (1, c) + (1,) * (x.ndim - 2)
    if training or running_mean is None or running_var is None:
        n = x.size // c
        if n < 2 and training:
            raise ShapeError(f"BatchNorm: need more than 1 value per channel in training "
                             f"(input shape {x.shape})")
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=axes, keepdims=True)
        if training and running_mean is not None and running_var is not None:
            running_mean *= 1 - momentum
            running_mean += momentum * mean.data.reshape(c)
            running_var *= 1 - momentum
            running_var += momentum * var.data.reshape(c) * (n / (n - 1))
        y = centred / (var + eps) ** 0.5
    else:
        scale = (1.0 / np.sqrt(running_var + eps)).astype(x.dtype).reshape(shape)
        y = (x - running_mean.astype(x.dtype).reshape(shape)) * scale
    if weight is not None:
        y = y * ag.reshape(weight, shape)
    if bias is not None:
        y = y + ag.reshape(bias, shape)
    return y
